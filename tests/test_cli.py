"""The ``secretslab`` command, run in-process (``secretslab.cli.main``) and as a subprocess
(``python -m secretslab``): ``simulate`` (JSON Lines batch), ``authorize`` (one request on a
scenario, semantics §1 and §12), ``check`` (a policy file, §3) and ``validate`` (a scenario's
policies). Bad input gives a message on stderr, a non-zero exit and never a traceback.
"""

from __future__ import annotations

import gc
import io
import json
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from secretslab import cli
from secretslab.problems import CODES

ACCOUNT = "111111111111"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"
GROUP = f"arn:aws:iam::{ACCOUNT}:group/devs"
SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db-AbC123"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/a1a1a1a1-0000-4000-8000-000000000001"
GET = "secretsmanager:GetSecretValue"
OUTCOMES = {"allow", "explicit_deny", "implicit_deny"}
EXIT_INPUT = 2


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def world() -> dict[str, Any]:
    """alice may read prod/db and may not delete it; bob may read it only through vpce-1 (§1.1)."""
    return {
        "accounts": [{"id": ACCOUNT, "name": "prod", "org_id": None, "org_path": []}],
        "principals": {
            "users": [
                {
                    "arn": ALICE,
                    "policies": [
                        doc(
                            {"Effect": "Allow", "Action": GET, "Resource": SECRET},
                            {"Effect": "Deny", "Action": "secretsmanager:DeleteSecret", "Resource": "*"},
                        )
                    ],
                },
                {
                    "arn": BOB,
                    "policies": [
                        doc(
                            {
                                "Effect": "Allow",
                                "Action": GET,
                                "Resource": SECRET,
                                "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}},
                            }
                        )
                    ],
                },
            ]
        },
        "secrets": [{"arn": SECRET, "kms_key": KEY, "resource_policy": None}],
        "kms_keys": [{"arn": KEY, "manager": "AWS", "aliases": ["alias/aws/secretsmanager"]}],
    }


@pytest.fixture(autouse=True)
def _restore_gc() -> Iterator[None]:
    """``simulate`` switches the cyclic collector off for its process; give it back to pytest."""
    enabled = gc.isenabled()
    yield
    if enabled:
        gc.enable()


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(world()), encoding="utf-8")
    return path


@pytest.fixture
def invalid_policy_scenario(tmp_path: Path) -> Path:
    data = world()
    data["secrets"][0]["resource_policy"] = doc(
        {"Effect": "Allow", "Principal": {"AWS": GROUP}, "Action": GET, "Resource": "*"}
    )
    path = tmp_path / "invalid-policy.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The CLI in-process: exit code, stdout, stderr."""
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_process(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The CLI as ``python -m secretslab``."""
    return subprocess.run(
        [sys.executable, "-m", "secretslab", *args],
        input=stdin.decode() if stdin else None,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


def assert_input_error(code: int, err: str, *mentions: str) -> None:
    """A user error: non-zero exit, a message on stderr naming ``mentions``, no traceback."""
    assert code != 0
    assert code == EXIT_INPUT, err
    assert err.strip(), "the error is explained on stderr"
    assert "Traceback" not in err
    assert "internal error" not in err
    for mention in mentions:
        assert mention in err, err


# -- simulate: the batch


def line(ident: str, **fields: Any) -> str:
    return json.dumps({"id": ident, "principal": ALICE, "action": GET, "resource": SECRET, **fields})


ALLOW_GET = doc({"Effect": "Allow", "Action": GET, "Resource": "*"})
BATCH_LINES = [
    line("allowed", identity_policies=[ALLOW_GET]),
    '{"id": "broken", ',  # invalid JSON
    line(
        "bad-policy", identity_policies=[ALLOW_GET, doc({"Effect": "allow", "Action": GET, "Resource": "*"})]
    ),
    "",  # blank: skipped
    line("typo", resourse="*"),  # unknown field
    line(
        "denied",
        identity_policies=[
            doc(
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "secretsmanager:*", "Resource": "*"},
            )
        ],
    ),
    line(
        "group-principal",
        resource_policy=doc({"Effect": "Allow", "Principal": {"AWS": GROUP}, "Action": GET, "Resource": "*"}),
    ),
    line("nothing"),
]
#: per non-blank input line: the id and either the outcome or the error's (code, path)
BATCH_EXPECTED: list[tuple[Any, str, Any]] = [
    ("allowed", "outcome", "allow"),
    (None, "error", ("INVALID_JSON", "$")),
    ("bad-policy", "error", ("INVALID_EFFECT", "$.identity_policies[1].Statement[0].Effect")),
    ("typo", "error", ("UNKNOWN_FIELD", "$.resourse")),
    ("denied", "outcome", "explicit_deny"),
    ("group-principal", "error", ("GROUP_PRINCIPAL", "$.resource_policy.Statement[0].Principal.AWS")),
    ("nothing", "outcome", "implicit_deny"),
]


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(BATCH_LINES) + "\n", encoding="utf-8")
    return path


def check_batch_output(text: str) -> None:
    """One result per non-blank line, in order, in the {"id","outcome","reason"} or {"id","error"} shape."""
    results = [json.loads(x) for x in text.splitlines()]
    assert len(results) == len(BATCH_EXPECTED)
    for result, (ident, kind, want) in zip(results, BATCH_EXPECTED, strict=True):
        assert result["id"] == ident
        if kind == "outcome":
            assert set(result) == {"id", "outcome", "reason"}, result
            assert result["outcome"] == want and result["outcome"] in OUTCOMES
            assert result["reason"]
        else:
            assert set(result) == {"id", "error"}, result
            problems = result["error"]["problems"]
            assert [(p["code"], p["path"]) for p in problems] == [want], problems
            assert all(p["code"] in CODES and p["severity"] == "error" for p in problems)


def test_simulate_answers_every_line_in_order_when_batch_mixes_good_and_bad_lines(
    capsys: pytest.CaptureFixture[str], batch: Path
) -> None:
    """A bad line yields a located error for that line and the batch goes on (batch.py format); the
    exit status is 1 because some lines failed (issue #9: it was 0), every result still written."""
    code, out, err = run_main(capsys, "simulate", str(batch))
    assert code == 1
    check_batch_output(out)
    assert "Traceback" not in err


def test_simulate_names_the_line_when_reporting_its_error(
    capsys: pytest.CaptureFixture[str], batch: Path
) -> None:
    """Each error names the file and line it came from."""
    _, out, _ = run_main(capsys, "simulate", str(batch))
    sources = [r["error"]["problems"][0]["source"] for r in map(json.loads, out.splitlines()) if "error" in r]
    assert sources == [f"{batch}:2", f"{batch}:3", f"{batch}:5", f"{batch}:7"]


def test_simulate_reads_stdin_when_no_file_is_given(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a file the batch is read from standard input."""
    data = ("\n".join(BATCH_LINES) + "\n").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code, out, _ = run_main(capsys, "simulate")
    assert code == 1
    check_batch_output(out)


def test_simulate_writes_output_file_when_given_o(
    capsys: pytest.CaptureFixture[str], batch: Path, tmp_path: Path
) -> None:
    """-o writes the results to a file instead of standard output."""
    target = tmp_path / "results.jsonl"
    code, out, _ = run_main(capsys, "simulate", str(batch), "-o", str(target))
    assert code == 1 and out == ""
    check_batch_output(target.read_text(encoding="utf-8"))


def test_simulate_answers_every_line_when_run_as_a_process(batch: Path, tmp_path: Path) -> None:
    """``python -m secretslab simulate FILE`` and ``-o`` work outside pytest as well."""
    done = run_process("simulate", str(batch))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    check_batch_output(done.stdout)
    target = tmp_path / "out.jsonl"
    done = run_process("simulate", str(batch), "--output", str(target))
    assert done.returncode == 1 and done.stdout == ""
    check_batch_output(target.read_text(encoding="utf-8"))


def test_simulate_reads_stdin_when_run_as_a_process() -> None:
    """``python -m secretslab simulate < FILE``."""
    done = run_process("simulate", stdin=("\n".join(BATCH_LINES) + "\n").encode())
    assert done.returncode == 1 and "Traceback" not in done.stderr
    check_batch_output(done.stdout)


def test_simulate_prints_nothing_when_input_is_empty(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An empty batch (or only blank lines) decides nothing and succeeds."""
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    assert run_main(capsys, "simulate", str(path))[:2] == (0, "")


def test_simulate_decides_last_line_when_it_has_no_final_newline(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The last line counts even without a trailing newline."""
    path = tmp_path / "last.jsonl"
    path.write_text(BATCH_LINES[0] + "\n" + BATCH_LINES[-1], encoding="utf-8")
    _, out, _ = run_main(capsys, "simulate", str(path))
    assert [json.loads(x)["id"] for x in out.splitlines()] == ["allowed", "nothing"]


def test_simulate_skips_line_when_it_holds_only_whitespace(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A line of spaces is blank: no output line, as for an empty line."""
    path = tmp_path / "spaces.jsonl"
    path.write_text(BATCH_LINES[0] + "\n    \n\t \t\n" + BATCH_LINES[-1] + "\n", encoding="utf-8")
    _, out, _ = run_main(capsys, "simulate", str(path))
    assert [json.loads(x)["id"] for x in out.splitlines()] == ["allowed", "nothing"]


def test_simulate_leaves_garbage_collection_on_when_run_in_process(
    capsys: pytest.CaptureFixture[str], batch: Path
) -> None:
    """main() is callable in-process and returns; it should not change the caller's interpreter."""
    assert gc.isenabled()
    run_main(capsys, "simulate", str(batch))
    assert gc.isenabled()


# -- authorize: one request on a scenario (§1, §12)


def test_authorize_prints_decision_and_reason_when_request_is_allowed(
    capsys: pytest.CaptureFixture[str], scenario: Path
) -> None:
    """An identity policy allows in the resource's own account (semantics §8.6, §12)."""
    code, out, err = run_main(
        capsys, "authorize", str(scenario), "--principal", ALICE, "--action", GET, "--resource", SECRET
    )
    assert code == 0 and err == ""
    assert "ALLOW" in out and "ALLOWED_IDENTITY" in out
    assert "kms:Decrypt" in out  # the KMS sub-request Secrets Manager makes (§10)


def test_authorize_prints_explicit_deny_when_a_deny_statement_applies(
    capsys: pytest.CaptureFixture[str], scenario: Path
) -> None:
    """An explicit Deny wins over any Allow (semantics §8.2, §12)."""
    code, out, _ = run_main(
        capsys,
        "authorize",
        str(scenario),
        "--principal",
        ALICE,
        "--action",
        "secretsmanager:DeleteSecret",
        "--resource",
        SECRET,
    )
    assert code == 0
    assert "DENY" in out and "EXPLICIT_DENY_IDENTITY" in out


def test_authorize_uses_context_when_given_key_value_pairs(
    capsys: pytest.CaptureFixture[str], scenario: Path
) -> None:
    """--context supplies request condition keys (semantics §5, §7)."""
    base = ["authorize", str(scenario), "--principal", BOB, "--action", GET, "--resource", SECRET, "--json"]
    code, out, _ = run_main(capsys, *base)
    assert code == 0 and json.loads(out)["reason"] == "NO_APPLICABLE_ALLOW"
    code, out, _ = run_main(capsys, *base, "--context", "aws:SourceVpce=vpce-1")
    assert code == 0
    decision = json.loads(out)
    assert (decision["decision"], decision["reason"]) == ("allow", "ALLOWED_IDENTITY")


def test_authorize_prints_section_12_shape_when_given_json(
    capsys: pytest.CaptureFixture[str], scenario: Path
) -> None:
    """--json prints decision, reason, steps and validation_errors (semantics §12)."""
    code, out, _ = run_main(
        capsys,
        "authorize",
        str(scenario),
        "--principal",
        ALICE,
        "--action",
        GET,
        "--resource",
        SECRET,
        "--json",
    )
    assert code == 0
    decision = json.loads(out)
    assert {"decision", "reason", "steps", "validation_errors"} <= set(decision)
    assert decision["decision"] == "allow" and decision["reason"] == "ALLOWED_IDENTITY"
    steps = [(s["action"], s["decision"]) for s in decision["steps"]]
    assert steps == [(GET, "allow"), ("kms:Decrypt", "allow")]
    assert decision["validation_errors"] == []


def test_authorize_reports_validation_error_when_world_policy_is_invalid(
    capsys: pytest.CaptureFixture[str], invalid_policy_scenario: Path
) -> None:
    """An invalid secret policy is ignored and reported as MalformedPolicyDocument (semantics §3.4, §12)."""
    code, out, _ = run_main(
        capsys,
        "authorize",
        str(invalid_policy_scenario),
        "--principal",
        ALICE,
        "--action",
        GET,
        "--resource",
        SECRET,
        "--json",
    )
    assert code == 0
    decision = json.loads(out)
    assert decision["decision"] == "allow"  # the identity policy still allows; the group grant is ignored
    assert [v["error"] for v in decision["validation_errors"]] == ["MalformedPolicyDocument"]


def test_authorize_prints_json_when_run_as_a_process(scenario: Path) -> None:
    """``python -m secretslab authorize … --json``."""
    done = run_process(
        "authorize",
        str(scenario),
        "--principal",
        ALICE,
        "--action",
        "secretsmanager:DeleteSecret",
        "--resource",
        SECRET,
        "--json",
    )
    assert done.returncode == 0, done.stderr
    decision = json.loads(done.stdout)
    assert (decision["decision"], decision["reason"]) == ("deny", "EXPLICIT_DENY_IDENTITY")


# -- check and validate


def write_policy(tmp_path: Path, document: Any, name: str = "policy.json") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return path


GROUP_GRANT = doc(
    {
        "Effect": "Allow",
        "Principal": {"AWS": GROUP},
        "Action": "secretsmanager:GetSecretValu",
        "Resource": "*",
    }
)


def test_check_reports_located_problems_when_resource_policy_is_invalid(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A group principal is an error in a secret policy (semantics §3.4); exit 1 on errors."""
    path = write_policy(tmp_path, GROUP_GRANT)
    code, out, _ = run_main(capsys, "check", str(path), "--kind", "resource")
    assert code == 1
    assert "GROUP_PRINCIPAL" in out and "$.Statement[0].Principal.AWS" in out
    assert "UNKNOWN_ACTION" in out


def test_check_prints_problem_dicts_when_given_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--json prints every problem's to_dict, errors first, naming the file."""
    path = write_policy(tmp_path, GROUP_GRANT)
    code, out, _ = run_main(capsys, "check", str(path), "--kind", "resource", "--json")
    assert code == 1
    problems = json.loads(out)
    assert [(p["code"], p["severity"], p["path"]) for p in problems] == [
        ("GROUP_PRINCIPAL", "error", "$.Statement[0].Principal.AWS"),
        ("UNKNOWN_ACTION", "warning", "$.Statement[0].Action"),
    ]
    assert all(p["source"] == str(path) for p in problems)


def test_check_depends_on_kind_when_same_policy_is_checked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A Principal is required in a secret policy and forbidden in an identity policy (semantics §3.3)."""
    path = write_policy(tmp_path, doc({"Effect": "Allow", "Action": GET, "Resource": "*"}))
    assert run_main(capsys, "check", str(path))[:2] == (0, f"{path}: no problems\n")
    code, out, _ = run_main(capsys, "check", str(path), "--kind", "resource", "--json")
    assert code == 1 and [p["code"] for p in json.loads(out)] == ["MISSING_PRINCIPAL"]


def test_check_exits_zero_when_policy_has_only_warnings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Warnings are lint: AWS accepts the document (problems.CODES)."""
    path = write_policy(tmp_path, {"Statement": [{"Effect": "Allow", "Action": GET, "Resource": "*"}]})
    code, out, _ = run_main(capsys, "check", str(path))
    assert code == 0 and "MISSING_VERSION" in out


def test_check_reports_invalid_json_when_policy_text_is_malformed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Text that is not JSON is INVALID_JSON, reported like any problem (not a crash)."""
    path = write_policy(tmp_path, '{"Version": "2012-10-17", "Statement": [}')
    code, out, err = run_main(capsys, "check", str(path), "--json")
    assert code == 1 and [p["code"] for p in json.loads(out)] == ["INVALID_JSON"]
    assert "Traceback" not in err


def test_check_reports_input_error_when_policy_file_is_not_utf8(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A file that is not UTF-8 text is bad input (exit 2 or an INVALID_JSON problem), not a bug."""
    path = tmp_path / "binary.json"
    path.write_bytes(b"\xff\xfe{}")
    code, _, err = run_main(capsys, "check", str(path))
    assert code in (1, EXIT_INPUT)
    assert "internal error" not in err


def test_validate_reports_nothing_when_scenario_is_valid(
    capsys: pytest.CaptureFixture[str], scenario: Path
) -> None:
    """A valid scenario has no policy problems (semantics §1.1, §3)."""
    code, out, _ = run_main(capsys, "validate", str(scenario), "--json")
    assert code == 0 and json.loads(out) == []
    code, out, _ = run_main(capsys, "validate", str(scenario))
    assert code == 0 and "0 policy problem" in out


def test_validate_locates_policy_problem_when_scenario_holds_an_invalid_policy(
    capsys: pytest.CaptureFixture[str], invalid_policy_scenario: Path
) -> None:
    """The problem is located by its path in the world and names the file (semantics §3.4)."""
    code, out, _ = run_main(capsys, "validate", str(invalid_policy_scenario), "--json")
    assert code == 1
    assert [(p["code"], p["path"], p["source"]) for p in json.loads(out)] == [
        (
            "GROUP_PRINCIPAL",
            "$.secrets[0].resource_policy.Statement[0].Principal.AWS",
            str(invalid_policy_scenario),
        )
    ]


def test_validate_locates_policy_problem_when_run_as_a_process(invalid_policy_scenario: Path) -> None:
    """``python -m secretslab validate SCENARIO``."""
    done = run_process("validate", str(invalid_policy_scenario))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "GROUP_PRINCIPAL" in done.stdout
    assert "$.secrets[0].resource_policy.Statement[0].Principal.AWS" in done.stdout


# -- errors: stderr, non-zero exit, never a traceback


@pytest.mark.parametrize(
    "command",
    [
        ["authorize", "{missing}", "--principal", ALICE, "--action", GET],
        ["validate", "{missing}"],
        ["check", "{missing}"],
        ["simulate", "{missing}"],
    ],
)
def test_command_fails_cleanly_when_file_is_missing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    """A missing file is a user error naming the file."""
    missing = str(tmp_path / "absent.json")
    code, _, err = run_main(capsys, *[missing if a == "{missing}" else a for a in command])
    assert_input_error(code, err, "absent.json")


@pytest.mark.parametrize(
    "content, mentions",
    [
        ('{"principals": [}', ["UNREADABLE_FILE"]),
        (
            json.dumps({"principals": {"users": [{"arn": ALICE, "polices": []}]}}),
            ["UNKNOWN_FIELD", "$.principals.users[0].polices"],
        ),
        (
            json.dumps({"world": {"secrets": [{"arn": "not-an-arn"}]}}),
            ["INVALID_FIELD", "$.world.secrets[0].arn"],
        ),
    ],
)
@pytest.mark.parametrize("command", ["authorize", "validate"])
def test_command_fails_cleanly_when_scenario_is_malformed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, mentions: list[str], command: str
) -> None:
    """A malformed scenario is reported with its code, path and file (semantics §1)."""
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    extra = ["--principal", ALICE, "--action", GET] if command == "authorize" else []
    code, out, err = run_main(capsys, command, str(path), *extra)
    assert_input_error(code, err, "broken.json", *mentions)
    assert out == ""


@pytest.mark.parametrize(
    "principal", ["alice", GROUP, f"arn:aws:iam::{ACCOUNT}:policy/p", "arn:aws:iam::1:user/x"]
)
def test_authorize_fails_cleanly_when_principal_arn_has_an_unknown_shape(
    capsys: pytest.CaptureFixture[str], scenario: Path, principal: str
) -> None:
    """The caller is a root, user, assumed-role or federated-user ARN (semantics §2.2, §2.4)."""
    code, out, err = run_main(
        capsys, "authorize", str(scenario), "--principal", principal, "--action", GET, "--resource", SECRET
    )
    assert_input_error(code, err, "INVALID_FIELD", "$.principal")
    assert out == ""


@pytest.mark.parametrize(
    "args, mention",
    [
        (["--action", "GetSecretValue"], "$.action"),
        (["--action", GET, "--context", "no-equals-sign"], "--context"),
        (["--action", GET, "--assume", "not-a-role"], "$.assume_role_chain[0].role_arn"),
    ],
)
def test_authorize_fails_cleanly_when_request_arguments_are_malformed(
    capsys: pytest.CaptureFixture[str], scenario: Path, args: list[str], mention: str
) -> None:
    """Request problems are reported with their path (semantics §1.2)."""
    code, _, err = run_main(capsys, "authorize", str(scenario), "--principal", ALICE, *args)
    assert_input_error(code, err, mention)


def test_cli_prints_usage_when_no_command_is_given(capsys: pytest.CaptureFixture[str]) -> None:
    """Without a command the usage goes to stderr with a non-zero exit."""
    code, out, err = run_main(capsys)
    assert code == EXIT_INPUT and out == "" and "usage" in err and "Traceback" not in err


def test_commands_fail_cleanly_when_run_as_a_process_with_bad_input(tmp_path: Path, scenario: Path) -> None:
    """The same guarantees hold for ``python -m secretslab``: stderr, non-zero exit, no traceback."""
    broken = tmp_path / "broken.yaml"
    broken.write_text("principals: [\n  - arn: 1\n bad", encoding="utf-8")
    runs: Sequence[tuple[list[str], str]] = [
        (["validate", str(tmp_path / "absent.json")], "absent.json"),
        (["authorize", str(broken), "--principal", ALICE, "--action", GET], "UNREADABLE_FILE"),
        (["authorize", str(scenario), "--principal", "alice", "--action", GET], "$.principal"),
        (["simulate", str(tmp_path / "absent.jsonl")], "absent.jsonl"),
    ]
    for args, mention in runs:
        done = run_process(*args, cwd=tmp_path)
        assert_input_error(done.returncode, done.stderr, mention)
        assert done.stdout == ""


@pytest.mark.parametrize("command", ["matrix", "simulate"])
@pytest.mark.parametrize("jobs", ["65", "1000000", "0", "-1", "two"])
def test_worker_processes_out_of_range_are_refused_before_any_starts(
    capsys: pytest.CaptureFixture[str], command: str, jobs: str
) -> None:
    """``--jobs 1000000`` once started a million processes; 64 is the most."""
    with pytest.raises(SystemExit) as exit_info:
        run_main(capsys, command, "--jobs", jobs, "cross-account-cmk")
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "--jobs" in err and "Traceback" not in err
