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
from typing import cast

from ..pages import RCPS
from ..policy.model import Effect, Statement
from .conditions import evaluate_condition
from .grants import Grants, limiting
from .kms_grants import GrantResult, grant_results
from .matching import (
    ANY_RESOURCE,
    ElementResult,
    ElementState,
    MatchKind,
    PrincipalResult,
    match_principal,
    match_resource,
)
from .memo import Memo, remember
from .principals import Principal, PrincipalType
from .request import Attached, EvalRequest, Level
from .results import (
    Deciding,
    Evaluation,
    LevelResult,
    Outcome,
    PolicyResult,
    Reason,
    RejectedPolicy,
    StatementResult,
)
from .rules import ServiceRules
from .stages import PolicyRole, Stage

_new = tuple.__new__  # builds a NamedTuple result without the call of its generated __new__

_DENY_REASON = {
    PolicyRole.IDENTITY: Reason.EXPLICIT_DENY_IDENTITY,
    PolicyRole.BOUNDARY: Reason.EXPLICIT_DENY_BOUNDARY,
    PolicyRole.SESSION: Reason.EXPLICIT_DENY_SESSION,
    PolicyRole.SCP: Reason.EXPLICIT_DENY_SCP,
    PolicyRole.RESOURCE: Reason.EXPLICIT_DENY_RESOURCE,
    PolicyRole.RCP: Reason.EXPLICIT_DENY_RCP,
}


def evaluate(req: EvalRequest, memo: Memo | None = None) -> Evaluation:
    """The evaluation of one request. ``memo`` holds what an evaluator remembers between
    requests (its owner keeps it for the policies it evaluates again); without one, nothing is."""
    return _Check(req, memo or Memo()).run()


class _Check:
    """The working state of one evaluation (never escapes: the result is frozen)."""

    def __init__(self, req: EvalRequest, memo: Memo) -> None:
        self.req = req
        self.memo = memo
        self.rules: ServiceRules = req.rules
        self.action = req.action.lower()
        self.invalid: list[RejectedPolicy] = []
        self.notes: list[str] = [*req.notes, *req.principal.notes]
        self.same_account = req.principal.account == req.resource_account
        self.ordered: tuple[PolicyResult, ...] = ()
        self.levels: tuple[LevelResult, ...] = ()
        self.kms_grants: tuple[GrantResult, ...] = ()

    # -- evaluating policies (§8.1)

    def run(self) -> Evaluation:
        req = self.req
        identity = self._policies(PolicyRole.IDENTITY, req.identity)
        boundary = self._policies(PolicyRole.BOUNDARY, (req.boundary,)) if req.boundary else []
        session = self._policies(PolicyRole.SESSION, req.session) if req.session else []
        resource = self._policies(PolicyRole.RESOURCE, (req.resource_policy,)) if req.resource_policy else []
        levels = self._levels(PolicyRole.SCP, self._scp_levels()) if req.scps is not None else []
        rcp_levels = self._levels(PolicyRole.RCP, self._rcp_levels()) if req.rcps is not None else []
        self.levels = tuple(levels)
        if levels or rcp_levels:
            self.ordered = (
                *identity,
                *boundary,
                *session,
                *(p for lv in levels for p in lv.policies),
                *resource,
                *(p for lv in rcp_levels for p in lv.policies),
            )
        else:
            self.ordered = (*identity, *boundary, *session, *resource)
        return self._decide(identity, boundary, session, resource)

    def _policies(
        self, role: PolicyRole, attached: Iterable[Attached], level: str | None = None
    ) -> list[PolicyResult]:
        """A result per valid policy; an invalid one is set aside, as AWS would not have it (§3.4).
        A policy's result is found in three steps, each remembered by exactly what it depends
        on (batches and matrices ask the same policies again and again): the statements the
        action selects (by policy and action), how their Resource and Principal meet the
        request (by the resource and the caller), then the conditions of the statements still
        open (by the request's values of the keys they read). Only the wrapping of that result
        in this policy's role, label and place is new for each request."""
        out = []
        action, memo, req = self.action, self.memo, self.req
        get = req.context.get
        absent = role is PolicyRole.RESOURCE and self.rules.resource_element_optional
        plans, partials, cores = memo.plans, memo.partials, memo.cores
        for item in attached:
            policy = item.policy
            if not policy.valid:
                self.invalid.append(
                    RejectedPolicy(item.label, policy.kind.label, policy.errors, role=role, ref=item.ref)
                )
                continue
            plan_key = (policy, action, absent)
            plan: _Plan | None = plans.get(plan_key)
            if plan is None:
                # a policy first seen: what it decides is remembered when it is seen again (a
                # batch of ever-new documents would fill the tables with results never reused)
                plan = _Plan(memo.statements_for(policy, action))
                remember(plans, plan_key, plan)
                first = self._partial(plan, absent)
                if not plan.needs_resource and not plan.needs_principal:
                    plan.partial = first
                found = first.core or self._core(first, absent)
                out.append(
                    _new(
                        PolicyResult,
                        (role, item.label, policy, found[0], level, found[1], found[2], item.ref),
                    )
                )
                continue
            partial = plan.partial
            if partial is None:
                partial_key = (
                    plan,
                    req.resource if plan.needs_resource else None,
                    req.principal if plan.needs_principal else None,
                )
                partial = partials.get(partial_key)
                if partial is None:
                    partial = self._partial(plan, absent)
                    if plan.needs_resource or plan.needs_principal:
                        remember(partials, partial_key, partial)
                    else:
                        plan.partial = partial  # it reads nothing of the request
            core = partial.core
            if core is None:
                core_key = (partial, *map(get, partial.keys))
                core = cores.get(core_key)
                if core is None:
                    core = self._core(partial, absent)
                    remember(cores, core_key, core)
            out.append(
                _new(PolicyResult, (role, item.label, policy, core[0], level, core[1], core[2], item.ref))
            )
        return out

    def _partial(self, plan: _Plan, absent: bool) -> _Partial:
        """How the Resource and Principal of each selected statement meet the request. Statements
        whose action does not match never get here: ``PolicyResult.statements()`` reports them
        as "action not listed". As in AWS, a statement whose resource or principal does not
        match is decided there (its conditions are not evaluated), and so is one without
        conditions; the others stay open, with the keys their conditions (and policy variables
        in their Resource) read."""
        req, memo = self.req, self.memo
        seen = memo.resources
        entries: list[StatementResult | _Open] = []
        keys: list[str] = []
        for s in plan.statements:
            element = s.resource
            if element is None:
                resource = ElementResult(absent, ElementState.NO_ELEMENT)
            elif element.any:
                resource = ANY_RESOURCE
            elif element.static:  # its answer depends on the resource alone (hot path)
                resource = seen.get((element, req.resource)) or match_resource(
                    element, req.resource, req.context, absent_matches=absent, memo=memo
                )
            else:
                entries.append((s, None, None))  # policy variables: the match depends on the context
                keys.extend(s.memo_keys)
                continue
            decided, principal = _front(s, resource, req.principal, memo)
            if decided is not None:
                entries.append(decided)
                continue
            entries.append((s, resource, principal))
            keys.extend(s.memo_keys)
        partial = _Partial(tuple(entries), tuple(dict.fromkeys(keys)))
        if not keys:
            partial.core = self._core(partial, absent)
        return partial

    def _core(self, partial: _Partial, absent: bool) -> _Core:
        """The statement results of a partial result on this request's context, with the Allow
        and the Deny statements that apply."""
        req, memo = self.req, self.memo
        context = req.context
        get, single, remembered = context.get, context.single, memo.conditions
        matched: list[StatementResult] = []
        allows: list[StatementResult] = []
        denies: list[StatementResult] = []
        for entry in partial.entries:
            if type(entry) is StatementResult:
                result = entry
            else:
                s, resource, principal = cast(_Open, entry)
                decided = None
                if resource is None:  # a Resource with policy variables: matched now
                    resource = match_resource(
                        s.resource, req.resource, context, absent_matches=absent, memo=memo
                    )
                    decided, principal = _front(s, resource, req.principal, memo)
                if decided is not None:
                    result = decided
                else:
                    applies = True
                    found = []
                    for c in s.conditions:
                        # evaluate_condition's own look-up, inlined
                        variables = c.variable_keys
                        one = remembered.get(
                            (c, get(c.key_lower), *map(single, variables))
                            if variables
                            else (c, get(c.key_lower))
                        )
                        if one is None:
                            one = evaluate_condition(c, context, memo)
                        if not one.passed:
                            applies = False
                        found.append(one)
                    result = _new(StatementResult, (s, True, resource, principal, tuple(found), applies))
            matched.append(result)
            if result.applies:
                (allows if result.statement.effect is Effect.ALLOW else denies).append(result)
        return (tuple(matched), tuple(allows), tuple(denies))

    def _scp_levels(self) -> tuple[Level, ...]:
        # SCPs never restrict service-linked roles (§8.3); the world omits the management account.
        if self.req.scps is None or self.req.principal.service_linked:
            return ()
        return self.req.scps

    def _rcp_levels(self) -> tuple[Level, ...]:
        req, rules = self.req, self.rules
        if req.rcps is None or not rules.rcp_supported:
            return ()
        exempt = (
            req.aws_managed_key or req.principal.service_linked or self.action in rules.rcp_exempt_actions
        )
        if exempt:
            self.notes.append(
                "RCPs do not apply here (AWS managed key, service-linked role or an exempt action; "
                f"see {RCPS})"
            )
            return ()
        return req.rcps

    def _levels(self, role: PolicyRole, levels: tuple[Level, ...]) -> list[LevelResult]:
        """Each organization level's result: its policies' results (each remembered as any
        policy's is) and whether one of them allows."""
        out = []
        for level in levels:
            results = tuple(self._policies(role, level.policies, level.node))
            allowed = False
            for p in results:
                if p.allows:
                    allowed = True
                    break
            out.append(_new(LevelResult, (level.node, allowed, results)))
        return out

    # -- deciding (§8.11)

    def _decide(
        self,
        identity: list[PolicyResult],
        boundary: list[PolicyResult],
        session: list[PolicyResult],
        resource: list[PolicyResult],
    ) -> Evaluation:
        # 8.2 explicit deny, reported in the order identity, boundary, session, SCP, resource, RCP
        for policy in self.ordered:
            if policy.denies:
                denies = [Deciding(p, r) for p in self.ordered for r in p.denies]
                return self._result(Outcome.EXPLICIT_DENY, _DENY_REASON[policy.role], denies, at=Stage.DENY)
        # 8.3 every level of the organization must allow
        for level in self.levels:
            if not level.allowed:
                return self._result(Outcome.IMPLICIT_DENY, Reason.SCP_IMPLICIT_DENY, at=Stage.SCP)
        grants = Grants(resource)
        id_allow = [Deciding(p, r) for p in identity for r in p.allows]
        pb_ok = not boundary or any(p.allows for p in boundary)
        session_ok = not session or any(p.allows for p in session)
        limits = limiting(boundary, session)
        req = self.req
        if req.kms_grants:  # §9.10: a grant only allows; everything above still denies
            self.kms_grants, others = grant_results(req.kms_grants, req.principal, self.action, req.context)
            if others:
                self.notes.append(f"{others} KMS grant(s) on the key allow {req.action} to other grantees")
        if req.principal.type is PrincipalType.ROOT:
            return self._root(grants)
        if self.same_account:
            return self._same_account(grants, id_allow, pb_ok, session_ok, limits)
        return self._cross_account(grants, id_allow, pb_ok, session_ok, limits)

    def _root(self, grants: Grants) -> Evaluation:
        """§8.10: the root user may do anything to its own account's resources, except where a
        key policy must allow it (KMS) and assuming roles."""
        if self.action in self.rules.root_forbidden:
            return self._result(Outcome.IMPLICIT_DENY, Reason.ROOT_CANNOT_ASSUME_ROLE, at=Stage.IDENTITY)
        if self.same_account:
            if not self.rules.root_needs_grant:
                return self._result(Outcome.ALLOW, Reason.ALLOWED_ROOT)
            if grants.direct:  # the account principal is a direct grant to its root user (§4.5)
                return self._result(Outcome.ALLOW, Reason.ALLOWED_ROOT, grants.direct, MatchKind.DIRECT)
            kms_grant = self._kms_grant(with_identity=False)
            if kms_grant is not None:
                return self._result(Outcome.ALLOW, Reason.ALLOWED_BY_GRANT, kms_grant=kms_grant)
            return self._result(Outcome.IMPLICIT_DENY, Reason.KMS_KEY_POLICY_NO_GRANT, at=Stage.RESOURCE)
        if self._unsupported_cross_account():
            return self._result(Outcome.IMPLICIT_DENY, Reason.XACCT_UNSUPPORTED_ACTION, at=Stage.RESOURCE)
        if not grants.any:
            kms_grant = self._kms_grant(with_identity=False)
            if kms_grant is not None:
                return self._result(Outcome.ALLOW, Reason.ALLOWED_BY_GRANT, kms_grant=kms_grant)
            return self._result(Outcome.IMPLICIT_DENY, self.rules.no_resource_grant, at=Stage.RESOURCE)
        return self._result(Outcome.ALLOW, Reason.ALLOWED_CROSS_ACCOUNT, grants.any[:1], MatchKind.DIRECT)

    def _same_account(
        self,
        grants: Grants,
        id_allow: list[Deciding],
        pb_ok: bool,
        session_ok: bool,
        limits: list[Deciding],
    ) -> Evaluation:
        """§8.6: a direct grant, a role grant, or identity policies the service accepts."""
        rules = self.rules
        # (a) a grant naming the caller is not limited by boundary or session policies —
        # except for role assumption (§11.2, A13)
        if grants.direct and (not rules.direct_grant_limited or (pb_ok and session_ok)):
            return self._result(
                Outcome.ALLOW, Reason.ALLOWED_DIRECT_RBP, grants.direct + limits, MatchKind.DIRECT
            )
        # (b) a grant naming the caller's role is limited by them (§8.6 b, A1)
        if grants.role and pb_ok and session_ok:
            return self._result(Outcome.ALLOW, Reason.ALLOWED_ROLE_RBP, grants.role + limits, MatchKind.ROLE)
        # (c) identity policies, where the service accepts them in this account: KMS and STS
        # only when the key or trust policy allows the account (§9.2, §11.2)
        if id_allow and pb_ok and session_ok and rules.identity_policies_count(bool(grants.account)):
            return self._result(
                Outcome.ALLOW, Reason.ALLOWED_IDENTITY, id_allow + grants.account[:1] + limits
            )
        # (d) a KMS grant for the caller (§9.10), limited by boundary and session policies; one
        # whose grantee is the account delegates to the identity policies
        kms_grant = self._kms_grant(with_identity=bool(id_allow))
        if kms_grant is not None and pb_ok and session_ok:
            by_grant = (id_allow if kms_grant.kind is MatchKind.ACCOUNT else []) + limits
            return self._result(Outcome.ALLOW, Reason.ALLOWED_BY_GRANT, by_grant, kms_grant=kms_grant)
        if not pb_ok:
            return self._result(Outcome.IMPLICIT_DENY, Reason.PB_IMPLICIT_DENY, at=Stage.BOUNDARY)
        if not session_ok:
            return self._result(Outcome.IMPLICIT_DENY, Reason.SESSION_POLICY_IMPLICIT_DENY, at=Stage.SESSION)
        reason = rules.same_account_denial(bool(id_allow), bool(grants.any))
        at = Stage.IDENTITY if reason is Reason.NO_APPLICABLE_ALLOW else Stage.RESOURCE
        deciding = id_allow if reason is Reason.KMS_KEY_POLICY_NO_GRANT else ()
        return self._result(Outcome.IMPLICIT_DENY, reason, deciding, at=at)

    def _cross_account(
        self,
        grants: Grants,
        id_allow: list[Deciding],
        pb_ok: bool,
        session_ok: bool,
        limits: list[Deciding],
    ) -> Evaluation:
        """§8.7: the resource's account and the caller's account must both allow."""
        if self._unsupported_cross_account():
            return self._result(Outcome.IMPLICIT_DENY, Reason.XACCT_UNSUPPORTED_ACTION, at=Stage.RESOURCE)
        # a KMS grant is the key side's allow as a key-policy grant is (§9.10)
        kms_grant = None if grants.any else self._kms_grant(with_identity=True)
        if not grants.any and kms_grant is None:
            return self._result(Outcome.IMPLICIT_DENY, self.rules.no_resource_grant, at=Stage.RESOURCE)
        if not pb_ok:
            return self._result(Outcome.IMPLICIT_DENY, Reason.PB_IMPLICIT_DENY, grants.any, at=Stage.BOUNDARY)
        if not session_ok:
            return self._result(
                Outcome.IMPLICIT_DENY, Reason.SESSION_POLICY_IMPLICIT_DENY, grants.any, at=Stage.SESSION
            )
        if not id_allow:
            return self._result(
                Outcome.IMPLICIT_DENY, Reason.XACCT_NO_IDENTITY_GRANT, grants.any, at=Stage.IDENTITY
            )
        if kms_grant is not None:
            return self._result(
                Outcome.ALLOW, Reason.ALLOWED_BY_GRANT, id_allow + limits, kms_grant=kms_grant
            )
        return self._result(
            Outcome.ALLOW,
            Reason.ALLOWED_CROSS_ACCOUNT,
            grants.any[:1] + id_allow + limits,
            grants.strongest,
        )

    def _unsupported_cross_account(self) -> bool:
        return not self.rules.cross_account_supported(self.action)

    def _kms_grant(self, *, with_identity: bool) -> GrantResult | None:
        """The first applying KMS grant for the caller: one naming the caller (or its role) before
        one naming its account, which counts only ``with_identity`` (an identity policy allows)."""
        applying = [g for g in self.kms_grants if g.applies]
        named = next((g for g in applying if g.kind is not MatchKind.ACCOUNT), None)
        if named is not None:
            return named
        return next((g for g in applying if g.kind is MatchKind.ACCOUNT), None) if with_identity else None

    def _result(
        self,
        outcome: Outcome,
        reason: Reason,
        deciding: Iterable[Deciding] = (),
        grant: MatchKind | None = None,
        *,
        at: Stage = Stage.DECISION,
        kms_grant: GrantResult | None = None,
    ) -> Evaluation:
        """The evaluation, decided at stage ``at`` (allows are decided at the end)."""
        if outcome is not Outcome.ALLOW and self.invalid:
            reason = Reason.INVALID_POLICY  # §8.9: reported before any other reason
            if outcome is Outcome.IMPLICIT_DENY:  # an explicit deny still decided at its stage
                at = Stage.DECISION
        req = self.req
        return Evaluation(
            req.principal,
            req.action,
            req.resource,
            req.resource_account,
            self.same_account,
            outcome,
            reason,
            tuple(deciding),
            self.ordered,
            self.levels,
            req.context,
            tuple(self.invalid),
            tuple(self.notes),
            grant,
            at,
            self.kms_grants,
            kms_grant,
        )


#: a statement left open by its Resource and Principal: (statement, Resource result, Principal
#: result); a Resource with policy variables is matched with the conditions (None, None)
_Open = tuple[Statement, ElementResult | None, PrincipalResult | None]
#: a policy's statement results whose action matched, then its applying Allow and Deny results
_Core = tuple[tuple[StatementResult, ...], tuple[StatementResult, ...], tuple[StatementResult, ...]]


class _Plan:
    """The statements of a valid policy an action selects, and whether their Resource and
    Principal read the resource and the caller (compared by identity: a memo key)."""

    __slots__ = ("needs_principal", "needs_resource", "partial", "statements")

    def __init__(self, statements: tuple[Statement, ...]) -> None:
        self.statements = statements
        resource = principal = False
        for s in statements:
            if s.resource is not None and not s.resource.any:
                resource = True
            if s.principal is not None:
                principal = True
        self.needs_resource = resource
        self.needs_principal = principal
        self.partial: _Partial | None = None  # when it reads neither: the one partial result


class _Partial:
    """A plan met by one resource and caller: each selected statement's result when its
    Resource, Principal or lack of conditions decides it, else what is left open, and the
    context keys the open statements read; ``core`` when none is open (compared by identity)."""

    __slots__ = ("core", "entries", "keys")

    def __init__(self, entries: tuple[StatementResult | _Open, ...], keys: tuple[str, ...]) -> None:
        self.entries = entries
        self.keys = keys
        self.core: _Core | None = None


def _front(
    s: Statement, resource: ElementResult, caller: Principal, memo: Memo
) -> tuple[StatementResult | None, PrincipalResult | None]:
    """The statement's result when its Resource, Principal or lack of conditions decides it
    (else None), and its Principal result (remembered by element, caller and effect)."""
    if not resource.matched:
        return _new(StatementResult, (s, True, resource, None, (), False)), None
    principal = None
    if s.principal is not None:
        key = (s.principal, caller, s.effect)
        principal = memo.principals.get(key)
        if principal is None:
            principal = match_principal(s.principal, caller, deny=s.effect is Effect.DENY)
            remember(memo.principals, key, principal)
        if not principal.matched:
            return _new(StatementResult, (s, True, resource, principal, (), False)), principal
    if not s.conditions:
        return _new(StatementResult, (s, True, resource, principal, (), True)), principal
    return None, principal
