"""The AWS commands of the CLI (issue 5 §5): ``import`` against the embedded stand-in writes a
snapshot the scenario reader loads, ``export`` writes templates cfn-lint accepts, ``aws-policy``
prints the importer's policy as JSON, ``demo-aws`` serves the seeded stand-in; and missing
credentials, unknown profiles and unreachable endpoints end with one line on stderr, exit 2, no
traceback. Nothing here reaches real AWS: every credential is a dummy and every endpoint
loopback."""

from __future__ import annotations

import argparse
import inspect
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

import secretslab as sl
from secretslab import cli, cli_aws

from .conftest import ROOT

CMK = ROOT / "data" / "cross-account-cmk.json"
#: the lead hooks cli_aws into secretslab.cli; until then the commands run on a parser of their own
HOOKED = "cli_aws" in inspect.getsource(cli)
RUN = (
    "import sys\n"
    "from secretslab import cli, cli_aws\n"
    "import argparse, inspect\n"
    "if 'cli_aws' in inspect.getsource(cli):\n"
    "    sys.exit(cli.main(sys.argv[1:]))\n"
    "parser = argparse.ArgumentParser(prog='secretslab')\n"
    "cli_aws.add_commands(parser.add_subparsers(dest='command'))\n"
    "args = parser.parse_args(sys.argv[1:])\n"
    "sys.exit(args.run(args))\n"
)


def _main(argv: Sequence[str]) -> int:
    if HOOKED:
        return cli.main(list(argv))
    parser = argparse.ArgumentParser(prog="secretslab")
    cli_aws.add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    return int(args.run(args))


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = _main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def _isolated_env(tmp: Path, **extra: str) -> dict[str, str]:
    """An environment that cannot find anybody's AWS configuration or credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=str(tmp / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp / "no-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_DEFAULT_REGION="us-east-1",
        **extra,
    )
    return env


@pytest.fixture
def no_aws_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    for name, value in _isolated_env(tmp_path).items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    return tmp_path


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[Any, dict[str, Any]]]:
    from secretslab.aws.standin import StandIn, seed_demo

    with StandIn() as aws:
        yield aws, seed_demo(aws)


def _roles(seeded: dict[str, Any]) -> list[str]:
    from secretslab.aws.standin import ACCESS_ROLE

    out = []
    for account in seeded["accounts"].values():
        out += ["--role-arn", f"arn:aws:iam::{account}:role/{ACCESS_ROLE}"]
    return out


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens on it once the socket is closed


# -- import


def test_import_writes_a_snapshot_the_scenario_reader_loads_when_pointed_at_the_stand_in(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    no_aws_config: Path,
    demo: tuple[Any, dict[str, Any]],
) -> None:
    aws, seeded = demo
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    out = no_aws_config / "snapshot.json"
    code, stdout, err = _run(
        capsys,
        "import",
        "--endpoint-url",
        aws.endpoint_url,
        *_roles(seeded),
        "--region",
        "us-east-1",
        "-o",
        str(out),
    )
    assert code == 0, err
    assert "API calls" in stdout and str(out) in stdout
    world = sl.load_scenario(out)
    assert {s.name for s in world.secrets} == {"prod/db", "prod/legacy"}
    assert world.organization is not None and world.organization.scps
    app_role = seeded["roles"]["AppRole"]
    assert world.role(app_role) is not None
    readers = {
        w.principal for w in sl.who_can(world, "secretsmanager:GetSecretValue", seeded["secrets"]["prod/db"])
    }
    assert f"arn:aws:sts::{seeded['accounts']['apps']}:assumed-role/AppRole/session" in readers


def test_import_uses_the_profile_when_given_one(
    capsys: pytest.CaptureFixture[str], no_aws_config: Path, demo: tuple[Any, dict[str, Any]]
) -> None:
    aws, seeded = demo
    (no_aws_config / "no-config").write_text(
        f"[profile standin]\nregion = us-east-1\nendpoint_url = {aws.endpoint_url}\n", encoding="utf-8"
    )
    (no_aws_config / "no-credentials").write_text(
        "[standin]\naws_access_key_id = testing\naws_secret_access_key = testing\n", encoding="utf-8"
    )
    out = no_aws_config / "management.json"
    code, _, err = _run(capsys, "import", "--profile", "standin", "-o", str(out))
    assert code == 0, err
    world = sl.load_scenario(out)
    assert world.organization is not None
    assert world.organization.management_account == seeded["management_account"]


def test_import_fails_with_exit_2_when_the_profile_is_unknown(
    capsys: pytest.CaptureFixture[str], no_aws_config: Path
) -> None:
    code, stdout, err = _run(
        capsys, "import", "--profile", "no-such-profile", "-o", str(no_aws_config / "x.json")
    )
    assert code == 2 and not stdout
    assert "no-such-profile" in err and "could not be found" in err and "Traceback" not in err
    assert not (no_aws_config / "x.json").exists()


def test_import_fails_with_exit_2_when_the_endpoint_is_unreachable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, no_aws_config: Path
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    url = f"http://127.0.0.1:{_closed_port()}"
    code, _, err = _run(capsys, "import", "--endpoint-url", url, "-o", str(no_aws_config / "x.json"))
    assert code == 2
    assert err.startswith("secretslab import: cannot reach the AWS endpoint") and url in err
    assert "Traceback" not in err


def test_import_fails_with_exit_2_and_no_traceback_when_there_are_no_credentials(tmp_path: Path) -> None:
    # AWS's own endpoints: a loopback --endpoint-url would use the stand-in's dummy credentials
    # (issue 9 §6), so the missing credentials are shown where they are needed
    done = subprocess.run(
        [sys.executable, "-c", RUN, "import"],
        capture_output=True,
        text=True,
        env=_isolated_env(tmp_path),
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "no AWS credentials found" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "snapshot.json").exists()


# -- export, aws-policy, demo-aws


def test_export_writes_one_valid_template_per_account(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from cfnlint.api import lint

    code, stdout, _ = _run(capsys, "export", str(CMK), "-o", str(tmp_path / "templates"))
    assert code == 0
    paths = [Path(line) for line in stdout.splitlines()]
    assert [p.name for p in paths] == ["111111111111.json", "222222222222.json"]
    for path in paths:
        template = json.loads(path.read_text())
        assert template["Resources"]
        assert not lint(path.read_text(), regions=["us-east-1"])


def test_aws_policy_prints_the_importer_policy_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    from secretslab.aws.readonly import importer_policy

    code, stdout, _ = _run(capsys, "aws-policy")
    assert code == 0
    policy = json.loads(stdout)
    assert policy == importer_policy()
    denied = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert "secretsmanager:GetSecretValue" in denied[0]["Action"]
    assert not [p for p in sl.check_policy(policy) if p.is_error]


def test_demo_aws_prints_the_endpoint_and_environment_then_stops_after_the_given_seconds(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", RUN, "demo-aws", "--seconds", "0.2"],
        capture_output=True,
        text=True,
        env=_isolated_env(tmp_path),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "http://127.0.0.1:" in done.stdout and "export AWS_ENDPOINT_URL=http://127.0.0.1:" in done.stdout
    assert (
        "export AWS_ACCESS_KEY_ID=testing" in done.stdout
        and "secretslab import --endpoint-url" in done.stdout
    )
    assert "does not enforce policies" in done.stdout


def test_describe_names_what_a_user_can_fix_and_nothing_else() -> None:
    from botocore import exceptions as bx

    from secretslab.aws import describe

    assert "could not be found" in (describe(bx.ProfileNotFound(profile="nope")) or "")
    assert (describe(bx.NoCredentialsError()) or "").startswith("no AWS credentials found")
    assert "cannot reach" in (describe(bx.EndpointConnectionError(endpoint_url="http://127.0.0.1:9")) or "")
    assert describe(KeyError("a bug")) is None  # not a user's problem: it is raised, not described
