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

from ..arn import ACCOUNT_ID, Arn
from ..policy.model import Policy, PolicyKind
from ..policy.parsing import read_policy
from ..problems import PathPart, Problem, ScenarioError
from .model import (
    Account,
    Gap,
    Group,
    Key,
    Organization,
    OrgPolicy,
    Role,
    Secret,
    Session,
    Tags,
    User,
    World,
    aws_managed_key_policy,
)

Path = tuple[PathPart, ...]
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


class Fields:
    """Typed field reading that records a located problem instead of raising."""

    def __init__(self, source: str | None) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, code: str, message: str, path: Path, hint: str | None = None) -> None:
        self.problems.append(Problem(code, message, path, hint, self.source))

    def obj(self, value: Any, path: Path, spec: Mapping[str, bool], what: str) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.problem("INVALID_FIELD", f"{what} is a JSON object, found {_kind(value)}", path)
            return None
        for key in value:
            if key not in spec:
                close = difflib.get_close_matches(str(key), list(spec), n=1, cutoff=0.6)
                self.problem(
                    "UNKNOWN_FIELD",
                    f"{what} has no field {key!r}; expected {', '.join(spec)}",
                    (*path, str(key)),
                    f"did you mean {close[0]!r}?" if close else None,
                )
        for key, required in spec.items():
            if required and key not in value:
                self.problem("MISSING_FIELD", f"{what} needs {key!r}", path)
        return value

    def items(self, value: Any, path: Path, what: str) -> list[tuple[Path, Any]]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem("INVALID_FIELD", f"{what} is a list, found {_kind(value)}", path)
            return []
        return [((*path, i), v) for i, v in enumerate(value)]

    def string(self, value: Any, path: Path, what: str, *, optional: bool = True) -> str | None:
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value:
            found = "an empty string" if value == "" else _kind(value)
            self.problem("INVALID_FIELD", f"{what} is a non-empty string, found {found}", path)
            return None
        return value

    def account_id(self, value: Any, path: Path, what: str) -> str | None:
        text = self.string(value, path, what)
        if text is not None and not ACCOUNT_ID.match(text):
            self.problem("INVALID_FIELD", f"{what} is a 12-digit account id, found {text!r}", path)
            return None
        return text

    def flag(self, value: Any, path: Path, what: str, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem("INVALID_FIELD", f"{what} is true or false, found {_kind(value)}", path)
            return default
        return value

    def strings(self, value: Any, path: Path, what: str) -> tuple[str, ...]:
        out = []
        for ipath, item in self.items(value, path, what):
            text = self.string(item, ipath, f"each entry of {what}", optional=False)
            if text is not None:
                out.append(text)
        return tuple(out)

    def tags(self, value: Any, path: Path) -> Tags:
        if value is None:
            return ()
        if not isinstance(value, Mapping):
            self.problem("INVALID_FIELD", f"tags are an object of key: value, found {_kind(value)}", path)
            return ()
        out = []
        for key, item in value.items():
            if not isinstance(item, str):
                self.problem(
                    "INVALID_FIELD",
                    f"tag {key!r} has a string value, found {_kind(item)}",
                    (*path, str(key)),
                )
                continue
            out.append((str(key), item))
        return tuple(out)

    def arn(self, value: Any, path: Path, what: str, service: str, types: tuple[str, ...]) -> str | None:
        text = self.string(value, path, what, optional=False)
        if text is None:
            return None
        arn = Arn.parse(text)
        if (
            arn is None
            or arn.service != service
            or not ACCOUNT_ID.match(arn.account)
            or (types and arn.resource_type not in types)
        ):
            shape = {
                "user": "arn:aws:iam::ACCOUNT:user/NAME",
                "group": "arn:aws:iam::ACCOUNT:group/NAME",
                "role": "arn:aws:iam::ACCOUNT:role/NAME",
                "assumed-role": "arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION",
                "secret": "arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX",
                "key": "arn:aws:kms:REGION:ACCOUNT:key/KEY-ID",
            }.get(types[0] if types else "", "an ARN")
            self.problem("INVALID_FIELD", f"{what} is an ARN like {shape}, found {text!r}", path)
            return None
        return text


class _WorldReader(Fields):
    def __init__(self, source: str | None) -> None:
        super().__init__(source)
        self.policy_paths: list[tuple[Path, Policy]] = []

    def policy(self, value: Any, path: Path, kind: PolicyKind) -> Policy | None:
        if value is None:
            return None
        policy = read_policy(value, kind)
        self.policy_paths.append((path, policy))
        return policy

    def policies(self, value: Any, path: Path, kind: PolicyKind, what: str) -> tuple[Policy, ...]:
        return tuple(
            p
            for ipath, item in self.items(value, path, what)
            if (p := self.policy(item, ipath, kind)) is not None
        )

    # -- the world

    def world(self, data: Any) -> World:
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
        world = World(
            tuple(accounts),
            org,
            tuple(users),
            tuple(groups),
            tuple(roles),
            tuple(sessions),
            tuple(secrets),
            tuple(keys),
            description,
            tuple(gaps),
        )
        self.references(world)
        if self.problems:
            raise ScenarioError(self.problems, what="world")
        world._index["policy_paths"] = tuple(self.policy_paths)
        world._index["source"] = self.source
        return world

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

    def references(self, world: World) -> None:
        groups = [g.arn for g in world.groups]
        for i, user in enumerate(world.users):
            for j, group in enumerate(user.groups):
                if world.group(group) is None:
                    self.unknown(group, groups, ("principals", "users", i, "groups", j), "group")
        roles = [r.arn for r in world.roles]
        for i, session in enumerate(world.sessions):
            if session.arn.split(":")[5].startswith("assumed-role/") and world.role(session.role) is None:
                self.unknown(session.role, roles, ("principals", "sessions", i, "role"), "role")
        for i, secret in enumerate(world.secrets):
            if (
                secret.kms_key
                and world.key(secret.kms_key, account=secret.account, region=secret.region) is None
            ):
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
                *(n for a in world.accounts for n in a.org_path),
                *(a.id for a in world.accounts),
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


def read_world(data: Any, *, source: str | None = None) -> World:
    return _WorldReader(source).world(data)


def policy_problems(world: World) -> tuple[Problem, ...]:
    paths: tuple[tuple[Path, Policy], ...] = world._index.get("policy_paths", ())
    source = world._index.get("source")
    return tuple(p.under(*path, source=source) for path, policy in paths for p in policy.problems)


def _secret_name(resource_id: str) -> str:
    """``prod/db`` of ``prod/db-AbC123`` (the six-character suffix, §2.3)."""
    head, sep, tail = resource_id.rpartition("-")
    return head if sep and len(tail) == 6 else resource_id


def _json_path(path: Path) -> str:
    from ..problems import json_path

    return json_path(path)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


# -- writing


def world_to_dict(world: World) -> dict[str, Any]:
    """The world in the format of §1.1 (policies as their original documents)."""

    def doc(policy: Policy | None) -> Any:
        return None if policy is None else policy.source

    out: dict[str, Any] = {
        "accounts": [
            {"id": a.id, "name": a.name, "org_id": a.org_id, "org_path": list(a.org_path)}
            for a in world.accounts
        ],
    }
    if world.description:
        out["description"] = world.description
    if world.gaps:
        out["gaps"] = [
            {"resource": g.resource, "what": g.what, "operation": g.operation, "error": g.error}
            for g in world.gaps
        ]
    org = world.organization
    if org is not None:
        out["organization"] = {
            "id": org.id,
            "root_id": org.root_id,
            "management_account": org.management_account,
            "scp_enabled": org.scp_enabled,
            "full_aws_access_detached_from": sorted(org.full_aws_access_detached_from),
            "scps": [
                {"name": p.name, "attached_to": p.attached_to, "document": doc(p.policy)} for p in org.scps
            ],
            "rcp_enabled": org.rcp_enabled,
            "rcps": [
                {"name": p.name, "attached_to": p.attached_to, "document": doc(p.policy)} for p in org.rcps
            ],
        }
    out["principals"] = {
        "users": [
            {
                "arn": u.arn,
                "user_id": u.user_id,
                "tags": dict(u.tags),
                "groups": list(u.groups),
                "policies": [doc(p) for p in u.policies],
                "permissions_boundary": doc(u.permissions_boundary),
            }
            for u in world.users
        ],
        "groups": [{"arn": g.arn, "policies": [doc(p) for p in g.policies]} for g in world.groups],
        "roles": [
            {
                "arn": r.arn,
                "role_id": r.role_id,
                "tags": dict(r.tags),
                "trust_policy": doc(r.trust_policy),
                "policies": [doc(p) for p in r.policies],
                "permissions_boundary": doc(r.permissions_boundary),
                "service_linked": r.service_linked,
            }
            for r in world.roles
        ],
        "sessions": [
            {
                "arn": s.arn,
                "role": s.role,
                "session_name": s.session_name,
                "session_policies": [doc(p) for p in s.session_policies],
                "session_tags": dict(s.session_tags),
                "source_principal": s.source_principal,
            }
            for s in world.sessions
        ],
    }
    out["secrets"] = [
        {
            "arn": s.arn,
            "name": s.name,
            "account": s.account,
            "region": s.region,
            "kms_key": s.kms_key,
            "tags": dict(s.tags),
            "versions": dict(s.versions),
            "resource_policy": doc(s.resource_policy),
        }
        for s in world.secrets
    ]
    out["kms_keys"] = [
        {
            "arn": k.arn,
            "account": k.account,
            "region": k.region,
            "manager": k.manager,
            "aliases": list(k.aliases),
            "tags": dict(k.tags),
            "key_policy": doc(k.key_policy),
            **({"grants": list(k.grants)} if k.grants else {}),
        }
        for k in world.keys
    ]
    return out
