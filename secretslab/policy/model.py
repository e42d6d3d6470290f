"""The frozen policy model: ``Policy`` → ``Statement`` → elements (Action/NotAction,
Resource/NotResource, Principal/NotPrincipal, Condition). Elements are compiled once, when the
parser builds them, into matchers the engine can apply quickly; the original JSON is kept as
``source`` for quoting in explanations (treat it as read-only).

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html and
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html (policy types, semantics §3).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..arn import ACCOUNT_ID, Arn
from ..problems import Problem
from .operators import Family, Operator, matcher
from .variables import Template, Var, resolve
from .wildcards import Matcher, Pieces, action_matcher, any_matcher, has_wildcard, plain, resource_matcher


def variable_keys(templates: tuple[Template | None, ...]) -> tuple[str, ...]:
    """The lower-case keys of the policy variables in ``templates``, each once, in order."""
    return tuple(dict.fromkeys(part.key_lower for t in templates if t for part in t if isinstance(part, Var)))


class PolicyKind(StrEnum):
    """The kinds of policy, each with its own language rules (semantics §3): identity-based, a
    secret's resource policy, a KMS key policy, a role's trust policy, SCP, RCP, permissions
    boundary and session policy."""

    IDENTITY = "identity"
    RESOURCE = "resource"  # a Secrets Manager secret policy
    KEY = "key"  # a KMS key policy
    TRUST = "trust"  # a role trust policy
    SCP = "scp"
    RCP = "rcp"
    BOUNDARY = "boundary"
    SESSION = "session"

    @property
    def resource_based(self) -> bool:
        """Policies that name their principals (semantics §3.3)."""
        return self in (PolicyKind.RESOURCE, PolicyKind.KEY, PolicyKind.TRUST, PolicyKind.RCP)

    @property
    def label(self) -> str:
        """The kind in words, as messages and explanations name it (``identity-based policy``)."""
        return _KIND_LABELS[self]


_KIND_LABELS = {
    PolicyKind.IDENTITY: "identity-based policy",
    PolicyKind.RESOURCE: "secret resource policy",
    PolicyKind.KEY: "key policy",
    PolicyKind.TRUST: "role trust policy",
    PolicyKind.SCP: "service control policy",
    PolicyKind.RCP: "resource control policy",
    PolicyKind.BOUNDARY: "permissions boundary",
    PolicyKind.SESSION: "session policy",
}


class Effect(StrEnum):
    """A statement's Effect, spelt as in policies."""

    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True, slots=True, eq=False)
class ActionElement:
    """Action or NotAction: case-insensitive wildcard patterns (§4.1–4.2)."""

    patterns: tuple[str, ...]
    negated: bool
    _listed: Matcher = field(repr=False)

    @classmethod
    def build(cls, patterns: tuple[str, ...], negated: bool) -> ActionElement:
        """The element of Action (or NotAction when ``negated``) ``patterns``, compiled: exact names
        to a set, wildcard patterns to matchers of lower-case names."""
        return cls(patterns, negated, any_matcher(tuple(action_matcher(p) for p in patterns)))

    def listed(self, action_lower: str) -> bool:
        """Whether one of the patterns matches (before NotAction's negation)."""
        return self._listed.matches(action_lower)

    def matches(self, action_lower: str) -> bool:
        """Whether the statement covers the (lower-case) action: listed by Action, or not listed by
        NotAction."""
        return self.listed(action_lower) != self.negated


@dataclass(frozen=True, slots=True, eq=False)
class ResourcePattern:
    """One Resource/NotResource pattern: its text, its policy-variable template when it has variables
    (resolved per request), else a matcher compiled once when it has wildcards (else compared
    exactly)."""

    text: str
    template: Template | None  # set when the pattern holds policy variables (§6)
    matcher: Matcher | None  # static patterns with wildcards

    @classmethod
    def build(cls, text: str, template: Template | None) -> ResourcePattern:
        """The pattern of ``text``, compiled once: a matcher for a static pattern with wildcards."""
        static = template is None
        compiled = resource_matcher(plain(text)) if static and has_wildcard(text) else None
        return cls(text, template, compiled)

    @classmethod
    def exact(cls, text: str) -> ResourcePattern:
        """``build(text, None)`` of a ``text`` without wildcards and variables (compared exactly),
        made without the frozen dataclass's cost per field (a fresh ARN in most fresh statements)."""
        pattern = _ResourcePatternBuilder()
        pattern.text = text
        pattern.template = None
        pattern.matcher = None
        pattern.__class__ = cls
        return pattern  # type: ignore[no-any-return]

    def match(self, resource: str, lookup: Callable[[str], str | None]) -> bool | None:
        """True/False, or None when a variable cannot be resolved (matches nothing, §6.2)."""
        if self.template is None:
            if self.matcher is None:
                return resource == self.text
            return self.matcher.matches(resource)
        pieces = resolve(self.template, lookup)
        if pieces is None:
            return None
        return resource_matcher(pieces).matches(resource)


@dataclass(frozen=True, slots=True, eq=False)
class ResourceElement:
    """Resource or NotResource: case-sensitive ARN patterns (§4.3, §4.4, §4.8)."""

    patterns: tuple[ResourcePattern, ...]
    negated: bool
    any: bool = field(init=False)  # a plain "Resource": "*"
    static: bool = field(init=False)  # no policy variables: the match depends on the resource only

    def __post_init__(self) -> None:
        object.__setattr__(self, "any", not self.negated and any(p.text == "*" for p in self.patterns))
        object.__setattr__(self, "static", all(p.template is None for p in self.patterns))

    @classmethod
    def compiled(cls, patterns: tuple[ResourcePattern, ...], negated: bool) -> ResourceElement:
        """The element of ``patterns``, equal to ``ResourceElement(patterns, negated)``, built in
        one loop (the reader makes one for most statements of a fresh policy)."""
        star = False
        static = True
        for pattern in patterns:
            if pattern.text == "*":
                star = True
            if pattern.template is not None:
                static = False
        element = _ResourceElementBuilder()
        element.patterns = patterns
        element.negated = negated
        element.any = star and not negated
        element.static = static
        element.__class__ = cls
        return element  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True, eq=False)
class PrincipalElement:
    """Principal or NotPrincipal, sorted by what each value can match (§4.5)."""

    negated: bool
    wildcard: bool  # "*" or {"AWS": "*"}
    accounts: frozenset[str]  # account ids (from "123…" or "arn:aws:iam::123…:root")
    users: frozenset[str]  # user ARNs
    roles: frozenset[tuple[str, str]]  # (account, role name): a role's path is not part of its identity
    sessions: frozenset[str]  # assumed-role session ARNs
    federated_users: frozenset[str]
    services: frozenset[str]
    federated: frozenset[str]
    values: tuple[tuple[str, str], ...]  # (type, value) as written, for explanations

    @classmethod
    def build(cls, negated: bool, values: tuple[tuple[str, str], ...]) -> PrincipalElement:
        """The element of ``(type, value)`` pairs (``AWS``, ``Service``, ``Federated``, or ``*``)
        sorted into accounts, users, roles, sessions, federated users, services and identity
        providers; values that name nothing AWS could match are kept only in ``values``."""
        accounts: set[str] = set()
        users: set[str] = set()
        roles: set[tuple[str, str]] = set()
        sessions: set[str] = set()
        federated_users: set[str] = set()
        services: set[str] = set()
        federated: set[str] = set()
        wildcard = False
        for kind, value in values:
            if kind == "AWS":
                if value == "*":
                    wildcard = True
                elif ACCOUNT_ID.match(value):
                    accounts.add(value)
                else:
                    _sort_aws(value, accounts, users, roles, sessions, federated_users)
            elif kind == "Service":
                services.add(value.lower())
            elif kind == "*":
                wildcard = True
            else:
                federated.add(value)
        return cls(
            negated,
            wildcard,
            frozenset(accounts),
            frozenset(users),
            frozenset(roles),
            frozenset(sessions),
            frozenset(federated_users),
            frozenset(services),
            frozenset(federated),
            values,
        )


def _sort_aws(
    value: str,
    accounts: set[str],
    users: set[str],
    roles: set[tuple[str, str]],
    sessions: set[str],
    federated_users: set[str],
) -> None:
    arn = Arn.parse(value)
    if arn is None:
        return
    rtype = arn.resource_type
    if arn.service == "iam" and arn.resource == "root":
        accounts.add(arn.account)
    elif arn.service == "iam" and rtype == "user":
        users.add(value)
    elif arn.service == "iam" and rtype == "role":
        roles.add((arn.account, arn.name))
    elif arn.service == "sts" and rtype == "assumed-role":
        sessions.add(value)
    elif arn.service == "sts" and rtype == "federated-user":
        federated_users.add(value)


@dataclass(frozen=True, slots=True, eq=False)
class Condition:
    """One operator applied to one key with its values (§5.1)."""

    operator: Operator
    key: str  # as written
    values: tuple[str, ...]  # as written (normalised to text)
    parsed: tuple[Any, ...]  # read for the operator's family (numbers, dates, networks…)
    templates: tuple[Template | None, ...]  # per value, when it holds variables (§6)
    pieces: tuple[Pieces, ...]  # per value, its static wildcard pieces
    key_lower: str = field(init=False)
    #: the positive operator's test of one request value, compiled once (None with variables)
    match: Callable[[str], bool] | None = field(init=False, repr=False)
    #: lower-case keys of the policy variables in its values
    variable_keys: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_lower", self.key.lower())
        op = self.operator
        fast = None
        if op.family is not Family.NULL and all(t is None for t in self.templates):
            fast = matcher(op.positive, op.family, self.parsed, self.pieces, self.values)
        object.__setattr__(self, "match", fast)
        object.__setattr__(self, "variable_keys", variable_keys(self.templates))


@dataclass(frozen=True, slots=True, eq=False)
class Statement:
    """One statement of a policy: its position, Sid, Effect and compiled elements (Action, Resource,
    Principal, conditions), and its JSON as ``source``."""

    index: int
    sid: str | None
    effect: Effect
    action: ActionElement
    resource: ResourceElement | None  # None: no Resource element (trust policy, §3.7 key policy)
    principal: PrincipalElement | None
    conditions: tuple[Condition, ...]
    source: Any = field(repr=False, default=None)
    #: the lower-case context keys its result depends on (condition keys and policy variables),
    #: by which an evaluator may remember its result (``evaluation.memo``)
    memo_keys: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        keys = [k for c in self.conditions for k in (c.key_lower, *c.variable_keys)]
        if self.resource is not None:
            keys += variable_keys(tuple(p.template for p in self.resource.patterns))
        object.__setattr__(self, "memo_keys", tuple(dict.fromkeys(keys)))

    @classmethod
    def compiled(
        cls,
        index: int,
        sid: str | None,
        effect: Effect,
        action: ActionElement,
        resource: ResourceElement | None,
        principal: PrincipalElement | None,
        conditions: tuple[Condition, ...],
        source: Any,
        memo_keys: tuple[str, ...],
    ) -> Statement:
        """The statement of these elements, its ``memo_keys`` already known (the reader
        remembers them with the elements): equal to ``Statement(...)`` of the same elements."""
        statement = _StatementBuilder()
        statement.index = index
        statement.sid = sid
        statement.effect = effect
        statement.action = action
        statement.resource = resource
        statement.principal = principal
        statement.conditions = conditions
        statement.source = source
        statement.memo_keys = memo_keys
        statement.__class__ = cls
        return statement  # type: ignore[no-any-return]

    @property
    def label(self) -> str:
        """How explanations name it: ``Sid X``, or ``statement N`` (1-based) without a Sid."""
        return f"Sid {self.sid}" if self.sid else f"statement {self.index + 1}"


@dataclass(frozen=True, slots=True, eq=False)
class Policy:
    """A parsed policy of one kind: Version, statements, every problem the parser found (``valid``
    when none is an error, as AWS would store it), its Id and its JSON as ``source``. Invalid
    policies are kept so that they can be reported and fixed."""

    kind: PolicyKind
    version: str | None
    statements: tuple[Statement, ...]
    problems: tuple[Problem, ...] = ()
    source: Any = field(repr=False, default=None)
    policy_id: str | None = None
    valid: bool = field(init=False, default=True)  # AWS would store it: no error-severity problem

    def __post_init__(self) -> None:
        object.__setattr__(self, "valid", not any(p.is_error for p in self.problems))

    @classmethod
    def compiled(
        cls,
        kind: PolicyKind,
        version: str | None,
        statements: tuple[Statement, ...],
        problems: tuple[Problem, ...],
        source: Any,
        policy_id: str | None,
    ) -> Policy:
        """The policy of these parts, equal to ``Policy(...)`` of them, made as the reader makes
        one for each document of a fresh batch (see ``_builder``)."""
        policy = _PolicyBuilder()
        policy.kind = kind
        policy.version = version
        policy.statements = statements
        policy.problems = problems
        policy.source = source
        policy.policy_id = policy_id
        policy.valid = not problems or not any(p.is_error for p in problems)
        policy.__class__ = cls
        return policy  # type: ignore[no-any-return]

    def statements_for(self, action_lower: str) -> tuple[Statement, ...]:
        """The statements whose Action/NotAction matches the (lower-case) action."""
        return tuple(s for s in self.statements if s.action.matches(action_lower))

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems that make AWS refuse the policy."""
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The problems AWS accepts but that are likely mistakes."""
        return tuple(p for p in self.problems if not p.is_error)


def _builder(cls: type) -> Any:
    """A plain class with the slots of the frozen dataclass ``cls``, in the same order. A
    ``compiled`` constructor fills an instance of it with plain attribute stores, then sets its
    ``__class__`` to ``cls`` (Python allows it between classes of the same layout): a ``cls``
    made without the frozen dataclass's ``object.__setattr__`` per field, four times cheaper
    where a fresh policy makes one per statement. Were the layouts to differ, the assignment
    would raise TypeError (tests/test_policy_caches.py builds each)."""
    return type(f"_{cls.__name__}Builder", (), {"__slots__": cls.__slots__})  # type: ignore[attr-defined]


_StatementBuilder = _builder(Statement)
_ResourceElementBuilder = _builder(ResourceElement)
_ResourcePatternBuilder = _builder(ResourcePattern)
_PolicyBuilder = _builder(Policy)
