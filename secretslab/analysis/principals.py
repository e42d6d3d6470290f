"""The principals of a world that analysis asks about (semantics §2.2, §10.6): every user, one
session of each role and each listed session, with the defaults every question shares: the
actions of an access matrix and how many roles a chain may assume."""

from __future__ import annotations

from ..arn import ACCOUNT_ID, Arn
from ..problems import quoted
from ..services.secretsmanager import DEFAULT_ACTIONS
from ..world import Gap, World

__all__ = [
    "DEFAULT_ACTIONS",
    "MAX_DEPTH",
    "MAX_PATHS",
    "PRINCIPALS_OPERATION",
    "account_gaps",
    "session_of",
    "unknown_principals",
    "world_principals",
]

#: the operation an import reads an account's users, groups and roles with (live and from dumps)
PRINCIPALS_OPERATION = "iam:GetAccountAuthorizationDetails"

MAX_DEPTH = 3  # a depth to pass when only short chains matter; no search stops at it by default
MAX_PATHS = 200  # paths ``access_paths`` lists before it stops and says more exist


def session_of(role_arn: str, session_name: str = "session") -> str:
    """The ARN of a session of a role (§2.2: the role's name, without its path)."""
    arn = Arn.parse(role_arn)
    if arn is None:
        raise ValueError(f"{quoted(role_arn)} is not a role ARN")
    return f"arn:aws:sts::{arn.account}:assumed-role/{arn.name}/{session_name}"


def account_gaps(world: World) -> tuple[Gap, ...]:
    """The gaps of a whole account (their resource is an account id): its principals, secrets or
    keys an import could not list, so an answer that lists them is incomplete."""
    return tuple(g for g in world.gaps if ACCOUNT_ID.match(g.resource))


def unknown_principals(world: World) -> dict[str, Gap]:
    """The accounts whose principals an import could not read, each with its gap: the world holds
    none of their users or roles, so no analysis can list them one by one."""
    return {g.resource: g for g in account_gaps(world) if g.operation == PRINCIPALS_OPERATION}


def world_principals(world: World) -> tuple[str, ...]:
    """Every principal that can sign a request: users, a session of each role, listed sessions."""
    roles = [session_of(r.arn) for r in world.roles if not r.service_linked]
    listed = [s.arn for s in world.sessions if s.arn not in roles]
    return tuple(dict.fromkeys([*(u.arn for u in world.users), *roles, *listed]))
