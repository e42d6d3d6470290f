"""The wheel a user installs (issue #11 items 1 and 3): built from a copy of this tree, it carries
the metadata (one version, the SPDX licence and its file, only orjson and PyYAML for the core),
the bundled scenarios and the notebooks; installed into a fresh virtualenv that holds nothing but
it, orjson and PyYAML, it loads a scenario by name, copies the notebooks with ``secretslab
notebooks DIR`` and says which extra a missing package needs.

Offline: the wheel is built without build isolation when this environment has setuptools>=77
(the ``test`` extra installs it), else pip fetches it. orjson and PyYAML are copied into the
fresh virtualenv from this environment's own installation (their files, from their metadata),
not made visible with ``--system-site-packages``, which would also show every optional package
and prove nothing about the core. Run alone with ``pytest -m wheel``.
"""

from __future__ import annotations

import email
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
VERSION = PYPROJECT["project"]["version"]
CORE = ("orjson", "pyyaml")

pytestmark = pytest.mark.wheel


def _setuptools_builds_offline() -> bool:
    try:
        major = int(importlib.metadata.version("setuptools").split(".")[0])
    except importlib.metadata.PackageNotFoundError:
        return False
    return major >= 77


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the tree (the build writes build/ and egg-info into it)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    source.mkdir()
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    for folder in ("secretslab", "data", "notebooks"):
        shutil.copytree(ROOT / folder, source / folder, ignore=skip)
    flags = ["--no-build-isolation"] if _setuptools_builds_offline() else []
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            *flags,
            "-w",
            str(tmp / "dist"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    (found,) = (tmp / "dist").glob("secretslab-*.whl")
    return found


def test_the_wheel_carries_the_metadata_the_data_and_the_notebooks(wheel: Path) -> None:
    assert wheel.name == f"secretslab-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = f"secretslab-{VERSION}.dist-info"
        metadata = email.message_from_bytes(archive.read(f"{info}/METADATA"))
        assert archive.read(f"{info}/licenses/LICENSE") == (ROOT / "LICENSE").read_bytes()
        for scenario in (ROOT / "data").glob("*.json"):
            assert archive.read(f"secretslab/scenarios/{scenario.name}") == scenario.read_bytes()
        for notebook in (ROOT / "notebooks").glob("*.ipynb"):
            assert archive.read(f"secretslab/notebooks/{notebook.name}") == notebook.read_bytes()
    assert "secretslab/py.typed" in names and "secretslab/aws/demo-world.json" in names
    assert {n for n in names if n.startswith("secretslab/exercises/worlds/")}
    assert metadata["Version"] == VERSION and metadata["License-Expression"] == "Apache-2.0"
    assert not [c for c in metadata.get_all("Classifier", []) if c.startswith("License ::")]
    requires = metadata.get_all("Requires-Dist", [])
    assert sorted(r.split(">")[0].lower() for r in requires if ";" not in r) == sorted(CORE)
    assert {"notebook", "aws", "standin", "apps", "workshop", "test", "browser"} <= set(
        metadata.get_all("Provides-Extra", [])
    )
    assert {u.split(",")[0] for u in metadata.get_all("Project-URL", [])} >= {"Homepage", "Source", "Issues"}


def _copy_installed(distribution: str, site: Path) -> None:
    """The installed files of ``distribution`` (its modules and its dist-info), copied into ``site``."""
    dist = importlib.metadata.distribution(distribution)
    for file in dist.files or ():
        origin = Path(str(dist.locate_file(file))).resolve()
        if ".." in file.parts or not origin.is_file():  # scripts outside site-packages: not needed
            continue
        target = site / file
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, target)


def test_the_installed_wheel_runs_the_core_alone(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    )  # fmt: skip
    for distribution in CORE:
        _copy_installed(distribution, site)
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    # this environment's pip installs into the new one (which has none); --ignore-installed: pip
    # runs from here, where a secretslab may be installed already
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index",
         "--ignore-installed", str(wheel)],
        check=True, capture_output=True, timeout=120, env=env,
    )  # fmt: skip
    work = tmp_path / "work"  # no data/ or notebooks/ here: only what the wheel brought
    work.mkdir()

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True, timeout=120)

    probe = run(
        str(python), "-c",
        "import json, sys, secretslab as sl\n"
        "world = sl.load_scenario('cross-account-cmk')\n"
        "same = sl.load_scenario('cross-account-cmk.json').to_dict() == world.to_dict()\n"
        "try:\n    sl.load_scenario('cross-acount-cmk')\n"
        "except sl.ScenarioError as exc:\n    hint = str(exc)\n"
        "optional = [m for m in ('boto3', 'moto', 'matplotlib', 'ipywidgets') if m in sys.modules]\n"
        "print(json.dumps({'file': sl.__file__, 'version': sl.__version__, 'accounts': len(world.accounts),\n"
        "                  'same': same, 'hint': hint, 'optional': optional}))",
    )  # fmt: skip
    assert probe.returncode == 0, probe.stderr
    report = json.loads(probe.stdout)
    assert report["file"].startswith(str(site)) and report["version"] == VERSION
    assert report["accounts"] > 0 and report["same"] and not report["optional"]
    assert "did you mean cross-account-cmk" in report["hint"]

    secretslab = str(venv / "bin" / "secretslab")
    assert run(secretslab, "--version").stdout == f"secretslab {VERSION}\n"
    validated = run(secretslab, "validate", "identity-vs-resource")
    assert validated.returncode == 0 and "0 policy problem(s)" in validated.stdout, validated.stderr
    copied = run(secretslab, "notebooks", "lab")
    assert copied.returncode == 0, copied.stderr
    assert sorted(p.name for p in (work / "lab").glob("*.ipynb")) == sorted(
        p.name for p in (ROOT / "notebooks").glob("*.ipynb")
    )
    scenarios = sorted(p.name for p in (ROOT / "data").iterdir())
    assert sorted(p.name for p in (work / "lab" / "data").iterdir()) == scenarios
    again = run(secretslab, "notebooks", "lab")
    assert again.returncode == 0 and "copied 0 file(s)" in again.stdout
    missing = run(secretslab, "import", "-o", "snapshot.json")  # boto3 is really not installed here
    needs = "secretslab import: this needs boto3; install secretslab[aws]\n"
    assert (missing.returncode, missing.stderr) == (2, needs)
