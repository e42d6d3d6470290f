"""The analysis commands of the CLI: who-can, paths, matrix, diff, fix and lint on scenario files,
with text and --json output, and located errors without tracebacks (issue #3 §7)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from secretslab.cli import main
from secretslab.progress import Progress

from .conftest import ROOT

ASSUME = str(ROOT / "data" / "cross-account-assume-role.json")
READ = str(ROOT / "data" / "cross-account-read.json")
LEGACY = "arn:aws:secretsmanager:us-east-1:111111111111:secret:app/legacy-Zx9Yw8"
DB = "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbC123"
OLD = "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/legacy-Zx9Yw8"
GET = "secretsmanager:GetSecretValue"
BOB = "arn:aws:iam::222222222222:user/bob"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_who_can_prints_principals_and_their_paths(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "who-can", ASSUME, "--action", GET, "--resource", LEGACY)
    # text output is for people: ARNs in their short form, account kept (issue #11)
    assert code == 0 and "222222222222:user/bob" in out and "via 111111111111:role/SecretReader" in out
    assert "arn:aws:" not in out
    code, out, _ = _run(capsys, "who-can", ASSUME, "--action", GET, "--resource", LEGACY, "--json")
    assert any(e["principal"] == BOB and e["roles"] for e in json.loads(out))


def test_paths_prints_allowed_and_denied_paths(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "paths", ASSUME, "--principal", BOB, "--action", GET, "--resource", LEGACY)
    assert code == 0 and "allowed" in out and "denied" in out
    code, out, _ = _run(
        capsys, "paths", ASSUME, "--principal", BOB, "--action", GET, "--resource", LEGACY, "--json"
    )
    assert json.loads(out)[0]["allowed"] is True


def test_matrix_prints_a_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "matrix", READ, "--action", GET)
    assert code == 0 and out.splitlines()[0].split()[-1] == "GetSecretValue"
    code, out, _ = _run(capsys, "matrix", READ, "--action", GET, "--json")
    rows = json.loads(out)["rows"]
    assert {(r["resource"], r["outcome"]) for r in rows} == {(DB, "allow"), (OLD, "implicit_deny")}


def test_diff_lists_lost_access_between_two_scenarios(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = json.loads(Path(READ).read_text())
    data["world"]["secrets"][0]["resource_policy"] = None
    after = tmp_path / "after.json"
    after.write_text(json.dumps(data))
    code, out, _ = _run(capsys, "diff", READ, str(after), "--action", GET)
    assert code == 0 and out.startswith("- ") and "111111111111:secret:prod/db-AbC123" in out
    code, out, _ = _run(capsys, "diff", READ, str(after), "--action", GET, "--json")
    assert [c["change"] for c in json.loads(out)["lost"]] == ["lost"]


def test_fix_suggests_changes_for_a_denied_request(capsys: pytest.CaptureFixture[str]) -> None:
    principal = "arn:aws:sts::222222222222:assumed-role/AppRole/worker"
    code, out, _ = _run(capsys, "fix", READ, "--principal", principal, "--action", GET, "--resource", OLD)
    assert code == 0 and out.startswith("1. ")
    code, out, _ = _run(
        capsys, "fix", READ, "--principal", principal, "--action", GET, "--resource", OLD, "--json"
    )
    assert json.loads(out)


def test_lint_prints_findings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "lint", READ)
    assert code == 0 and "CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY" in out
    code, out, _ = _run(capsys, "lint", READ, "--json")
    assert json.loads(out)[0]["code"] == "CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY"


@pytest.mark.parametrize(
    "argv",
    [
        ["who-can", "missing.json", "--action", GET, "--resource", LEGACY],
        ["matrix", str(ROOT / "pyproject.toml")],
        ["lint", str(ROOT / "README.md")],
    ],
)
def test_bad_scenario_is_reported_without_traceback(argv: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "secretslab", *argv], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stderr.strip()


def test_progress_bar_appears_on_stderr_only_after_a_second(capsys: pytest.CaptureFixture[str]) -> None:
    bar = Progress("matrix", force=True)
    bar(1, 10)
    assert capsys.readouterr().err == ""  # not yet a second
    bar.start -= 2
    bar(5, 10)
    bar.close()
    err = capsys.readouterr().err
    assert "matrix [" in err and "5/10" in err and err.endswith("\n")
