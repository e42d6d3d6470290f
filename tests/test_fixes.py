"""Why-not fixes (``secretslab.fixes``): every suggested fix is verified — applied to the world,
the request is allowed — and allows nothing its description does not name. The rules are the
decision procedure of semantics §8 and the reason codes of §12; the cross-account recipe of §10.5
and the AWS managed key's limits (§9.6) drive the Secrets Manager specific fixes.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from secretslab import World, authorize
from secretslab.fixes import PROBE_ACTIONS, Change, access_text, apply_fix, suggest_fixes
from secretslab.fixes import _rank as rank
from secretslab.policy.refs import PolicyRef, Slot

from .conftest import public_cases

A, B, REGION = "111111111111", "222222222222", "us-east-1"
ALICE, BOB = f"arn:aws:iam::{A}:user/alice", f"arn:aws:iam::{B}:user/bob"
ROLE_A, ROLE_B = f"arn:aws:iam::{A}:role/AppA", f"arn:aws:iam::{B}:role/AppB"
KEY = f"arn:aws:kms:{REGION}:{A}:key/1234abcd-0000-4000-8000-000000000001"
SECRETS = [f"arn:aws:secretsmanager:{REGION}:{A}:secret:app/s{i}-Ab12C{i}" for i in range(3)]
READS = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
#: the reasons no policy change can turn into an allow (§10.4, §3.11, §11.1)
NO_POLICY_FIX = {"XACCT_UNSUPPORTED_ACTION", "PUBLIC_POLICY_BLOCKED", "ROOT_CANNOT_ASSUME_ROLE"}


def _denied_public_cases() -> list[Any]:
    return [pytest.param(c, id=c["id"]) for c in public_cases() if c["expected"] == "deny"]


def _session(role: str) -> str:
    account, name = role.split(":")[4], role.rsplit("/", 1)[1]
    return f"arn:aws:sts::{account}:assumed-role/{name}/worker"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(action: str, resource: str, **more: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


# -- the public cases


@pytest.mark.parametrize("case", _denied_public_cases())
def test_every_fix_allows_the_request_when_a_public_case_is_denied(case: dict[str, Any]) -> None:
    """§8, §12: a fix is kept only if the request, decided again on the changed world, is allowed;
    the given world is left as it was, and fixes come fewest changes first."""
    world, request = World.from_dict(case["world"]), case["request"]
    denied = authorize(world, request)
    fixes = suggest_fixes(world, request)
    if denied.reason.value in NO_POLICY_FIX or denied.failed_step is None:
        # e.g. the request's own policy parameter is refused: no change to the world allows it
        assert fixes == (), f"{case['id']}: {denied.reason.value} has no policy fix"
        return
    assert fixes, f"{case['id']}: no fix for {denied.reason.value}"
    for fix in fixes:
        assert fix.decision.allowed
        assert authorize(apply_fix(world, fix), request).allowed, fix.description
        assert fix.to_dict()["changes"] and all(c.description for c in fix.changes)
    assert [rank(f.changes) for f in fixes] == sorted(rank(f.changes) for f in fixes)
    assert not authorize(world, request).allowed


def test_no_fix_is_suggested_when_the_request_is_already_allowed() -> None:
    """§12: nothing to fix on an allow."""
    world = World.from_dict(
        {
            "principals": {"users": [{"arn": ALICE, "policies": [_doc(_allow("*", "*"))]}]},
            "secrets": [{"arn": SECRETS[0]}],
        }
    )
    request = {"principal": ALICE, "action": "secretsmanager:GetSecretValue", "resource": SECRETS[0]}
    assert suggest_fixes(world, request) == ()


# -- what each reason produces


def test_missing_identity_grant_suggests_one_exact_statement_when_in_the_same_account() -> None:
    """§8.6 (c): in the secret's own account an identity policy is enough; the fix names the exact
    action and the exact secret ARN, in the caller's own identity policy."""
    world = World.from_dict({"principals": {"users": [{"arn": ALICE}]}, "secrets": [{"arn": SECRETS[0]}]})
    request = {"principal": ALICE, "action": "secretsmanager:GetSecretValue", "resource": SECRETS[0]}
    best = suggest_fixes(world, request)[0]
    assert len(best.changes) == 1
    change = best.changes[0]
    assert (change.action, change.policy, change.account, change.target) == (
        "add_statement",
        "identity policy of user alice",
        A,
        ALICE,
    )
    assert change.statement == _allow("secretsmanager:GetSecretValue", SECRETS[0])
    assert "It also allows" not in best.description


def test_cross_account_read_on_aws_managed_key_suggests_a_customer_managed_key() -> None:
    """§9.6, §10.5: aws/secretsmanager cannot be edited and never works across accounts, so the
    secret moves to a new customer managed key that lets the caller decrypt through Secrets
    Manager; the owner account keeps what the AWS managed key allowed it."""
    secret_policy = _doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ROLE_B},
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "*",
        }
    )
    world = World.from_dict(
        {
            "principals": {
                "roles": [
                    {"arn": ROLE_B, "policies": [_doc(_allow("secretsmanager:GetSecretValue", SECRETS[0]))]},
                    {"arn": ROLE_A, "policies": [_doc(_allow("secretsmanager:GetSecretValue", "*"))]},
                ]
            },
            "secrets": [{"arn": SECRETS[0], "resource_policy": secret_policy}],
        }
    )
    request = {
        "principal": _session(ROLE_B),
        "action": "secretsmanager:GetSecretValue",
        "resource": SECRETS[0],
    }
    assert authorize(world, request).failed_step.action == "kms:Decrypt"  # type: ignore[union-attr]
    best = suggest_fixes(world, request)[0]
    assert [c.action for c in best.changes] == ["use_customer_managed_key", "add_statement"]
    moved = apply_fix(world, best)
    key = moved.secret_key(moved.secret(SECRETS[0]))  # type: ignore[arg-type]
    assert (key.manager, key.account, key.region) == ("CUSTOMER", A, REGION)
    grant = best.changes[0].statement["Statement"][-1]  # type: ignore[index]
    assert grant["Principal"] == {"AWS": ROLE_B} and grant["Action"] == ["kms:Decrypt"]
    assert grant["Condition"]["StringEquals"]["kms:ViaService"] == f"secretsmanager.{REGION}.amazonaws.com"
    assert best.changes[1].statement["Resource"] == key.arn  # type: ignore[index]
    owner = {"principal": _session(ROLE_A), "action": "secretsmanager:GetSecretValue", "resource": SECRETS[0]}
    assert authorize(moved, owner).allowed and "takes away" not in best.description


def test_explicit_deny_is_removed_and_the_other_requests_it_lifts_are_named() -> None:
    """§8.2: only removing the deciding Deny helps; it may deny other requests too, and the fix
    says which of the world's accesses removing it grants besides the request."""
    deny = {"Effect": "Deny", "Action": "secretsmanager:*", "Resource": "*"}
    world = World.from_dict(
        {
            "principals": {
                "users": [{"arn": ALICE, "policies": [_doc(_allow("secretsmanager:*", "*"), deny)]}]
            },
            "secrets": [{"arn": s} for s in SECRETS[:2]],
        }
    )
    request = {"principal": ALICE, "action": "secretsmanager:DescribeSecret", "resource": SECRETS[0]}
    (fix,) = suggest_fixes(world, request)
    assert [(c.action, c.statement) for c in fix.changes] == [("remove_statement", deny)]
    assert "may deny other requests too" in fix.description
    for action in PROBE_ACTIONS:
        assert access_text(ALICE, action, SECRETS[1]) in fix.description


def test_unsupported_cross_account_action_gets_no_fix() -> None:
    """§10.4: an action outside the cross-account list (CreateSecret on another account's secret
    ARN) cannot be allowed by any policy, so there is no fix to suggest."""
    world = World.from_dict(
        {
            "principals": {"users": [{"arn": BOB, "policies": [_doc(_allow("*", "*"))]}]},
            "secrets": [
                {
                    "arn": SECRETS[0],
                    "resource_policy": _doc(
                        {"Effect": "Allow", "Principal": {"AWS": BOB}, "Action": "*", "Resource": "*"}
                    ),
                }
            ],
        }
    )
    request = {"principal": BOB, "action": "secretsmanager:CreateSecret", "resource": SECRETS[0]}
    decision = authorize(world, request)
    assert decision.reason.value == "XACCT_UNSUPPORTED_ACTION"
    assert suggest_fixes(world, request) == ()


def test_ranking_puts_a_fix_without_wildcards_first() -> None:
    """Ranking: with as many changes, a fix granting only the exact action on the exact ARN comes
    before one with ``*`` (``"Resource": "*"`` in a secret policy is the secret itself, §3.8), and
    one granting a write action to a principal of another account comes after the exact ones (§10.7)."""

    def add(policy: str, ref: PolicyRef, statement: dict[str, Any]) -> tuple[Change]:
        return (Change("add_statement", policy, A, ALICE, statement, "", ref),)

    mine, secret = PolicyRef(Slot.IDENTITY, ALICE, 0), PolicyRef(Slot.SECRET, SECRETS[0])
    exact = add("identity policy of user alice", mine, _allow("secretsmanager:GetSecretValue", SECRETS[0]))
    wild = add("identity policy of user alice", mine, _allow("secretsmanager:Get*", SECRETS[0]))
    in_secret = add(
        "secret policy of app/s0",
        secret,
        _allow("secretsmanager:GetSecretValue", "*", Principal={"AWS": ALICE}),
    )
    write = add(
        "secret policy of app/s0",
        secret,
        _allow("secretsmanager:PutSecretValue", "*", Principal={"AWS": BOB}),
    )
    assert sorted([wild, write, exact, in_secret], key=rank) == [exact, in_secret, write, wild]


# -- the property: a fix allows the request, and nothing it does not name


def _statements(draw: st.DrawFn, pool: list[dict[str, Any]], most: int) -> list[dict[str, Any]]:
    return draw(st.lists(st.sampled_from(pool), max_size=most, unique_by=lambda s: repr(s)))


@st.composite
def worlds(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two accounts, a user and a role in each, 1–3 secrets of A on a customer managed key or on
    aws/secretsmanager, random grants and denies on every side, sometimes an SCP allow-list on
    B's OU; and a denied GetSecretValue or DescribeSecret."""
    secrets = SECRETS[: draw(st.integers(1, 3))]
    callers = [ALICE, BOB, ROLE_A, ROLE_B]
    caller, action, target = (
        draw(st.sampled_from(callers)),
        draw(st.sampled_from(READS)),
        draw(st.sampled_from(secrets)),
    )
    identity = [
        *(_allow(a, r) for a in [*READS, "secretsmanager:*"] for r in [*secrets, "*"]),
        _allow("kms:Decrypt", KEY),
        _allow("kms:Decrypt", "*"),
        *({"Effect": "Deny", "Action": a, "Resource": s} for a in READS for s in secrets),
    ]
    resource = [
        {"Effect": e, "Principal": {"AWS": p}, "Action": a, "Resource": "*"}
        for e in ("Allow", "Allow", "Deny")
        for p in [*callers, B]
        for a in [*READS, "secretsmanager:*"]
    ]
    # half the time the caller's account and the secret policy already grant the action, so that
    # the search reaches the later steps (the KMS call, §10.5)
    ready = draw(st.booleans())
    own = [_allow(action, target)] if ready else []
    users = [
        {
            "arn": u,
            "policies": [_doc(*ss)] if (ss := _statements(draw, identity, 4) + own * (u == caller)) else [],
        }
        for u in (ALICE, BOB)
    ]
    if draw(st.booleans()):  # a permissions boundary on alice
        users[0]["permissions_boundary"] = _doc(
            _allow("secretsmanager:DescribeSecret", "*"), *_statements(draw, identity[:6], 2)
        )
    roles = [
        {
            "arn": r,
            "policies": [_doc(*ss)] if (ss := _statements(draw, identity, 4) + own * (r == caller)) else [],
        }
        for r in (ROLE_A, ROLE_B)
    ]
    key_policy = _statements(
        draw,
        [
            {"Effect": "Allow", "Principal": {"AWS": p}, "Action": "kms:*", "Resource": "*"}
            for p in (f"arn:aws:iam::{A}:root", f"arn:aws:iam::{B}:root", ALICE, ROLE_B)
        ],
        3,
    )
    world: dict[str, Any] = {
        "principals": {"users": users, "roles": roles},
        "kms_keys": [{"arn": KEY, "key_policy": _doc(*key_policy) if key_policy else None}],
        "secrets": [],
    }
    for arn in secrets:
        policy = _statements(draw, resource, 3)
        if ready and arn == target:
            policy.append(
                {"Effect": "Allow", "Principal": {"AWS": caller}, "Action": action, "Resource": "*"}
            )
        if draw(st.integers(1, 12)) == 7:  # AWS refuses a group principal (§3.4): INVALID_POLICY
            policy.append(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{B}:group/devs"},
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": "*",
                }
            )
        world["secrets"].append(
            {
                "arn": arn,
                "kms_key": draw(st.sampled_from([KEY, None])),
                "resource_policy": _doc(*policy) if policy else None,
            }
        )
    if draw(st.integers(1, 3)) == 2:  # SCPs: B's OU allows only some actions (§8.3)
        world["accounts"] = [
            {"id": A, "org_id": "o-1", "org_path": ["r-1"]},
            {"id": B, "org_id": "o-1", "org_path": ["r-1", "ou-b"]},
        ]
        only = _allow(draw(st.sampled_from(["sts:*", "secretsmanager:DescribeSecret", "kms:*"])), "*")
        world["organization"] = {
            "id": "o-1",
            "root_id": "r-1",
            "management_account": "999999999999",
            "full_aws_access_detached_from": ["ou-b"],
            "scps": [{"name": "OnlySome", "attached_to": "ou-b", "document": _doc(only)}],
        }
    request = {
        "principal": _session(caller) if ":role/" in caller else caller,
        "action": action,
        "resource": target,
    }
    return world, request


def _accesses(world: World) -> set[tuple[str, str, str]]:
    """Every (principal, action, secret) the world allows; a role stands for its sessions."""
    whos = [u.arn for u in world.users] + [r.arn for r in world.roles]
    return {
        (who, action, s.arn)
        for who in whos
        for s in world.secrets
        for action in PROBE_ACTIONS
        if authorize(world, {"principal": who, "action": action, "resource": s.arn}).allowed
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_a_fix_allows_the_request_and_nothing_it_does_not_name(
    drawn: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    """§8, §12: for every suggested fix the request becomes allowed, and comparing the decisions on
    every principal × secret × (GetSecretValue, DescribeSecret, PutSecretValue) before and after,
    every access gained is the request's own — except that removing a Deny (§8.2) or an invalid
    policy's statements (§3.4), or changing an SCP (§8.3), may lift others, which the fix's
    description then lists."""
    data, request = drawn
    world = World.from_dict(copy.deepcopy(data))
    decision = authorize(world, request)
    assume(not decision.allowed)
    event(f"denied: {decision.reason.value}")
    fixes = suggest_fixes(world, request)
    event(f"fixes: {len(fixes)}")
    before = _accesses(world)
    principal = request["principal"]
    who = ROLE_A if "/AppA/" in principal else ROLE_B if "/AppB/" in principal else principal
    for fix in fixes:
        event(f"fix: {'+'.join(c.action for c in fix.changes)}")
        changed = apply_fix(world, fix)
        assert authorize(changed, request).allowed, fix.description
        extra = _accesses(changed) - before - {(who, request["action"], request["resource"])}
        broad = any(c.action == "remove_statement" or c.policy.startswith("SCP ") for c in fix.changes)
        assert not extra or broad, f"{fix.description}\nalso allows {sorted(extra)}"
        for access in extra:
            assert access_text(*access) in fix.description, f"{fix.description}\nunnamed: {access}"
    assert World.from_dict(copy.deepcopy(data)).to_dict() == world.to_dict()  # the world is untouched


CREATE = {
    "principal": "arn:aws:sts::222222222222:assumed-role/SandboxDev/sam",
    "action": "secretsmanager:CreateSecret",
    "resource": "arn:aws:secretsmanager:us-east-1:222222222222:secret:sandbox/new-Sb9Nw3",
    "parameters": {"Name": "sandbox/new", "SecretString": True},
}


@pytest.mark.parametrize("named", [True, False], ids=["Name parameter", "ARN only"])
def test_a_fix_for_a_secret_not_made_yet_names_it_with_six_question_marks(named: bool) -> None:
    """Secrets Manager appends six random characters to a secret's ARN when it creates it, so a
    policy can only match them with ``??????``
    (https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html):
    the fix of a denied CreateSecret never pins the suffix the request happened to carry, and the
    fixed world allows the same CreateSecret whatever suffix AWS draws (issue #10)."""
    from secretslab import load_scenario

    from .conftest import ROOT

    world = load_scenario(ROOT / "data" / "organization-guardrails.json")
    request = copy.deepcopy(CREATE)
    if not named:
        request["parameters"] = {"SecretString": True}
    best = suggest_fixes(world, request)[0]
    pattern = "arn:aws:secretsmanager:us-east-1:222222222222:secret:sandbox/new-??????"
    text = json.dumps([c.statement for c in best.changes])
    assert "Sb9Nw3" not in text and pattern in text
    assert "Sb9Nw3" not in best.description
    fixed = apply_fix(world, best)
    for suffix in ("Sb9Nw3", "Qx7Lm2"):
        drawn = dict(request, resource=f"{pattern[:-6]}{suffix}")
        assert authorize(fixed, drawn).allowed
    other = dict(request, resource=f"{pattern[:-10]}newer-Qx7Lm2")
    assert not authorize(fixed, other).allowed
