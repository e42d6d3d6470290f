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
follow; so the segments after the last such one align with the end of the text, and the others
form blocks (ending in such a segment) placed leftmost, as the runs of a "like" pattern are.
Common shapes compile to one string operation (equality, ``startswith``).

Actions compare lower-cased (``str.lower()``): :func:`action_matcher` lowers the pattern and
expects a lower-case action name, as the evaluator keeps it (the regular expressions used before
folded case a little differently for a few non-ASCII letters, such as ``ſ`` matching ``s``;
action names are ASCII).

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
    def of(cls, atoms: list[str | None]) -> Run:
        """The run of ``atoms``: literal texts, None for each ``?``."""
        chunks: list[tuple[int, str]] = []
        size = 0
        for atom in atoms:
            if atom is None:
                size += 1
            elif not atom:
                continue
            elif chunks and chunks[-1][0] + len(chunks[-1][1]) == size:  # adjoins the last chunk
                chunks[-1] = (chunks[-1][0], chunks[-1][1] + atom)
                size += len(atom)
            else:
                chunks.append((size, atom))
                size += len(atom)
        anchor = max(range(len(chunks)), key=lambda k: len(chunks[k][1]), default=-1)
        return cls(size, tuple(chunks), anchor)

    def at(self, text: str, pos: int) -> bool:
        """Whether the run matches ``text`` at ``pos`` (the caller has checked that ``size``
        characters are there)."""
        for offset, chunk in self.chunks:  # noqa: SIM110 - a loop: cheaper than a generator here
            if not text.startswith(chunk, pos + offset):
                return False
        return True

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
class Fixed:
    """A pattern with ``?`` but no star: one run as long as the text."""

    run: Run

    def matches(self, text: str) -> bool:
        """Whether ``text`` has the run's length and its literal characters."""
        return len(text) == self.run.size and self.run.at(text, 0)


@dataclass(frozen=True, slots=True)
class Stars:
    """Stars between literal texts: ``head`` at the start, ``tail`` at the end, each of
    ``middles`` at its leftmost place in between (``str.find``)."""

    head: str
    middles: tuple[str, ...]
    tail: str
    least: int  # the shortest text that can match

    def matches(self, text: str) -> bool:
        """Whether the whole of ``text`` matches: O(pattern × text), no backtracking."""
        if len(text) < self.least or not (text.startswith(self.head) and text.endswith(self.tail)):
            return False
        pos, end = len(self.head), len(text) - len(self.tail)
        for middle in self.middles:
            pos = text.find(middle, pos, end)
            if pos < 0:
                return False
            pos += len(middle)
        return True


@dataclass(frozen=True, slots=True)
class Like:
    """Stars between runs with ``?``: ``head`` at the start, ``tail`` at the end, each of
    ``middles`` at its leftmost place in between."""

    head: Run
    middles: tuple[Run, ...]
    tail: Run
    least: int  # the shortest text that can match

    def matches(self, text: str) -> bool:
        """Whether the whole of ``text`` matches: O(pattern × text), no backtracking."""
        n = len(text)
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
class LastSegment:
    """A resource pattern whose wildcards are all in its last colon segment, which does not end
    in a star: the literal ``prefix`` (up to that segment's colon), then one segment."""

    prefix: str
    segment: Matcher

    def matches(self, text: str) -> bool:
        """Whether ``text`` starts with the prefix and the rest is one matching segment."""
        start = len(self.prefix)
        return (
            text.startswith(self.prefix) and text.find(":", start) < 0 and self.segment.matches(text[start:])
        )


@dataclass(frozen=True, slots=True)
class Block:
    """Resource colon segments: a ``chain`` that each match one text segment, then a segment
    ending in a star (``spanning``) that may also take the text segments after its own."""

    chain: tuple[Matcher, ...]
    spanning: Matcher

    def find(self, parts: list[str], start: int, free: int, anchored: bool) -> int:
        """Where the next block may start after this one matched at its leftmost place from
        ``start`` (at ``start`` only when ``anchored``) within ``parts[:free]``, or -1. A later
        place never helps: the spanning segment can take any text segments that follow."""
        size = len(self.chain)
        last = free - size - 1  # the spanning segment needs one text segment of its own
        for j in range(start, min(start, last) + 1 if anchored else last + 1):
            if self.spanning.matches(parts[j + size]) and (
                not size or all(segment.matches(parts[j + i]) for i, segment in enumerate(self.chain))
            ):
                return j + size + 1
        return -1


@dataclass(frozen=True, slots=True)
class Segments:
    """A resource pattern (§4.3) after its literal leading segments (``prefix``, colon included):
    ``blocks`` up to the last colon segment that ends in a star, then ``aligned`` segments, each
    matching exactly one text segment, counted from the end of the text."""

    prefix: str
    blocks: tuple[Block, ...]
    aligned: tuple[Matcher, ...]
    needle: str  # the longest literal text after the prefix: a match holds it, a quick test

    def matches(self, text: str) -> bool:
        """Whether the ARN matches: the aligned segments, then each block at its leftmost place
        (the first one at the start), as "like" patterns place their runs; O(pattern × text)."""
        if not text.startswith(self.prefix) or text.find(self.needle, len(self.prefix)) < 0:
            return False
        if len(self.blocks) == 1 and not self.blocks[0].chain:  # as ``arn:aws:secretsmanager:*:…``
            return self._one_star(text[len(self.prefix) :])
        parts = text[len(self.prefix) :].split(":")
        free = len(parts) - len(self.aligned)  # text segments left for the blocks
        if free < 0 or (free > 0) != bool(self.blocks):
            return False
        for i, segment in enumerate(self.aligned, free):
            if not segment.matches(parts[i]):
                return False
        start = 0
        for k, block in enumerate(self.blocks):
            start = block.find(parts, start, free, anchored=not k)
            if start < 0:
                return False
        return True

    def _one_star(self, rest: str) -> bool:
        """The common case of one segment ending in a star, then the aligned segments: those
        are the last text segments, the star's segment the first of the others."""
        aligned = self.aligned
        parts = rest.rsplit(":", len(aligned))
        if len(parts) != len(aligned) + 1:
            return False
        for i, segment in enumerate(aligned, 1):
            if not segment.matches(parts[i]):
                return False
        return self.blocks[0].spanning.matches(parts[0].partition(":")[0])


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
    return _like(pieces)


@lru_cache(maxsize=8192)
def action_matcher(pattern: str) -> Matcher:
    """Action semantics (§4.1): as :func:`like_matcher` on the lower-cased pattern; the action
    name given to ``matches`` must be lower-case."""
    return _like(plain(pattern.lower()))


@lru_cache(maxsize=8192)
def resource_matcher(pieces: Pieces) -> Matcher:
    """Resource-element semantics (§4.3): case-sensitive; segments are the parts separated by
    colons (the resource part's own colons included, as the Resource page words it); ``?`` is
    one character other than ``:``; ``*`` stays inside its segment unless it is the segment's
    last character, then it may extend over the following segments. The service segment is
    literal."""
    segments: list[list[tuple[str, bool]]] = [[]]
    for text, literal in pieces:
        for k, part in enumerate(text.split(":")):
            if k:
                segments.append([])
            if part:  # the service segment's wildcards are literal characters
                segments[-1].append((part, literal or len(segments) - 1 == _SERVICE))
    texts = ["".join(t for t, _ in s) for s in segments]
    wild = [any(not literal and has_wildcard(t) for t, literal in s) for s in segments]
    if not any(wild):
        return Exact(":".join(texts))
    first = wild.index(True)
    prefix = "".join(t + ":" for t in texts[:first])
    spans = [bool(s) and not s[-1][1] and s[-1][0].endswith("*") for s in segments]
    rest = [(_like(tuple(s)), span) for s, span in zip(segments[first:], spans[first:], strict=True)]
    if len(rest) == 1:
        segment, span = rest[0]
        if span and isinstance(segment, Prefix | Anything):  # its only wildcard ends the pattern
            whole = prefix + (segment.prefix if isinstance(segment, Prefix) else "")
            return Prefix(whole) if whole else Anything()
        if not span:
            return LastSegment(prefix, segment)
    blocks: list[Block] = []
    chain: list[Matcher] = []
    for segment, span in rest:
        if span:
            blocks.append(Block(tuple(chain), segment))
            chain = []
        else:
            chain.append(segment)
    needle = max(_literal_texts(segments[first:]), key=len)
    return Segments(prefix, tuple(blocks), tuple(chain), needle)


def _literal_texts(segments: list[list[tuple[str, bool]]]) -> list[str]:
    """The texts between the wildcards of resource segments, colons included."""
    texts = [""]
    for k, segment in enumerate(segments):
        if k:
            texts[-1] += ":"
        for text, literal in segment:
            if literal or not has_wildcard(text):
                texts[-1] += text
                continue
            for j, part in enumerate(text.replace("?", "*").split("*")):
                if j:
                    texts.append("")
                texts[-1] += part
    return texts


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


def _like(pieces: Pieces) -> Matcher:
    """The matcher of a "like" pattern: ``*`` any run of characters, ``?`` any one character."""
    runs: list[list[str | None]] = [[]]  # the text between stars: literal texts, None for ``?``
    for text, literal in pieces:
        if literal or not has_wildcard(text):
            runs[-1].append(text)
            continue
        for k, between in enumerate(text.split("*")):
            if k:
                runs.append([])
            for j, part in enumerate(between.split("?")):
                if j:
                    runs[-1].append(None)
                runs[-1].append(part)
    if len(runs) == 1:
        return Fixed(Run.of(runs[0])) if None in runs[0] else Exact(_text(runs[0]))
    middles = [Run.of(r) for r in runs[1:-1]]
    head, tail = Run.of(runs[0]), Run.of(runs[-1])
    least = head.size + sum(r.size for r in middles) + tail.size
    if any(None in r for r in runs):
        return Like(head, tuple(r for r in middles if r.size), tail, least)
    if not least:
        return Anything()
    if not tail.size and not any(r.size for r in middles):
        return Prefix(_text(runs[0]))
    return Stars(_text(runs[0]), tuple(_text(r) for r in runs[1:-1] if _text(r)), _text(runs[-1]), least)


def _text(run: list[str | None]) -> str:
    """The text of a run without ``?``."""
    return "".join(ch for ch in run if ch is not None)


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
