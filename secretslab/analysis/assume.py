"""Which roles a principal may assume (semantics §11.2), the edges of every role chain that
``access_paths`` and ``who_can`` follow, remembered per world: a world is immutable, so what it
lets a principal assume never changes.

At organisation scale (thousands of roles whose trust policies name whole accounts) most pairs
of a principal and a role are candidates, so two things keep the graph cheap, both exact:

- the trust policies are indexed by what their ``Principal`` names (``*``, accounts, users, roles,
  sessions), so the candidates of a principal are looked up, not found by reading every trust
  policy; and the principals a role's trust policy concerns are looked up the same way;
- a hop is decided by ``authorize`` only when it could be allowed: an ``sts:AssumeRole`` is
  allowed only through a trust policy ``Allow`` that names the caller itself (``*``, its ARN,
  its role or session; §4.5, an account delegates to the account's IAM policies) or through an
  identity-based ``Allow`` whose Action covers ``sts:AssumeRole`` and whose Resource can match the
  role (§8.6, §11.2). When neither exists the hop is denied without asking; every other hop is
  decided by ``authorize`` itself."""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import NamedTuple

from ..authorization import authorize
from ..authorization.calls import Caller
from ..authorization.request import Request
from ..evaluation.principals import Principal, PrincipalType
from ..policy.model import Effect, ResourceElement
from ..world import World
from .principals import session_of, world_principals

Candidates = tuple[tuple[str, bool], ...]

ASSUME_ROLE = "sts:assumerole"


def is_self(current: str, role: str) -> bool:
    """Whether ``current`` is already a session of ``role`` (assuming it again is a cycle)."""
    return current.rsplit("/", 1)[0] == session_of(role).rsplit("/", 1)[0]


class _TrustIndex:
    """Every role whose trust policy can concern a caller, looked up by what its statements'
    ``Principal`` elements name; roles keep the world's order (their index)."""

    def __init__(self, world: World) -> None:
        self.roles: list[str] = []  # candidate roles, in the world's order
        self.wildcard: list[int] = []
        self.by_account: dict[str, list[int]] = {}
        self.by_arn: dict[str, list[int]] = {}  # user and session ARNs
        self.by_role: dict[tuple[str, str], list[int]] = {}
        self.answers: dict[tuple[str, str | None, tuple[str, str] | None], tuple[str, ...]] = {}
        #: per role index: whether an Allow of its trust policy may name a caller itself (not only
        #: its account), by the caller's ARN or (account, role name); None: any caller may be
        self.direct: list[tuple[frozenset[str], frozenset[tuple[str, str]]] | None] = []
        #: per role index: what its trust policy names (``*``, accounts, user and session ARNs,
        #: roles), to find the principals it concerns
        self.names: list[tuple[bool, frozenset[str], frozenset[str], frozenset[tuple[str, str]]]] = []
        for role in world.roles:
            if role.service_linked:
                continue
            found = world.role(role.arn)  # the role as a hop looks it up
            trust = found.trust_policy if found is not None else None
            if trust is None or not trust.valid:
                continue
            i = len(self.roles)
            self.roles.append(role.arn)
            names: set[str] = set()
            role_names: set[tuple[str, str]] = set()
            anyone = False
            accounts: set[str] = set()
            arns: set[str] = set()  # user and session ARNs
            keyed_roles: set[tuple[str, str]] = set()
            wildcard = False
            for statement in trust.statements:
                element = statement.principal
                if element is None or element.negated:
                    anyone = anyone or statement.effect is Effect.ALLOW
                    continue
                wildcard = wildcard or element.wildcard
                accounts |= element.accounts
                arns |= element.users | element.sessions
                keyed_roles |= element.roles
                if statement.effect is Effect.ALLOW:
                    anyone = anyone or element.wildcard or bool(element.federated_users)
                    names |= element.users | element.sessions
                    role_names |= element.roles
            if wildcard:
                self.wildcard.append(i)
            for account in accounts:
                self.by_account.setdefault(account, []).append(i)
            for arn in arns:
                self.by_arn.setdefault(arn, []).append(i)
            for pair in keyed_roles:
                self.by_role.setdefault(pair, []).append(i)
            self.direct.append(None if anyone else (frozenset(names), frozenset(role_names)))
            self.names.append((wildcard, frozenset(accounts), frozenset(arns), frozenset(keyed_roles)))

    def concerned(self, caller: Principal) -> tuple[str, ...]:
        """The roles whose trust policy names the caller, its role, its account or ``*`` (§4.5), in
        the world's order; none for the root user, who cannot assume roles (§11.1)."""
        if caller.type is PrincipalType.ROOT:
            return ()
        # most callers are named by their account alone: they share one answer
        arn = caller.arn if caller.arn in self.by_arn else None
        role = (caller.account, caller.role_name or "")
        key = (caller.account, arn, role if role in self.by_role else None)
        found = self.answers.get(key)
        if found is None:
            indexes: set[int] = set(self.wildcard)
            indexes.update(self.by_account.get(caller.account, ()))
            indexes.update(self.by_arn.get(arn or "", ()))
            indexes.update(self.by_role.get(key[2] or ("", ""), ()))
            found = self.answers[key] = tuple(self.roles[i] for i in sorted(indexes))
        return found

    def names_caller(self, i: int, caller: Principal) -> bool:
        """Whether an Allow of role ``i``'s trust policy may name the caller itself (so that it
        could allow without an identity-based policy)."""
        direct = self.direct[i]
        if direct is None:
            return True
        names, role_names = direct
        return caller.arn in names or (
            caller.role_name is not None and (caller.account, caller.role_name) in role_names
        )


class _PrincipalIndex:
    """The principals of a world (``world_principals``) by account, ARN and (account, role name):
    whom a trust policy's names concern."""

    def __init__(self, world: World) -> None:
        self.principals = [
            p for p in world_principals(world) if world.principal(p).type is not PrincipalType.ROOT
        ]
        self.by_account: dict[str, list[int]] = {}
        self.by_arn: dict[str, list[int]] = {}
        self.by_role: dict[tuple[str, str], list[int]] = {}
        for i, arn in enumerate(self.principals):
            caller = world.principal(arn)
            self.by_account.setdefault(caller.account, []).append(i)
            self.by_arn.setdefault(caller.arn, []).append(i)
            if caller.role_name is not None:
                self.by_role.setdefault((caller.account, caller.role_name), []).append(i)

    def named(
        self,
        wildcard: bool,
        accounts: frozenset[str],
        arns: frozenset[str],
        roles: frozenset[tuple[str, str]],
    ) -> tuple[str, ...]:
        """The principals that ``*``, the accounts, the ARNs or the roles name, in their order."""
        if wildcard:
            return tuple(self.principals)
        found: set[int] = set()
        for account in accounts:
            found.update(self.by_account.get(account, ()))
        for arn in arns:
            found.update(self.by_arn.get(arn, ()))
        for pair in roles:
            found.update(self.by_role.get(pair, ()))
        return tuple(self.principals[i] for i in sorted(found))


class _Grants(NamedTuple):
    caller: Principal
    anyone: bool  # every hop is asked
    resources: tuple[ResourceElement | None, ...]


class _Graph:
    """What one world's role graph remembers."""

    def __init__(self, world: World) -> None:
        self.index = _TrustIndex(world)
        self.position = {arn: i for i, arn in enumerate(self.index.roles)}
        self.candidates: dict[str, Candidates] = {}
        self.concerned: dict[str, tuple[str, ...]] = {}
        self.allowed: dict[tuple[str, str], bool] = {}
        self.principals: _PrincipalIndex | None = None
        self.assumers: dict[str, tuple[str, ...]] = {}
        self.grants: dict[str, _Grants] = {}


#: per world, held weakly so a world and its graph are collected together
_ASSUMABLE: weakref.WeakKeyDictionary[World, _Graph] = weakref.WeakKeyDictionary()


class AssumeGraph:
    """Which roles a principal may assume (§11.2), remembered per world."""

    def __init__(self, world: World) -> None:
        self.world = world
        found = _ASSUMABLE.get(world)
        if found is None:
            found = _ASSUMABLE[world] = _Graph(world)
        self.graph = found

    def candidates(self, principal: str) -> Candidates:
        """(role ARN, allowed) for every role whose trust policy could concern ``principal``."""
        found = self.graph.candidates.get(principal)
        if found is None:
            found = tuple((role, self.allowed(principal, role)) for role in self.concerned(principal))
            self.graph.candidates[principal] = found
        return found

    def concerned(self, principal: str) -> tuple[str, ...]:
        """The roles whose trust policy names ``principal``, its role, its account or ``*``, in the
        world's order: the candidates of a path, allowed or not."""
        found = self.graph.concerned.get(principal)
        if found is None:
            index = self.graph.index
            found = index.concerned(self.world.principal(principal)) if index.roles else ()
            self.graph.concerned[principal] = found
        return found

    def assumers(self, role: str) -> tuple[str, ...]:
        """The principals of the world (``world_principals``) that ``role`` is a candidate of, in
        their order."""
        graph = self.graph
        if graph.principals is None:
            graph.principals = _PrincipalIndex(self.world)
        position = graph.position.get(role)
        if position is None:
            return ()
        found = graph.assumers.get(role)
        if found is None:
            found = graph.principals.named(*graph.index.names[position])
            graph.assumers[role] = found
        return found

    def allowed(self, principal: str, role: str) -> bool:
        """Whether ``principal`` may assume ``role`` (one of its candidates): ``authorize``'s
        answer, asked only when an Allow could grant the hop (see the module docstring)."""
        key = (principal, role)
        found = self.graph.allowed.get(key)
        if found is None:
            found = (
                self._could_allow(principal, role)
                and authorize(self.world, Request(principal, "sts:AssumeRole", role), plan=False).allowed
            )
            self.graph.allowed[key] = found
        return found

    def _could_allow(self, principal: str, role: str) -> bool:
        grants = self.graph.grants.get(principal)
        if grants is None:
            grants = self.graph.grants[principal] = self._grants(principal)
        if grants.anyone:
            return True
        position = self.graph.position.get(role)
        if position is None or self.graph.index.names_caller(position, grants.caller):
            return True
        return any(_may_match(element, role) for element in grants.resources)

    def _grants(self, principal: str) -> _Grants:
        """The Resource elements of the identity-based Allows of ``principal`` that cover
        ``sts:AssumeRole``."""
        caller = Caller.of(self.world, principal)
        who = caller.principal
        # federated sessions match users' grants too (§4.5): always asked
        anyone = who.type not in (PrincipalType.USER, PrincipalType.SESSION)
        resources = tuple(
            s.resource
            for attached in caller.identity
            for s in attached.policy.statements
            if s.effect is Effect.ALLOW and s.action.matches(ASSUME_ROLE)
        )
        return _Grants(who, anyone, resources)


def _may_match(element: ResourceElement | None, resource: str) -> bool:
    """Whether a Resource/NotResource element could match ``resource`` (True when a policy
    variable leaves it open)."""
    if element is None:
        return True
    if any(p.template is not None for p in element.patterns):
        return True
    listed = any(p.match(resource, _no_variables) for p in element.patterns)
    return listed != element.negated


def _no_variables(_: str) -> str | None:
    return None


def useful_roles(graph: AssumeGraph, targets: Iterable[str]) -> frozenset[str]:
    """The ``targets`` and every role whose session can reach one of them by allowed hops: the
    only roles a shortest path to a target can go through (a role that reaches none of them
    leads nowhere, and neither does any role it reaches)."""
    sessions = {session_of(r): r for r in graph.graph.index.roles}
    useful = set(targets)
    work = list(useful)
    while work:
        role = work.pop()
        for principal in graph.assumers(role):
            origin = sessions.get(principal)
            if origin is not None and origin not in useful and graph.allowed(principal, role):
                useful.add(origin)
                work.append(origin)
    return frozenset(useful)
