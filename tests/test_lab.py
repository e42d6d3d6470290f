"""The README's lab command never breaks its test command (issue #10 item 7): JupyterLab opens on
copies of the notebooks in ``lab/`` (and of the scenarios in ``lab/data/``, made by ``secretslab
notebooks lab``), made once and never overwritten, so an attendee's work is kept and
``notebooks/`` stays as committed (without outputs)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _checkout(tmp: Path) -> Path:
    """A checkout with the real lab script and notebooks, and stand-ins for the virtual
    environment's python (installs nothing) and jupyter (records how it was started)."""
    shutil.copytree(ROOT / "scripts", tmp / "scripts")
    shutil.copytree(
        ROOT / "notebooks", tmp / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints")
    )
    bin_dir = tmp / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "jupyter").write_text('#!/bin/sh\necho "$@" > "$(dirname "$0")/../../jupyter-args"\n')
    # the real command, from this tree (its notebooks are the checkout's: copied from it)
    python, root = shlex.quote(sys.executable), shlex.quote(str(ROOT))
    (bin_dir / "secretslab").write_text(f'#!/bin/sh\nPYTHONPATH={root} exec {python} -m secretslab "$@"\n')
    for tool in ("python", "jupyter", "secretslab"):
        (bin_dir / tool).chmod(0o755)
    return tmp


def _lab(checkout: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(checkout / "scripts" / "lab.sh"), "--port", "8899"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON": "false"},  # the stand-in .venv exists: no venv is created
        timeout=60,
        check=False,
    )


def test_the_lab_opens_on_copies_and_keeps_the_attendees_work(tmp_path: Path) -> None:
    checkout = _checkout(tmp_path)
    committed = {p.name: p.read_bytes() for p in (checkout / "notebooks").glob("*.ipynb")}
    done = _lab(checkout)
    assert done.returncode == 0, done.stderr
    assert "lab/" in done.stdout
    args = (checkout / "jupyter-args").read_text().split()
    assert args[:2] == ["lab", "--notebook-dir=lab"] and args[-2:] == ["--port", "8899"]
    copies = {p.name: p.read_bytes() for p in (checkout / "lab").glob("*.ipynb")}
    assert copies == committed and copies  # every notebook, as committed
    scenarios = {p.name: p.read_bytes() for p in (ROOT / "data").glob("*.json")}
    assert {p.name: p.read_bytes() for p in (checkout / "lab" / "data").glob("*.json")} == scenarios

    # a session: the attendee runs and saves one notebook (outputs included), deletes another
    worked = checkout / "lab" / "00-first-request.ipynb"
    worked.write_text(worked.read_text().replace('"outputs": []', '"outputs": [{"output_type": "stream"}]'))
    saved = worked.read_bytes()
    assert saved != committed[worked.name]
    (checkout / "lab" / "01-identity-vs-resource.ipynb").unlink()

    assert _lab(checkout).returncode == 0
    assert worked.read_bytes() == saved  # never overwritten
    assert (checkout / "lab" / "01-identity-vs-resource.ipynb").read_bytes() == committed[
        "01-identity-vs-resource.ipynb"
    ]  # deleted: copied afresh
    assert {p.name: p.read_bytes() for p in (checkout / "notebooks").glob("*.ipynb")} == committed


def test_lab_copies_are_not_tracked_and_not_tested() -> None:
    """``lab/`` is ignored by git, and the test command names only ``tests`` and ``notebooks``."""
    assert "lab/" in (ROOT / ".gitignore").read_text().split()
    command = (ROOT / "scripts" / "test.sh").read_text()
    assert "tests notebooks" in command and "nbstripout --verify notebooks/" in command
