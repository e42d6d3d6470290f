"""Who can perform an action on a resource: every principal of the world that can, directly or
through role chains (semantics §11), each with its shortest path; every other account a
resource-based policy grants (§8.7); and, for an imported world, the principals whose answer
depends on a policy the import could not read, and the accounts whose principals it could not
read at all when one of them might be allowed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ..authorization import Decision, authorize
from ..authorization.known import name_problems
from ..authorization.request import Request
from ..evaluation.principals import PrincipalType
from ..problems import request_error
from ..world import World
from .assume import AssumeGraph, useful_roles
from .paths import AccessPath, shortest_path
from .principals import session_of, unknown_principals, world_principals


@dataclass(frozen=True, slots=True)
class WhoCan:
    """A principal that can perform the action, with its shortest path."""

    principal: str
    kind: str  # user | role | session | account
    path: AccessPath | None  # None for "any principal of account X"
    note: str = ""
    unknown: bool = False  # whether it can depends on data an import could not read

    def to_dict(self) -> dict[str, Any]:
        """The answer as JSON-ready data: principal, kind, note, the roles of its path and its reason code."""
        return {
            "principal": self.principal,
            "kind": self.kind,
            "note": self.note,
            "roles": list(self.path.roles) if self.path else [],
            "reason": self.path.decision.reason.value if self.path else None,
            **({"unknown": True} if self.unknown else {}),
        }

    def __str__(self) -> str:
        if self.unknown and self.path and not self.path.allowed:
            return f"{'unknown':8} {self.principal} — {self.note}"
        via = f" via {' -> '.join(self.path.roles)}" if self.path and self.path.roles else ""
        reason = f" ({self.path.decision.reason.value})" if self.path else ""
        note = f" — {self.note}" if self.note else ""
        return f"{self.kind:8} {self.principal}{via}{reason}{note}"


def who_can(
    world: World,
    action: str,
    resource: str,
    *,
    max_depth: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[WhoCan, ...]:
    """Every principal of the world that can perform ``action`` on ``resource``, directly or
    through role chains of any length (a breadth-first search from each principal, each role
    tried once: polynomial in the roles; ``max_depth`` limits the chains only when given), each
    with its shortest path; and every other account a resource-based policy grants ("any
    principal of account X whose identity policies allow it"); and, marked unknown, every account
    whose principals an import could not read when one of them might be allowed. Raises
    ``UnknownNameError`` for an action or resource that does not exist."""
    singular = {"actions": "action", "resources": "resource"}
    problems = tuple(
        replace(p, path=(singular[str(p.path[0])],)) for p in name_problems(world, (), (resource,), (action,))
    )
    if problems:
        raise request_error(problems, what="who-can question")
    principals = world_principals(world)
    out: list[WhoCan] = []
    direct: dict[str, bool] = {}  # whether each role's session may make the request itself
    decided: dict[str, Decision] = {}  # the decisions on principals' own requests
    useful = _useful_roles(world, action, resource, direct, decided)
    for i, principal in enumerate(principals):
        found = _who(world, principal, action, resource, max_depth, direct, useful, decided)
        if found is not None:
            out.append(found)
        if progress:
            progress(i + 1, len(principals))
    out.extend(_granted_accounts(world, action, resource))
    out.extend(_unknown_accounts(world, action, resource, {w.principal for w in out}))
    return tuple(out)


def _useful_roles(
    world: World, action: str, resource: str, direct: dict[str, bool], decided: dict[str, Decision]
) -> frozenset[str]:
    """The roles a chain to an allowed request can go through: those whose session may make the
    request itself (each decided once, into ``direct``; in a world with gaps, whose every
    principal's own decision is needed whole, into ``decided`` as well) and those from which one
    of them can be reached by allowed hops. The breadth-first searches of every principal skip
    the other roles:
    they lead to no allowed path, and neither does any role they reach, so the shortest paths
    found (and their order) are those of the whole graph."""
    graph = AssumeGraph(world)
    targets = []
    for role in world.roles:
        if role.service_linked:
            continue
        session = session_of(role.arn)
        allowed = direct.get(session)
        if allowed is None and world.gaps:
            decided[session] = authorize(world, Request(session, action, resource))
            allowed = direct[session] = decided[session].allowed
        elif allowed is None:
            allowed = direct[session] = authorize(
                world, Request(session, action, resource), plan=False
            ).allowed
        if allowed:
            targets.append(role.arn)
    return useful_roles(graph, targets)


def _who(
    world: World,
    principal: str,
    action: str,
    resource: str,
    max_depth: int | None,
    reached: dict[str, bool],
    useful: frozenset[str] | None = None,
    decided: dict[str, Decision] | None = None,
) -> WhoCan | None:
    """``principal`` with its shortest allowed path; or, when it is denied on what is known but
    an unreadable policy might allow it, with its direct request marked unknown."""
    kind = _kind(world, principal)
    decided = {} if decided is None else decided
    path = shortest_path(
        world, principal, action, resource, max_depth, reached, useful=useful, decided=decided
    )
    if path is not None:
        return WhoCan(principal, kind, path, _gap_note(path.decision), path.decision.unknown)
    if not world.gaps:
        return None
    direct = decided.get(principal) or authorize(world, Request(principal, action, resource))
    if not direct.unknown:
        return None
    return WhoCan(principal, kind, AccessPath(principal, (), direct), _gap_note(direct), True)


def _gap_note(decision: Decision) -> str:
    if not decision.gaps:
        return ""
    return "unknown: " + "; ".join(str(g) for g in decision.gaps)


def _kind(world: World, principal: str) -> str:
    parsed = world.principal(principal)
    if parsed.type is PrincipalType.USER:
        return "user"
    if parsed.type is PrincipalType.SESSION:
        return "role" if principal == session_of(parsed.role_arn or "") else "session"
    return parsed.type.value.lower()


def _granted_accounts(world: World, action: str, resource: str) -> list[WhoCan]:
    """Accounts that a resource-based policy grants but that the world holds no principal of:
    a hypothetical principal there, whose identity policies allow everything, stands for them."""
    secret = world.secret(resource)
    policy = secret.resource_policy if secret else None
    if policy is None or not policy.valid:
        return []
    known = {world.principal(p).account for p in world_principals(world)}
    accounts = sorted(
        {
            a
            for s in policy.statements
            if s.principal is not None and not s.principal.negated
            for a in s.principal.accounts
        }
        - known
    )
    out = []
    for account in accounts:
        probe = World.from_dict(_with_probe(world.to_dict(), account))
        decision = authorize(probe, Request(f"arn:aws:iam::{account}:user/any-principal", action, resource))
        if decision.allowed:
            out.append(
                WhoCan(
                    f"arn:aws:iam::{account}:root",
                    "account",
                    AccessPath(f"arn:aws:iam::{account}:user/any-principal", (), decision),
                    "any principal of this account whose identity-based policies allow it",
                )
            )
    return out


def _unknown_accounts(world: World, action: str, resource: str, listed: set[str]) -> list[WhoCan]:
    """Accounts whose principals the import could not read (their IAM is a gap): listed as unknown
    when a principal there whose identity policies allow everything would be allowed, since one of
    theirs might be; an account where even that one is denied (no resource policy lets another
    account in, a key policy without IAM delegation) is left out."""
    out = []
    for account, gap in unknown_principals(world).items():
        root = f"arn:aws:iam::{account}:root"
        if root in listed:
            continue
        probe = World.from_dict(_with_probe(world.to_dict(), account))
        decision = authorize(probe, Request(f"arn:aws:iam::{account}:user/any-principal", action, resource))
        if decision.allowed:
            why = f" ({gap.operation}: {gap.error})" if gap.operation or gap.error else ""
            note = f"unknown: the principals of this account could not be imported{why}"
            out.append(WhoCan(root, "account", None, note, True))
    return out


def _with_probe(data: dict[str, Any], account: str) -> dict[str, Any]:
    users = data["principals"]["users"]
    users.append(
        {
            "arn": f"arn:aws:iam::{account}:user/any-principal",
            "user_id": None,
            "tags": {},
            "groups": [],
            "policies": [
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
            ],
            "permissions_boundary": None,
        }
    )
    return data
