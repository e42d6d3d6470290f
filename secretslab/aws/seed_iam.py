"""Seeding a world's IAM into the stand-in: groups (and the groups users are in but the world does
not list), users with their groups and tags, roles with their tags, then, once every id is known,
trust policies, inline policies ``inline-1``, ``inline-2``… and permissions boundaries (a managed
policy each; moto bounds no user, and ``skipped`` says so).
"""

from __future__ import annotations

from typing import Any

from .seed_calls import DENY_ALL_TRUST, Seeder, dumps, iam_parts, iam_tags, moto_implements

__all__ = ["IamSeeding"]


class IamSeeding(Seeder):
    """The IAM part of ``seed_world``."""

    def groups(self, groups: list[dict[str, Any]], users: list[dict[str, Any]]) -> None:
        """Create the world's groups, and empty ones for groups its users are in that it does not
        list; their inline policies are put later."""
        listed = [*groups]
        known = {g["arn"] for g in groups}
        for user in users:  # a group a user is in but the world does not list: created empty
            for arn in user.get("groups", []):
                if arn not in known:
                    known.add(arn)
                    listed.append({"arn": arn, "policies": []})
        for group in listed:
            account, _, path, name = iam_parts(self.tr(group["arn"]))
            iam = self.client("iam", account)
            iam.create_group(GroupName=name, Path=path)
            self.later_inline(iam, "group", name, group.get("policies", []))

    def users(self, users: list[dict[str, Any]]) -> None:
        """Create the world's users with their tags and add them to their groups (a group of another
        account is skipped, with a note); their policies and boundaries are put later."""
        for user in users:
            account, _, path, name = iam_parts(self.tr(user["arn"]))
            iam = self.client("iam", account)
            created = iam.create_user(UserName=name, Path=path, **self.tags_arg(user.get("tags")))["User"]
            if user.get("user_id"):
                self.map(user["user_id"], created["UserId"])
            for group_arn in user.get("groups", []):
                group_account, _, _, group_name = iam_parts(self.tr(group_arn))
                if group_account != account:
                    self.skip(f"user {name} in group {group_arn}: a group of another account")
                    continue
                iam.add_user_to_group(GroupName=group_name, UserName=name)
            self.later_inline(iam, "user", name, user.get("policies", []))
            if user.get("permissions_boundary") is not None:
                self.later_boundary(iam, "user", name, user["permissions_boundary"])

    def roles(self, roles: list[dict[str, Any]]) -> None:
        """Create the world's roles with their tags and a deny-all trust policy; the real trust
        policy, inline policies and boundary are put later, once every id they name is known."""
        for role in roles:
            account, _, path, name = iam_parts(self.tr(role["arn"]))
            iam = self.client("iam", account)
            created = iam.create_role(
                RoleName=name,
                Path=path,
                AssumeRolePolicyDocument=dumps(DENY_ALL_TRUST),  # the real one once every id is known
                **self.tags_arg(role.get("tags")),
            )["Role"]
            if role.get("role_id"):
                self.map(role["role_id"], created["RoleId"])
            if role.get("service_linked") and not path.startswith("/aws-service-role/"):
                self.skip(f"role {name}: service-linked in the world, an ordinary role in the stand-in")
            trust = role.get("trust_policy")
            if trust is None:
                self.skip(f"role {name}: no trust policy in the world; a deny-all trust policy stands in")
            else:
                self.later_put(
                    f"trust policy of role {name}",
                    iam.update_assume_role_policy,
                    RoleName=name,
                    document=trust,
                )
            self.later_inline(iam, "role", name, role.get("policies", []))
            if role.get("permissions_boundary") is not None:
                self.later_boundary(iam, "role", name, role["permissions_boundary"])

    @staticmethod
    def tags_arg(tags: dict[str, str] | None) -> dict[str, Any]:
        """The ``Tags`` argument of an IAM create call, or no argument when there are no tags."""
        return {"Tags": iam_tags(tags)} if tags else {}

    def later_inline(self, iam: Any, kind: str, name: str, documents: list[Any]) -> None:
        """Inline policies ``inline-1``, ``inline-2``… of a group, user or role, put once ids are known."""
        put = getattr(iam, f"put_{kind}_policy")
        for index, document in enumerate(documents, 1):
            self.later_put(
                f"inline policy {index} of {kind} {name}",
                put,
                **{f"{kind.capitalize()}Name": name},
                PolicyName=f"inline-{index}",
                document=document,
            )

    def later_put(self, what: str, call: Any, *, document: Any, **kwargs: Any) -> None:
        """Make ``call`` with the translated ``document`` as ``PolicyDocument`` later, once every id
        is known; a refusal is noted, not raised."""

        def put() -> None:
            self.attempt(what, call, **kwargs, PolicyDocument=dumps(self.tr(document)))

        self.later.append((what, put))

    def later_boundary(self, iam: Any, kind: str, name: str, document: Any) -> None:
        """Later, create ``document`` as a managed policy and set it as the permissions boundary of
        the user or role (moto may not implement it for users: then it is noted)."""

        def put() -> None:
            what = f"permissions boundary of {kind} {name}"
            created = self.attempt(
                what,
                iam.create_policy,
                PolicyName=f"boundary-{kind}-{name}",
                PolicyDocument=dumps(self.tr(document)),
                Description=f"secretslab: permissions boundary of {kind} {name}",
            )
            if created is None:
                return
            arn = created["Policy"]["Arn"]
            if kind == "role":
                self.attempt(what, iam.put_role_permissions_boundary, RoleName=name, PermissionsBoundary=arn)
            elif moto_implements("iam", "IamResponse", "put_user_permissions_boundary"):
                self.attempt(what, iam.put_user_permissions_boundary, UserName=name, PermissionsBoundary=arn)
            else:
                self.skip(
                    f"{what}: moto does not implement PutUserPermissionsBoundary; the policy exists "
                    f"as {arn} but bounds nothing"
                )

        self.later.append((f"permissions boundary of {kind} {name}", put))
