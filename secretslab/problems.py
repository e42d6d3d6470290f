"""Problems found in user input: a stable code, a severity, a JSON path to the element, a message
saying what was found and what was expected, and an optional "did you mean" hint.

Every code lives in the ``CODES`` catalogue below, so tests assert codes rather than wording.
``InvalidPolicyError`` and ``ScenarioError`` carry every problem at once (collect, then raise).
AWS's grammar for what is rejected: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
and the checks of https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

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
    """The stable code of every problem (``CODES`` gives its severity and meaning): tests and users
    match on codes, never on wording."""

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
    ProblemCode.UNQUOTED_DATE: (E, "an unquoted YAML date is a date, not the text AWS expects"),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in user input: its code, where it is (a JSON path, and the file or batch line),
    what was found and what was expected, and a "did you mean" hint when one is close."""

    code: ProblemCode
    message: str
    path: tuple[PathPart, ...] = ()
    hint: str | None = None
    source: str | None = None  # the file or batch line the problem was found in

    def __post_init__(self) -> None:
        # a code outside the catalogue is our bug: caught where the problem is made
        object.__setattr__(self, "code", ProblemCode(self.code))

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
        escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    return "'" + escaped + "'"


def errors(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    """The problems that are errors, in order."""
    return tuple(p for p in problems if p.is_error)


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
