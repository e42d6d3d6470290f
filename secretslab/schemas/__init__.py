"""The JSON Schema (draft 2020-12) of scenario files, shipped in the package for editors:
completion, hover text and enums while a scenario is written (VS Code's ``json.schemas`` and
``yaml.schemas`` settings, or ``"$schema"`` in the file). secretslab's own reader stays the
judge: it names the file, the JSON path and what was expected for every problem, and checks what
a schema cannot (references between entities, names AWS refuses, policy grammar).

``scenario_schema()`` is the schema as a dict; ``scenario_schema_path()`` the installed file.
"""

from __future__ import annotations

import json
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

__all__ = ["SCENARIO_SCHEMA_FILE", "scenario_schema", "scenario_schema_path", "scenario_schema_text"]

#: the schema's file name in this package
SCENARIO_SCHEMA_FILE = "scenario.schema.json"


def scenario_schema_path() -> Traversable:
    """The schema file as installed with the package (a path on disk for a normal install)."""
    return resources.files(__name__).joinpath(SCENARIO_SCHEMA_FILE)


def scenario_schema_text() -> str:
    """The schema as the JSON text shipped in the package."""
    return scenario_schema_path().read_text(encoding="utf-8")


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files, as a dict (a fresh copy on each call)."""
    schema: dict[str, Any] = json.loads(scenario_schema_text())
    return schema
