"""authorize(): notes and edge cases around the §10 operation table and §9.10."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

import secretslab as sl

from .conftest import CASES

REGRESSIONS = json.loads((CASES / "regressions.json").read_text())["cases"]


def _case(case_id: str) -> dict[str, Any]:
    return copy.deepcopy(next(c for c in REGRESSIONS if c["id"] == case_id))


def test_a_grant_not_in_listgrants_shape_is_a_located_error() -> None:
    """§9.10 (revised 2026-12): grants are evaluated, so one KMS would never return is refused
    with its JSON path (it used to be accepted and noted as "not evaluated")."""
    case = _case("R-SM-01")
    case["world"]["kms_keys"][1]["grants"] = [{"GranteePrincipal": "x", "Operations": ["Decrypt"]}]
    with pytest.raises(sl.ScenarioError) as caught:
        sl.World.from_dict(case["world"])
    got = {(p.code, p.json_path) for p in caught.value.problems}
    assert ("MISSING_FIELD", "$.kms_keys[1].grants[0]") in got
    assert ("INVALID_FIELD", "$.kms_keys[1].grants[0].GranteePrincipal") in got


def test_a_grant_for_someone_else_changes_nothing_and_is_explained() -> None:
    """https://docs.aws.amazon.com/kms/latest/developerguide/grants.html: a grant allows only its
    grantee; the decision stays the key policy's, and a note counts the grants for others (a key
    may hold 50,000 grants: they are counted, not listed)."""
    case = _case("R-SM-01")
    case["world"]["kms_keys"][1]["grants"] = [
        {
            "GrantId": f"g-other-{i}",
            "GranteePrincipal": "arn:aws:iam::333333333333:root",
            "Operations": ["Decrypt"],
        }
        for i in range(3)
    ]
    decision = sl.authorize(sl.World.from_dict(case["world"]), case["request"])
    assert decision.allowed and decision.reason is not sl.Reason.ALLOWED_BY_GRANT
    assert not any("not evaluated" in n for n in decision.notes)
    kms = next(s for s in decision.steps if s.action == "kms:Decrypt" and s.resource.endswith("cmk-0002"))
    assert "kms_grants" not in kms.evaluation.to_dict()
    assert "3 KMS grant(s) on the key allow kms:Decrypt to other grantees" in kms.evaluation.notes


def test_a_secret_the_world_does_not_hold_is_an_error_with_suggestions() -> None:
    """A secret the world does not hold has no known key: the request is refused with the secrets
    it may have meant, not decided without its KMS steps (issue #9, "no silent answers"; this test
    expected a decision with a note before)."""
    case = _case("R-FAS-01")
    case["request"]["resource"] = "arn:aws:secretsmanager:us-east-1:111111111111:secret:other-Zz9Zz9"
    case["world"]["principals"]["users"][0]["policies"] = [
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    ]
    with pytest.raises(sl.UnknownNameError) as raised:
        sl.authorize(sl.World.from_dict(case["world"]), case["request"])
    assert [p.json_path for p in raised.value.problems] == ["$.resource"]
    assert raised.value.suggestions


def test_bare_name_resolves_in_the_callers_account_when_reading_across_accounts() -> None:
    """§10.4: a cross-account call must use the ARN; a bare name resolves in the caller's account,
    which holds no such secret: an error that offers the ARN (issue #9; this was a denial with a
    note before)."""
    world = sl.load_scenario(CASES.parent.parent / "data" / "cross-account-read.json")
    with pytest.raises(sl.UnknownNameError) as raised:
        sl.authorize(
            world,
            {
                "principal": "arn:aws:sts::222222222222:assumed-role/AppRole/web",
                "action": "secretsmanager:GetSecretValue",
                "resource": "prod/db",
            },
        )
    assert "bare name resolves in the caller's own account" in str(raised.value)
    assert raised.value.suggestions == (
        "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbC123",
    )


def test_request_context_cannot_override_principal_keys_and_says_so() -> None:
    """§7.1: principal keys are always derived."""
    case = _case("R-CTX-01")
    decision = sl.authorize(sl.World.from_dict(case["world"]), case["request"])
    assert not decision.allowed and any("aws:PrincipalTag/team" in n for n in decision.notes)
    ev = decision.steps[0].evaluation
    assert ev.context.get("aws:principaltag/team") == ("dev",)


@pytest.mark.parametrize("value", ["a", "x" * 65, "aws:erin", "erin smith", 7])
def test_a_source_identity_aws_would_refuse_is_a_located_error(value: Any) -> None:
    """SourceIdentity is 2 to 64 characters of letters, digits and _+=,.@-
    (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html)."""
    request = {
        "principal": "arn:aws:iam::111111111111:user/erin",
        "assume_role_chain": [
            {"role_arn": "arn:aws:iam::111111111111:role/Analyst", "source_identity": value}
        ],
        "action": "sts:GetCallerIdentity",
    }
    with pytest.raises(sl.ScenarioError) as caught:
        sl.Request.from_dict(request)
    assert [(p.code, p.json_path) for p in caught.value.problems] == [
        ("INVALID_FIELD", "$.assume_role_chain[0].source_identity")
    ]
