"""Service quirks behind one narrow hook: a ``ServiceRules`` value per service prefix, chosen
from a registry; every other service gets the defaults. KMS adds key-policy primacy (§9.1–9.2),
STS the trust-policy rules of role assumption (§11.2), and each service says which actions work
across accounts and whether resource control policies apply (§8.4).

AWS pages: https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html,
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
"""

from __future__ import annotations

from dataclasses import dataclass

from ..evaluation import Reason
from ..policy import PolicyKind


@dataclass(frozen=True, slots=True)
class ServiceRules:
    service: str
    resource_policy_kind: PolicyKind = PolicyKind.RESOURCE
    #: KMS: identity policies count only when the key policy delegates to the account, and
    #: even the root user needs the key policy (§9.1–9.2, §8.10)
    key_policy_primacy: bool = False
    #: STS: the trust policy must allow explicitly; a direct grant is still limited by the
    #: caller's boundary and session policies (§11.2, A13)
    trust_policy: bool = False
    root_forbidden: frozenset[str] = frozenset()  # lower-case actions the root user cannot call
    cross_account_actions: frozenset[str] | None = None  # lower-case; None: no limit
    rcp_supported: bool = False
    rcp_exempt_actions: frozenset[str] = frozenset()
    #: the reason when a resource-policy grant is missing
    no_resource_grant: Reason = Reason.XACCT_NO_RESOURCE_GRANT


_REGISTRY: dict[str, ServiceRules] = {}


def rules_for(action: str) -> ServiceRules:
    found = _REGISTRY.get(action)  # batches ask for the same few actions again and again
    if found is not None:
        return found
    prefix = action.partition(":")[0].lower()
    found = _REGISTRY.get(prefix)
    if found is None:
        from . import default, kms, secretsmanager, sts  # the modules import this one

        special = {"kms": kms.RULES, "sts": sts.RULES, "secretsmanager": secretsmanager.RULES}
        found = special.get(prefix) or default.rules(prefix)
        _REGISTRY[prefix] = found
    if len(_REGISTRY) < 4096:
        _REGISTRY[action] = found
    return found
