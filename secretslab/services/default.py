"""Default rules for services without quirks: identity policies count inside the account and a
resource-based policy (if any) is an ordinary one. RCPs apply to the services AWS lists (§8.4).

AWS page: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
"""

from __future__ import annotations

from functools import lru_cache

from ..evaluation.rules import ServiceRules

#: services that support RCPs and that semantics §8.4 names (AWS adds more over time)
RCP_SERVICES = frozenset({"s3", "sts", "kms", "sqs", "secretsmanager"})


@lru_cache(maxsize=256)
def rules(prefix: str) -> ServiceRules:
    """The rules of a service without quirks (``prefix`` as in actions, ``s3``); RCPs apply when the
    service supports them."""
    return ServiceRules(service=prefix, rcp_supported=prefix in RCP_SERVICES)
