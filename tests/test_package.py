"""Package-level promises: importing secretslab loads no plotting, widget or AWS SDK modules
(issue #2 §7), and the public API is exported."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import secretslab as sl
from secretslab import bundled, version

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


# -- packaging (issue #11 items 1 and 3)

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_one_version_number_read_from_the_metadata() -> None:
    """pyproject.toml holds the version; the package reads it from the installed metadata."""
    assert sl.__version__ == importlib.metadata.version("secretslab") == PYPROJECT["project"]["version"]
    assert not re.search(r"__version__\s*=\s*['\"]", (ROOT / "secretslab" / "__init__.py").read_text())
    done = subprocess.run(
        [sys.executable, "-m", "secretslab", "--version"], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (0, f"secretslab {sl.__version__}\n")


def test_version_falls_back_when_secretslab_is_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    assert version.version() == version.UNKNOWN == "0+unknown"


def test_the_cli_does_not_read_the_metadata_unless_asked() -> None:
    """Reading the version loads importlib.metadata (25 ms): only --version pays for it."""
    loaded = _loaded_after(
        "import contextlib, io\nfrom secretslab import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    cli.main(['validate', 'cross-account-read'])\n"
    )
    assert "importlib.metadata" not in loaded


def test_every_package_is_listed_for_the_wheel() -> None:
    """pyproject lists the packages (data/ and notebooks/ are mapped in): none may be left out."""
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "secretslab").rglob("__init__.py")}
    assert found <= listed
    data_folders = {
        ".".join(p.relative_to(ROOT).parts)
        for p in (ROOT / "secretslab").rglob("*")
        if p.is_dir() and p.name != "__pycache__" and not (p / "__init__.py").exists()
    }
    assert data_folders <= listed  # a folder of package data (exercises/worlds) is listed too
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {
        "secretslab.scenarios": "data",
        "secretslab.notebooks": "notebooks",
    }


def test_the_core_dependencies_are_orjson_and_pyyaml_only() -> None:
    project = PYPROJECT["project"]
    assert sorted(re.split(r"[<>=!~ \[]", d)[0].lower() for d in project["dependencies"]) == [
        "orjson",
        "pyyaml",
    ]
    extras = project["optional-dependencies"]
    assert extras["workshop"] == ["secretslab[notebook,aws,standin,apps]"]
    assert not any(d.startswith("moto[server") or d.startswith("moto[all") for d in extras["standin"])
    assert not [c for c in project["classifiers"] if c.startswith("License ::")]
    assert project["license"] == "Apache-2.0" and project["license-files"] == ["LICENSE"]
    assert "Apache License" in (ROOT / "LICENSE").read_text()[:200]


def test_bundled_scenarios_and_notebooks_are_found_from_a_clone() -> None:
    assert bundled.scenarios_dir() == ROOT / "data" and bundled.notebooks_dir() == ROOT / "notebooks"
    assert bundled.scenario_names() == tuple(sorted(p.stem for p in (ROOT / "data").glob("*.json")))
    assert bundled.bundled_scenario("cross-account-cmk") == ROOT / "data" / "cross-account-cmk.json"
    assert bundled.bundled_scenario("cross-account-cmk.json") == ROOT / "data" / "cross-account-cmk.json"
    for not_a_name in ("data/cross-account-cmk.json", "../cross-account-cmk", "-", ".hidden", "", "a\0b"):
        assert bundled.bundled_scenario(not_a_name) is None
