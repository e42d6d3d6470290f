"""Whole-world findings, in the manner of IAM Access Analyzer's policy checks: each check reads the
parsed world's policies through ``World.policies`` and reports, with a stable ``FindingCode`` from
``CATALOGUE``, a resource ARN, the JSON path of the offending element in the world format
(semantics §1.1), the ``PolicyRef`` of the policy, what is wrong and how to fix it. The checks are
lint, not decisions: they look at one policy at a time (a Deny elsewhere may still block what a
finding reports) and never evaluate a request. Only policies AWS would store are linted; an
invalid one is reported once as ``INVALID_POLICY``, as the engine sets it aside (§3.4).

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html,
https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html,
https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html,
https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ..problems import Severity
from ..world import World
from .external import secrets_shared_outside_the_organization
from .finding import CATALOGUE, Finding, FindingCode
from .invalid import invalid_policies
from .principals import identities_reading_all_secrets, trust_other_accounts_without_condition
from .resources import (
    cross_account_grants_on_aws_managed_key,
    cross_account_put_resource_policy,
    key_policies_locking_out_account,
    public_secret_policies,
)

__all__ = [
    "CATALOGUE",
    "CHECKS",
    "Finding",
    "FindingCode",
    "Severity",
    "cross_account_grants_on_aws_managed_key",
    "cross_account_put_resource_policy",
    "findings",
    "identities_reading_all_secrets",
    "invalid_policies",
    "key_policies_locking_out_account",
    "public_secret_policies",
    "secrets_shared_outside_the_organization",
    "trust_other_accounts_without_condition",
]

#: every check; each yields its findings for the whole world
CHECKS: tuple[Callable[[World], Iterator[Finding]], ...] = (
    public_secret_policies,
    secrets_shared_outside_the_organization,
    cross_account_grants_on_aws_managed_key,
    cross_account_put_resource_policy,
    key_policies_locking_out_account,
    identities_reading_all_secrets,
    trust_other_accounts_without_condition,
    invalid_policies,
)


def findings(world: World) -> tuple[Finding, ...]:
    """Every finding of every check, most severe first, then by location."""
    found = [f for check in CHECKS for f in check(world)]
    return tuple(sorted(found, key=lambda f: (f.severity.rank, _natural(f.location), f.code)))


def _natural(location: str) -> tuple[str | int, ...]:
    """``$.secrets[2]`` before ``$.secrets[10]``: indices compare as numbers."""
    return tuple(int(p) if i % 2 else p for i, p in enumerate(re.split(r"(\d+)", location)))
