"""What the engine remembers between requests (issue #12: each policy's result by what its
selected statements read) never changes an answer: a request asked after many others gets the
same full explanation as one asked of an evaluator that remembers nothing."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secretslab import World, authorize
from secretslab.batch import Simulator
from secretslab.evaluation import evaluate
from secretslab.evaluation.memo import Memo
from secretslab.problems import ScenarioError

from .conftest import CASES, load_cases
from .test_properties import ACTIONS, CALLERS, contexts, lines

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from generate_requests import generate

TABLES = ("public-cases.json", "rules.json", "regressions.json", "rules-2026-12.json")
OTHER_ACTIONS = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:DescribeSecret",
    "kms:Decrypt",
    "sts:AssumeRole",
)


def answer(world: World, request: dict[str, Any]) -> Any:
    """The whole decision (every step's explanation tree), or the refusal."""
    try:
        return json.dumps(authorize(world, request).to_dict(), sort_keys=True)
    except ScenarioError as exc:
        return ("refused", type(exc).__name__, str(exc))


@pytest.mark.parametrize("table", TABLES)
def test_every_case_is_explained_the_same_after_other_requests(table: str) -> None:
    """Each case's request, then the same caller and resource with other actions, then the case
    again, on one world: each answer equals a fresh world's."""
    for case in load_cases(CASES / table):
        world = World.from_dict(case["world"])
        variants = [case["request"], *({**case["request"], "action": a} for a in OTHER_ACTIONS)]
        for request in [*variants, case["request"]]:
            assert answer(world, request) == answer(World.from_dict(case["world"]), request), (
                case["id"],
                request,
            )


@pytest.mark.parametrize("unique", [False, True])
def test_batch_explanations_are_the_same_with_a_warm_memo(unique: bool) -> None:
    """The benchmark's lines, evaluated in turn by one simulator (its memo warm) and each by a
    fresh simulator: the same explanation tree, text and data."""
    requests = list(generate(150, 3, unique))
    warm = Simulator()
    for request in requests * 2:
        got = warm.evaluate(request)
        want = Simulator().evaluate(request)
        assert got.to_dict() == want.to_dict(), request["id"]
        assert str(got) == str(want), request["id"]


def assert_same(warm: Simulator, request: dict[str, Any]) -> None:
    """The request evaluated with the simulator's warm memo and with a memo of its own (nothing
    reused): equal evaluations, field by field down to every condition's values, as data and text."""
    req = warm.request(request)
    got, want = evaluate(req, warm.memo), evaluate(req, Memo())
    assert got == want, request.get("id")
    assert got.to_dict() == want.to_dict(), request.get("id")
    assert str(got) == str(want), request.get("id")


@pytest.mark.parametrize("unique", [False, True])
def test_a_batch_evaluates_as_with_nothing_remembered(unique: bool) -> None:
    """A few hundred benchmark lines (shared policies, or every document fresh), in order, then
    again backwards: each evaluation equals the same request's with a fresh memo."""
    requests = list(generate(300, 7, unique))
    warm = Simulator()
    for request in [*requests, *reversed(requests)]:
        assert_same(warm, request)


@st.composite
def families(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A generated line and variants of it: the same policies asked with other contexts, by
    other callers, on other resources (what a warm memo may wrongly reuse)."""
    base = draw(lines())
    out = [base]
    for _ in range(draw(st.integers(1, 5))):
        variant = {**base, "context": draw(contexts())}
        if draw(st.booleans()):
            variant["principal"] = draw(CALLERS)
        if draw(st.booleans()):
            variant["resource"] = draw(st.sampled_from(ACTIONS[base["action"]]))
        out.append(variant)
    return out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(families())
def test_generated_lines_evaluate_as_with_nothing_remembered(family: list[dict[str, Any]]) -> None:
    """Hypothesis lines and their variants, each twice on one simulator: each evaluation equals
    the same request's with a fresh memo."""
    warm = Simulator()
    for request in family * 2:
        assert_same(warm, request)
