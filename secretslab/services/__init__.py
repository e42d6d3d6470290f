"""Service quirks behind one narrow hook: a ``ServiceRules`` value per service prefix, chosen
from a registry; every other service gets the defaults. KMS adds key-policy primacy (§9.1–9.2),
STS the trust-policy rules of role assumption (§11.2), and each service says which actions work
across accounts and whether resource control policies apply (§8.4).

AWS pages: https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html,
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
"""

from __future__ import annotations

from ..evaluation.rules import ServiceRules
from . import default, kms, secretsmanager, sts

__all__ = ["ServiceRules", "resource_type", "rules_for"]


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
