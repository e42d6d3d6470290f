"""The stand-in's demo organisation: ``seed_demo`` reads its content from ``demo-world.json``, shipped
in the package (what it holds, and how the file names ids and documents, are in the file's
``description`` and ``format``), and creates it with real boto3 calls in the file's order, each
string rewritten through the ids moto picked; it answers with the ids and ARNs it created.
"""

from __future__ import annotations

import json
import uuid
from importlib import resources
from typing import Any

from .mapping import WorldMapping
from .seed_calls import PLACEHOLDER_VALUE, TOKEN_NAMESPACE, dumps, iam_tags, wait_for_account
from .server import DEFAULT_ACCOUNT, StandIn

__all__ = ["DEMO_FILE", "demo_content", "seed_demo"]

#: the demo's content, a data file of this package
DEMO_FILE = "demo-world.json"


def demo_content() -> dict[str, Any]:
    """The demo organisation as ``demo-world.json`` describes it (a fresh copy on each call)."""
    text = resources.files("secretslab.aws").joinpath(DEMO_FILE).read_text(encoding="utf-8")
    content: dict[str, Any] = json.loads(text)
    return content


def seed_demo(standin: StandIn) -> dict[str, Any]:
    """Seed a small organisation with real boto3 calls and describe what was created.

    The content is ``demo-world.json``'s. Management account (moto's default ``123456789012``):
    an organization (SCPs enabled), member accounts ``prod`` and ``apps`` each in its own OU, and
    the SCP ``DenySecretDeletion`` on the prod OU. In apps: user ``ci-bot`` and role ``AppRole``
    (trusting the apps account), whose identity policies read prod's secrets directly
    (GetSecretValue, DescribeSecret, kms:Decrypt on the key) and may assume ``SecretReader``. In
    prod: a customer managed key whose key policy enables IAM policies and lets the apps account
    decrypt through Secrets Manager, its alias ``alias/prod-secrets``; secret ``prod/db`` on that
    key and secret ``prod/legacy`` on ``aws/secretsmanager`` (no ``KmsKeyId``), both with secret
    policies granting ``AppRole``, ``ci-bot`` and ``SecretReader``; role ``SecretReader`` trusting
    the apps account and reading both. Secret values are placeholders.

    Returns ``{"region", "management_account", "organization_id", "root_id", "accounts":
    {name: id}, "organizational_units": {name: id}, "scp": {...}, "kms_key": {...},
    "secrets": {name: arn}, "roles": {name: arn}, "users": {name: arn}}``.
    """
    return _Demo(standin, demo_content()).run()


class _Demo:
    """One seeding of the demo: the file's ids -> the stand-in's, and what was created."""

    def __init__(self, standin: StandIn, content: dict[str, Any]) -> None:
        self.standin = standin
        self.content = content
        self.region = standin.region
        self.mapping = WorldMapping()
        self.mapping[content["region"]] = self.region
        self.mapping[content["management_account"]] = DEFAULT_ACCOUNT
        self.accounts: dict[str, str] = {"management": DEFAULT_ACCOUNT}
        self.ous: dict[str, str] = {}
        self.scps: list[dict[str, str]] = []
        self.keys: list[dict[str, Any]] = []
        self.secrets: dict[str, str] = {}
        self.roles: dict[str, str] = {}
        self.users: dict[str, str] = {}

    def run(self) -> dict[str, Any]:
        org_id, root_id = self.organization(self.content["organization"])
        for account in self.content["accounts"]:
            self.account(account)
        return {
            "region": self.region,
            "management_account": DEFAULT_ACCOUNT,
            "organization_id": org_id,
            "root_id": root_id,
            "accounts": self.accounts,
            "organizational_units": self.ous,
            "scp": self.scps[0],
            "kms_key": self.keys[0],
            "secrets": self.secrets,
            "roles": self.roles,
            "users": self.users,
        }

    def document(self, name: str) -> str:
        """The document ``name`` as JSON, its named statements filled in, in the stand-in's ids."""
        document = self.content["documents"][name]
        shared = self.content.get("statements", {})
        statements = [shared[s] if isinstance(s, str) else s for s in document["Statement"]]
        return dumps(self.mapping.translate({**document, "Statement": statements}))

    # Organizations, from the management account

    def organization(self, spec: dict[str, Any]) -> tuple[str, str]:
        org = self.standin.client("organizations", region=self.region)
        org_id = org.create_organization(FeatureSet=spec["feature_set"])["Organization"]["Id"]
        root_id = org.list_roots()["Roots"][0]["Id"]
        for policy_type in spec["policy_types"]:
            org.enable_policy_type(RootId=root_id, PolicyType=policy_type)
        for account in spec["accounts"]:
            status = org.create_account(AccountName=account["name"], Email=account["email"])
            created = wait_for_account(org, status["CreateAccountStatus"])
            self.mapping[account["id"]] = self.accounts[account["name"]] = created
            ou = account["ou"]
            if ou not in self.ous:
                created_ou = org.create_organizational_unit(ParentId=root_id, Name=ou)
                self.ous[ou] = created_ou["OrganizationalUnit"]["Id"]
            org.move_account(AccountId=created, SourceParentId=root_id, DestinationParentId=self.ous[ou])
        for scp in spec["scps"]:
            summary = org.create_policy(
                Content=self.document(scp["document"]),
                Description=scp["description"],
                Name=scp["name"],
                Type="SERVICE_CONTROL_POLICY",
            )["Policy"]["PolicySummary"]
            target = self.ous[scp["attached_to"]]
            org.attach_policy(PolicyId=summary["Id"], TargetId=target)
            self.scps.append(
                {"name": summary["Name"], "id": summary["Id"], "arn": summary["Arn"], "attached_to": target}
            )
        return org_id, root_id

    # one account: keys, users, roles, secrets (a policy names only what exists before it)

    def account(self, spec: dict[str, Any]) -> None:
        account = self.mapping[spec["id"]]
        session = self.standin.account_session(account, region=self.region)

        def client(service: str) -> Any:
            return self.standin.client(service, region=self.region, session=session)

        for key in spec.get("kms_keys", []):
            self.key(client("kms"), account, key)
        for user in spec.get("users", []):
            self.user(client("iam"), user)
        for role in spec.get("roles", []):
            self.role(client("iam"), role)
        for secret in spec.get("secrets", []):
            self.secret(client("secretsmanager"), secret)

    def key(self, kms: Any, account: str, spec: dict[str, Any]) -> None:
        args: dict[str, Any] = {"Description": spec["description"]}
        if spec.get("key_policy"):
            args["Policy"] = self.document(spec["key_policy"])
        if "tags" in spec:
            args["Tags"] = [{"TagKey": k, "TagValue": v} for k, v in spec["tags"].items()]
        key = kms.create_key(**args)["KeyMetadata"]
        self.mapping[spec["id"]] = key["KeyId"]
        for alias in spec.get("aliases", []):
            kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
        alias = next(iter(spec.get("aliases", [])), None)
        self.keys.append(
            {
                "arn": key["Arn"],
                "id": key["KeyId"],
                "alias": alias,
                "alias_arn": f"arn:aws:kms:{self.region}:{account}:{alias}" if alias else None,
            }
        )

    def user(self, iam: Any, spec: dict[str, Any]) -> None:
        name = spec["name"]
        user = iam.create_user(UserName=name, **_tags(spec))["User"]
        for policy, document in spec.get("policies", {}).items():
            iam.put_user_policy(UserName=name, PolicyName=policy, PolicyDocument=self.document(document))
        self.users[name] = user["Arn"]

    def role(self, iam: Any, spec: dict[str, Any]) -> None:
        name = spec["name"]
        trust = self.document(spec["trust_policy"])
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust, **_tags(spec))["Role"]
        for policy, document in spec.get("policies", {}).items():
            iam.put_role_policy(RoleName=name, PolicyName=policy, PolicyDocument=self.document(document))
        self.roles[name] = role["Arn"]

    def secret(self, sm: Any, spec: dict[str, Any]) -> None:
        name = spec["name"]
        args: dict[str, Any] = {
            "Name": name,
            "SecretString": PLACEHOLDER_VALUE,
            "ClientRequestToken": str(uuid.uuid5(TOKEN_NAMESPACE, name)),
            **_tags(spec),
        }
        if spec.get("kms_key") is not None:  # none: aws/secretsmanager, the account's AWS managed key
            args["KmsKeyId"] = self.mapping.translate(spec["kms_key"])
        arn = sm.create_secret(**args)["ARN"]
        if spec.get("resource_policy"):
            policy = self.document(spec["resource_policy"])
            sm.put_resource_policy(SecretId=arn, ResourcePolicy=policy, BlockPublicPolicy=False)
        self.secrets[name] = arn


def _tags(spec: dict[str, Any]) -> dict[str, Any]:
    """``Tags`` for IAM and Secrets Manager when the file gives tags (even none), else nothing."""
    return {"Tags": iam_tags(spec["tags"])} if "tags" in spec else {}
