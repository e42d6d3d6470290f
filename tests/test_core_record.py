"""What the core records so the edges never re-derive it: the plan of a decision, the stages of an
evaluation, every attached policy by reference, worlds as values, memos owned by the evaluator,
one context rule for both doors, service rules handed to the engine.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
(the flow and its stages), https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
(the KMS calls Secrets Manager makes for the caller), https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
(principal keys are set by AWS from the principal), https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
(key policy primacy).
"""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import pytest

import secretslab as sl
from secretslab.batch import LineError, Simulator, simulate
from secretslab.evaluation import EvalRequest, Stage, StageState
from secretslab.evaluation.context import Context
from secretslab.evaluation.memo import Memo
from secretslab.evaluation.principals import Principal
from secretslab.evaluation.request import Attached
from secretslab.policy import PolicyKind, PolicyRef, Slot, read_policy
from secretslab.services import rules_for
from secretslab.world import User

ROOT = Path(__file__).resolve().parent.parent
APP = "arn:aws:sts::222222222222:assumed-role/AppRole/worker"
DB = "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbC123"
LEGACY = "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/legacy-Zx9Yw8"
ALICE = "arn:aws:iam::111111111111:user/alice"
SECRET = "arn:aws:secretsmanager:us-east-1:111111111111:secret:team/s-AbCdEf"
GET = "secretsmanager:GetSecretValue"


@pytest.fixture(scope="module")
def read_world() -> sl.World:
    return sl.load_scenario(ROOT / "data" / "cross-account-read.json")


def _alice_world(**user: Any) -> sl.World:
    return sl.World.from_dict(
        {"principals": {"users": [{"arn": ALICE, **user}]}, "secrets": [{"arn": SECRET}]}
    )


def _resolve(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


# -- the plan of a decision


def test_plan_lists_every_call_in_order_when_all_are_reached(read_world: sl.World) -> None:
    decision = sl.authorize(read_world, {"principal": APP, "action": GET, "resource": DB})
    assert decision.allowed
    assert [(p.action, p.reached) for p in decision.plan] == [(GET, True), ("kms:Decrypt", True)]
    assert tuple(p.step for p in decision.plan) == decision.steps
    assert decision.unreached == ()


def test_plan_names_the_kms_call_not_reached_when_the_secret_call_is_denied() -> None:
    """GetSecretValue denied: the Decrypt Secrets Manager would make is planned, not reached."""
    world = _alice_world()
    decision = sl.authorize(world, {"principal": ALICE, "action": GET, "resource": SECRET})
    assert not decision.allowed and len(decision.steps) == 1
    (missing,) = decision.unreached
    assert missing.action == "kms:Decrypt" and not missing.reached and missing.step is None
    assert missing.why_not_reached.startswith("not reached: secretsmanager:GetSecretValue")
    assert missing.resource == world.secret_key(world.secrets[0]).arn


def test_plan_goes_on_past_a_hop_sts_refuses(read_world: sl.World) -> None:
    """A malformed session policy: STS refuses AssumeRole (MalformedPolicyDocument), nothing is
    evaluated, and every planned call is named as not reached."""
    request = {
        "principal": "arn:aws:sts::222222222222:assumed-role/AppRole/worker",
        "action": GET,
        "resource": DB,
        "assume_role_chain": [
            {"role_arn": "arn:aws:iam::222222222222:role/AppRole", "session_policies": [{"Statement": 3}]}
        ],
    }
    decision = sl.authorize(read_world, request)
    assert decision.reason is sl.Reason.INVALID_POLICY and decision.steps == ()
    assert [p.action for p in decision.plan] == ["sts:AssumeRole", GET, "kms:Decrypt"]
    assert all("refused" in p.why_not_reached for p in decision.plan)


def test_a_decision_without_a_plan_has_the_same_outcome() -> None:
    world = _alice_world()
    request = {"principal": ALICE, "action": GET, "resource": SECRET}
    bare, full = sl.authorize(world, request, plan=False), sl.authorize(world, request)
    assert bare.plan == () and full.plan
    assert bare.to_dict() == full.to_dict()


# -- the stages of an evaluation


def test_stages_follow_the_flow_and_mark_the_deciding_one(read_world: sl.World) -> None:
    ev = sl.authorize(read_world, {"principal": APP, "action": GET, "resource": LEGACY}).steps[1].evaluation
    assert [s.stage for s in ev.stages] == list(Stage)
    decided = [s.stage for s in ev.stages if s.state is StageState.DECIDED]
    assert decided == [ev.decided_at] == [Stage.RESOURCE]
    after = [s.state for s in ev.stages][list(Stage).index(Stage.RESOURCE) + 1 :]
    assert set(after) == {StageState.NOT_REACHED}


def test_stages_are_shown_in_the_order_of_aws_page() -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html:
    deny evaluation, RCPs, SCPs, resource-based policies, identity-based policies, permissions
    boundaries, session policies."""
    assert list(Stage) == [
        Stage.DENY,
        Stage.RCP,
        Stage.SCP,
        Stage.RESOURCE,
        Stage.IDENTITY,
        Stage.BOUNDARY,
        Stage.SESSION,
        Stage.DECISION,
    ]
    assert [s.heading for s in Stage][1:3] == [
        "Resource control policies (RCPs)",
        "Service control policies (SCPs)",
    ]


def test_an_scp_implicit_deny_comes_after_the_rcps_it_passed() -> None:
    world = sl.load_scenario(ROOT / "data" / "organization-guardrails.json")
    create = sl.authorize(
        world,
        {
            "principal": "arn:aws:sts::222222222222:assumed-role/SandboxDev/sam",
            "action": "secretsmanager:CreateSecret",
            "resource": "arn:aws:secretsmanager:us-east-1:222222222222:secret:sandbox/new-Sb9Nw3",
            "parameters": {"Name": "sandbox/new", "SecretString": True},
        },
    )
    ev = create.failed_step.evaluation
    states = {s.stage: s.state for s in ev.stages}
    assert ev.decided_at is Stage.SCP and states[Stage.SCP] is StageState.DECIDED
    assert states[Stage.RCP] in (StageState.PASSED, StageState.NOT_APPLICABLE)
    assert states[Stage.RESOURCE] is StageState.NOT_REACHED


def test_explicit_deny_is_decided_at_the_deny_stage() -> None:
    deny = {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    world = _alice_world(policies=[deny])
    ev = sl.authorize(world, {"principal": ALICE, "action": GET, "resource": SECRET}).steps[0].evaluation
    assert ev.outcome is sl.Outcome.EXPLICIT_DENY and ev.decided_at is Stage.DENY
    assert ev.stages[0].state is StageState.DECIDED
    assert all(s.state is StageState.NOT_REACHED for s in ev.stages[1:])


# -- every attached policy by reference


def test_policies_name_every_policy_with_a_path_that_resolves() -> None:
    world = sl.load_scenario(ROOT / "data" / "organization-guardrails.json")
    data = world.to_dict()
    refs = world.policies()
    assert {r.slot for r, _ in refs} >= {Slot.SCP, Slot.IDENTITY, Slot.SECRET, Slot.KEY}
    for ref, policy in refs:
        assert world.policy(ref) is policy
        assert _resolve(data, world.policy_path(ref)) == policy.source


def test_with_policy_returns_a_new_world_and_leaves_the_old_one() -> None:
    world = _alice_world()
    ref = PolicyRef(Slot.IDENTITY, ALICE, 0)
    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": GET, "Resource": SECRET}]}
    after = world.with_policy(ref, allow)
    request = {"principal": ALICE, "action": GET, "resource": SECRET}
    assert sl.authorize(after, request).reason is sl.Reason.ALLOWED_IDENTITY
    assert world.policy(ref) is None and not sl.authorize(world, request).allowed
    assert after.policy(ref) is not None and after.policy(ref).kind is PolicyKind.IDENTITY
    assert not sl.authorize(after.without_policy(ref), request).allowed
    with pytest.raises(KeyError):
        world.without_policy(ref)


def test_evaluations_carry_the_reference_of_each_policy(read_world: sl.World) -> None:
    ev = sl.authorize(read_world, {"principal": APP, "action": GET, "resource": DB}).steps[0].evaluation
    for result in ev.policies:
        assert result.ref is not None and read_world.policy(result.ref) is result.policy


# -- worlds are values


def test_replace_rebuilds_the_index_instead_of_sharing_it() -> None:
    world = _alice_world()
    without = dataclasses.replace(world, users=())
    assert world.user(ALICE) is not None and without.user(ALICE) is None
    bob = "arn:aws:iam::111111111111:user/bob"
    assert dataclasses.replace(world, users=(*world.users, User(bob))).user(bob) is not None


def test_problems_of_a_world_built_in_code_are_located_by_the_model() -> None:
    bad = read_policy(
        {"Statement": [{"Effect": "Maybe", "Action": GET, "Resource": "*"}]}, PolicyKind.IDENTITY
    )
    world = sl.World(users=(User(ALICE, policies=(bad,)),))
    errors = [p for p in world.problems if p.is_error]
    assert errors and errors[0].path[:5] == ("principals", "users", 0, "policies", 0)
    assert errors[0].code == sl.ProblemCode.INVALID_EFFECT


# -- memos belong to the evaluator


def test_statements_hold_no_memo_and_a_memo_changes_no_result(read_world: sl.World) -> None:
    decision = sl.authorize(read_world, {"principal": APP, "action": GET, "resource": DB})
    policy = decision.steps[0].evaluation.policies[0].policy
    assert not hasattr(policy.statements[0], "memo") and not hasattr(policy, "forget")
    req = _kms_request(key_policy=None, identity=True)
    assert sl.evaluate(req, Memo()).to_dict() == sl.evaluate(req).to_dict()


# -- one context rule in both doors; rules handed to the engine


def test_batch_line_cannot_set_principal_identity_keys() -> None:
    """aws:PrincipalAccount is set by AWS from the principal: a batch line claiming the
    resource's account does not turn a cross-account request into a same-account one."""
    line = {
        "principal": "arn:aws:iam::222222222222:user/mallory",
        "action": GET,
        "resource": SECRET,
        "context": {"aws:PrincipalAccount": "111111111111"},
        "identity_policies": [{"Statement": [{"Effect": "Allow", "Action": GET, "Resource": "*"}]}],
        "resource_policy": {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": GET,
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:PrincipalAccount": "111111111111"}},
                }
            ]
        },
    }
    evaluation = Simulator().evaluate(line)
    assert evaluation.context.get("aws:principalaccount") == ("222222222222",)
    assert evaluation.reason is sl.Reason.XACCT_NO_RESOURCE_GRANT


@pytest.mark.parametrize(
    "spoofed",
    [
        {"aws:PrincipalAccount": "111111111111"},
        {"aws:PrincipalArn": "arn:aws:iam::111111111111:user/alice"},
        {"aws:userid": "AIDAALICE", "aws:username": "alice", "aws:PrincipalType": "User"},
    ],
)
def test_a_batch_file_line_cannot_claim_another_identity(spoofed: dict[str, str]) -> None:
    """Issue 9 item 7, through the batch door ``simulate`` reads (semantics §7, revised 2026-12;
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html):
    the principal keys of a line's context are ignored, so a cross-account deny stays a deny."""
    condition = {"StringEquals": {k: v for k, v in spoofed.items() if k != "aws:PrincipalType"}}
    line = {
        "id": 1,
        "principal": "arn:aws:iam::222222222222:user/mallory",
        "action": GET,
        "resource": SECRET,
        "context": spoofed,
        "identity_policies": [{"Statement": [{"Effect": "Allow", "Action": GET, "Resource": "*"}]}],
        "resource_policy": {
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": GET, "Resource": "*", "Condition": condition}
            ]
        },
    }
    out = io.BytesIO()
    assert simulate(io.BytesIO(json.dumps(line).encode()), out) == (1, 0)
    result = json.loads(out.getvalue())
    assert (result["outcome"], result["reason"]) == ("implicit_deny", "XACCT_NO_RESOURCE_GRANT"), result
    # the same line without the spoofed keys decides the same: the context never mattered
    out = io.BytesIO()
    simulate(io.BytesIO(json.dumps({**line, "context": {}}).encode()), out)
    assert json.loads(out.getvalue()) == result


def _kms_request(*, key_policy: dict[str, Any] | None, identity: bool, kms_rules: bool = True) -> EvalRequest:
    key = "arn:aws:kms:us-east-1:111111111111:key/k1"
    principal = Principal.from_arn(ALICE)
    assert principal is not None
    allow = {"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}
    return EvalRequest(
        principal,
        "kms:Decrypt",
        key,
        "111111111111",
        Context.of([]),
        rules_for("kms:Decrypt", key) if kms_rules else rules_for("s3:GetObject"),
        (Attached("identity", read_policy(allow, PolicyKind.IDENTITY)),) if identity else (),
        resource_policy=Attached("key policy", read_policy(key_policy, PolicyKind.KEY))
        if key_policy
        else None,
    )


def test_the_engine_applies_the_rules_it_is_handed() -> None:
    """KMS: an identity Allow counts only when the key policy lets the account's IAM policies
    grant access; with the default rules it would count on its own."""
    assert (
        sl.evaluate(_kms_request(key_policy=None, identity=True)).reason is sl.Reason.KMS_KEY_POLICY_NO_GRANT
    )
    default = _kms_request(key_policy=None, identity=True, kms_rules=False)
    assert sl.evaluate(default).reason is sl.Reason.ALLOWED_IDENTITY
    delegate = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ]
    }
    assert sl.evaluate(_kms_request(key_policy=delegate, identity=True)).reason is sl.Reason.ALLOWED_IDENTITY


def test_explicit_deny_stays_decided_at_the_deny_stage_next_to_an_invalid_policy() -> None:
    """The reason becomes INVALID_POLICY (reported first), but the flow still ends at the deny."""
    deny = {"Statement": [{"Effect": "Deny", "Action": GET, "Resource": "*"}]}
    bad = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": GET, "Resource": "*", "Oops": 1}]}
    world = sl.World.from_dict(
        {
            "principals": {"users": [{"arn": ALICE, "policies": [deny]}]},
            "secrets": [{"arn": SECRET, "resource_policy": bad}],
        }
    )
    ev = sl.authorize(world, {"principal": ALICE, "action": GET, "resource": SECRET}).steps[0].evaluation
    assert ev.outcome is sl.Outcome.EXPLICIT_DENY and ev.reason is sl.Reason.INVALID_POLICY
    assert ev.decided_at is Stage.DENY and ev.stages[0].state is StageState.DECIDED


@pytest.mark.parametrize("account", ["111111111111\n", "١١١١١١١١١١١١", "11111111111"])
def test_an_account_id_is_exactly_twelve_ascii_digits(account: str) -> None:
    """Account ids are 12 digits (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html):
    a trailing newline or other scripts' digits are refused, in a world and in a batch line."""
    with pytest.raises(sl.ScenarioError):
        sl.World.from_dict({"accounts": [{"id": account}]})
    line = {"principal": ALICE, "action": GET, "resource": SECRET, "resource_account": account}
    with pytest.raises(LineError):
        Simulator().request(line)


def test_a_null_resource_is_refused_in_both_doors() -> None:
    line = {"principal": ALICE, "action": GET, "resource": None}
    with pytest.raises(LineError):
        Simulator().request(line)
    with pytest.raises(sl.ScenarioError):
        sl.Request.from_dict(line)


def test_kms_caller_account_is_derived_never_taken_from_the_context() -> None:
    """kms:CallerAccount is the caller's account, set by KMS
    (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account)."""
    line = {
        "principal": "arn:aws:iam::222222222222:user/mallory",
        "action": "kms:Decrypt",
        "resource": "arn:aws:kms:us-east-1:111111111111:key/k1",
        "context": {"kms:CallerAccount": "111111111111"},
    }
    assert Simulator().evaluate(line).context.get("kms:calleraccount") == ("222222222222",)


def test_a_reference_must_name_a_place_the_world_has() -> None:
    world = sl.load_scenario(ROOT / "data" / "organization-guardrails.json")
    scp = next(r for r, _ in world.policies() if r.slot is Slot.SCP)
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    with pytest.raises(KeyError):
        world.with_policy(PolicyRef(Slot.SCP, "ou-nowhere", scp.index), doc)
    user = world.users[0].arn
    with pytest.raises(KeyError):
        world.with_policy(PolicyRef(Slot.TRUST, user), doc)


def test_an_unlisted_aws_managed_key_has_no_reference() -> None:
    """aws/secretsmanager exists in every account without being listed: its policy has no place
    in the world to edit, so its evaluation carries no PolicyRef."""
    world = _alice_world()
    decision = sl.authorize(world, {"principal": ALICE, "action": GET, "resource": SECRET})
    assert all(k.arn != world.secret_key(world.secrets[0]).arn for k in world.keys)
    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": GET, "Resource": SECRET}]}
    allowed = sl.authorize(world.with_policy(PolicyRef(Slot.IDENTITY, ALICE, 0), allow), decision.request)
    kms = allowed.steps[1].evaluation
    assert [p.ref for p in kms.policies if p.role is sl.PolicyRole.RESOURCE] == [None]
