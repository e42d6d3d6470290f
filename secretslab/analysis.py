"""Questions people ask of a whole world, answered with ``authorize``: every way a principal can
perform an action (directly or through chains of assumed roles), who can perform it, the access
matrix of principals × resources × actions, and what changes between two worlds.

Role chains follow semantics §1.2 and §11: each hop is an ``sts:AssumeRole`` the current
principal must be allowed to make; the session it yields is a principal of the role's account
(§10.6). Chains never revisit a role and stop at ``max_depth`` hops.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .arn import Arn
from .authorization import Decision, authorize
from .authorization.request import AssumeRoleStep, Request
from .evaluation.principals import PrincipalType
from .evaluation.results import Outcome, Reason
from .world import World

DEFAULT_ACTIONS = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
    "secretsmanager:PutSecretValue",
    "secretsmanager:DeleteSecret",
)
MAX_DEPTH = 3


def session_of(role_arn: str, session_name: str = "session") -> str:
    """The ARN of a session of a role (§2.2: the role's name, without its path)."""
    arn = Arn.parse(role_arn)
    if arn is None:
        raise ValueError(f"{role_arn!r} is not a role ARN")
    return f"arn:aws:sts::{arn.account}:assumed-role/{arn.name}/{session_name}"


def world_principals(world: World) -> tuple[str, ...]:
    """Every principal that can sign a request: users, a session of each role, listed sessions."""
    roles = [session_of(r.arn) for r in world.roles if not r.service_linked]
    listed = [s.arn for s in world.sessions if s.arn not in roles]
    return tuple(dict.fromkeys([*(u.arn for u in world.users), *roles, *listed]))


# -- access paths


@dataclass(frozen=True, slots=True)
class AccessPath:
    """One way to make a request: the roles assumed on the way, and the decision."""

    principal: str
    roles: tuple[str, ...]  # role ARNs assumed in order; () for a direct request
    decision: Decision

    @property
    def allowed(self) -> bool:
        return self.decision.allowed

    @property
    def unknown(self) -> bool:
        """Whether the path's decision depends on data an import could not read."""
        return self.decision.unknown

    @property
    def failed_hop(self) -> int | None:
        """Index of the failing step (0-based over the AssumeRole hops, then the action)."""
        failed = self.decision.failed_step
        return None if failed is None else self.decision.steps.index(failed)

    def describe(self) -> str:
        hops = " -> ".join([self.principal, *self.roles])
        if self.allowed:
            return f"{hops}: allowed ({self.decision.reason.value})"
        failed = self.decision.failed_step
        where = f" at {failed.action} on {failed.resource}" if failed else ""
        return f"{hops}: denied{where} ({self.decision.reason.value}: {self.decision.reason.summary})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "principal": self.principal,
            "roles": list(self.roles),
            "allowed": self.allowed,
            "failed_hop": self.failed_hop,
            "decision": self.decision.to_dict(),
        }

    def __str__(self) -> str:
        return self.describe()


def access_paths(
    world: World,
    principal: str,
    action: str,
    resource: str,
    *,
    context: dict[str, Any] | None = None,
    max_depth: int = MAX_DEPTH,
) -> tuple[AccessPath, ...]:
    """Every way ``principal`` can try ``action`` on ``resource``: directly, and through each
    chain of role assumptions it is allowed to make (no role twice, at most ``max_depth`` hops).
    A chain that a trust policy or an identity policy stops is reported as a denied path at the
    hop that failed. Allowed paths come first, shortest first."""
    ctx = tuple((k, (v,) if isinstance(v, str) else tuple(v)) for k, v in (context or {}).items())
    graph = _AssumeGraph(world)
    paths: list[AccessPath] = []
    queue: deque[tuple[str, ...]] = deque([()])
    while queue:
        chain = queue.popleft()
        steps = tuple(AssumeRoleStep(r, "session") for r in chain)
        decision = authorize(world, Request(principal, action, resource, ctx, {}, steps))
        paths.append(AccessPath(principal, chain, decision))
        if len(chain) >= max_depth:
            continue
        current = session_of(chain[-1]) if chain else principal
        for role, allowed in graph.candidates(current):
            if role in chain or _is_self(current, role):
                continue
            if allowed:
                queue.append((*chain, role))
            else:  # the hop fails: report it once, do not go further
                denied = tuple(AssumeRoleStep(r, "session") for r in (*chain, role))
                paths.append(
                    AccessPath(
                        principal,
                        (*chain, role),
                        authorize(world, Request(principal, action, resource, ctx, {}, denied)),
                    )
                )
    paths.sort(key=lambda p: (not p.allowed, len(p.roles)))
    return tuple(paths)


def _is_self(current: str, role: str) -> bool:
    """Whether ``current`` is already a session of ``role`` (assuming it again is a cycle)."""
    return current.rsplit("/", 1)[0] == session_of(role).rsplit("/", 1)[0]


class _AssumeGraph:
    """Which roles a principal may assume (§11.2), remembered per world."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.cache: dict[str, tuple[tuple[str, bool], ...]] = world._index.setdefault("assume_graph", {})

    def candidates(self, principal: str) -> tuple[tuple[str, bool], ...]:
        """(role ARN, allowed) for every role whose trust policy could concern ``principal``."""
        found = self.cache.get(principal)
        if found is None:
            found = tuple(
                (r.arn, self._allowed(principal, r.arn))
                for r in self.world.roles
                if not r.service_linked and self._concerns(principal, r.arn)
            )
            self.cache[principal] = found
        return found

    def _allowed(self, principal: str, role: str) -> bool:
        return authorize(self.world, Request(principal, "sts:AssumeRole", role)).allowed

    def _concerns(self, principal: str, role_arn: str) -> bool:
        """Whether the trust policy names the caller, its role, its account or ``*`` at all:
        other roles are not even candidates for a path (they would only add noise)."""
        role = self.world.role(role_arn)
        if role is None or role.trust_policy is None or not role.trust_policy.valid:
            return False
        caller = self.world.principal(principal)
        if caller.type is PrincipalType.ROOT:
            return False  # the root user cannot assume roles (§11.1)
        for statement in role.trust_policy.statements:
            element = statement.principal
            if element is None or element.negated:
                continue
            if (
                element.wildcard
                or caller.account in element.accounts
                or caller.arn in element.users
                or caller.arn in element.sessions
                or (caller.account, caller.role_name) in element.roles
            ):
                return True
        return False


# -- who can


@dataclass(frozen=True, slots=True)
class WhoCan:
    """A principal that can perform the action, with its shortest path."""

    principal: str
    kind: str  # user | role | session | account
    path: AccessPath | None  # None for "any principal of account X"
    note: str = ""
    unknown: bool = False  # whether it can depends on data an import could not read

    def to_dict(self) -> dict[str, Any]:
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
    max_depth: int = MAX_DEPTH,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[WhoCan, ...]:
    """Every principal of the world that can perform ``action`` on ``resource``, directly or
    through role chains, each with its shortest path; and every other account a resource-based
    policy grants ("any principal of account X whose identity policies allow it")."""
    principals = world_principals(world)
    out: list[WhoCan] = []
    for i, principal in enumerate(principals):
        path = _shortest(world, principal, action, resource, max_depth)
        if path is not None:
            out.append(
                WhoCan(
                    principal, _kind(world, principal), path, _gap_note(path.decision), path.decision.unknown
                )
            )
        elif world.gaps:  # denied on what is known: but an unreadable policy might allow it
            direct = authorize(world, Request(principal, action, resource))
            if direct.unknown:
                out.append(
                    WhoCan(
                        principal,
                        _kind(world, principal),
                        AccessPath(principal, (), direct),
                        _gap_note(direct),
                        True,
                    )
                )
        if progress:
            progress(i + 1, len(principals))
    out.extend(_granted_accounts(world, action, resource))
    return tuple(out)


def _gap_note(decision: Decision) -> str:
    if not decision.gaps:
        return ""
    return "unknown: " + "; ".join(str(g) for g in decision.gaps)


def _shortest(world: World, principal: str, action: str, resource: str, max_depth: int) -> AccessPath | None:
    graph = _AssumeGraph(world)
    seen = {principal}
    queue: deque[tuple[str, ...]] = deque([()])
    while queue:
        chain = queue.popleft()
        steps = tuple(AssumeRoleStep(r, "session") for r in chain)
        decision = authorize(world, Request(principal, action, resource, (), {}, steps))
        if decision.allowed:
            return AccessPath(principal, chain, decision)
        if len(chain) >= max_depth:
            continue
        current = session_of(chain[-1]) if chain else principal
        for role, allowed in graph.candidates(current):
            if allowed and role not in seen:
                seen.add(role)
                queue.append((*chain, role))
    return None


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


# -- access matrix


@dataclass(frozen=True, slots=True)
class Cell:
    principal: str
    resource: str
    action: str
    outcome: Outcome
    reason: Reason
    unknown: bool = False  # the decision depends on data an import could not read

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOW


@dataclass(frozen=True, slots=True)
class AccessMatrix:
    principals: tuple[str, ...]
    resources: tuple[str, ...]
    actions: tuple[str, ...]
    cells: tuple[Cell, ...]  # principal-major, then resource, then action
    _index: dict[tuple[str, str, str], Cell] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index.update({(c.principal, c.resource, c.action): c for c in self.cells})

    def cell(self, principal: str, resource: str, action: str) -> Cell:
        return self._index[(principal, resource, action)]

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "principal": c.principal,
                "resource": c.resource,
                "action": c.action,
                "outcome": c.outcome.value,
                "reason": c.reason.value,
                **({"unknown": True} if c.unknown else {}),
            }
            for c in self.cells
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "principals": list(self.principals),
            "resources": list(self.resources),
            "actions": list(self.actions),
            "rows": self.rows(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def to_text(self) -> str:
        """One line per principal × resource, one column per action (A = allow, D = explicit
        deny, . = implicit deny; ? = depends on data an import could not read)."""
        mark = {Outcome.ALLOW: "A", Outcome.EXPLICIT_DENY: "D", Outcome.IMPLICIT_DENY: "."}
        short = [a.partition(":")[2] for a in self.actions]
        width = max((len(_short(p)) for p in self.principals), default=9)
        rwidth = max((len(_short(r)) for r in self.resources), default=8)
        lines = [f"{'principal':{width}}  {'resource':{rwidth}}  " + "  ".join(short)]
        for p in self.principals:
            for r in self.resources:
                marks = [
                    _mark(self._index[(p, r, a)], mark).center(len(s))
                    for a, s in zip(self.actions, short, strict=True)
                ]
                lines.append(f"{_short(p):{width}}  {_short(r):{rwidth}}  " + "  ".join(marks))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def _mark(cell: Cell, marks: dict[Outcome, str]) -> str:
    return marks[cell.outcome] + ("?" if cell.unknown else "")


def _short(arn: str) -> str:
    parsed = Arn.parse(arn)
    if parsed is None:
        return arn
    return f"{parsed.account}:{parsed.resource}" if parsed.account else parsed.resource


def access_matrix(
    world: World,
    *,
    actions: Sequence[str] = DEFAULT_ACTIONS,
    principals: Iterable[str] | None = None,
    resources: Iterable[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> AccessMatrix:
    """The decision, with its reason, for every principal × resource × action (KMS sub-requests
    included, as ``authorize`` makes them). Defaults: every principal of the world, every secret.
    Large matrices are shared among ``workers`` processes (default: the CPUs, when the matrix
    has more than 20,000 cells and the platform can fork)."""
    ps = tuple(principals) if principals is not None else world_principals(world)
    rs = tuple(resources) if resources is not None else tuple(s.arn for s in world.secrets)
    acts = tuple(actions)
    n = _worker_count(workers, len(ps) * len(rs) * len(acts))
    rows = _parallel_rows(world, ps, rs, acts, n, progress) if n > 1 else None
    if rows is None:
        rows = []
        for i, p in enumerate(ps):
            rows.append(_row(world, p, rs, acts))
            if progress:
                progress(i + 1, len(ps))
    cells = tuple(
        Cell(p, r, a, Outcome(o), Reason(c), u)
        for p, row in zip(ps, rows, strict=True)
        for (r, a), (o, c, u) in zip(((r, a) for r in rs for a in acts), row, strict=True)
    )
    return AccessMatrix(ps, rs, acts, cells)


def _row(
    world: World, principal: str, resources: tuple[str, ...], actions: tuple[str, ...]
) -> list[tuple[str, str, bool]]:
    out = []
    for r in resources:
        for a in actions:
            d = authorize(world, Request(principal, a, r))
            out.append((d.outcome.value, d.reason.value, d.unknown))
    return out


def _worker_count(workers: int | None, cells: int) -> int:
    if workers is not None:
        return max(1, workers)
    import multiprocessing
    import os

    if cells < 20_000 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1, 8))


_SHARED: tuple[World, tuple[str, ...], tuple[str, ...]] | None = None


def _worker_rows(principals: tuple[str, ...]) -> list[list[tuple[str, str, bool]]]:
    assert _SHARED is not None
    world, resources, actions = _SHARED
    return [_row(world, p, resources, actions) for p in principals]


def _parallel_rows(
    world: World,
    ps: tuple[str, ...],
    rs: tuple[str, ...],
    acts: tuple[str, ...],
    n: int,
    progress: Callable[[int, int], None] | None,
) -> list[list[tuple[str, str, bool]]] | None:
    """Rows computed by ``n`` forked processes (the world is inherited, not pickled); None if
    processes cannot be started here."""
    import multiprocessing

    global _SHARED
    chunks = [ps[i : i + 8] for i in range(0, len(ps), 8)]
    _SHARED = (world, rs, acts)
    try:
        with multiprocessing.get_context("fork").Pool(n) as pool:
            rows: list[list[tuple[str, str, bool]]] = []
            for chunk in pool.imap(_worker_rows, chunks):
                rows.extend(chunk)
                if progress:
                    progress(len(rows), len(ps))
            return rows
    except OSError:
        return None
    finally:
        _SHARED = None


# -- diff


@dataclass(frozen=True, slots=True)
class Change:
    """An access gained or lost between two worlds, with the policies that decide it."""

    principal: str
    resource: str
    action: str
    gained: bool
    before: Reason
    after: Reason
    responsible: tuple[str, ...]  # deciding statements in the world where it is allowed/denied

    def to_dict(self) -> dict[str, Any]:
        return {
            "principal": self.principal,
            "resource": self.resource,
            "action": self.action,
            "change": "gained" if self.gained else "lost",
            "before": self.before.value,
            "after": self.after.value,
            "responsible": list(self.responsible),
        }

    def __str__(self) -> str:
        sign = "+" if self.gained else "-"
        why = "; ".join(self.responsible) or self.after.summary
        change = f"{self.before.value} -> {self.after.value}"
        return f"{sign} {self.principal} {self.action} {self.resource}: {change} ({why})"


@dataclass(frozen=True, slots=True)
class Diff:
    changes: tuple[Change, ...]

    @property
    def gained(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.gained)

    @property
    def lost(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if not c.gained)

    def to_dict(self) -> dict[str, Any]:
        return {"gained": [c.to_dict() for c in self.gained], "lost": [c.to_dict() for c in self.lost]}

    def __str__(self) -> str:
        if not self.changes:
            return "no access changes"
        return "\n".join(str(c) for c in self.changes)


def diff(
    world_a: World,
    world_b: World,
    *,
    actions: Sequence[str] = DEFAULT_ACTIONS,
    progress: Callable[[int, int], None] | None = None,
) -> Diff:
    """Accesses gained and lost from ``world_a`` to ``world_b`` over the principals and secrets of
    both, each with the statements responsible in the world that decides it."""
    principals = tuple(dict.fromkeys([*world_principals(world_a), *world_principals(world_b)]))
    resources = tuple(dict.fromkeys([*(s.arn for s in world_a.secrets), *(s.arn for s in world_b.secrets)]))
    a = access_matrix(world_a, actions=actions, principals=principals, resources=resources, progress=progress)
    b = access_matrix(world_b, actions=actions, principals=principals, resources=resources)
    changes = []
    for before, after in zip(a.cells, b.cells, strict=True):
        if before.allowed == after.allowed:
            continue
        request = Request(after.principal, after.action, after.resource)
        now = _responsible(authorize(world_b, request))  # what allows it, or what now denies it
        if after.allowed:
            responsible = now
        else:
            was = _responsible(authorize(world_a, request))
            responsible = (*now, *(f"was allowed by {p}" for p in was))
        changes.append(
            Change(
                after.principal,
                after.resource,
                after.action,
                after.allowed,
                before.reason,
                after.reason,
                tuple(responsible),
            )
        )
    return Diff(tuple(changes))


def _responsible(decision: Decision) -> tuple[str, ...]:
    step = decision.failed_step or decision.main_step
    if step is None:
        return ()
    named = [str(d) for d in step.evaluation.deciding]
    return tuple(dict.fromkeys(named)) or (f"{step.action}: {step.evaluation.reason.summary}",)
