"""Policy variables: ``${aws:username}``, defaults ``${aws:PrincipalTag/team, 'shared'}`` and the
escapes ``${*}``, ``${?}``, ``${$}`` (semantics §6, A19).

A template is parsed once; at evaluation it resolves against the request context into wildcard
pieces, where substituted text is literal. A variable whose key is absent (and has no default)
makes the whole value unresolvable: positive operators and Resource patterns then match nothing.
AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..pages import POLICY_VARIABLES
from ..problems import ProblemCode, quoted
from .wildcards import Pieces

_ESCAPES = {"*": "*", "?": "?", "$": "$"}
_VAR = re.compile(r"^\s*([^\s,']+)\s*(?:,\s*'([^']*)'\s*)?$")


@dataclass(frozen=True, slots=True)
class Var:
    """A policy variable ``${key}`` or ``${key, 'default'}`` in a template (the key is matched
    case-insensitively)."""

    key: str
    default: str | None = None
    key_lower: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_lower", self.key.lower())


@dataclass(frozen=True, slots=True)
class Literal:
    """Text from an escape (``${*}``, ``${?}``, ``${$}``): literal, never a wildcard."""

    text: str


Part = str | Var | Literal
Template = tuple[Part, ...]


@dataclass(frozen=True, slots=True)
class TemplateNote:
    """A problem found while parsing a template (an unclosed ``${``, an invalid variable, spaces in
    the braces), reported at the value that holds it."""

    code: ProblemCode
    message: str


def parse_template(text: str) -> tuple[Template | None, list[TemplateNote]]:
    """The template of ``text``, or None when it holds no ``${``."""
    if "${" not in text:
        return None, []
    parts: list[Part] = []
    notes: list[TemplateNote] = []
    pos = 0
    while True:
        start = text.find("${", pos)
        if start < 0:
            break
        end = text.find("}", start + 2)
        if end < 0:
            notes.append(
                TemplateNote(ProblemCode.INVALID_VARIABLE, f"'${{' without a closing '}}' in {quoted(text)}")
            )
            break
        if start > pos:
            parts.append(text[pos:start])
        inner = text[start + 2 : end]
        part = _part(inner, notes)
        parts.append(part if part is not None else text[start : end + 1])
        pos = end + 1
    if pos < len(text):
        parts.append(text[pos:])
    return tuple(parts), notes


def _part(inner: str, notes: list[TemplateNote]) -> Part | None:
    if inner in _ESCAPES:
        return Literal(_ESCAPES[inner])
    match = _VAR.match(inner)
    if not match:
        notes.append(TemplateNote(ProblemCode.INVALID_VARIABLE, f"'${{{inner}}}' is not a policy variable"))
        return None
    key, default = match.group(1), match.group(2)
    if inner != inner.strip() or (default is None and inner.strip() != key):
        notes.append(
            TemplateNote(
                ProblemCode.SPACE_IN_VARIABLE,
                f"'${{{inner}}}' has spaces inside the braces; read as '${{{key}}}' (assumed: AWS's pages "
                f"disagree on such spaces; see {POLICY_VARIABLES})",
            )
        )
    return Var(key, default)


def resolve(template: Template, lookup: Callable[[str], str | None]) -> Pieces | None:
    """Substitute every variable; None when one cannot be resolved (§6.2)."""
    pieces: list[tuple[str, bool]] = []
    for part in template:
        if isinstance(part, str):
            pieces.append((part, False))
        elif isinstance(part, Literal):
            pieces.append((part.text, True))
        else:
            value = lookup(part.key_lower)
            if value is None:
                value = part.default
            if value is None:
                return None
            pieces.append((value, True))
    return tuple(pieces)
