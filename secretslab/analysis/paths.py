"""Every way a principal can try an action on a resource: directly, and through each chain of
role assumptions it may make (semantics §1.2, §11). Each hop is an ``sts:AssumeRole`` the current
principal must be allowed to make; the session it yields is a principal of the role's account
(§10.6). Chains never revisit a role and stop at ``max_depth`` hops."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from ..authorization import Decision, authorize
from ..authorization.request import AssumeRoleStep, Request
from ..world import World
from .assume import AssumeGraph, is_self
from .principals import MAX_DEPTH, session_of


@dataclass(frozen=True, slots=True)
class AccessPath:
    """One way to make a request: the roles assumed on the way, and the decision."""

    principal: str
    roles: tuple[str, ...]  # role ARNs assumed in order; () for a direct request
    decision: Decision

    @property
    def allowed(self) -> bool:
        """Whether every hop and the action itself are allowed."""
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
        """One line: the principal and the roles it assumes, then allowed or denied with the reason
        code (and where it failed)."""
        hops = " -> ".join([self.principal, *self.roles])
        if self.allowed:
            return f"{hops}: allowed ({self.decision.reason.value})"
        failed = self.decision.failed_step
        where = f" at {failed.action} on {failed.resource}" if failed else ""
        return f"{hops}: denied{where} ({self.decision.reason.value}: {self.decision.reason.summary})"

    def to_dict(self) -> dict[str, Any]:
        """The path as JSON-ready data: its roles, whether it is allowed, the failing hop and the full
        decision."""
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
    graph = AssumeGraph(world)
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
            if role in chain or is_self(current, role):
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


def shortest_path(
    world: World, principal: str, action: str, resource: str, max_depth: int = MAX_DEPTH
) -> AccessPath | None:
    """The first allowed path, breadth first (fewest roles), or None: each role is tried once."""
    graph = AssumeGraph(world)
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
