"""Reading JSON and YAML text within our own input limits (``limits``), every problem located by
its JSON path: an object that names a key twice, nesting deeper than ``MAX_DEPTH``, an integer of
more than ``MAX_INT_DIGITS`` digits, YAML aliases that expand past ``MAX_YAML_NODES`` values or
refer to themselves, and an unquoted YAML date (``Version: 2012-10-17`` is a date in YAML, not the
text AWS expects). Time and memory stay bounded for any input: nesting is bounded while parsing,
and YAML aliases are counted on the composed node graph before any value is built.

``load_json`` and ``load_yaml`` return ``(data, problems)``: ``data`` is None when a problem
makes the text unusable; a duplicated key alone keeps the data (the last value wins, as in
Python's JSON reader) so that the rest of the document can still be checked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from .files import open_input
from .limits import MAX_DEEP_PLACES, MAX_DEPTH, MAX_FILE_BYTES, MAX_INT_DIGITS, MAX_VALUES, MAX_YAML_NODES
from .problems import PathPart, Problem, ProblemCode, quoted

JsonPath = tuple[PathPart, ...]
Loaded = tuple[Any, tuple[Problem, ...]]


# -- files


def read_file(path: str | Path, *, limit: int = MAX_FILE_BYTES) -> tuple[str | None, tuple[Problem, ...]]:
    """The UTF-8 text of ``path``, read no further than ``limit`` bytes (our own limit: a file or a
    device given as a file never exhausts memory); None with a problem naming the file otherwise."""
    name = str(path).replace("\0", "\\0")
    try:
        with open_input(path) as stream:  # a regular file only: a FIFO or a device never blocks us
            return read_stream(stream, name, limit=limit)
    except OSError as exc:  # FileProblem says why it refused; others say what the system said
        why = exc.strerror or str(exc)
        return None, (Problem(ProblemCode.UNREADABLE_FILE, f"cannot read the file: {why}", source=name),)


def read_stream(
    stream: BinaryIO, name: str, *, limit: int = MAX_FILE_BYTES
) -> tuple[str | None, tuple[Problem, ...]]:
    """The UTF-8 text of an open binary ``stream`` (standard input, say), read no further than
    ``limit`` bytes; None with a problem naming the stream as ``name`` (``<stdin>``) otherwise."""
    try:
        raw = stream.read(limit + 1)
    except OSError as exc:
        why = exc.strerror or str(exc)
        return None, (Problem(ProblemCode.UNREADABLE_FILE, f"cannot read the file: {why}", source=name),)
    if len(raw) > limit:
        return None, (
            Problem(
                ProblemCode.FILE_TOO_LARGE,
                f"the file is larger than {limit:,} bytes, the most secretslab reads",
                source=name,
            ),
        )
    try:
        return raw.decode("utf-8"), ()
    except UnicodeDecodeError as exc:
        return None, (
            Problem(
                ProblemCode.UNREADABLE_FILE,
                f"the file is not UTF-8 text: byte {exc.start} cannot be decoded",
                source=name,
            ),
        )


# -- JSON


class _BigInt:
    """Stands for an integer too long to convert; reported at its path after parsing."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits


def load_json(
    text: str | bytes | bytearray,
    source: str | None = None,
    *,
    invalid: ProblemCode = ProblemCode.INVALID_JSON,
) -> Loaded:
    """The JSON value of ``text`` and every problem, located (see the module docstring); text
    that is not JSON is an ``invalid`` problem (``UNREADABLE_FILE`` for a file)."""
    duplicates: dict[int, tuple[dict[str, Any], list[str]]] = {}

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                duplicates.setdefault(id(out), (out, []))[1].append(key)
            out[key] = value
        return out

    big: list[int] = []

    def integer(digits: str) -> int | _BigInt:
        if len(digits) > MAX_INT_DIGITS:
            big.append(len(digits))
            return _BigInt(len(digits.lstrip("-")))
        return int(digits)

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_int=integer)
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        return None, (Problem(invalid, message, source=source),)
    except RecursionError:
        return None, (_too_deep((), source, _deep_position(text)),)
    except (UnicodeDecodeError, ValueError) as exc:
        return None, (Problem(invalid, f"cannot decode the text: {exc}", source=source),)
    if not duplicates and not big and _shallow(text):
        return data, ()  # the common case: nothing to locate, no walk
    problems = list(_json_problems(data, duplicates, source))
    fatal = any(p.code is not ProblemCode.DUPLICATE_KEY for p in problems)
    return (None if fatal else data), tuple(problems)


def _shallow(text: str | bytes | bytearray) -> bool:
    """Whether ``text`` opens too few lists and objects to nest deeper than ``MAX_DEPTH``: then
    no walk is needed (the count is made in C, so this costs little)."""
    if isinstance(text, str):
        return text.count("[") + text.count("{") <= MAX_DEPTH
    return text.count(b"[") + text.count(b"{") <= MAX_DEPTH


def _json_problems(
    data: Any, duplicates: Mapping[int, tuple[dict[str, Any], list[str]]], source: str | None
) -> Iterator[Problem]:
    stack: list[tuple[Any, JsonPath]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            yield _too_deep(path, source)
            continue
        if isinstance(value, dict):
            found = duplicates.get(id(value))
            if found is not None and found[0] is value:
                yield _duplicate(found[1], path, source)
            stack.extend(((v, (*path, k)) for k, v in reversed(value.items())))
        elif isinstance(value, list):
            stack.extend(((v, (*path, i)) for i, v in reversed(list(enumerate(value)))))
        elif isinstance(value, _BigInt):
            yield _too_long(value.digits, path, source)


def _deep_position(text: str | bytes | bytearray) -> str:
    """Where the nesting first passes ``MAX_DEPTH`` (line and column), for the message."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", "replace")
    depth, line, column, in_string, escaped = 0, 1, 0, False, False
    for char in text:
        column += 1
        if char == "\n":
            line, column = line + 1, 0
        elif in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return f" (at line {line} column {column})"
        elif char in "]}":
            depth -= 1
    return ""


# -- YAML


def load_yaml(text: str, source: str | None = None) -> Loaded:
    """The YAML value of ``text`` (one document, safe tags only) and every problem, located."""
    import yaml  # imported here: only YAML scenarios need it

    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, ()
        problems = list(_yaml_problems(node, source))
        if problems:
            return None, tuple(problems)
        return loader.construct_document(node), ()
    except _TooDeep as exc:
        return None, (_too_deep(exc.path, source, exc.where),)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1} column {where.column + 1}" if where else ""
        what = getattr(exc, "problem", None) or exc
        return None, (Problem(ProblemCode.UNREADABLE_FILE, f"not valid YAML{at}: {what}", source=source),)
    except (ValueError, TypeError, RecursionError) as exc:  # a value the safe constructor cannot build
        return None, (Problem(ProblemCode.UNREADABLE_FILE, f"not valid YAML: {exc}", source=source),)
    finally:
        loader.dispose()


def yaml_position(text: str, path: Sequence[PathPart]) -> tuple[int, int] | None:
    """The line and column (from 1) where the value at ``path`` starts in the YAML ``text``, or
    of the deepest part of it that exists (a duplicated key: its last copy, the value the reader
    keeps); None when the text is not YAML that reads (the composing is bounded as in
    ``load_yaml``; nothing is constructed, aliases are not expanded)."""
    import yaml

    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
    except (_TooDeep, yaml.YAMLError, ValueError, RecursionError):
        return None
    finally:
        loader.dispose()
    if node is None:
        return None
    for part in path:
        child = None
        if node.id == "mapping" and isinstance(part, str):
            for key_node, value_node in node.value:
                if key_node.id == "scalar" and key_node.value == part:
                    child = value_node
        elif node.id == "sequence" and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = child
    return node.start_mark.line + 1, node.start_mark.column + 1


class _TooDeep(Exception):
    def __init__(self, where: str, path: JsonPath = ()) -> None:
        super().__init__(where)
        self.where, self.path = where, path


_LOADER: Any = None


def _loader_class() -> Any:
    """``yaml.SafeLoader`` that stops composing deeper than ``MAX_DEPTH`` (built once)."""
    global _LOADER
    if _LOADER is None:
        import yaml

        class BoundedLoader(yaml.SafeLoader):
            depth = 0
            path: tuple[PathPart, ...] = ()  # where composing is: a too-deep value is located

            def compose_node(self, parent: Any, index: Any) -> Any:
                # ``index``: a sequence's position, a mapping value's key node, None for a key
                part = index if isinstance(index, int) else getattr(index, "value", None)
                outer = self.path
                if parent is not None and isinstance(part, (int, str)):
                    self.path = (*outer, part)
                self.depth += 1
                try:
                    if self.depth > MAX_DEPTH:
                        mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                        raise _TooDeep(f" (at line {mark.line + 1} column {mark.column + 1})", self.path)
                    return super().compose_node(parent, index)
                finally:
                    self.depth -= 1
                    self.path = outer

        _LOADER = BoundedLoader
    return _LOADER


_YAML = "tag:yaml.org,2002:"


def _yaml_problems(root: Any, source: str | None) -> Iterator[Problem]:
    """Problems of the composed node graph: alias expansion and cycles first (nothing else is
    looked at when they are found), then duplicate keys, dates and long integers, each node once."""
    sizes: dict[int, int] = {}
    cycle = _expanded_sizes(root, sizes)
    if cycle is not None:
        yield Problem(
            ProblemCode.ALIAS_EXPANSION,
            f"a YAML alias refers to a node that contains it (line {cycle.start_mark.line + 1}): "
            "the value would be infinite",
            source=source,
        )
        return
    if sizes[id(root)] > MAX_YAML_NODES:
        path, node = _largest_below_limit(root, sizes)
        yield Problem(
            ProblemCode.ALIAS_EXPANSION,
            f"YAML aliases expand this value to {sizes[id(node)]:,} values (line "
            f"{node.start_mark.line + 1}); secretslab reads at most {MAX_YAML_NODES:,}",
            path,
            source=source,
        )
        return
    seen: set[int] = set()
    stack: list[tuple[Any, JsonPath, str | None]] = [(root, (), None)]
    while stack:
        node, path, key = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.id == "scalar":
            yield from _scalar_problems(node, path, key, source)
        elif node.id == "sequence":
            stack.extend((child, (*path, i), None) for i, child in reversed(list(enumerate(node.value))))
        else:
            names: dict[str, int] = {}
            repeated: list[str] = []
            children = []
            for key_node, value_node in node.value:
                if key_node.tag == _YAML + "merge":
                    continue
                name = str(key_node.value) if key_node.id == "scalar" else "?"
                if key_node.id == "scalar":
                    yield from _scalar_problems(key_node, (*path, name), None, source)  # a date as a key
                if name in names and key_node.id == "scalar":
                    repeated.append(name)
                names[name] = 1
                children.append((value_node, (*path, name), name))
            if repeated:
                yield _duplicate(repeated, path, source)
            stack.extend(reversed(children))


def _scalar_problems(node: Any, path: JsonPath, key: str | None, source: str | None) -> Iterator[Problem]:
    if node.tag == _YAML + "timestamp":
        hint = f'quote the version: "{node.value}"' if key == "Version" else f'quote it: "{node.value}"'
        yield Problem(
            ProblemCode.UNQUOTED_DATE,
            f"YAML reads the unquoted {node.value} as a date, not as text (line {node.start_mark.line + 1})",
            path,
            hint,
            source,
        )
    elif node.tag == _YAML + "int" and len(node.value) > MAX_INT_DIGITS:
        yield _too_long(len(node.value), path, source)


def _expanded_sizes(root: Any, sizes: dict[int, int]) -> Any:
    """Fill ``sizes`` (node id -> values once aliases are expanded) without expanding anything;
    returns a node that contains itself, if any."""
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        ident = id(node)
        if done:
            on_path.discard(ident)
            total = 1 + sum(sizes[id(child)] for child in _children(node))
            sizes[ident] = min(total, MAX_YAML_NODES + 1)  # capped: the sum stays a small number
            continue
        if ident in sizes:
            continue
        if ident in on_path:
            return node
        on_path.add(ident)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                return child
            if id(child) not in sizes:
                stack.append((child, False))
    return None


def _children(node: Any) -> Iterator[Any]:
    if node.id == "sequence":
        yield from node.value
    elif node.id == "mapping":
        for key_node, value_node in node.value:
            yield key_node
            yield value_node


def _largest_below_limit(root: Any, sizes: Mapping[int, int]) -> tuple[JsonPath, Any]:
    """The deepest node still over the limit, following the largest child: where the expansion is."""
    node: Any = root
    path: JsonPath = ()
    while True:
        named: list[tuple[JsonPath, Any]]
        if node.id == "sequence":
            named = [((*path, i), child) for i, child in enumerate(node.value)]
        elif node.id == "mapping":
            named = [((*path, str(k.value)), v) for k, v in node.value]
        else:
            return path, node
        over = [(p, c) for p, c in named if sizes[id(c)] > MAX_YAML_NODES]
        if not over:
            return path, node
        path, node = over[0]


# -- shared


def shape_problems(data: Any, source: str | None = None, text: str | None = None) -> tuple[Problem, ...]:
    """A problem at each place ``data`` (already parsed, e.g. a dict given to the Python API)
    nests deeper than ``MAX_DEPTH``, in document order, as ``load_json`` reports them for a text
    (the first ``MAX_DEEP_PLACES``), at each key that is not a string (a Python value's: JSON has
    none) and at each integer of more than ``MAX_INT_DIGITS`` digits, as a text's are reported;
    walked without recursion, so any depth is safe. A Python value may hold one list or dict in
    several places, or inside itself, which no text can: walked as JSON would write it, beyond
    ``MAX_VALUES`` values it is refused (``TOO_MANY_VALUES``) unless a problem is found first.
    ``text``, its JSON serialisation when known, spares the walk when it opens too few lists and
    objects."""
    if text is not None and _shallow(text):
        return ()
    problems = []
    stack: list[tuple[Any, JsonPath]] = [(data, ())]
    values = 0  # walked so far: a value held in several places (or inside itself) counts each time
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            problems.append(_too_deep(path, source))
            if len(problems) >= MAX_DEEP_PLACES:
                break
            continue
        if isinstance(value, Mapping):
            children: list[tuple[Any, JsonPath]] = []
            for k, v in value.items():
                if type(k) is str:
                    children.append((v, (*path, k)))
                else:  # a Python value's key; quoted: bounded whatever it holds
                    problems.append(_not_text_key(k, path, source))
            if len(problems) >= MAX_DEEP_PLACES:
                break
        elif isinstance(value, (list, tuple, set, frozenset)):  # a set: written as text by some
            children = [(v, (*path, i)) for i, v in enumerate(value)]
        else:
            if type(value) is int and value.bit_length() > _SHORT_INT_BITS:  # as a text's are read
                digits = _digits(value)
                if digits > MAX_INT_DIGITS:
                    problems.append(_too_long(digits, path, source))
            continue
        values += len(children)
        if values > MAX_VALUES:  # refused here, before any reader walks it
            return tuple(problems) or (too_many_values(source),)
        stack.extend(reversed(children))
    return tuple(problems)


_SHORT_INT_BITS = int(MAX_INT_DIGITS * 3.3219)  # below 10**MAX_INT_DIGITS: never too long


def _digits(value: int) -> int:
    """The digits of ``value``, counted without writing one Python refuses to (beyond 4,300)."""
    if value.bit_length() <= 14_000:  # 4,214 digits at most
        return len(str(abs(value)))
    return int(value.bit_length() * 0.30103) + 1


def _not_text_key(key: Any, path: JsonPath, source: str | None) -> Problem:
    return Problem(
        ProblemCode.INVALID_FIELD,
        f"the keys of an object are strings, found {quoted(key)}",
        (*path[:MAX_DEPTH], quoted(key)),
        source=source,
    )


def values_beyond(data: Any, most: int = MAX_VALUES) -> bool:
    """Whether ``data`` holds more than ``most`` values walked as JSON would write it (a list or
    dict held in several places counted each time), known before anything writes it (orjson
    would write a value shared at each of 60 levels for ever); stops as soon as it knows. Sets
    and other mappings count too: a writer falling back to ``str`` would spell them out."""
    stack = [data]
    extend = stack.extend
    values = 0
    for value in stack:  # the list grows as it is read: at most ``most`` values more
        kind = type(value)
        if kind is dict:
            value = value.values()
        elif kind is list:
            pass
        elif kind is str or kind in _SCALARS:
            continue
        elif isinstance(value, Mapping):
            value = value.values()
        elif not isinstance(value, (list, tuple, set, frozenset)):
            continue
        values += len(value)
        if values > most:
            return True
        extend(value)
    return False


_SCALARS = frozenset({int, float, bool, type(None), bytes})


def too_many_values(source: str | None = None) -> Problem:
    """The problem of a value that ``values_beyond`` finds holds more than ``MAX_VALUES``."""
    return Problem(
        ProblemCode.TOO_MANY_VALUES,
        f"the value holds more than {MAX_VALUES:,} values, the most secretslab reads, once a list or "
        "dict held in several places (or inside itself) is counted each time, as JSON would write it",
        source=source,
    )


def _duplicate(keys: list[str], path: JsonPath, source: str | None) -> Problem:
    names = ", ".join(repr(_short(k)) for k in dict.fromkeys(keys))
    return Problem(
        ProblemCode.DUPLICATE_KEY,
        f"this object names {names} more than once; AWS keeps only one of them",
        path,
        source=source,
    )


def _too_deep(path: JsonPath, source: str | None, where: str = "") -> Problem:
    return Problem(
        ProblemCode.TOO_DEEP,
        f"lists and objects nest deeper than {MAX_DEPTH} levels{where}, the most secretslab reads",
        path[: MAX_DEPTH + 1],
        source=source,
    )


def _too_long(digits: int, path: JsonPath, source: str | None) -> Problem:
    return Problem(
        ProblemCode.NUMBER_TOO_LARGE,
        f"an integer of {digits:,} digits; secretslab reads at most {MAX_INT_DIGITS:,}",
        path,
        source=source,
    )


def _short(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters, so that a message quotes a bounded value."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
