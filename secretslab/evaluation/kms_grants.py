"""AWS KMS grants (semantics §9.10): a third way, beside the key policy and IAM policies, to be
allowed to use a key. A grant names one grantee principal (a user, a role — then every session
of it —, an assumed-role or federated session, an account, or a service principal), the grant
operations it allows, and optional constraints on the request's encryption context. A grant only
ever allows; the engine still applies explicit denies, SCPs, RCPs, permissions boundaries and
session policies, and across accounts the caller's identity policies (``engine``).

Not to be confused with ``grants``, which sorts what a resource-based *policy* grants by how its
principal matched.

AWS pages: https://docs.aws.amazon.com/kms/latest/developerguide/grants.html,
https://docs.aws.amazon.com/kms/latest/developerguide/grant-authorization.html,
https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from ..arn import ACCOUNT_ID, Arn
from .context import Context
from .matching import MatchKind
from .principals import Principal, PrincipalType

#: the operations a grant can allow (KMS's GrantOperation values), each the action kms:<operation>
GRANT_OPERATIONS = (
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "Sign",
    "Verify",
    "GetPublicKey",
    "CreateGrant",
    "RetireGrant",
    "DescribeKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateMac",
    "VerifyMac",
    "DeriveSharedSecret",
)

#: operations that take an encryption context: the only ones a grant's constraints apply to
#: (API_GrantConstraints: "not applied to ... management operations, such as DescribeKey or
#: RetireGrant")
_WITH_CONTEXT = frozenset(
    op.lower()
    for op in (
        "Decrypt",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "ReEncryptFrom",
        "ReEncryptTo",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
    )
)

_CONTEXT_PREFIX = "kms:encryptioncontext:"

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class KmsGrant:
    """One grant on a key, as KMS ``ListGrants`` returns it: ``GrantId``, ``GranteePrincipal``,
    ``Operations``, the optional ``Constraints`` (``EncryptionContextEquals`` /
    ``EncryptionContextSubset``), ``RetiringPrincipal`` and ``Name``; ``kept`` holds the fields
    KMS returns that do not change a decision (``KeyId``, ``IssuingAccount``, ``CreationDate``)."""

    grant_id: str
    grantee: str
    operations: tuple[str, ...]
    context_equals: Pairs | None = None
    context_subset: Pairs | None = None
    retiring_principal: str | None = None
    name: str | None = None
    kept: tuple[tuple[str, Any], ...] = ()

    @property
    def label(self) -> str:
        """``KMS grant <id>`` (and its name, when it has one), for explanations."""
        return f"KMS grant {self.grant_id}" + (f" ({self.name})" if self.name else "")

    def allows_action(self, action_lower: str) -> bool:
        """Whether ``kms:<operation>`` is one of the grant's operations."""
        return any(f"kms:{op.lower()}" == action_lower for op in self.operations)

    def to_dict(self) -> dict[str, Any]:
        """The grant in ListGrants's shape (``World.to_dict`` writes it back as read)."""
        out: dict[str, Any] = {"GrantId": self.grant_id, "GranteePrincipal": self.grantee}
        if self.name is not None:
            out["Name"] = self.name
        out["Operations"] = list(self.operations)
        constraints: dict[str, Any] = {}
        if self.context_equals is not None:
            constraints["EncryptionContextEquals"] = dict(self.context_equals)
        if self.context_subset is not None:
            constraints["EncryptionContextSubset"] = dict(self.context_subset)
        if constraints:
            out["Constraints"] = constraints
        if self.retiring_principal is not None:
            out["RetiringPrincipal"] = self.retiring_principal
        out.update(self.kept)
        return out


class GrantResult(NamedTuple):
    """How one grant met a request: whether it applies, how its grantee matched the caller
    (DIRECT, ROLE, or ACCOUNT: an account grantee delegates to the account's identity policies,
    as the account principal of a key policy does), and why not when it does not apply."""

    grant: KmsGrant
    applies: bool
    kind: MatchKind | None = None
    why: str = ""

    def __str__(self) -> str:
        return self.grant.label


def grant_results(
    grants: tuple[KmsGrant, ...], principal: Principal, action_lower: str, context: Context
) -> tuple[tuple[GrantResult, ...], int]:
    """A result for each grant of the key whose grantee is the caller (or its role or account) and
    whose operations include the action, and how many other grants include the action (a key
    may hold 50,000 grants: only those concerning the caller are kept)."""
    out = []
    others = 0
    for grant in grants:
        if not grant.allows_action(action_lower):
            continue
        kind = grantee_kind(grant.grantee, principal)
        if kind is None:
            others += 1
            continue
        why = constraint_failure(grant, action_lower, context)
        out.append(GrantResult(grant, why is None, kind, why or ""))
    return tuple(out), others


def grantee_kind(grantee: str, principal: Principal) -> MatchKind | None:
    """How a grant's grantee principal names the caller: DIRECT (the user, the session, the
    federated user, or the account for its root user), ROLE (a role: every session of it), ACCOUNT
    (an account, for its users and roles), or None (another principal, or a service principal:
    secretslab models no service calling KMS with its own credentials)."""
    if ACCOUNT_ID.match(grantee):
        account = grantee
    else:
        arn = Arn.parse(grantee)
        if arn is None or not ACCOUNT_ID.match(arn.account):
            return None
        if arn.service == "iam" and arn.resource == "root":
            account = arn.account
        elif arn.service == "iam" and arn.resource_type == "role":
            if principal.type is PrincipalType.SESSION and (principal.account, principal.role_name) == (
                arn.account,
                arn.name,
            ):
                return MatchKind.ROLE
            return None
        else:
            return MatchKind.DIRECT if grantee == principal.arn else None
    if principal.account != account:
        return None
    return MatchKind.DIRECT if principal.type is PrincipalType.ROOT else MatchKind.ACCOUNT


def constraint_failure(grant: KmsGrant, action_lower: str, context: Context) -> str | None:
    """Why the grant's encryption-context constraint fails the request, or None when it holds
    (or does not apply to the operation). Keys compare case-insensitively, values exactly
    (API_GrantConstraints)."""
    if grant.context_equals is None and grant.context_subset is None:
        return None
    if action_lower.partition(":")[2] not in _WITH_CONTEXT:
        return None
    request: list[tuple[str, str]] = []  # the request's pairs, keys as written
    for key, values in context.items():
        if key.lower().startswith(_CONTEXT_PREFIX) and values:
            request.append((key[len(_CONTEXT_PREFIX) :], str(values[0])))
    given = {k.lower(): v for k, v in request}
    if grant.context_equals is not None and given != {k.lower(): v for k, v in grant.context_equals}:
        return (
            f"the request's encryption context {_show(request)} is not exactly the grant's "
            f"EncryptionContextEquals {_show(grant.context_equals)}"
        )
    if grant.context_subset is not None:
        missing = [(k, v) for k, v in grant.context_subset if given.get(k.lower()) != v]
        if missing:
            return (
                f"the request's encryption context {_show(request)} lacks the grant's "
                f"EncryptionContextSubset pairs {_show(missing)}"
            )
    return None


def _show(pairs: Pairs | list[tuple[str, str]]) -> str:
    """Pairs as ``{k=v, ...}``, each value cut to a readable length."""
    return "{" + ", ".join(f"{k[:80]}={v[:120]}" for k, v in sorted(pairs)) + "}"
