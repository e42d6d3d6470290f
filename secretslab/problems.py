"""Problems found in user input: a stable code, a severity, a JSON path to the element, a message
saying what was found and what was expected, and an optional "did you mean" hint.

Every code lives in the ``CODES`` catalogue below, so tests assert codes rather than wording.
``InvalidPolicyError`` and ``ScenarioError`` carry every problem at once (collect, then raise).
AWS's grammar for what is rejected: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
and the checks of https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from .pages import (
    CONDITION_OPERATORS,
    GRAMMAR,
    IAM_QUOTAS,
    KEY_POLICIES,
    MULTIVALUED_KEYS,
    NOT_ACTION,
    NOT_PRINCIPAL,
    POLICY_CHECKS,
    POLICY_VARIABLES,
    PRINCIPAL,
    RCP_SYNTAX,
    RESOURCE,
    ROLE_TRUST_POLICY,
    VERSION,
)

PathPart = str | int


class Severity(StrEnum):
    """How much a problem or a finding matters: one scale for both. Problems in input are errors
    (AWS rejects the document) or warnings (lint); analyzer findings about a world are high,
    medium or low."""

    ERROR = "error"
    WARNING = "warning"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """0 for the most serious: errors and high findings first."""
        return _RANK[self]


_RANK = {Severity.ERROR: 0, Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.WARNING: 2, Severity.LOW: 2}


class ProblemCode(StrEnum):
    """The stable code of every problem (``CODES`` gives its severity and meaning, ``page`` the AWS
    page that states its rule): tests and users match on codes, never on wording."""

    @property
    def page(self) -> str | None:
        """The AWS documentation page that states this rule; None for our own limits and files."""
        return PROBLEM_PAGE.get(self)

    INVALID_JSON = "INVALID_JSON"
    DUPLICATE_KEY = "DUPLICATE_KEY"
    NOT_AN_OBJECT = "NOT_AN_OBJECT"
    INVALID_TYPE = "INVALID_TYPE"
    EMPTY_ELEMENT = "EMPTY_ELEMENT"
    UNKNOWN_ELEMENT = "UNKNOWN_ELEMENT"
    INVALID_VERSION = "INVALID_VERSION"
    MISSING_STATEMENT = "MISSING_STATEMENT"
    MISSING_EFFECT = "MISSING_EFFECT"
    INVALID_EFFECT = "INVALID_EFFECT"
    MISSING_ACTION = "MISSING_ACTION"
    ACTION_AND_NOT_ACTION = "ACTION_AND_NOT_ACTION"
    INVALID_ACTION = "INVALID_ACTION"
    MISSING_RESOURCE = "MISSING_RESOURCE"
    RESOURCE_AND_NOT_RESOURCE = "RESOURCE_AND_NOT_RESOURCE"
    INVALID_RESOURCE = "INVALID_RESOURCE"
    RESOURCE_NOT_ALLOWED = "RESOURCE_NOT_ALLOWED"
    ELEMENT_NOT_SUPPORTED = "ELEMENT_NOT_SUPPORTED"
    INVALID_SID = "INVALID_SID"
    DUPLICATE_SID = "DUPLICATE_SID"
    PRINCIPAL_NOT_ALLOWED = "PRINCIPAL_NOT_ALLOWED"
    MISSING_PRINCIPAL = "MISSING_PRINCIPAL"
    PRINCIPAL_AND_NOT_PRINCIPAL = "PRINCIPAL_AND_NOT_PRINCIPAL"
    NOT_PRINCIPAL_NOT_ALLOWED = "NOT_PRINCIPAL_NOT_ALLOWED"
    NOT_PRINCIPAL_WITH_ALLOW = "NOT_PRINCIPAL_WITH_ALLOW"
    GROUP_PRINCIPAL = "GROUP_PRINCIPAL"
    PARTIAL_WILDCARD_PRINCIPAL = "PARTIAL_WILDCARD_PRINCIPAL"
    INVALID_PRINCIPAL = "INVALID_PRINCIPAL"
    RCP_PRINCIPAL = "RCP_PRINCIPAL"
    RCP_ALLOW = "RCP_ALLOW"
    UNKNOWN_OPERATOR = "UNKNOWN_OPERATOR"
    INVALID_CONDITION = "INVALID_CONDITION"
    INVALID_CONDITION_VALUE = "INVALID_CONDITION_VALUE"
    MISSING_VERSION = "MISSING_VERSION"
    VARIABLES_NEED_2012 = "VARIABLES_NEED_2012"
    INVALID_VARIABLE = "INVALID_VARIABLE"
    SPACE_IN_VARIABLE = "SPACE_IN_VARIABLE"
    VARIABLE_NOT_SUBSTITUTED = "VARIABLE_NOT_SUBSTITUTED"
    UNKNOWN_ACTION = "UNKNOWN_ACTION"
    UNKNOWN_CONDITION_KEY = "UNKNOWN_CONDITION_KEY"
    SET_OPERATOR_ON_SINGLE_VALUED_KEY = "SET_OPERATOR_ON_SINGLE_VALUED_KEY"
    MULTIVALUED_KEY_WITHOUT_SET_OPERATOR = "MULTIVALUED_KEY_WITHOUT_SET_OPERATOR"
    FOR_ALL_VALUES_WITH_ALLOW = "FOR_ALL_VALUES_WITH_ALLOW"
    WILDCARD_PRINCIPAL_IN_TRUST = "WILDCARD_PRINCIPAL_IN_TRUST"
    STALE_PRINCIPAL_ID = "STALE_PRINCIPAL_ID"
    KEY_STATEMENT_WITHOUT_RESOURCE = "KEY_STATEMENT_WITHOUT_RESOURCE"
    SERVICE_WILDCARD_IN_RESOURCE = "SERVICE_WILDCARD_IN_RESOURCE"
    PUBLIC_POLICY = "PUBLIC_POLICY"
    NOT_ACTION_WITH_ALLOW = "NOT_ACTION_WITH_ALLOW"
    UNREADABLE_FILE = "UNREADABLE_FILE"
    UNKNOWN_FIELD = "UNKNOWN_FIELD"
    MISSING_FIELD = "MISSING_FIELD"
    INVALID_FIELD = "INVALID_FIELD"
    UNKNOWN_REFERENCE = "UNKNOWN_REFERENCE"
    DUPLICATE_ENTITY = "DUPLICATE_ENTITY"
    # -- names a request or a scenario gives that AWS would not know (issue #9)
    UNKNOWN_REQUEST_ACTION = "UNKNOWN_REQUEST_ACTION"
    WILDCARD_IN_REQUEST = "WILDCARD_IN_REQUEST"
    DUPLICATE_NAME = "DUPLICATE_NAME"
    DUPLICATE_ID = "DUPLICATE_ID"
    DUPLICATE_ALIAS = "DUPLICATE_ALIAS"
    EMPTY_NAME = "EMPTY_NAME"
    UNKNOWN_PARTITION = "UNKNOWN_PARTITION"
    POLICY_TOO_LARGE = "POLICY_TOO_LARGE"
    """A policy document over its kind's size quota (semantics §3.13)."""
    INLINE_POLICIES_TOO_LARGE = "INLINE_POLICIES_TOO_LARGE"
    """A user's, group's or role's inline policies together over the holder's quota (§3.13)."""
    INVALID_CHARACTER = "INVALID_CHARACTER"
    """A character a policy document may not hold: only tab, LF, CR and U+0020-U+00FF (§3.13)."""
    INVALID_NAME = "INVALID_NAME"
    """An IAM name, path or role session name that breaks AWS's naming rules (§3.13)."""
    TOO_DEEP = "TOO_DEEP"
    """Lists and objects nested deeper than secretslab reads (our own limit)."""
    NUMBER_TOO_LARGE = "NUMBER_TOO_LARGE"
    """An integer with more digits than secretslab reads (our own limit)."""
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    """A file larger than secretslab reads (our own limit)."""
    LINE_TOO_LONG = "LINE_TOO_LONG"
    """A batch line longer than secretslab reads (our own limit)."""
    ALIAS_EXPANSION = "ALIAS_EXPANSION"
    """YAML aliases that expand past our limit, or refer to a node that contains them."""
    TOO_MANY_VALUES = "TOO_MANY_VALUES"
    """A Python value holding more values than secretslab reads (``limits.MAX_VALUES``) once a list
    or dict held in several places, or inside itself, is counted each time (our own limit)."""
    UNQUOTED_DATE = "UNQUOTED_DATE"
    """An unquoted YAML date (``Version: 2012-10-17``), which YAML reads as a date, not text."""


E, W = Severity.ERROR, Severity.WARNING

#: code -> (severity, what it means). Errors make AWS reject the document; warnings are lint.
CODES: dict[ProblemCode, tuple[Severity, str]] = {
    # -- documents and structure
    ProblemCode.INVALID_JSON: (E, "the text is not valid JSON"),
    ProblemCode.DUPLICATE_KEY: (E, "a JSON object names the same key twice"),
    ProblemCode.NOT_AN_OBJECT: (E, "a JSON object was expected"),
    ProblemCode.INVALID_TYPE: (E, "the element has the wrong JSON type"),
    ProblemCode.EMPTY_ELEMENT: (E, "the element is empty"),
    ProblemCode.UNKNOWN_ELEMENT: (E, "the policy language has no element of this name"),
    ProblemCode.INVALID_VERSION: (E, "Version must be 2012-10-17 or 2008-10-17"),
    ProblemCode.MISSING_STATEMENT: (E, "a policy needs a Statement"),
    ProblemCode.MISSING_EFFECT: (E, "a statement needs an Effect"),
    ProblemCode.INVALID_EFFECT: (E, "Effect must be exactly Allow or Deny"),
    ProblemCode.MISSING_ACTION: (E, "a statement needs Action or NotAction"),
    ProblemCode.ACTION_AND_NOT_ACTION: (E, "a statement may have Action or NotAction, not both"),
    ProblemCode.INVALID_ACTION: (E, "an action is written service:ActionName"),
    ProblemCode.MISSING_RESOURCE: (E, "a statement needs Resource or NotResource"),
    ProblemCode.RESOURCE_AND_NOT_RESOURCE: (E, "a statement may have Resource or NotResource, not both"),
    ProblemCode.INVALID_RESOURCE: (E, "a resource is an ARN or *"),
    ProblemCode.RESOURCE_NOT_ALLOWED: (E, "this kind of policy takes no Resource/NotResource"),
    ProblemCode.ELEMENT_NOT_SUPPORTED: (E, "this kind of policy does not support the element"),
    ProblemCode.INVALID_SID: (E, "this kind of policy allows only letters and digits in Sid"),
    ProblemCode.DUPLICATE_SID: (E, "Sid values must be unique within a policy"),
    # -- principals
    ProblemCode.PRINCIPAL_NOT_ALLOWED: (E, "this kind of policy takes no Principal/NotPrincipal"),
    ProblemCode.MISSING_PRINCIPAL: (E, "a resource-based policy needs Principal or NotPrincipal"),
    ProblemCode.PRINCIPAL_AND_NOT_PRINCIPAL: (E, "a statement may have Principal or NotPrincipal, not both"),
    ProblemCode.NOT_PRINCIPAL_NOT_ALLOWED: (E, "this kind of policy takes no NotPrincipal"),
    ProblemCode.NOT_PRINCIPAL_WITH_ALLOW: (E, "NotPrincipal is only supported with Deny"),
    ProblemCode.GROUP_PRINCIPAL: (E, "an IAM group is not a principal"),
    ProblemCode.PARTIAL_WILDCARD_PRINCIPAL: (E, "a wildcard in a principal must be the whole value *"),
    ProblemCode.INVALID_PRINCIPAL: (E, "not a principal AWS accepts"),
    ProblemCode.RCP_PRINCIPAL: (E, 'a resource control policy names Principal "*"'),
    ProblemCode.RCP_ALLOW: (E, "custom resource control policies can only Deny"),
    # -- conditions
    ProblemCode.UNKNOWN_OPERATOR: (E, "AWS has no condition operator of this name"),
    ProblemCode.INVALID_CONDITION: (E, "a Condition maps operators to {key: value or [values]}"),
    ProblemCode.INVALID_CONDITION_VALUE: (E, "the value does not suit the operator"),
    # -- warnings (AWS accepts the document, but it probably does not do what was meant)
    ProblemCode.MISSING_VERSION: (W, "without Version the policy is 2008-10-17: no policy variables"),
    ProblemCode.VARIABLES_NEED_2012: (W, "policy variables work only with Version 2012-10-17"),
    ProblemCode.INVALID_VARIABLE: (W, "a ${...} policy variable is malformed and is read literally"),
    ProblemCode.SPACE_IN_VARIABLE: (W, "a space inside ${ } (trimmed; Access Analyzer reports it)"),
    ProblemCode.VARIABLE_NOT_SUBSTITUTED: (W, "this operator takes no policy variables"),
    ProblemCode.UNKNOWN_ACTION: (W, "the service has no action of this name"),
    ProblemCode.UNKNOWN_CONDITION_KEY: (W, "no such condition key is known for this service"),
    ProblemCode.SET_OPERATOR_ON_SINGLE_VALUED_KEY: (W, "ForAnyValue/ForAllValues on a single-valued key"),
    ProblemCode.MULTIVALUED_KEY_WITHOUT_SET_OPERATOR: (W, "a multivalued key needs ForAnyValue/ForAllValues"),
    ProblemCode.FOR_ALL_VALUES_WITH_ALLOW: (W, "ForAllValues in an Allow is true when the key is absent"),
    ProblemCode.WILDCARD_PRINCIPAL_IN_TRUST: (W, "Principal * in a trust policy lets anyone assume the role"),
    ProblemCode.STALE_PRINCIPAL_ID: (W, "stale principal id: the entity was deleted, so it matches no one"),
    ProblemCode.KEY_STATEMENT_WITHOUT_RESOURCE: (
        W,
        "a key-policy statement without Resource applies to nothing",
    ),
    ProblemCode.SERVICE_WILDCARD_IN_RESOURCE: (W, "the service part of a resource ARN cannot be wildcarded"),
    ProblemCode.PUBLIC_POLICY: (
        W,
        "the secret policy allows broad access (Principal * without a pinning condition)",
    ),
    ProblemCode.NOT_ACTION_WITH_ALLOW: (
        W,
        "Allow with NotAction grants every other action, of every service",
    ),
    # -- scenarios, requests and batch lines (semantics §1)
    ProblemCode.UNREADABLE_FILE: (E, "the file cannot be read or parsed"),
    ProblemCode.UNKNOWN_FIELD: (E, "the scenario format has no field of this name"),
    ProblemCode.MISSING_FIELD: (E, "a required field is missing"),
    ProblemCode.INVALID_FIELD: (E, "the field's value does not have the expected form"),
    ProblemCode.UNKNOWN_REFERENCE: (E, "the value names an entity that the world does not hold"),
    ProblemCode.DUPLICATE_ENTITY: (E, "two entities share one ARN"),
    # -- names AWS would not know or would refuse (issue #9)
    ProblemCode.UNKNOWN_REQUEST_ACTION: (E, "the request names an action the service does not have"),
    ProblemCode.WILDCARD_IN_REQUEST: (E, "a request names one action, principal and resource: no wildcards"),
    ProblemCode.DUPLICATE_NAME: (E, "two entities of one kind share a name in one account"),
    ProblemCode.DUPLICATE_ID: (E, "two entities share one unique id, or one account is listed twice"),
    ProblemCode.DUPLICATE_ALIAS: (E, "one alias names two keys in one account and Region"),
    ProblemCode.EMPTY_NAME: (E, "a name is empty"),
    ProblemCode.UNKNOWN_PARTITION: (E, "the ARN names a partition AWS does not have"),
    # -- limits AWS enforces (semantics §3.13) and input limits of our own (secretslab.limits)
    ProblemCode.POLICY_TOO_LARGE: (E, "the document is larger than its kind's quota"),
    ProblemCode.INLINE_POLICIES_TOO_LARGE: (E, "the holder's inline policies together exceed its quota"),
    ProblemCode.INVALID_CHARACTER: (E, "policy documents hold only tab, LF, CR and U+0020 to U+00FF"),
    ProblemCode.INVALID_NAME: (E, "the name breaks AWS's naming rules"),
    ProblemCode.TOO_DEEP: (E, "lists and objects nest deeper than secretslab reads"),
    ProblemCode.NUMBER_TOO_LARGE: (E, "an integer longer than secretslab reads"),
    ProblemCode.FILE_TOO_LARGE: (E, "the file is larger than secretslab reads"),
    ProblemCode.LINE_TOO_LONG: (E, "the batch line is longer than secretslab reads"),
    ProblemCode.ALIAS_EXPANSION: (E, "YAML aliases expand too far or refer to themselves"),
    ProblemCode.TOO_MANY_VALUES: (
        E,
        "a value holds more values than secretslab reads, shared ones counted each time",
    ),
    ProblemCode.UNQUOTED_DATE: (E, "an unquoted YAML date is a date, not the text AWS expects"),
}

#: problem code -> the AWS page that states its rule (codes without one are ours: limits, files)
PROBLEM_PAGE: dict[ProblemCode, str] = {
    **{
        c: GRAMMAR
        for c in (
            ProblemCode.INVALID_JSON,
            ProblemCode.DUPLICATE_KEY,
            ProblemCode.NOT_AN_OBJECT,
            ProblemCode.INVALID_TYPE,
            ProblemCode.EMPTY_ELEMENT,
            ProblemCode.UNKNOWN_ELEMENT,
            ProblemCode.MISSING_STATEMENT,
            ProblemCode.MISSING_EFFECT,
            ProblemCode.INVALID_EFFECT,
            ProblemCode.MISSING_ACTION,
            ProblemCode.ACTION_AND_NOT_ACTION,
            ProblemCode.INVALID_ACTION,
            ProblemCode.MISSING_RESOURCE,
            ProblemCode.RESOURCE_AND_NOT_RESOURCE,
            ProblemCode.ELEMENT_NOT_SUPPORTED,
            ProblemCode.INVALID_SID,
            ProblemCode.DUPLICATE_SID,
        )
    },
    **{
        c: PRINCIPAL
        for c in (
            ProblemCode.PRINCIPAL_NOT_ALLOWED,
            ProblemCode.MISSING_PRINCIPAL,
            ProblemCode.PRINCIPAL_AND_NOT_PRINCIPAL,
            ProblemCode.GROUP_PRINCIPAL,
            ProblemCode.PARTIAL_WILDCARD_PRINCIPAL,
            ProblemCode.INVALID_PRINCIPAL,
        )
    },
    ProblemCode.NOT_PRINCIPAL_NOT_ALLOWED: NOT_PRINCIPAL,
    ProblemCode.NOT_PRINCIPAL_WITH_ALLOW: NOT_PRINCIPAL,
    ProblemCode.RCP_PRINCIPAL: RCP_SYNTAX,
    ProblemCode.RCP_ALLOW: RCP_SYNTAX,
    ProblemCode.UNKNOWN_OPERATOR: CONDITION_OPERATORS,
    ProblemCode.INVALID_CONDITION: CONDITION_OPERATORS,
    ProblemCode.INVALID_CONDITION_VALUE: CONDITION_OPERATORS,
    ProblemCode.INVALID_VERSION: VERSION,
    ProblemCode.MISSING_VERSION: VERSION,
    ProblemCode.VARIABLES_NEED_2012: POLICY_VARIABLES,
    ProblemCode.INVALID_VARIABLE: POLICY_VARIABLES,
    ProblemCode.SPACE_IN_VARIABLE: POLICY_VARIABLES,
    ProblemCode.VARIABLE_NOT_SUBSTITUTED: POLICY_VARIABLES,
    ProblemCode.SET_OPERATOR_ON_SINGLE_VALUED_KEY: MULTIVALUED_KEYS,
    ProblemCode.MULTIVALUED_KEY_WITHOUT_SET_OPERATOR: MULTIVALUED_KEYS,
    ProblemCode.FOR_ALL_VALUES_WITH_ALLOW: MULTIVALUED_KEYS,
    ProblemCode.UNKNOWN_ACTION: POLICY_CHECKS,
    ProblemCode.UNKNOWN_CONDITION_KEY: POLICY_CHECKS,
    ProblemCode.WILDCARD_PRINCIPAL_IN_TRUST: ROLE_TRUST_POLICY,
    ProblemCode.STALE_PRINCIPAL_ID: PRINCIPAL,
    ProblemCode.KEY_STATEMENT_WITHOUT_RESOURCE: KEY_POLICIES,
    ProblemCode.INVALID_RESOURCE: RESOURCE,
    ProblemCode.RESOURCE_NOT_ALLOWED: RESOURCE,
    ProblemCode.SERVICE_WILDCARD_IN_RESOURCE: RESOURCE,
    ProblemCode.PUBLIC_POLICY: POLICY_CHECKS,
    ProblemCode.NOT_ACTION_WITH_ALLOW: NOT_ACTION,
    ProblemCode.POLICY_TOO_LARGE: IAM_QUOTAS,
    ProblemCode.INLINE_POLICIES_TOO_LARGE: IAM_QUOTAS,
    ProblemCode.INVALID_NAME: IAM_QUOTAS,
}


#: the codes of a name the request gives that the world or the catalogue does not know
UNKNOWN_NAME_CODES = frozenset(
    {ProblemCode.UNKNOWN_REQUEST_ACTION, ProblemCode.WILDCARD_IN_REQUEST, ProblemCode.UNKNOWN_REFERENCE}
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in user input: its code, where it is (a JSON path, and the file or batch line),
    what was found and what was expected, and a "did you mean" hint when one is close."""

    code: ProblemCode
    message: str
    path: tuple[PathPart, ...] = ()
    hint: str | None = None
    source: str | None = None  # the file or batch line the problem was found in
    suggestions: tuple[str, ...] = ()  # the closest names that exist ("did you mean"), best first

    def __post_init__(self) -> None:
        # a code outside the catalogue is our bug: caught where the problem is made
        object.__setattr__(self, "code", ProblemCode(self.code))
        # values are quoted with ``quoted``; this bounds a message that embeds one unquoted
        if len(self.message) > MESSAGE_LIMIT:
            object.__setattr__(self, "message", _shorten(self.message, MESSAGE_LIMIT))
        if self.hint is not None and len(self.hint) > MESSAGE_LIMIT:
            object.__setattr__(self, "hint", _shorten(self.hint, MESSAGE_LIMIT))

    @property
    def severity(self) -> Severity:
        """Whether AWS would refuse the input (error) or accept it (warning), from the code's
        catalogue entry."""
        return CODES[self.code][0]

    @property
    def is_error(self) -> bool:
        """Whether the problem is an error (AWS would refuse the input)."""
        return self.severity is Severity.ERROR

    @property
    def json_path(self) -> str:
        """Where the problem is, as a JSON path (``$.Statement[0].Action``)."""
        return json_path(self.path)

    def under(self, *prefix: PathPart, source: str | None = None) -> Problem:
        """The same problem, located inside a larger document (and file)."""
        return replace(self, path=(*prefix, *self.path), source=source or self.source)

    def to_dict(self) -> dict[str, Any]:
        """The problem as JSON-ready data: code, severity, JSON path and message; the hint and source
        when there are any."""
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "path": self.json_path,
            "message": self.message,
        }
        if self.hint:
            out["hint"] = self.hint
        if self.suggestions:
            out["suggestions"] = list(self.suggestions)
        if self.source:
            out["source"] = self.source
        return out

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.json_path}: {self.severity.value} {self.code}: {self.message}{hint}"


def json_path(path: Iterable[PathPart]) -> str:
    """The path as a JSON path: ``$``, then ``.name`` for identifiers, ``[i]`` for indexes and
    ``['key']`` for other keys."""
    out = "$"
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isidentifier():
            out += f".{part}"
        else:
            out += "[" + _quote(part) + "]"
    return out


def _quote(text: str) -> str:
    # control and invisible characters (NUL, ESC, bidi overrides) are shown as escapes, never raw
    escaped = text.replace("\\", "\\\\").replace("'", "\\'")
    if not escaped.isprintable():
        escaped = "".join(c if c.isprintable() else _escape(c) for c in escaped)
    return "'" + escaped + "'"


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"  # as Python writes them


#: how many characters of a user's value a message quotes (the rest is elided with "…")
QUOTE_LIMIT = 60


#: the longest message or hint a problem keeps (the middle of a longer one is elided)
MESSAGE_LIMIT = 1000


def _shorten(text: str, limit: int) -> str:
    keep = limit - 1
    head = keep * 2 // 3
    return text[:head] + "…" + text[len(text) - (keep - head) :]


def quoted(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """``value`` as a message quotes it (``repr``), never more than ``limit`` characters: a longer
    one keeps its start and end around "…". An integer too long to print is described by its size
    (Python refuses to print one beyond 4,300 digits) and a container by its type and length, so
    quoting never fails, and costs the same for any input."""
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return repr(value)[:limit]
    if isinstance(value, int):
        digits = int(value.bit_length() * 0.30103) + 1
        return repr(value) if digits <= limit else f"<an integer of about {digits} digits>"
    if isinstance(value, (list, tuple)):
        return f"<a list of {len(value)} item(s)>"
    if isinstance(value, dict):
        return f"<an object of {len(value)} field(s)>"
    if isinstance(value, (set, frozenset)):
        return f"<a set of {len(value)} item(s)>"
    if not isinstance(value, (str, bytes)):  # a YAML date, say: a short repr of its own
        text = repr(value)
        return text if len(text) <= limit else f"<{type(value).__name__}>"
    if len(value) <= limit:
        text = repr(value)
        if len(text) <= limit:
            return text
    keep = limit - 1
    head = keep * 2 // 3
    start, end = repr(value[:limit]), repr(value[-limit:])  # only the ends are ever printed
    return start[:head] + "…" + end[len(end) - (keep - head) :]


def errors(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    """The problems that are errors, in order."""
    return tuple(p for p in problems if p.is_error)


def limit_problem(exc: BaseException) -> Problem | None:
    """The problem for an input Python itself cannot hold — nested deeper than the interpreter
    recurses, or an integer beyond the 4,300 digits it converts to text — or None for any other
    error (a bug, to be raised). Readers turn these into located problems where they can; this is
    the backstop at the API's doors, so only the package's errors leave it."""
    if isinstance(exc, RecursionError):
        return Problem(ProblemCode.INVALID_FIELD, "the input is nested too deeply to read")
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        return Problem(ProblemCode.INVALID_FIELD, "the input holds an integer of more than 4,300 digits")
    return None


@contextmanager
def input_limits(what: str, source: str | None = None) -> Iterator[None]:
    """Run a reader, turning an input Python cannot hold (``limit_problem``) into a
    ``ScenarioError`` about ``what``."""
    try:
        yield
    except (RecursionError, ValueError) as exc:
        if isinstance(exc, (ScenarioError, InvalidPolicyError)):
            raise
        problem = limit_problem(exc)
        if problem is None:
            raise
        raise ScenarioError([problem.under(source=source)], what=what) from None


class InvalidPolicyError(ValueError):
    """A policy document AWS would reject; ``problems`` holds every problem found."""

    def __init__(self, problems: Iterable[Problem], what: str = "policy") -> None:
        self.problems = tuple(problems)
        errs = errors(self.problems)
        lines = "\n".join(f"  {p}" for p in errs)
        super().__init__(f"invalid {what}: {len(errs)} error(s)\n{lines}")


class ScenarioError(ValueError):
    """A world, request, scenario file or batch line that does not follow semantics.md §1."""

    def __init__(self, problems: Iterable[Problem], what: str = "scenario") -> None:
        self.problems = tuple(problems)
        errs = errors(self.problems) or self.problems
        lines = "\n".join(f"  {p}" for p in errs)
        super().__init__(f"invalid {what}: {len(errs)} problem(s)\n{lines}")


class UnknownNameError(ScenarioError):
    """A request that names an action, principal, role or resource that does not exist (or a
    wildcard where one name is meant); ``suggestions`` holds the closest names that do, best first,
    and each problem its own."""

    @property
    def suggestions(self) -> tuple[str, ...]:
        """Every problem's suggestions, in order, without repeats."""
        return tuple(dict.fromkeys(s for p in self.problems for s in p.suggestions))


def request_error(problems: Iterable[Problem], what: str = "request") -> ScenarioError:
    """The error for a request's problems: ``UnknownNameError`` when a name is unknown (so callers
    can offer its suggestions), else ``ScenarioError``."""
    found = tuple(problems)
    if any(p.code in UNKNOWN_NAME_CODES for p in found):
        return UnknownNameError(found, what=what)
    return ScenarioError(found, what=what)


def did_you_mean(suggestions: Iterable[str]) -> str | None:
    """The hint for ``suggestions``: "did you mean X?" (or "X, Y or Z?"), or None when there are none."""
    names = list(suggestions)
    if not names:
        return None
    if len(names) == 1:
        return f"did you mean {names[0]}?"
    return f"did you mean {', '.join(names[:-1])} or {names[-1]}?"


def require_at_least_one(value: object, name: str, minimum: int = 1) -> int:
    """``value`` when it is a whole number of at least ``minimum`` (a limit of 0 would answer
    nothing, silently); else raise ``ScenarioError`` naming the argument."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        shown = repr(value)[:40]
        problem = Problem(
            ProblemCode.INVALID_FIELD,
            f"{name} is a whole number of at least {minimum}, found {shown}",
            (name,),
        )
        raise ScenarioError([problem], what="argument")
    return value
