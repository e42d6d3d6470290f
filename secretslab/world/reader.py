"""Read and write the world format of semantics §1.1. Every problem is collected with its JSON
path before ``ScenarioError`` is raised once: unknown keys (with "did you mean"), missing or
mistyped fields, ARNs of the wrong shape, references to entities the world does not hold,
duplicates. Policies are parsed for their kind; an invalid policy is kept (marked invalid) and
its problems are located under the world's path by ``policy_problems``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from ..arn import Arn
from ..policy.model import Policy, PolicyKind
from ..policy.parsing import read_policy
from ..problems import ScenarioError
from .entities import (
    Account,
    Gap,
    Group,
    Key,
    Organization,
    OrgPolicy,
    Role,
    Secret,
    Session,
    User,
    aws_managed_key_policy,
)
from .fields import Fields, Path
from .index import Index

_REQ, _OPT = True, False

_WORLD = {
    "accounts": _OPT,
    "organization": _OPT,
    "principals": _OPT,
    "secrets": _OPT,
    "kms_keys": _OPT,
    "description": _OPT,
    "gaps": _OPT,
}
_GAP = {"resource": _REQ, "what": _REQ, "operation": _OPT, "error": _OPT}
_ACCOUNT = {"id": _REQ, "name": _OPT, "org_id": _OPT, "org_path": _OPT}
_ORG = {
    "id": _REQ,
    "root_id": _REQ,
    "management_account": _OPT,
    "scp_enabled": _OPT,
    "full_aws_access_detached_from": _OPT,
    "scps": _OPT,
    "rcp_enabled": _OPT,
    "rcps": _OPT,
}
_ORG_POLICY = {"name": _REQ, "attached_to": _REQ, "document": _REQ}
_PRINCIPALS = {"users": _OPT, "groups": _OPT, "roles": _OPT, "sessions": _OPT}
_USER = {
    "arn": _REQ,
    "user_id": _OPT,
    "tags": _OPT,
    "groups": _OPT,
    "policies": _OPT,
    "permissions_boundary": _OPT,
}
_GROUP = {"arn": _REQ, "policies": _OPT}
_ROLE = {
    "arn": _REQ,
    "role_id": _OPT,
    "tags": _OPT,
    "trust_policy": _OPT,
    "policies": _OPT,
    "permissions_boundary": _OPT,
    "service_linked": _OPT,
}
_SESSION = {
    "arn": _REQ,
    "role": _OPT,
    "session_name": _OPT,
    "session_policies": _OPT,
    "session_tags": _OPT,
    "source_principal": _OPT,
}
_SECRET = {
    "arn": _REQ,
    "name": _OPT,
    "account": _OPT,
    "region": _OPT,
    "kms_key": _OPT,
    "tags": _OPT,
    "versions": _OPT,
    "resource_policy": _OPT,
}
_KEY = {
    "arn": _REQ,
    "account": _OPT,
    "region": _OPT,
    "manager": _OPT,
    "aliases": _OPT,
    "tags": _OPT,
    "key_policy": _OPT,
    "grants": _OPT,
}


class _WorldReader(Fields):
    def policy(self, value: Any, path: Path, kind: PolicyKind) -> Policy | None:
        """The policy (kept even when AWS would refuse it: ``World.problems`` reports it)."""
        if value is None:
            return None
        return read_policy(value, kind)

    def policies(self, value: Any, path: Path, kind: PolicyKind, what: str) -> tuple[Policy, ...]:
        out = []
        for ipath, item in self.items(value, path, what):
            if item is None:  # a hole would shift every later policy's position
                self.problem("INVALID_FIELD", f"each entry of {what} is a policy document, found null", ipath)
                continue
            out.append(read_policy(item, kind))
        return tuple(out)

    # -- the world

    def world(self, data: Any) -> dict[str, Any]:
        """The entities of the world, as the fields of ``World``; raises ``ScenarioError``."""
        top = self.obj(data, (), _WORLD, "the world")
        if top is None:
            raise ScenarioError(self.problems, what="world")
        accounts = [
            a
            for p, v in self.items(top.get("accounts"), ("accounts",), "accounts")
            if (a := self.account(v, p)) is not None
        ]
        org = self.organization(top.get("organization"), ("organization",))
        principals = self.obj(top.get("principals", {}), ("principals",), _PRINCIPALS, "principals") or {}
        groups = self.each(principals.get("groups"), ("principals", "groups"), self.group)
        users = self.each(principals.get("users"), ("principals", "users"), self.user)
        roles = self.each(principals.get("roles"), ("principals", "roles"), self.role)
        sessions = self.each(principals.get("sessions"), ("principals", "sessions"), self.session)
        keys = self.each(top.get("kms_keys"), ("kms_keys",), self.key)
        secrets = self.each(top.get("secrets"), ("secrets",), self.secret)
        description = self.string(top.get("description"), ("description",), "description")
        gaps = [
            g for p, v in self.items(top.get("gaps"), ("gaps",), "gaps") if (g := self.gap(v, p)) is not None
        ]
        accounts = self.complete_accounts(accounts, users, roles, secrets, keys)
        parts: dict[str, Any] = {
            "accounts": tuple(accounts),
            "organization": org,
            "users": tuple(users),
            "groups": tuple(groups),
            "roles": tuple(roles),
            "sessions": tuple(sessions),
            "secrets": tuple(secrets),
            "keys": tuple(keys),
        }
        self.references(Index(**parts), parts)
        if self.problems:
            raise ScenarioError(self.problems, what="world")
        return {**parts, "description": description, "gaps": tuple(gaps), "source": self.source}

    def each(self, value: Any, path: Path, read: Any) -> list[Any]:
        seen: dict[str, Path] = {}
        out = []
        for ipath, item in self.items(value, path, path[-1] if isinstance(path[-1], str) else "list"):
            entity = read(item, ipath)
            if entity is None:
                continue
            if entity.arn in seen:
                self.problem(
                    "DUPLICATE_ENTITY",
                    f"{entity.arn} is listed twice (first at {_json_path(seen[entity.arn])})",
                    ipath,
                )
                continue
            seen[entity.arn] = ipath
            out.append(entity)
        return out

    def gap(self, value: Any, path: Path) -> Gap | None:
        raw = self.obj(value, path, _GAP, "a gap")
        if raw is None:
            return None
        resource = self.string(raw.get("resource"), (*path, "resource"), "resource", optional=False)
        what = self.string(raw.get("what"), (*path, "what"), "what", optional=False)
        operation = self.string(raw.get("operation"), (*path, "operation"), "operation") or ""
        error = self.string(raw.get("error"), (*path, "error"), "error") or ""
        return Gap(resource, what, operation, error) if resource and what else None

    def account(self, value: Any, path: Path) -> Account | None:
        raw = self.obj(value, path, _ACCOUNT, "an account")
        if raw is None:
            return None
        account_id = self.account_id(raw.get("id"), (*path, "id"), "id")
        org_id = self.string(raw.get("org_id"), (*path, "org_id"), "org_id")
        org_path = self.strings(raw.get("org_path"), (*path, "org_path"), "org_path")
        name = self.string(raw.get("name"), (*path, "name"), "name")
        return Account(account_id, name, org_id, org_path) if account_id else None

    def organization(self, value: Any, path: Path) -> Organization | None:
        if value is None:
            return None
        raw = self.obj(value, path, _ORG, "the organization")
        if raw is None:
            return None
        return Organization(
            id=self.string(raw.get("id"), (*path, "id"), "id", optional=False) or "",
            root_id=self.string(raw.get("root_id"), (*path, "root_id"), "root_id", optional=False) or "",
            management_account=self.account_id(
                raw.get("management_account"), (*path, "management_account"), "management_account"
            ),
            scp_enabled=self.flag(raw.get("scp_enabled"), (*path, "scp_enabled"), "scp_enabled", True),
            full_aws_access_detached_from=frozenset(
                self.strings(
                    raw.get("full_aws_access_detached_from"),
                    (*path, "full_aws_access_detached_from"),
                    "full_aws_access_detached_from",
                )
            ),
            scps=self.org_policies(raw.get("scps"), (*path, "scps"), PolicyKind.SCP),
            rcp_enabled=self.flag(raw.get("rcp_enabled"), (*path, "rcp_enabled"), "rcp_enabled", False),
            rcps=self.org_policies(raw.get("rcps"), (*path, "rcps"), PolicyKind.RCP),
        )

    def org_policies(self, value: Any, path: Path, kind: PolicyKind) -> tuple[OrgPolicy, ...]:
        out = []
        for ipath, item in self.items(value, path, path[-1] if isinstance(path[-1], str) else ""):
            raw = self.obj(item, ipath, _ORG_POLICY, f"an {kind.value.upper()} entry")
            if raw is None:
                continue
            name = self.string(raw.get("name"), (*ipath, "name"), "name", optional=False)
            node = self.string(raw.get("attached_to"), (*ipath, "attached_to"), "attached_to", optional=False)
            policy = self.policy(raw.get("document"), (*ipath, "document"), kind)
            if name and node and policy is not None:
                out.append(OrgPolicy(name, node, policy))
        return tuple(out)

    def user(self, value: Any, path: Path) -> User | None:
        raw = self.obj(value, path, _USER, "a user")
        if raw is None:
            return None
        arn = self.arn(raw.get("arn"), (*path, "arn"), "arn", "iam", ("user",))
        user = User(
            arn=arn or "",
            user_id=self.string(raw.get("user_id"), (*path, "user_id"), "user_id"),
            tags=self.tags(raw.get("tags"), (*path, "tags")),
            groups=tuple(g for g in self.strings(raw.get("groups"), (*path, "groups"), "groups")),
            policies=self.policies(raw.get("policies"), (*path, "policies"), PolicyKind.IDENTITY, "policies"),
            permissions_boundary=self.policy(
                raw.get("permissions_boundary"),
                (*path, "permissions_boundary"),
                PolicyKind.BOUNDARY,
            ),
        )
        return user if arn else None

    def group(self, value: Any, path: Path) -> Group | None:
        raw = self.obj(value, path, _GROUP, "a group")
        if raw is None:
            return None
        arn = self.arn(raw.get("arn"), (*path, "arn"), "arn", "iam", ("group",))
        policies = self.policies(raw.get("policies"), (*path, "policies"), PolicyKind.IDENTITY, "policies")
        return Group(arn, policies) if arn else None

    def role(self, value: Any, path: Path) -> Role | None:
        raw = self.obj(value, path, _ROLE, "a role")
        if raw is None:
            return None
        arn = self.arn(raw.get("arn"), (*path, "arn"), "arn", "iam", ("role",))
        role = Role(
            arn=arn or "",
            role_id=self.string(raw.get("role_id"), (*path, "role_id"), "role_id"),
            tags=self.tags(raw.get("tags"), (*path, "tags")),
            trust_policy=self.policy(raw.get("trust_policy"), (*path, "trust_policy"), PolicyKind.TRUST),
            policies=self.policies(raw.get("policies"), (*path, "policies"), PolicyKind.IDENTITY, "policies"),
            permissions_boundary=self.policy(
                raw.get("permissions_boundary"),
                (*path, "permissions_boundary"),
                PolicyKind.BOUNDARY,
            ),
            service_linked=self.flag(
                raw.get("service_linked"), (*path, "service_linked"), "service_linked", False
            ),
        )
        return role if arn else None

    def session(self, value: Any, path: Path) -> Session | None:
        raw = self.obj(value, path, _SESSION, "a session")
        if raw is None:
            return None
        arn = self.arn(raw.get("arn"), (*path, "arn"), "arn", "sts", ("assumed-role", "federated-user"))
        if arn is None:
            return None
        parsed = Arn.parse(arn)
        assert parsed is not None
        parts = parsed.resource_id.split("/")
        default_role = (
            f"arn:aws:iam::{parsed.account}:role/{parts[0]}" if parsed.resource_type == "assumed-role" else ""
        )
        role = self.string(raw.get("role"), (*path, "role"), "role") or default_role
        return Session(
            arn=arn,
            role=role,
            session_name=self.string(raw.get("session_name"), (*path, "session_name"), "session_name")
            or parts[-1],
            session_policies=self.policies(
                raw.get("session_policies"),
                (*path, "session_policies"),
                PolicyKind.SESSION,
                "session_policies",
            ),
            session_tags=self.tags(raw.get("session_tags"), (*path, "session_tags")),
            source_principal=self.string(
                raw.get("source_principal"), (*path, "source_principal"), "source_principal"
            ),
        )

    def secret(self, value: Any, path: Path) -> Secret | None:
        raw = self.obj(value, path, _SECRET, "a secret")
        if raw is None:
            return None
        arn = self.arn(raw.get("arn"), (*path, "arn"), "arn", "secretsmanager", ("secret",))
        if arn is None:
            return None
        parsed = Arn.parse(arn)
        assert parsed is not None
        account = self.account_id(raw.get("account"), (*path, "account"), "account") or parsed.account
        region = self.string(raw.get("region"), (*path, "region"), "region") or parsed.region
        if account != parsed.account:
            self.problem(
                "INVALID_FIELD",
                f"account {account} differs from the ARN's {parsed.account}",
                (*path, "account"),
            )
        if region != parsed.region:
            self.problem(
                "INVALID_FIELD",
                f"region {region} differs from the ARN's {parsed.region}",
                (*path, "region"),
            )
        versions = raw.get("versions") or {}
        if not isinstance(versions, Mapping) or not all(isinstance(v, str) for v in versions.values()):
            self.problem("INVALID_FIELD", "versions is an object of stage: version id", (*path, "versions"))
            versions = {}
        name = self.string(raw.get("name"), (*path, "name"), "name") or _secret_name(parsed.resource_id)
        return Secret(
            arn,
            name,
            account,
            region,
            self.string(raw.get("kms_key"), (*path, "kms_key"), "kms_key"),
            self.tags(raw.get("tags"), (*path, "tags")),
            tuple((str(k), str(v)) for k, v in versions.items()),
            self.policy(raw.get("resource_policy"), (*path, "resource_policy"), PolicyKind.RESOURCE),
        )

    def key(self, value: Any, path: Path) -> Key | None:
        raw = self.obj(value, path, _KEY, "a KMS key")
        if raw is None:
            return None
        arn = self.arn(raw.get("arn"), (*path, "arn"), "arn", "kms", ("key",))
        if arn is None:
            return None
        parsed = Arn.parse(arn)
        assert parsed is not None
        account = self.account_id(raw.get("account"), (*path, "account"), "account") or parsed.account
        region = self.string(raw.get("region"), (*path, "region"), "region") or parsed.region
        manager = raw.get("manager", "CUSTOMER")
        if manager not in ("AWS", "CUSTOMER"):
            self.problem(
                "INVALID_FIELD",
                f'manager is "AWS" or "CUSTOMER", found {manager!r}',
                (*path, "manager"),
            )
            manager = "CUSTOMER"
        aliases = tuple(
            a if a.startswith("alias/") else f"alias/{a}"
            for a in self.strings(raw.get("aliases"), (*path, "aliases"), "aliases")
        )
        doc = raw.get("key_policy")
        if doc is None:  # §9.6: AWS writes the managed key's policy; §9.3: the API's default policy
            doc = (
                aws_managed_key_policy(account, region)
                if manager == "AWS"
                else {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "Enable IAM User Permissions",
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                            "Action": "kms:*",
                            "Resource": "*",
                        }
                    ],
                }
            )
        policy = self.policy(doc, (*path, "key_policy"), PolicyKind.KEY)
        return Key(
            arn,
            account,
            region,
            manager,
            aliases,
            self.tags(raw.get("tags"), (*path, "tags")),
            policy,
            tuple(item for _, item in self.items(raw.get("grants"), (*path, "grants"), "grants")),
        )

    # -- cross-references

    def complete_accounts(self, accounts: list[Account], *entities: list[Any]) -> list[Account]:
        known = {a.id for a in accounts}
        for group in entities:
            for entity in group:
                account = getattr(entity, "account", None) or entity.arn.split(":")[4]
                if account not in known:
                    known.add(account)
                    accounts.append(Account(account))
        return accounts

    def references(self, world: Index, parts: Mapping[str, Any]) -> None:
        groups = list(world.groups)
        for i, user in enumerate(parts["users"]):
            for j, group in enumerate(user.groups):
                if group not in world.groups:
                    self.unknown(group, groups, ("principals", "users", i, "groups", j), "group")
        roles = list(world.roles)
        for i, session in enumerate(parts["sessions"]):
            if session.arn.split(":")[5].startswith("assumed-role/") and world.role(session.role) is None:
                self.unknown(session.role, roles, ("principals", "sessions", i, "role"), "role")
        for i, secret in enumerate(parts["secrets"]):
            if secret.kms_key and world.key(secret.kms_key, secret.account, secret.region) is None:
                self.unknown(
                    secret.kms_key,
                    [k.arn for k in world.keys],
                    ("secrets", i, "kms_key"),
                    "KMS key",
                )
        org = world.organization
        if org is not None:
            nodes = {
                org.root_id,
                *(n for a in parts["accounts"] for n in a.org_path),
                *(a.id for a in parts["accounts"]),
            }
            for name, policies in (("scps", org.scps), ("rcps", org.rcps)):
                for i, p in enumerate(policies):
                    if p.attached_to not in nodes:
                        self.unknown(
                            p.attached_to,
                            sorted(nodes),
                            ("organization", name, i, "attached_to"),
                            "organization node (root, OU or account)",
                        )

    def unknown(self, ref: str, known: list[str], path: Path, what: str) -> None:
        close = difflib.get_close_matches(ref, known, n=1, cutoff=0.8)
        self.problem(
            "UNKNOWN_REFERENCE",
            f"no {what} {ref} in the world",
            path,
            f"did you mean {close[0]}?" if close else None,
        )


def read_world(data: Any, *, source: str | None = None) -> dict[str, Any]:
    """The fields of the ``World`` that ``data`` describes (semantics §1.1); raises
    ``ScenarioError`` with every problem of the format, located."""
    return _WorldReader(source).world(data)


def _secret_name(resource_id: str) -> str:
    """``prod/db`` of ``prod/db-AbC123`` (the six-character suffix, §2.3)."""
    head, sep, tail = resource_id.rpartition("-")
    return head if sep and len(tail) == 6 else resource_id


def _json_path(path: Path) -> str:
    from ..problems import json_path

    return json_path(path)
