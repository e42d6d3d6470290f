"""One authorization check: one principal, one action, one resource, every policy type. Reads
top to bottom in the order of AWS's evaluation flow (semantics §8.11): drop invalid policies,
explicit deny anywhere, the SCP gate, the root user, then the same-account paths (direct grant,
role grant, identity policies) or the cross-account rule (both sides must allow). Service quirks
come from ``services.rules_for``. The result is the ``Evaluation`` tree, built as it decides.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .conditions import evaluate_condition
from .context import Context
from .evaluation import (Deciding, Evaluation, InvalidPolicy, LevelResult, Outcome, PolicyResult,
                         PolicyRole, Reason, StatementResult)
from .matching import MatchKind, match_principal, match_resource
from .policy import Effect, Policy, Statement
from .principals import Principal, PrincipalType
from .services import ServiceRules, rules_for


@dataclass(frozen=True, slots=True)
class Attached:
    """A policy as it applies to one request, with a label for explanations."""

    label: str
    policy: Policy


@dataclass(frozen=True, slots=True)
class Level:
    """One node of the organization (root, an OU, the account) and the policies attached to it."""

    node: str
    policies: tuple[Attached, ...]


@dataclass(frozen=True, slots=True)
class EvalRequest:
    principal: Principal
    action: str
    resource: str  # an ARN, or "*" for actions without a resource type
    resource_account: str
    context: Context
    identity: tuple[Attached, ...] = ()
    boundary: Attached | None = None
    session: tuple[Attached, ...] = ()  # empty: not a session with session policies
    resource_policy: Attached | None = None
    scps: tuple[Level, ...] | None = None  # None: no SCPs apply to this principal
    rcps: tuple[Level, ...] | None = None  # None: no RCPs apply to this resource
    aws_managed_key: bool = False  # the resource is an AWS managed KMS key (no RCPs, §8.4)
    notes: tuple[str, ...] = field(default=())


_DENY_REASON = {
    PolicyRole.IDENTITY: Reason.EXPLICIT_DENY_IDENTITY,
    PolicyRole.BOUNDARY: Reason.EXPLICIT_DENY_BOUNDARY,
    PolicyRole.SESSION: Reason.EXPLICIT_DENY_SESSION,
    PolicyRole.SCP: Reason.EXPLICIT_DENY_SCP,
    PolicyRole.RESOURCE: Reason.EXPLICIT_DENY_RESOURCE,
    PolicyRole.RCP: Reason.EXPLICIT_DENY_RCP,
}


def evaluate(req: EvalRequest) -> Evaluation:
    return _Check(req).run()


class _Check:
    """The working state of one evaluation (never escapes: the result is frozen)."""

    def __init__(self, req: EvalRequest) -> None:
        self.req = req
        self.rules: ServiceRules = rules_for(req.action)
        self.action = req.action.lower()
        self.invalid: list[InvalidPolicy] = []
        self.notes: list[str] = list(req.notes) + list(req.principal.notes)
        self.same_account = req.principal.account == req.resource_account

    # -- evaluating policies

    def run(self) -> Evaluation:
        req = self.req
        identity = self._policies(PolicyRole.IDENTITY, req.identity)
        boundary = self._policies(PolicyRole.BOUNDARY, (req.boundary,) if req.boundary else ())
        session = self._policies(PolicyRole.SESSION, req.session)
        resource = self._policies(PolicyRole.RESOURCE, (req.resource_policy,) if req.resource_policy else ())
        levels = self._levels(PolicyRole.SCP, self._scp_levels())
        rcp_levels = self._levels(PolicyRole.RCP, self._rcp_levels())
        rcps = [p for lv in rcp_levels for p in lv.policies]
        scps = [p for lv in levels for p in lv.policies]
        ordered = (*identity, *boundary, *session, *scps, *resource, *rcps)
        return self._decide(ordered, identity, boundary, session, resource, levels)

    def _policies(self, role: PolicyRole, attached: Iterable[Attached], level: str | None = None) -> list[PolicyResult]:
        out = []
        for item in attached:
            if not item.policy.valid:
                self.invalid.append(InvalidPolicy(item.label, role, item.policy.errors))
                continue
            results = tuple(r for s in item.policy.statements if (r := self._statement(role, s)) is not None)
            out.append(PolicyResult(role, item.label, item.policy, results, level))
        return out

    def _statement(self, role: PolicyRole, s: Statement) -> StatementResult | None:
        if not s.action.matches(self.action):
            return None  # PolicyResult.statements() reports it as "action not listed"
        req = self.req
        resource = match_resource(s.resource, req.resource, req.context,
                                  absent_matches=role is PolicyRole.RESOURCE and self.rules.trust_policy)
        principal = None
        if s.principal is not None:
            principal = match_principal(s.principal, req.principal, deny=s.effect is Effect.DENY)
        conditions = tuple(evaluate_condition(c, req.context) for c in s.conditions)
        applies = (resource.matched and (principal is None or principal.matched)
                   and all(c.passed for c in conditions))
        return StatementResult(s, True, resource, principal, conditions, applies)

    def _scp_levels(self) -> tuple[Level, ...]:
        # SCPs never restrict service-linked roles (§8.3); the world omits the management account.
        if self.req.scps is None or self.req.principal.service_linked:
            return ()
        return self.req.scps

    def _rcp_levels(self) -> tuple[Level, ...]:
        req, rules = self.req, self.rules
        if req.rcps is None or not rules.rcp_supported:
            return ()
        exempt = (req.aws_managed_key or req.principal.service_linked
                  or self.action in rules.rcp_exempt_actions)
        if exempt:
            self.notes.append("RCPs do not apply here (AWS managed key, service-linked role or "
                              "an exempt action, §8.4)")
            return ()
        return req.rcps

    def _levels(self, role: PolicyRole, levels: tuple[Level, ...]) -> list[LevelResult]:
        out = []
        for level in levels:
            results = tuple(self._policies(role, level.policies, level.node))
            allowed = any(p.applying(Effect.ALLOW) for p in results)
            out.append(LevelResult(level.node, allowed, results))
        return out

    # -- deciding (§8.11)

    def _decide(self, ordered: tuple[PolicyResult, ...], identity: list[PolicyResult],
                boundary: list[PolicyResult], session: list[PolicyResult],
                resource: list[PolicyResult], levels: list[LevelResult]) -> Evaluation:
        # 8.2 explicit deny, reported in the order identity, boundary, session, SCP, resource, RCP
        denies = [Deciding(p, r) for p in ordered for r in p.applying(Effect.DENY)]
        if denies:
            return self._result(Outcome.EXPLICIT_DENY, _DENY_REASON[denies[0].policy.role], denies,
                                ordered, levels)
        # 8.3 every level of the organization must allow
        for level in levels:
            if not level.allowed:
                return self._result(Outcome.IMPLICIT_DENY, Reason.SCP_IMPLICIT_DENY, (), ordered, levels)

        grants = {kind: [Deciding(p, r) for p in resource for r in p.applying(Effect.ALLOW)
                         if r.principal is not None and r.principal.kind is kind]
                  for kind in MatchKind}
        id_allow = [Deciding(p, r) for p in identity for r in p.applying(Effect.ALLOW)]
        pb_ok = not boundary or any(p.applying(Effect.ALLOW) for p in boundary)
        session_ok = not session or any(p.applying(Effect.ALLOW) for p in session)
        limits = _limits(boundary, session)

        def done(outcome: Outcome, reason: Reason, deciding: Iterable[Deciding] = (),
                 grant: MatchKind | None = None) -> Evaluation:
            return self._result(outcome, reason, deciding, ordered, levels, grant)

        if self.req.principal.type is PrincipalType.ROOT:
            return self._root(grants, done)
        if self.same_account:
            return self._same_account(grants, id_allow, pb_ok, session_ok, limits, done)
        return self._cross_account(grants, id_allow, pb_ok, session_ok, limits, done)

    def _root(self, grants: dict[MatchKind, list[Deciding]], done: _Done) -> Evaluation:
        """§8.10: the root user may do anything to its own account's resources, except where a
        key policy must allow it (KMS) and assuming roles."""
        if self.action in self.rules.root_forbidden:
            return done(Outcome.IMPLICIT_DENY, Reason.ROOT_CANNOT_ASSUME_ROLE)
        any_grant = [d for kind in MatchKind for d in grants[kind]]
        if self.same_account:
            if not self.rules.key_policy_primacy:
                return done(Outcome.ALLOW, Reason.ALLOWED_ROOT)
            if grants[MatchKind.DIRECT]:
                return done(Outcome.ALLOW, Reason.ALLOWED_ROOT, grants[MatchKind.DIRECT], MatchKind.DIRECT)
            return done(Outcome.IMPLICIT_DENY, Reason.KMS_KEY_POLICY_NO_GRANT)
        if self._unsupported_cross_account():
            return done(Outcome.IMPLICIT_DENY, Reason.XACCT_UNSUPPORTED_ACTION)
        if not any_grant:
            return done(Outcome.IMPLICIT_DENY, self.rules.no_resource_grant)
        return done(Outcome.ALLOW, Reason.ALLOWED_CROSS_ACCOUNT, any_grant[:1], MatchKind.DIRECT)

    def _same_account(self, grants: dict[MatchKind, list[Deciding]], id_allow: list[Deciding],
                      pb_ok: bool, session_ok: bool, limits: list[Deciding], done: _Done) -> Evaluation:
        rules = self.rules
        direct, role, account = grants[MatchKind.DIRECT], grants[MatchKind.ROLE], grants[MatchKind.ACCOUNT]
        # (a) a grant naming the caller is not limited by boundary or session policies —
        # except for role assumption (§11.2, A13)
        if direct and (not rules.trust_policy or (pb_ok and session_ok)):
            return done(Outcome.ALLOW, Reason.ALLOWED_DIRECT_RBP, direct + limits, MatchKind.DIRECT)
        # (b) a grant naming the caller's role is limited by them (§8.6 b, A1)
        if role and pb_ok and session_ok:
            return done(Outcome.ALLOW, Reason.ALLOWED_ROLE_RBP, role + limits, MatchKind.ROLE)
        # (c) identity policies, where the service accepts them in this account
        service_trusts = not (rules.key_policy_primacy or rules.trust_policy) or bool(account)
        if id_allow and pb_ok and session_ok and service_trusts:
            return done(Outcome.ALLOW, Reason.ALLOWED_IDENTITY, id_allow + account[:1] + limits)
        if not pb_ok:
            return done(Outcome.IMPLICIT_DENY, Reason.PB_IMPLICIT_DENY)
        if not session_ok:
            return done(Outcome.IMPLICIT_DENY, Reason.SESSION_POLICY_IMPLICIT_DENY)
        if rules.key_policy_primacy and id_allow:
            return done(Outcome.IMPLICIT_DENY, Reason.KMS_KEY_POLICY_NO_GRANT, id_allow)
        if rules.trust_policy and not (direct or role or account):
            return done(Outcome.IMPLICIT_DENY, Reason.TRUST_POLICY_NO_MATCH)
        return done(Outcome.IMPLICIT_DENY, Reason.NO_APPLICABLE_ALLOW)

    def _cross_account(self, grants: dict[MatchKind, list[Deciding]], id_allow: list[Deciding],
                       pb_ok: bool, session_ok: bool, limits: list[Deciding], done: _Done) -> Evaluation:
        """§8.7: the resource's account and the caller's account must both allow."""
        if self._unsupported_cross_account():
            return done(Outcome.IMPLICIT_DENY, Reason.XACCT_UNSUPPORTED_ACTION)
        granted = grants[MatchKind.DIRECT] + grants[MatchKind.ROLE] + grants[MatchKind.ACCOUNT]
        if not granted:
            return done(Outcome.IMPLICIT_DENY, self.rules.no_resource_grant)
        if not pb_ok:
            return done(Outcome.IMPLICIT_DENY, Reason.PB_IMPLICIT_DENY, granted)
        if not session_ok:
            return done(Outcome.IMPLICIT_DENY, Reason.SESSION_POLICY_IMPLICIT_DENY, granted)
        if not id_allow:
            return done(Outcome.IMPLICIT_DENY, Reason.XACCT_NO_IDENTITY_GRANT, granted)
        kind = next(k for k in MatchKind if grants[k])
        return done(Outcome.ALLOW, Reason.ALLOWED_CROSS_ACCOUNT, granted[:1] + id_allow + limits, kind)

    def _unsupported_cross_account(self) -> bool:
        allowed = self.rules.cross_account_actions
        return allowed is not None and self.action not in allowed

    def _result(self, outcome: Outcome, reason: Reason, deciding: Iterable[Deciding],
                ordered: tuple[PolicyResult, ...], levels: list[LevelResult],
                grant: MatchKind | None = None) -> Evaluation:
        if outcome is not Outcome.ALLOW and self.invalid:
            reason = Reason.INVALID_POLICY  # §8.9: reported before any other reason
        req = self.req
        return Evaluation(req.principal, req.action, req.resource, req.resource_account,
                          self.same_account, outcome, reason, tuple(deciding), ordered,
                          tuple(levels), req.context, tuple(self.invalid), tuple(self.notes), grant)


def _limits(boundary: list[PolicyResult], session: list[PolicyResult]) -> list[Deciding]:
    """The boundary and session statements that let an allow through, for the explanation."""
    out: list[Deciding] = []
    for group in (boundary, session):
        for p in group:
            hits = p.applying(Effect.ALLOW)
            if hits:
                out.append(Deciding(p, hits[0]))
                break
    return out


class _Done:  # typing aid for the nested `done` callback
    def __call__(self, outcome: Outcome, reason: Reason, deciding: Iterable[Deciding] = (),
                 grant: MatchKind | None = None) -> Evaluation: ...
