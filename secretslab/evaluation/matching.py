"""Does a statement's Action, Resource and Principal match the request? Action is
case-insensitive (§4.1–4.2), Resource case-sensitive with policy variables (§4.3–4.4, §4.8, §6),
and Principal yields the *match kind* that decides which grants count (§4.5): a DIRECT grant
names the caller, a ROLE grant names its role (or the user behind a federated session), an
ACCOUNT grant only delegates to the account's IAM policies. Deny statements apply when any
element of the caller's identity chain is listed (§4.6); NotPrincipal excludes only callers whose
whole chain is listed, and never one with a permissions boundary (§4.7, A3).

AWS pages: reference_policies_elements_principal.html, reference_policies_elements_notprincipal.html,
reference_policies_elements_resource.html
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from ..pages import NOT_PRINCIPAL
from ..policy.checks import STALE_PRINCIPAL_ID
from ..policy.model import PrincipalElement, ResourceElement
from .context import Context
from .memo import Memo, remember
from .principals import Principal, PrincipalType


class MatchKind(StrEnum):
    """How a resource-based policy's Principal matched the caller (§4.5): DIRECT names the caller
    itself, ROLE its role (or the user behind a federated session), ACCOUNT only its account, which
    delegates to the account's identity-based policies."""

    DIRECT = "direct"
    ROLE = "role"
    ACCOUNT = "account"


class ElementState(StrEnum):
    """How Resource/NotResource met the resource (before NotResource's negation)."""

    LISTED = "listed"  # a pattern matches the resource
    UNLISTED = "unlisted"  # no pattern matches it
    NO_ELEMENT = "no-element"  # the statement has no Resource element


class ElementResult(NamedTuple):  # a NamedTuple: immutable, and cheap to build on the hot path
    """Whether Resource/NotResource matched; ``why`` words it on demand."""

    matched: bool
    state: ElementState
    pattern: str | None = None  # the pattern that matched
    negated: bool = False
    unresolved: bool = False  # a pattern had a policy variable that could not be resolved

    @property
    def why(self) -> str:
        """Why Resource or NotResource matched or not, in a sentence."""
        if self.state is ElementState.NO_ELEMENT:
            return (
                "no Resource element: the statement applies to its own resource"
                if self.matched
                else "no Resource element: the statement applies to nothing"
            )
        if self.negated:
            if self.state is ElementState.LISTED:
                return f"NotResource lists {self.pattern}, which matches the resource"
            return "the resource is not listed in NotResource"
        if self.state is ElementState.LISTED:
            return f"Resource {self.pattern} matches the resource"
        extra = (
            " (a policy variable could not be resolved, so its pattern matches nothing)"
            if self.unresolved
            else ""
        )
        return f"no Resource pattern matches the resource{extra}"


class PrincipalResult(NamedTuple):
    """Whether a statement's Principal or NotPrincipal matched the caller, how (``kind``, which
    decides whether an Allow's grant counts on its own; None for Deny and NotPrincipal matches and
    for no match) and why, in a sentence."""

    matched: bool
    kind: MatchKind | None
    why: str


def match_resource(
    element: ResourceElement | None,
    resource: str,
    context: Context,
    *,
    absent_matches: bool,
    memo: Memo | None = None,
) -> ElementResult:
    """Whether Resource/NotResource matches; a static element's answer (it depends on the
    resource alone) is remembered in ``memo``."""
    if element is None:
        return ElementResult(absent_matches, ElementState.NO_ELEMENT)
    if element.any:
        return ANY_RESOURCE
    if element.static and memo is not None:
        key = (element, resource)
        found = memo.resources.get(key)
        if found is None:
            found = _match_patterns(element, resource, context, memo)
            remember(memo.resources, key, found)
        return found
    return _match_patterns(element, resource, context, memo)


def _match_patterns(
    element: ResourceElement, resource: str, context: Context, memo: Memo | None = None
) -> ElementResult:
    unresolved = False
    hit: str | None = None
    for pattern in element.patterns:
        if pattern.matcher is not None and memo is not None:
            # a wildcard pattern: patterns are shared by elements, which fresh policies are not
            key = (pattern, resource)
            matched = memo.patterns.get(key)
            if matched is None:
                matched = pattern.matcher.matches(resource)
                remember(memo.patterns, key, matched)
        else:
            matched = pattern.match(resource, context.single)
        if matched is None:
            unresolved = True
        elif matched:
            hit = pattern.text
            break
    state = ElementState.LISTED if hit is not None else ElementState.UNLISTED
    return ElementResult((hit is not None) != element.negated, state, hit, element.negated, unresolved)


ANY_RESOURCE = ElementResult(True, ElementState.LISTED, "*")  # "Resource": "*"


def chain(principal: Principal) -> tuple[tuple[str, str], ...]:
    """The identity chain (§2.4) as (kind, value) pairs, outermost first."""
    if principal.type is PrincipalType.ROOT:
        return (("account", principal.account),)
    if principal.type is PrincipalType.USER:
        return (("account", principal.account), ("user", principal.arn))
    if principal.type is PrincipalType.SESSION:
        return (
            ("account", principal.account),
            ("role", principal.role_name or ""),
            ("session", principal.arn),
        )
    return (("account", principal.account), ("federated-user", principal.arn))


def _listed(element: PrincipalElement, principal: Principal, kind: str, value: str) -> bool:
    if kind == "account":
        return value in element.accounts
    if kind == "user":
        return value in element.users
    if kind == "role":
        return (principal.account, value) in element.roles
    if kind == "session":
        return value in element.sessions
    return value in element.federated_users


def match_principal(element: PrincipalElement, principal: Principal, *, deny: bool) -> PrincipalResult:
    """Whether the Principal/NotPrincipal ``element`` matches ``principal``. For a Deny
    (``deny=True``) any element of the caller's identity chain counts (§4.6); for an Allow the
    match says its kind, which decides whether the grant counts on its own (§4.5); NotPrincipal
    matches unless it lists the caller's whole chain, and always for a caller with a permissions
    boundary (§4.7)."""
    if element.negated:
        return _not_principal(element, principal)
    if element.wildcard:
        return PrincipalResult(True, MatchKind.DIRECT, 'Principal "*" matches every principal')
    if deny:
        for link, value in chain(principal):
            if _listed(element, principal, link, value):
                return PrincipalResult(True, None, f"the Deny names the caller's {link} {value}")
        return PrincipalResult(
            False, None, f"the Deny names nothing in {principal.arn}'s chain{_stale_note(element)}"
        )
    kind = allow_kind(element, principal)
    if kind is None:
        return PrincipalResult(
            False,
            None,
            f"Principal does not name {principal.arn}, its role or its account{_stale_note(element)}",
        )
    why = {
        MatchKind.DIRECT: f"Principal names {principal.arn} itself",
        MatchKind.ROLE: f"Principal names the role {principal.principal_arn} of this session"
        if principal.type is PrincipalType.SESSION
        else f"Principal names {principal.source_user}, who federated this session",
        MatchKind.ACCOUNT: f"Principal names account {principal.account}: it delegates to that "
        "account's IAM policies",
    }[kind]
    return PrincipalResult(True, kind, why)


@lru_cache(maxsize=4096)  # elements are shared and immutable
def _stale_note(element: PrincipalElement) -> str:
    """Why a unique id in the element matched nobody (§2.7), or ""."""
    stale = [v for kind, v in element.values if kind == "AWS" and STALE_PRINCIPAL_ID.match(v)]
    if not stale:
        return ""
    shown = ", ".join(stale[:3]) + (" ..." if len(stale) > 3 else "")
    return f" ({shown}: stale principal id, the entity was deleted)"


def allow_kind(element: PrincipalElement, principal: Principal) -> MatchKind | None:
    """The strongest grant an Allow's Principal gives the caller (§4.5)."""
    if element.wildcard:
        return MatchKind.DIRECT
    account = principal.account in element.accounts
    ptype = principal.type
    if ptype is PrincipalType.ROOT:
        return MatchKind.DIRECT if account else None
    if ptype is PrincipalType.USER and principal.arn in element.users:
        return MatchKind.DIRECT
    if ptype is PrincipalType.SESSION:
        if principal.arn in element.sessions:
            return MatchKind.DIRECT
        if (principal.account, principal.role_name) in element.roles:
            return MatchKind.ROLE
    if ptype is PrincipalType.FEDERATED:
        if principal.arn in element.federated_users:
            return MatchKind.DIRECT
        if principal.source_user and principal.source_user in element.users:
            return MatchKind.ROLE
    return MatchKind.ACCOUNT if account else None


def _not_principal(element: PrincipalElement, principal: Principal) -> PrincipalResult:
    if principal.has_boundary:
        return PrincipalResult(
            True,
            None,
            f"NotPrincipal always applies to a principal with a permissions boundary (see {NOT_PRINCIPAL})",
        )
    if element.wildcard:
        return PrincipalResult(False, None, 'NotPrincipal "*" excludes every principal')
    missing = [f"{k} {v}" for k, v in chain(principal) if not _listed(element, principal, k, v)]
    if not missing:
        return PrincipalResult(False, None, "NotPrincipal lists every element of the caller's chain")
    return PrincipalResult(
        True,
        None,
        "NotPrincipal does not list the caller's "
        + ", ".join(missing)
        + f" (every element must be listed; see {NOT_PRINCIPAL})",
    )
