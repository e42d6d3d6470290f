"""Read the world format of semantics §1.1 into the fields of a ``World``. Every problem is
collected with its JSON path before ``ScenarioError`` is raised once: unknown keys (with "did you
mean"), missing or mistyped fields, ARNs of the wrong shape (``read_entities``), references to
entities the world does not hold, duplicates (here), and what AWS would never hold: one name,
unique id or alias twice, empty names, unknown partitions (``uniqueness``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from ..fields import Path
from ..loading import shape_problems
from ..problems import ProblemCode, ScenarioError
from .entities import Account
from .index import Index
from .quotas import name_problems, resource_name_problems
from .read_entities import OPTIONAL, EntityReader
from .uniqueness import uniqueness_problems

_WORLD = {
    "accounts": OPTIONAL,
    "organization": OPTIONAL,
    "principals": OPTIONAL,
    "secrets": OPTIONAL,
    "kms_keys": OPTIONAL,
    "description": OPTIONAL,
    "gaps": OPTIONAL,
}
_PRINCIPALS = {"users": OPTIONAL, "groups": OPTIONAL, "roles": OPTIONAL, "sessions": OPTIONAL}


class _WorldReader(EntityReader):
    """The whole world: every entity, then the references between them."""

    def world(self, data: Any) -> dict[str, Any]:
        """The entities of the world, as the fields of ``World``; raises ``ScenarioError``."""
        shape = shape_problems(data, self.source)  # our own limits, before any reader recurses
        if shape:
            raise ScenarioError(shape, what="world")
        top = self.obj(data, (), _WORLD, "the world")
        if top is None:
            raise ScenarioError(self.problems, what="world")
        self.where: dict[str, Path] = {}  # where each entity was read, by ARN (to locate problems)
        accounts = [
            a
            for p, v in self.items(top.get("accounts"), ("accounts",), "accounts")
            if (a := self.account(v, p)) is not None
        ]
        self.trust_quotas = {a.id: a.role_trust_policy_length for a in accounts if a.role_trust_policy_length}
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
        found = uniqueness_problems(top.get("accounts"), parts, self.where.get)
        self.problems.extend(p.under(source=self.source) for p in found)
        self.names(users, groups, roles, sessions, secrets, keys)
        if self.problems:
            raise ScenarioError(self.problems, what="world")
        return {**parts, "description": description, "gaps": tuple(gaps), "source": self.source}

    def names(self, *entities: list[Any]) -> None:
        """Names AWS would refuse (semantics §3.13, ``quotas``): IAM names and paths, session names,
        secret names and KMS aliases."""
        users, groups, roles, sessions, secrets, keys = entities
        found = (*name_problems(users, groups, roles, sessions), *resource_name_problems(secrets, keys))
        self.problems.extend(p.under(source=self.source) for p in found)

    def each(self, value: Any, path: Path, read: Any) -> list[Any]:
        seen: dict[str, Path] = {}
        out = []
        for ipath, item in self.items(value, path, path[-1] if isinstance(path[-1], str) else "list"):
            entity = read(item, ipath)
            if entity is None:
                continue
            if entity.arn in seen:
                self.problem(
                    ProblemCode.DUPLICATE_ENTITY,
                    f"{entity.arn} is listed twice (first at {_json_path(seen[entity.arn])})",
                    ipath,
                )
                continue
            seen[entity.arn] = ipath
            self.where.setdefault(entity.arn, ipath)
            out.append(entity)
        return out

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
            ProblemCode.UNKNOWN_REFERENCE,
            f"no {what} {ref} in the world",
            path,
            f"did you mean {close[0]}?" if close else None,
        )


def read_world(data: Any, *, source: str | None = None) -> dict[str, Any]:
    """The fields of the ``World`` that ``data`` describes (semantics §1.1); raises
    ``ScenarioError`` with every problem of the format, located."""
    return _WorldReader(source).world(data)


def _json_path(path: Path) -> str:
    from ..problems import json_path

    return json_path(path)
