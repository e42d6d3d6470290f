"""The principals of a world that analysis asks about (semantics §2.2, §10.6): every user, one
session of each role and each listed session, with the defaults every question shares: the
actions of an access matrix and how many roles a chain may assume."""

from __future__ import annotations

from ..arn import Arn
from ..problems import quoted
from ..services.secretsmanager import DEFAULT_ACTIONS
from ..world import World

__all__ = ["DEFAULT_ACTIONS", "MAX_DEPTH", "MAX_PATHS", "session_of", "world_principals"]

MAX_DEPTH = 3  # a depth to pass when only short chains matter; no search stops at it by default
MAX_PATHS = 200  # paths ``access_paths`` lists before it stops and says more exist


def session_of(role_arn: str, session_name: str = "session") -> str:
    """The ARN of a session of a role (§2.2: the role's name, without its path)."""
    arn = Arn.parse(role_arn)
    if arn is None:
        raise ValueError(f"{quoted(role_arn)} is not a role ARN")
    return f"arn:aws:sts::{arn.account}:assumed-role/{arn.name}/{session_name}"


def world_principals(world: World) -> tuple[str, ...]:
    """Every principal that can sign a request: users, a session of each role, listed sessions."""
    roles = [session_of(r.arn) for r in world.roles if not r.service_linked]
    listed = [s.arn for s in world.sessions if s.arn not in roles]
    return tuple(dict.fromkeys([*(u.arn for u in world.users), *roles, *listed]))
