"""Scenario files: a world (semantics §1.1) in JSON or YAML, optionally wrapped with a
description and the decisions it is meant to produce. Every problem is reported with the file
name and its JSON path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..files import FileProblem, read_input
from ..problems import Problem, ProblemCode, ScenarioError, quoted
from .expectations import expectation_problems
from .model import World


def read_document(path: str | Path) -> Any:
    """The JSON or YAML document in ``path``; ``ScenarioError`` naming the file if unreadable."""
    name = str(path).replace("\0", "\\0")
    try:
        text = read_input(path).decode("utf-8")
    except FileProblem as exc:
        raise ScenarioError(
            [Problem(ProblemCode.UNREADABLE_FILE, f"cannot read the file: {exc.strerror}", (), source=name)],
            what="scenario file",
        ) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            [
                Problem(
                    ProblemCode.UNREADABLE_FILE,
                    f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})",
                    (),
                    source=name,
                )
            ],
            what="scenario file",
        ) from None
    if name.endswith((".yaml", ".yml")):
        import yaml  # imported here: only YAML scenarios need it

        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            where = getattr(exc, "problem_mark", None)
            at = f" at line {where.line + 1} column {where.column + 1}" if where else ""
            raise ScenarioError(
                [
                    Problem(
                        ProblemCode.UNREADABLE_FILE,
                        f"not valid YAML{at}: {getattr(exc, 'problem', exc)}",
                        (),
                        source=name,
                    )
                ],
                what="scenario file",
            ) from None
        except (RecursionError, ValueError) as exc:  # nesting or an integer beyond what Python reads
            raise ScenarioError(
                [Problem(ProblemCode.UNREADABLE_FILE, f"not readable YAML: {_why(exc)}", (), source=name)],
                what="scenario file",
            ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            [
                Problem(
                    ProblemCode.UNREADABLE_FILE,
                    f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                    (),
                    source=name,
                )
            ],
            what="scenario file",
        ) from None
    except (RecursionError, ValueError) as exc:  # nesting or an integer beyond what Python reads
        raise ScenarioError(
            [Problem(ProblemCode.UNREADABLE_FILE, f"not readable JSON: {_why(exc)}", (), source=name)],
            what="scenario file",
        ) from None


def _why(exc: BaseException) -> str:
    """Why a parser gave up, in the user's terms."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if "integer string conversion" in str(exc):
        return "an integer has more than 4,300 digits"
    return quoted(str(exc), 200)


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
