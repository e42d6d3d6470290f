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
from ..policy.model import Effect, PolicyKind, ResourcePattern
from ..policy.wildcards import action_matcher, has_wildcard
from ..problems import Problem, ProblemCode, UnknownNameError, did_you_mean, quoted, request_error
from ..world import World
from .contexts import contexts
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
    context: Mapping[str, Any] = field(default_factory=dict)  # the condition keys the caller supplied

    @property
    def request(self) -> dict[str, Any]:
        """The request in the format ``authorize`` reads (in the world the check built)."""
        out: dict[str, Any] = {"principal": self.principal, "action": self.action, "resource": self.resource}
        if self.parameters:
            out["parameters"] = dict(self.parameters)
        if self.context:
            out["context"] = dict(self.context)
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
            "context": dict(self.context),
        }

    @property
    def when(self) -> str:
        """The context the request needs, in words (empty for a bare request)."""
        if not self.context:
            return ""
        return " with " + ", ".join(f"{k}={v}" for k, v in self.context.items())

    def __str__(self) -> str:
        why = "; ".join(self.responsible) or self.after.summary
        return (
            f"{self.principal_label} may {self.action} on {self.resource_label}{self.when} "
            f"({self.after.value}: {why})"
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
    contexts: int = 1  # the variants each request could be asked with (the bare request included)

    def to_dict(self) -> dict[str, Any]:
        """The scope as JSON-ready data."""
        return {
            "principals": self.principals,
            "actions": self.actions,
            "resources": self.resources,
            "requests": self.requests,
            "hypothetical_principals": list(self.hypothetical_principals),
            "new_secrets": list(self.new_secrets),
            "contexts": self.contexts,
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
            + (f", in up to {s.contexts} request contexts" if s.contexts > 1 else "")
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
    worlds = (before, after)
    hypothetical = _Hypothetical.of(worlds)
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
    hypothetical = _Hypothetical.of((world,), extra=tuple(resources or ()))
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
    hypothetical = _Hypothetical.of((world,))
    extended = hypothetical.extend(world)
    asked = _asked((world,), hypothetical, actions).signed_by(hypothetical.strangers)
    asking = _variants((world,), variants, explore)
    return _granted("no public access", extended, asked, hypothetical, asking, _Relevant((world,)))


def _granted(
    check: str,
    world: World,
    asked: _Asked,
    hypothetical: _Hypothetical,
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
    strangers: tuple[str, ...]  # the anonymous principal: a role session and a user
    organizations: tuple[tuple[str, str], ...] = ()  # (account, organization id) of added accounts

    @classmethod
    def of(cls, worlds: Sequence[World], extra: tuple[str, ...] = ()) -> _Hypothetical:
        listed = {a.id for w in worlds for a in w.accounts}
        listed |= {s.account for w in worlds for s in w.secrets} | {k.account for w in worlds for k in w.keys}
        named, named_users, named_roles, orgs = _named(worlds)
        stranger = _free_account(listed | named)
        outside_orgs = {}
        taken = listed | named | {stranger}
        for org in sorted(orgs - {a.org_id for w in worlds for a in w.accounts if a.org_id}):
            outside_orgs[_free_account(taken)] = org  # an account of an organization a policy names
            taken |= set(outside_orgs)
        accounts = [*sorted(named - listed), *outside_orgs, stranger]
        roles: list[tuple[str, str]] = []
        users: list[tuple[str, str]] = []
        for account in [*sorted(named), *outside_orgs, stranger]:
            if account == stranger:
                label = "the anonymous principal (any AWS account)"
            elif account in outside_orgs:
                label = f"any principal of organization {outside_orgs[account]}"
            else:
                label = f"any principal of account {account}"
            name = _free_name(worlds, account)
            roles.append((f"arn:aws:iam::{account}:role/{name}", label))
            users.append((f"arn:aws:iam::{account}:user/{name}", f"{label}, as an IAM user"))
        held = {r.arn for w in worlds for r in w.roles} | {u.arn for w in worlds for u in w.users}
        outside = set(accounts)
        roles += [
            (arn, f"role {_name(arn)} of account {_account(arn)} (named by a policy, outside the world)")
            for arn in sorted(named_roles - held)
            if _account(arn) in outside
        ]
        users += [
            (arn, f"user {_name(arn)} of account {_account(arn)} (named by a policy, outside the world)")
            for arn in sorted(named_users - held)
            if _account(arn) in outside
        ]
        strangers = (
            session_of(f"arn:aws:iam::{stranger}:role/{_free_name(worlds, stranger)}"),
            f"arn:aws:iam::{stranger}:user/{_free_name(worlds, stranger)}",
        )
        secrets = _new_secrets(worlds, listed, extra)
        return cls(
            tuple(accounts), tuple(roles), tuple(users), secrets, strangers, tuple(outside_orgs.items())
        )

    def principals(self) -> tuple[str, ...]:
        """The ARNs that sign requests for the hypothetical principals."""
        return (*(session_of(arn) for arn, _ in self.roles), *(arn for arn, _ in self.users))

    def labels(self) -> dict[str, str]:
        """Each hypothetical principal's signing ARN, and each new secret's ARN, in words."""
        out = {session_of(arn): label for arn, label in self.roles}
        out.update(self.users)
        out.update(
            (arn, f"{name} in {account} {region} (a secret that does not exist yet)")
            for arn, name, account, region in self.secrets
        )
        return out

    def extend(self, world: World) -> World:
        """``world`` with the hypothetical accounts, principals and secrets added."""
        data = world.to_dict()
        have = {a["id"] for a in data.get("accounts", [])}
        orgs = dict(self.organizations)
        data["accounts"] = [
            *data.get("accounts", []),
            *(
                {"id": a, "name": f"outside-{a}", **({"org_id": orgs[a]} if a in orgs else {})}
                for a in self.accounts
                if a not in have
            ),
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


def _named(worlds: Sequence[World]) -> tuple[set[str], set[str], set[str], set[str]]:
    """The accounts, user ARNs and role ARNs that the worlds' policies name — in Principal
    elements, in ``aws:PrincipalAccount``/``aws:PrincipalArn`` conditions, as KMS grantees — and
    the organizations their ``aws:PrincipalOrgID`` conditions name."""
    accounts: set[str] = set()
    users: set[str] = set()
    roles: set[str] = set()
    orgs: set[str] = set()

    def arn(text: str) -> None:
        parsed = Arn.parse(text)
        if parsed is None or not parsed.account or has_wildcard(parsed.account):
            return
        accounts.add(parsed.account)
        kind, _, name = parsed.resource.partition("/")
        if parsed.service == "iam" and name and not has_wildcard(name):
            (roles if kind == "role" else users if kind == "user" else set()).add(text)

    for world in worlds:
        for key in world.keys:
            for grant in key.grants:
                arn(grant.grantee)
        for _, policy in world.policies():
            for statement in policy.statements:
                for condition in statement.conditions:
                    key_name = condition.key_lower
                    if key_name == "aws:principalaccount":
                        accounts.update(v for v in condition.values if not has_wildcard(v))
                    elif key_name == "aws:principalarn":
                        for value in condition.values:
                            arn(value)
                    elif key_name == "aws:principalorgid":
                        orgs.update(v for v in condition.values if v and not has_wildcard(v))
                element = statement.principal
                if element is None:
                    continue
                accounts |= element.accounts
                for user in element.users:
                    arn(user)
                for account, name in element.roles:
                    accounts.add(account)
                    roles.add(f"arn:aws:iam::{account}:role/{name}")
                for session in (*element.sessions, *element.federated_users):
                    arn(session)
    return {a for a in accounts if a.isdigit() and len(a) == 12}, users, roles, orgs


def _free_account(taken: set[str]) -> str:
    """An account id that no world lists and no policy names, for the anonymous principal."""
    n = int(_STRANGER_ACCOUNT)
    while f"{n:012d}" in taken:
        n -= 1
    return f"{n:012d}"


def _free_name(worlds: Sequence[World], account: str) -> str:
    """A name that no role or user of ``account`` has (names are unique in any case)."""
    entities = [*(r.arn for w in worlds for r in w.roles), *(u.arn for w in worlds for u in w.users)]
    taken = {e.rpartition("/")[2].lower() for e in entities if _account(e) == account}
    name, n = _ANY_PRINCIPAL, 1
    while name.lower() in taken:
        n += 1
        name = f"{_ANY_PRINCIPAL}{n}"
    return name


def _new_secrets(
    worlds: Sequence[World], listed: set[str], extra: tuple[str, ...] = ()
) -> tuple[tuple[str, str, str, str], ...]:
    """One secret that does not exist yet under each prefix the Resource patterns of identity
    policies, boundaries, session policies and SCPs reach (``${aws:username}`` filled with each
    user's name), and under each of ``extra``, in each account and Region of the worlds (plus
    another Region when a pattern leaves the Region open), and one plain name in each, each
    checked against the pattern it stands for."""
    regions = sorted(
        {s.region for w in worlds for s in w.secrets} | {k.region for w in worlds for k in w.keys}
    )
    regions = regions or ["us-east-1"]
    names = {(s.account, s.region, s.name) for w in worlds for s in w.secrets}
    arns = {s.arn for w in worlds for s in w.secrets}
    user_names = sorted({u.arn.rpartition("/")[2] for w in worlds for u in w.users})
    patterns = [PROBE_NAME + "-??????", *extra]  # a name no pattern aims at: Resource "*" reaches it
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
                    patterns.extend(_filled(pattern, user_names))
    for text in patterns:
        parsed = Arn.parse(text)
        if parsed is not None and parsed.service == "secretsmanager" and parsed.region not in regions:
            regions.append(_OTHER_REGION if has_wildcard(parsed.region) else parsed.region)
    out: dict[str, tuple[str, str, str, str]] = {}
    for text in dict.fromkeys(patterns):
        name_pattern = text.rpartition(":secret:")[2] if ":secret:" in text else "*"
        name = _probe_name(name_pattern)
        if name is None:
            continue
        pattern = ResourcePattern.build(text, None)
        for account in sorted(listed):
            for region in dict.fromkeys(regions):
                arn = f"arn:aws:secretsmanager:{region}:{account}:secret:{name}-{PROBE_SUFFIX}"
                if arn in arns or (account, region, name) in names:
                    continue
                if text == PROBE_NAME + "-??????" or pattern.match(arn, _no_variables):
                    out[arn] = (arn, name, account, region)
                    names.add((account, region, name))
    return tuple(out.values())


_OTHER_REGION = "eu-west-1"  # a Region the world holds nothing in, for patterns open to any Region


def _filled(pattern: ResourcePattern, user_names: list[str]) -> list[str]:
    """The pattern's text; with policy variables, one text per user name for ``${aws:username}``
    (other variables give none: the check does not guess their values)."""
    if pattern.template is None:
        return [pattern.text]
    out = []
    for user in user_names:
        parts = []
        for part in pattern.template:
            if isinstance(part, str):
                parts.append(part)
            elif getattr(part, "key_lower", None) == "aws:username":
                parts.append(user)
            elif hasattr(part, "text"):  # a literal such as ${*}
                parts.append(part.text)
            else:
                break
        else:
            out.append("".join(parts))
    return out


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

    def scope(self, hypothetical: _Hypothetical, variants: Sequence[Variant]) -> Scope:
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


def _asked(worlds: Sequence[World], hypothetical: _Hypothetical, actions: Sequence[str] | None) -> _Asked:
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
        names = [f"{service}:{a}".lower() for a in action_names(service)]
        for world in worlds:
            reached = any(
                statement.effect is Effect.ALLOW
                and (statement.action.negated or any(statement.action.matches(n) for n in names))
                for _, policy in world.policies()
                if policy.kind in _GRANTING
                for statement in policy.statements
            )
            if reached:
                extra.append(service)
                break
    return (*SERVICES, *extra)


def _actions(actions: Sequence[str] | None, worlds: Sequence[World]) -> tuple[str, ...]:
    """Every action of the services involved (``_services``), or those ``actions`` (patterns
    allowed) match; an action pattern that matches nothing is an error with the closest names."""
    services = _services(worlds) if actions is None else (*SERVICES, "iam")
    every = tuple(
        f"{s}:{a}" for s in services for a in action_names(s) if f"{s}:{a}".lower() not in _UNAUTHORIZED
    )
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
        context={k: (list(v) if len(v) != 1 else v[0]) for k, v in r.context},
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
