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
from ..loading import load_json, load_yaml, read_file, shape_problems
from ..problems import Problem, ProblemCode, ScenarioError, did_you_mean, quoted
from .expectations import expectation_problems
from .model import World

#: the folder, relative to the working directory, whose scenarios a bare name finds first
LOCAL_SCENARIOS = "data"


_PATH_BYTES = 4096  # PATH_MAX on Linux: no longer path names a file


def _path_text(path: Any) -> str:
    """``path`` as text, or a ``ScenarioError`` for one that can name no file (not a path, a
    character no file system holds, or longer than any path) before the file system is asked."""
    text = os.fspath(path) if isinstance(path, (str, os.PathLike)) else None
    if not isinstance(text, str):
        why = f"a scenario is a path or a name, found {type(path).__name__}"
    else:
        try:
            size = len(os.fsencode(text))
        except UnicodeError:
            size = -1
        if 0 <= size <= _PATH_BYTES:
            return text
        why = (
            "the name holds a character no file name can" if size < 0 else "the name is longer than any path"
        )
    raise ScenarioError(
        [Problem(ProblemCode.UNREADABLE_FILE, f"cannot read the file: {why}", source=quoted(path))],
        what="scenario file",
    )


def locate_scenario(path: str | Path) -> str | Path:
    """Where the scenario ``path`` is: ``path`` itself when something by that name exists (or
    when it is not a bare file name); else, for a name (``cross-account-cmk`` or
    ``cross-account-cmk.json``), the user's own copy in ``./data/`` (where ``secretslab notebooks``
    puts the scenarios beside the notebooks, so an edited copy is the one a notebook reads), then
    the scenario of that name that ships with secretslab (``secretslab.bundled``). A bare name
    that is none of these is a ``ScenarioError`` with "did you mean" over the bundled names."""
    text = _path_text(path)
    if not is_name(text) or os.path.lexists(text):
        return path
    suffixes = ("",) if Path(text).suffix in SCENARIO_SUFFIXES else SCENARIO_SUFFIXES
    for suffix in suffixes:
        own = Path(LOCAL_SCENARIOS, text + suffix)
        if own.is_file():
            return own
    found = bundled_scenario(text)
    if found is not None:
        return found
    names = scenario_names()
    stem = text[: -len(Path(text).suffix)] if Path(text).suffix in SCENARIO_SUFFIXES else text
    lower = {name.lower(): name for name in names}  # CROSS-ACCOUNT-CMK finds cross-account-cmk too
    close = tuple(lower[c] for c in difflib.get_close_matches(stem.lower(), list(lower), n=3, cutoff=0.6))
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
    if problems or text is None:
        raise ScenarioError(problems, what="scenario file")
    return parse_document(text, name)


def parse_document(text: str, source: str, *, yaml: bool | None = None) -> Any:
    """The JSON or YAML document in ``text`` read from ``source`` (a file name, or ``<stdin>``):
    YAML when ``yaml`` says so, or by default when ``source`` ends in .yaml or .yml; problems as
    for ``read_document``."""
    if yaml is None:
        yaml = source.endswith((".yaml", ".yml"))
    if not text.strip():  # YAML reads nothing as null: say what is wrong, not "found null"
        problem = Problem(
            ProblemCode.INVALID_FIELD,  # as for any other document that is not a world object
            "the input is empty; a scenario is a JSON or YAML object (a world, or one that wraps it)",
            source=source,
        )
        raise ScenarioError([problem], what="scenario file")
    if yaml:
        data, problems = load_yaml(text, source)
    else:
        data, problems = load_json(text, source, invalid=ProblemCode.UNREADABLE_FILE)
    if problems:
        raise ScenarioError(problems, what="scenario file")
    return data


#: the fields of a scenario file that wraps a world (field -> required), besides ``$schema``
SCENARIO_FIELDS = {"world": True, "title": False, "description": False, "expectations": False}
#: the key that names a file's JSON Schema for editors (``secretslab schema``); the reader skips it
SCHEMA_KEY = "$schema"


def without_schema_key(data: Any, source: str | None = None) -> Any:
    """``data`` without its top-level ``"$schema"`` (a copy; ``data`` is not changed): editors read
    it to find the file's JSON Schema, secretslab ignores it. A ``"$schema"`` that is not text is
    a located problem (``ScenarioError``)."""
    if not isinstance(data, dict) or SCHEMA_KEY not in data:
        return data
    if not isinstance(data[SCHEMA_KEY], str):
        problem = Problem(
            ProblemCode.INVALID_FIELD,
            f"{SCHEMA_KEY} is the URL or path of a JSON Schema (text)",
            (SCHEMA_KEY,),
            source=source,
        )
        raise ScenarioError([problem], what="scenario file")
    return {k: v for k, v in data.items() if k != SCHEMA_KEY}


def load_scenario(path: str | Path) -> World:
    """The world in a JSON or YAML scenario file, or in the bundled scenario of that name
    (``load_scenario("cross-account-cmk")``, with or without ``.json``: a file by that name comes
    first). The file is either a world or ``{"description": …, "world": {…}, "expectations": […]}``;
    a top-level ``"$schema"`` (for editors, ``secretslab schema``) is ignored."""
    path = locate_scenario(path)
    return scenario_world(read_document(path), str(path))


def scenario_world(data: Any, source: str) -> World:
    """The world of a scenario document ``data`` read from ``source`` (a world, or a wrapped
    scenario whose expectations are checked for shape; a top-level ``"$schema"`` is ignored);
    ``ScenarioError`` located in ``source``."""
    if isinstance(data, dict):  # all but the world (its reader checks it) held to its JSON
        shape = shape_problems({k: v for k, v in data.items() if k != "world"}, source)
        if shape:
            raise ScenarioError(shape, what="scenario file")
    data = without_schema_key(data, source)
    prefix: tuple[str, ...] = ()
    if isinstance(data, dict) and "world" in data:
        extra = set(data) - set(SCENARIO_FIELDS)
        if extra:
            raise ScenarioError(
                [
                    Problem(
                        ProblemCode.UNKNOWN_FIELD,
                        f"a scenario file has no field {quoted(k)}; expected "
                        f"{', '.join(SCENARIO_FIELDS)} (and {SCHEMA_KEY})",
                        (k,),
                        source=source,
                    )
                    for k in sorted(extra)
                ],
                what="scenario file",
            )
        broken = expectation_problems(data.get("expectations"), source)
        if broken:
            raise ScenarioError(broken, what="scenario file")
        description = data.get("description")
        data = dict(data["world"]) if isinstance(data["world"], dict) else data["world"]
        if description and isinstance(data, dict) and "description" not in data:
            data["description"] = description
        prefix = ("world",)
    try:
        return World.from_dict(data, source=source)
    except ScenarioError as exc:
        raise ScenarioError([p.under(*prefix) for p in exc.problems], what="scenario file") from None
