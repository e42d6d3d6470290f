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

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..arn import Arn
from ..authorization import Decision, authorize
from ..authorization.request import Request
from ..evaluation.results import Reason
from ..policy.catalog import action_names, close_actions, resource_types
from ..policy.model import Effect, ResourcePattern
from ..policy.wildcards import action_matcher
from ..problems import Problem, ProblemCode, did_you_mean, quoted, request_error
from ..world import World
from .principals import session_of, world_principals

#: the services whose every action a check asks: Secrets Manager, the KMS calls it makes, and the
#: STS calls that reach a role in the secret's account
SERVICES = ("secretsmanager", "kms", "sts")
#: the random suffix AWS appends to a secret's name (six characters); fixed so witnesses repeat
PROBE_SUFFIX = "AbCdEf"
PROBE_NAME = "new-secret"
#: a witness list longer than this is shortened in text and HTML (``to_dict`` keeps them all)
SHOWN = 10
_STRANGER_ACCOUNT = "999999999999"
_ANY_PRINCIPAL = "AnyPrincipal"


@dataclass(frozen=True, slots=True)
class Witness:
    """A concrete request a check found allowed: who (``principal``, and in words
    ``principal_label``: a principal of the world, or a hypothetical one), the action, the
    resource (``resource_label`` says when it is a secret that does not exist yet), the reason
    codes before and after (before is ``None`` for a check of one world), each call of the request
    with its outcome (the KMS step included), and the statements responsible."""

    principal: str
    principal_label: str
    action: str
    resource: str
    resource_label: str
    before: Reason | None
    after: Reason
    steps: tuple[str, ...]
    responsible: tuple[str, ...]
    parameters: Mapping[str, Any] = field(default_factory=dict)  # the variant's API parameters

    @property
    def request(self) -> dict[str, Any]:
        """The request in the format ``authorize`` reads (in the world the check built)."""
        out: dict[str, Any] = {"principal": self.principal, "action": self.action, "resource": self.resource}
        if self.parameters:
            out["parameters"] = dict(self.parameters)
        return out

    def to_dict(self) -> dict[str, Any]:
        """The witness as JSON-ready data."""
        return {
            "principal": self.principal,
            "principal_label": self.principal_label,
            "action": self.action,
            "resource": self.resource,
            "resource_label": self.resource_label,
            "before": self.before.value if self.before else None,
            "after": self.after.value,
            "steps": list(self.steps),
            "responsible": list(self.responsible),
            "parameters": dict(self.parameters),
        }

    def __str__(self) -> str:
        why = "; ".join(self.responsible) or self.after.summary
        return (
            f"{self.principal_label} may {self.action} on {self.resource_label} ({self.after.value}: {why})"
        )


@dataclass(frozen=True, slots=True)
class Scope:
    """What a check asked: how many principals (of them hypothetical), actions, resources (of them
    secrets that do not exist yet) and requests, and the hypothetical principals and secrets in
    words."""

    principals: int
    actions: int
    resources: int
    requests: int
    hypothetical_principals: tuple[str, ...]
    new_secrets: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The scope as JSON-ready data."""
        return {
            "principals": self.principals,
            "actions": self.actions,
            "resources": self.resources,
            "requests": self.requests,
            "hypothetical_principals": list(self.hypothetical_principals),
            "new_secrets": list(self.new_secrets),
        }


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The result of an access check: ``passed``, the witnesses that make it fail (concrete
    requests, each with the statements responsible), and the scope it covered."""

    check: str
    passed: bool
    witnesses: tuple[Witness, ...]
    scope: Scope

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data: ``check``, ``result`` (``PASS``/``FAIL`` as Access
        Analyzer spells it), every witness and the scope."""
        return {
            "check": self.check,
            "result": "PASS" if self.passed else "FAIL",
            "witnesses": [w.to_dict() for w in self.witnesses],
            "scope": self.scope.to_dict(),
        }

    def _summary(self) -> str:
        s = self.scope
        return (
            f"{s.requests} requests: {s.principals} principals ({len(s.hypothetical_principals)} "
            f"hypothetical) x {s.actions} actions x {s.resources} resources "
            f"({len(s.new_secrets)} secrets that do not exist yet)"
        )

    def __str__(self) -> str:
        head = f"{self.check}: {'PASS' if self.passed else 'FAIL'} over {self._summary()}"
        if self.passed:
            return head
        lines = [head, *(f"  + {w}" for w in self.witnesses[:SHOWN])]
        if len(self.witnesses) > SHOWN:
            lines.append(f"  … and {len(self.witnesses) - SHOWN} more (to_dict() lists them all)")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#b42318"
        verdict = "PASS" if self.passed else "FAIL"
        head = (
            f"<p><b>{html.escape(self.check)}</b>: <b style='color:{colour}'>{verdict}</b> over "
            f"{html.escape(self._summary())}</p>"
        )
        if self.passed:
            return head
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(v)}</td>"
                for v in (w.principal_label, w.action, w.resource_label, "; ".join(w.responsible))
            )
            + "</tr>"
            for w in self.witnesses[:SHOWN]
        )
        more = (
            f"<p>… and {len(self.witnesses) - SHOWN} more (<code>to_dict()</code> lists them all)</p>"
            if len(self.witnesses) > SHOWN
            else ""
        )
        return (
            f"{head}<table><thead><tr><th>principal</th><th>action</th><th>resource</th>"
            f"<th>allowed by</th></tr></thead><tbody>{rows}</tbody></table>{more}"
        )


def check_no_new_access(
    before: World,
    after: World,
    *,
    actions: Sequence[str] | None = None,
    variants: Sequence[Mapping[str, Any]] = ({},),
) -> CheckResult:
    """Whether ``after`` allows no request that ``before`` does not (IAM Access Analyzer's
    ``CheckNoNewAccess``, over worlds rather than one policy). The witnesses are the requests
    ``after`` allows and ``before`` denies.

    Requests asked: every action of the catalogue's Secrets Manager, KMS and STS actions (or
    ``actions``, patterns allowed) on every resource of its type (secrets, keys, roles; ``*`` for
    actions without one); signed by every principal of either world, by "any principal" of each
    account a policy names (a role whose identity policy allows everything outside its own
    account: that account's administrators decide), by each principal a policy names that no
    world holds, and by the anonymous principal (a principal of an account that no policy names:
    Secrets Manager and KMS serve only signed requests, so "anyone" is any AWS account); on
    every secret of either world and on secrets that do not exist yet: one name under each
    prefix a Resource pattern of an identity policy, boundary, session policy or SCP reaches
    (``team/*`` gives ``team/new-secret-AbCdEf``; ``sandbox/new-??????`` gives ``sandbox/new``
    when no secret has that name), in each account and Region of the world, created as
    ``CreateSecret`` creates a secret by default (no resource policy, ``aws/secretsmanager``),
    each decided with its KMS step. Each request is asked once per entry of ``variants``
    (``parameters`` and ``context`` merged into it).

    Limits: requests carry only the context of ``variants`` (no tags, source IP or VPC unless
    given), so a grant that needs other context values is not explored; Resource patterns with
    policy variables give no new-secret name; IAM actions and resources are not asked; a new
    secret on a customer managed key, or with tags, is not tried."""
    worlds = (before, after)
    hypothetical = _Hypothetical.of(worlds)
    a, b = hypothetical.extend(before), hypothetical.extend(after)
    asked = _asked(worlds, hypothetical, actions)
    witnesses = []
    for request in asked.requests(variants):
        now = authorize(b, request, plan=False)
        if not now.allowed:
            continue
        was = authorize(a, request, plan=False)
        if was.allowed:
            continue
        witnesses.append(_witness(b, request, hypothetical, was.reason))
    return CheckResult("no new access", not witnesses, tuple(witnesses), asked.scope(hypothetical, variants))


def check_access_not_granted(
    world: World,
    *,
    actions: Sequence[str] | None = None,
    resources: Sequence[str] | None = None,
    variants: Sequence[Mapping[str, Any]] = ({},),
) -> CheckResult:
    """Whether no principal may perform any of ``actions`` (patterns allowed, e.g.
    ``secretsmanager:Delete*``; default: every action asked) on any of ``resources`` (ARN patterns
    allowed, e.g. ``arn:aws:secretsmanager:*:*:secret:prod/*``, matched against the world's
    secrets, keys and roles and the secrets that do not exist yet; default: all) in ``world``
    (IAM Access Analyzer's ``CheckAccessNotGranted``, over a world). The witnesses are the
    requests allowed. Principals, resources and limits are those of ``check_no_new_access``.
    Raises ``UnknownNameError`` for an action or resource that matches nothing."""
    hypothetical = _Hypothetical.of((world,))
    extended = hypothetical.extend(world)
    asked = _asked((world,), hypothetical, actions).narrowed(resources)
    witnesses = [
        _witness(extended, request, hypothetical, None)
        for request in asked.requests(variants)
        if authorize(extended, request, plan=False).allowed
    ]
    return CheckResult(
        "access not granted", not witnesses, tuple(witnesses), asked.scope(hypothetical, variants)
    )


def check_no_public_access(world: World, *, actions: Sequence[str] | None = None) -> CheckResult:
    """Whether the anonymous principal — a principal of an AWS account that no policy names, with
    every permission its own account can give it — can do anything to the world's secrets, keys
    and roles, or to secrets that do not exist yet (IAM Access Analyzer's ``CheckNoPublicAccess``,
    decided by evaluation rather than by reading one policy). The witnesses are its allowed
    requests, with the statements (a ``"Principal": "*"`` without a condition that pins the
    account or organization) that allow them."""
    hypothetical = _Hypothetical.of((world,))
    extended = hypothetical.extend(world)
    asked = _asked((world,), hypothetical, actions).signed_by((hypothetical.stranger,))
    witnesses = [
        _witness(extended, request, hypothetical, None)
        for request in asked.requests(({},))
        if authorize(extended, request, plan=False).allowed
    ]
    return CheckResult("no public access", not witnesses, tuple(witnesses), asked.scope(hypothetical, ({},)))


# -- the hypothetical principals and secrets, added alike to every world a check compares


@dataclass(frozen=True, slots=True)
class _Hypothetical:
    """What the check adds to the worlds: accounts a policy names that no world lists, a role in
    each named account (and the stranger's) standing for "any principal" of it, the principals a
    policy names that no world holds, and secrets that do not exist yet."""

    accounts: tuple[str, ...]  # account ids to add to the worlds
    roles: tuple[tuple[str, str], ...]  # (role ARN, label)
    users: tuple[tuple[str, str], ...]  # (user ARN, label)
    secrets: tuple[tuple[str, str, str, str], ...]  # (ARN, name, account, region)
    stranger: str  # the session ARN of the anonymous principal

    @classmethod
    def of(cls, worlds: Sequence[World]) -> _Hypothetical:
        listed = {a.id for w in worlds for a in w.accounts}
        listed |= {s.account for w in worlds for s in w.secrets} | {k.account for w in worlds for k in w.keys}
        named, named_users, named_roles = _named(worlds)
        stranger = _free_account(listed | named)
        accounts = [*sorted(named - listed), stranger]
        roles: list[tuple[str, str]] = []
        for account in [*sorted(named), stranger]:  # the stranger last: ``stranger`` below
            name = _free_role_name(worlds, account)
            label = (
                "the anonymous principal (any AWS account)"
                if account == stranger
                else f"any principal of account {account}"
            )
            roles.append((f"arn:aws:iam::{account}:role/{name}", label))
        held = {r.arn for w in worlds for r in w.roles} | {u.arn for w in worlds for u in w.users}
        outside = set(accounts)
        roles += [
            (arn, f"role {_name(arn)} of account {_account(arn)} (named by a policy, outside the world)")
            for arn in sorted(named_roles - held)
            if _account(arn) in outside
        ]
        users = tuple(
            (arn, f"user {_name(arn)} of account {_account(arn)} (named by a policy, outside the world)")
            for arn in sorted(named_users - held)
            if _account(arn) in outside
        )
        return cls(
            tuple(accounts), tuple(roles), users, _new_secrets(worlds, listed), session_of(roles[-1][0])
        )

    def principals(self) -> tuple[str, ...]:
        """The ARNs that sign requests for the hypothetical principals."""
        return (*(session_of(arn) for arn, _ in self.roles), *(arn for arn, _ in self.users))

    def labels(self) -> dict[str, str]:
        """Each hypothetical principal's signing ARN, and each new secret's ARN, in words."""
        out = {session_of(arn): label for arn, label in self.roles}
        out.update(self.users)
        out.update((arn, f"{name} (a secret that does not exist yet)") for arn, name, _, _ in self.secrets)
        return out

    def extend(self, world: World) -> World:
        """``world`` with the hypothetical accounts, principals and secrets added."""
        data = world.to_dict()
        have = {a["id"] for a in data.get("accounts", [])}
        data["accounts"] = [
            *data.get("accounts", []),
            *({"id": a, "name": f"outside-{a}"} for a in self.accounts if a not in have),
        ]
        principals = data.setdefault("principals", {})
        principals["roles"] = [*principals.get("roles", []), *(_role(arn) for arn, _ in self.roles)]
        principals["users"] = [*principals.get("users", []), *(_user(arn) for arn, _ in self.users)]
        data["secrets"] = [
            *data.get("secrets", []),
            *(
                {"arn": arn, "name": name, "account": account, "region": region, "resource_policy": None}
                for arn, name, account, region in self.secrets
            ),
        ]
        return World.from_dict(data)


def _everything_outside(account: str) -> dict[str, Any]:
    """The identity policy of "any principal" of ``account``: whatever its administrators may give
    it, which matters only for what lies outside the account (inside, the world says who is who)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "*",
                "NotResource": [f"arn:*:{service}:*:{account}:*" for service in ("secretsmanager", "kms")]
                + [f"arn:*:iam::{account}:*"],
            },
        ],
    }


def _role(arn: str) -> dict[str, Any]:
    account = Arn.parse(arn).account  # type: ignore[union-attr]
    trusted = {"AWS": f"arn:aws:iam::{account}:root"}
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": trusted, "Action": "sts:AssumeRole"}],
    }
    return {"arn": arn, "trust_policy": trust, "policies": [_everything_outside(account)]}


def _user(arn: str) -> dict[str, Any]:
    account = Arn.parse(arn).account  # type: ignore[union-attr]
    return {"arn": arn, "policies": [_everything_outside(account)]}


def _named(worlds: Sequence[World]) -> tuple[set[str], set[str], set[str]]:
    """The accounts, user ARNs and role ARNs that the Principal elements of the worlds' policies
    name."""
    accounts: set[str] = set()
    users: set[str] = set()
    roles: set[str] = set()
    for world in worlds:
        for _, policy in world.policies():
            for statement in policy.statements:
                element = statement.principal
                if element is None:
                    continue
                accounts |= element.accounts
                for arn in element.users:
                    users.add(arn)
                    parsed = Arn.parse(arn)
                    if parsed is not None and parsed.account:
                        accounts.add(parsed.account)
                for account, name in element.roles:
                    accounts.add(account)
                    roles.add(f"arn:aws:iam::{account}:role/{name}")
                for arn in (*element.sessions, *element.federated_users):
                    parsed = Arn.parse(arn)
                    if parsed is not None and parsed.account:
                        accounts.add(parsed.account)
    return {a for a in accounts if a.isdigit() and len(a) == 12}, users, roles


def _free_account(taken: set[str]) -> str:
    """An account id that no world lists and no policy names, for the anonymous principal."""
    n = int(_STRANGER_ACCOUNT)
    while f"{n:012d}" in taken:
        n -= 1
    return f"{n:012d}"


def _free_role_name(worlds: Sequence[World], account: str) -> str:
    """A role name that no role of ``account`` has (role names are unique in any case)."""
    taken = {r.arn.rpartition("/")[2].lower() for w in worlds for r in w.roles if _account(r.arn) == account}
    name, n = _ANY_PRINCIPAL, 1
    while name.lower() in taken:
        n += 1
        name = f"{_ANY_PRINCIPAL}{n}"
    return name


def _new_secrets(worlds: Sequence[World], listed: set[str]) -> tuple[tuple[str, str, str, str], ...]:
    """One secret that does not exist yet under each prefix the Resource patterns of identity
    policies, boundaries, session policies and SCPs reach, in each account and Region of the
    worlds (and one plain name in each), each checked against the pattern it stands for."""
    regions = sorted(
        {s.region for w in worlds for s in w.secrets} | {k.region for w in worlds for k in w.keys}
    )
    regions = regions or ["us-east-1"]
    partition = "aws"
    names = {(s.account, s.region, s.name) for w in worlds for s in w.secrets}
    arns = {s.arn for w in worlds for s in w.secrets}
    patterns = [PROBE_NAME + "-??????"]  # a name no pattern aims at: Resource "*" reaches it
    for world in worlds:
        for _, policy in world.policies():
            if policy.kind.resource_based:  # their Resource is the holder itself
                continue
            for statement in policy.statements:
                if statement.effect is not Effect.ALLOW or statement.resource is None:
                    continue
                if statement.resource.negated:
                    continue
                for pattern in statement.resource.patterns:
                    if pattern.template is None:
                        patterns.append(pattern.text)
    out: dict[str, tuple[str, str, str, str]] = {}
    for text in dict.fromkeys(patterns):
        name_pattern = text.rpartition(":secret:")[2] if ":secret:" in text else "*"
        name = _probe_name(name_pattern)
        if name is None:
            continue
        pattern = ResourcePattern.build(text, None)
        for account in sorted(listed):
            for region in regions:
                arn = f"arn:{partition}:secretsmanager:{region}:{account}:secret:{name}-{PROBE_SUFFIX}"
                if arn in arns or (account, region, name) in names:
                    continue
                fits = text == PROBE_NAME + "-??????" or pattern.match(arn, _no_variables)
                if fits:
                    out[arn] = (arn, name, account, region)
                    names.add((account, region, name))
    return tuple(out.values())


def _probe_name(pattern: str) -> str | None:
    """A secret name that ``pattern`` (the part of a secret ARN after ``secret:``) reaches with
    AWS's six-character suffix appended: each ``*`` becomes ``new-secret``, each ``?`` an ``x``
    (``team/*`` gives ``team/new-secret``, ``team/s*`` gives ``team/s-new-secret``,
    ``sandbox/new-??????`` gives ``sandbox/new``); None when the pattern cannot end in a suffix."""
    if pattern.endswith("-??????"):
        stem = pattern[:-7]  # a name without wildcards is new when no secret has it (the caller checks)
    elif pattern.endswith("*"):
        stem = pattern  # the last ``*`` takes the name's end and the suffix
        if len(stem) > 1 and stem[-2].isalnum():
            stem = stem[:-1] + "-*"
    else:
        return None
    name = stem.replace("*", PROBE_NAME).replace("?", "x")
    return name if name and set(name) <= _NAME_CHARACTERS else None


_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_+=.@-")


# -- the requests a check asks


@dataclass(frozen=True, slots=True)
class _Asked:
    """The principals, and the (action, resource) pairs, of a check."""

    principals: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    outside: frozenset[str] = frozenset()  # hypothetical principals: their ``*`` is their own account

    def requests(self, variants: Sequence[Mapping[str, Any]]) -> Iterable[Request | dict[str, Any]]:
        plain = len(variants) == 1 and not variants[0]
        for principal in self.principals:
            for action, resource in self.pairs:
                if resource == "*" and principal in self.outside:
                    continue  # an action without a resource acts in the caller's own account
                if plain:
                    yield Request(principal, action, resource)
                else:
                    for variant in variants:
                        yield {"principal": principal, "action": action, "resource": resource, **variant}

    def narrowed(self, resources: Sequence[str] | None) -> _Asked:
        """Only the pairs on resources that ``resources`` (ARN patterns) match."""
        if resources is None:
            return self
        problems: list[Problem] = []
        keep: set[str] = set()
        for i, pattern in enumerate(resources):
            compiled = ResourcePattern.build(pattern, None)
            found = {r for r in self.resources if compiled.match(r, _no_variables)}
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

    def scope(self, hypothetical: _Hypothetical, variants: Sequence[Mapping[str, Any]]) -> Scope:
        return Scope(
            principals=len(self.principals),
            actions=len(self.actions),
            resources=len(self.resources),
            requests=sum(1 for _ in self.requests(({},))) * max(1, len(variants)),
            hypothetical_principals=tuple(
                label for p, label in hypothetical.labels().items() if p in self.principals
            ),
            new_secrets=tuple(name for _, name, _, _ in hypothetical.secrets),
        )


def _asked(worlds: Sequence[World], hypothetical: _Hypothetical, actions: Sequence[str] | None) -> _Asked:
    principals = tuple(
        dict.fromkeys([*(p for w in worlds for p in world_principals(w)), *hypothetical.principals()])
    )
    acts = _actions(actions)
    secrets = tuple(
        dict.fromkeys([*(s.arn for w in worlds for s in w.secrets), *(s[0] for s in hypothetical.secrets)])
    )
    keys = tuple(dict.fromkeys(k.arn for w in worlds for k in w.keys))
    roles = tuple(dict.fromkeys(r.arn for w in worlds for r in w.roles if not r.service_linked))
    by_type = {"secret": secrets, "key": keys, "role": roles}
    pairs: list[tuple[str, str]] = []
    for action in acts:
        types = resource_types(action) or ()
        if not types:
            pairs.append((action, "*"))
            continue
        for kind in dict.fromkeys(t.lower() for t in types):
            pairs.extend((action, r) for r in by_type.get(kind, ()))
    resources = tuple(dict.fromkeys(r for _, r in pairs))
    return _Asked(principals, tuple(pairs), acts, resources, frozenset(hypothetical.principals()))


def _actions(actions: Sequence[str] | None) -> tuple[str, ...]:
    """Every action of ``SERVICES``, or those ``actions`` (patterns allowed) match; an action
    pattern that matches nothing is an error with the closest names."""
    every = tuple(f"{s}:{a}" for s in SERVICES for a in action_names(s))
    if actions is None:
        return every
    if isinstance(actions, str):
        actions = (actions,)
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
                    f"no action of {', '.join(SERVICES)} matches {quoted(pattern)}",
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
    world: World, request: Request | dict[str, Any], hypothetical: _Hypothetical, before: Reason | None
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
        principal_label=labels.get(r.principal, _short(r.principal)),
        action=r.action,
        resource=r.resource,
        resource_label=labels.get(r.resource, _short(r.resource)),
        before=before,
        after=decision.reason,
        steps=steps,
        responsible=tuple(dict.fromkeys(responsible)),
        parameters=dict(r.parameters),
    )


def _no_variables(key: str) -> str | None:
    return None


def _account(arn: str) -> str:
    parsed = Arn.parse(arn)
    return parsed.account if parsed is not None else ""


def _name(arn: str) -> str:
    return arn.rpartition("/")[2]


def _short(arn: str) -> str:
    parsed = Arn.parse(arn)
    return parsed.resource if parsed is not None and parsed.resource else arn


__all__ = [
    "CheckResult",
    "Scope",
    "Witness",
    "check_access_not_granted",
    "check_no_new_access",
    "check_no_public_access",
]
