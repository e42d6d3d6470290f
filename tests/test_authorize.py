"""authorize(): notes and edge cases around the §10 operation table and §9.10."""

from __future__ import annotations

import copy
import json
from typing import Any

import secretslab as sl

from .conftest import CASES

REGRESSIONS = json.loads((CASES / "regressions.json").read_text())["cases"]


def _case(case_id: str) -> dict[str, Any]:
    return copy.deepcopy(next(c for c in REGRESSIONS if c["id"] == case_id))


def test_grants_on_a_key_are_accepted_and_noted_when_the_key_is_used() -> None:
    """§9.10: grants are accepted, not evaluated, and reported in notes."""
    case = _case("R-SM-01")
    case["world"]["kms_keys"][1]["grants"] = [{"GranteePrincipal": "x", "Operations": ["Decrypt"]}]
    decision = sl.authorize(sl.World.from_dict(case["world"]), case["request"])
    assert decision.allowed
    assert any("grants" in n and "not evaluated" in n for n in decision.notes)


def test_kms_steps_are_skipped_and_noted_when_the_secret_is_not_in_the_world() -> None:
    """§10.9: a secret the world does not hold has no known key; say so instead of guessing."""
    case = _case("R-FAS-01")
    case["request"]["resource"] = "arn:aws:secretsmanager:us-east-1:111111111111:secret:other-Zz9Zz9"
    case["world"]["principals"]["users"][0]["policies"] = [
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    ]
    decision = sl.authorize(sl.World.from_dict(case["world"]), case["request"])
    assert [s.action for s in decision.steps] == ["secretsmanager:GetSecretValue"]
    assert any("not a secret of the world" in n for n in decision.notes)


def test_bare_name_resolves_in_the_callers_account_when_reading_across_accounts() -> None:
    """§10.4: a cross-account call must use the ARN; a bare name resolves in the caller's account."""
    world = sl.load_scenario(CASES.parent.parent / "data" / "cross-account-read.json")
    decision = sl.authorize(
        world,
        {
            "principal": "arn:aws:sts::222222222222:assumed-role/AppRole/web",
            "action": "secretsmanager:GetSecretValue",
            "resource": "prod/db",
        },
    )
    assert not decision.allowed
    assert any("bare name resolves in the caller's own account" in n for n in decision.notes)


def test_request_context_cannot_override_principal_keys_and_says_so() -> None:
    """§7.1: principal keys are always derived."""
    case = _case("R-CTX-01")
    decision = sl.authorize(sl.World.from_dict(case["world"]), case["request"])
    assert not decision.allowed and any("aws:PrincipalTag/team" in n for n in decision.notes)
    ev = decision.steps[0].evaluation
    assert ev.context.get("aws:principaltag/team") == ("dev",)
