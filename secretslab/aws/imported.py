"""What an import gives: a ``Snapshot`` (the world read from accounts, as a §1.1 world dict with its
``gaps``, and the API operations the import asked for), each ``Gap`` (what could not be read, by
which call, with which error), saved as a JSON scenario file and loaded back with
``load_snapshot``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypedDict

from ..files import Input, write_atomic
from ..problems import Problem, ProblemCode, ScenarioError
from ..world import World
from ..world.scenario import read_document, without_schema_key

__all__ = ["Gap", "Progress", "Snapshot", "load_snapshot"]

#: ``progress(done, total)``, called after each step of an import
Progress = Callable[[int, int], None]


class Gap(TypedDict):
    """Something the import could not read: which resource, what of it, the call and its error."""

    resource: str
    what: str
    operation: str
    error: str


@dataclass(frozen=True)
class Snapshot:
    """An imported world: ``data`` is the §1.1 world with a top-level ``"gaps"`` list;
    ``operations`` every API operation the import asked for, in order (empty once loaded)."""

    data: dict[str, Any]
    operations: tuple[str, ...] = field(default=(), compare=False)
    #: the file it was loaded from, named by every problem of its world
    source: str | None = field(default=None, compare=False)

    @property
    def gaps(self) -> tuple[Gap, ...]:
        """What the import could not read, as listed under ``"gaps"`` of the data."""
        return tuple(self.data.get("gaps", ()))

    @cached_property
    def world(self) -> World:
        """The world, its gaps included (``World.gaps``, ``World.gaps_for``)."""
        return World.from_dict(self.data, source=self.source)

    def save(self, path: str | Path, *, inputs: Iterable[Input] = ()) -> None:
        """Write the world (with its gaps) as a JSON scenario file, atomically (``files.write_atomic``:
        the file is whole or untouched; a symbolic link or one of ``inputs`` is refused with
        ``FileProblem``)."""
        write_atomic(path, json.dumps(self.data, indent=2, sort_keys=False) + "\n", inputs=inputs)


def load_snapshot(path: str | Path) -> Snapshot:
    """A snapshot saved by ``Snapshot.save`` (or a scenario file ``{"world": …}``); raises
    ``ScenarioError`` naming the file when it cannot be read, is not JSON or is not a world."""
    data = without_schema_key(read_document(path), str(path))
    if isinstance(data, dict) and isinstance(data.get("world"), dict):
        data = data["world"]
    if not isinstance(data, dict):
        problem = Problem(
            ProblemCode.NOT_AN_OBJECT,
            f"a snapshot is a JSON object (a world), found {type(data).__name__}",
            (),
            source=str(path),
        )
        raise ScenarioError([problem], what="snapshot file")
    return Snapshot(data, source=str(path))
