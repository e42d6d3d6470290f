"""The stages of AWS's evaluation flow, as the engine records them for each evaluation, in the order
of AWS's page (semantics §12, teaching order): explicit deny in every policy, resource control
policies, service control policies, the resource-based policy, identity-based policies, the
permissions boundary and session policies, then the decision. Each
stage says whether it decided, was passed, did not apply (no policy of its type) or was not
reached; figures and widgets draw from this record instead of re-deriving it from reason codes.

AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class PolicyRole(StrEnum):
    """Where a policy sits in the evaluation (AWS order, §8.9)."""

    IDENTITY = "identity"
    BOUNDARY = "boundary"
    SESSION = "session"
    SCP = "scp"
    RESOURCE = "resource"
    RCP = "rcp"


class Stage(StrEnum):
    """A stage of the flow, in the order of AWS's "How AWS enforcement code logic evaluates
    requests" page: deny evaluation, RCPs, SCPs, resource-based, identity-based, permissions
    boundaries, session policies. The decision never depends on this order (§8.9): RCPs can only
    deny (RCPFullAWSAccess always allows), so they decide only at the deny stage."""

    DENY = "deny"
    RCP = "rcp"
    SCP = "scp"
    RESOURCE = "resource"
    IDENTITY = "identity"
    BOUNDARY = "boundary"
    SESSION = "session"
    DECISION = "decision"

    @property
    def heading(self) -> str:
        """The stage's title, as figures and explanations head it."""
        return _TITLES[self]

    @property
    def role(self) -> PolicyRole | None:
        """The policies this stage reads (None: every policy, or none)."""
        return _ROLES.get(self)


_TITLES = {
    Stage.DENY: "Explicit deny (every policy)",
    Stage.RCP: "Resource control policies (RCPs)",
    Stage.SCP: "Service control policies (SCPs)",
    Stage.RESOURCE: "Resource-based policy",
    Stage.IDENTITY: "Identity-based policies",
    Stage.BOUNDARY: "Permissions boundary",
    Stage.SESSION: "Session policies",
    Stage.DECISION: "Decision",
}
_ROLES = {
    Stage.RCP: PolicyRole.RCP,
    Stage.SCP: PolicyRole.SCP,
    Stage.RESOURCE: PolicyRole.RESOURCE,
    Stage.IDENTITY: PolicyRole.IDENTITY,
    Stage.BOUNDARY: PolicyRole.BOUNDARY,
    Stage.SESSION: PolicyRole.SESSION,
}
FLOW = tuple(Stage)


class StageState(StrEnum):
    """What happened at a stage of the flow for one evaluation: it decided, was passed, did not apply,
    or was not reached."""

    DECIDED = "decided"  # the decision was made here (for an allow: a statement here allows it)
    PASSED = "passed"  # on the path, not deciding
    NOT_APPLICABLE = "n/a"  # no policy of this type applies
    NOT_REACHED = "not reached"  # after the stage that denied


class StageResult(NamedTuple):
    """One stage of the flow and what happened there."""

    stage: Stage
    state: StageState


def record(
    decided_at: Stage,
    *,
    allowed: bool,
    roles_present: frozenset[PolicyRole],
    roles_deciding: frozenset[PolicyRole],
    has_scps: bool,
    root_allowed: bool,
) -> tuple[StageResult, ...]:
    """Each stage's state for an evaluation that was decided at ``decided_at``."""
    stop = FLOW.index(decided_at)
    out = []
    for i, stage in enumerate(FLOW):
        if i > stop:
            state = StageState.NOT_REACHED
        elif stage is decided_at:
            state = StageState.DECIDED
        elif stage is Stage.DENY:
            state = StageState.PASSED
        elif stage is Stage.SCP:
            state = StageState.PASSED if has_scps else StageState.NOT_APPLICABLE
        elif stage is Stage.RCP:
            state = StageState.PASSED if PolicyRole.RCP in roles_present else StageState.NOT_APPLICABLE
        else:
            role = _ROLES[stage]
            if allowed and (role in roles_deciding or (root_allowed and role is PolicyRole.IDENTITY)):
                state = StageState.DECIDED
            elif role in roles_present:
                state = StageState.PASSED
            else:
                state = StageState.NOT_APPLICABLE
        out.append(StageResult(stage, state))
    return tuple(out)
