"""Wildcard patterns (``*`` any run of characters, ``?`` exactly one) compiled to regular
expressions, once, for the three places IAM uses them with different rules:

* actions: case-insensitive, ``*`` crosses everything (semantics §4.1);
* resource ARNs: case-sensitive; a ``*`` crosses ``:`` only when it ends a colon segment, so
  ``arn:aws:secretsmanager:*`` spans the remaining segments (§4.3);
* ``StringLike`` values: case-sensitive, ``*`` crosses everything (§5.4);
* ARN condition values: each of the six colon components matched on its own (§5.10).

Pieces may be *literal* (text from a policy variable or a ``${*}`` escape), which never act as
wildcards. AWS pages: reference_policies_elements_action.html, reference_policies_elements_resource.html,
reference_policies_elements_condition_operators.html.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: A pattern after variable substitution: (text, is_literal) pieces.
Pieces = tuple[tuple[str, bool], ...]


def has_wildcard(text: str) -> bool:
    """Whether ``text`` holds ``*`` or ``?``."""
    return "*" in text or "?" in text


@lru_cache(maxsize=8192)
def like_regex(pieces: Pieces, ignore_case: bool = False) -> re.Pattern[str]:
    """StringLike / action semantics: ``*`` and ``?`` match any characters."""
    out = []
    for text, literal in pieces:
        if literal:
            out.append(re.escape(text))
            continue
        for ch in text:
            out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile("".join(out), flags)


@lru_cache(maxsize=8192)
def resource_regex(pieces: Pieces) -> re.Pattern[str]:
    """Resource-element semantics (§4.3): case-sensitive; segments are the parts separated by
    colons (the resource part's own colons included, as the Resource page words it); ``?`` is
    one character other than ``:``; ``*`` stays inside its segment unless it is the segment's
    last character, then it may extend over the following segments. The service segment is
    literal."""
    chars: list[tuple[str, bool]] = [(ch, literal) for text, literal in pieces for ch in text]
    out: list[str] = []
    colons = 0
    for i, (ch, literal) in enumerate(chars):
        wild = not literal and colons != 2  # segment 2 is the service: never wildcarded
        if ch == ":":
            colons += 1
            out.append(":")
        elif wild and ch == "*":
            ends_segment = i + 1 == len(chars) or chars[i + 1][0] == ":"
            out.append(".*" if ends_segment else "[^:]*")
        elif wild and ch == "?":
            out.append("[^:]")
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), re.DOTALL)


def arn_like(pattern: Pieces, value: str) -> bool:
    """ArnLike / ArnEquals (§5.10): split both into six components; match each separately."""
    parts = arn_parts(pattern)
    if parts is True:
        return True
    values = value.split(":", 5)
    if parts is None or parts is False or len(values) != 6:
        return False
    return all(p.fullmatch(v) is not None for p, v in zip(parts, values, strict=True))


@lru_cache(maxsize=8192)
def arn_parts(pattern: Pieces) -> tuple[re.Pattern[str], ...] | bool | None:
    """The six component regexes of an ARN pattern; True for a bare ``*``; None if not an ARN."""
    if len(pattern) == 1 and pattern[0] == ("*", False):
        return True
    parts = _split_pieces(pattern)
    if len(parts) != 6:
        return None
    return tuple(like_regex(p) for p in parts)


def _split_pieces(pieces: Pieces) -> list[Pieces]:
    """Split pieces on the first five non-literal colons."""
    parts: list[list[tuple[str, bool]]] = [[]]
    for text, literal in pieces:
        if literal:
            parts[-1].append((text, True))
            continue
        chunks = text.split(":", 6 - len(parts)) if len(parts) < 6 else [text]
        for j, chunk in enumerate(chunks):
            if j:
                parts.append([])
            if chunk:
                parts[-1].append((chunk, False))
    return [tuple(p) for p in parts]


def plain(text: str) -> Pieces:
    """A pattern with no policy variables."""
    return ((text, False),)
