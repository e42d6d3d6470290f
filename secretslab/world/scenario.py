"""Scenario files: a world (semantics §1.1) in JSON or YAML, optionally wrapped with a
description and the decisions it is meant to produce. Every problem is reported with the file
name and its JSON path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..loading import load_json, load_yaml, read_file
from ..problems import Problem, ProblemCode, ScenarioError, quoted
from .expectations import expectation_problems
from .model import World


def read_document(path: str | Path) -> Any:
    """The JSON or YAML document in ``path``; ``ScenarioError`` naming the file and the JSON path
    of every problem: unreadable, too large, not JSON/YAML, or beyond our input limits (duplicate
    keys, nesting, integer size, YAML aliases, unquoted YAML dates: ``secretslab.loading``)."""
    name = str(path).replace("\0", "\\0")  # a NUL in a path is shown, never printed raw
    text, problems = read_file(path)
    if text is not None:
        if name.endswith((".yaml", ".yml")):
            data, problems = load_yaml(text, name)
        else:
            data, problems = load_json(text, name, invalid=ProblemCode.UNREADABLE_FILE)
    if problems:
        raise ScenarioError(problems, what="scenario file")
    return data


def load_scenario(path: str | Path) -> World:
    """The world in a JSON or YAML scenario file. The file is either a world or
    ``{"description": …, "world": {…}, "expectations": […]}``."""
    data = read_document(path)
    prefix: tuple[str, ...] = ()
    if isinstance(data, dict) and "world" in data:
        extra = set(data) - {"world", "description", "expectations", "title"}
        if extra:
            raise ScenarioError(
                [
                    Problem(
                        ProblemCode.UNKNOWN_FIELD,
                        f"a scenario file has no field {quoted(k)}; expected "
                        "world, title, description, expectations",
                        (k,),
                        source=str(path),
                    )
                    for k in sorted(extra)
                ],
                what="scenario file",
            )
        broken = expectation_problems(data.get("expectations"), str(path))
        if broken:
            raise ScenarioError(broken, what="scenario file")
        description = data.get("description")
        data = dict(data["world"]) if isinstance(data["world"], dict) else data["world"]
        if description and isinstance(data, dict) and "description" not in data:
            data["description"] = description
        prefix = ("world",)
    try:
        return World.from_dict(data, source=str(path))
    except ScenarioError as exc:
        raise ScenarioError([p.under(*prefix) for p in exc.problems], what="scenario file") from None
