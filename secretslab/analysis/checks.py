"""Offline access checks over every request, the analogue of IAM Access Analyzer's custom policy
checks (``CheckNoNewAccess``, ``CheckAccessNotGranted``, ``CheckNoPublicAccess``): instead of a
fixed list of requests, each check asks every action of the services a secret involves, every
principal that could sign (the world's, "any principal" of each account a policy names, and the
anonymous principal of an account nobody names), and every resource, including secrets that do
not exist yet under each prefix a policy's patterns reach. A failed check names its witnesses:
concrete requests, with the statements that allow them.

AWS pages:
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-custom-policy-checks.html,
https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoNewAccess.html,
https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckAccessNotGranted.html,
https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoPublicAccess.html
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..arn import after_account
from ..authorization import Decision, authorize
from ..authorization.request import Request
from ..evaluation.results import Reason
from ..policy.catalog import action_names, close_actions, resource_types
from ..policy.model import ActionElement, Effect, PolicyKind, ResourcePattern
from ..policy.wildcards import action_matcher, has_wildcard
from ..problems import (
    Problem,
    ProblemCode,
    ScenarioError,
    UnknownNameError,
    did_you_mean,
    quoted,
    request_error,
)
from ..world import World
from .check_results import CheckResult, Scope, Witness
from .contexts import contexts
from .hypothetical import Hypothetical, no_variables
from .principals import world_principals

#: the services whose every action a check asks: Secrets Manager, the KMS calls it makes, and the
#: STS calls that reach a role in the secret's account
SERVICES = ("secretsmanager", "kms", "sts")
#: patterns a check takes in ``actions`` or ``resources`` (our bound: each is matched against the
#: whole catalogue or world)
MAX_PATTERNS = 100


def check_no_new_access(
    before: World,
    after: World,
    *,
    actions: Sequence[str] | None = None,
    variants: Sequence[Mapping[str, Any]] = ({},),
    explore: bool = True,
) -> CheckResult:
    """Whether ``after`` allows no request that ``before`` does not (IAM Access Analyzer's
    ``CheckNoNewAccess``, over worlds rather than one policy). The witnesses are the requests
    ``after`` allows and ``before`` denies (or does not hold: a principal or secret ``after``
    added).

    Requests asked: every action of the catalogue's Secrets Manager, KMS and STS actions, and of
    any other modelled service (IAM) an Allow statement's Action reaches (or ``actions``, patterns
    allowed), on every resource of its type (secrets, keys, roles, users, groups; ``*`` for
    actions without one; ``CreateSecret`` only on secrets that do not exist yet); signed by every
    principal of either world, by "any principal" of each account a policy names — in a
    Principal element, an ``aws:PrincipalAccount``/``aws:PrincipalArn``/``aws:PrincipalOrgID``
    condition or a KMS grant — (a role and a user whose identity policies allow everything
    outside their own account: that account's administrators decide), by each principal a policy
    names that no world holds, and by the anonymous principal (a role and a user of an account
    that no policy names: Secrets Manager and KMS serve only signed requests, so "anyone" is any
    AWS account); on every secret of either world and on secrets that do not exist yet: one name
    under each prefix a Resource pattern of an identity policy, boundary, session policy or SCP
    reaches (``team/*`` gives ``team/new-secret-AbCdEf``; ``sandbox/new-??????`` gives
    ``sandbox/new`` when no secret has that name; ``${aws:username}`` is filled with each user's
    name), in each account of the world and each Region of the world (plus another Region when a
    pattern leaves the Region open), created as ``CreateSecret`` creates a secret by default (no
    resource policy, ``aws/secretsmanager``), each decided with its KMS step. Each request is
    asked with each entry of ``variants`` (``parameters`` and ``context`` merged into it), and
    with contexts built from the conditions of the worlds' policies on keys a caller supplies
    (``aws:SourceIp``, ``aws:SecureTransport``, ``aws:CurrentTime``, request tags, service keys):
    the values they name and values outside them (``contexts.contexts``); ``explore=False``
    asks ``variants`` only (a caller that enumerates the values of a key itself).

    Limits, where the check can miss new access: values of a context key that neither the
    policies nor ``variants`` name, and combinations of several keys beyond the first value of
    each; request parameters other than through their condition keys; ``sts:`` keys
    (``sts:ExternalId``…); policy variables other than ``${aws:username}`` in Resource patterns;
    IAM resources other than users, roles and groups; new secrets on a customer managed key, with
    tags, or in an account the world does not list; a principal named by an ARN pattern with a
    wildcard account beyond the anonymous principal."""
    worlds, actions, _, variants = _arguments({"before": before, "after": after}, actions, None, variants)
    hypothetical = Hypothetical.of(worlds)
    a, b = hypothetical.extend(before), hypothetical.extend(after)
    asked = _asked(worlds, hypothetical, actions)
    asking = _variants(worlds, variants, explore)
    relevant = _Relevant(worlds)
    witnesses = []
    for triple in asked.triples():
        for variant in relevant.variants(triple[1], asking):
            request = _request(triple, variant)
            now = _decide(b, request)
            if now is None or not now.allowed:
                continue
            was = _decide(a, request)
            if was is not None and was.allowed:
                continue
            witnesses.append(_witness(b, request, hypothetical, was.reason if was else None))
            break  # one witness per principal, action and resource
    return CheckResult("no new access", not witnesses, tuple(witnesses), asked.scope(hypothetical, asking))


def check_access_not_granted(
    world: World,
    *,
    actions: Sequence[str] | None = None,
    resources: Sequence[str] | None = None,
    variants: Sequence[Mapping[str, Any]] = ({},),
    explore: bool = True,
) -> CheckResult:
    """Whether no principal may perform any of ``actions`` (patterns allowed, e.g.
    ``secretsmanager:Delete*``; default: every action asked) on any of ``resources`` (ARN patterns
    allowed, e.g. ``arn:aws:secretsmanager:*:*:secret:prod/*``, matched against the world's
    secrets, keys and roles and secrets that do not exist yet, one of which is made under each
    pattern; default: all) in ``world`` (IAM Access Analyzer's ``CheckAccessNotGranted``, over a
    world). The witnesses are the requests allowed. Principals, resources, contexts and limits are
    those of ``check_no_new_access``. Raises ``UnknownNameError`` for an action or resource that
    matches nothing."""
    _, actions, resources, variants = _arguments({"world": world}, actions, resources, variants)
    hypothetical = Hypothetical.of((world,), extra=tuple(resources or ()))
    extended = hypothetical.extend(world)
    asked = _asked((world,), hypothetical, actions).narrowed(resources)
    asking = _variants((world,), variants, explore)
    return _granted("access not granted", extended, asked, hypothetical, asking, _Relevant((world,)))


def check_no_public_access(
    world: World,
    *,
    actions: Sequence[str] | None = None,
    variants: Sequence[Mapping[str, Any]] = ({},),
    explore: bool = True,
) -> CheckResult:
    """Whether the anonymous principal — a role or a user of an AWS account that no policy names,
    with every permission its own account can give it — can do anything to the world's secrets,
    keys and roles, or to secrets that do not exist yet (IAM Access Analyzer's
    ``CheckNoPublicAccess``, decided by evaluation rather than by reading one policy). The
    witnesses are its allowed requests, with the statements (a ``"Principal": "*"`` without a
    condition that pins the account or organization) that allow them. Contexts and limits are
    those of ``check_no_new_access``."""
    _, actions, _, variants = _arguments({"world": world}, actions, None, variants)
    hypothetical = Hypothetical.of((world,))
    extended = hypothetical.extend(world)
    asked = _asked((world,), hypothetical, actions).signed_by(hypothetical.strangers)
    asking = _variants((world,), variants, explore)
    return _granted("no public access", extended, asked, hypothetical, asking, _Relevant((world,)))


def _arguments(
    worlds: Mapping[str, object],
    actions: object,
    resources: object,
    variants: object,
) -> tuple[tuple[World, ...], tuple[str, ...] | None, tuple[str, ...] | None, tuple[Mapping[str, Any], ...]]:
    """The arguments of a check, read at its door: worlds that are ``World``s, actions and
    resources as one pattern or a non-empty list of them (an empty list would ask nothing and
    pass, silently), variants as objects holding only ``parameters`` and ``context``; else a
    ``ScenarioError`` naming each argument that is wrong."""
    problems: list[Problem] = []
    for name, world in worlds.items():
        if not isinstance(world, World):
            problems.append(_wrong((name,), f"{name} is a World (sl.load_scenario, World.from_dict)", world))
    patterns = {
        name: _patterns(name, value, problems)
        for name, value in (("actions", actions), ("resources", resources))
    }
    read: list[Mapping[str, Any]] = []
    if isinstance(variants, Mapping) or not isinstance(variants, Sequence) or isinstance(variants, str):
        problems.append(_wrong(("variants",), "variants is a list of objects", variants))
    else:
        for i, variant in enumerate(variants):
            if not isinstance(variant, Mapping) or not set(variant) <= {"parameters", "context"}:
                problems.append(
                    _wrong(("variants", i), "a variant is an object with parameters and/or context", variant)
                )
            else:
                read.append(variant)
    if problems:
        raise ScenarioError(problems, what="check")
    held = tuple(w for w in worlds.values() if isinstance(w, World))
    return held, patterns["actions"], patterns["resources"], tuple(read) or ({},)


def _patterns(name: str, value: object, problems: list[Problem]) -> tuple[str, ...] | None:
    """None (every one), one pattern, or a non-empty list of patterns."""
    if value is None:
        return None
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, Sequence) or not value:
        problems.append(_wrong((name,), f"{name} is a pattern or a non-empty list of patterns", value))
        return None
    if len(value) > MAX_PATTERNS:
        problems.append(
            Problem(
                ProblemCode.INVALID_FIELD,
                f"at most {MAX_PATTERNS} {name} are asked, found {len(value)}",
                (name,),
            )
        )
        return None
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item:
            problems.append(_wrong((name, i), "a pattern is a non-empty string", item))
    return tuple(v for v in value if isinstance(v, str))


def _wrong(path: tuple[str | int, ...], expected: str, found: object) -> Problem:
    return Problem(ProblemCode.INVALID_TYPE, f"{expected}, found {type(found).__name__}", path)


def _granted(
    check: str,
    world: World,
    asked: _Asked,
    hypothetical: Hypothetical,
    variants: tuple[Variant, ...],
    relevant: _Relevant,
) -> CheckResult:
    """The result of asking every request of ``asked`` in ``world``: a witness per allowed one."""
    witnesses = []
    for triple in asked.triples():
        for variant in relevant.variants(triple[1], variants):
            request = _request(triple, variant)
            decision = _decide(world, request)
            if decision is not None and decision.allowed:
                witnesses.append(_witness(world, request, hypothetical, None))
                break
    return CheckResult(check, not witnesses, tuple(witnesses), asked.scope(hypothetical, variants))


#: a variant of the requests: what it merges into each (``parameters``, ``context``), and the
#: condition keys it was made for (None: given by the caller, asked of every request)
Variant = tuple[dict[str, Any], frozenset[str] | None]


def _variants(
    worlds: Sequence[World], given: Sequence[Mapping[str, Any]], explore: bool
) -> tuple[Variant, ...]:
    """The variants asked: those given, then (``explore``) the first of them with each context
    the worlds' conditions suggest, request tags as the ``Tags`` parameter they come from."""
    base: list[Variant] = [(dict(v), None) for v in given] or [({}, None)]
    if not explore:
        return tuple(base)
    first = base[0][0]
    for found in contexts(worlds):
        variant = dict(first)
        tags = {k: v for k, v in found.items() if k.lower().startswith(_TAG_KEYS)}
        rest = {k: v for k, v in found.items() if k not in tags}
        if rest:
            variant["context"] = {**dict(first.get("context") or {}), **rest}
        if tags:
            variant["parameters"] = {**dict(first.get("parameters") or {}), "Tags": _tags(tags)}
        base.append((variant, frozenset(k.lower() for k in found)))
    return tuple(base)


class _Relevant:
    """Which condition keys the statements that could decide an action test, so that a context
    made for a key is asked only of the actions whose statements (or whose KMS step's) test it:
    most requests are asked once."""

    def __init__(self, worlds: Sequence[World]) -> None:
        self._statements = [
            st for w in worlds for _, policy in w.policies() for st in policy.statements if st.conditions
        ]
        self._keys: dict[str, frozenset[str]] = {}

    def keys(self, action: str) -> frozenset[str]:
        """The condition keys of the statements whose Action reaches ``action`` (and, for a
        Secrets Manager action, the KMS calls it makes)."""
        lower = action.lower()
        found = self._keys.get(lower)
        if found is None:
            asked = [lower, *(_KMS_STEPS if lower.startswith("secretsmanager:") else ())]
            found = frozenset(
                c.key_lower
                for st in self._statements
                if any(st.action.matches(a) for a in asked)
                for c in st.conditions
            )
            self._keys[lower] = found
        return found

    def variants(self, action: str, variants: tuple[Variant, ...]) -> Iterable[dict[str, Any]]:
        """The variants worth asking of ``action``."""
        keys = self.keys(action)
        for variant, made_for in variants:
            if made_for is None or any(
                k in keys or (k.startswith(_TAG_KEYS) and _tagged(keys)) for k in made_for
            ):
                yield variant


_KMS_STEPS = ("kms:decrypt", "kms:generatedatakey", "kms:encrypt", "kms:reencryptfrom", "kms:reencryptto")


def _tagged(keys: frozenset[str]) -> bool:
    return any(k.startswith(_TAG_KEYS) for k in keys)


_TAG_KEYS = ("aws:tagkeys", "aws:requesttag/")


def _tags(keys: Mapping[str, Any]) -> dict[str, str]:
    """The ``Tags`` parameter that gives ``aws:TagKeys`` / ``aws:RequestTag/…`` these values."""
    tags: dict[str, str] = {}
    for key, value in keys.items():
        if key.lower() == "aws:tagkeys":
            tags.update((str(k), "x") for k in (value if isinstance(value, list) else [value]))
        else:
            tags[key.partition("/")[2]] = str(value[0] if isinstance(value, list) else value)
    return tags


def _request(triple: tuple[str, str, str], variant: Mapping[str, Any]) -> Request | dict[str, Any]:
    principal, action, resource = triple
    if not variant:
        return Request(principal, action, resource)
    return {"principal": principal, "action": action, "resource": resource, **variant}


def _decide(world: World, request: Request | dict[str, Any]) -> Decision | None:
    """The decision, or None when ``world`` does not hold the request's principal or resource
    (it came or went between the worlds compared: nothing to allow there)."""
    try:
        return authorize(world, request, plan=False)
    except UnknownNameError:
        return None


# -- the requests a check asks


@dataclass(frozen=True, slots=True)
class _Asked:
    """The principals, and the (action, resource) pairs, of a check."""

    principals: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    outside: frozenset[str] = frozenset()  # hypothetical principals: their ``*`` is their own account

    def triples(self) -> Iterable[tuple[str, str, str]]:
        """Every (principal, action, resource) asked."""
        for principal in self.principals:
            for action, resource in self.pairs:
                if resource == "*" and principal in self.outside:
                    continue  # an action without a resource acts in the caller's own account
                yield principal, action, resource

    def narrowed(self, resources: Sequence[str] | None) -> _Asked:
        """Only the pairs on resources that ``resources`` (ARN patterns) match."""
        if resources is None:
            return self
        problems: list[Problem] = []
        keep: set[str] = set()
        for i, pattern in enumerate(resources):
            compiled = ResourcePattern.build(pattern, None)
            found = {r for r in self.resources if compiled.match(r, no_variables)}
            if not found:
                problems.append(
                    Problem(
                        ProblemCode.UNKNOWN_REFERENCE,
                        f"no secret, key or role of the world matches {quoted(pattern)}",
                        ("resources", i),
                    )
                )
            keep |= found
        if problems:
            raise request_error(problems, what="check")
        pairs = tuple((a, r) for a, r in self.pairs if r in keep)
        kept = tuple(r for r in self.resources if r in keep)
        return _Asked(self.principals, pairs, self.actions, kept, self.outside)

    def signed_by(self, principals: tuple[str, ...]) -> _Asked:
        """The same requests, signed only by ``principals``."""
        return _Asked(principals, self.pairs, self.actions, self.resources, self.outside)

    def scope(self, hypothetical: Hypothetical, variants: Sequence[Variant]) -> Scope:
        return Scope(
            principals=len(self.principals),
            actions=len(self.actions),
            resources=len(self.resources),
            requests=sum(1 for _ in self.triples()),
            hypothetical_principals=tuple(
                label for p, label in hypothetical.labels().items() if p in self.principals
            ),
            new_secrets=tuple(name for _, name, _, _ in hypothetical.secrets),
            contexts=len(variants),
        )


def _asked(worlds: Sequence[World], hypothetical: Hypothetical, actions: Sequence[str] | None) -> _Asked:
    principals = tuple(
        dict.fromkeys([*(p for w in worlds for p in world_principals(w)), *hypothetical.principals()])
    )
    acts = _actions(actions, worlds)
    new = tuple(s[0] for s in hypothetical.secrets)
    secrets = tuple(dict.fromkeys([*(s.arn for w in worlds for s in w.secrets), *new]))
    by_type = {
        "secret": secrets,
        "key": tuple(dict.fromkeys(k.arn for w in worlds for k in w.keys)),
        "role": tuple(dict.fromkeys(r.arn for w in worlds for r in w.roles if not r.service_linked)),
        "user": tuple(dict.fromkeys(u.arn for w in worlds for u in w.users)),
        "group": tuple(dict.fromkeys(g.arn for w in worlds for g in w.groups)),
    }
    pairs: list[tuple[str, str]] = []
    for action in acts:
        types = resource_types(action) or ()
        if not types:
            pairs.append((action, "*"))
        elif action.lower() == _CREATE_SECRET:  # it names a secret that does not exist yet
            pairs.extend((action, r) for r in new)
        else:
            kinds = dict.fromkeys(t.lower() for t in types)
            pairs.extend((action, r) for kind in kinds for r in by_type.get(kind, ()))
    resources = tuple(dict.fromkeys(r for _, r in pairs))
    return _Asked(principals, tuple(pairs), acts, resources, frozenset(hypothetical.principals()))


_CREATE_SECRET = "secretsmanager:createsecret"
#: the policies that grant (the others only let through what these grant)
_GRANTING = frozenset({PolicyKind.IDENTITY, PolicyKind.RESOURCE, PolicyKind.KEY, PolicyKind.TRUST})
#: actions AWS does not authorize: nobody needs a permission for them, and a Deny does not stop them
#: (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)
_UNAUTHORIZED = frozenset({"sts:getcalleridentity"})


def _services(worlds: Sequence[World]) -> tuple[str, ...]:
    """``SERVICES``, and each other modelled service (IAM) whose actions a granting Allow
    statement of the worlds reaches (``iam:*``, ``*``, a NotAction)."""
    extra = []
    for service in ("iam",):
        names = tuple(f"{service}:{a}".lower() for a in action_names(service))
        reached = any(
            statement.effect is Effect.ALLOW and _reaches(statement.action, service, names)
            for world in worlds
            for _, policy in world.policies()
            if policy.kind in _GRANTING
            for statement in policy.statements
        )
        if reached:
            extra.append(service)
    return (*SERVICES, *extra)


def _reaches(element: ActionElement, service: str, names: tuple[str, ...]) -> bool:
    """Whether an Action element reaches an action of ``service``: a NotAction always may; a
    pattern only when its service part can be ``service`` (most patterns name another service,
    and are settled without trying every action name)."""
    if element.negated:
        return True
    for pattern in element.patterns:
        prefix = pattern.partition(":")[0].lower()
        if prefix == service or (has_wildcard(prefix) and any(element.matches(n) for n in names)):
            return True
    return False


def _actions(actions: Sequence[str] | None, worlds: Sequence[World]) -> tuple[str, ...]:
    """Every action of the services involved (``_services``), or those ``actions`` (patterns
    allowed) match; an action pattern that matches nothing is an error with the closest names."""
    services = _services(worlds) if actions is None else (*SERVICES, "iam")
    every = tuple(
        f"{s}:{a}" for s in services for a in action_names(s) if f"{s}:{a}".lower() not in _UNAUTHORIZED
    )
    if actions is None:
        return every
    out: list[str] = []
    problems: list[Problem] = []
    for i, pattern in enumerate(actions):
        matcher = action_matcher(pattern.lower())
        found = [a for a in every if matcher.matches(a.lower())]
        if not found:
            close = close_actions(pattern)
            problems.append(
                Problem(
                    ProblemCode.UNKNOWN_REFERENCE,
                    f"no action of {', '.join(services)} matches {quoted(pattern)}",
                    ("actions", i),
                    did_you_mean(close),
                    suggestions=close,
                )
            )
        out.extend(found)
    if problems:
        raise request_error(problems, what="check")
    return tuple(dict.fromkeys(out))


# -- witnesses


def _witness(
    world: World, request: Request | dict[str, Any], hypothetical: Hypothetical, before: Reason | None
) -> Witness:
    """The witness of an allowed request, with every call and the statements that allow it."""
    decision: Decision = authorize(world, request)
    r = decision.request
    labels = hypothetical.labels()
    responsible: list[str] = []
    for step in decision.steps:
        responsible.extend(str(d) for d in step.evaluation.deciding)
    steps = tuple(
        f"{s.action} {'allowed' if s.allowed else 'denied'} ({s.evaluation.reason.value})"
        for s in decision.steps
    )
    return Witness(
        principal=r.principal,
        principal_label=labels.get(r.principal, after_account(r.principal)),
        action=r.action,
        resource=r.resource,
        resource_label=labels.get(r.resource, after_account(r.resource)),
        before=before,
        after=decision.reason,
        steps=steps,
        responsible=tuple(dict.fromkeys(responsible)),
        parameters=dict(r.parameters),
        context={k: (list(v) if len(v) != 1 else v[0]) for k, v in r.context},
    )


__all__ = [
    "CheckResult",
    "Scope",
    "Witness",
    "check_access_not_granted",
    "check_no_new_access",
    "check_no_public_access",
]
