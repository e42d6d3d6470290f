"""Every scenario file in ``data/`` (JSON or YAML): it loads with ``secretslab.load_scenario``, it is
documented for learners (title, description, at least one expectation), its world holds no
error-severity problem, and each expectation's request gets exactly the decision and §12 reason
code the file states when run through ``secretslab.authorize``.

``load_scenario`` returns only the world, so the expectations are read from the file itself.

When the evaluator contradicts semantics.md, the expectation keeps the answer semantics.md
requires and the single case is listed in ``KNOWN_WRONG`` (a strict xfail), never silently
rewritten to match the evaluator.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import secretslab
from secretslab import Reason

DATA = Path(__file__).resolve().parent.parent / "data"
SCENARIOS = sorted(p for pattern in ("*.json", "*.yaml", "*.yml") for p in DATA.glob(pattern))

#: (file name, expectation index) -> why the evaluator's answer contradicts semantics.md
KNOWN_WRONG: dict[tuple[str, int], str] = {}

DECISIONS = {"allow", "deny"}
REASONS = {r.value for r in Reason}


def _read(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        import yaml

        return yaml.safe_load(text)
    return json.loads(text)


@cache
def _world(path: Path) -> secretslab.World:
    return secretslab.load_scenario(path)


def _who(principal: str) -> str:
    """A short name for a principal ARN: alice, AppRole.worker, root-111111111111."""
    resource = principal.split(":", 5)[-1]
    if resource == "root":
        return f"root-{principal.split(':')[4]}"
    parts = resource.split("/")
    return ".".join(parts[1:]) if parts[0] == "assumed-role" else parts[-1]


def _expectation_id(path: Path, index: int, expectation: Any) -> str:
    try:
        request = expectation["request"]
        chain = request.get("assume_role_chain", [])
        via = "".join(f"-via-{step['role_arn'].rsplit('/', 1)[-1]}" for step in chain)
        action = request["action"].split(":", 1)[-1]
        return f"{path.stem}-{index:02d}-{_who(request['principal'])}{via}-{action}-{expectation['decision']}"
    except (KeyError, TypeError, AttributeError, IndexError):
        return f"{path.stem}-{index:02d}"


def _expectation_params() -> list[Any]:
    params: list[Any] = []
    for path in SCENARIOS:
        try:
            expectations = _read(path).get("expectations") or []
        except Exception as exc:  # reported by the loading test; keep collection going
            params.append(
                pytest.param(path, -1, id=f"{path.stem}-unreadable", marks=pytest.mark.skip(reason=str(exc)))
            )
            continue
        for index, expectation in enumerate(expectations):
            marks = []
            why = KNOWN_WRONG.get((path.name, index))
            if why:
                marks.append(pytest.mark.xfail(strict=True, reason=why))
            params.append(
                pytest.param(path, index, id=_expectation_id(path, index, expectation), marks=marks)
            )
    return params


def test_data_directory_holds_scenarios_when_repository_is_checked_out() -> None:
    assert SCENARIOS, f"no scenario files in {DATA}"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_loads_with_title_description_and_expectations_when_file_is_in_data(path: Path) -> None:
    world = _world(path)
    assert isinstance(world, secretslab.World)
    document = _read(path)
    assert isinstance(document, dict) and "world" in document, f"{path.name} is not a wrapped scenario"
    for field in ("title", "description"):
        value = document.get(field)
        assert isinstance(value, str) and value.strip(), f"{path.name} has no {field}"
    expectations = document.get("expectations")
    assert isinstance(expectations, list) and expectations, f"{path.name} has no expectation"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_world_has_no_error_problem_when_scenario_is_loaded(path: Path) -> None:
    errors = [str(p) for p in _world(path).problems if p.is_error]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize(("path", "index"), _expectation_params())
def test_authorize_returns_stated_decision_and_reason_when_expectation_request_is_run(
    path: Path, index: int
) -> None:
    expectation = _read(path)["expectations"][index]
    want_decision, want_reason = expectation["decision"], expectation["reason"]
    assert want_decision in DECISIONS, f"decision {want_decision!r} is not allow/deny"
    assert want_reason in REASONS, f"reason {want_reason!r} is not a §12 code"
    assert want_reason.startswith("ALLOWED_") == (want_decision == "allow"), (
        f"reason {want_reason} does not fit decision {want_decision}"
    )

    decision = secretslab.authorize(_world(path), expectation["request"])

    steps = ", ".join(f"{s.action}: {s.evaluation.reason.value}" for s in decision.steps)
    assert (decision.decision, decision.reason.value) == (want_decision, want_reason), (
        f"{path.name} expectation {index}: got {decision.decision} {decision.reason.value} "
        f"({steps}); the file says {want_decision} {want_reason}: {expectation.get('why', '')}"
    )


def test_editing_the_json_form_of_a_world_never_changes_the_world() -> None:
    """A what-if edits ``world.to_dict()`` and builds a new world from it: the world it came from
    keeps its policies, in its parsed statements and in the document it shows (a shared document
    made the original world show a policy it did not decide by)."""
    world = secretslab.load_scenario(DATA / "people-come-and-go.json")
    data = world.to_dict()
    legacy = next(s for s in data["secrets"] if s["name"] == "shared/payments-legacy-api")
    legacy["resource_policy"]["Statement"][0]["Principal"]["AWS"] = ["arn:aws:iam::111111111111:user/alice"]
    data["principals"]["groups"][0]["policies"][0]["Statement"][0]["Sid"] = "Edited"
    again = world.to_dict()
    shown = next(s for s in again["secrets"] if s["name"] == "shared/payments-legacy-api")
    assert len(shown["resource_policy"]["Statement"][0]["Principal"]["AWS"]) == 4
    assert again["principals"]["groups"][0]["policies"][0]["Statement"][0]["Sid"] == "ReadPaymentsSecrets"


def test_editing_the_input_after_from_dict_never_edits_the_world() -> None:
    data = secretslab.load_scenario(DATA / "people-come-and-go.json").to_dict()
    world = secretslab.World.from_dict(data)
    secret = next(s for s in data["secrets"] if s.get("resource_policy"))
    secret["resource_policy"]["Statement"][0]["Principal"] = {"AWS": "arn:aws:iam::111111111111:root"}
    assert world.to_dict() != data
