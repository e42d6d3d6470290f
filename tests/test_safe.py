"""Nothing lost, errors users can act on, and credentials kept in (issue 9 §4–§6), tried as a user
does: the command line in a subprocess (or ``cli.main`` in-process), asserting the exit status,
the message, that no traceback or "internal error" shows, and that files already there are
untouched when a write is refused or fails. Nothing here reaches real AWS: endpoints are loopback
(the stand-in, or a recording server of the test's own) and credentials are dummies.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import secretslab as sl
from secretslab import cli
from secretslab.batch import Simulator
from secretslab.problems import QUOTE_LIMIT, quoted

from .conftest import ROOT

CMK = ROOT / "data" / "cross-account-cmk.json"
USER = "arn:aws:iam::111111111111:user/alice"
LINE = {
    "principal": USER,
    "action": "secretsmanager:GetSecretValue",
    "resource": "arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf",
    "identity_policies": [
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    ],
}


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    """The process environment without anybody's AWS configuration, credentials or proxies."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and "proxy" not in k.lower()}
    env.update(
        AWS_CONFIG_FILE=str(tmp / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp / "no-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_DEFAULT_REGION="us-east-1",
        **extra,
    )
    return env


def run(
    *argv: str, cwd: Path | None = None, env: dict[str, str] | None = None, stdin: Any = subprocess.DEVNULL
) -> subprocess.CompletedProcess[str]:
    """``secretslab ARGV`` in a new process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "secretslab", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        stdin=stdin,
        timeout=120,
        check=False,
    )


def clean(stderr: str) -> bool:
    """No traceback and no internal error: the user was told what to fix."""
    return "Traceback" not in stderr and "internal error" not in stderr


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A shell line (for redirections a subprocess cannot make, such as a closed stream)."""
    secretslab = f"{sys.executable} -m secretslab"
    return subprocess.run(
        ["sh", "-c", command.replace("secretslab", secretslab)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def _batch(tmp: Path, lines: Sequence[Any], name: str = "batch.jsonl") -> Path:
    path = tmp / name
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- §4 nothing lost: every write is whole or not at all


def test_simulate_output_replaces_the_file_whole(tmp_path: Path) -> None:
    batch = _batch(tmp_path, [dict(LINE, id=i) for i in range(3)])
    out = tmp_path / "out.jsonl"
    out.write_text("previous results\n")
    os.chmod(out, 0o640)
    done = run("simulate", str(batch), "-o", str(out))
    assert done.returncode == 0 and clean(done.stderr), done.stderr
    results = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in results] == [0, 1, 2] and {r["outcome"] for r in results} == {"allow"}
    assert stat.S_IMODE(out.stat().st_mode) == 0o640  # the file keeps its permissions
    assert _listing(tmp_path) == ["batch.jsonl", "out.jsonl"]  # no temporary file left behind


def test_a_failed_write_leaves_the_existing_output_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = _batch(tmp_path, [LINE])
    out = tmp_path / "out.jsonl"
    out.write_text("previous results\n")

    def no_space(*_: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    code = cli.main(["simulate", str(batch), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "No space left on device" in err and clean(err)
    assert out.read_text() == "previous results\n"
    assert _listing(tmp_path) == ["batch.jsonl", "out.jsonl"]


def test_simulate_refuses_to_write_onto_its_own_input(tmp_path: Path) -> None:
    batch = _batch(tmp_path, [LINE])
    before = batch.read_bytes()
    done = run("simulate", str(batch), "-o", str(batch))
    assert done.returncode == 2 and clean(done.stderr)
    assert "own input" in done.stderr and str(batch) in done.stderr
    os.link(batch, tmp_path / "hard-link.jsonl")  # another name of the same file
    done = run("simulate", str(batch), "-o", str(tmp_path / "hard-link.jsonl"))
    assert done.returncode == 2 and "own input" in done.stderr
    with batch.open("rb") as stdin:  # the input given on standard input counts too
        done = run("simulate", "-o", str(batch), stdin=stdin)
    assert done.returncode == 2 and "own input" in done.stderr
    assert batch.read_bytes() == before


def test_writing_through_a_symlink_is_refused(tmp_path: Path) -> None:
    batch = _batch(tmp_path, [LINE])
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep me\n")
    link = tmp_path / "out.jsonl"
    link.symlink_to(target)
    done = run("simulate", str(batch), "-o", str(link))
    assert done.returncode == 2 and clean(done.stderr) and "symbolic link" in done.stderr
    assert target.read_text() == "keep me\n" and link.is_symlink()


def test_writing_onto_a_directory_is_refused_with_its_name(tmp_path: Path) -> None:
    batch = _batch(tmp_path, [LINE])
    done = run("simulate", str(batch), "-o", str(tmp_path))
    assert done.returncode == 2 and clean(done.stderr) and "is a directory" in done.stderr


def test_export_refuses_to_overwrite_its_scenario_and_writes_nothing(tmp_path: Path) -> None:
    scenario = tmp_path / "111111111111.json"  # named as the template of its first account
    scenario.write_bytes(CMK.read_bytes())
    done = run("export", str(scenario), "-o", str(tmp_path))
    assert done.returncode == 2 and clean(done.stderr) and "own input" in done.stderr
    assert scenario.read_bytes() == CMK.read_bytes()
    assert _listing(tmp_path) == ["111111111111.json"]  # the other account's template not written either


def test_export_refuses_a_symlinked_template_before_writing_any(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (tmp_path / "target.json").write_text("{}")
    (folder / "222222222222.json").symlink_to(tmp_path / "target.json")
    done = run("export", str(CMK), "-o", str(folder))
    assert done.returncode == 2 and "symbolic link" in done.stderr and clean(done.stderr)
    assert _listing(folder) == ["222222222222.json"] and (tmp_path / "target.json").read_text() == "{}"
    os.unlink(folder / "222222222222.json")
    done = run("export", str(CMK), "-o", str(folder))
    assert done.returncode == 0 and _listing(folder) == ["111111111111.json", "222222222222.json"]


def test_snapshot_save_is_atomic_and_refuses_a_symlink(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from secretslab.aws.imported import Snapshot, load_snapshot
    from secretslab.files import FileProblem

    snap = Snapshot(sl.load_scenario(CMK).to_dict())
    path = tmp_path / "snapshot.json"
    snap.save(path)
    assert load_snapshot(path).data == snap.data
    link = tmp_path / "link.json"
    link.symlink_to(path)
    with pytest.raises(FileProblem, match="symbolic link"):
        snap.save(link)
    monkeypatch.setattr(os, "fsync", lambda _: (_ for _ in ()).throw(OSError(5, "Input/output error")))
    with pytest.raises(OSError, match="Input/output error"):
        Snapshot({"accounts": []}).save(path)
    assert load_snapshot(path).data == snap.data and _listing(tmp_path) == ["link.json", "snapshot.json"]


def test_import_refuses_a_symlinked_output_before_calling_anything(tmp_path: Path) -> None:
    (tmp_path / "target.json").write_text("keep")
    (tmp_path / "snapshot.json").symlink_to(tmp_path / "target.json")
    with _Recorder() as server:
        done = run("import", "--endpoint-url", server.url, cwd=tmp_path, env=_env(tmp_path))
        assert not server.requests  # refused before the first call
    assert done.returncode == 2 and "symbolic link" in done.stderr and clean(done.stderr)
    assert (tmp_path / "target.json").read_text() == "keep"
    with _Recorder() as server:
        missing = tmp_path / "no-such-folder" / "snapshot.json"
        done = run("import", "--endpoint-url", server.url, "-o", str(missing), env=_env(tmp_path))
        assert not server.requests
    assert done.returncode == 2 and "directory does not exist" in done.stderr and clean(done.stderr)


# -- §4 batch ids come back exactly as given


@pytest.mark.parametrize(
    "text",
    [
        "123456789012345678901234567890",
        "18446744073709551616",  # 2^64
        "18446744073709551615",  # 2^64 - 1: orjson's own range
        "-9223372036854775809",  # below -2^63
        "1" + "0" * 5000,  # beyond the 4,300 digits Python turns into an int from text
        "1.5",
        '"an id"',
    ],
)
def test_batch_ids_come_back_exactly_as_given(tmp_path: Path, text: str) -> None:
    line = json.dumps(LINE)[:-1] + f', "id": {text}}}\n'
    (tmp_path / "batch.jsonl").write_text(line)
    done = run("simulate", str(tmp_path / "batch.jsonl"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f'{{"id":{text},"outcome":"allow"')


def test_the_batch_api_returns_big_ids_as_python_integers() -> None:
    line = json.dumps(LINE)[:-1] + ', "id": 123456789012345678901234567890}'
    (result,) = Simulator().run([line])
    assert result["id"] == 123456789012345678901234567890 and type(result["id"]) is int


def test_a_number_no_double_holds_is_read_and_the_line_keeps_its_id(tmp_path: Path) -> None:
    # 1e400 is valid JSON that orjson refuses: the line is read all the same, and answered with a
    # located error (a principal is an ARN), its id intact
    (tmp_path / "batch.jsonl").write_text('{"id": 12345678901234567890123, "principal": 1e400}\n')
    done = run("simulate", str(tmp_path / "batch.jsonl"))
    result = json.loads(done.stdout)
    assert result["id"] == 12345678901234567890123
    assert "$.principal" in [p["path"] for p in result["error"]["problems"]]


def test_lines_only_pythons_parser_reads_never_stop_the_batch(tmp_path: Path) -> None:
    (tmp_path / "batch.jsonl").write_text(
        '{"id": 1, "principal": NaN}\n'  # NaN is not JSON: refused, as orjson refuses it
        '{"principal": 1e999, "id": "\\ud800"}\n'  # an id no JSON output can carry
        + json.dumps(dict(LINE, id=3))
        + "\n"
    )
    done = run("simulate", str(tmp_path / "batch.jsonl"))
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert clean(done.stderr) and [r["id"] for r in results] == [None, None, 3]
    assert results[0]["error"]["problems"][0]["code"] == "INVALID_JSON"
    assert results[1]["error"]["problems"][0]["path"] == "$.id" and results[2]["outcome"] == "allow"


# -- §5 errors users can act on


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "big.json",
            '{"accounts": [{"id": "111111111111"}], "x": 1' + "0" * 5000 + "}",
            "$.x: error NUMBER_TOO_LARGE",
        ),
        ("deep.json", '{"accounts": ' + _deep(100_000) + "}", "TOO_DEEP"),
        ("circular.yaml", "accounts: &a [*a]\n", "ALIAS_EXPANSION"),
        ("snapshot.json", "this is not JSON\n", "not valid JSON"),
        ("latin1.json", "{}", "not UTF-8"),
    ],
)
def test_unreadable_scenarios_are_named_and_located(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(b"\xff\xfe" if name == "latin1.json" else text.encode())
    for command in ("validate", "lint", "matrix"):
        done = run(command, str(path))
        assert done.returncode == 2 and clean(done.stderr), done.stderr
        assert f"{path}: $" in done.stderr and expected in done.stderr


def test_a_fifo_or_directory_given_as_a_scenario_is_refused_before_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "scenario.json"
    os.mkfifo(fifo)  # nobody writes: reading it would block for ever
    for path, what in ((fifo, "is a FIFO"), (tmp_path, "is a directory")):
        done = run("validate", str(path))
        assert (
            done.returncode == 2 and clean(done.stderr) and what in done.stderr and str(path) in done.stderr
        )
    done = run("simulate", str(fifo))
    assert done.returncode == 2 and "is a FIFO" in done.stderr and "standard input" in done.stderr
    done = run("check", str(fifo))
    assert done.returncode == 2 and "is a FIFO" in done.stderr


def test_a_nul_in_a_path_is_a_scenario_error() -> None:
    with pytest.raises(sl.ScenarioError, match="NUL"):
        sl.load_scenario("scenario\0.json")


def test_a_snapshot_that_is_not_json_names_the_file(tmp_path: Path) -> None:
    from secretslab.aws.imported import load_snapshot

    path = tmp_path / "snapshot.json"
    path.write_text("<html>not a snapshot</html>")
    with pytest.raises(sl.ScenarioError) as caught:
        load_snapshot(path)
    assert caught.value.problems[0].source == str(path) and "not valid JSON" in str(caught.value)
    path.write_text("[1, 2]")
    with pytest.raises(sl.ScenarioError, match="a snapshot is a JSON object"):
        load_snapshot(path)


def test_closed_standard_streams_are_named(tmp_path: Path) -> None:
    done = shell("secretslab simulate <&-", tmp_path)
    assert done.returncode == 2 and "standard input is closed" in done.stderr and clean(done.stderr)
    done = shell("secretslab aws-policy >&-", tmp_path)
    assert done.returncode == 2 and "standard output is closed" in done.stderr and clean(done.stderr)


def test_a_broken_pipe_ends_quietly(tmp_path: Path) -> None:
    batch = _batch(tmp_path, [dict(LINE, id=i) for i in range(20_000)])
    process = subprocess.Popen(
        [sys.executable, "-m", "secretslab", "simulate", str(batch)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()  # the reader goes away, as `| head -1` does
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141 and err == ""


@pytest.mark.parametrize("seconds", ["nan", "inf", "-inf", "-1", "soon"])
def test_demo_aws_refuses_seconds_that_are_not_a_duration(seconds: str) -> None:
    done = run("demo-aws", "--seconds", seconds)
    assert done.returncode == 2 and clean(done.stderr) and "--seconds" in done.stderr
    assert "AWS stand-in" not in done.stdout  # refused before starting anything


@pytest.mark.parametrize(
    ("flag", "value", "expected"),
    [
        ("--region", "us east 1", "not a Region name"),
        ("--region", "../../etc", "not a Region name"),
        ("--region", "x" * 500, "not a Region name"),
        ("--role-arn", "not-an-arn", "not an IAM role ARN"),
        ("--role-arn", "arn:aws:iam::12345:role/x", "not an IAM role ARN"),
        ("--role-arn", "arn:aws:s3:::bucket", "not an IAM role ARN"),
        ("--endpoint-url", "ftp://127.0.0.1/", "not an http(s) URL"),
        ("--endpoint-url", "http://[::1", "not a URL"),
        ("--endpoint-url", "http://127.0.0.1:99999", "not a URL"),
        ("--endpoint-url", "nonsense", "not an http(s) URL"),
        ("--endpoint-url", "http://sts.example.com", "in clear"),
        ("--endpoint-url", "http://10.0.0.1:4566", "in clear"),
    ],
)
def test_import_refuses_bad_arguments_before_any_call(
    tmp_path: Path, flag: str, value: str, expected: str
) -> None:
    done = run("import", flag, value, "-o", str(tmp_path / "s.json"), env=_env(tmp_path))
    assert done.returncode == 2 and clean(done.stderr), done.stderr
    assert expected in done.stderr and len(done.stderr) < 600  # the value is quoted, shortened
    assert not (tmp_path / "s.json").exists()


def test_api_readers_raise_only_the_packages_errors() -> None:
    big = 10**5000
    nested: list[Any] = []
    for _ in range(100_000):
        nested = [nested]
    statement = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    policy = {
        "Version": "2012-10-17",
        "Statement": [dict(statement, Condition={"NumericEquals": {"k": big}})],
    }
    # as the same document's JSON text reports it (our limit of 1,000 digits), not Python's 4,300
    assert [p.code for p in sl.check_policy(policy)] == ["NUMBER_TOO_LARGE"]
    assert not sl.read_policy(policy).valid
    with pytest.raises(sl.InvalidPolicyError):
        sl.parse_policy(policy)
    assert sl.check_policy(
        json.dumps({"Version": "2012-10-17", "Statement": [statement]})[:-1] + ', "x": ' + _deep(50_000) + "}"
    )
    world = sl.World.from_dict(
        {"accounts": [{"id": "111111111111"}], "principals": {"users": [{"arn": USER}]}}
    )
    request = {"principal": USER, "action": "s3:GetObject", "resource": "*"}
    with pytest.raises(sl.ScenarioError, match="5,001 digits; secretslab reads at most 1,000"):
        sl.authorize(world, dict(request, context={"aws:x": big}))
    with pytest.raises(sl.ScenarioError):
        sl.World.from_dict({"accounts": [{"id": "111111111111"}], "description": nested})


def test_duplicate_key_is_located_at_the_object_that_holds_it() -> None:
    text = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},'
        ' {"Effect": "Allow", "Effect": "Deny", "Action": "*", "Resource": "*",'
        ' "Condition": {"StringEquals": {"aws:x": "a", "aws:x": "b"}}}]}'
    )
    found = [(p.json_path, p.message) for p in sl.check_policy(text) if p.code == "DUPLICATE_KEY"]
    assert sorted(path for path, _ in found) == [
        "$.Statement[1]",
        "$.Statement[1].Condition.StringEquals",
    ]
    assert "'Effect'" in dict(found)["$.Statement[1]"]


def test_messages_bound_the_values_they_quote() -> None:
    huge = "secretsmanager:" + "A" * 100_000
    problems = sl.check_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": huge, "Action": huge, "Resource": huge}]}
    )
    assert problems and all(len(p.message) < 400 for p in problems)
    with pytest.raises(sl.ScenarioError) as caught:
        sl.World.from_dict({"accounts": [{"id": "1" * 100_000}]})
    assert len(str(caught.value)) < 600
    assert len(quoted("x" * 10_000)) == QUOTE_LIMIT and quoted("x" * 10_000).count("…") == 1
    assert quoted(10**5000) == "<an integer of about 5001 digits>"  # never printed digit by digit
    assert quoted("short") == "'short'"


# -- §6 credentials and the import


class _Recorder:
    """A loopback HTTP server that records each request's headers and refuses it as STS does."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                recorder.requests.append(dict(self.headers))
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                body = (
                    b"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>"
                    b"<Message>refused by the test</Message></Error></ErrorResponse>"
                )
                self.send_response(403)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_CONNECT = do_POST  # a proxy is asked with CONNECT or GET

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> _Recorder:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def _access_keys(requests: list[dict[str, str]]) -> set[str]:
    """The access key id of each signed request (``Credential=KEY/date/...``)."""
    keys = set()
    for headers in requests:
        auth = headers.get("Authorization", "")
        if "Credential=" in auth:
            keys.add(auth.split("Credential=", 1)[1].split("/", 1)[0])
    return keys


def test_a_loopback_endpoint_gets_dummy_credentials_and_no_proxy(tmp_path: Path) -> None:
    with _Recorder() as server, _Recorder() as proxy:
        env = _env(
            tmp_path,
            AWS_ACCESS_KEY_ID="AKIAUSERSOWNKEY00000",
            AWS_SECRET_ACCESS_KEY="users-own-secret",
            HTTP_PROXY=proxy.url,
            HTTPS_PROXY=proxy.url,
            http_proxy=proxy.url,
        )
        done = run("import", "--endpoint-url", server.url, "-o", str(tmp_path / "s.json"), env=env)
        assert done.returncode == 2 and "AWS refused the call" in done.stderr and clean(done.stderr)
        assert _access_keys(server.requests) == {"testing"}  # never the user's own key
        assert not proxy.requests  # loopback is never reached through a proxy
        assert "AKIAUSERSOWNKEY00000" not in done.stdout + done.stderr


def test_a_named_profile_is_used_on_a_loopback_endpoint(tmp_path: Path) -> None:
    (tmp_path / "no-credentials").write_text(
        "[lab]\naws_access_key_id = AKIAPROFILEKEY000000\naws_secret_access_key = lab-secret\n"
    )
    with _Recorder() as server:
        done = run(
            "import",
            "--profile",
            "lab",
            "--endpoint-url",
            server.url,
            "-o",
            str(tmp_path / "s.json"),
            env=_env(tmp_path),
        )
    assert done.returncode == 2 and clean(done.stderr)
    assert _access_keys(server.requests) == {"AKIAPROFILEKEY000000"}
    assert "lab-secret" not in done.stdout + done.stderr


def test_the_api_refuses_plain_http_to_another_machine_before_looking_up_credentials() -> None:
    from secretslab.aws.endpoints import EndpointRefused, endpoint_of, is_loopback
    from secretslab.aws.importer import snapshot

    with pytest.raises(EndpointRefused, match="in clear"):
        snapshot(endpoint_url="http://192.0.2.1:4566", profiles=["no-such-profile"])
    for url in ("http://127.0.0.1:5000", "http://127.8.9.10", "http://[::1]:4566/", "http://localhost:4566"):
        assert is_loopback(url) and endpoint_of(url) == url
    assert endpoint_of("https://sts.example.com") == "https://sts.example.com"
    assert not is_loopback("http://127.0.0.1.example.com") and not is_loopback("http://[::2]/")


@pytest.fixture
def standin() -> Iterator[Any]:
    from secretslab.aws.standin import StandIn

    with StandIn() as aws:
        yield aws


def test_the_standin_sessions_ignore_proxies(standin: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with _Recorder() as proxy:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            monkeypatch.setenv(name, proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        session = standin.session()
        assert session.client("sts").get_caller_identity()["Account"]
        assert standin.client("sts").get_caller_identity()["Account"]
        assert not proxy.requests


def test_the_operation_log_includes_the_assume_role_of_a_role_profile(
    standin: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from secretslab.aws.importer import snapshot

    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text(
        f"[profile source]\nregion = us-east-1\nendpoint_url = {standin.endpoint_url}\n"
        "[profile audit]\nregion = us-east-1\nrole_arn = arn:aws:iam::111111111111:role/Audit\n"
        f"source_profile = source\nendpoint_url = {standin.endpoint_url}\n"
    )
    credentials.write_text("[source]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    snap = snapshot(profiles=["audit"], endpoint_url=standin.endpoint_url)
    assert [a["id"] for a in snap.data["accounts"]] == ["111111111111"]
    # botocore's credential provider assumed the role: the import says so
    assert snap.operations[:2] == ("sts:GetCallerIdentity", "sts:AssumeRole")
    assert snap.operations.count("sts:AssumeRole") == 1
    assert "testing" not in json.dumps(snap.data)


def test_one_bad_policy_in_an_account_is_a_gap_not_a_lost_import(
    standin: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    kms = standin.client("kms")
    key = kms.create_key(Policy="this is not a JSON policy")["KeyMetadata"]["Arn"]
    sm = standin.client("secretsmanager")
    secret = sm.create_secret(Name="app/db", SecretString="placeholder", KmsKeyId=key)["ARN"]
    sm.put_resource_policy(SecretId="app/db", ResourcePolicy='{"Version": "2012-10-17", "Statement": [')
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    out = tmp_path / "snapshot.json"
    code = cli.main(["import", "--endpoint-url", standin.endpoint_url, "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 0 and clean(captured.err), captured.err
    assert "MalformedPolicyDocument" in captured.err
    world = sl.load_scenario(out)
    gaps = {(g.resource, g.operation) for g in world.gaps}
    assert (key, "kms:GetKeyPolicy") in gaps and (secret, "secretsmanager:GetResourcePolicy") in gaps
    assert world.secret(secret) is not None and world.key(key) is not None
    decision = sl.authorize(
        world,
        {
            "principal": "arn:aws:iam::123456789012:root",
            "action": "secretsmanager:GetSecretValue",
            "resource": secret,
        },
    )
    assert decision.unknown  # what depends on the unreadable policies is unknown, not decided
