"""The result of ``authorize``: the decision on a request, the plan of calls AWS makes for it (the
AssumeRole hops, the action, the extra actions and the KMS calls Secrets Manager makes for the
caller), each call's evaluation where it was reached, the policies refused, notes and the gaps of
an imported world it depends on (semantics §12–13). Immutable data; rendering is in ``explain``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from ..evaluation.results import Evaluation, Outcome, Reason, RejectedPolicy
from ..world.entities import Gap
from .request import Request

if TYPE_CHECKING:
    from .denied import AccessDenied


@dataclass(frozen=True, slots=True)
class Step:
    """One call of a decision that was evaluated."""

    action: str
    resource: str
    evaluation: Evaluation
    purpose: str = ""
    optional: bool = False  # its failure does not fail the request (A7)

    @property
    def allowed(self) -> bool:
        """Whether the call was allowed."""
        return self.evaluation.allowed

    @property
    def principal(self) -> str:
        """The ARN of the principal that made the call (a role session after an AssumeRole hop)."""
        return self.evaluation.principal.arn

    def to_dict(self) -> dict[str, Any]:
        """The call as JSON-ready data: action, resource, principal, decision, outcome, reason, and
        the deciding policy, purpose and ``optional`` when there are any."""
        ev = self.evaluation
        out: dict[str, Any] = {
            "action": self.action,
            "resource": self.resource,
            "principal": self.principal,
            "decision": ev.outcome.decision,
            "outcome": ev.outcome.value,
            "reason": ev.reason.value,
        }
        if ev.deciding_policy:
            out["deciding_policy"] = ev.deciding_policy
        if self.purpose:
            out["purpose"] = self.purpose
        if self.optional:
            out["optional"] = True
        return out


#: permissions-only actions of an AssumeRole call, evaluated as steps after it (§11.2)
ASSUME_ROLE_EXTRAS = frozenset({"sts:tagsession", "sts:setsourceidentity"})


def main_step_index(hops: int, steps: tuple[Step, ...]) -> int:
    """The index of the requested action's step among ``steps``: after ``hops`` AssumeRole calls
    and the sts:TagSession / sts:SetSourceIdentity steps that follow each of them."""
    index = 0
    for _ in range(hops):
        if index >= len(steps):
            break
        hop = steps[index]  # the AssumeRole call; its extras share its caller and role
        index += 1
        while (
            index < len(steps)
            and steps[index].action.lower() in ASSUME_ROLE_EXTRAS
            and steps[index].resource == hop.resource
            and steps[index].principal == hop.principal
        ):
            index += 1
    return index


class PlannedStep(NamedTuple):  # a NamedTuple: immutable, and cheap to build for every call
    """One call the request needs, in the order AWS makes it: its ``step`` once evaluated, or
    None when an earlier call failed first (``why_not_reached`` says which)."""

    action: str
    resource: str
    principal: str
    purpose: str = ""
    optional: bool = False
    step: Step | None = None
    why_not_reached: str = ""

    @property
    def reached(self) -> bool:
        """Whether the call was evaluated (no earlier call failed first)."""
        return self.step is not None

    @property
    def allowed(self) -> bool:
        """Whether the call was reached and allowed."""
        return self.step is not None and self.step.allowed


@dataclass(frozen=True, slots=True)
class Decision:
    """The decision on a request: the outcome and reason of the first failing call (or of the
    action itself when every call is allowed), with every call planned and evaluated."""

    request: Request
    steps: tuple[Step, ...]
    outcome: Outcome
    reason: Reason
    validation_errors: tuple[RejectedPolicy, ...] = ()
    notes: tuple[str, ...] = ()
    gaps: tuple[Gap, ...] = ()  # data an import could not read that this decision depends on
    plan: tuple[PlannedStep, ...] = ()  # every call, reached or not, in AWS's order

    @property
    def allowed(self) -> bool:
        """Whether the request is allowed: every call it needs that is not optional was allowed."""
        return self.outcome is Outcome.ALLOW

    @property
    def unknown(self) -> bool:
        """Whether the decision depends on something the world could not read (issue #5): then
        it is the decision on what is known, not a guess about the rest."""
        return bool(self.gaps)

    @property
    def decision(self) -> str:
        """``allow`` or ``deny`` (semantics §12): an explicit and an implicit deny are both ``deny``."""
        return self.outcome.decision

    @property
    def failed_step(self) -> Step | None:
        """The first call that was not allowed and is not optional, or None when the request is allowed."""
        return next((s for s in self.steps if not s.allowed and not s.optional), None)

    @property
    def deciding_policy(self) -> str | None:
        """The policy and statement that decided the failing call (or the action, when allowed) as
        ``policy, statement`` labels; None when no statement decided it (most implicit denies)."""
        step = self.failed_step or self.main_step
        return step.evaluation.deciding_policy if step else None

    @property
    def main_step(self) -> Step | None:
        """The step of the requested action itself (after the AssumeRole chain)."""
        index = main_step_index(len(self.request.assume_role_chain), self.steps)
        return self.steps[index] if len(self.steps) > index else None

    @property
    def access_denied(self) -> AccessDenied | None:
        """The error AWS returns for this request when it is denied (code, operation, message, and
        the authorization sentence of the call that failed); None when it is allowed."""
        from .denied import access_denied

        return access_denied(self)

    @property
    def unreached(self) -> tuple[PlannedStep, ...]:
        """The calls the request needed that were never evaluated (an earlier one failed)."""
        return tuple(p for p in self.plan if not p.reached)

    def to_dict(self) -> dict[str, Any]:
        """The decision as JSON-ready data: decision, outcome, reason, deciding policy, every
        evaluated step and the refused policies; notes and gaps (with ``unknown``) when there are
        any."""
        out: dict[str, Any] = {
            "decision": self.decision,
            "outcome": self.outcome.value,
            "reason": self.reason.value,
            "deciding_policy": self.deciding_policy,
            "steps": [s.to_dict() for s in self.steps],
            "validation_errors": [v.to_dict() for v in self.validation_errors],
        }
        if self.notes:
            out["notes"] = list(self.notes)
        if self.gaps:
            out["unknown"] = True
            out["gaps"] = [
                {"resource": g.resource, "what": g.what, "operation": g.operation, "error": g.error}
                for g in self.gaps
            ]
        return out

    def __str__(self) -> str:
        from .explain import decision_text

        return decision_text(self)

    def _repr_html_(self) -> str:
        from .explain import decision_html

        return decision_html(self)
