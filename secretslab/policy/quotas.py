"""The limits AWS puts on a whole policy document (semantics §3.13): its size, measured as its
kind's quota counts (characters, characters other than whitespace, or UTF-8 bytes), and its
character set (tab, LF, CR and U+0020–U+00FF only, in keys as in values). The quotas themselves
are constants of ``secretslab.limits``.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html,
https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html,
https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import orjson

from ..limits import MAX_DEPTH, POLICY_BAD_CHARACTER, Count, SizeLimit
from ..problems import PathPart, Problem, ProblemCode

Path = tuple[PathPart, ...]
_WHITESPACE = " \t\n\r"  # JSON's whitespace: what IAM does not count
_ESCAPES = ("\\u", "\\b", "\\f")  # how JSON text may write a character outside the policy set
_RAW_ESCAPES = tuple(e.encode() for e in _ESCAPES)


def document_text(doc: Any) -> str | None:
    """The text AWS would measure for a document given as a parsed object: its compact JSON
    serialisation (no whitespace between tokens, non-ASCII characters kept), the smallest text
    that could have been submitted; None when it cannot be serialised (too deep)."""
    try:
        return json.dumps(doc, separators=(",", ":"), ensure_ascii=False, default=str)
    except (RecursionError, ValueError, TypeError):
        return None


# orjson's own types and subclasses of JSON's are handed back (and refused, having no default)
_PLAIN_OPTIONS = (
    orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)
# Where orjson may write a float otherwise than Python's repr (1e-05 as 0.00001, 1e-09 as
# 1e-9): "0.0000" or a one-digit negative exponent after a digit; everything else it writes as
# ``json.dumps`` does (tests/test_policy_caches.py holds it to that). Strings may hold these too:
# then the text is made by json.dumps, which is only slower.
_SHORT_EXPONENT = re.compile(rb"e-[0-9](?![0-9])")
_DIGITS = b"0123456789"


def plain_json(doc: Any) -> bytes | None:
    """The compact JSON of ``doc`` when it is plain JSON data (dicts with string keys, lists,
    strings, integers of 64 bits, finite floats, booleans and None, nothing else), else None.

    Plain data read the same way whenever its JSON reads the same, so parts of it can be
    remembered by their JSON. Anything orjson writes but is not plain (a tuple, a UUID, an enum,
    an ``orjson.Fragment``, NaN written as null) does not read back equal to itself."""
    if type(doc) is not dict:
        return None
    try:
        raw = orjson.dumps(doc, option=_PLAIN_OPTIONS)
        if orjson.loads(raw) != doc:
            return None
    except (TypeError, ValueError, RecursionError):  # orjson.JSONEncodeError is a TypeError
        return None
    return raw


# orjson writes no deeper than 254 nested lists and objects (tests/test_policy_caches.py holds it
# to that): a document written _WRAP lists down fails when it nests deeper than MAX_DEPTH.
_WRAP = 254 - MAX_DEPTH
_HOLE = object()
_DEEP: Any = _HOLE
for _ in range(_WRAP):
    _DEEP = [_DEEP]


def loaded_json(doc: Any) -> tuple[bytes, bool] | None:
    """The compact JSON of ``doc``, a value ``orjson.loads`` returned (plain JSON by construction),
    and whether it nests no deeper than ``MAX_DEPTH`` (learnt from orjson while it writes, so a
    document needs no walk and no count to prove it); None when orjson cannot write it."""

    def default(value: Any) -> Any:
        if value is _HOLE:
            return doc
        raise TypeError

    try:
        return orjson.dumps(_DEEP, default=default)[_WRAP:-_WRAP], True
    except (TypeError, ValueError, RecursionError):  # too deep for that, or not JSON at all
        pass
    try:
        return orjson.dumps(doc), False
    except (TypeError, ValueError, RecursionError):
        return None


def plain_text(doc: Any, raw: bytes) -> str | None:
    """``document_text`` of plain ``doc`` whose ``plain_json`` is ``raw``, made from ``raw`` when
    it cannot differ from json's text (no float orjson could spell otherwise)."""
    if b"0.0000" in raw:
        return document_text(doc)
    # each "e-" found in C (words hold them too: "unique-1"), the digits around it looked at here
    at = raw.find(b"e-")
    while at != -1:
        if at and raw[at - 1] in _DIGITS and _SHORT_EXPONENT.match(raw, at):
            return document_text(doc)
        at = raw.find(b"e-", at + 2)
    return raw.decode("utf-8")


def measure(text: str, count: Count) -> int:
    """The size of ``text`` as a quota counts it."""
    if count is Count.BYTES:
        return len(text.encode("utf-8", "surrogatepass"))
    if count is Count.NON_WHITESPACE:
        return len(text) - sum(text.count(c) for c in _WHITESPACE)
    return len(text)


def size_problems(text: str, limit: SizeLimit) -> list[Problem]:
    """A problem at ``$`` when ``text`` is larger than ``limit``, giving the size found and the limit."""
    if len(text) <= limit.limit and (limit.count is not Count.BYTES or text.isascii()):
        return []  # no count can exceed the length (in bytes: of ASCII text)
    size = measure(text, limit.count)
    if size <= limit.limit:
        return []
    return [
        Problem(
            ProblemCode.POLICY_TOO_LARGE,
            f"the document has {size:,} {limit.count.value}; {limit.what} may have at most "
            f"{limit.limit:,} ({limit.page})",
            (),
        )
    ]


def character_problems(doc: Any, text: str | None = None, *, encoded: bool = False) -> list[Problem]:
    """A problem for each string (key or value) that holds a character a policy may not hold,
    located at that string and naming the first such character; walked without recursion.
    ``text``, the document's JSON text when known, spares the walk when it is clean: every
    character of every string appears in it as itself, except those JSON writes as escapes
    (``\\u``, and ``\\b``, ``\\f`` for backspace and form feed). ``encoded``: ``text`` was
    written by a JSON encoder, which escapes every control character."""
    if text is not None and (_clean_encoded(text) if encoded else _clean(text)):
        return []
    return [
        Problem(
            ProblemCode.INVALID_CHARACTER,
            f"{_describe(text, found.group())} at position {found.start()}: policy documents may hold "
            "only tab, linefeed, carriage return and characters U+0020 to U+00FF "
            "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html)",
            path,
        )
        for path, text in _strings(doc)
        if (found := POLICY_BAD_CHARACTER.search(text)) is not None
    ]


def plainly_clean(raw: bytes, limit: SizeLimit) -> bool:
    """Whether the compact JSON ``raw`` of a plain document (see ``plain_text``) has surely no
    size problem under ``limit`` and no character problem, so that its text need not be made:
    ASCII without escapes, and at most half the limit long (json's text differs from orjson's in
    the spelling of a float only, one character at most on three)."""
    if not raw.isascii() or 2 * len(raw) > limit.limit:
        return False
    return b"\\" not in raw or not any(e in raw for e in _RAW_ESCAPES)


def _clean(text: str) -> bool:
    """Whether ``text`` has no escape and no character outside the policy set: printable ASCII
    (the common case, tested in C) or, failing that, the character set's own test."""
    if "\\" in text and any(e in text for e in _ESCAPES):
        return False
    if text.isascii() and text.isprintable():
        return True
    return not POLICY_BAD_CHARACTER.search(text)


def _clean_encoded(text: str) -> bool:
    """``_clean`` of a JSON encoder's text: ASCII (a flag of the string) without escapes is clean."""
    if "\\" in text and any(e in text for e in _ESCAPES):
        return False
    return text.isascii() or not POLICY_BAD_CHARACTER.search(text)


def _strings(doc: Any) -> Iterator[tuple[Path, str]]:
    """Every key and string value of ``doc`` with its JSON path (a key is located at its value)."""
    stack: list[tuple[Any, Path]] = [(doc, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, Mapping):
            children = []
            for key, item in value.items():
                child = (*path, str(key))
                if isinstance(key, str):
                    yield child, key
                children.append((item, child))
            stack.extend(reversed(children))
        elif isinstance(value, (list, tuple)):
            stack.extend(reversed([(item, (*path, i)) for i, item in enumerate(value)]))


def _describe(text: str, char: str) -> str:
    name = {"\x00": "NUL", "\x1b": "ESC", "\u202e": "a right-to-left override"}.get(char, "")
    return f"U+{ord(char):04X}{' (' + name + ')' if name else ''} in {_short(text)!r}"


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
