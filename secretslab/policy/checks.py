"""Per-kind and semantic checks on policy elements, called by the parser as it walks a document:
which elements each policy kind takes (semantics §3.3–3.12), which principals AWS accepts (§3.4),
unknown actions and condition keys with "did you mean" hints; the public-policy test
that ``BlockPublicPolicy`` applies is in ``public``.

AWS pages: reference_policies_elements_principal.html, reference_policies_elements_notprincipal.html,
access-analyzer-reference-policy-checks.html, orgs_manage_policies_rcps_syntax.html,
https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ..arn import ACCOUNT_ID, Arn
from ..pages import (
    KEY_POLICY_OVERVIEW,
    MULTIVALUED_KEYS,
    NOT_PRINCIPAL,
    PRINCIPAL,
    RCP_SYNTAX,
    RESOURCE,
    ROLE_TRUST_POLICY,
)
from ..problems import PathPart, Problem, ProblemCode, quoted
from . import caches, catalog
from .model import Condition, Effect, PolicyKind, PrincipalElement
from .operators import Operator
from .wildcards import action_matcher, has_wildcard

Path = tuple[PathPart, ...]

#: the unique id IAM shows in a stored policy once the user (AIDA…) or role (AROA…) it named is
#: deleted: valid, and it matches nothing (§2.7); a plain character class, no backtracking
STALE_PRINCIPAL_ID = re.compile(r"\A(?:AIDA|AROA)[A-Z0-9]{12,124}\Z")


def _cached(check: Callable[..., list[Problem]]) -> Callable[..., list[Problem]]:
    """Remember a check's problems by its value arguments (the last argument is the JSON path,
    applied afterwards): policies repeat the same actions, resources and keys many times."""

    @lru_cache(maxsize=8192)
    def problems(*args: Any) -> tuple[Problem, ...]:
        return tuple(check(*args, ()))

    def located(*args: Any) -> list[Problem]:
        *values, path = args
        found = problems(*values)
        return [p.under(*path) for p in found] if found else []

    located.__doc__ = check.__doc__
    caches.register(problems.cache_clear)
    return located


#: the Sid IAM, Organizations and STS accept (Secrets Manager and KMS take any text)
IAM_SID = re.compile(r"^[A-Za-z0-9]*$")
_SID_CHECKED = {
    PolicyKind.IDENTITY,
    PolicyKind.BOUNDARY,
    PolicyKind.SESSION,
    PolicyKind.TRUST,
    PolicyKind.SCP,
    PolicyKind.RCP,
}


def check_sid(kind: PolicyKind, sid: str, path: Path) -> list[Problem]:
    """A Sid outside letters and digits, in the kinds whose service allows only those."""
    if kind in _SID_CHECKED and not IAM_SID.match(sid):
        return [
            Problem(
                ProblemCode.INVALID_SID,
                f"Sid {quoted(sid)} has characters other than letters and digits; "
                f"{_a(kind.label)} accepts only [A-Za-z0-9]",
                path,
            )
        ]
    return []


def check_placement(kind: PolicyKind, effect: Effect | None, present: set[str], path: Path) -> list[Problem]:
    """Which elements this kind of policy takes (§3.3, §3.5, §3.7, §3.10, §3.12)."""
    out: list[Problem] = []
    has_principal = "Principal" in present
    has_not_principal = "NotPrincipal" in present
    if not kind.resource_based:
        for name in ("Principal", "NotPrincipal"):
            if name in present:
                out.append(
                    Problem(
                        ProblemCode.PRINCIPAL_NOT_ALLOWED,
                        f"{_a(kind.label)} has no {name}: its principal is implicit (see {PRINCIPAL})",
                        (*path, name),
                    )
                )
        return out
    if has_principal and has_not_principal:
        out.append(
            Problem(ProblemCode.PRINCIPAL_AND_NOT_PRINCIPAL, "found both Principal and NotPrincipal", path)
        )
    elif not (has_principal or has_not_principal):
        out.append(
            Problem(
                ProblemCode.MISSING_PRINCIPAL,
                f"{_a(kind.label)} must say whom it applies to: add Principal",
                path,
            )
        )
    if has_not_principal and kind in (PolicyKind.TRUST, PolicyKind.RCP):
        out.append(
            Problem(
                ProblemCode.NOT_PRINCIPAL_NOT_ALLOWED,
                f"{_a(kind.label)} does not support NotPrincipal",
                (*path, "NotPrincipal"),
            )
        )
    elif has_not_principal and effect is Effect.ALLOW:
        out.append(
            Problem(
                ProblemCode.NOT_PRINCIPAL_WITH_ALLOW,
                f"NotPrincipal with Allow is not supported; use Deny (see {NOT_PRINCIPAL})",
                (*path, "NotPrincipal"),
            )
        )
    if kind is PolicyKind.TRUST:
        for name in ("Resource", "NotResource"):
            if name in present:
                out.append(
                    Problem(
                        ProblemCode.RESOURCE_NOT_ALLOWED,
                        f"a trust policy applies to its role: remove {name} (see {ROLE_TRUST_POLICY})",
                        (*path, name),
                    )
                )
    if kind is PolicyKind.RCP:
        if effect is Effect.ALLOW:
            out.append(
                Problem(
                    ProblemCode.RCP_ALLOW,
                    "custom RCPs can only Deny; RCPFullAWSAccess is the "
                    f"only Allow and is attached implicitly (see {RCP_SYNTAX})",
                    (*path, "Effect"),
                )
            )
        if "NotAction" in present:
            out.append(
                Problem(
                    ProblemCode.ELEMENT_NOT_SUPPORTED,
                    f"RCPs do not support NotAction (see {RCP_SYNTAX})",
                    (*path, "NotAction"),
                )
            )
    return out


def _a(label: str) -> str:
    return ("an " if label[0] in "aeiou" else "a ") + label


def check_missing_resource(kind: PolicyKind, present: set[str], path: Path) -> list[Problem]:
    """A statement without Resource/NotResource: an error in most kinds, a warning in a key
    policy (the statement applies to nothing), fine in a trust policy."""
    if "Resource" in present or "NotResource" in present or kind is PolicyKind.TRUST:
        return []
    if kind is PolicyKind.KEY:
        return [
            Problem(
                ProblemCode.KEY_STATEMENT_WITHOUT_RESOURCE,
                "this key-policy statement has no Resource, so it applies to nothing; "
                f'use "Resource": "*" (see {KEY_POLICY_OVERVIEW})',
                path,
            )
        ]
    return [
        Problem(
            ProblemCode.MISSING_RESOURCE,
            "found neither Resource nor NotResource",
            path,
            hint='"Resource": "*"' if kind.resource_based else None,
        )
    ]


@_cached
def check_principal_value(kind: PolicyKind, ptype: str, value: str, path: Path) -> list[Problem]:
    """A value of Principal/NotPrincipal that AWS would store (§3.4)."""
    if ptype != "AWS":
        if ptype == "Service" and not re.fullmatch(r"[a-z0-9.-]+\.amazonaws\.com(\.cn)?", value):
            return [
                Problem(
                    ProblemCode.INVALID_PRINCIPAL,
                    f"{quoted(value)} is not a service principal such as secretsmanager.amazonaws.com",
                    path,
                )
            ]
        return []
    if value == "*":
        if kind is PolicyKind.TRUST:
            return [
                Problem(
                    ProblemCode.WILDCARD_PRINCIPAL_IN_TRUST,
                    'Principal "*" lets any AWS principal assume the role unless conditions '
                    f"restrict it (see {PRINCIPAL})",
                    path,
                )
            ]
        return []
    if kind is PolicyKind.RCP:
        return []  # reported once by check_rcp_principal
    if ACCOUNT_ID.match(value):
        return []
    if STALE_PRINCIPAL_ID.match(value):
        return [
            Problem(
                ProblemCode.STALE_PRINCIPAL_ID,
                f"stale principal id: the entity was deleted ({value} is the unique id IAM shows in "
                "place of a deleted user or role; it matches no principal, not even one re-created "
                "with the same name)",
                path,
                hint="remove it, or name the re-created entity by its ARN "
                "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html)",
            )
        ]
    arn = Arn.parse(value)
    if arn and arn.service == "iam" and arn.resource_type == "group":
        return [
            Problem(
                ProblemCode.GROUP_PRINCIPAL,
                f"{value} is an IAM group; groups are not principals and cannot be named "
                f"in a resource-based policy (see {PRINCIPAL})",
                path,
                hint="grant the group through an identity-based policy attached to it",
            )
        ]
    if has_wildcard(value):
        return [
            Problem(
                ProblemCode.PARTIAL_WILDCARD_PRINCIPAL,
                f"{quoted(value)} uses a wildcard for part of a principal; only the whole value "
                f'"*" is allowed (see {PRINCIPAL})',
                path,
                hint='use "Principal": "*" with an ArnLike condition on aws:PrincipalArn',
            )
        ]
    if arn is None or not ACCOUNT_ID.match(arn.account) or not _principal_arn_shape(arn):
        return [
            Problem(
                ProblemCode.INVALID_PRINCIPAL,
                f"{quoted(value)} is not an account id, root, user, role, assumed-role or federated-user ARN",
                path,
            )
        ]
    return []


def _principal_arn_shape(arn: Arn) -> bool:
    if arn.service == "iam":
        return arn.resource == "root" or arn.resource_type in ("user", "role")
    return arn.service == "sts" and arn.resource_type in ("assumed-role", "federated-user")


def check_rcp_principal(principal: PrincipalElement | None, path: Path) -> list[Problem]:
    """An RCP may name only ``"Principal": "*"``."""
    if principal is None or principal.negated:
        return []
    if principal.wildcard and len(principal.values) == 1:
        return []
    return [
        Problem(
            ProblemCode.RCP_PRINCIPAL,
            f'an RCP statement takes "Principal": "*" and narrows with conditions (see {RCP_SYNTAX})',
            (*path, "Principal"),
        )
    ]


@_cached
def check_action(pattern: str, path: Path) -> list[Problem]:
    """An action written ``service:Name``; for a service in the catalogue, an action it does not
    have (a warning with "did you mean")."""
    if pattern == "*":
        return []
    service, sep, name = pattern.partition(":")
    if not sep or not service or not name or ":" in name:
        return [
            Problem(
                ProblemCode.INVALID_ACTION,
                f"{quoted(pattern)} is not service:ActionName (for example secretsmanager:GetSecretValue)",
                path,
            )
        ]
    if not catalog.known_service(service) or has_wildcard(service):
        return []
    if has_wildcard(name):
        if not _matches_some_action(service.lower(), name):
            message = f"{quoted(pattern)} matches no {service} action"
            return [Problem(ProblemCode.UNKNOWN_ACTION, message, path)]
        return []
    if catalog.canonical_action(pattern) is None:
        hint = catalog.suggest_action(pattern)
        return [
            Problem(
                ProblemCode.UNKNOWN_ACTION,
                f"{service} has no action {quoted(name)}",
                path,
                hint=f"did you mean {hint}?" if hint else None,
            )
        ]
    return []


@lru_cache(maxsize=4096)
def _matches_some_action(service: str, name: str) -> bool:
    pattern = action_matcher(name)
    return any(pattern.matches(a.lower()) for a in catalog.action_names(service))


caches.register(_matches_some_action.cache_clear)


@_cached
def check_resource(kind: PolicyKind, pattern: str, path: Path) -> list[Problem]:
    """A resource that is ``*`` or an ARN, whose service part is not a wildcard."""
    if pattern == "*" or ("${" in pattern and not pattern.startswith("arn:")):
        return []
    parts = pattern.split(":", 5)
    # A shorter ARN is accepted when a trailing * spans the missing segments (§4.3).
    if parts[0] != "arn" or len(parts) < 3 or (len(parts) < 6 and not pattern.endswith("*")):
        return [
            Problem(
                ProblemCode.INVALID_RESOURCE,
                f"{quoted(pattern)} is neither an ARN nor *",
                path,
                hint="a secret ARN is arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-??????",
            )
        ]
    if has_wildcard(parts[2]):
        return [
            Problem(
                ProblemCode.SERVICE_WILDCARD_IN_RESOURCE,
                f"the service part of {quoted(pattern)} cannot be wildcarded; it is read literally "
                f"(see {RESOURCE})",
                path,
            )
        ]
    return []


def check_condition(condition: Condition, effect: Effect | None, path: Path) -> list[Problem]:
    """Lint a parsed condition: unknown key, set operators vs the key's type (§5.13–5.14)."""
    return _check_condition(condition.key, condition.operator, effect, path)


@_cached
def _check_condition(key: str, op: Operator, effect: Effect | None, path: Path) -> list[Problem]:
    out: list[Problem] = []
    typ = catalog.key_type(key)
    if typ is None and catalog.key_is_checked(key):
        hint = catalog.suggest_key(key)
        out.append(
            Problem(
                ProblemCode.UNKNOWN_CONDITION_KEY,
                f"{quoted(key)} is not a known condition key",
                path,
                hint=f"did you mean {hint}?" if hint else None,
            )
        )
    elif typ is not None:
        multivalued = typ.startswith("ArrayOf")
        if op.qualifier and not multivalued and op.base != "Null":
            out.append(
                Problem(
                    ProblemCode.SET_OPERATOR_ON_SINGLE_VALUED_KEY,
                    f"{key} is single-valued ({typ}); {op.qualifier} treats its value as a "
                    f"one-element set (see {MULTIVALUED_KEYS})",
                    path,
                )
            )
        if multivalued and not op.qualifier and op.base != "Null":
            out.append(
                Problem(
                    ProblemCode.MULTIVALUED_KEY_WITHOUT_SET_OPERATOR,
                    f"{key} is multivalued ({typ}); {op.name} matches when any value matches "
                    f"(see {MULTIVALUED_KEYS})",
                    path,
                    hint=f"ForAnyValue:{op.name} or ForAllValues:{op.name}",
                )
            )
    if op.qualifier == "ForAllValues" and effect is Effect.ALLOW and not op.if_exists:
        out.append(
            Problem(
                ProblemCode.FOR_ALL_VALUES_WITH_ALLOW,
                f"ForAllValues is true when {key} is absent, so this Allow also applies to "
                f"requests without the key (see {MULTIVALUED_KEYS})",
                path,
                hint=f'add {{"Null": {{"{key}": "false"}}}}',
            )
        )
    return out
