"""Scenario files: a world (semantics §1.1) in JSON or YAML, optionally wrapped with a
description and the decisions it is meant to produce. Every problem is reported with the file
name and its JSON path.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

from ..bundled import SCENARIO_SUFFIXES, bundled_scenario, is_name, scenario_names
from ..loading import load_json, load_yaml, read_file
from ..problems import Problem, ProblemCode, ScenarioError, did_you_mean, quoted
from .expectations import expectation_problems
from .model import World


def locate_scenario(path: str | Path) -> str | Path:
    """Where the scenario ``path`` is: ``path`` itself when something by that name exists (or
    when it is not a bare file name), else the scenario of that name that ships with secretslab
    (``cross-account-cmk`` or ``cross-account-cmk.json``: ``secretslab.bundled``). A bare name that
    is neither is a ``ScenarioError`` with "did you mean" over the bundled names."""
    text = os.fspath(path)
    if not is_name(text) or os.path.lexists(text):
        return path
    found = bundled_scenario(text)
    if found is not None:
        return found
    names = scenario_names()
    stem = text[: -len(Path(text).suffix)] if Path(text).suffix in SCENARIO_SUFFIXES else text
    close = tuple(difflib.get_close_matches(stem, names, n=3, cutoff=0.6))
    problem = Problem(
        ProblemCode.UNREADABLE_FILE,
        "cannot read the file: no such file, and no scenario of that name ships with secretslab",
        hint=did_you_mean(close) or (f"the bundled scenarios are {', '.join(names)}" if names else None),
        source=text,
        suggestions=close,
    )
    raise ScenarioError([problem], what="scenario file")


def read_document(path: str | Path) -> Any:
    """The JSON or YAML document in ``path``, a file or the name of a bundled scenario
    (``locate_scenario``); ``ScenarioError`` naming the file and the JSON path of every problem:
    unreadable, too large, not JSON/YAML, or beyond our input limits (duplicate keys, nesting,
    integer size, YAML aliases, unquoted YAML dates: ``secretslab.loading``)."""
    path = locate_scenario(path)
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
    """The world in a JSON or YAML scenario file, or in the bundled scenario of that name
    (``load_scenario("cross-account-cmk")``, with or without ``.json``: a file by that name comes
    first). The file is either a world or ``{"description": …, "world": {…}, "expectations": […]}``."""
    path = locate_scenario(path)
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
