"""Explanations are renderings of the evaluation tree: text for terminals, HTML for notebooks,
JSON for tools (issue #2, architecture principle 3)."""

from __future__ import annotations

import json

import secretslab as sl

from .conftest import ROOT

READER = "arn:aws:sts::222222222222:assumed-role/AppRole/worker"
LEGACY = "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/legacy-Zx9Yw8"
DB = "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbC123"


def _decide(resource: str) -> sl.Decision:
    world = sl.load_scenario(ROOT / "data" / "cross-account-read.json")
    return sl.authorize(
        world,
        {"principal": READER, "action": "secretsmanager:GetSecretValue", "resource": resource},
    )


def test_text_names_decision_reason_steps_and_failing_statement_when_kms_step_denies() -> None:
    text = str(_decide(LEGACY))
    assert "XACCT_NO_RESOURCE_GRANT" in text
    assert "kms:Decrypt" in text and "secretsmanager:GetSecretValue" in text
    assert "kms:CallerAccount" in text  # why the AWS managed key's statement does not apply


def test_text_names_deciding_statements_when_allowed() -> None:
    text = str(_decide(DB))
    assert text.startswith("ALLOW")
    assert "Sid AppsRead" in text and "Sid AppsDecryptViaSecretsManager" in text


def test_html_renders_every_step_with_escaped_text() -> None:
    html = _decide(LEGACY)._repr_html_()
    assert html.count("<tr>") >= 3 and "kms:Decrypt" in html and "<script" not in html
    assert "XACCT_NO_RESOURCE_GRANT" in html


def test_to_dict_has_the_semantics_12_shape_and_is_json() -> None:
    out = _decide(LEGACY).to_dict()
    assert {"decision", "reason", "steps", "validation_errors"} <= set(out)
    assert [s["decision"] for s in out["steps"]] == ["allow", "deny"]
    json.dumps(out)


def test_evaluation_tree_reports_every_statement_with_its_element_results() -> None:
    evaluation = _decide(LEGACY).steps[1].evaluation
    detail = evaluation.to_dict()
    key_policy = next(p for p in detail["policies"] if p["role"] == "resource")
    first = key_policy["statements"][0]
    assert first["applies"] is False and first["action_matched"] is True
    assert first["resource"]["matched"] is True and first["principal"]["kind"] == "direct"
    failed = [c for c in first["conditions"] if not c["passed"]]
    assert failed and failed[0]["key"] == "kms:CallerAccount"
    assert failed[0]["request_values"] == ["222222222222"]
    json.dumps(detail)
    assert str(evaluation).startswith("DENY") and evaluation._repr_html_().startswith("<div")
