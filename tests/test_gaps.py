"""Gaps: what an import could not read. Decisions that depend on a gap say so, and the analyses
report them as unknown rather than guessing (issue #5 §1)."""

from __future__ import annotations

import json
from typing import Any

import secretslab as sl

from .conftest import ROOT

READER = "arn:aws:sts::222222222222:assumed-role/AppRole/worker"
GET = "secretsmanager:GetSecretValue"


def _world_with_gap() -> tuple[sl.World, dict[str, Any]]:
    data = sl.load_scenario(ROOT / "data" / "cross-account-read.json").to_dict()
    key = data["kms_keys"][0]["arn"]
    data["gaps"] = [
        {
            "resource": key,
            "what": "key policy of alias/prod-secrets",
            "operation": "kms:GetKeyPolicy",
            "error": "AccessDenied",
        }
    ]
    return sl.World.from_dict(data), data


def test_gaps_round_trip_through_the_world_format() -> None:
    world, data = _world_with_gap()
    assert [g.operation for g in world.gaps] == ["kms:GetKeyPolicy"]
    assert sl.World.from_dict(world.to_dict()).gaps == world.gaps
    bad = dict(data, gaps=[{"resource": "x"}])
    try:
        sl.World.from_dict(bad)
    except sl.ScenarioError as exc:
        assert ("MISSING_FIELD", "$.gaps[0]") in [(p.code, p.json_path) for p in exc.problems]
    else:
        raise AssertionError("a gap without 'what' must be rejected")


def test_decision_is_unknown_when_it_depends_on_a_gap() -> None:
    world, data = _world_with_gap()
    decision = sl.authorize(
        world, {"principal": READER, "action": GET, "resource": data["secrets"][0]["arn"]}
    )
    assert decision.unknown and decision.to_dict()["unknown"] is True
    assert "UNKNOWN" in str(decision)
    other = sl.authorize(world, {"principal": READER, "action": GET, "resource": data["secrets"][1]["arn"]})
    assert not other.unknown and "unknown" not in other.to_dict()  # that secret uses another key


def test_matrix_and_who_can_mark_results_that_depend_on_a_gap() -> None:
    world, data = _world_with_gap()
    matrix = sl.access_matrix(world, actions=[GET], workers=1)
    by_secret = {c.resource: c for c in matrix.cells}
    assert by_secret[data["secrets"][0]["arn"]].unknown and not by_secret[data["secrets"][1]["arn"]].unknown
    assert "?" in matrix.to_text() and json.loads(matrix.to_json())["rows"][0].get("unknown") is True
    found = sl.who_can(world, GET, data["secrets"][0]["arn"])
    assert found and all(w.unknown for w in found) and "unknown" in found[0].note


def test_world_reads_back_when_a_gap_and_a_federated_session_leave_optional_fields_empty() -> None:
    """A gap with only resource and what, and a federated user's session (no role), were written
    with empty strings that the reader refuses: the written world must read back."""
    data = sl.load_scenario(ROOT / "data" / "cross-account-read.json").to_dict()
    data["gaps"] = [{"resource": data["kms_keys"][0]["arn"], "what": "key policy of alias/prod-secrets"}]
    data["principals"]["sessions"] = [{"arn": "arn:aws:sts::222222222222:federated-user/carol"}]
    world = sl.World.from_dict(data)
    written = world.to_dict()
    assert "operation" not in written["gaps"][0] and "role" not in written["principals"]["sessions"][0]
    again = sl.World.from_dict(written)
    assert again.gaps == world.gaps and again.sessions == world.sessions
