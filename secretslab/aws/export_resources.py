"""The resources of one account's template, per entity kind of the world: IAM groups, users and roles
(inline policies while IAM's inline quota allows, managed policies otherwise, trust policies,
permissions boundaries, tags), customer managed KMS keys (key policy, aliases, the lockout check)
and secrets (a placeholder value CloudFormation generates, their key, resource policy).

AWS pages: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-role.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-kms-key.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-secretsmanager-secret.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-secretsmanager-resourcepolicy.html
"""

from __future__ import annotations

import json
from typing import Any

from ..limits import INLINE_AGGREGATE, Count
from ..policy.model import Policy
from ..policy.public import public_statements
from ..policy.quotas import document_text, measure
from ..world import Group, Key, Role, Secret, User
from .export_documents import NOBODY, Json, administrable, cfn_tags, iam_path, self_resource
from .export_references import References

__all__ = ["INLINE_LIMITS", "PLACEHOLDER", "Resources"]

#: IAM quotas on inline policies, aggregate per principal, whitespace not counted (IAM quotas page;
#: the constants live in ``secretslab.limits``)
INLINE_LIMITS = {holder: quota.limit for holder, quota in INLINE_AGGREGATE.items()}
PLACEHOLDER = {"PasswordLength": 32, "ExcludePunctuation": True}


class Resources(References):
    """The resources of one account's template, added per entity of the world."""

    # -- IAM

    def _group(self, group: Group) -> None:
        lid = self._lid(group.arn)
        props: dict[str, Any] = {"GroupName": group.name, "Path": iam_path(group.arn)}
        self._identity_policies(lid, "group", group.name, group.policies, props)
        self._add(lid, "AWS::IAM::Group", props)

    def _user(self, user: User) -> None:
        lid = self._lid(user.arn)
        props: dict[str, Any] = {"UserName": user.name, "Path": iam_path(user.arn)}
        groups: list[Json] = []
        for arn in user.groups:
            group = self.targets.of_arn(self.account, arn)
            if group:
                groups.append({"Ref": group})
            else:
                self.notes.append(f"User {user.name} is in group {arn}, which the world does not hold.")
        if groups:
            props["Groups"] = groups
        self._identity_policies(lid, "user", user.name, user.policies, props)
        self._boundary(lid, user.name, user.permissions_boundary, props)
        if user.tags:
            props["Tags"] = cfn_tags(user.tags)
        self._add(lid, "AWS::IAM::User", props)
        if user.user_id:
            self._unique_id_note(user.arn, user.user_id)

    def _role(self, role: Role) -> None:
        if role.service_linked:
            self.notes.append(f"Service-linked role {role.arn} is not exported: its service creates it.")
            return
        lid = self._lid(role.arn)
        trust = role.trust_policy.source if role.trust_policy else NOBODY
        if role.trust_policy is None:
            self.notes.append(
                f"Role {role.name} has no trust policy in the world; CloudFormation needs one, so the "
                "template gives it one that trusts nobody (a Deny of sts:AssumeRole for everyone)."
            )
        props: dict[str, Any] = {
            "RoleName": role.name,
            "Path": iam_path(role.arn),
            "AssumeRolePolicyDocument": self._document(
                trust, f"trust policy of role {role.name}", local=False
            ),
        }
        self._existence(lid, trust)
        self._identity_policies(lid, "role", role.name, role.policies, props)
        self._boundary(lid, role.name, role.permissions_boundary, props)
        if role.tags:
            props["Tags"] = cfn_tags(role.tags)
        self._add(lid, "AWS::IAM::Role", props)
        if role.role_id:
            self._unique_id_note(role.arn, role.role_id)

    def _identity_policies(
        self, lid: str, kind: str, name: str, policies: tuple[Policy, ...], props: dict[str, Any]
    ) -> None:
        """Inline ``Policies`` while they fit IAM's inline quota; a policy that names a key or a
        secret of this template, or that would exceed the quota, becomes an AWS::IAM::ManagedPolicy
        attached to the principal (it is created after both, so no dependency cycle)."""
        inline, size = [], 0
        for i, policy in enumerate(policies):
            doc = policy.source
            policy_name = f"{name}-policy-{i + 1}" if len(policies) > 1 else f"{name}-policy"
            length = measure(document_text(doc) or "", Count.NON_WHITESPACE)
            if not self._names_local(doc) and size + length <= INLINE_LIMITS[kind]:
                size += length
                inline.append({"PolicyName": policy_name[:128], "PolicyDocument": self._document(doc, "")})
                continue
            managed = f"{lid}Policy{i + 1}"
            self._add(
                managed,
                "AWS::IAM::ManagedPolicy",
                {
                    "ManagedPolicyName": policy_name[:128],
                    "Description": f"identity policy {i + 1} of {kind} {name}",
                    "PolicyDocument": self._document(doc, ""),
                    {"user": "Users", "group": "Groups", "role": "Roles"}[kind]: [{"Ref": lid}],
                },
            )
        if inline:
            props["Policies"] = inline

    def _boundary(self, lid: str, name: str, boundary: Policy | None, props: dict[str, Any]) -> None:
        if boundary is None:
            return
        mp = f"{lid}Boundary"
        self._add(
            mp,
            "AWS::IAM::ManagedPolicy",
            {
                "ManagedPolicyName": f"{name}-boundary"[:128],
                "Description": f"permissions boundary of {name}",
                "PolicyDocument": self._document(
                    boundary.source, f"permissions boundary of {name}", local=False
                ),
            },
        )
        props["PermissionsBoundary"] = {"Ref": mp}

    def _unique_id_note(self, arn: str, unique_id: str) -> None:
        if any(unique_id in json.dumps(p.source) for _, p in self.world.policies()):
            self.notes.append(
                f"A policy names the unique id {unique_id} of {arn}; IAM generates a new one at "
                "deployment, so edit that policy afterwards."
            )

    # -- KMS

    def _key(self, key: Key) -> None:
        if key.aws_managed:
            self.notes.append(
                f"AWS managed key {key.label} ({key.arn}) is not exported: AWS creates it the first time "
                "a secret of the account uses it."
            )
            return
        lid = self._lid(key.arn)
        props: dict[str, Any] = {"Description": f"secretslab: {key.label}"}
        if key.key_policy is not None:
            doc = self_resource(key.key_policy.source, key.arn)
            props["KeyPolicy"] = self._document(doc, f"key policy of {key.label}", local=False)
            self._existence(lid, doc)
            if not administrable(doc, self.account):
                self.notes.append(
                    f"The key policy of {key.label} does not let the account administer the key: KMS's "
                    "policy lockout safety check will refuse it unless BypassPolicyLockoutSafetyCheck is "
                    "set, after which nobody may change or delete the key. Add a statement for the "
                    "deploying role, or accept that."
                )
        else:
            self.notes.append(
                f"Key {key.label} has no key policy in the world; AWS gives it the default key policy "
                "(the account's IAM policies decide), which allows more than no policy."
            )
        props["PendingWindowInDays"] = 7
        if key.tags:
            props["Tags"] = cfn_tags(key.tags)
        self._add(lid, "AWS::KMS::Key", props)
        self._output(key.arn, f"ARN of KMS key {key.label}")
        for i, alias in enumerate(a for a in key.aliases if not a.startswith("alias/aws/")):
            self._add(
                f"{lid}Alias{i + 1}" if i else f"{lid}Alias",
                "AWS::KMS::Alias",
                {"AliasName": alias, "TargetKeyId": {"Ref": lid}},
            )

    # -- Secrets Manager

    def _secret(self, secret: Secret) -> None:
        lid = self._lid(secret.arn)
        props: dict[str, Any] = {
            "Name": secret.name,
            "Description": "secretslab placeholder: the value is random, generated by CloudFormation",
            "GenerateSecretString": dict(PLACEHOLDER),
        }
        key = self.world.secret_key(secret)
        if not key.aws_managed:
            props["KmsKeyId"] = self._ref(key.arn)
        if secret.tags:
            props["Tags"] = cfn_tags(secret.tags)
        self._add(lid, "AWS::SecretsManager::Secret", props)
        self._output(secret.arn, f"ARN of secret {secret.name}")
        if secret.resource_policy is None:
            return
        public = bool(secret.resource_policy.valid and public_statements(secret.resource_policy))
        if public:
            self.notes.append(
                f"The secret policy of {secret.name} is public (BlockPublicPolicy would refuse it); the "
                "template sets BlockPublicPolicy to false to reproduce the scenario. Deploy it only into a "
                "sandbox account."
            )
        doc = secret.resource_policy.source
        policy = f"{lid}Policy"
        self._add(
            policy,
            "AWS::SecretsManager::ResourcePolicy",
            {
                "SecretId": {"Ref": lid},
                "ResourcePolicy": self._document(doc, ""),
                "BlockPublicPolicy": not public,
            },
        )
        self._existence(policy, doc)
