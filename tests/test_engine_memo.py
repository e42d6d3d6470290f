"""What the engine remembers between requests (issue #12: each policy's result by what its
selected statements read) never changes an answer: a request asked after many others gets the
same full explanation as one asked of an evaluator that remembers nothing."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from secretslab import World, authorize
from secretslab.batch import Simulator
from secretslab.problems import ScenarioError

from .conftest import CASES, load_cases

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
