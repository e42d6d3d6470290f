"""``authorize(world, request)``: the full decision on a request, as AWS makes it. First the plan
— the AssumeRole hops of the chain (§11), then the action with the extra IAM actions it needs
and, for Secrets Manager, the KMS calls the service makes on the caller's behalf (§7.5, §10) —
then each call evaluated in order until one that is not optional fails. The decision is that
call's (§12, §13); the calls after it stay in the plan, marked not reached.

AWS pages: https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_forward_access_sessions.html,
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..arn import Arn
from ..evaluation.memo import Memo
from ..evaluation.results import Outcome, Reason, RejectedPolicy
from ..loading import shape_problems
from ..problems import ScenarioError
from ..world.model import World
from .calls import Call, Caller, evaluate_call, remembered
from .chain import assume_role_calls, assume_role_parameters, refused_session_policies, session_caller
from .decision import Decision, PlannedStep, Step, main_step_index
from .kms import kms_call
from .known import check_request
from .plan import Later, Pending, Plan
from .request import Request
from .secretsmanager import plan_secretsmanager, validate_resource_policy


def authorize(world: World, request: Request | Mapping[str, Any], *, plan: bool = True) -> Decision:
    """The decision on ``request`` in ``world`` (a ``Request`` or a dict in the §1.2 format);
    raises ``ScenarioError`` for a request that does not follow the format, and its subclass
    ``UnknownNameError`` (with "did you mean" suggestions) for an action, principal, role or
    resource that does not exist. ``Decision.plan``
    lists every call the request needs, reached or not; with ``plan=False`` the decision records
    no plan (analyses of many requests, which read only outcomes, save building it)."""
    if not isinstance(request, Request):
        request = Request.from_dict(request)
    elif request.parameters or request.context:  # made in Python, not read: held to its JSON
        shape = shape_problems({"parameters": request.parameters, "context": request.context})
        if shape:
            raise ScenarioError(shape, what="request")
    check_request(world, request)
    state = remembered(world)
    decision = _run(world, request, _plan(world, request, state.callers), plan, state.memo)
    if not world.gaps:
        return decision
    return replace(decision, gaps=world.gaps_for(_refs(decision)))


def planned_calls(world: World, request: Request) -> tuple[list[Call], bool]:
    """Every call ``authorize`` would make for ``request`` if each were allowed, in order (the
    calls planned for later listed in their place, the pending ones built), and whether a
    document given with it is validated once they are all allowed. A pure function of the
    world and the request: analyses read what the calls depend on without evaluating them."""
    plan = _plan(world, request, remembered(world).callers)
    calls: list[Call] = []
    entries, i = plan.calls, 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if isinstance(entry, Later):
            more = Plan()
            entry.expand(more)
            entries[i:i] = more.calls
            plan.validate = more.validate or plan.validate
            continue
        calls.append(entry.build() if isinstance(entry, Pending) else entry)
    return calls, plan.validate is not None


def _plan(world: World, request: Request, callers: dict[str, Caller]) -> Plan:
    """Every call the request needs, in order: each hop of the AssumeRole chain, then the action
    made by the last session (or by the principal itself)."""
    plan = Plan()
    caller = Caller.of(world, request.principal, callers)
    for hop in request.assume_role_chain:
        first, *extra = assume_role_calls(
            world, caller, hop.role_arn, hop.context, hop.session_name, hop.session_tags, hop.source_identity
        )
        plan.call(first._replace(refused=refused_session_policies(hop)))
        for call in extra:  # sts:TagSession, sts:SetSourceIdentity (§11.2)
            plan.call(call)
        caller = session_caller(world, hop, caller)
    _plan_action(world, request, caller, plan)
    return plan


def _plan_action(world: World, request: Request, caller: Caller, plan: Plan) -> None:
    action, resource, context = request.action, request.resource, request.context
    service = action.partition(":")[0].lower()
    if service == "secretsmanager":
        plan_secretsmanager(world, request, caller, plan)
    elif service == "kms":
        key = world.key(resource, account=caller.principal.account)
        plan.call(kms_call(world, caller, action, key, resource, context, via_secret=None, purpose=""))
    elif action.lower() == "sts:assumerole":
        name, tags, source, notes = assume_role_parameters(request.parameters)
        for note in notes:
            plan.note(note)
        for call in assume_role_calls(world, caller, resource, context, name, tags, source):
            plan.call(call)
    else:
        arn = Arn.parse(resource)
        account = arn.account if arn and arn.account else caller.principal.account
        plan.call(Call(caller, action, resource, account, arn.region if arn else None, None, context=context))


def _run(world: World, request: Request, plan: Plan, record: bool, memo: Memo) -> Decision:
    """Each call in order until one is refused or denied; the rest stay in the plan, not reached."""
    notes = list(plan.notes)
    steps: list[Step] = []
    planned: list[PlannedStep] = []
    validation: tuple[RejectedPolicy, ...] = ()
    stopped = ""  # why the calls after the current one are not reached
    entries, i = plan.calls, 0  # a Later entry puts its calls in its place
    while i < len(entries):
        entry = entries[i]
        i += 1
        if isinstance(entry, Later):
            if stopped and not record:
                break
            more = Plan()
            entry.expand(more)
            entries[i:i] = more.calls
            plan.validate = more.validate or plan.validate
            if not stopped:
                notes.extend(more.notes)
            continue
        if not stopped and isinstance(entry, Call) and entry.refused:  # STS refuses it outright (§3)
            validation = entry.refused
            stopped = f"not reached: {entry.action} on {entry.resource} is refused (MalformedPolicyDocument)"
        if stopped:
            if not record:
                break
            who = entry.principal if isinstance(entry, Pending) else entry.caller.principal.arn
            unreached_call = PlannedStep(entry.action, entry.resource, who, entry.purpose, entry.optional)
            planned.append(unreached_call._replace(why_not_reached=stopped))
            continue
        if isinstance(entry, Pending):  # built now that it is reached
            call = entry.build()
            notes_after = (*call.notes_after, *entry.notes_after)
        else:
            call, notes_after = entry, entry.notes_after
        notes.extend(call.notes)
        step = evaluate_call(world, call, notes, memo)
        steps.append(step)
        if record:
            who = call.caller.principal.arn
            planned.append(PlannedStep(call.action, call.resource, who, call.purpose, call.optional, step))
        if step.allowed or call.optional:
            notes.extend(notes_after)
        else:
            stopped = f"not reached: {call.action} on {call.resource} was denied"
    if not stopped and plan.validate is not None:
        validation = validate_resource_policy(*plan.validate, notes)
    return _decision(request, tuple(steps), tuple(planned), notes, validation)


def _decision(
    request: Request,
    steps: tuple[Step, ...],
    plan: tuple[PlannedStep, ...],
    notes: list[str],
    validation: tuple[RejectedPolicy, ...],
) -> Decision:
    said = tuple(dict.fromkeys([*notes, *(n for s in steps for n in s.evaluation.notes)]))

    ignored: dict[str, RejectedPolicy] = {}
    for step in steps:  # policies of the world that AWS would have refused (§3.4)
        for rejected in step.evaluation.invalid:
            ignored.setdefault(rejected.label, rejected)
    errors = (*ignored.values(), *validation) if ignored or validation else ()
    failed = next((s for s in steps if not s.allowed and not s.optional), None)
    if failed is not None:
        ev = failed.evaluation
        return Decision(request, steps, ev.outcome, ev.reason, errors, said, plan=plan)
    if validation:  # the request's own policy parameter is refused
        reason = (
            Reason.PUBLIC_POLICY_BLOCKED if validation[0].error == "PublicPolicy" else Reason.INVALID_POLICY
        )
        return Decision(request, steps, Outcome.IMPLICIT_DENY, reason, errors, said, plan=plan)
    main = steps[min(_main_index(request, steps), len(steps) - 1)]
    return Decision(request, steps, Outcome.ALLOW, main.evaluation.reason, errors, said, plan=plan)


def _main_index(request: Request, steps: tuple[Step, ...]) -> int:
    """The index of the action's own step: after every AssumeRole hop and the permissions-only
    actions of those hops (sts:TagSession, sts:SetSourceIdentity)."""
    return main_step_index(len(request.assume_role_chain), steps)


def _refs(decision: Decision) -> set[str]:
    """Every principal, role, resource and account a decision looked at (to find its gaps)."""
    refs = {decision.request.principal, decision.request.resource}
    for step in decision.steps:
        ev = step.evaluation
        p = ev.principal
        refs.update(
            x for x in (p.arn, p.role_arn, p.source_user, p.account, ev.resource, ev.resource_account) if x
        )
    return refs
