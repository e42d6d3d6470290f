"""What the engine is asked: one principal, one action, one resource, the request context, every
policy that applies (identity, boundary, session, the resource's policy, the SCP and RCP levels of
the organization) and the service's rules. Built by ``secretslab.authorization`` from a world, or
by ``secretslab.batch`` from a self-contained batch line; the engine trusts it (parsed policies).

AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from ..policy.model import Policy
from ..policy.refs import PolicyRef
from .context import Context
from .kms_grants import KmsGrant
from .principals import Principal
from .rules import ServiceRules


@dataclass(frozen=True, slots=True)
class Attached:
    """A policy as it applies to one request: a label for explanations, and where it is attached
    in the world (``ref``; None for a policy that is not part of a world, such as a batch line's
    or a session policy passed to AssumeRole)."""

    label: str
    policy: Policy
    ref: PolicyRef | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Level:
    """One node of the organization (root, an OU, the account) and the policies attached to it
    (compared by identity: an evaluator remembers a level's result by the level itself)."""

    node: str
    policies: tuple[Attached, ...]


class EvalRequest(NamedTuple):  # immutable; a NamedTuple is cheap to build per batch line
    """One request as the engine sees it; ``rules`` come from ``secretslab.services.rules_for``."""

    principal: Principal
    action: str
    resource: str  # an ARN, or "*" for actions without a resource type
    resource_account: str
    context: Context
    rules: ServiceRules
    identity: tuple[Attached, ...] = ()
    boundary: Attached | None = None
    session: tuple[Attached, ...] = ()  # empty: not a session with session policies
    resource_policy: Attached | None = None
    scps: tuple[Level, ...] | None = None  # None: no SCPs apply to this principal
    rcps: tuple[Level, ...] | None = None  # None: no RCPs apply to this resource
    aws_managed_key: bool = False  # the resource is an AWS managed KMS key (no RCPs, §8.4)
    notes: tuple[str, ...] = ()
    kms_grants: tuple[KmsGrant, ...] = ()  # the grants on the key (KMS, §9.10)
