"""What every part of the policy reader shares: the policy kind, the list of problems found so far,
whether the Version substitutes policy variables, the reading of ``${...}`` templates, and the
wording of JSON types and "did you mean" hints in messages.

AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
(semantics §3.6).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from ..pages import VERSION
from ..problems import PathPart, Problem, ProblemCode, quoted
from .model import PolicyKind
from .variables import Template, parse_template

Path = tuple[PathPart, ...]


class Reader:
    """State of one policy being read; the element and condition readers extend it."""

    def __init__(self, kind: PolicyKind) -> None:
        self.kind = kind
        self.problems: list[Problem] = []
        self.variables = False  # Version 2012-10-17: substitute ${...} (§3.6)

    def add(self, items: list[Problem]) -> None:
        """Record ``items`` among the policy's problems."""
        self.problems.extend(items)

    def _template(self, text: str, path: Path) -> Template | None:
        if "${" not in text:
            return None
        if not self.variables:
            self._old_version_variable(text, path)
            return None
        template, notes = parse_template(text)
        for note in notes:
            self.problems.append(Problem(note.code, note.message, path))
        return template

    def _old_version_variable(self, text: str, path: Path) -> None:
        self.problems.append(
            Problem(
                ProblemCode.VARIABLES_NEED_2012,
                f"{quoted(text)} holds a policy variable but "
                f"the policy is not Version 2012-10-17, so it is literal text (see {VERSION})",
                path,
                hint='"Version": "2012-10-17"',
            )
        )


def did_you_mean(word: str, options: tuple[str, ...]) -> str | None:
    """A hint naming the option ``word`` was probably meant to be (case-insensitive), if any."""
    lowered = {o.lower(): o for o in options}
    if word.lower() in lowered:
        return f"did you mean {quoted(lowered[word.lower()])}?"
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f"did you mean {quoted(lowered[match[0]])}?" if match else None


def json_type(value: Any) -> str:
    """The JSON type of ``value`` as a message says it ("a string", "an object", "null")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__
