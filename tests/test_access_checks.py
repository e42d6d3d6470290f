"""The access checks over every request (IAM Access Analyzer's custom policy checks, offline):
``check_no_new_access``, ``check_access_not_granted`` and ``check_no_public_access`` find a
witness — a concrete request, with the statements that allow it — for every kind of new access,
including secrets that do not exist yet and principals of accounts the world does not hold.

AWS pages:
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-custom-policy-checks.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-concepts.html (zone of trust),
https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html,
https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import secretslab as sl

DATA = Path(__file__).resolve().parent.parent / "data"
GET = "secretsmanager:GetSecretValue"
SECRET = "arn:aws:secretsmanager:us-east-1:111111111111:secret"
DEVS = "arn:aws:iam::111111111111:group/devs"
ALICE = "arn:aws:iam::111111111111:user/alice"
PROD_DB = f"{SECRET}:prod/db-AbC123"
PROD_LEGACY = f"{SECRET}:prod/legacy-Zx9Yw8"


def _data(name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((DATA / f"{name}.json").read_text())["world"])


def _world(data: dict[str, Any]) -> sl.World:
    return sl.World.from_dict(data)


def _with_devs_policy(resource: str | list[str], action: str | list[str] = GET) -> tuple[sl.World, sl.World]:
    data = _data("identity-vs-resource")
    before = _world(copy.deepcopy(data))
    group = next(g for g in data["principals"]["groups"] if g["arn"] == DEVS)
    group["policies"].append(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}
    )
    return before, _world(data)


def _keys(result: sl.CheckResult) -> set[tuple[str, str, str]]:
    return {(w.principal, w.action, w.resource) for w in result.witnesses}


# -- check_no_new_access


@pytest.mark.parametrize("name", sorted(p.stem for p in DATA.glob("*.json")))
def test_a_world_gives_itself_no_new_access(name: str) -> None:
    world = sl.load_scenario(DATA / f"{name}.json")
    result = sl.check_no_new_access(world, world)
    assert result.passed and result.witnesses == ()
    assert result.scope.requests > 0
    assert "PASS" in str(result) and result.to_dict()["result"] == "PASS"


def test_the_exact_arn_grants_only_the_one_secret() -> None:
    before, after = _with_devs_policy(f"{SECRET}:team/shared-config-Hc5Rn8")
    result = sl.check_no_new_access(before, after)
    assert _keys(result) == {(ALICE, GET, f"{SECRET}:team/shared-config-Hc5Rn8")}


@pytest.mark.parametrize(
    ("pattern", "new_secret"),
    [
        ("team/s*", "team/s-new-secret"),
        ("team/shared-*", "team/shared-new-secret"),
        ("team/*", "team/new-secret"),
        ("*", "new-secret"),
    ],
)
def test_a_wide_pattern_also_grants_secrets_that_do_not_exist_yet(pattern: str, new_secret: str) -> None:
    """A Resource pattern reaches every secret created later under its prefix (Secrets Manager
    appends six random characters to a secret's name: reference_iam-permissions.html#iam-resources)."""
    before, after = _with_devs_policy(f"{SECRET}:{pattern}")
    result = sl.check_no_new_access(before, after)
    assert not result.passed
    probe = f"{SECRET}:{new_secret}-AbCdEf"
    witness = next(w for w in result.witnesses if w.resource == probe)
    assert witness.principal == ALICE and witness.action == GET
    assert (
        witness.resource_label == f"{new_secret} in 111111111111 us-east-1 (a secret that does not exist yet)"
    )
    assert witness.steps[-1].startswith("kms:Decrypt allowed")  # the KMS step, aws/secretsmanager
    assert any("identity policy 2 of group devs" in r for r in witness.responsible)
    assert new_secret in result.scope.new_secrets


def test_every_action_is_asked_not_a_fixed_list() -> None:
    before, after = _with_devs_policy(
        f"{SECRET}:team/shared-config-Hc5Rn8",
        ["secretsmanager:RotateSecret", "secretsmanager:UpdateSecretVersionStage"],
    )
    result = sl.check_no_new_access(before, after)
    assert {w.action for w in result.witnesses} == {
        "secretsmanager:RotateSecret",
        "secretsmanager:UpdateSecretVersionStage",
    }


def _cross_account(
    key: str, principal: dict[str, Any], condition: dict[str, Any] | None = None
) -> tuple[sl.World, sl.World]:
    """cross-account-read with prod/db's secret policy granting ``principal`` too, on ``key``."""
    data = _data("cross-account-read")
    before = _world(copy.deepcopy(data))
    secret = next(s for s in data["secrets"] if s["arn"] == PROD_DB)
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": GET, "Resource": "*"}
    if condition:
        statement["Condition"] = condition
    secret["resource_policy"]["Statement"].append(statement)
    if key == "aws":
        secret["kms_key"] = "arn:aws:kms:us-east-1:111111111111:key/aws-managed-secretsmanager-0001"
    else:
        cmk = next(k for k in data["kms_keys"] if k["manager"] == "CUSTOMER")
        cmk["key_policy"]["Statement"].append(
            {"Effect": "Allow", "Principal": principal, "Action": "kms:Decrypt", "Resource": "*"}
        )
    return before, _world(data)


def test_a_grant_to_an_account_outside_the_world_is_new_access_for_any_of_its_principals() -> None:
    """Across accounts the other account's administrators decide who of theirs uses a grant to
    their account (access-analyzer-concepts.html); with a customer managed key that lets them
    decrypt, the read works (auth-and-access_examples_cross.html)."""
    before, after = _cross_account("cmk", {"AWS": "arn:aws:iam::333333333333:root"})
    result = sl.check_no_new_access(before, after)
    reads = [w for w in result.witnesses if (w.action, w.resource) == (GET, PROD_DB)]
    assert {w.principal_label for w in reads} == {
        "any principal of account 333333333333",
        "any principal of account 333333333333, as an IAM user",
    }
    assert reads[0].principal.startswith("arn:aws:sts::333333333333:assumed-role/")


def test_on_the_aws_managed_key_a_grant_to_another_account_cannot_work() -> None:
    """aws/secretsmanager serves only its own account (security-encryption.html): the secret
    policy's grant gives no read (only what needs no key, such as DescribeSecret)."""
    before, after = _cross_account("aws", {"AWS": "arn:aws:iam::333333333333:root"})
    result = sl.check_no_new_access(before, after)
    assert not any(w.action == GET for w in result.witnesses)


def test_a_role_named_outside_the_world_is_asked_as_itself() -> None:
    vendor = "arn:aws:iam::444444444444:role/Vendor"
    before, after = _cross_account("cmk", {"AWS": vendor})
    result = sl.check_no_new_access(before, after)
    reads = [w for w in result.witnesses if (w.action, w.resource) == (GET, PROD_DB)]
    assert any(w.principal == "arn:aws:sts::444444444444:assumed-role/Vendor/session" for w in reads)
    assert any("role Vendor of account 444444444444" in w.principal_label for w in reads)


def test_the_result_renders_as_text_html_and_data() -> None:
    before, after = _with_devs_policy(f"{SECRET}:team/*")
    result = sl.check_no_new_access(before, after)
    text, page, data = str(result), result._repr_html_(), result.to_dict()
    assert text.startswith("no new access: FAIL") and "team/new-secret" in text
    assert "<table>" in page and "FAIL" in page
    assert data["result"] == "FAIL" and len(data["witnesses"]) == len(result.witnesses)
    assert json.loads(json.dumps(data)) == data
    assert data["witnesses"][0]["before"] is not None


def test_variants_ask_each_request_with_parameters() -> None:
    """CreateSecret with tags: the aws:TagKeys condition key comes from the Tags parameter
    (reference_policies_condition-keys.html#condition-keys-tagkeys)."""
    data = _data("identity-vs-resource")
    before = _world(copy.deepcopy(data))
    alice = next(u for u in data["principals"]["users"] if u["arn"] == ALICE)
    alice["policies"][0]["Statement"][0]["Action"] = [
        "secretsmanager:CreateSecret",
        "secretsmanager:TagResource",
    ]
    after = _world(data)
    variants = [{"parameters": {"Name": "x", "Tags": {"owner": "alice"}}}]
    result = sl.check_no_new_access(before, after, actions=["secretsmanager:TagResource"], variants=variants)
    assert {w.action for w in result.witnesses} == {"secretsmanager:TagResource"}


# -- check_access_not_granted


def test_access_not_granted_names_who_is_granted() -> None:
    world = sl.load_scenario(DATA / "identity-vs-resource.json")
    result = sl.check_access_not_granted(world, actions=[GET], resources=[f"{SECRET}:team/shared-config-*"])
    assert not result.passed
    assert {w.principal.rsplit(":", 1)[1] for w in result.witnesses} == {
        "user/bob",
        "assumed-role/app/session",
    }
    assert any(
        "secret policy" in r or "resource policy" in r for w in result.witnesses for r in w.responsible
    )


def test_access_not_granted_passes_when_nobody_may() -> None:
    world = sl.load_scenario(DATA / "identity-vs-resource.json")
    result = sl.check_access_not_granted(
        world, actions=["secretsmanager:Delete*"], resources=[f"{SECRET}:team/*"]
    )
    assert result.passed, str(result)
    assert result.scope.actions == 2  # DeleteResourcePolicy, DeleteSecret


def test_an_action_or_resource_that_matches_nothing_is_an_error_with_suggestions() -> None:
    world = sl.load_scenario(DATA / "identity-vs-resource.json")
    with pytest.raises(sl.UnknownNameError) as caught:
        sl.check_access_not_granted(world, actions=["secretsmanager:GetSecretValu"])
    assert "secretsmanager:GetSecretValue" in caught.value.suggestions
    with pytest.raises(sl.ScenarioError) as bad:
        sl.check_access_not_granted(
            world, resources=["arn:aws:kms:us-east-1:111111111111:key/nothing-here-*"]
        )
    assert bad.value.problems[0].path == ("resources", 0)


# -- check_no_public_access


def _public(condition: dict[str, Any] | None) -> sl.World:
    data = _data("cross-account-read")
    secret = next(s for s in data["secrets"] if s["arn"] == PROD_DB)
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": "*", "Action": GET, "Resource": "*"}
    if condition:
        statement["Condition"] = condition
    secret["resource_policy"]["Statement"].append(statement)
    cmk = next(k for k in data["kms_keys"] if k["manager"] == "CUSTOMER")
    cmk["key_policy"]["Statement"].append(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "kms:Decrypt",
            "Resource": "*",
            **({"Condition": condition} if condition else {}),
        }
    )
    return _world(data)


def test_a_secret_open_to_every_principal_is_public() -> None:
    """``"Principal": "*"`` without a condition that pins the account or organization grants
    any AWS account (auth-and-access_resource-policies.html; BlockPublicPolicy in
    API_PutResourcePolicy.html refuses such a policy)."""
    result = sl.check_no_public_access(_public(None))
    assert not result.passed
    witness = next(w for w in result.witnesses if (w.action, w.resource) == (GET, PROD_DB))
    assert witness.principal_label == "the anonymous principal (any AWS account)"
    assert any("Principal" not in r and "secret" in r.lower() for r in witness.responsible)


def test_an_organization_condition_keeps_it_private() -> None:
    result = sl.check_no_public_access(_public({"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg1"}}))
    assert result.passed, str(result)


def test_the_bundled_scenarios_are_not_public() -> None:
    for path in sorted(DATA.glob("*.json")):
        assert sl.check_no_public_access(sl.load_scenario(path)).passed, path.name


# -- laws


def _allow_statements() -> list[tuple[str, Any, int]]:
    """(scenario, policy reference, statement index) of every Allow statement of the bundled
    scenarios written as a list entry."""
    found = []
    for path in sorted(DATA.glob("*.json")):
        world = sl.load_scenario(path)
        for ref, policy in world.policies():
            if isinstance(policy.source, dict) and isinstance(policy.source.get("Statement"), list):
                found += [(path.stem, ref, s.index) for s in policy.statements if s.effect is sl.Effect.ALLOW]
    return found


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_allow_statements()))
def test_removing_an_allow_statement_never_gives_new_access(case: tuple[str, Any, int]) -> None:
    """An Allow grants or lets through; it never takes away (policies-evaluation-logic.html), so
    a world without one of its Allow statements allows nothing the world did not."""
    name, ref, index = case
    world = sl.load_scenario(DATA / f"{name}.json")
    doc = copy.deepcopy(world.policy(ref).source)
    del doc["Statement"][index]
    edited = world.with_policy(ref, doc)
    assume(not edited.policy(ref).errors)  # AWS would not store it: no such edit exists
    result = sl.check_no_new_access(world, edited)
    assert result.passed, str(result)


def test_a_fix_for_a_secret_not_made_yet_is_checked_on_that_secret() -> None:
    """A CreateSecret fix grants ``name-??????`` (the suffix is drawn by CreateSecret:
    reference_iam-permissions.html#iam-resources): the check asks a secret of that name, which
    does not exist yet, and finds exactly the access the fix was for."""
    world = sl.load_scenario(DATA / "organization-guardrails.json")
    create = {
        "principal": "arn:aws:sts::222222222222:assumed-role/SandboxDev/sam",
        "action": "secretsmanager:CreateSecret",
        "resource": "arn:aws:secretsmanager:us-east-1:222222222222:secret:sandbox/new-Sb9Nw3",
        "parameters": {"Name": "sandbox/new", "SecretString": True},
    }
    fixed = sl.apply_fix(world, sl.suggest_fixes(world, create)[0])
    result = sl.check_no_new_access(world, fixed)
    assert [(w.action, w.resource_label) for w in result.witnesses] == [
        (
            "secretsmanager:CreateSecret",
            "sandbox/new in 222222222222 us-east-1 (a secret that does not exist yet)",
        )
    ]


# -- what a review found missed (issue #10): each case is a real new access


def _opened(condition: dict[str, Any]) -> tuple[sl.World, sl.World]:
    """cross-account-cmk with app/no-policy's secret policy and key policy open to ``"*"`` under
    ``condition``."""
    data = _data("cross-account-cmk")
    before = _world(copy.deepcopy(data))
    secret = next(s for s in data["secrets"] if "app/no-policy" in s["arn"])
    secret["resource_policy"] = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": GET, "Resource": "*", "Condition": condition}
        ],
    }
    key = next(k for k in data["kms_keys"] if k["arn"] == secret["kms_key"])
    key["key_policy"]["Statement"].append(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": condition,
        }
    )
    return before, _world(data)


@pytest.mark.parametrize(
    ("condition", "public"),
    [
        ({"StringEquals": {"aws:PrincipalAccount": "444444444444"}}, False),
        ({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::444444444444:role/R"}}, False),
        ({"StringEquals": {"aws:PrincipalOrgID": "o-other12345"}}, False),
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}, True),
        ({"StringEquals": {"aws:PrincipalType": "User"}}, True),
        ({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, True),
        ({"Bool": {"aws:SecureTransport": "true"}}, True),
    ],
)
def test_a_grant_behind_a_condition_is_found(condition: dict[str, Any], public: bool) -> None:
    """A principal named only in a condition (aws:PrincipalAccount, aws:PrincipalArn,
    aws:PrincipalOrgID), an IAM user rather than a role, and a grant that needs a context value
    the caller supplies (aws:SourceIp, aws:SecureTransport) are all new access
    (reference_policies_condition-keys.html)."""
    before, after = _opened(condition)
    assert not sl.check_no_new_access(before, after).passed
    assert sl.check_no_public_access(after).passed is not public


def test_a_kms_grant_to_an_account_outside_the_world_is_new_access() -> None:
    """A grant lets its grantee use the key (grants.html), across accounts too."""
    data = _data("cross-account-cmk")
    before = _world(copy.deepcopy(data))
    key = next(k for k in data["kms_keys"] if k["manager"] == "CUSTOMER")
    key["grants"] = [
        {
            "GrantId": "g1",
            "GranteePrincipal": "arn:aws:iam::666666666666:role/Outside",
            "Operations": ["Decrypt"],
        }
    ]
    result = sl.check_no_new_access(before, _world(data))
    assert any(
        w.principal.startswith("arn:aws:sts::666666666666:") and w.action == "kms:Decrypt"
        for w in result.witnesses
    )


def test_removing_a_deny_on_a_request_parameter_is_new_access() -> None:
    """The SCP that keeps DeleteSecret's recovery window denies only requests with
    ForceDeleteWithoutRecovery: the check asks that value too (API_DeleteSecret.html)."""
    world = sl.load_scenario(DATA / "organization-guardrails.json")
    data = world.to_dict()
    data["organization"]["scps"] = [
        s for s in data["organization"]["scps"] if "ForceDelete" not in json.dumps(s)
    ]
    result = sl.check_no_new_access(world, sl.World.from_dict(data))
    witness = next(w for w in result.witnesses if w.action == "secretsmanager:DeleteSecret")
    assert witness.context == {"secretsmanager:ForceDeleteWithoutRecovery": "true"}
    assert "with secretsmanager:ForceDeleteWithoutRecovery=true" in str(witness)


def test_a_principal_or_secret_only_one_world_holds_is_compared_not_refused() -> None:
    world = sl.load_scenario(DATA / "organization-guardrails.json")
    data = world.to_dict()
    admin = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}],
    }
    data["principals"]["users"].append({"arn": "arn:aws:iam::111111111111:user/zed", "policies": [admin]})
    more = sl.World.from_dict(data)
    gained = sl.check_no_new_access(world, more)
    assert {w.principal for w in gained.witnesses} == {"arn:aws:iam::111111111111:user/zed"}
    assert gained.witnesses[0].before is None  # the user is not in the first world
    assert sl.check_no_new_access(more, world).passed


def test_iam_actions_are_asked_when_a_policy_reaches_them() -> None:
    before, after = _with_devs_policy("*", "iam:*")
    actions = {w.action.partition(":")[0] for w in sl.check_no_new_access(before, after).witnesses}
    assert actions == {"iam"}


def test_get_caller_identity_needs_no_permission_and_is_never_a_witness() -> None:
    """No permission is required for GetCallerIdentity, and a Deny does not stop it
    (API_GetCallerIdentity.html)."""
    before, after = _with_devs_policy("*", "sts:GetCallerIdentity")
    assert sl.check_no_new_access(before, after).passed


def test_access_not_granted_asks_a_prefix_no_secret_has_yet() -> None:
    world = sl.load_scenario(DATA / "organization-guardrails.json")
    result = sl.check_access_not_granted(
        world, actions=["secretsmanager:CreateSecret"], resources=["arn:aws:secretsmanager:*:*:secret:ops/*"]
    )
    assert not result.passed
    assert all("ops/new-secret" in w.resource for w in result.witnesses)


# -- the door: arguments that are not what a check takes


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda w: sl.check_no_new_access("x", w), ("before",)),
        (lambda w: sl.check_no_new_access(w, None), ("after",)),
        (lambda w: sl.check_access_not_granted(w, actions=[5]), ("actions", 0)),
        (lambda w: sl.check_access_not_granted(w, actions=[]), ("actions",)),
        (lambda w: sl.check_access_not_granted(w, resources=[None]), ("resources", 0)),
        (lambda w: sl.check_access_not_granted(w, actions=["s3:*"] * 101), ("actions",)),
        (lambda w: sl.check_no_new_access(w, w, variants=[5]), ("variants", 0)),
        (lambda w: sl.check_no_new_access(w, w, variants={"context": {}}), ("variants",)),
        (lambda w: sl.check_no_public_access(w, variants=[{"tags": {}}]), ("variants", 0)),
    ],
)
def test_a_wrong_argument_is_a_located_error(call: Any, path: tuple[Any, ...]) -> None:
    world = sl.load_scenario(DATA / "identity-vs-resource.json")
    with pytest.raises(sl.ScenarioError) as caught:
        call(world)
    assert caught.value.problems[0].path == path


def test_one_resource_pattern_may_be_given_as_a_string() -> None:
    world = sl.load_scenario(DATA / "identity-vs-resource.json")
    one = sl.check_access_not_granted(world, actions=GET, resources=f"{SECRET}:team/shared-config-*")
    listed = sl.check_access_not_granted(world, actions=[GET], resources=[f"{SECRET}:team/shared-config-*"])
    assert one.to_dict() == listed.to_dict()
