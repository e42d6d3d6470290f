"""A folder of the user's to learn in: ``copy_notebooks`` copies the notebooks that ship with
secretslab into it, and the scenario files they read into its ``data/``. The notebooks load them
by name, which finds ``./data/NAME.json`` first (``locate_scenario``), so an edited copy is the
one read, and a pip-installed secretslab can teach without a clone. A file that is already there
is kept, never overwritten: it may be an attendee's work (delete it to get a fresh copy).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .bundled import notebook_files, scenario_files
from .files import FileProblem, write_new

__all__ = ["Copied", "copy_notebooks"]


@dataclass(frozen=True)
class Copied:
    """What ``copy_notebooks`` did: the files it wrote and the ones it kept because they existed."""

    folder: Path
    copied: tuple[Path, ...]
    kept: tuple[Path, ...]


def copy_notebooks(folder: str | os.PathLike[str]) -> Copied:
    """Copy the bundled notebooks into ``folder`` and the bundled scenario files into
    ``folder/data`` (each written atomically), making the folders as needed and keeping every
    file that exists. ``FileProblem`` when ``folder`` is not a folder or cannot be written."""
    root = Path(folder)
    sources = [(p, root / p.name) for p in notebook_files()]
    sources += [(p, root / "data" / p.name) for p in scenario_files()]
    if not sources:
        raise FileProblem("this installation of secretslab has no notebooks to copy", str(root))
    copied: list[Path] = []
    kept: list[Path] = []
    for source, target in sources:
        _make_folder(target.parent)
        (copied if write_new(target, source.read_bytes()) else kept).append(target)
    return Copied(root, tuple(copied), tuple(kept))


def _make_folder(folder: Path) -> None:
    if folder.is_dir():
        return
    if os.path.lexists(folder):
        raise FileProblem("is not a folder; name a folder to copy the notebooks into", str(folder))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileProblem(f"cannot make the folder: {exc.strerror}", str(folder), exc.errno or 5) from None
