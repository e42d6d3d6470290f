"""What an import gives: a ``Snapshot`` (the world read from accounts, as a §1.1 world dict with its
``gaps``, and the API operations the import asked for), each ``Gap`` (what could not be read, by
which call, with which error), saved as a JSON scenario file and loaded back with
``load_snapshot``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypedDict

from ..world import World

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

    @property
    def gaps(self) -> tuple[Gap, ...]:
        """What the import could not read, as listed under ``"gaps"`` of the data."""
        return tuple(self.data.get("gaps", ()))

    @cached_property
    def world(self) -> World:
        """The world, its gaps included (``World.gaps``, ``World.gaps_for``)."""
        return World.from_dict(self.data)

    def save(self, path: str | Path) -> None:
        """Write the world (with its gaps) as a JSON scenario file."""
        Path(path).write_text(json.dumps(self.data, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def load_snapshot(path: str | Path) -> Snapshot:
    """A snapshot saved by ``Snapshot.save`` (or a scenario file ``{"world": …}``)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if isinstance(data, dict) and isinstance(data.get("world"), dict):
        data = data["world"]
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a snapshot is a JSON object (a world), found {type(data).__name__}")
    return Snapshot(data)
