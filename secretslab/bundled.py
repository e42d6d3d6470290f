"""The scenarios and notebooks that ship with secretslab, found where they are: in an installed
wheel, ``secretslab/scenarios/`` and ``secretslab/notebooks/`` (pyproject.toml maps the
repository's ``data/`` and ``notebooks/`` there); in a clone or an editable install, ``data/`` and
``notebooks/`` at the root of the repository the package sits in. The files stay where a clone
has them, so the README's paths, the scripts and the tests keep working, and a pip-installed
secretslab can still teach (``secretslab notebooks DIR``, ``load_scenario("cross-account-cmk")``).
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = [
    "SCENARIO_SUFFIXES",
    "bundled_scenario",
    "is_name",
    "notebook_files",
    "notebooks_dir",
    "scenario_files",
    "scenario_names",
    "scenarios_dir",
]

#: the suffixes of scenario files, in the order a bare name is tried
SCENARIO_SUFFIXES = (".json", ".yaml", ".yml")
#: a bundled scenario's name: one file name, no folder (so a path is never taken for a name)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_HERE = Path(__file__).parent


def _folder(installed: str, checkout: str) -> Path:
    inside = _HERE / installed
    if inside.is_dir():
        return inside
    root = _HERE.parent  # a clone (or an editable install): the repository's own folder
    if (root / "pyproject.toml").is_file() and (root / checkout).is_dir():
        return root / checkout
    return inside  # not there: nothing is bundled (an incomplete install), and the lists are empty


def scenarios_dir() -> Path:
    """The folder of the bundled scenario files (``data/`` in a clone)."""
    return _folder("scenarios", "data")


def notebooks_dir() -> Path:
    """The folder of the bundled notebooks (``notebooks/`` in a clone)."""
    return _folder("notebooks", "notebooks")


def scenario_files() -> tuple[Path, ...]:
    """Every bundled scenario file, sorted by name."""
    folder = scenarios_dir()
    if not folder.is_dir():
        return ()
    return tuple(sorted(p for p in folder.iterdir() if p.suffix in SCENARIO_SUFFIXES and p.is_file()))


def scenario_names() -> tuple[str, ...]:
    """The names of the bundled scenarios (file names without their suffix), sorted."""
    return tuple(dict.fromkeys(p.stem for p in scenario_files()))


def notebook_files() -> tuple[Path, ...]:
    """Every bundled notebook, in their teaching order (their names start with a number)."""
    folder = notebooks_dir()
    if not folder.is_dir():
        return ()
    return tuple(sorted(p for p in folder.iterdir() if p.suffix == ".ipynb" and p.is_file()))


def is_name(text: str) -> bool:
    """Whether ``text`` could name a bundled scenario: one file name, with no folder."""
    return _NAME.fullmatch(text) is not None


def bundled_scenario(name: str) -> Path | None:
    """The bundled file of the scenario ``name`` (``cross-account-cmk``, or with its suffix,
    ``cross-account-cmk.json``); None when no bundled scenario has that name."""
    if not is_name(name):
        return None
    files = {p.name: p for p in scenario_files()}
    if Path(name).suffix in SCENARIO_SUFFIXES:
        return files.get(name)
    return next((files[name + s] for s in SCENARIO_SUFFIXES if name + s in files), None)
