"""``who_can`` and ``access_paths`` at organisation scale (issue #12): the indexed role graph and
the search through useful roles only must answer exactly as the straightforward search does —
every candidate role read from every trust policy, every hop decided by ``authorize`` — on
generated worlds (same principals, same paths in the same order, same decisions and
explanations); and the organisation of ``benchmarks/bench_who.py`` imports without errors."""

from __future__ import annotations

import sys
from collections import deque
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secretslab import World, authorize
from secretslab.analysis import access_paths, session_of, who_can, world_principals
from secretslab.analysis.paths import AccessPath
from secretslab.analysis.who import WhoCan, _gap_note, _granted_accounts, _kind, _unknown_accounts
from secretslab.authorization.request import AssumeRoleStep, Request
from secretslab.evaluation.principals import PrincipalType

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_who import import_world, path_questions, who_questions, write_dumps

A, B, C = "111111111111", "222222222222", "333333333333"
REGION = "us-east-1"
SECRETS = (
    f"arn:aws:secretsmanager:{REGION}:{A}:secret:app/db-AbC123",
    f"arn:aws:secretsmanager:{REGION}:{B}:secret:app/api-XyZ789",
)
KEY = f"arn:aws:kms:{REGION}:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ACTIONS = ("secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "sts:AssumeRole")


# -- the straightforward search, as it was before the role graph was indexed


def _concerns(world: World, principal: str, role_arn: str) -> bool:
    role = world.role(role_arn)
    if role is None or role.trust_policy is None or not role.trust_policy.valid:
        return False
    caller = world.principal(principal)
    if caller.type is PrincipalType.ROOT:
        return False
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


def _candidates(world: World, principal: str) -> list[tuple[str, bool]]:
    return [
        (r.arn, authorize(world, Request(principal, "sts:AssumeRole", r.arn)).allowed)
        for r in world.roles
        if not r.service_linked and _concerns(world, principal, r.arn)
    ]


def _decide(world: World, principal: str, action: str, resource: str, chain: tuple[str, ...]) -> AccessPath:
    steps = tuple(AssumeRoleStep(r, "session") for r in chain)
    return AccessPath(principal, chain, authorize(world, Request(principal, action, resource, (), {}, steps)))


def reference_shortest(
    world: World, principal: str, action: str, resource: str, max_depth: int | None = None
) -> AccessPath | None:
    """Breadth first over every allowed hop, every chain that reaches a role whose session may
    make the request decided whole."""
    seen = {principal}
    queue: deque[tuple[str, tuple[str, ...]]] = deque([(principal, ())])
    while queue:
        current, chain = queue.popleft()
        if not chain or authorize(world, Request(current, action, resource)).allowed:
            path = _decide(world, principal, action, resource, chain)
            if path.allowed:
                return path
        if max_depth is not None and len(chain) >= max_depth:
            continue
        for role, can in _candidates(world, current):
            if can and role not in seen:
                seen.add(role)
                queue.append((session_of(role), (*chain, role)))
    return None


def reference_who_can(world: World, action: str, resource: str, max_depth: int | None = None) -> list[WhoCan]:
    """Every principal of the world, one straightforward search each."""
    out = []
    for principal in world_principals(world):
        kind = _kind(world, principal)
        path = reference_shortest(world, principal, action, resource, max_depth)
        if path is not None:
            out.append(WhoCan(principal, kind, path, _gap_note(path.decision), path.decision.unknown))
            continue
        if world.gaps:
            direct = authorize(world, Request(principal, action, resource))
            if direct.unknown:
                out.append(
                    WhoCan(principal, kind, AccessPath(principal, (), direct), _gap_note(direct), True)
                )
    out.extend(_granted_accounts(world, action, resource))
    out.extend(_unknown_accounts(world, action, resource, {w.principal for w in out}))
    return out


def reference_access_paths(
    world: World, principal: str, action: str, resource: str, max_depth: int | None, max_paths: int
) -> tuple[list[AccessPath], str]:
    """Every chain, breadth first, each hop's candidates read from every trust policy."""
    paths: list[AccessPath] = []
    stops: set[str] = set()
    queue: deque[tuple[str, ...]] = deque([()])
    while queue:
        if len(paths) >= max_paths:
            stops.add(f"listing stopped at {max_paths} paths; more exist")
            break
        chain = queue.popleft()
        paths.append(_decide(world, principal, action, resource, chain))
        current = session_of(chain[-1]) if chain else principal
        for role, allowed in _candidates(world, current):
            if role in chain or current.rsplit("/", 1)[0] == session_of(role).rsplit("/", 1)[0]:
                continue
            if max_depth is not None and len(chain) >= max_depth:
                stops.add(f"listing stopped at depth {max_depth}; longer chains exist")
                break
            if allowed:
                queue.append((*chain, role))
            elif len(paths) < max_paths:
                paths.append(_decide(world, principal, action, resource, (*chain, role)))
            else:
                stops.add(f"listing stopped at {max_paths} paths; more exist")
        if len(queue) > max_paths:
            stops.add(f"listing stopped at {max_paths} paths; more exist")
            while len(queue) > max_paths:
                queue.pop()
    if stops and not any(p.allowed for p in paths):
        found = reference_shortest(world, principal, action, resource, max_depth)
        if found is not None:
            paths.append(found)
    paths.sort(key=lambda p: (not p.allowed, len(p.roles)))
    return paths, "; ".join(sorted(stops))


def _who_view(found: Any) -> list[Any]:
    return [(w.to_dict(), str(w), w.path.to_dict() if w.path else None) for w in found]


def _paths_view(paths: Any) -> list[Any]:
    return [(p.describe(), p.to_dict()) for p in paths]


# -- generated organisations: a few users and roles in two accounts, trust policies that name
# accounts, roles, users, sessions or anyone, identity policies that allow or deny the hops


def _role(i: int) -> str:
    return f"arn:aws:iam::{(A, B)[i % 2]}:role/r{i}"


def _user(i: int) -> str:
    return f"arn:aws:iam::{(A, B)[i % 2]}:user/u{i}"


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


@st.composite
def _trust(draw: st.DrawFn, roles: int, users: int, i: int) -> dict[str, Any]:
    kinds = st.sampled_from(("account", "role", "user", "session", "anyone", "service", "other-account"))
    chosen = draw(st.lists(kinds, min_size=1, max_size=2))
    statements = []
    for kind in ["previous"] * (draw(st.integers(0, 2)) > 0) + chosen:
        who: Any = {
            "previous": {"AWS": _role(i - 1) if i else _user(0)},  # chains r0 -> r1 -> r2 ...
            "account": {"AWS": f"arn:aws:iam::{draw(st.sampled_from((A, B)))}:root"},
            "other-account": {"AWS": C},
            "role": {"AWS": _role(draw(st.integers(0, roles - 1)))},
            "user": {"AWS": _user(draw(st.integers(0, users - 1)))},
            "session": {"AWS": session_of(_role(draw(st.integers(0, roles - 1))))},
            "anyone": {"AWS": "*"},
            "service": {"Service": "lambda.amazonaws.com"},
        }[kind]
        statement: dict[str, Any] = {"Effect": "Allow", "Principal": who, "Action": "sts:AssumeRole"}
        if draw(st.integers(0, 3)) == 0:
            statement["Condition"] = {
                "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::*:role/r{draw(st.integers(0, 3))}*"}
            }
        statements.append(statement)
    if draw(st.integers(0, 4)) == 0:
        statements.append(
            {
                "Effect": "Deny",
                "Principal": {"AWS": _user(draw(st.integers(0, users - 1)))},
                "Action": "sts:AssumeRole",
            }
        )
    return _policy(*statements)


@st.composite
def _identity(draw: st.DrawFn, roles: int, following: int) -> list[dict[str, Any]]:
    choices = (
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": _role(following)},
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": _role(draw(st.integers(0, roles - 1)))},
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/r*"},
        {"Effect": "Allow", "Action": "sts:*", "Resource": "*"},
        {"Effect": "Allow", "NotAction": "s3:*", "NotResource": _role(draw(st.integers(0, roles - 1)))},
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": "arn:aws:iam::*:role/${aws:PrincipalTag/team}",
        },
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": _role(draw(st.integers(0, roles - 1)))},
        {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": SECRETS[draw(st.integers(0, 1))],
        },
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"},
    )
    chosen = draw(st.lists(st.sampled_from(range(1, len(choices))), max_size=3, unique=True))
    return [_policy(choices[i]) for i in [0] * (draw(st.integers(0, 2)) > 0) + chosen]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    """A small organisation: 2–6 roles and 1–3 users over two accounts (and sometimes an
    account whose principals could not be read), secrets with and without resource policies."""
    roles, users = draw(st.integers(2, 7)), draw(st.integers(1, 3))
    teams = st.sampled_from(("r0", "r1", "r2", "x"))
    role_list = [
        {
            "arn": _role(i),
            "tags": {"team": draw(teams)},
            "trust_policy": draw(_trust(roles, users, i)),
            "policies": draw(_identity(roles, i + 1)),
            "service_linked": draw(st.integers(0, 7)) == 0,
        }
        for i in range(roles)
    ]
    user_list = [
        {"arn": _user(i), "tags": {"team": draw(teams)}, "groups": [], "policies": draw(_identity(roles, 0))}
        for i in range(users)
    ]
    grants = st.sampled_from(
        (
            None,
            _policy(
                {"Effect": "Allow", "Principal": {"AWS": B}, "Action": "secretsmanager:*", "Resource": "*"}
            ),
            _policy(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": C},
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": "*",
                }
            ),
            _policy(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": _role(1)},
                    "Action": "secretsmanager:*",
                    "Resource": "*",
                }
            ),
            _policy(
                {
                    "Effect": "Deny",
                    "Principal": {"AWS": _role(0)},
                    "Action": "secretsmanager:*",
                    "Resource": "*",
                }
            ),
        )
    )
    secrets = [
        {
            "arn": arn,
            "name": arn.rsplit(":", 1)[1][:-7],
            "account": arn.split(":")[4],
            "region": REGION,
            "kms_key": KEY if i == 0 and draw(st.booleans()) else None,
            "tags": {},
            "resource_policy": draw(grants),
        }
        for i, arn in enumerate(SECRETS)
    ]
    key_policy = _policy(
        {"Effect": "Allow", "Principal": {"AWS": A}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": [B, C]}, "Action": "kms:Decrypt", "Resource": "*"},
    )
    data: dict[str, Any] = {
        "accounts": [{"id": A}, {"id": B}],
        "principals": {"users": user_list, "groups": [], "roles": role_list, "sessions": []},
        "secrets": secrets,
        "kms_keys": [{"arn": KEY, "account": A, "region": REGION, "key_policy": key_policy}],
    }
    if draw(st.booleans()):
        data["gaps"] = [
            {
                "resource": C,
                "what": f"users, groups and roles of {C}",
                "operation": "iam:GetAccountAuthorizationDetails",
                "error": "AccessDenied",
            },
            {
                "resource": SECRETS[1],
                "what": f"resource policy of {SECRETS[1]}",
                "operation": "secretsmanager:GetResourcePolicy",
                "error": "AccessDenied",
            },
        ][: draw(st.integers(1, 2))]
    return World.from_dict(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.sampled_from(ACTIONS), st.sampled_from(SECRETS), st.sampled_from((None, 1, 2)))
def test_who_can_answers_as_the_straightforward_search(
    world: World, action: str, secret: str, max_depth: int | None
) -> None:
    if action == "sts:AssumeRole":
        action, secret = action, _role(0)
    expected = _who_view(reference_who_can(world, action, secret, max_depth))
    assert _who_view(who_can(world, action, secret, max_depth=max_depth)) == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.sampled_from(SECRETS), st.sampled_from((None, 1, 2)), st.sampled_from((3, 200)))
def test_access_paths_answer_as_the_straightforward_search(
    world: World, secret: str, max_depth: int | None, max_paths: int
) -> None:
    action = "secretsmanager:GetSecretValue"
    for principal in world_principals(world):
        expected, stopped = reference_access_paths(world, principal, action, secret, max_depth, max_paths)
        found = access_paths(world, principal, action, secret, max_depth=max_depth, max_paths=max_paths)
        assert _paths_view(found) == _paths_view(expected)
        assert found.stopped == stopped


# -- the benchmark's organisation


def test_the_benchmark_organisation_imports_without_errors_and_answers_alike(tmp_path: Path) -> None:
    folders = write_dumps(tmp_path, roles=120, secrets=24, users=3, seed=2)
    world, gaps = import_world(folders)
    assert len(world.roles) == 120 and len(world.secrets) == 24 and len(world.users) == 12
    assert [g["operation"] for g in gaps] == ["secretsmanager:GetResourcePolicy"]  # the one left out
    plain, _ = import_world(folders, scps=False)
    assert plain.organization is None and world.organization is not None
    chains = 0
    for action, secret in who_questions(world, 2):
        found = who_can(world, action, secret)
        assert _who_view(found) == _who_view(reference_who_can(world, action, secret))
        chains += sum(1 for w in found if w.path and w.path.allowed and len(w.path.roles) >= 2)
    for principal, action, secret in path_questions(world, 2):
        expected, stopped = reference_access_paths(world, principal, action, secret, None, 200)
        found = access_paths(world, principal, action, secret)
        assert _paths_view(found) == _paths_view(expected) and found.stopped == stopped
        chains += sum(1 for p in found if p.allowed and len(p.roles) >= 2)
    assert chains >= 2, "the organisation has allowed chains of two roles or more"


def test_a_long_chain_is_found_through_every_role_on_the_way() -> None:
    """user -> r0 -> r1 -> r2 -> r3, each hop allowed only to the next role, r3 alone reads the
    secret: who_can finds the chain of four (and none within three hops), as the straightforward
    search does, and so does access_paths."""
    roles = [
        {
            "arn": _role(i),
            "trust_policy": _policy(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": _role(i - 1) if i else _user(0)},
                    "Action": "sts:AssumeRole",
                }
            ),
            "policies": [
                _policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": _role(i + 1)})
                if i < 3
                else _policy({"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"})
            ],
        }
        for i in range(4)
    ]
    user = {
        "arn": _user(0),
        "policies": [_policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})],
    }
    world = World.from_dict(
        {
            "accounts": [{"id": A}, {"id": B}],
            "principals": {"users": [user], "roles": roles},
            "secrets": [
                {
                    "arn": SECRETS[1],
                    "name": "app/api",
                    "account": B,
                    "region": REGION,
                    "resource_policy": None,
                }
            ],
        }
    )
    get = "secretsmanager:GetSecretValue"
    for depth in (None, 3, 4):
        found = who_can(world, get, SECRETS[1], max_depth=depth)
        assert _who_view(found) == _who_view(reference_who_can(world, get, SECRETS[1], depth))
    by_principal = {w.principal: w.path.roles for w in who_can(world, get, SECRETS[1]) if w.path}
    assert by_principal[_user(0)] == tuple(_role(i) for i in range(4))
    assert _user(0) not in {w.principal for w in who_can(world, get, SECRETS[1], max_depth=3)}
    paths = access_paths(world, _user(0), get, SECRETS[1])
    expected, _ = reference_access_paths(world, _user(0), get, SECRETS[1], None, 200)
    assert _paths_view(paths) == _paths_view(expected) and paths[0].allowed and len(paths[0].roles) == 4
