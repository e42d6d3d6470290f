"""AWS STS role assumption: the role's trust policy is its resource-based policy and must allow
the caller explicitly, in the same account too; a trust statement naming the caller still needs
the caller's permissions boundary (and session policies) to allow ``sts:AssumeRole``; the root
user cannot assume roles (semantics §11.1–11.2, A13).

AWS pages: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html
"""

from __future__ import annotations

from ..evaluation.results import Reason
from ..evaluation.rules import AccountTrust, ServiceRules
from ..policy.model import PolicyKind

RULES = ServiceRules(
    service="sts",
    resource_policy_kind=PolicyKind.TRUST,
    account_trust=AccountTrust.TRUST_POLICY,
    root_forbidden=frozenset({"sts:assumerole"}),
    rcp_supported=True,
    no_resource_grant=Reason.TRUST_POLICY_NO_MATCH,
)
