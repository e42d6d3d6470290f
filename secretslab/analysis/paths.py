"""Every way a principal can try an action on a resource: directly, and through each chain of
role assumptions it may make (semantics §1.2, §11). Each hop is an ``sts:AssumeRole`` the current
principal must be allowed to make; the session it yields is a principal of the role's account
(§10.6). Chains never revisit a role; a listing of chains is bounded (they can be exponentially
many) and says where it stopped, while the shortest allowed chain is a breadth-first search
polynomial in the roles."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from ..authorization import Decision, authorize
from ..authorization.known import check_request
from ..authorization.request import AssumeRoleStep, Request
from ..evaluation.target import Pairs, read_context
from ..fields import Fields
from ..loading import shape_problems
from ..problems import request_error, require_at_least_one
from ..world import World
from .assume import AssumeGraph, is_self
from .principals import MAX_PATHS, session_of


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


class AccessPaths(tuple[AccessPath, ...]):
    """The paths ``access_paths`` lists (a tuple, allowed first, shortest first), and whether the
    listing is complete: ``stopped`` says where it stopped when more paths exist ("" when none
    were left out)."""

    stopped: str

    def __new__(cls, paths: tuple[AccessPath, ...] = (), stopped: str = "") -> AccessPaths:
        """The listing of ``paths``; ``stopped`` says why it is not complete ("" when it is)."""
        made = super().__new__(cls, paths)
        made.stopped = stopped
        return made

    @property
    def complete(self) -> bool:
        """Whether every path is listed (no bound on depth or count left any out)."""
        return not self.stopped


def _context(given: Any) -> Pairs:
    """The context read and checked as ``authorize`` reads a request's (value types, typed keys
    such as aws:SourceIp, the limit on shared Python values)."""
    if given is None:
        return ()
    shape = shape_problems({"context": given})
    if shape:
        raise request_error(shape)
    reader = Fields(None)
    pairs = read_context(reader, given, ("context",))
    if reader.problems:
        raise request_error(reader.problems)
    return pairs


def access_paths(
    world: World,
    principal: str,
    action: str,
    resource: str,
    *,
    context: dict[str, Any] | None = None,
    max_depth: int | None = None,
    max_paths: int = MAX_PATHS,
) -> AccessPaths:
    """Every way ``principal`` can try ``action`` on ``resource``: directly, and through each
    chain of role assumptions it is allowed to make (no role twice; at most ``max_depth`` hops when
    given), breadth first. A chain that a trust policy or an identity policy stops is reported as a
    denied path at the hop that failed. Allowed paths come first, shortest first.

    The chains can be exponentially many (roles that all trust each other), so the listing stops
    at ``max_paths`` paths and says so in ``stopped`` (as it does when ``max_depth`` left longer
    chains out); the shortest allowed path within ``max_depth``, found by a search polynomial in
    the roles (``shortest_path``), is always in it when there is one. Raises
    ``UnknownNameError`` for an action, principal or resource that does not exist, and
    ``ScenarioError`` for a bound that is not a whole number (``max_paths`` at least 1)."""
    require_at_least_one(max_paths, "max_paths")
    if max_depth is not None:
        require_at_least_one(max_depth, "max_depth", minimum=0)
    ctx = _context(context)
    check_request(world, Request(principal, action, resource, ctx))
    graph = AssumeGraph(world)
    paths: list[AccessPath] = []
    stops: set[str] = set()
    queue: deque[tuple[str, ...]] = deque([()])

    def decide(chain: tuple[str, ...]) -> AccessPath:
        steps = tuple(AssumeRoleStep(r, "session") for r in chain)
        return AccessPath(
            principal, chain, authorize(world, Request(principal, action, resource, ctx, {}, steps))
        )

    while queue:
        if len(paths) >= max_paths:
            stops.add(f"listing stopped at {max_paths} paths; more exist")
            break
        chain = queue.popleft()
        paths.append(decide(chain))
        current = session_of(chain[-1]) if chain else principal
        for role, allowed in graph.candidates(current):
            if role in chain or is_self(current, role):
                continue
            if max_depth is not None and len(chain) >= max_depth:
                stops.add(f"listing stopped at depth {max_depth}; longer chains exist")
                break
            if allowed:
                queue.append((*chain, role))
            elif len(paths) < max_paths:  # the hop fails: report it once, do not go further
                paths.append(decide((*chain, role)))
            else:
                stops.add(f"listing stopped at {max_paths} paths; more exist")
        if len(queue) > max_paths:  # never hold more chains than can be listed
            stops.add(f"listing stopped at {max_paths} paths; more exist")
            while len(queue) > max_paths:
                queue.pop()
    if stops and not any(p.allowed for p in paths):
        found = shortest_path(world, principal, action, resource, max_depth)  # within the depth asked
        if found is not None:
            paths.append(found)
    paths.sort(key=lambda p: (not p.allowed, len(p.roles)))
    return AccessPaths(tuple(paths), "; ".join(sorted(stops)))


def shortest_path(
    world: World,
    principal: str,
    action: str,
    resource: str,
    max_depth: int | None = None,
    direct: dict[str, bool] | None = None,
    *,
    useful: frozenset[str] | None = None,
    decided: dict[str, Decision] | None = None,
) -> AccessPath | None:
    """The first allowed path, breadth first (fewest roles), or None. A reachability search: each
    role is visited once, the roles each session may assume are remembered per world
    (``AssumeGraph``), and whether a role's session may make the request itself is decided once
    (in ``direct``, which callers asking for many principals share); only a chain that reaches
    such a role is decided whole. So the search is polynomial in the roles, with no depth limit
    unless ``max_depth`` is given. ``useful``, when given, holds every role through which an
    allowed path can go (``who_can`` finds them once for all principals): the search passes
    only through those, which finds the same path. ``decided``, when given, holds the decisions
    on principals' own requests (made with the full plan), reused and added to; with it, a
    principal already ``known`` to be denied is not decided again unless the world has gaps."""
    graph = AssumeGraph(world)
    known = direct if direct is not None else {}
    seen = {principal}
    queue: deque[tuple[str, tuple[str, ...]]] = deque([(principal, ())])
    while queue:
        current, chain = queue.popleft()
        if chain:
            allowed = known.get(current)
            if allowed is None:
                allowed = authorize(world, Request(current, action, resource), plan=False).allowed
                known[current] = allowed
        else:  # the principal's own request is decided below, as it is, unless already known denied
            allowed = decided is None or known.get(current, True) or bool(world.gaps)
        if allowed:
            decision = decided.get(principal) if decided is not None and not chain else None
            if decision is None:
                steps = tuple(AssumeRoleStep(r, "session") for r in chain)
                decision = authorize(world, Request(principal, action, resource, (), {}, steps))
                if decided is not None and not chain:
                    decided[principal] = decision
            if decision.allowed:
                return AccessPath(principal, chain, decision)
        if max_depth is not None and len(chain) >= max_depth:
            continue
        if useful is None:
            for role, can in graph.candidates(current):
                if can and role not in seen:
                    seen.add(role)
                    queue.append((session_of(role), (*chain, role)))
            continue
        for role in graph.concerned(current):
            if role in useful and role not in seen and graph.allowed(current, role):
                seen.add(role)
                queue.append((session_of(role), (*chain, role)))
    return None
