"""Optional packages (issue #11 item 1): the core (``pip install secretslab``: orjson and PyYAML)
runs the evaluator, the analyses and every command but ``import`` and ``demo-aws``; a command or
API whose extra is missing says which one to install, in one line with exit status 2, never
"internal error". Each check runs in a fresh interpreter where an import blocker (a
``sys.meta_path`` finder) refuses the optional packages, as if they were not installed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import secretslab as sl
from secretslab import cli
from secretslab.extras import MissingExtra, require

ROOT = Path(__file__).resolve().parents[1]

#: every package an extra installs that the core might be tempted to import
OPTIONAL = (
    "boto3", "botocore", "s3transfer", "moto", "flask", "flask_cors", "werkzeug", "responses",
    "matplotlib", "numpy", "PIL", "ipywidgets", "IPython", "ipykernel", "jupyterlab", "jupyter_server",
    "voila", "traitlets",
)  # fmt: skip

BLOCKER = """
import sys

class Blocked:
    '''Refuses the named top-level packages, as if they were not installed.'''
    def __init__(self, names):
        self.names = frozenset(names)
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
        return None

sys.meta_path.insert(0, Blocked(sys.argv[1].split(",")))
"""


def _run(blocked: tuple[str, ...], code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("AWS_PROFILE", None)
    return subprocess.run(
        [sys.executable, "-c", BLOCKER + code, ",".join(blocked), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


NEEDS_BOTO3 = "this needs boto3; install secretslab[aws]"
CLI = "from secretslab.cli import main\nsys.exit(main(sys.argv[2:]))\n"


@pytest.mark.parametrize(
    ("blocked", "argv", "message"),
    [
        (("boto3", "botocore"), ["import", "-o", "{tmp}/snapshot.json"], NEEDS_BOTO3),
        (("boto3", "botocore"), ["import", "--endpoint-url", "http://127.0.0.1:9", "-o", "{tmp}/s.json"],
         NEEDS_BOTO3),
        (("moto",), ["demo-aws", "--seconds", "0"], "this needs moto; install secretslab[standin]"),
        (("flask",), ["demo-aws", "--seconds", "0"],
         "this needs moto (flask is not installed); install secretslab[standin]"),
        # a core install: the stand-in extra (which includes boto3) is named at once, not [aws] first
        (("boto3", "botocore", "moto", "flask"), ["demo-aws", "--seconds", "0"],
         "this needs moto; install secretslab[standin]"),
        (("boto3", "botocore"), ["demo-aws", "--seconds", "0"],
         "this needs moto (boto3 is not installed); install secretslab[standin]"),
    ],
)  # fmt: skip
def test_a_command_whose_extra_is_missing_names_the_extra(
    tmp_path: Path, blocked: tuple[str, ...], argv: list[str], message: str
) -> None:
    command = argv[0]
    done = _run(blocked, CLI, *(a.format(tmp=tmp_path) for a in argv))
    assert done.returncode == cli.EXIT_INPUT, done.stderr
    assert done.stderr == f"secretslab {command}: {message}\n"
    assert done.stdout == ""
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize(
    ("blocked", "code", "message"),
    [
        (("matplotlib",), "import secretslab.viz", "this needs matplotlib; install secretslab[notebook]"),
        (("matplotlib",), "from secretslab.viz.heatmaps import matrix_heatmap",
         "this needs matplotlib; install secretslab[notebook]"),
        (("ipywidgets",), "from secretslab.widgets import PolicyPlayground\n"
         "PolicyPlayground('cross-account-cmk', 'secret policy of app/db')",
         "this needs ipywidgets; install secretslab[notebook]"),
        (("boto3", "botocore"), "from secretslab.aws import snapshot", NEEDS_BOTO3),
        (("moto",), "from secretslab.aws import StandIn\nStandIn().start()",
         "this needs moto; install secretslab[standin]"),
    ],
)  # fmt: skip
def test_an_api_whose_extra_is_missing_raises_missing_extra(
    blocked: tuple[str, ...], code: str, message: str
) -> None:
    probe = (
        "import secretslab\n"
        "try:\n" + "".join(f"    {line}\n" for line in code.splitlines()) + "except ImportError as exc:\n"
        "    print(type(exc).__name__, isinstance(exc, secretslab.MissingExtra), exc.extra, exc, sep='|')\n"
    )
    done = _run(blocked, probe)
    assert done.returncode == 0, done.stderr
    name, is_missing_extra, extra, text = done.stdout.strip().split("|")
    assert (name, is_missing_extra, text) == ("MissingExtra", "True", message)
    assert extra == message.rsplit("[", 1)[1].rstrip("]")


def test_require_returns_the_module_and_names_what_is_missing() -> None:
    assert require("json", extra="aws") is json
    with pytest.raises(MissingExtra) as caught:
        require("secretslab_no_such_module.sub", extra="aws", package="thing")
    assert isinstance(caught.value, ImportError)
    # the module itself is missing: the package that provides it is named (botocore -> boto3)
    assert str(caught.value) == "this needs thing; install secretslab[aws]"
    assert caught.value.extra == "aws" and caught.value.name == "thing"
    # something it imports is missing: said too (moto's server without flask)
    assert str(MissingExtra("moto", "standin", "flask")) == (
        "this needs moto (flask is not installed); install secretslab[standin]"
    )
    assert cli.user_error(caught.value) == str(caught.value)
    assert sl.MissingExtra is MissingExtra


CORE = """
import contextlib, io, json
from secretslab.cli import main

def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code
    return {"argv": list(argv), "code": code, "out": out.getvalue()[-400:], "err": err.getvalue()[-400:]}

import secretslab as sl
world = sl.load_scenario("cross-account-read")
decision = sl.authorize(world, REQUEST)
api = {
    "decision": decision.outcome.value,
    "who_can": len(sl.who_can(world, REQUEST["action"], REQUEST["resource"])) > 0,
    "matrix": len(sl.access_matrix(world).cells) > 0,
    "findings": len(sl.findings(world)) >= 0,
    "diff": sl.diff(world, world).gained == (),
    "fixes": isinstance(sl.suggest_fixes(world, REQUEST), tuple),
}
results = [run(*argv) for argv in COMMANDS]
print(json.dumps({"api": api, "results": results}))
"""


def _core_commands(tmp: Path) -> list[list[str]]:
    scenario, other = "data/cross-account-read.json", "data/cross-account-cmk.json"
    request = _request()
    line = {"id": "1", "principal": request["principal"], "action": request["action"],
            "resource": request["resource"], "identity_policies": [{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"}]}]}  # fmt: skip
    (tmp / "batch.jsonl").write_text(json.dumps(line) + "\n")
    (tmp / "policy.json").write_text(json.dumps(line["identity_policies"][0]))
    who = ["--action", request["action"], "--resource", request["resource"]]
    return [
        ["--version"],
        ["simulate", str(tmp / "batch.jsonl"), "-o", str(tmp / "results.jsonl")],
        ["authorize", scenario, "--principal", request["principal"], *who],
        ["check", str(tmp / "policy.json")],
        ["validate", scenario],
        ["who-can", scenario, *who],
        ["paths", scenario, "--principal", request["principal"], *who],
        ["matrix", scenario],
        ["diff", scenario, other],
        ["fix", scenario, "--principal", request["principal"], *who],
        ["lint", scenario],
        ["export", scenario, "-o", str(tmp / "templates")],
        ["aws-policy"],
        ["notebooks", str(tmp / "lab")],
        ["test", scenario, other],
        ["schema", "-o", str(tmp / "scenario.schema.json")],
    ]


def _request() -> dict[str, str]:
    document = json.loads((ROOT / "data" / "cross-account-read.json").read_text())
    request: dict[str, str] = document["expectations"][0]["request"]
    return request


#: the commands that need an extra (said in their own test above)
AWS_COMMANDS = {"import", "demo-aws"}


def test_the_core_works_with_every_optional_package_missing(tmp_path: Path) -> None:
    commands = _core_commands(tmp_path)
    # every command but the AWS ones is run here: a command added later is added to the list
    registered = set(cli._parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert registered - AWS_COMMANDS == {argv[0] for argv in commands if not argv[0].startswith("-")}
    code = f"REQUEST = {_request()!r}\nCOMMANDS = {commands!r}\n" + CORE
    done = _run(OPTIONAL, code)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["api"] == {
        "decision": "allow", "who_can": True, "matrix": True, "findings": True, "diff": True, "fixes": True,
    }  # fmt: skip
    for result in report["results"]:
        # 0, or 1 where the command reports what it found (lint findings, check/validate problems)
        assert result["code"] in (0, 1), result
        assert "internal error" not in result["err"] and "Traceback" not in result["err"], result
    by_command = {r["argv"][0]: r for r in report["results"]}
    assert by_command["--version"]["out"] == f"secretslab {sl.__version__}\n"
    assert by_command["authorize"]["code"] == 0
    assert (tmp_path / "results.jsonl").read_text().count("\n") == 1
    copied = sorted(p.name for p in (tmp_path / "lab").iterdir())
    assert copied[:2] == ["00-first-request.ipynb", "01-identity-vs-resource.ipynb"] and "data" in copied
