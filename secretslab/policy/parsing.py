"""JSON text or a dict → ``Policy``, collecting every problem before anything is raised.

Three doors, as in jsonschema: ``check_policy`` lists every problem (errors and warnings),
``parse_policy`` raises ``InvalidPolicyError`` (a ``ValueError``) when there is an error, and
``read_policy`` returns the policy with its problems attached, for worlds that must keep an
invalid policy to explain why it is ignored (semantics §3.4). No input makes any of them raise
anything else. This module reads the document (JSON text, Version, Id, the Statement list and each
statement's shape); ``elements`` reads a statement's Sid, Effect, Action, Resource and Principal,
and ``condition_reader`` its Condition.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html,
reference_policies_elements_*.html (semantics §3).
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import attrgetter
from typing import Any, Literal

from ..limits import MAX_DEPTH, POLICY_SIZE, SizeLimit
from ..loading import load_json, shape_problems, too_many_values, values_beyond
from ..pages import VERSION
from ..problems import InvalidPolicyError, Problem, ProblemCode, limit_problem, quoted
from .model import Policy, PolicyKind, Statement
from .public import public_problems
from .quotas import (
    character_problems,
    document_text,
    loaded_json,
    plain_json,
    plain_text,
    plainly_clean,
    size_problems,
)
from .reading import json_type
from .statements import STATEMENT_ELEMENTS, StatementReader

_TOP = ("Version", "Id", "Statement")
_TOP_KEYS = frozenset(_TOP)
_SID = attrgetter("sid")
_STATEMENT = STATEMENT_ELEMENTS  # a statement's elements (read here by the scenario schema's test)
_VERSIONS = ("2012-10-17", "2008-10-17")


def parse_policy(doc: Any, kind: PolicyKind | str = PolicyKind.IDENTITY) -> Policy:
    """The policy; raises ``InvalidPolicyError`` with every problem if AWS would reject it."""
    policy = read_policy(doc, kind)
    if not policy.valid:
        raise InvalidPolicyError(policy.problems, what=policy.kind.label)
    return policy


def check_policy(doc: Any, kind: PolicyKind | str = PolicyKind.IDENTITY) -> tuple[Problem, ...]:
    """Every problem (errors, then warnings, each in document order); never raises."""
    problems = read_policy(doc, kind).problems
    return tuple(sorted(problems, key=lambda p: not p.is_error))


def read_policy(
    doc: Any, kind: PolicyKind | str = PolicyKind.IDENTITY, *, size_limit: SizeLimit | None = None
) -> Policy:
    """The policy with its problems attached; never raises (invalid kinds included).

    Besides the language rules, the document's size is checked against its kind's quota
    (``limits.POLICY_SIZE``, or ``size_limit`` when the holder's quota differs, e.g. a raised
    trust-policy quota or a role's inline policy) and its characters against the policy character
    set (semantics §3.13). Text is measured as given; a parsed object by its compact serialisation
    (``quotas.document_text``)."""
    try:
        policy_kind = kind if type(kind) is PolicyKind else PolicyKind(kind)
    except ValueError:
        choices = ", ".join(k.value for k in PolicyKind)
        problem = Problem(
            ProblemCode.INVALID_FIELD, f"unknown policy kind {quoted(kind)}; expected one of {choices}"
        )
        return Policy(PolicyKind.IDENTITY, None, (), (problem,), doc)
    if not isinstance(doc, (str, bytes, bytearray)) and values_beyond(doc):  # before writing it
        return Policy(policy_kind, None, (), (too_many_values(),), doc)
    if type(doc) is dict:
        raw = plain_json(doc)
        if raw is not None:
            return _read_plain(doc, raw, policy_kind, size_limit, shallow=False)
    problems: list[Problem] = []
    if isinstance(doc, (str, bytes, bytearray)):
        text: str | None = _text(doc)
        doc, loaded = load_json(doc)
        problems.extend(loaded)
        if doc is None and problems:
            return Policy(policy_kind, None, (), tuple(problems), None)
        plain = plain_json(doc) is not None
        encoded = False  # the text as given: it may hold any character
    else:
        encoded = True
        plain = False  # not a plain JSON dict (read above)
        text = document_text(doc)  # None when too deep to serialise: the walk below says where
        problems.extend(shape_problems(doc, text=text))
        if problems:
            return Policy(policy_kind, None, (), tuple(problems), doc)
    if text is not None:
        problems.extend(size_problems(text, size_limit or POLICY_SIZE[policy_kind.value]))
    problems.extend(character_problems(doc, text, encoded=encoded))
    return _read(doc, policy_kind, plain, problems)


def read_loaded_policy(
    doc: Any, kind: PolicyKind, written: tuple[bytes, bool] | Literal[False] | None = False
) -> Policy:
    """``read_policy(doc, kind)`` of a document that ``orjson.loads`` returned and nothing has
    changed since (the batch reader's): the same policy, read without the proof that the document
    is plain JSON (``quotas.plain_json`` writes it, reads it back and compares), since what orjson
    reads is plain by construction: dicts with string keys, lists, strings, integers of 64 bits,
    finite floats (it refuses NaN and a number beyond a double), booleans and None. Anything else
    is read by ``read_policy``. ``written``: ``quotas.loaded_json(doc)`` when the caller has made
    it already (its bytes make a good cache key for the document), so that it is made once."""
    if type(doc) is dict:
        if written is False:
            written = loaded_json(doc)
        if written is not None:
            return _read_plain(doc, written[0], kind, None, shallow=written[1])
    return read_policy(doc, kind)


_SIZE = {kind: POLICY_SIZE[kind.value] for kind in PolicyKind}
# every byte but the two that open a list or an object: what ``_read_plain`` counts them with
_NOT_OPENING = bytes(b for b in range(256) if b not in b"[{")


def _read_plain(
    doc: dict[str, Any], raw: bytes, kind: PolicyKind, size_limit: SizeLimit | None, *, shallow: bool
) -> Policy:
    """``read_policy`` of a plain JSON dict whose compact JSON is ``raw``; ``shallow``: it is known
    to nest no deeper than ``MAX_DEPTH``."""
    # too few lists and objects open to nest too deep? (counted in C, strings included)
    if not shallow and len(raw.translate(None, _NOT_OPENING)) > MAX_DEPTH:
        too_deep = shape_problems(doc)
        if too_deep:
            return Policy(kind, None, (), too_deep, doc)
    limit = size_limit or _SIZE[kind]
    problems: list[Problem] = []
    if not plainly_clean(raw, limit):
        text = plain_text(doc, raw)
        if text is not None:
            problems.extend(size_problems(text, limit))
        problems.extend(character_problems(doc, text, encoded=True))
    return _read(doc, kind, True, problems)


def _read(doc: Any, kind: PolicyKind, plain: bool, problems: list[Problem]) -> Policy:
    """The policy of ``doc`` whose document-wide ``problems`` are found."""
    parser = _Parser(kind, plain)
    parser.problems.extend(problems)
    try:
        return parser.plain_policy(doc) if plain and type(doc) is dict else parser.policy(doc)
    except (RecursionError, ValueError) as exc:  # the backstop: "never raises" holds for any input
        too_big = limit_problem(exc)
        if too_big is None:
            raise
        return Policy(kind, None, (), (*problems, too_big), doc)


def _text(doc: str | bytes | bytearray) -> str | None:
    if isinstance(doc, str):
        return doc
    try:
        return bytes(doc).decode("utf-8")
    except UnicodeDecodeError:
        return None  # reported by the JSON reader


class _Parser(StatementReader):
    """Reads one document; its statements are read by the base class (``statements``)."""

    def __init__(self, kind: PolicyKind, plain: bool) -> None:
        super().__init__(kind)
        self.plain = plain  # plain JSON: statements may be read from the element caches

    def policy(self, doc: Any) -> Policy:
        if not isinstance(doc, Mapping):
            self.problems.append(
                Problem(ProblemCode.NOT_AN_OBJECT, f"a policy is a JSON object, found {json_type(doc)}")
            )
            return Policy(self.kind, None, (), tuple(self.problems), doc)
        self._unknown(doc, _TOP, ())
        version = self._version(doc)
        policy_id = doc.get("Id")
        if policy_id is not None and not isinstance(policy_id, str):
            self.problems.append(
                Problem(ProblemCode.INVALID_TYPE, f"Id is a string, found {json_type(policy_id)}", ("Id",))
            )
            policy_id = None
        statements = tuple(self._statements(doc))
        self._sids(statements)
        if self.kind in (PolicyKind.RESOURCE, PolicyKind.KEY):  # the kinds public_problems checks
            self.problems.extend(public_problems(Policy(self.kind, version, statements, (), doc, policy_id)))
        return Policy(self.kind, version, statements, tuple(self.problems), doc, policy_id)

    def plain_policy(self, doc: dict[str, Any]) -> Policy:
        """``policy`` of a plain JSON dict: the same reading, each statement that is a dict read
        from the element caches without a call between (a fresh policy is mostly statements)."""
        if not _TOP_KEYS.issuperset(doc):
            self._unknown(doc, _TOP, ())
        version = self._version(doc)
        policy_id = doc.get("Id")
        if policy_id is not None and type(policy_id) is not str:
            self.problems.append(
                Problem(ProblemCode.INVALID_TYPE, f"Id is a string, found {json_type(policy_id)}", ("Id",))
            )
            policy_id = None
        raw = doc.get("Statement")
        if type(raw) is list and raw:
            read = self._compiled_statement
            found = []
            for index, item in enumerate(raw):
                statement = (
                    read(index, item, ("Statement", index))
                    if type(item) is dict
                    else self._statement(index, item, ("Statement", index))
                )
                if statement is not None:
                    found.append(statement)
            statements = tuple(found)
        else:
            statements = tuple(self._statements(doc))
        kind = self.kind
        if kind is PolicyKind.RESOURCE or kind is PolicyKind.KEY:  # the kinds public_problems checks
            self.problems.extend(public_problems(Policy(kind, version, statements, (), doc, policy_id)))
        elif len(set(map(_SID, statements))) < len(statements):  # some Sid repeats
            self._sids(statements)
        return Policy.compiled(kind, version, statements, tuple(self.problems), doc, policy_id)

    def _version(self, doc: Mapping[str, Any]) -> str | None:
        version = doc.get("Version")
        if version is None and "Version" not in doc:
            self.problems.append(
                Problem(
                    ProblemCode.MISSING_VERSION,
                    "no Version: AWS reads the policy as 2008-10-17, where ${...} is literal text "
                    f"(see {VERSION})",
                    (),
                    hint='"Version": "2012-10-17"',
                )
            )
            return None
        if version not in _VERSIONS:
            self.problems.append(
                Problem(
                    ProblemCode.INVALID_VERSION,
                    f'Version is {quoted(version)}; expected "2012-10-17" (or the old "2008-10-17")',
                    ("Version",),
                )
            )
            return None
        self.variables = version == "2012-10-17"
        return str(version)

    def _statements(self, doc: Mapping[str, Any]) -> list[Statement]:
        raw = doc.get("Statement")
        if raw is None:
            self.problems.append(Problem(ProblemCode.MISSING_STATEMENT, "the policy has no Statement", ()))
            return []
        if isinstance(raw, Mapping):
            statement = self._statement(0, raw, ("Statement",))
            return [] if statement is None else [statement]
        if isinstance(raw, list):
            if not raw:
                self.problems.append(
                    Problem(ProblemCode.EMPTY_ELEMENT, "Statement is an empty list", ("Statement",))
                )
            out = []
            for index, item in enumerate(raw):
                statement = self._statement(index, item, ("Statement", index))
                if statement is not None:
                    out.append(statement)
            return out
        self.problems.append(
            Problem(
                ProblemCode.INVALID_TYPE,
                f"Statement is an object or a list of objects, found {json_type(raw)}",
                ("Statement",),
            )
        )
        return []

    def _sids(self, statements: tuple[Statement, ...]) -> None:
        seen: set[str] = set()
        if self.kind in (PolicyKind.KEY, PolicyKind.RESOURCE):
            return
        for s in statements:
            if s.sid is None:
                continue
            if s.sid in seen and s.sid:
                self.problems.append(
                    Problem(
                        ProblemCode.DUPLICATE_SID,
                        f"Sid {quoted(s.sid)} is used twice",
                        ("Statement", s.index, "Sid"),
                    )
                )
            seen.add(s.sid)


__all__ = ["check_policy", "parse_policy", "read_loaded_policy", "read_policy"]
