"""The rules a service adds to the evaluation flow, as one value handed to the engine with each
request (``EvalRequest.rules``): which actions work across accounts, whether resource control
policies apply, and how the resource's own account trusts identity-based policies — through IAM
(the default), only through the key policy (KMS, semantics §9.1–9.2) or only through the trust
policy (STS, §11.2). The services that define them live in ``secretslab.services``.

AWS pages: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..policy.model import PolicyKind
from .results import Reason


class AccountTrust(StrEnum):
    """How the resource's account lets identity-based policies allow access to the resource."""

    IAM = "iam"  # identity policies count inside the account
    KEY_POLICY = "key policy"  # KMS: only when the key policy allows the account, even for root
    TRUST_POLICY = "trust policy"  # STS: the trust policy must allow the caller explicitly


@dataclass(frozen=True, slots=True)
class ServiceRules:
    """What one service changes in the evaluation of its requests (the default: nothing)."""

    service: str
    resource_policy_kind: PolicyKind = PolicyKind.RESOURCE
    account_trust: AccountTrust = AccountTrust.IAM
    root_forbidden: frozenset[str] = frozenset()  # lower-case actions the root user cannot call
    cross_account_actions: frozenset[str] | None = None  # lower-case; None: no limit
    rcp_supported: bool = False
    rcp_exempt_actions: frozenset[str] = frozenset()
    #: the reason when a resource-policy grant is missing across accounts
    no_resource_grant: Reason = Reason.XACCT_NO_RESOURCE_GRANT

    def identity_policies_count(self, account_granted: bool) -> bool:
        """Whether an identity-based Allow counts in the resource's own account, given whether
        the resource policy grants the account (KMS §9.2, STS §11.2; always for other services)."""
        return self.account_trust is AccountTrust.IAM or account_granted

    @property
    def root_needs_grant(self) -> bool:
        """KMS: even the account's root user needs the key policy to allow it (§8.10, §9.1)."""
        return self.account_trust is AccountTrust.KEY_POLICY

    @property
    def direct_grant_limited(self) -> bool:
        """STS: a trust statement naming the caller is still limited by the caller's permissions
        boundary and session policies (§11.2, A13); for other services it is not (§8.6 a)."""
        return self.account_trust is AccountTrust.TRUST_POLICY

    @property
    def resource_element_optional(self) -> bool:
        """Trust policies have no Resource element: their statements apply to the role (§3.12)."""
        return self.account_trust is AccountTrust.TRUST_POLICY

    def same_account_denial(self, identity_allows: bool, granted: bool) -> Reason:
        """The reason for an implicit deny inside one account when no path allowed and no
        boundary or session policy is to blame."""
        if self.account_trust is AccountTrust.KEY_POLICY and identity_allows:
            return Reason.KMS_KEY_POLICY_NO_GRANT
        if self.account_trust is AccountTrust.TRUST_POLICY and not granted:
            return Reason.TRUST_POLICY_NO_MATCH
        return Reason.NO_APPLICABLE_ALLOW

    def cross_account_supported(self, action_lower: str) -> bool:
        """Whether the service lets the (lower-case) action be called across accounts."""
        return self.cross_account_actions is None or action_lower in self.cross_account_actions
