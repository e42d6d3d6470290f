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


_REGISTRY: dict[tuple[str, str], ServiceRules] = {}


def resource_type(resource: str) -> str:
    """``key`` for a KMS key or alias ARN, ``role`` for an IAM role ARN, else ``""``."""
    parts = resource.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn":
        if parts[2] == "kms" and parts[5].startswith(("key/", "alias/")):
            return "key"
        if parts[2] == "iam" and parts[5].startswith("role/"):
            return "role"
    return ""


def rules_for(action: str, resource: str = "*") -> ServiceRules:
    """The rules for an action on a resource: the KMS and STS quirks concern their resources —
    a key (key policy primacy) and a role (its trust policy); ``kms:ListKeys`` on ``*`` or
    ``sts:GetCallerIdentity`` follow the default rules."""
    cache_key = (action, resource if resource == "*" else resource_type(resource))
    found = _REGISTRY.get(cache_key)  # batches ask for the same few actions again and again
    if found is not None:
        return found
    from . import default, kms, secretsmanager, sts  # the modules import this one

    prefix = action.partition(":")[0].lower()
    kind = cache_key[1]
    if prefix == "kms" and kind == "key":
        found = kms.RULES
    elif prefix == "sts" and kind == "role":
        found = sts.RULES
    elif prefix == "secretsmanager":
        found = secretsmanager.RULES
    else:
        found = default.rules(prefix)
    if len(_REGISTRY) < 4096:
        _REGISTRY[cache_key] = found
    return found
