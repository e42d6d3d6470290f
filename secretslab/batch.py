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
from collections.abc import Iterable, Iterator, Mapping
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any, BinaryIO

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
from .loading import load_json
from .policy.model import Policy, PolicyKind
from .policy.parsing import read_policy
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


class Simulator:
    """Decides batch lines; keeps caches of parsed policies and principals between lines."""

    def __init__(self) -> None:
        self._policies: dict[tuple[PolicyKind, bytes], Policy] = {}
        self._principals: dict[str, Principal | None] = {}
        self._bounded: dict[str, Principal] = {}  # the same principals, marked as having a boundary
        self._fields: dict[tuple[str, PolicyKind, bytes], tuple[Any, tuple[Problem, ...]]] = {}
        self.memo = Memo()  # what the engine remembers between lines, for the policies cached here

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
        if len(line) > MAX_LINE_BYTES:
            return _too_long(source, number)
        try:
            raw = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            # valid JSON whose number orjson cannot hold (beyond a double)? read it exactly
            raw = _exact(line) if "number" in str(exc) else None
            if raw is None:
                problem = Problem(
                    ProblemCode.INVALID_JSON, f"not a JSON object: {exc}", (), source=f"{source}:{number}"
                )
                return {"id": None, "error": _error([problem])}
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
        try:
            evaluation = evaluate(self.request(raw, source, number), self.memo)
        except LineError as exc:
            return {"id": ident, "error": _error(exc.problems)}
        return {"id": ident, "outcome": evaluation.outcome.value, "reason": evaluation.reason.value}

    def evaluate(self, raw: Any, source: str = "", number: int = 0) -> Evaluation:
        """The evaluation of one request line (a dict); raises ``LineError``."""
        return evaluate(self.request(raw, source, number), self.memo)

    def request(self, raw: Any, source: str = "", number: int = 0) -> EvalRequest:
        """The engine's request for one line (a dict): its target read as every request is
        (``evaluation.target.read_target``), its policies parsed once per distinct document,
        its context built by the one context builder; raises ``LineError``."""
        where = f"{source}:{number}" if source else ""
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
        identity = self._field(raw, "identity_policies", PolicyKind.IDENTITY, problems, where) or ()
        boundary = self._field(raw, "permissions_boundary", PolicyKind.BOUNDARY, problems, where)
        session = self._field(raw, "session_policy", PolicyKind.SESSION, problems, where)
        resource_policy = self._field(raw, "resource_policy", kind, problems, where)
        scps = self._field(raw, "scps", PolicyKind.SCP, problems, where)
        rcps = self._field(raw, "rcps", PolicyKind.RCP, problems, where)
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
    ) -> Any:
        """A policy field read once per distinct JSON value: batches repeat them."""
        value = raw.get(name)
        if value is None:
            return None
        try:
            key = (name, kind, orjson.dumps(value))
        except (TypeError, orjson.JSONEncodeError):
            key = None
        found = self._fields.get(key) if key else None
        if found is None:
            found_problems: list[Problem] = []
            if name in ("scps", "rcps"):
                result: Any = self._levels(value, kind, name, found_problems)
            elif name == "identity_policies":
                result = self._policy_list(value, kind, name, "identity policy", found_problems)
            else:
                result = self._one(value, kind, name, name.replace("_", " "), found_problems)
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
        self, doc: Any, kind: PolicyKind, path: tuple[PathPart, ...], problems: list[Problem]
    ) -> Policy | None:
        try:
            key = (kind, orjson.dumps(doc, option=orjson.OPT_SORT_KEYS))
        except (TypeError, orjson.JSONEncodeError):
            key = None
        policy = self._policies.get(key) if key else None
        if policy is None:
            policy = read_policy(doc, kind)
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
        self, doc: Any, kind: PolicyKind, field: str, label: str, problems: list[Problem]
    ) -> Attached | None:
        if doc is None:
            return None
        policy = self._policy(doc, kind, (field,), problems)
        return Attached(label, policy) if policy else None

    def _policy_list(
        self, docs: Any, kind: PolicyKind, field: str, label: str, problems: list[Problem]
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
            policy = self._policy(doc, kind, (field, i), problems)
            if policy is not None:
                out.append(Attached(f"{label} {i + 1}", policy))
        return tuple(out)

    def _levels(
        self, levels: Any, kind: PolicyKind, field: str, problems: list[Problem]
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
                policy = self._policy(doc, kind, (field, i, j), problems)
                if policy is not None:
                    policies.append(Attached(f"{name} {j + 1} at level {i + 1}", policy))
            out.append(Level(f"level {i + 1}", tuple(policies)))
        return tuple(out)


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
    decide = simulator.line
    dumps = orjson.dumps
    option = orjson.OPT_APPEND_NEWLINE
    buffer: list[bytes] = []
    with fewer_collections() if tune_gc else nullcontext():
        for number, line in enumerate(_lines(stream), 1):
            if line is None:
                result = _too_long(source, number)
            elif not line or line.isspace():
                continue
            else:
                result = decide(line, source, number)
                if type(result["id"]) is int:
                    result["id"] = _id_json(result["id"])
            try:
                buffer.append(dumps(result, option=option))
            except (TypeError, orjson.JSONEncodeError):  # an id JSON cannot carry (a lone surrogate)
                result = _unwritable(source, number)
                buffer.append(dumps(result, option=option))
            done += 1
            if "error" in result:
                failed += 1
            if len(buffer) >= 256:
                write(b"".join(buffer))
                buffer.clear()
        write(b"".join(buffer))
    return done, failed


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
    option = orjson.OPT_APPEND_NEWLINE
    with fewer_collections():
        for number, line in enumerate(lines, first):
            if line is None:
                result = _too_long(source, number)
            elif not line or line.isspace():
                continue
            else:
                result = simulator.line(line, source, number)
                if type(result["id"]) is int:
                    result["id"] = _id_json(result["id"])
            try:
                buffer.append(orjson.dumps(result, option=option))
            except (TypeError, orjson.JSONEncodeError):  # an id JSON cannot carry (a lone surrogate)
                result = _unwritable(source, number)
                buffer.append(orjson.dumps(result, option=option))
            done += 1
            if "error" in result:
                failed += 1
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
