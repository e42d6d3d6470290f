"""The notebooks' exercise checkers: a right answer says so, a wrong one says why (with the reason the
package found), and no input at all makes a checker raise."""

from __future__ import annotations

import json
import time
from importlib import resources
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import secretslab as sl
from secretslab import exercises as ex

from .conftest import ROOT

PREFIX = "arn:aws:secretsmanager:us-east-1:111111111111:secret"


@pytest.fixture(scope="module")
def identity_world() -> sl.World:
    return sl.load_scenario(ROOT / "data" / "identity-vs-resource.json")


@pytest.fixture(scope="module")
def people_world() -> sl.World:
    return sl.load_scenario(ROOT / "data" / "people-come-and-go.json")


@pytest.fixture(scope="module")
def guardrails_world() -> sl.World:
    return sl.load_scenario(ROOT / "data" / "organization-guardrails.json")


def identity_policy(action: Any, resource: Any) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}],
    }


# -- 01


def test_check_01_says_right_when_the_group_policy_grants_exactly_the_secret(
    identity_world: sl.World,
) -> None:
    answer = identity_policy("secretsmanager:GetSecretValue", f"{PREFIX}:team/shared-config-??????")
    message = ex.check_01(answer, identity_world)
    assert message.startswith("Right"), message
    assert "ALLOWED_IDENTITY" in message


def test_check_01_accepts_json_text(identity_world: sl.World) -> None:
    text = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": '
        f'"secretsmanager:GetSecretValue", "Resource": "{PREFIX}:team/shared-config-Hc5Rn8"}}]}}'
    )
    assert ex.check_01(text, identity_world).startswith("Right")


def test_check_01_explains_the_implicit_principal_when_the_answer_names_the_group(
    identity_world: sl.World,
) -> None:
    answer = identity_policy("secretsmanager:GetSecretValue", "*")
    answer["Statement"][0]["Principal"] = {"AWS": "arn:aws:iam::111111111111:group/devs"}
    message = ex.check_01(answer, identity_world)
    assert message.startswith("Not yet")
    assert "PRINCIPAL_NOT_ALLOWED" in message and "$.Statement[0].Principal" in message
    assert "implicit" in message


def test_check_01_names_the_located_problem_when_the_placeholder_is_left(identity_world: sl.World) -> None:
    message = ex.check_01(identity_policy("secretsmanager:GetSecretValue", "..."), identity_world)
    assert (
        message.startswith("Not yet")
        and "INVALID_RESOURCE" in message
        and "$.Statement[0].Resource" in message
    )


def test_check_01_says_why_when_the_policy_names_another_secret(identity_world: sl.World) -> None:
    message = ex.check_01(
        identity_policy("secretsmanager:GetSecretValue", f"{PREFIX}:team/db-??????"), identity_world
    )
    assert message.startswith("Not yet")
    assert "NO_APPLICABLE_ALLOW" in message and "no Resource pattern matches" in message


def test_check_01_lists_the_extra_accesses_when_the_policy_grants_more(identity_world: sl.World) -> None:
    message = ex.check_01(
        identity_policy("secretsmanager:*", f"{PREFIX}:team/shared-config-??????"), identity_world
    )
    assert message.startswith("Not yet")
    assert "PutSecretValue" in message and "DeleteSecret" in message


def test_check_01_warns_of_future_secrets_when_the_resource_is_a_wildcard(identity_world: sl.World) -> None:
    message = ex.check_01(identity_policy("secretsmanager:GetSecretValue", "*"), identity_world)
    assert message.startswith("Not yet") and "tomorrow" in message


@pytest.mark.parametrize(
    ("pattern", "new_secret"), [("team/s*", "team/s-new-secret"), ("team/shared-*", "team/shared-new-secret")]
)
def test_check_01_names_the_new_secret_a_prefix_pattern_also_grants(
    identity_world: sl.World, pattern: str, new_secret: str
) -> None:
    """Issue #10: both patterns were accepted for "nothing more than team/shared-config"; a
    pattern reaches the secrets created later under its prefix."""
    message = ex.check_01(
        identity_policy("secretsmanager:GetSecretValue", f"{PREFIX}:{pattern}"), identity_world
    )
    assert message.startswith("Not yet"), message
    assert (
        f"{new_secret} in 111111111111 us-east-1 (a secret that does not exist yet)" in message
        and "user/alice" in message
    )


def test_check_01_asks_for_the_world_when_it_is_missing() -> None:
    assert "identity-vs-resource.json" in ex.check_01(identity_policy("secretsmanager:GetSecretValue", "*"))


# -- 02

RIGHT_CONDITION = {
    "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]},
    "Null": {"aws:TagKeys": "false"},
}


def test_check_02_says_right_when_the_null_check_closes_the_gap() -> None:
    assert ex.check_02(RIGHT_CONDITION).startswith("Right")


def test_check_02_explains_the_absent_key_when_for_all_values_stands_alone() -> None:
    message = ex.check_02({"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}})
    assert message.startswith("Not yet")
    assert (
        "no Tags at all is allowed" in message and "ForAllValues is true when there are no values" in message
    )


def test_check_02_explains_the_extra_tag_when_for_any_value_is_used() -> None:
    message = ex.check_02({"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "env"]}})
    assert message.startswith("Not yet") and "'owner'" in message


def test_check_02_names_only_create_secret_for_no_tags_and_reads_an_empty_tags_list() -> None:
    # TagResource requires Tags:
    # https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_TagResource.html
    message = ex.check_02({"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}})
    assert "  - CreateSecret with no Tags at all is allowed" in message
    assert "an empty Tags list is allowed" in message and "aws:TagKeys is empty" in message
    assert "TagResource with no Tags" not in message and "= :" not in message


@pytest.mark.parametrize(
    "operator, why",
    [
        ("ForAllValues:StringEquals", "aws:TagKeys is empty: ForAllValues is true when there are no values"),
        ("ForAnyValue:StringEquals", "aws:TagKeys is empty: ForAnyValue needs at least one matching value"),
    ],
)
def test_an_empty_multivalued_key_reads_empty(operator: str, why: str) -> None:
    # set operators over a key with no values:
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    world = ex.tagging_world({operator: {"aws:TagKeys": ["team", "env"]}})
    decision = sl.authorize(world, ex.tagging_request({}))
    step = decision.main_step or decision.failed_step
    assert step is not None
    whys = [c.why for p in step.evaluation.policies for r in p.statements() for c in r.conditions]
    assert why in whys, whys


def test_check_02_asks_every_approved_set_in_the_must_allow_direction() -> None:
    # a RequestTag/team condition denies the env-only tags the exercise must allow
    team_required = {"StringLike": {"aws:RequestTag/team": "*"}}
    message = ex.check_02({"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}, **team_required})
    assert message.startswith("Not yet")
    assert "CreateSecret with Tags ['env'] is denied but must be allowed" in message


@pytest.mark.parametrize(
    "operator, values, near_miss",
    [
        ("ForAllValues:StringLike", ["team*", "env*"], "'teamowner'"),
        # tag keys are case sensitive: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_TagResource.html
        ("ForAllValues:StringEqualsIgnoreCase", ["team", "env"], "'Team'"),
    ],
)
def test_check_02_denies_near_miss_tag_keys(operator: str, values: list[str], near_miss: str) -> None:
    message = ex.check_02({operator: {"aws:TagKeys": values}, "Null": {"aws:TagKeys": "false"}})
    assert message.startswith("Not yet") and near_miss in message
    assert "is allowed but must be denied" in message


def test_check_02_lists_only_the_smallest_wrongly_allowed_sets() -> None:
    prefixes = {"ForAllValues:StringLike": {"aws:TagKeys": ["team*", "env*"]}}
    message = ex.check_02({**prefixes, "Null": {"aws:TagKeys": "false"}})
    assert message.count("\n  - ") == 1 and "Tags ['teamowner']" in message


def test_check_02_right_says_what_was_checked_and_stays_fast() -> None:
    started = time.perf_counter()
    message = ex.check_02(RIGHT_CONDITION)
    assert time.perf_counter() - started < 0.5
    assert "3 non-empty sets of approved tag keys" in message and "other 30 sets" in message
    assert "Team" in message and "teamowner" in message and "case sensitive" in message
    both = {**RIGHT_CONDITION, "ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "env"]}}
    assert ex.check_02(both).startswith("Right")


def test_check_02_reports_an_unknown_operator_with_its_path() -> None:
    message = ex.check_02({"StringEqualz": {"aws:TagKeys": "team"}})
    assert (
        message.startswith("Not yet")
        and "UNKNOWN_OPERATOR" in message
        and "$.Statement[0].Condition" in message
    )


def test_check_02_decides_with_the_package() -> None:
    world = ex.tagging_world(RIGHT_CONDITION)
    for tags, expected in ex.TAGGING_REQUESTS:
        assert sl.authorize(world, ex.tagging_request(tags)).allowed is expected


# -- 03


@pytest.mark.parametrize(
    "pieces, path",
    [
        ({"secret-policy", "cmk", "key-policy", "caller-get", "caller-decrypt"}, "direct"),
        (["caller-assume", "trust", "reader-get"], "through SecretReader"),
    ],
)
def test_check_03_says_right_for_the_smallest_set_of_each_path(pieces: Any, path: str) -> None:
    message = ex.check_03(pieces)
    assert message.startswith("Right") and f"for the {path} path" in message, message


def test_check_03_explains_that_aws_managed_key_fails_across_accounts() -> None:
    message = ex.check_03({"secret-policy", "caller-get", "caller-decrypt"})
    assert message.startswith("Not yet")
    assert "kms:Decrypt" in message and "XACCT_NO_RESOURCE_GRANT" in message


def test_check_03_says_key_policy_needs_a_customer_managed_key() -> None:
    message = ex.check_03({"secret-policy", "caller-get", "caller-decrypt", "key-policy"})
    assert message.startswith("Not yet") and "nobody can edit it" in message


def test_check_03_names_the_pieces_not_needed() -> None:
    message = ex.check_03({"caller-assume", "trust", "reader-get", "secret-policy"})
    assert message.startswith("Not yet") and "secret-policy is not needed" in message


def test_check_03_names_what_the_spare_pieces_also_grant() -> None:
    every = {
        "caller-assume",
        "trust",
        "reader-get",
        "caller-get",
        "caller-decrypt",
        "cmk",
        "key-policy",
        "secret-policy",
    }
    message = ex.check_03(every)
    assert message.startswith("Not yet") and "grant more than the read" in message
    assert "sts:AssumeRole on role/SecretReader" in message


def test_check_03_suggests_a_close_piece_name() -> None:
    assert "did you mean 'caller-assume'" in ex.check_03(["trust", "reader-get", "caller-asume"])


def test_check_03_says_what_breaks_without_each_piece() -> None:
    message = ex.check_03({"caller-assume", "trust", "reader-get"})
    assert "without trust (prod)" in message and "TRUST_POLICY_NO_MATCH" in message


# -- 04


def test_check_04_says_right_when_the_current_team_is_named(people_world: sl.World) -> None:
    assert ex.check_04(["alice", "bob", "carol"], people_world).startswith("Right")
    arns = [f"arn:aws:iam::111111111111:user/{n}" for n in ("alice", "bob", "carol")]
    assert ex.check_04(arns, people_world).startswith("Right")


def test_check_04_names_the_joiner_and_the_leavers_when_the_january_list_is_kept(
    people_world: sl.World,
) -> None:
    message = ex.check_04(["alice", "bob", "dave", "erin"], people_world)
    assert message.startswith("Not yet")
    assert "carol is on the team but cannot read it" in message
    assert "dave can read it but is not on the team" in message
    assert "erin is named" in message and "NoSecretsAfterLeaving" in message


def test_check_04_explains_that_a_group_cannot_be_named(people_world: sl.World) -> None:
    message = ex.check_04(["arn:aws:iam::111111111111:group/payments-team"], people_world)
    assert message.startswith("Not yet") and "GROUP_PRINCIPAL" in message


def test_check_04_refuses_a_principal_that_does_not_exist(people_world: sl.World) -> None:
    assert "no principal user/frank" in ex.check_04(["alice", "bob", "carol", "frank"], people_world)


@pytest.mark.parametrize(
    "answer, readers",
    [
        (["arn:aws:iam::111111111111:root"], "today: nobody read it"),
        (["alice", "bob", "carol", "111111111111"], "today: user/alice, user/bob, user/carol read it"),
    ],
)
def test_check_04_explains_that_naming_the_account_delegates_to_its_iam_policies(
    answer: list[str], readers: str, people_world: sl.World
) -> None:
    # an account principal always exists and delegates to the account's identity policies:
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
    message = ex.check_04(answer, people_world)
    assert message.startswith("Not yet") and "no principal" not in message
    assert "arn:aws:iam::111111111111:root names the account 111111111111" in message
    assert "whose identity policy allows" in message and readers in message


def test_check_04_refuses_an_account_the_world_does_not_hold(people_world: sl.World) -> None:
    message = ex.check_04(["arn:aws:iam::999999999999:root"], people_world)
    assert message.startswith("Not yet") and "no account 999999999999" in message
    assert "could not be checked" not in message


# -- 05


def test_check_05_says_right_for_the_smallest_fix(guardrails_world: sl.World) -> None:
    request = {"principal": ex.CONTRACTOR, "action": ex.GET, "resource": ex.PROD_DB}
    fix = sl.suggest_fixes(guardrails_world, request)[0]
    message = ex.check_05(sl.apply_fix(guardrails_world, fix), guardrails_world)
    assert message.startswith("Right"), message


def test_check_05_accepts_the_world_as_a_dict(guardrails_world: sl.World) -> None:
    request = {"principal": ex.CONTRACTOR, "action": ex.GET, "resource": ex.PROD_DB}
    fix = sl.suggest_fixes(guardrails_world, request)[0]
    assert ex.check_05(sl.apply_fix(guardrails_world, fix).to_dict(), guardrails_world).startswith("Right")


def test_check_05_explains_the_boundary_when_nothing_changed(guardrails_world: sl.World) -> None:
    message = ex.check_05(guardrails_world, guardrails_world)
    assert message.startswith("Not yet") and "PB_IMPLICIT_DENY" in message


def test_check_05_lists_what_else_changes_when_the_boundary_is_removed(guardrails_world: sl.World) -> None:
    data = guardrails_world.to_dict()
    user = next(u for u in data["principals"]["users"] if u["arn"] == ex.CONTRACTOR)
    user["permissions_boundary"] = None
    message = ex.check_05(sl.World.from_dict(data), guardrails_world)
    assert message.startswith("Not yet") and "PutSecretValue" in message and "DeleteSecret" in message


def test_check_05_names_the_other_actions_a_wider_boundary_grants(guardrails_world: sl.World) -> None:
    """Issue #10: a boundary that also allows RotateSecret and UpdateSecretVersionStage was
    accepted, because the diff asked four actions; the check asks every action."""
    data = guardrails_world.to_dict()
    user = next(u for u in data["principals"]["users"] if u["arn"] == ex.CONTRACTOR)
    actions = [
        "secretsmanager:GetSecretValue",
        "secretsmanager:RotateSecret",
        "secretsmanager:UpdateSecretVersionStage",
    ]
    user["permissions_boundary"]["Statement"].append(
        {"Effect": "Allow", "Action": actions, "Resource": ex.PROD_DB}
    )
    message = ex.check_05(sl.World.from_dict(data), guardrails_world)
    assert message.startswith("Not yet"), message
    assert "secretsmanager:RotateSecret, secretsmanager:UpdateSecretVersionStage on secret:prod/db" in message


# -- garbage never raises

GARBAGE: list[Any] = [
    None, 0, 1.5, True, "", "{", "[]", "null", b"\xff", [], {}, [None], {"Statement": None},
    {"Version": "2012-10-17", "Statement": [{}]}, {1: 2}, {"a": object()}, object(), {"x"},
    [["nested"]], {"ForAllValues:StringEquals": None}, {"Null": {"aws:TagKeys": ["maybe"]}},
    {"principals": "nobody"}, ["alice", 3], float("nan"), "x" * 10_000,
]  # fmt: skip

CHECKS = {"01": ex.check_01, "02": ex.check_02, "03": ex.check_03, "04": ex.check_04, "05": ex.check_05}


@pytest.mark.parametrize("name", sorted(CHECKS))
@pytest.mark.parametrize("answer", GARBAGE, ids=[f"garbage{i}" for i in range(len(GARBAGE))])
def test_checker_never_raises_on_garbage(
    name: str, answer: Any, identity_world: sl.World, people_world: sl.World, guardrails_world: sl.World
) -> None:
    worlds = {"01": identity_world, "04": people_world, "05": guardrails_world}
    check = CHECKS[name]
    args = (answer, worlds[name]) if name in worlds else (answer,)
    message = check(*args)  # type: ignore[operator]
    assert isinstance(message, str) and message.startswith("Not yet")
    assert "could not be checked" not in message, message  # each shape gets a real explanation


@pytest.mark.parametrize("name", ["01", "04", "05"])
@pytest.mark.parametrize("world", [None, 3, "data/identity-vs-resource.json", sl.World()])
def test_checker_asks_for_the_right_world(name: str, world: Any) -> None:
    message = CHECKS[name](None, world)  # type: ignore[operator]
    assert message.startswith("Not yet") and ".json" in message


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
piece_names = st.sampled_from([*ex.PIECES, "", "cmk ", "Trust"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=json_values | st.sets(piece_names) | st.lists(piece_names))
def test_no_answer_makes_a_checker_raise(
    answer: Any, identity_world: sl.World, people_world: sl.World, guardrails_world: sl.World
) -> None:
    for message in (
        ex.check_01(answer, identity_world),
        ex.check_02(answer),
        ex.check_03(answer),
        ex.check_04(answer, people_world),
        ex.check_05(answer, guardrails_world),
    ):
        assert isinstance(message, str) and message.startswith(("Right", "Not yet"))


# -- the worlds shipped with the checkers

WORLDS = resources.files("secretslab.exercises") / "worlds"
SHIPPED = sorted(f.name for f in WORLDS.iterdir() if "world" in json.loads(f.read_text(encoding="utf-8")))


def test_the_worlds_of_exercises_02_and_03_are_shipped() -> None:
    assert SHIPPED == ["cross-account.json", "tagging.json"]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_world_is_a_scenario_whose_expectations_hold(name: str) -> None:
    resource = WORLDS / name
    document = json.loads(resource.read_text(encoding="utf-8"))
    assert all(isinstance(document.get(f), str) and document[f].strip() for f in ("title", "description"))
    with resources.as_file(resource) as path:
        world = sl.load_scenario(path)
    assert not [p for p in world.problems if p.is_error]
    assert document["expectations"]
    for expectation in document["expectations"]:
        decision = sl.authorize(world, expectation["request"])
        assert (decision.decision, decision.reason.value) == (expectation["decision"], expectation["reason"])


@pytest.mark.parametrize("piece", sorted(ex.PIECES))
def test_each_piece_changes_the_world_of_exercise_03(piece: str) -> None:
    assert ex.pieces_world({piece}).to_dict() != ex.pieces_world(set()).to_dict()


def test_all_pieces_together_make_a_world_without_error_problems() -> None:
    assert not [p for p in ex.pieces_world(ex.PIECES).problems if p.is_error]
