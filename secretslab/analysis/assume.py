"""Which roles a principal may assume (semantics §11.2), the edges of every role chain that
``access_paths`` and ``who_can`` follow, remembered per world: a world is immutable, so what it
lets a principal assume never changes."""

from __future__ import annotations

import weakref

from ..authorization import authorize
from ..authorization.request import Request
from ..evaluation.principals import PrincipalType
from ..world import World
from .principals import session_of

Candidates = tuple[tuple[str, bool], ...]

#: per world, held weakly so a world and its graph are collected together
_ASSUMABLE: weakref.WeakKeyDictionary[World, dict[str, Candidates]] = weakref.WeakKeyDictionary()


def is_self(current: str, role: str) -> bool:
    """Whether ``current`` is already a session of ``role`` (assuming it again is a cycle)."""
    return current.rsplit("/", 1)[0] == session_of(role).rsplit("/", 1)[0]


class AssumeGraph:
    """Which roles a principal may assume (§11.2), remembered per world."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.cache = _ASSUMABLE.setdefault(world, {})

    def candidates(self, principal: str) -> Candidates:
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
        return authorize(self.world, Request(principal, "sts:AssumeRole", role), plan=False).allowed

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
