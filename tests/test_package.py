"""Package-level promises: importing secretslab loads no plotting, widget or AWS SDK modules
(issue #2 §7), and the public API is exported."""

from __future__ import annotations

import subprocess
import sys

import secretslab as sl

HEAVY = ("matplotlib", "ipywidgets", "IPython", "boto3", "botocore")


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_loads_no_heavy_modules_when_using_the_core() -> None:
    loaded = _loaded_after(
        "import secretslab as sl\nsl.World\nsl.authorize\nsl.parse_policy\n"
        "import secretslab.batch, secretslab.cli"
    )
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}


def test_public_api_is_exported() -> None:
    for name in sl.__all__:
        assert getattr(sl, name) is not None
    assert issubclass(sl.InvalidPolicyError, ValueError) and issubclass(sl.ScenarioError, ValueError)


def test_cli_parser_and_other_commands_never_load_boto3_or_moto() -> None:
    # The AWS commands are registered on the parser but import boto3/moto only when they run.
    loaded = _loaded_after(
        "import contextlib, io\nfrom secretslab import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    cli.main(['--help'])\n"
        "import secretslab.aws"
    )
    assert not {m for m in loaded if m.split(".")[0] in (*HEAVY, "moto")}


def test_aws_names_load_on_first_use() -> None:
    import secretslab.aws as aws

    for name in aws.__all__:
        assert getattr(aws, name) is not None
    assert set(aws.__all__) == set(aws._WHERE)
