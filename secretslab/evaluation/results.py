"""The explanation tree of one authorization check, as immutable data: the outcome and §12
reason code, the statements that decided it, and for every policy considered, every statement's
action, resource, principal and condition results. The engine builds it while deciding; text,
HTML and JSON are renderings of it (``explain.py``, ``to_dict``).

AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

from ..pages import (
    ASSUME_ROLE,
    CROSS_ACCOUNT_EVALUATION,
    DENY_ALLOW,
    EVALUATION_LOGIC,
    GRAMMAR,
    KEY_POLICIES,
    KMS_GRANTS,
    PERMISSIONS_BOUNDARIES,
    PUT_RESOURCE_POLICY,
    RCPS,
    ROLE_TRUST_POLICY,
    ROOT_USER,
    SCPS,
    SECRETS_MANAGER_CROSS_ACCOUNT,
    SESSION_POLICIES,
)
from ..policy.model import Effect, Policy, Statement
from ..policy.refs import PolicyRef
from ..problems import Problem
from .conditions import ConditionResult
from .context import Context
from .kms_grants import GrantResult
from .matching import ElementResult, MatchKind, PrincipalResult
from .principals import Principal
from .stages import PolicyRole, Stage, StageResult, record


class Outcome(StrEnum):
    """The outcome of an evaluation: allowed, denied by an explicit Deny, or denied because nothing
    allowed it (implicitly)."""

    ALLOW = "allow"
    EXPLICIT_DENY = "explicit_deny"
    IMPLICIT_DENY = "implicit_deny"

    @property
    def allowed(self) -> bool:
        """Whether the outcome is ALLOW."""
        return self is Outcome.ALLOW

    @property
    def decision(self) -> str:
        """``allow`` or ``deny`` as in semantics §12."""
        return "allow" if self is Outcome.ALLOW else "deny"


class Reason(StrEnum):
    """The reason codes of semantics §12."""

    ALLOWED_DIRECT_RBP = "ALLOWED_DIRECT_RBP"
    ALLOWED_ROLE_RBP = "ALLOWED_ROLE_RBP"
    ALLOWED_IDENTITY = "ALLOWED_IDENTITY"
    ALLOWED_CROSS_ACCOUNT = "ALLOWED_CROSS_ACCOUNT"
    ALLOWED_ROOT = "ALLOWED_ROOT"
    EXPLICIT_DENY_IDENTITY = "EXPLICIT_DENY_IDENTITY"
    EXPLICIT_DENY_BOUNDARY = "EXPLICIT_DENY_BOUNDARY"
    EXPLICIT_DENY_SESSION = "EXPLICIT_DENY_SESSION"
    EXPLICIT_DENY_RESOURCE = "EXPLICIT_DENY_RESOURCE"
    EXPLICIT_DENY_SCP = "EXPLICIT_DENY_SCP"
    EXPLICIT_DENY_RCP = "EXPLICIT_DENY_RCP"
    SCP_IMPLICIT_DENY = "SCP_IMPLICIT_DENY"
    PB_IMPLICIT_DENY = "PB_IMPLICIT_DENY"
    SESSION_POLICY_IMPLICIT_DENY = "SESSION_POLICY_IMPLICIT_DENY"
    NO_APPLICABLE_ALLOW = "NO_APPLICABLE_ALLOW"
    KMS_KEY_POLICY_NO_GRANT = "KMS_KEY_POLICY_NO_GRANT"
    XACCT_NO_RESOURCE_GRANT = "XACCT_NO_RESOURCE_GRANT"
    XACCT_NO_IDENTITY_GRANT = "XACCT_NO_IDENTITY_GRANT"
    XACCT_UNSUPPORTED_ACTION = "XACCT_UNSUPPORTED_ACTION"
    TRUST_POLICY_NO_MATCH = "TRUST_POLICY_NO_MATCH"
    INVALID_POLICY = "INVALID_POLICY"
    PUBLIC_POLICY_BLOCKED = "PUBLIC_POLICY_BLOCKED"
    ROOT_CANNOT_ASSUME_ROLE = "ROOT_CANNOT_ASSUME_ROLE"
    ALLOWED_BY_GRANT = "ALLOWED_BY_GRANT"

    @property
    def summary(self) -> str:
        """The reason in a short sentence, for explanations."""
        return REASON_TEXT[self]

    @property
    def page(self) -> str:
        """The AWS documentation page that states the rule behind the reason."""
        return REASON_PAGE[self]


REASON_TEXT = {
    Reason.ALLOWED_DIRECT_RBP: "the resource-based policy names the caller itself",
    Reason.ALLOWED_ROLE_RBP: "the resource-based policy names the caller's role",
    Reason.ALLOWED_IDENTITY: "an identity-based policy allows it in the resource's own account",
    Reason.ALLOWED_CROSS_ACCOUNT: "both accounts allow it: the resource-based policy and the "
    "caller's identity-based policy",
    Reason.ALLOWED_ROOT: "the account's root user may act on the account's own resources",
    Reason.EXPLICIT_DENY_IDENTITY: "an identity-based policy denies it",
    Reason.EXPLICIT_DENY_BOUNDARY: "the permissions boundary denies it",
    Reason.EXPLICIT_DENY_SESSION: "a session policy denies it",
    Reason.EXPLICIT_DENY_RESOURCE: "the resource-based policy denies it",
    Reason.EXPLICIT_DENY_SCP: "a service control policy denies it",
    Reason.EXPLICIT_DENY_RCP: "a resource control policy denies it",
    Reason.SCP_IMPLICIT_DENY: "a level of the organization has no SCP allowing it",
    Reason.PB_IMPLICIT_DENY: "the permissions boundary does not allow it",
    Reason.SESSION_POLICY_IMPLICIT_DENY: "the session policies do not allow it",
    Reason.NO_APPLICABLE_ALLOW: "no policy allows it",
    Reason.KMS_KEY_POLICY_NO_GRANT: "the key policy neither grants it nor lets IAM policies grant it",
    Reason.XACCT_NO_RESOURCE_GRANT: "cross-account: the resource's account does not grant it",
    Reason.XACCT_NO_IDENTITY_GRANT: "cross-account: the caller's identity-based policies do not allow it",
    Reason.XACCT_UNSUPPORTED_ACTION: "the action cannot be used across accounts",
    Reason.TRUST_POLICY_NO_MATCH: "the role's trust policy does not allow the caller",
    Reason.INVALID_POLICY: "a policy is invalid, so AWS would not have it",
    Reason.PUBLIC_POLICY_BLOCKED: "BlockPublicPolicy refuses a policy that allows broad access",
    Reason.ROOT_CANNOT_ASSUME_ROLE: "the root user cannot assume a role",
    Reason.ALLOWED_BY_GRANT: "a KMS grant on the key allows the caller this operation",
}

#: reason -> the AWS page that states its rule (the reference pages of the documentation list them)
REASON_PAGE = {
    Reason.ALLOWED_DIRECT_RBP: EVALUATION_LOGIC,
    Reason.ALLOWED_ROLE_RBP: EVALUATION_LOGIC,
    Reason.ALLOWED_IDENTITY: EVALUATION_LOGIC,
    Reason.ALLOWED_CROSS_ACCOUNT: CROSS_ACCOUNT_EVALUATION,
    Reason.ALLOWED_ROOT: ROOT_USER,
    Reason.EXPLICIT_DENY_IDENTITY: DENY_ALLOW,
    Reason.EXPLICIT_DENY_BOUNDARY: PERMISSIONS_BOUNDARIES,
    Reason.EXPLICIT_DENY_SESSION: SESSION_POLICIES,
    Reason.EXPLICIT_DENY_RESOURCE: DENY_ALLOW,
    Reason.EXPLICIT_DENY_SCP: SCPS,
    Reason.EXPLICIT_DENY_RCP: RCPS,
    Reason.SCP_IMPLICIT_DENY: SCPS,
    Reason.PB_IMPLICIT_DENY: PERMISSIONS_BOUNDARIES,
    Reason.SESSION_POLICY_IMPLICIT_DENY: SESSION_POLICIES,
    Reason.NO_APPLICABLE_ALLOW: DENY_ALLOW,
    Reason.KMS_KEY_POLICY_NO_GRANT: KEY_POLICIES,
    Reason.XACCT_NO_RESOURCE_GRANT: CROSS_ACCOUNT_EVALUATION,
    Reason.XACCT_NO_IDENTITY_GRANT: CROSS_ACCOUNT_EVALUATION,
    Reason.XACCT_UNSUPPORTED_ACTION: SECRETS_MANAGER_CROSS_ACCOUNT,
    Reason.TRUST_POLICY_NO_MATCH: ROLE_TRUST_POLICY,
    Reason.INVALID_POLICY: GRAMMAR,
    Reason.PUBLIC_POLICY_BLOCKED: PUT_RESOURCE_POLICY,
    Reason.ROOT_CANNOT_ASSUME_ROLE: ASSUME_ROLE,
    Reason.ALLOWED_BY_GRANT: KMS_GRANTS,
}


class StatementResult(NamedTuple):  # a NamedTuple: immutable, and cheap to build on the hot path
    """The result of one statement for a request: whether its Action matched, then (when it did) how
    its Resource, Principal and conditions met the request, and whether it applies; ``why_not``
    says why it does not."""

    statement: Statement
    action: bool
    resource: ElementResult | None = None  # None: not checked (the action did not match)
    principal: PrincipalResult | None = None  # None: identity-side policy, or not checked
    conditions: tuple[ConditionResult, ...] = ()
    applies: bool = False

    @property
    def effect(self) -> Effect:
        """The statement's effect: Allow or Deny."""
        return self.statement.effect

    @property
    def why_not(self) -> str | None:
        """The first reason the statement does not apply, or None when it applies."""
        if self.applies:
            return None
        if not self.action:
            return "the action is not listed" + (
                " (NotAction excludes it)" if self.statement.action.negated else ""
            )
        if self.resource is not None and not self.resource.matched:
            return self.resource.why
        if self.principal is not None and not self.principal.matched:
            return self.principal.why
        failed = [c for c in self.conditions if not c.passed]
        if failed:
            c = failed[0]
            return f"condition {c.condition.operator.name} {c.condition.key}: {c.why}"
        return "does not apply"

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data: index, Sid, effect, whether it applies and its action
        matched, the Resource, Principal and condition results checked, and ``why_not`` when it
        does not apply."""
        out: dict[str, Any] = {
            "index": self.statement.index,
            "sid": self.statement.sid,
            "effect": self.effect.value,
            "applies": self.applies,
            "action_matched": self.action,
        }
        if self.resource is not None:
            out["resource"] = {"matched": self.resource.matched, "why": self.resource.why}
        if self.principal is not None:
            out["principal"] = {
                "matched": self.principal.matched,
                "why": self.principal.why,
                "kind": self.principal.kind.value if self.principal.kind else None,
            }
        if self.conditions:
            out["conditions"] = [c.to_dict() for c in self.conditions]
        if not self.applies:
            out["why_not"] = self.why_not
        return out


class PolicyResult(NamedTuple):  # a NamedTuple: immutable, and cheap to build on the hot path
    """The result of one policy for a request: where it sits in the evaluation, its label, the results
    of the statements whose action matched, the Allow and Deny statements that apply, and (for SCPs
    and RCPs) the organization node it is attached to."""

    role: PolicyRole
    label: str
    policy: Policy
    matched: tuple[StatementResult, ...]  # results of the statements whose action matched
    level: str | None = None  # SCP/RCP: the organization node it is attached to
    allows: tuple[StatementResult, ...] = ()  # the Allow statements that apply
    denies: tuple[StatementResult, ...] = ()  # the Deny statements that apply
    ref: PolicyRef | None = None  # where the policy is attached in the world, if it is

    @classmethod
    def of(
        cls,
        role: PolicyRole,
        label: str,
        policy: Policy,
        matched: tuple[StatementResult, ...],
        level: str | None = None,
        ref: PolicyRef | None = None,
    ) -> PolicyResult:
        """The result of ``policy`` from the results of its statements whose action matched; sorts the
        applying ones into ``allows`` and ``denies``."""
        allows: list[StatementResult] = []
        denies: list[StatementResult] = []
        for r in matched:
            if r.applies:
                (allows if r.statement.effect is Effect.ALLOW else denies).append(r)
        return cls(role, label, policy, matched, level, tuple(allows), tuple(denies), ref)

    def statements(self) -> tuple[StatementResult, ...]:
        """A result for every statement, in document order."""
        by_index = {r.statement.index: r for r in self.matched}
        return tuple(
            by_index.get(s.index) or StatementResult(s, action=False) for s in self.policy.statements
        )

    def applying(self, effect: Effect) -> tuple[StatementResult, ...]:
        """The statements of ``effect`` that apply."""
        return self.allows if effect is Effect.ALLOW else self.denies

    def to_dict(self) -> dict[str, Any]:
        """The policy's result as JSON-ready data: role, label, a result for every statement, and its
        level for SCPs and RCPs."""
        out: dict[str, Any] = {
            "role": self.role.value,
            "label": self.label,
            "statements": [r.to_dict() for r in self.statements()],
        }
        if self.level:
            out["level"] = self.level
        return out


class Deciding(NamedTuple):  # a NamedTuple: immutable, and cheap to build on the hot path
    """A statement that decided the outcome, and the policy it belongs to."""

    policy: PolicyResult
    statement: StatementResult

    def __str__(self) -> str:
        return f"{self.policy.label}, {self.statement.statement.label}"


class LevelResult(NamedTuple):
    """One organization level of the SCP gate (§8.3)."""

    node: str
    allowed: bool
    policies: tuple[PolicyResult, ...]


@dataclass(frozen=True, slots=True)
class RejectedPolicy:
    """A policy AWS refuses: one attached in the world that it would never have stored (§3.4, set
    aside by the engine and reported), or a policy passed in a request (a session policy given
    to AssumeRole, the document of PutResourcePolicy) that the call is refused for."""

    label: str  # which policy, e.g. "secret policy of prod/db" or "request ResourcePolicy"
    kind: str  # what kind of policy, e.g. "secret resource policy"
    problems: tuple[Problem, ...] = ()  # the errors, located
    error: str = "MalformedPolicyDocument"  # or "PublicPolicy" (BlockPublicPolicy, §3.11)
    role: PolicyRole | None = None  # where it sits in the evaluation, for attached policies
    ref: PolicyRef | None = None  # where it is attached in the world, if it is
    why: str = ""  # the detail when no problem states it (PublicPolicy)

    @property
    def detail(self) -> str:
        """What is wrong, in a sentence: ``why`` when given, else the messages of its errors."""
        return self.why or "; ".join(p.message for p in self.problems if p.is_error)

    def to_dict(self) -> dict[str, Any]:
        """The refused policy as JSON-ready data: which policy, the error AWS would give, the detail,
        where it is attached when that differs, and its located errors."""
        out: dict[str, Any] = {"policy": self.kind or self.label, "error": self.error, "detail": self.detail}
        if self.label != out["policy"]:
            out["where"] = self.label
        problems = [p.to_dict() for p in self.problems if p.is_error]
        if problems:
            out["problems"] = problems
        return out


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The decision on one action by one principal on one resource."""

    principal: Principal
    action: str
    resource: str
    resource_account: str
    same_account: bool
    outcome: Outcome
    reason: Reason
    deciding: tuple[Deciding, ...]
    policies: tuple[PolicyResult, ...]
    scp_levels: tuple[LevelResult, ...]
    context: Context
    invalid: tuple[RejectedPolicy, ...] = ()
    notes: tuple[str, ...] = ()
    grant: MatchKind | None = None  # the resource-policy grant that allowed it, if any
    decided_at: Stage = Stage.DECISION  # the stage of the flow that decided it
    #: each KMS grant on the key whose operations include the action, and how it met the request
    kms_grants: tuple[GrantResult, ...] = ()
    kms_grant: GrantResult | None = None  # the KMS grant that allowed it (ALLOWED_BY_GRANT)

    @property
    def allowed(self) -> bool:
        """Whether the outcome is ALLOW."""
        return self.outcome is Outcome.ALLOW

    @property
    def deciding_policy(self) -> str | None:
        """The first deciding statement as ``policy, statement`` labels — or ``KMS grant <id>``
        when a grant allowed it; None when no statement decided (most implicit denies)."""
        if self.kms_grant is not None:
            return self.kms_grant.grant.label
        return str(self.deciding[0]) if self.deciding else None

    @property
    def stages(self) -> tuple[StageResult, ...]:
        """Every stage of AWS's evaluation flow in order, with what happened there: from the
        stage the engine decided at and the policies it evaluated."""
        return record(
            self.decided_at,
            allowed=self.allowed,
            roles_present=frozenset(p.role for p in self.policies),
            roles_deciding=frozenset(d.policy.role for d in self.deciding)
            | ({PolicyRole.RESOURCE} if self.kms_grant else set()),
            has_scps=bool(self.scp_levels),
            root_allowed=self.reason is Reason.ALLOWED_ROOT,
        )

    def policies_in(self, role: PolicyRole) -> tuple[PolicyResult, ...]:
        """The results of the policies that sit at ``role`` in the evaluation."""
        return tuple(p for p in self.policies if p.role is role)

    def to_dict(self, *, detail: bool = True) -> dict[str, Any]:
        """The evaluation as JSON-ready data: the request, decision, outcome, reason and deciding
        policy; with ``detail`` also every deciding statement, policy result, SCP level and the
        context; refused policies and notes when there are any."""
        out: dict[str, Any] = {
            "principal": self.principal.arn,
            "action": self.action,
            "resource": self.resource,
            "decision": self.outcome.decision,
            "outcome": self.outcome.value,
            "reason": self.reason.value,
            "deciding_policy": self.deciding_policy,
            "same_account": self.same_account,
        }
        if detail:
            out["deciding"] = [*([str(self.kms_grant)] if self.kms_grant else []), *map(str, self.deciding)]
            if self.kms_grants:
                out["kms_grants"] = [
                    {
                        "grant_id": g.grant.grant_id,
                        "applies": g.applies,
                        **({"why_not": g.why} if g.why else {}),
                    }
                    for g in self.kms_grants
                ]
            out["policies"] = [p.to_dict() for p in self.policies]
            out["scp_levels"] = [{"node": lv.node, "allowed": lv.allowed} for lv in self.scp_levels]
            out["context"] = self.context.to_dict()
        if self.invalid:
            out["validation_errors"] = [i.to_dict() for i in self.invalid]
        if self.notes:
            out["notes"] = list(self.notes)
        return out

    def __str__(self) -> str:
        from .explain import evaluation_text

        return evaluation_text(self)

    def _repr_html_(self) -> str:
        from .explain import evaluation_html

        return evaluation_html(self)
