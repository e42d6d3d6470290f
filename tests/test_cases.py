"""Every reference case through ``World.from_dict`` + ``authorize``: the decision, the §12
reason code, the sub-request steps and the validation errors (semantics §12, §13). Each case
cites its AWS page (``source_url``) and the semantics rules it exercises (``spec_rules``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from secretslab import World, authorize

from .conftest import CASES, PUBLIC_CASE_COUNT, PUBLIC_CASES, ROOT, load_cases


def _check(case: dict[str, Any]) -> None:
    world = World.from_dict(case["world"])
    decision = authorize(world, case["request"]).to_dict()
    steps = [
        {"action": s["action"], "decision": s["decision"]} for s in decision["steps"] if not s.get("optional")
    ]
    got = (decision["decision"], decision["reason"], steps)
    want = (case["expected"], case["expected_reason_code"], case["expected_steps"])
    assert got == want, (
        f"{case['id']} ({case['title']}; {case['source_url']}): {json.dumps(decision, indent=1)}"
    )
    for expected in case.get("expected_validation_errors", []):
        assert any(v["error"] == expected["error"] for v in decision["validation_errors"]), (
            f"{case['id']}: no {expected['error']} in {decision['validation_errors']}"
        )
    json.dumps(decision)  # the decision is JSON


def _ids(path: Path) -> list[Any]:
    """One parameter per case; a missing file fails collection instead of being skipped."""
    return [pytest.param(c, id=c["id"]) for c in load_cases(path)]


@pytest.mark.parametrize("case", _ids(PUBLIC_CASES))
def test_public_case_decides_as_expected(case: dict[str, Any]) -> None:
    _check(case)


@pytest.mark.parametrize("case", _ids(CASES / "rules.json"))
def test_rule_case_decides_as_expected(case: dict[str, Any]) -> None:
    _check(case)


@pytest.mark.parametrize("case", _ids(CASES / "regressions.json"))
def test_regression_case_decides_as_expected(case: dict[str, Any]) -> None:
    """Review findings, and the places where the AWS documentation overrides semantics.md."""
    _check(case)


@pytest.mark.parametrize("case", _ids(CASES / "rules-2026-12.json"))
def test_2026_12_rule_case_decides_as_expected(case: dict[str, Any]) -> None:
    """The AWS rules of issue 9: sts:TagSession and sts:SetSourceIdentity with AssumeRole, stale
    unique-id principals, KMS grants (semantics §2.7, §9.10, §11.2 revised 2026-12)."""
    _check(case)


def test_case_files_cite_their_sources() -> None:
    for case in [
        *load_cases(CASES / "rules.json"),
        *load_cases(CASES / "regressions.json"),
        *load_cases(CASES / "rules-2026-12.json"),
    ]:
        assert case["source_url"].startswith("https://docs.aws.amazon.com/"), case["id"]
        assert case["spec_rules"], case["id"]


def test_public_cases_are_vendored_whole() -> None:
    """The suite reads its own copy of the public table, inside the repository, and the copy is complete."""
    assert PUBLIC_CASES.is_file(), PUBLIC_CASES
    assert PUBLIC_CASES.resolve().is_relative_to(ROOT), f"{PUBLIC_CASES} is outside the repository"
    cases = load_cases(PUBLIC_CASES)
    assert len(cases) >= PUBLIC_CASE_COUNT, f"{PUBLIC_CASES.name} holds {len(cases)} cases"
    for case in cases:
        assert case["source_url"].startswith("https://docs.aws.amazon.com/"), case["id"]
        assert case["spec_rules"], case["id"]
