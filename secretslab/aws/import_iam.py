"""Reading an account's IAM for an import: users (inline and attached managed policies flattened,
groups, permissions boundary, tags), groups and roles (trust policy, policies, boundary, tags,
service-linked) from ``GetAccountAuthorizationDetails``, and a managed policy that answer left
out with ``GetPolicy`` + ``GetPolicyVersion``.

AWS page: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .import_calls import Account, Reader, tags_of

__all__ = ["IamReader"]


class IamReader(Reader):
    """The IAM part of an import."""

    def iam(self, account: Account) -> None:
        """Read the users, groups and roles of ``account`` with their policies, boundaries and tags; a
        call that fails leaves a gap, and when none of the authorization details could be read
        nothing is added."""
        iam = self.client(account.session, "iam", self.regions[0])
        users: list[dict[str, Any]] = []
        groups: list[dict[str, Any]] = []
        roles: list[dict[str, Any]] = []
        managed: dict[str, Any] = {}
        read = False
        for page in self.pages(
            iam,
            "get_account_authorization_details",
            (account.id, "the users, groups, roles and policies of the account"),
            Filter=["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"],
        ):
            read = True
            users.extend(page.get("UserDetailList", ()))
            groups.extend(page.get("GroupDetailList", ()))
            roles.extend(page.get("RoleDetailList", ()))
            for policy in page.get("Policies", ()):
                default = next(
                    (v for v in policy.get("PolicyVersionList", ()) if v.get("IsDefaultVersion")), None
                )
                if default is not None:
                    managed[policy["Arn"]] = self.document(
                        default.get("Document"),
                        policy["Arn"],
                        f"managed policy {policy['Arn']}",
                        "iam:GetAccountAuthorizationDetails",
                    )
        if not read:
            return
        group_arns = {g["GroupName"]: g["Arn"] for g in groups}

        def policies(detail: Mapping[str, Any], inline_key: str, owner: str) -> list[Any]:
            docs = []
            for inline in detail.get(inline_key, ()):
                name = inline.get("PolicyName", "?")
                doc = self.document(
                    inline.get("PolicyDocument"),
                    owner,
                    f"inline policy {name} of {owner}",
                    "iam:GetAccountAuthorizationDetails",
                )
                if doc is not None:
                    docs.append(doc)
            for attached in detail.get("AttachedManagedPolicies", ()):
                doc = self.managed_policy(iam, attached["PolicyArn"], managed, owner)
                if doc is not None:
                    docs.append(doc)
            return docs

        def boundary(detail: Mapping[str, Any], owner: str) -> Any:
            arn = (detail.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
            return None if not arn else self.managed_policy(iam, arn, managed, owner)

        for group in groups:
            self.groups.append(
                {"arn": group["Arn"], "policies": policies(group, "GroupPolicyList", group["Arn"])}
            )
        for user in users:
            self.users.append(
                {
                    "arn": user["Arn"],
                    "user_id": user.get("UserId"),
                    "tags": tags_of(user.get("Tags")),
                    "groups": [
                        group_arns.get(name, f"arn:aws:iam::{account.id}:group/{name}")
                        for name in user.get("GroupList", ())
                    ],
                    "policies": policies(user, "UserPolicyList", user["Arn"]),
                    "permissions_boundary": boundary(user, user["Arn"]),
                }
            )
        for role in roles:
            self.roles.append(
                {
                    "arn": role["Arn"],
                    "role_id": role.get("RoleId"),
                    "tags": tags_of(role.get("Tags")),
                    "trust_policy": self.document(
                        role.get("AssumeRolePolicyDocument"),
                        role["Arn"],
                        f"trust policy of {role['Arn']}",
                        "iam:GetAccountAuthorizationDetails",
                    ),
                    "policies": policies(role, "RolePolicyList", role["Arn"]),
                    "permissions_boundary": boundary(role, role["Arn"]),
                    "service_linked": str(role.get("Path", "")).startswith("/aws-service-role/"),
                }
            )

    def managed_policy(self, iam: Any, arn: str, managed: dict[str, Any], owner: str) -> Any:
        """The default version of a managed policy: from the authorization details, else read
        with GetPolicy + GetPolicyVersion (AWS managed policies the details left out)."""
        if arn in managed:
            return managed[arn]
        what = (arn, f"managed policy {arn} (attached to {owner})")
        described = self.call(iam, "get_policy", what, PolicyArn=arn)
        document = None
        if described is not None:
            version = self.call(
                iam,
                "get_policy_version",
                what,
                PolicyArn=arn,
                VersionId=described["Policy"]["DefaultVersionId"],
            )
            if version is not None:
                document = self.document(
                    version["PolicyVersion"].get("Document"), arn, what[1], "iam:GetPolicyVersion"
                )
        managed[arn] = document
        return document
