"""Wildcard patterns (``*`` any run of characters, ``?`` exactly one) compiled once into small
frozen matchers, for the places IAM uses them with different rules:

* actions: case-insensitive, ``*`` crosses everything (semantics §4.1);
* resource ARNs: case-sensitive; ``?`` is one character other than ``:``; a ``*`` stays inside
  its colon segment unless it ends the segment, then it may span the following segments, so
  ``arn:aws:secretsmanager:*`` covers every secret ARN; the service segment is literal (§4.3);
* ``StringLike`` values: case-sensitive, ``*`` crosses everything (§5.4);
* ARN condition values: each of the six colon components matched on its own (§5.10).

Pieces may be *literal* (text from a policy variable or a ``${*}`` escape), which never act as
wildcards.

No regular expressions: a match costs at most O(pattern × text), whatever the pattern. A "like"
pattern is split on its stars into runs of literal text and ``?`` gaps; the first run is matched
at the start, the last at the end, and each run between them at its leftmost place after the
previous one (with unrestricted stars the leftmost place is never worse). A resource pattern is
matched colon segment by colon segment: a segment matches one text segment (its stars cannot
cross a colon there), except that a segment ending in ``*`` may also take the text segments that
follow; the text segments where the next pattern segment may start are tracked as a set, so
nothing is tried twice.

Actions compare lower-cased (``str.lower()``): :func:`action_matcher` lowers the pattern and
expects a lower-case action name, as the evaluator keeps it.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

#: A pattern after variable substitution: (text, is_literal) pieces.
Pieces = tuple[tuple[str, bool], ...]

#: One pattern character and whether it acts as a wildcard (an unescaped ``*`` or ``?``).
_Token = tuple[str, bool]

_SERVICE = 2  # the ARN segment that names the service: never wildcarded (§4.3)


def has_wildcard(text: str) -> bool:
    """Whether ``text`` holds ``*`` or ``?``."""
    return "*" in text or "?" in text


def plain(text: str) -> Pieces:
    """A pattern with no policy variables."""
    return ((text, False),)


class Matcher(Protocol):
    """A compiled pattern: ``matches(text)`` answers in at most O(pattern × text) steps."""

    def matches(self, text: str) -> bool:
        """Whether the whole of ``text`` matches the pattern."""
        ...


@dataclass(frozen=True, slots=True)
class Anything:
    """A lone ``*``: every text matches."""

    def matches(self, text: str) -> bool:
        """Always True."""
        return True


@dataclass(frozen=True, slots=True)
class Nothing:
    """A pattern no text can match (an ArnLike value that is not an ARN, an empty list)."""

    def matches(self, text: str) -> bool:
        """Always False."""
        return False


@dataclass(frozen=True, slots=True)
class Exact:
    """A pattern without wildcards: equality."""

    text: str

    def matches(self, text: str) -> bool:
        """Whether ``text`` equals the pattern."""
        return text == self.text


@dataclass(frozen=True, slots=True)
class Prefix:
    """Literal text followed by one star that may cover anything: ``startswith``."""

    prefix: str

    def matches(self, text: str) -> bool:
        """Whether ``text`` starts with the literal part."""
        return text.startswith(self.prefix)


@dataclass(frozen=True, slots=True)
class Run:
    """The part of a pattern between two stars: ``size`` characters, literal ``chunks`` (offset,
    text) with a ``?`` at every other position."""

    size: int
    chunks: tuple[tuple[int, str], ...]
    anchor: int  # index of the longest chunk, searched for first; -1 without chunks

    @classmethod
    def of(cls, chars: list[str | None]) -> Run:
        """The run of ``chars``, where None stands for ``?``."""
        chunks: list[tuple[int, str]] = []
        literal: list[str] = []
        for i, ch in enumerate([*chars, None]):
            if ch is not None:
                literal.append(ch)
            elif literal:
                chunks.append((i - len(literal), "".join(literal)))
                literal = []
        anchor = max(range(len(chunks)), key=lambda k: len(chunks[k][1]), default=-1)
        return cls(len(chars), tuple(chunks), anchor)

    def at(self, text: str, pos: int) -> bool:
        """Whether the run matches ``text`` at ``pos`` (the caller has checked that ``size``
        characters are there)."""
        return all(text.startswith(chunk, pos + offset) for offset, chunk in self.chunks)

    def find(self, text: str, start: int, end: int) -> int:
        """The leftmost position in ``text[start:end]`` where the run matches, or -1. Each
        candidate is found by ``str.find`` of the longest chunk and checked once: O(size × text)."""
        last = end - self.size
        if last < start:
            return -1
        if self.anchor < 0:
            return start
        offset, chunk = self.chunks[self.anchor]
        stop = last + offset + len(chunk)
        while start <= last:
            hit = text.find(chunk, start + offset, stop)
            if hit < 0:
                return -1
            pos = hit - offset
            if self.at(text, pos):
                return pos
            start = pos + 1
        return -1


@dataclass(frozen=True, slots=True)
class Like:
    """A pattern with ``?`` or inner stars: ``head`` at the start, ``tail`` at the end (after a
    star when ``starred``), each of ``middles`` at its leftmost place in between."""

    head: Run
    middles: tuple[Run, ...]
    tail: Run
    starred: bool
    least: int  # the shortest text that can match

    def matches(self, text: str) -> bool:
        """Whether the whole of ``text`` matches: O(pattern × text), no backtracking."""
        n = len(text)
        if not self.starred:
            return n == self.least and self.head.at(text, 0)
        if n < self.least:
            return False
        end = n - self.tail.size
        if not (self.head.at(text, 0) and self.tail.at(text, end)):
            return False
        pos = self.head.size
        for run in self.middles:
            found = run.find(text, pos, end)
            if found < 0:
                return False
            pos = found + run.size
        return True


@dataclass(frozen=True, slots=True)
class Segments:
    """A resource pattern (§4.3) after its literal leading segments (``prefix``, colon included):
    one matcher per colon segment, and whether that segment ends in a star that may span the
    following text segments (``spans``); ``last_span`` is the last such segment (-1: none)."""

    prefix: str
    segments: tuple[Matcher, ...]
    spans: tuple[bool, ...]
    last_span: int

    def matches(self, text: str) -> bool:
        """Whether the ARN matches. Segments after the last spanning one align with the end of the
        text; those up to it are matched over the set of text segments where each may start."""
        if not text.startswith(self.prefix):
            return False
        parts = text[len(self.prefix) :].split(":")
        segments, last_span = self.segments, self.last_span
        if last_span < 0:
            return len(parts) == len(segments) and all(
                s.matches(p) for s, p in zip(segments, parts, strict=True)
            )
        free = len(parts) - (len(segments) - 1 - last_span)  # text segments left for 0..last_span
        if free <= last_span:
            return False
        for k in range(last_span + 1, len(segments)):
            if not segments[k].matches(parts[free + k - last_span - 1]):
                return False
        starts: range | list[int] = [0]  # where segment i may start, each below ``free``
        for i in range(last_span + 1):
            segment = segments[i]
            if self.spans[i]:
                first = next((j for j in starts if segment.matches(parts[j])), -1)
                if first < 0 or i == last_span:
                    return first >= 0
                starts = range(first + 1, free)
            else:
                starts = [j + 1 for j in starts if j + 1 < free and segment.matches(parts[j])]
            if not starts:
                return False
        return False  # not reached: segment last_span spans


@dataclass(frozen=True, slots=True)
class ArnComponents:
    """An ArnLike value (§5.10): the six colon components of the ARN, each a "like" pattern."""

    components: tuple[Matcher, ...]

    def matches(self, text: str) -> bool:
        """Whether ``text`` has six components, each matching its own pattern."""
        values = text.split(":", 5)
        return len(values) == 6 and all(c.matches(v) for c, v in zip(self.components, values, strict=True))


@dataclass(frozen=True, slots=True)
class AnyOf:
    """A list of patterns (Action, StringLike values): a set of the ``exact`` ones, then each
    of the others in turn."""

    exact: frozenset[str]
    patterns: tuple[Matcher, ...]

    def matches(self, text: str) -> bool:
        """Whether one of the patterns matches."""
        return text in self.exact or any(p.matches(text) for p in self.patterns)


@lru_cache(maxsize=8192)
def like_matcher(pieces: Pieces) -> Matcher:
    """StringLike semantics (§5.4): case-sensitive; ``*`` and ``?`` match any characters."""
    return _like(_tokens(pieces))


@lru_cache(maxsize=8192)
def action_matcher(pattern: str) -> Matcher:
    """Action semantics (§4.1): as :func:`like_matcher` on the lower-cased pattern; the action
    name given to ``matches`` must be lower-case."""
    return _like(_tokens(plain(pattern.lower())))


@lru_cache(maxsize=8192)
def resource_matcher(pieces: Pieces) -> Matcher:
    """Resource-element semantics (§4.3): case-sensitive; segments are the parts separated by
    colons (the resource part's own colons included, as the Resource page words it); ``?`` is
    one character other than ``:``; ``*`` stays inside its segment unless it is the segment's
    last character, then it may extend over the following segments. The service segment is
    literal."""
    segments: list[list[_Token]] = [[]]
    for ch, wild in _tokens(pieces):
        if ch == ":":
            segments.append([])
        else:
            segments[-1].append((ch, wild and len(segments) - 1 != _SERVICE))
    text = ":".join("".join(ch for ch, _ in s) for s in segments)
    wild_at = [i for i, s in enumerate(segments) if any(w for _, w in s)]
    if not wild_at:
        return Exact(text)
    first = wild_at[0]
    last = segments[-1]
    if wild_at == [len(segments) - 1] and last[-1] == ("*", True) and sum(w for _, w in last) == 1:
        return Prefix(text[:-1]) if len(text) > 1 else Anything()  # the only wildcard ends it
    spans = tuple(bool(s) and s[-1] == ("*", True) for s in segments[first:])
    last_span = max((i for i, span in enumerate(spans) if span), default=-1)
    prefix = ":".join("".join(ch for ch, _ in s) for s in segments[:first]) + ":" if first else ""
    return Segments(prefix, tuple(_like(s) for s in segments[first:]), spans, last_span)


@lru_cache(maxsize=8192)
def arn_matcher(pieces: Pieces) -> Matcher:
    """ArnLike / ArnEquals (§5.10): a bare ``*`` matches anything; otherwise the pattern must
    have six colon components (else it matches nothing), each matched as a "like" pattern
    against the value's component."""
    if len(pieces) == 1 and pieces[0] == ("*", False):
        return Anything()
    parts = _split_pieces(pieces)
    if len(parts) != 6:
        return Nothing()
    return ArnComponents(tuple(like_matcher(p) for p in parts))


@lru_cache(maxsize=4096)
def any_matcher(patterns: tuple[Matcher, ...]) -> Matcher:
    """One matcher for a list of patterns: the exact ones looked up in a set."""
    exact = frozenset(p.text for p in patterns if isinstance(p, Exact))
    others = tuple(dict.fromkeys(p for p in patterns if not isinstance(p, Exact)))
    if any(isinstance(p, Anything) for p in others):
        return Anything()
    if not others:
        return AnyOf(exact, ()) if exact else Nothing()
    if len(others) == 1 and not exact:
        return others[0]
    return AnyOf(exact, others)


def _tokens(pieces: Pieces) -> list[_Token]:
    return [(ch, not literal and ch in "*?") for text, literal in pieces for ch in text]


def _like(tokens: list[_Token]) -> Matcher:
    """The matcher of "like" tokens: ``*`` any run of characters, ``?`` any one character."""
    runs: list[list[str | None]] = [[]]  # the text between stars, None for each ``?``
    for ch, wild in tokens:
        if wild and ch == "*":
            runs.append([])
        else:
            runs[-1].append(None if wild else ch)
    head = Run.of(runs[0])
    plain_head = head.chunks[0][1] if head.chunks else ""  # the head's text when it has no ``?``
    if len(runs) == 1:
        if len(plain_head) == head.size:
            return Exact(plain_head)
        return Like(head, (), Run.of([]), False, head.size)
    middles = tuple(Run.of(r) for r in runs[1:-1] if r)
    tail = Run.of(runs[-1])
    if not middles and not tail.size and len(plain_head) == head.size:
        return Prefix(plain_head) if plain_head else Anything()
    return Like(head, middles, tail, True, head.size + sum(r.size for r in middles) + tail.size)


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
