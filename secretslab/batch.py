"""The batch format: one self-contained request per JSON line (principal, action, resource, context
and every policy inline), decided by the single-request engine. A bad line yields a located
error for that line and the batch goes on. Parsed policies are cached by their canonical JSON,
since a realistic batch repeats the same principals' policies many times.

Line format (issue #2): ``{"id", "principal", "action", "resource", "resource_account",
"context", "identity_policies", "resource_policy", "permissions_boundary", "session_policy",
"scps": [[doc, …] per level, root first], "rcps": [[doc, …] per level]}``.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

import orjson

from .arn import Arn
from .evaluation.context import request_context
from .evaluation.engine import evaluate
from .evaluation.memo import Memo, fewer_collections
from .evaluation.principals import Principal
from .evaluation.request import Attached, EvalRequest, Level
from .evaluation.results import Evaluation
from .evaluation.target import read_target
from .fields import Fields
from .limits import MAX_LINE_BYTES, ORG_LEVELS, ORGANIZATIONS_QUOTAS, POLICIES_PER_TARGET
from .loading import load_json, shape_problems
from .policy.model import Policy, PolicyKind
from .policy.parsing import read_loaded_policy, read_policy
from .policy.quotas import loaded_json
from .problems import PathPart, Problem, ProblemCode, quoted
from .services import rules_for

if TYPE_CHECKING:
    from concurrent.futures import Executor

_FIELDS = frozenset(
    {
        "id",
        "principal",
        "action",
        "resource",
        "resource_account",
        "context",
        "identity_policies",
        "resource_policy",
        "permissions_boundary",
        "session_policy",
        "scps",
        "rcps",
    }
)


_CACHE_SIZE = 4096  # distinct policy documents (and policy fields) kept between lines


class LineError(Exception):
    """A batch line that cannot be evaluated, with every located problem."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class Read(NamedTuple):
    """A batch line decoded: its object, its id (as written back), the policy fields the line
    reader found by their raw text (field -> canonical JSON; their values in ``raw`` are None),
    where the fields read whole are collected for the line reader to learn (or None), and
    whether orjson decoded it (not the standard library, for numbers orjson cannot hold)."""

    raw: Any
    ident: Any
    known: Mapping[str, bytes] | None
    learn: dict[str, Any] | None
    loaded: bool = True  # ``raw`` is what orjson returned (plain JSON by construction)


class Simulator:
    """Decides batch lines; keeps caches of parsed policies and principals between lines."""

    def __init__(self) -> None:
        self._policies: dict[tuple[PolicyKind, bytes], Policy] = {}
        self._principals: dict[str, Principal | None] = {}
        self._bounded: dict[str, Principal] = {}  # the same principals, marked as having a boundary
        self._fields: dict[tuple[str, PolicyKind, bytes], tuple[Any, tuple[Problem, ...]]] = {}
        self.memo = Memo()  # what the engine remembers between lines, for the policies cached here
        self._raw = _RawFields()  # policy fields by their raw text: a repeated one is never decoded

    def run(self, lines: Iterable[bytes | str], source: str = "<stdin>") -> Iterator[dict[str, Any]]:
        """The result of every non-blank line of ``lines`` (JSON Lines, bytes or text), in order and
        one at a time; a bad line yields its located error and the batch goes on."""
        for number, line in enumerate(lines, 1):
            if isinstance(line, str):
                line = line.encode()
            if not line.strip():
                continue
            yield self.line(line, source, number)

    def line(self, line: bytes, source: str, number: int) -> dict[str, Any]:
        """The result of one batch line (``number`` of ``source``, for located errors). Its ``id``
        is the line's exactly: an integer of any size stays whole (one beyond the 4,300 digits
        Python converts is given as its JSON text, an ``orjson.Fragment``)."""
        read = self.read(line, source, number)
        if not isinstance(read, Read):  # a line that cannot be read: its error
            return read
        raw, ident, known, learnt, loaded = read
        result = self._decide(raw, ident, source, number, known, learnt, loaded)
        if learnt:
            self._raw.learn(line, learnt)
        return result

    def read(self, line: bytes, source: str, number: int) -> Read | dict[str, Any]:
        """The line decoded (see ``Read``), or the error result of a line that cannot be."""
        if len(line) > MAX_LINE_BYTES:
            return _too_long(source, number)
        reader = self._raw
        walking = reader.worth_walking()
        walked = reader.walk(line) if walking else None
        if walked is not None:  # the common case: every policy field already read, by its raw text
            reader.found()
            fields, known = walked
            ident = fields.get("id")
            if ident is None or type(ident) is str or (type(ident) is int and ident.bit_length() < 64):
                return Read(fields, ident, known, None)
        elif walking:
            reader.missed()
        # the policy fields read, for the line reader to learn (when it walked this line)
        learnt: dict[str, Any] | None = {} if walking else None
        loaded = True
        error: orjson.JSONDecodeError | None = None
        try:
            raw = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            error = exc
        # valid JSON with a number orjson cannot hold (beyond a double) or would silently read as
        # a float (an integer beyond 64 bits)? read it exactly
        if error is not None or _long_digits(line):
            exact = _exact(line) if error is None or "number" in str(error) else None
            if exact is None and error is not None:
                problem = Problem(
                    ProblemCode.INVALID_JSON, f"not a JSON object: {error}", (), source=f"{source}:{number}"
                )
                return {"id": None, "error": _error([problem])}
            if exact is not None:
                raw, learnt, loaded = exact, None, False  # not what the line reader reads
                # our own limit on integers holds everywhere but the id (given back exactly)
                _, found = load_json(line, f"{source}:{number}")
                big = [p for p in found if p.code is ProblemCode.NUMBER_TOO_LARGE and p.path[:1] != ("id",)]
                if big:
                    ident = raw.get("id") if type(raw) is dict else None
                    return {"id": ident if type(ident) in (int, str) else None, "error": _error(big)}
        ident = raw.get("id") if type(raw) is dict else None
        if type(ident) is float:  # orjson reads an integer beyond 64 bits as a float: read it exactly
            exact = _exact(line)
            ident = exact.get("id") if type(exact) is dict else ident
            learnt = None
        if type(ident) is _Digits:
            ident = orjson.Fragment(str.__str__(ident))
        elif type(ident) is float and not math.isfinite(ident):  # 1e400: JSON cannot carry it back
            problem = Problem(
                ProblemCode.INVALID_FIELD,
                "the id is a number beyond what JSON can write back; give it as a string",
                ("id",),
                source=f"{source}:{number}",
            )
            return {"id": None, "error": _error([problem])}
        duplicated = _duplicate_keys(line, raw, f"{source}:{number}")
        if duplicated:  # orjson keeps the last value silently; a policy checker would refuse it
            return {"id": ident, "error": _error(duplicated)}
        return Read(raw, ident, None, learnt, loaded)

    def _decide(
        self,
        raw: Any,
        ident: Any,
        source: str,
        number: int,
        known: Mapping[str, bytes] | None,
        learn: dict[str, Any] | None,
        loaded: bool,
    ) -> dict[str, Any]:
        try:
            evaluation = evaluate(self.request(raw, source, number, known, learn, loaded=loaded), self.memo)
        except LineError as exc:
            return {"id": ident, "error": _error(exc.problems)}
        return {"id": ident, "outcome": evaluation.outcome.value, "reason": evaluation.reason.value}

    def evaluate(self, raw: Any, source: str = "", number: int = 0) -> Evaluation:
        """The evaluation of one request line (a dict); raises ``LineError``."""
        return evaluate(self.request(raw, source, number), self.memo)

    def request(
        self,
        raw: Any,
        source: str = "",
        number: int = 0,
        known: Mapping[str, bytes] | None = None,
        learn: dict[str, Any] | None = None,
        *,
        loaded: bool = False,
    ) -> EvalRequest:
        """The engine's request for one line (a dict): its target read as every request is
        (``evaluation.target.read_target``), its policies parsed once per distinct document,
        its context built by the one context builder; raises ``LineError``. ``known`` maps a
        policy field the line reader found by its raw text to that field's canonical JSON (the
        field's value in ``raw`` is then None); ``learn`` collects the canonical JSON of the
        fields read here, for the line reader to remember; ``loaded``: ``raw`` is what
        ``orjson.loads`` returned, unchanged (its documents need no proof of plain JSON)."""
        where = f"{source}:{number}" if source else ""
        if not loaded and known is None:  # a value given to the API: held to its JSON first
            shape = shape_problems(raw, where or None)
            if shape:
                raise LineError(list(shape))
        reader = Fields(where or None)
        if not isinstance(raw, dict):
            raise LineError(
                [Problem(ProblemCode.INVALID_FIELD, "a request line is a JSON object", (), source=where)]
            )
        for key in raw:
            if key not in _FIELDS:
                reader.problem(
                    ProblemCode.UNKNOWN_FIELD, f"a request line has no field {quoted(key)}", (key,)
                )
        arn, action, resource, given = read_target(reader, raw)
        principal = self._principal(arn, reader) if arn is not None else None
        rules = rules_for(action, resource) if action else None
        kind = rules.resource_policy_kind if rules else PolicyKind.RESOURCE
        problems = reader.problems
        field = self._field
        identity = (
            field(raw, "identity_policies", PolicyKind.IDENTITY, problems, where, known, learn, loaded) or ()
        )
        boundary = field(
            raw, "permissions_boundary", PolicyKind.BOUNDARY, problems, where, known, learn, loaded
        )
        session = field(raw, "session_policy", PolicyKind.SESSION, problems, where, known, learn, loaded)
        resource_policy = field(raw, "resource_policy", kind, problems, where, known, learn, loaded)
        scps = field(raw, "scps", PolicyKind.SCP, problems, where, known, learn, loaded)
        rcps = field(raw, "rcps", PolicyKind.RCP, problems, where, known, learn, loaded)
        account = reader.account_id(raw.get("resource_account"), ("resource_account",), "resource_account")
        if problems or principal is None or action is None or rules is None:
            raise LineError(problems)
        if account is None:
            arn_of = Arn.parse(resource)
            account = arn_of.account if arn_of and arn_of.account else principal.account
        if boundary is not None:  # NotPrincipal never excludes a principal with a boundary (§4.7)
            principal = self._bounded.get(principal.arn) or self._bounded.setdefault(
                principal.arn, principal.with_(has_boundary=True)
            )
        # keys derivable from the principal's ARN are never taken from the line (§7): one rule for
        # both doors; tags and organization keys may be given, as a batch line has no world
        keys = (("kms:CallerAccount", (principal.account,)),) if action[:4].lower() == "kms:" else ()
        context, _ = request_context(principal, account=account, world=False, keys=keys, given=given)
        return EvalRequest(
            principal,
            action,
            resource,
            account,
            context,
            rules,
            identity,
            boundary,
            (session,) if session else (),
            resource_policy,
            scps,
            rcps,
        )

    def _field(
        self,
        raw: Mapping[str, Any],
        name: str,
        kind: PolicyKind,
        problems: list[Problem],
        where: str,
        known: Mapping[str, bytes] | None = None,
        learn: dict[str, Any] | None = None,
        loaded: bool = False,
    ) -> Any:
        """A policy field read once per distinct JSON value: batches repeat them."""
        canonical = known.get(name) if known else None
        key: tuple[str, PolicyKind, bytes] | None
        if canonical is not None:
            key = (name, kind, canonical)
            found = self._fields.get(key)
            value = orjson.loads(canonical) if found is None else None  # forgotten since: read again
            loaded = True
        else:
            value = raw.get(name)
            if value is None:
                return None
            text = _json_key(value, loaded)
            key = (name, kind, text) if text is not None else None
            found = self._fields.get(key) if key else None
            if learn is not None and key is not None and type(value) in (list, dict):
                learn[name] = key[2]
        if found is None:
            found_problems: list[Problem] = []
            if name in ("scps", "rcps"):
                result: Any = self._levels(value, kind, name, found_problems, loaded)
            elif name == "identity_policies":
                result = self._policy_list(value, kind, name, "identity policy", found_problems, loaded)
            else:
                result = self._one(value, kind, name, name.replace("_", " "), found_problems, loaded)
            found = (result, tuple(found_problems))
            if key is not None:
                if len(self._fields) >= _CACHE_SIZE:
                    self._fields.clear()
                self._fields[key] = found
        if found[1]:
            problems.extend(p.under(source=where or None) for p in found[1])
        return found[0]

    # -- pieces

    def _principal(self, value: str, reader: Fields) -> Principal | None:
        """The principal an ARN names (remembered: batches repeat their principals)."""
        if value not in self._principals:
            self._principals[value] = Principal.from_arn(value)
        found = self._principals[value]
        if found is None:
            reader.problem(
                ProblemCode.INVALID_FIELD,
                f"{quoted(value)} is not a root, user, role, assumed-role or federated-user ARN",
                ("principal",),
            )
        return found

    def _policy(
        self, doc: Any, kind: PolicyKind, path: tuple[PathPart, ...], problems: list[Problem], loaded: bool
    ) -> Policy | None:
        """The policy of ``doc``, read once per distinct document: keyed by its JSON as written
        (its keys in their order, as its problems are). ``loaded``: orjson decoded it, so its
        JSON is plain by construction and it is read without the proof (``read_loaded_policy``)."""
        written = loaded_json(doc) if loaded else None
        text = written[0] if written is not None else _json_key(doc, loaded=False)
        key = (kind, text) if text is not None else None
        policy = self._policies.get(key) if key else None
        if policy is None:
            policy = read_loaded_policy(doc, kind, written) if written is not None else read_policy(doc, kind)
            if key is not None:
                if len(self._policies) >= _CACHE_SIZE:  # a batch of ever-new policies: bound memory
                    self._policies.clear()
                    self.memo.clear()
                self._policies[key] = policy
        if not policy.valid:
            problems.extend(p.under(*path) for p in policy.errors)
            return None
        return policy

    def _one(
        self, doc: Any, kind: PolicyKind, field: str, label: str, problems: list[Problem], loaded: bool
    ) -> Attached | None:
        if doc is None:
            return None
        policy = self._policy(doc, kind, (field,), problems, loaded)
        return Attached(label, policy) if policy else None

    def _policy_list(
        self, docs: Any, kind: PolicyKind, field: str, label: str, problems: list[Problem], loaded: bool
    ) -> tuple[Attached, ...]:
        if docs is None:
            return ()
        if not isinstance(docs, list):
            problems.append(
                Problem(ProblemCode.INVALID_FIELD, f"{field} is a list of policy documents", (field,))
            )
            return ()
        out = []
        for i, doc in enumerate(docs):
            policy = self._policy(doc, kind, (field, i), problems, loaded)
            if policy is not None:
                out.append(Attached(f"{label} {i + 1}", policy))
        return tuple(out)

    def _levels(
        self, levels: Any, kind: PolicyKind, field: str, problems: list[Problem], loaded: bool
    ) -> tuple[Level, ...] | None:
        if levels is None:
            return None
        if not isinstance(levels, list) or not all(isinstance(level, list) for level in levels):
            problems.append(
                Problem(
                    ProblemCode.INVALID_FIELD,
                    f"{field} is a list of levels (root first), each a list of policy documents",
                    (field,),
                )
            )
            return None
        name = kind.value.upper()
        if len(levels) > ORG_LEVELS:
            problems.append(
                Problem(
                    ProblemCode.INVALID_FIELD,
                    f"{field} has {len(levels):,} levels; an organization has at most {ORG_LEVELS} above "
                    f"an account: the root, five nested OUs and the account ({ORGANIZATIONS_QUOTAS})",
                    (field,),
                )
            )
            return None
        out = []
        for i, level in enumerate(levels):
            if len(level) > POLICIES_PER_TARGET:
                problems.append(
                    Problem(
                        ProblemCode.INVALID_FIELD,
                        f"level {i + 1} has {len(level)} {name}s; at most {POLICIES_PER_TARGET} attach to "
                        f"one root, OU or account ({ORGANIZATIONS_QUOTAS})",
                        (field, i),
                    )
                )
                continue
            policies = []
            for j, doc in enumerate(level):
                policy = self._policy(doc, kind, (field, i, j), problems, loaded)
                if policy is not None:
                    policies.append(Attached(f"{name} {j + 1} at level {i + 1}", policy))
            out.append(Level(f"level {i + 1}", tuple(policies)))
        return tuple(out)


#: every digit as "0", every other byte as a space: a run of digits stays a run of zeros
_DIGITS = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
#: 19 digits in a row: an integer literal that may lie beyond [-2**63, 2**64), which orjson reads
#: as a float without a word (a string holding such a run is read exactly too: no harm done)
_LONG_RUN = b"0" * 19


def _long_digits(text: bytes) -> bool:
    """Whether ``text`` holds 19 digits in a row (two passes in C, no pattern matching)."""
    return _LONG_RUN in text.translate(_DIGITS)


def _json_key(value: Any, loaded: bool) -> bytes | None:
    """``value``'s JSON as a cache key, or None when it cannot be one: orjson writes NaN and the
    infinities as ``null`` and a tuple as a list, so a value the standard library read (not
    ``loaded`` by orjson) is a key only when its JSON reads back equal to it."""
    try:
        text = orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return None
    if loaded:
        return text
    try:
        return text if orjson.loads(text) == value else None
    except (orjson.JSONDecodeError, RecursionError):
        return None


def _exact(line: bytes) -> Any:
    """The line read by the standard library's parser, which keeps integers whole (orjson turns
    those beyond 64 bits into floats and refuses numbers beyond a double); None when it is not
    JSON either. Only called for the rare lines that need it."""
    try:
        return json.loads(line, parse_int=_integer, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return None


class _Digits(str):
    """An integer beyond the 4,300 digits Python converts from text, kept as its digits: as text
    is how a context value reads a number anyway (``evaluation.context.as_values``); an id of
    this kind is written back as the number it was (``orjson.Fragment``)."""

    __slots__ = ()


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not JSON")  # NaN and Infinity: Python's parser only


def _integer(text: str) -> Any:
    return int(text) if len(text) <= 4300 else _Digits(text)


def _id_json(ident: Any) -> Any:
    """``ident`` as orjson writes it: an integer beyond 64 bits as its digits (orjson refuses it)."""
    if type(ident) is int and not -(1 << 63) <= ident < (1 << 64):
        return orjson.Fragment(str(ident))
    return ident


def _unwritable(source: str, number: int) -> dict[str, Any]:
    """The result of a line whose own result cannot be written as JSON: its id is not valid JSON
    text (Python's parser reads what orjson refuses), so the line is an error without an id."""
    problem = Problem(
        ProblemCode.INVALID_FIELD,
        "the id cannot be written back as JSON (it holds a lone surrogate)",
        ("id",),
        source=f"{source}:{number}",
    )
    return {"id": None, "error": _error([problem])}


def _lines(stream: BinaryIO, block: int = 1 << 22, limit: int = MAX_LINE_BYTES) -> Iterator[bytes | None]:
    """The lines of a binary stream, read in large blocks (faster than line by line); None for a
    line longer than ``limit``, whose bytes are dropped as they are read (bounded memory)."""
    rest = b""
    skipping = False  # inside a line already too long: drop up to its end
    while chunk := stream.read(block):
        lines = chunk.split(b"\n")
        if skipping:
            if len(lines) == 1:
                continue
            lines, skipping = lines[1:], False  # the first piece ends the long line
            yield None
        elif rest:
            lines[0] = rest + lines[0]
        rest = lines.pop()
        yield from (line if len(line) <= limit else None for line in lines)
        if len(rest) > limit:
            rest, skipping = b"", True
    if skipping:
        yield None
    elif rest:
        yield rest


def _duplicate_keys(line: bytes, raw: Any, where: str) -> list[Problem]:
    """The keys ``line`` names twice in one object, located (orjson keeps the last silently).
    Exact and cheap (both counts run in C): without ``\\u`` escapes every colon of the text is
    either a key's (one per key written) or a character of a string, and orjson writes both back
    as they were, so writing ``raw`` again gives as many colons exactly when no key was dropped;
    only a line that differs (or holds escapes) is read again by the reader that locates them."""
    if b"\\u" not in line:
        try:
            if orjson.dumps(raw).count(b":") == line.count(b":"):
                return []
        except (TypeError, orjson.JSONEncodeError):  # an integer beyond 64 bits: read it again
            pass
    _, problems = load_json(line, where)
    return [p for p in problems if p.code is ProblemCode.DUPLICATE_KEY]


def _too_long(source: str, number: int) -> dict[str, Any]:
    problem = Problem(
        ProblemCode.LINE_TOO_LONG,
        f"the line is longer than {MAX_LINE_BYTES:,} bytes, the most secretslab reads; it was skipped",
        (),
        source=f"{source}:{number}",
    )
    return {"id": None, "error": _error([problem])}


def _error(problems: list[Problem]) -> dict[str, Any]:
    errors = [p for p in problems if p.is_error] or problems
    return {
        "message": f"{len(errors)} problem(s): "
        + "; ".join(f"{p.json_path}: {p.message}" for p in errors[:3]),
        "problems": [p.to_dict() for p in errors],
    }


def simulate(
    stream: BinaryIO,
    out: BinaryIO,
    source: str = "<stdin>",
    *,
    tune_gc: bool = True,
    executor: Executor | None = None,
) -> tuple[int, int]:
    """Decide every line of ``stream`` into ``out``; returns (lines decided, lines in error).
    With ``tune_gc`` the cyclic collector runs less often during the batch (restored after).

    ``executor``: any ``concurrent.futures.Executor`` (a process pool, a Dask
    ``Client.get_executor()`` or the ``Client`` itself) decides blocks of lines instead, each
    worker with a ``Simulator`` of its own (its caches kept between blocks); the output is the
    same, byte for byte, in the order of the input. Only a few blocks per worker are read ahead.
    A thread pool gives the same output but no speed-up (one interpreter lock)."""
    if executor is not None:
        return _simulate_sharded(stream, out, source, executor)
    simulator = Simulator()
    done = failed = 0
    write = out.write
    buffer: list[bytes] = []
    with fewer_collections() if tune_gc else nullcontext():
        for encoded, error in _encoded(simulator, enumerate(_lines(stream), 1), source):
            buffer.append(encoded)
            done += 1
            failed += error
            if len(buffer) >= 256:
                write(b"".join(buffer))
                buffer.clear()
        write(b"".join(buffer))
    return done, failed


def _encoded(
    simulator: Simulator, numbered: Iterable[tuple[int, bytes | None]], source: str
) -> Iterator[tuple[bytes, bool]]:
    """Each non-blank line's result as the JSON line ``simulate`` writes, and whether it is an
    error (None stands for a line over the length limit)."""
    decide = simulator.line
    dumps = orjson.dumps
    option = orjson.OPT_APPEND_NEWLINE
    for number, line in numbered:
        if line is None:
            result = _too_long(source, number)
        elif not line or line.isspace():
            continue
        else:
            result = decide(line, source, number)
            if type(result["id"]) is int:
                result["id"] = _id_json(result["id"])
        try:
            encoded = dumps(result, option=option)
        except (TypeError, orjson.JSONEncodeError):  # an id JSON cannot carry (a lone surrogate)
            result = _unwritable(source, number)
            encoded = dumps(result, option=option)
        yield encoded, "error" in result


# -- the line reader: policy fields found by their raw text

#: the fields whose values are policies: long, and repeated from line to line
_POLICY_FIELDS = frozenset(
    {"identity_policies", "resource_policy", "permissions_boundary", "session_policy", "scps", "rcps"}
)
_LEAF = 4  # texts a node of the tree holds before it splits them by their first differing byte
_RAW_SIZE = 2048  # raw texts kept in all: a batch of ever-new policies stays bounded
_PATIENCE = 16  # walks in a row that find nothing before the line reader walks fewer lines
_PATIENCE_TEXTS = 256  # the texts it knows before it counts them
_MOST_EVERY = 256  # at the least, one line in this many is walked
#: the standard library's C scanner, which tells where a value ends (typeshed omits the attribute)
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_OPENERS = frozenset(b"[{")
_SPACE = frozenset(b" \t\r\n")  # JSON's whitespace

#: how a known policy text is found: (field, line, start) -> (its length, canonical JSON)
Finder = Callable[[str, bytes, int], "tuple[int, bytes] | None"]


class _Unreadable(Exception):
    """The line reader cannot read this line itself: it is read whole."""


class _Node:
    """A node of the tree of known texts of one field: every text under it shares its first
    ``cut`` bytes; a leaf holds its ``texts`` ((raw, canonical) pairs), an inner node its
    ``children`` by the byte at ``cut`` (where they first differ)."""

    __slots__ = ("children", "cut", "texts")

    def __init__(self, texts: list[tuple[bytes, bytes]]) -> None:
        self.texts: list[tuple[bytes, bytes]] | None = texts
        self.children: dict[int, _Node] = {}
        self.cut = 0

    def any_text(self) -> bytes:
        node = self
        while node.texts is None:
            node = next(iter(node.children.values()))
        return node.texts[0][0]

    def find(self, line: bytes, start: int) -> tuple[int, bytes] | None:
        """(length, canonical) of the text at ``start`` of ``line``, when it is one of this node's."""
        node: _Node | None = self
        n = len(line)
        while node is not None and node.texts is None:
            at = start + node.cut
            node = node.children.get(line[at]) if at < n else None
        if node is None:
            return None
        for raw, canonical in node.texts or ():  # the proof: the line holds exactly this text here
            if line.startswith(raw, start):
                return len(raw), canonical
        return None

    def add(self, raw: bytes, canonical: bytes) -> _Node:
        """This node with ``(raw, canonical)`` added (a new node when it goes above this one)."""
        if self.texts is not None:
            if any(raw == known for known, _ in self.texts):
                return self
            self.texts.append((raw, canonical))
            if len(self.texts) > _LEAF:
                self._split()
            return self
        cut = _common(raw, self.any_text())
        if cut < self.cut:  # differs before this node's bytes: a new node above it
            if cut >= len(raw):  # a proper prefix of the texts here: not a complete JSON value
                return self
            above = _Node([])
            above.texts, above.cut = None, cut
            above.children = {self.any_text()[cut]: self, raw[cut]: _Node([(raw, canonical)])}
            return above
        if len(raw) <= self.cut:
            return self
        child = self.children.get(raw[self.cut])
        self.children[raw[self.cut]] = child.add(raw, canonical) if child else _Node([(raw, canonical)])
        return self

    def _split(self) -> None:
        texts = self.texts or []
        first = texts[0][0]
        cut = min(_common(first, raw) for raw, _ in texts[1:])
        if any(len(raw) <= cut for raw, _ in texts):
            del texts[0]  # a text that is a prefix of another: never both complete values; forget one
            return
        self.texts, self.cut = None, cut
        groups: dict[int, list[tuple[bytes, bytes]]] = {}
        for pair in texts:
            groups.setdefault(pair[0][cut], []).append(pair)
        for byte, group in groups.items():
            child = _Node(group[:1])
            for raw, canonical in group[1:]:
                child = child.add(raw, canonical)
            self.children[byte] = child


def _common(a: bytes, b: bytes) -> int:
    """The length of the longest common prefix of ``a`` and ``b`` (a binary search of C compares)."""
    lo, hi = 0, min(len(a), len(b))
    if a[:hi] == b[:hi]:
        return hi
    while lo + 1 < hi:  # a[:lo] == b[:lo] and a[:hi] != b[:hi]
        mid = (lo + hi) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid
    return lo


class _RawFields:
    """The policy fields of earlier lines by their raw text, so that a repeated field is found by
    comparing bytes instead of decoding it again (a line is mostly its policies).

    ``walk`` reads a line's top-level object itself: each key (without escapes), then its value;
    a policy field's value is looked up among the texts seen before (a tree that picks the
    candidates by the bytes where known texts differ): ``line.startswith(text, pos)`` proves the
    value at ``pos`` is exactly ``text``, as long as what follows it is a comma or the closing
    brace (a complete JSON array or object is never a proper prefix of another value; that
    check catches the rest). Every other value (id, target, context) is delimited by the
    standard library's scanner and decoded by orjson from a skeleton of the line — the line with
    each known policy field replaced by ``null`` — so orjson stays the reader of every value,
    and the skeleton's duplicate keys are checked as a whole line's are; a known policy text had
    its own checked when it was first read. Anything unusual (non-ASCII, escapes in a key, a
    repeated key, a policy text not seen yet) gives None, and the line is read whole as before;
    ``learn`` then remembers its policy fields for the next lines. Bounded: ``_RAW_SIZE`` texts,
    then it starts afresh."""

    __slots__ = ("_every", "_misses", "_roots", "_size", "_wait")

    def __init__(self) -> None:
        self._roots: dict[str, _Node] = {}  # field -> its known texts
        self._size = 0
        self._misses = 0  # walks in a row that found nothing
        self._every = 1  # one line in this many is walked
        self._wait = 0  # lines to go before the next walk

    def worth_walking(self) -> bool:
        """Whether to walk the next line (and learn from it when the walk fails). After
        ``_PATIENCE`` walks in a row that found nothing, only one line in ``every`` is walked,
        ``every`` doubling up to ``_MOST_EVERY``; a walk that finds its texts starts over. A batch
        of ever-new policies then pays for neither (together they cost more than decoding the
        line whole), and no result depends on it: a line not walked is decoded whole."""
        if self._wait:
            self._wait -= 1
            return False
        self._wait = self._every - 1
        return True

    def found(self) -> None:
        """The last walk found every policy field it looked for."""
        self._misses, self._every, self._wait = 0, 1, 0

    def missed(self) -> None:
        """The last walk found nothing: the line is decoded whole (and learnt). While the reader
        knows few texts, as at the start of any batch, it keeps learning every line."""
        if self._size < _PATIENCE_TEXTS:
            return
        self._misses += 1
        if self._misses >= _PATIENCE:
            self._misses = 0
            self._every = min(self._every * 2, _MOST_EVERY)

    def __len__(self) -> int:
        return self._size

    def walk(self, line: bytes) -> tuple[dict[str, Any], dict[str, bytes]] | None:
        """(the line's object with its known policy fields None, their canonical JSON by field),
        or None when the line must be read whole."""
        if not self._size or not line.isascii():
            return None
        known: dict[str, bytes] = {}
        pieces: list[bytes] = []
        try:
            for key, at, start, end in _top_level(line, self._find, known):
                pieces.append(line[at:start] + b"null" if key in known else line[at:end])
        except _Unreadable:
            return None
        if not known:  # nothing saved: the whole line is as cheap
            return None
        skeleton = b"{" + b",".join(pieces) + b"}"
        if _long_digits(skeleton):  # an integer orjson would read as a float: the whole line, exactly
            return None
        try:
            raw = orjson.loads(skeleton)
        except orjson.JSONDecodeError:
            return None
        if _duplicate_keys(skeleton, raw, ""):
            return None
        return raw, known

    def _find(self, key: str, line: bytes, start: int) -> tuple[int, bytes] | None:
        root = self._roots.get(key)
        return root.find(line, start) if root is not None else None

    def learn(self, line: bytes, fields: Mapping[str, bytes]) -> None:
        """Remember the policy fields of a line read whole (``fields``: their canonical JSON, of
        values checked for duplicate keys): by that text, and by the line's own text when it
        differs (spaces, escapes)."""
        for key, canonical in fields.items():
            self._add(key, canonical, canonical)
        if not line.isascii() or all(canonical in line for canonical in fields.values()):
            return
        try:
            for key, _, start, end in _top_level(line, None, {}):
                if key in fields:
                    self._add(key, line[start:end], fields[key])
        except _Unreadable:
            pass

    def _add(self, key: str, raw: bytes, canonical: bytes) -> None:
        if self._size >= _RAW_SIZE:
            self._roots.clear()
            self._size = 0
        root = self._roots.get(key)
        if root is None:
            self._roots[key] = _Node([(raw, canonical)])
        elif (found := root.find(raw, 0)) is None or found[0] != len(raw):  # not known yet
            self._roots[key] = root.add(raw, canonical)
        else:
            return
        self._size += 1


def _top_level(line: bytes, find: Finder | None, known: dict[str, bytes]) -> list[tuple[str, int, int, int]]:
    """(key, where the member starts, where its value starts, where it ends) for each member of
    the top-level object of ``line`` (ASCII); raises ``_Unreadable`` where the walk must give up.
    A policy field (an array or object) whose text ``find`` knows is recorded in ``known``
    (field -> canonical JSON); every other value is delimited: a string without escapes by its
    closing quote, anything else by the scanner. Written for the compact lines tools write
    (whitespace is skipped, only more slowly). A key given twice is left to the caller (the
    skeleton's check finds it)."""
    try:
        return _members(line, find, known, b"\\" in line)
    except IndexError as exc:  # the line ends inside the object
        raise _Unreadable from exc


def _members(
    line: bytes, find: Finder | None, known: dict[str, bytes], escapes: bool
) -> list[tuple[str, int, int, int]]:
    n = len(line)
    text: str | None = None
    members: list[tuple[str, int, int, int]] = []
    space, openers, fields, scan = _SPACE, _OPENERS, _POLICY_FIELDS, _SCAN
    pos = 0 if line[0] == 0x7B else _skip(line, 0)
    if line[pos] != 0x7B:  # {
        raise _Unreadable
    pos += 1
    while True:
        if line[pos] in space:
            pos = _skip(line, pos)
        if line[pos] != 0x22:  # the quote of a key
            raise _Unreadable
        close = line.find(b'"', pos + 1)
        key = line[pos + 1 : close].decode("ascii")
        start = close + 1
        if line[start] != 0x3A:  # :
            start = _skip(line, start)
            if line[start] != 0x3A:
                raise _Unreadable
        if close < 0 or (escapes and "\\" in key):
            raise _Unreadable
        start += 1
        if line[start] in space:
            start = _skip(line, start)
        first = line[start]
        if first == 0x22:  # a string: without escapes, it ends at the next quote
            end = line.find(b'"', start + 1) + 1
            if escapes and line.find(b"\\", start, end) >= 0:
                if text is None:
                    text = line.decode("ascii")
                try:
                    _, end = scan(text, start)
                except (StopIteration, ValueError, RecursionError) as exc:
                    raise _Unreadable from exc
            elif not end:
                raise _Unreadable
        elif find is not None and first in openers and key in fields:
            found = find(key, line, start)
            if found is None:
                raise _Unreadable
            end = start + found[0]
            known[key] = found[1]
        else:
            if text is None:
                text = line.decode("ascii")
            try:
                _, end = scan(text, start)
            except (StopIteration, ValueError, RecursionError) as exc:
                raise _Unreadable from exc
        members.append((key, pos, start, end))
        pos = end
        if pos < n and line[pos] in space:
            pos = _skip(line, pos)
        if line[pos] == 0x2C:  # ,
            pos += 1
            continue
        if line[pos] != 0x7D or (pos + 1 < n and _skip(line, pos + 1) != n):  # }, then the end
            raise _Unreadable
        return members


def _skip(line: bytes, pos: int) -> int:
    """The first position from ``pos`` that is not JSON whitespace."""
    n = len(line)
    while pos < n and line[pos] in _SPACE:
        pos += 1
    return pos


# -- any executor (secretslab.sharding): blocks of lines, each worker with its own Simulator

#: a block of lines sent to a worker ends at this many bytes or lines, whichever comes first
BLOCK_BYTES = 1 << 20
BLOCK_LINES = 2000

_local = threading.local()  # a Simulator per worker thread (its caches are not shared safely)


def _blocks(stream: BinaryIO) -> Iterator[tuple[int, list[bytes | None]]]:
    """The lines of ``stream`` in blocks, each with the number of its first line."""
    block: list[bytes | None] = []
    size, first = 0, 1
    for number, line in enumerate(_lines(stream), 1):
        block.append(line)
        size += len(line) if line is not None else 0
        if size >= BLOCK_BYTES or len(block) >= BLOCK_LINES:
            yield first, block
            block, size, first = [], 0, number + 1
    if block:
        yield first, block


def _decide_block(source: str, block: tuple[int, list[bytes | None]]) -> tuple[bytes, int, int]:
    """On a worker: the output of a block of lines, as ``simulate`` writes it, and its counts of
    lines decided and in error (the same per-line logic as ``simulate``'s loop)."""
    simulator = getattr(_local, "simulator", None)
    if simulator is None:
        simulator = _local.simulator = Simulator()
    first, lines = block
    done = failed = 0
    buffer: list[bytes] = []
    with fewer_collections():
        for encoded, error in _encoded(simulator, enumerate(lines, first), source):
            buffer.append(encoded)
            done += 1
            failed += error
    return b"".join(buffer), done, failed


def _simulate_sharded(stream: BinaryIO, out: BinaryIO, source: str, executor: Executor) -> tuple[int, int]:
    """``simulate`` on ``executor``: blocks of lines out, their output written back in order."""
    from functools import partial

    from .sharding import shard_map  # here: a batch without an executor never loads it

    done = failed = 0
    for data, block_done, block_failed in shard_map(
        executor, partial(_decide_block, source), (), _blocks(stream)
    ):
        out.write(data)
        done += block_done
        failed += block_failed
    return done, failed
