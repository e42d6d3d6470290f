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


#: markup a policy author (the condition value) and a tagger (the principal tag) put in the world
SCRIPT = """<script>alert("x") & 'y'</script>"""
TAG = '<img src=x onerror="go()"> & co'


def _markup_decision() -> sl.Decision:
    """A denied read whose explanation quotes ``SCRIPT`` and ``TAG``: the condition that fails."""
    account = "111111111111"
    secret = f"arn:aws:secretsmanager:us-east-1:{account}:secret:prod/db-AbC123"
    read = {
        "Sid": "Read",
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": secret,
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": SCRIPT}},
    }
    alice = {
        "arn": f"arn:aws:iam::{account}:user/alice",
        "tags": {"team": TAG},
        "policies": [{"Version": "2012-10-17", "Statement": [read]}],
    }
    world = sl.World.from_dict(
        {
            "accounts": [{"id": account, "name": "prod"}],
            "principals": {"users": [alice]},
            "secrets": [{"arn": secret, "name": "prod/db", "account": account, "region": "us-east-1"}],
        }
    )
    return sl.authorize(
        world, {"principal": alice["arn"], "action": "secretsmanager:GetSecretValue", "resource": secret}
    )


def _assert_escaped(html: str) -> None:
    """The quoted markup is shown as text: escaped once, never raw, never escaped twice."""
    assert "&lt;script&gt;alert(&quot;x&quot;) &amp; " in html and "&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&quot;go()&quot;&gt; &amp; co" in html
    assert "<script" not in html and "</script" not in html and "<img" not in html
    assert SCRIPT not in html and TAG not in html and '"x"' not in html and '"go()"' not in html
    assert "&amp;lt;" not in html and "&amp;quot;" not in html


def test_html_renders_every_step_with_escaped_text() -> None:
    html = _decide(LEGACY)._repr_html_()
    assert html.count("<tr>") >= 3 and "kms:Decrypt" in html
    assert "XACCT_NO_RESOURCE_GRANT" in html
    markup = _markup_decision()
    text = str(markup)  # the terminal rendering quotes the markup as written
    assert '<script>alert("x") &' in text and TAG in text
    _assert_escaped(markup._repr_html_())


def test_evaluation_html_escapes_condition_values_and_tags() -> None:
    evaluation = _markup_decision().steps[0].evaluation
    assert evaluation.outcome is sl.Outcome.IMPLICIT_DENY
    html = evaluation._repr_html_()
    assert html.startswith("<div") and "<td>Sid Read</td>" in html
    _assert_escaped(html)


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


def test_an_allow_by_a_kms_grant_names_the_grant_in_every_rendering() -> None:
    """A decision allowed by a grant says so: reason ALLOWED_BY_GRANT, the grant id as the
    deciding item, in text, HTML and JSON (semantics §9.10, §12;
    https://docs.aws.amazon.com/kms/latest/developerguide/grants.html)."""
    table = json.loads((ROOT / "tests" / "cases" / "rules-2026-12.json").read_text())
    case = next(c for c in table["cases"] if c["id"] == "X-GR-03")
    decision = sl.authorize(sl.World.from_dict(case["world"]), case["request"])
    assert decision.reason is sl.Reason.ALLOWED_BY_GRANT
    assert decision.deciding_policy == "KMS grant g-role"
    text = str(decision)
    assert "ALLOWED_BY_GRANT" in text
    assert "decided by: KMS grant g-role, grantee arn:aws:iam::111111111111:role/Analyst" in text
    html = decision._repr_html_()
    assert "KMS grant g-role" in html and "ALLOWED_BY_GRANT" in html
    step = decision.to_dict()["steps"][-1]
    assert (step["reason"], step["deciding_policy"]) == ("ALLOWED_BY_GRANT", "KMS grant g-role")
    kms = decision.steps[-1].evaluation
    assert kms.to_dict()["kms_grants"] == [{"grant_id": "g-role", "applies": True}]
    assert [s.state.value for s in kms.stages if s.stage.value == "resource"] == ["decided"]


def test_a_grant_whose_constraint_fails_explains_why() -> None:
    """An implicit deny lists the grant that named the caller and the constraint that failed."""
    table = json.loads((ROOT / "tests" / "cases" / "rules-2026-12.json").read_text())
    case = next(c for c in table["cases"] if c["id"] == "X-GR-13")
    decision = sl.authorize(sl.World.from_dict(case["world"]), case["request"])
    assert "KMS grant g-erin: the request's encryption context" in str(decision)
    assert "is not exactly the grant's EncryptionContextEquals {SecretARN=" in str(decision)


def test_a_statement_naming_a_stale_id_says_why_it_matched_nobody() -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html:
    the unique id of a deleted user matches nobody, not even the user re-created with its name."""
    table = json.loads((ROOT / "tests" / "cases" / "rules-2026-12.json").read_text())
    case = next(c for c in table["cases"] if c["id"] == "X-UID-02")
    text = str(sl.authorize(sl.World.from_dict(case["world"]), case["request"]))
    assert "AIDAOLDBOBDELETED001: stale principal id, the entity was deleted" in text
