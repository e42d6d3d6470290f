"""The worlds the exercises build on, shipped as files in ``worlds/`` and read with
``importlib.resources`` (so they work from an installed package as from a checkout): scenario
files in the format of the repository's ``data/*.json`` (title, description, world,
expectations), and the edits that put exercise 03's pieces in place."""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

_PACKAGE = __name__.rpartition(".")[0]


@cache
def _read(name: str) -> Any:
    return json.loads((resources.files(_PACKAGE) / "worlds" / f"{name}.json").read_text("utf-8"))


def document(name: str) -> Any:
    """The JSON document of ``worlds/<name>.json`` (a copy: callers may edit it)."""
    return copy.deepcopy(_read(name))


def world_data(name: str) -> dict[str, Any]:
    """The world of the scenario file ``worlds/<name>.json``, the dict ``World.from_dict`` reads
    (a copy: callers may edit it)."""
    data: dict[str, Any] = copy.deepcopy(_read(name)["world"])
    return data
