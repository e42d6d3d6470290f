"""AWS KMS: the key policy is the primary control. IAM policies count only when the key policy
allows the key's own account (the "Enable IAM policies" statement), even for the root user;
only some operations work across accounts; RCPs never apply to AWS managed keys and never to
``kms:RetireGrant`` (semantics §9, §8.4).

AWS pages: https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html,
https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html,
https://docs.aws.amazon.com/kms/latest/developerguide/resource-control-policies.html
"""

from __future__ import annotations

from ..evaluation.results import Reason
from ..evaluation.rules import AccountTrust, ServiceRules
from ..policy import catalog
from ..policy.model import PolicyKind

RULES = ServiceRules(
    service="kms",
    resource_policy_kind=PolicyKind.KEY,
    account_trust=AccountTrust.KEY_POLICY,
    cross_account_actions=catalog.cross_account_actions("kms"),
    rcp_supported=True,
    rcp_exempt_actions=frozenset({"kms:retiregrant"}),
    no_resource_grant=Reason.XACCT_NO_RESOURCE_GRANT,
)
