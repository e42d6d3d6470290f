"""The access matrix as a compiled question: each cell's decision is reused from a cell that is
provably decided the same way, so ``authorize`` runs once per distinct *shape* of question
rather than once per principal × resource × action.

Why it is sound. ``authorize(world, Request(p, a, r))`` is a deterministic function of the world
and the request. For a Secrets Manager action on a secret of the world it makes the calls that
``planned_calls`` lists, each evaluated by the engine on an ``EvalRequest``; the outcome, reason
and ``unknown`` of the decision depend on those evaluations only through:

* the principal's kind, account, service-linked flag and permissions-boundary flag, and its
  policies (identity, boundary, session, the SCP levels of its account) — compared by their JSON
  (a policy is parsed from its JSON alone, so equal JSON behaves equally);
* for each call: its action, whether it is optional, its account and Region, its service rules,
  whether the key is AWS managed, and the policies on the resource side (the resource-based
  policy, the RCP levels of the call's account);
* for each statement the engine may read: whether its Action selects the call's action (a part of
  the statement's JSON), whether its Resource matches the call's resource, how its Principal
  matches the caller (matched, and the kind of match), and whether each condition passes;
* the gaps of an import whose resource is one of the names the decision looks at.

The key of a cell records exactly these answers, each from its own side:

* ``principal part`` — the principal's fields above, its policies' JSON, how the Principal
  elements of its own policies match it, and for each condition of the world that reads only keys
  AWS derives from the principal (``aws:PrincipalArn``, ``aws:PrincipalTag/…``,
  ``aws:PrincipalOrgID``…) whether it passes;
* ``resource part`` — per action, per call: the fields above, the resource-side policies as
  shapes (each statement's Effect, Action, conditions and whether it has a Principal, with its
  Resource element replaced by whether it matches the call's resource), and for each condition of
  the world that reads only keys of the resource and the call, whether it passes;
* ``cross part`` — whether each Resource element of the principal's policies matches each
  resource the calls name, and how each Principal element of the resource-side policies matches
  the principal;
* a condition reading keys of both sides (``aws:ResourceTag/team`` against
  ``${aws:PrincipalTag/team}``, or ``kms:CallerAccount``) is answered by the raw values of its
  keys, each recorded on its own side.

The same argument is applied at two grains. A *cell key* (principal part, resource part, cross
part) is looked up for every principal × resource pair, and a principal whose part and whose
answers to every Principal element of its account's resources equal another's gets that
principal's whole row. On a new cell key each call of each action is looked up by a *call key*:
the call's resource-side part, the Resource answers and Principal answers of that call alone, and
of the principal only what the engine reads for that call's action — its policies with just the
statements the action selects (a policy with none still counts, a boundary must allow), its
fields, and the answers of the conditions of those statements and of the call's policies. The
calls are then run as ``authorize`` runs them: in order, the first one denied that is not
optional decides; when none is, the first call's reason is the allow's; ``unknown`` is whether a
gap names the principal, the resource, or the resource or account of a call reached.

A condition's result depends only on the values of its key and of the policy variables in its
values (``Statement.memo_keys``, which the engine's own memo relies on); every key of a call's
context is derived either from the principal alone or from the resource and the call alone
(checked: a call that carries a principal key falls back). So two cells with equal keys present
the engine with equal answers to every question it can ask, and ``authorize`` decides them
alike: the matrix evaluates the first cell of each key and copies its outcome, reason and
``unknown`` to the others. Anything outside this argument is decided cell by cell with
``authorize``: actions of other services and ``BatchGetSecretValue``, resources that are not
secrets of the world, keys with KMS grants (grant constraints read the encryption context), and —
for the whole matrix — Resource elements with policy variables.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Sequence
from operator import itemgetter
from typing import Any, NamedTuple

from ..authorization import authorize
from ..authorization.authorize import planned_calls
from ..authorization.calls import Call, Caller, call_context, evaluate_call, remembered
from ..authorization.request import Request
from ..evaluation.conditions import evaluate_condition
from ..evaluation.context import Context, principal_keys
from ..evaluation.matching import match_principal, match_resource
from ..evaluation.memo import Memo
from ..evaluation.principals import Principal
from ..evaluation.request import Level
from ..evaluation.results import Outcome
from ..policy.model import Condition, Effect, Policy, PrincipalElement, ResourceElement, Statement
from ..services import rules_for
from ..world import World

#: one cell's answer: (outcome, reason code, unknown)
Answer = tuple[str, str, bool]

_PRINCIPAL_KEYS = frozenset(
    {
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principaltype",
        "aws:principalisawsservice",
        "aws:userid",
        "aws:username",
        "aws:sourceidentity",
        "aws:principalorgid",
        "aws:principalorgpaths",
    }
)
#: carried by KMS calls with the caller's account as its value: present by the call, valued by
#: the principal, so a condition reading it is answered by raw values from both sides
_CALLER_ACCOUNT = "kms:calleraccount"


def _principal_side(key_lower: str) -> bool:
    """Whether AWS derives the key from the principal alone (``principal_keys``)."""
    return key_lower in _PRINCIPAL_KEYS or key_lower.startswith("aws:principaltag/")


def _condition_keys(c: Condition) -> tuple[str, ...]:
    return (c.key_lower, *c.variable_keys)


def _cfp(c: Condition) -> Hashable:
    """A condition by value: the operator, the key, the values and which of them hold policy
    variables (that depends on the policy's Version) determine everything else."""
    return (c.operator, c.key_lower, c.values, tuple(t is None for t in c.templates))


def _efp(e: ResourceElement | None) -> Hashable:
    return None if e is None else (e.negated, tuple(p.text for p in e.patterns))


def _pfp(e: PrincipalElement) -> Hashable:
    return (e.negated, e.values)


class _PrincipalAnswers(dict[Principal, tuple[bool, Any]]):
    """How one Principal element (for an Allow or a Deny) matches each caller, found on first ask."""

    __slots__ = ("deny", "element")

    def __init__(self, element: PrincipalElement, deny: bool) -> None:
        super().__init__()
        self.element, self.deny = element, deny

    def __missing__(self, principal: Principal) -> tuple[bool, Any]:
        m = match_principal(self.element, principal, deny=self.deny)
        found = self[principal] = (m.matched, m.kind)
        return found


class _CallPart(NamedTuple):
    """A planned call, and the parts of its key that depend on the resource side alone."""

    call: Call
    id: int  # the call's resource-side part
    principals: tuple[_PrincipalAnswers, ...]  # its policies' Principal elements, in order
    conditions: frozenset[Hashable]  # the conditions of its policies, by value
    keys: frozenset[str]  # the keys those conditions read


class _ResourcePart(NamedTuple):
    """One resource for callers of one account: the calls of each compiled action and the parts of
    the cell key that depend on the resource alone."""

    id: int
    resources: tuple[str, ...]  # the resources its calls name
    #: picks, from how every element matches a principal, its own Principal elements' answers
    pick: Callable[[list[tuple[bool, Any]]], Hashable]
    calls: tuple[tuple[_CallPart, ...], ...]  # per compiled action
    elements: tuple[int, ...]  # what ``pick`` picks


class _PrincipalPart(NamedTuple):
    id: int
    caller: Caller
    conditions: dict[Hashable, bool]  # whether each condition on the principal alone passes
    values: dict[str, Any]  # the values of the principal's keys that conditions on both sides read
    elements: int  # the id of its policies' Resource elements (``_element_ids``)
    indexes: tuple[int, ...]  # those elements, as indexes into ``_Compiled.elements``
    gap: bool  # a name the decision looks at has a gap


class _Compiled:
    """The shared parts of one matrix (a world, its resources and actions) and the answers found so
    far; ``row`` answers one principal (see the module docstring)."""

    def __init__(
        self, world: World, principals: Sequence[str], resources: Sequence[str], actions: Sequence[str]
    ) -> None:
        self.world = world
        self.resources = tuple(resources)
        self.actions = tuple(actions)
        self.callers = remembered(world).callers
        self.memo = remembered(world).memo
        self.gap_refs = frozenset(g.resource for g in world.gaps)
        self._policy_fps: dict[int, tuple[Policy, Hashable]] = {}
        self._policy_shapes: dict[tuple[int, str, bool], Hashable] = {}
        self._principal_answers: dict[Hashable, _PrincipalAnswers] = {}
        self._p_parts: dict[str, _PrincipalPart] = {}
        self._r_parts: dict[str, list[_ResourcePart | None]] = {}  # per caller account
        self._ids: dict[Hashable, int] = {}
        #: Resource elements of the callers' policies, by value, and whether each matches a resource
        self.elements: dict[Hashable, int] = {}
        self._element_objects: list[ResourceElement | None] = []
        self._matches: dict[str, list[bool]] = {}
        #: per elements id (``_PrincipalPart.elements``), per resource index: the answers' id
        self._cross: dict[int, list[int | None]] = {}
        self._call_cross: dict[tuple[int, str], int] = {}
        self._step_parts: dict[tuple[int, int], tuple[int, tuple[int, ...]]] = {}
        self._views: dict[
            tuple[int, str], tuple[int, tuple[int, ...], frozenset[Hashable], frozenset[str]]
        ] = {}
        self._statement_fps: dict[int, Hashable] = {}
        self._account_elements: dict[str, list[int]] = {}
        self._whole_rows: dict[str, bool] = {}
        self._rows: dict[tuple[int, tuple[Any, ...]], tuple[Answer, ...]] = {}
        #: every Principal element of the resource side (its answers), in order of first use
        self._element_answers: list[_PrincipalAnswers] = []
        self._element_index: dict[int, int] = {}
        self._cells: dict[tuple[int, int, int, Hashable], tuple[Answer | None, ...]] = {}
        self._steps: dict[tuple[int, int, int, tuple[Any, ...]], tuple[bool, str, str]] = {}
        self.representatives = 0  # cells decided, the others copied
        self.compiled_actions = tuple(
            i
            for i, a in enumerate(self.actions)
            if a.partition(":")[0].lower() == "secretsmanager"
            and a.lower() != "secretsmanager:batchgetsecretvalue"
        )
        self.enabled = True
        self.calls: dict[tuple[str, str], list[list[Call]] | None] = {}
        self._scan(principals)

    # -- scanning what the matrix may read

    def _scan(self, principals: Sequence[str]) -> None:
        """Plan every (resource, caller account, action) and collect every condition of every
        policy the matrix may evaluate, sorted by the side its keys come from."""
        world = self.world
        probes: dict[str, str] = {}
        statements: list[Statement] = []
        for p in principals:
            caller = Caller.of(world, p, self.callers)
            probes.setdefault(caller.principal.account, p)
            for policy in self._caller_policies(caller):
                statements.extend(policy.statements)
        for r in self.resources:
            secret = world.secret(r)
            for account, probe in probes.items():
                calls = self._plan(r, probe) if secret is not None and secret.arn == r else None
                self.calls[(r, account)] = calls
                for call in (c for cs in calls or () for c in cs):
                    for policy, _ in self._call_policies(call):
                        statements.extend(policy.statements)
        pconds: dict[Hashable, Condition] = {}
        rconds: dict[Hashable, Condition] = {}
        pkeys: set[str] = set()
        rkeys: set[str] = set()
        for s in statements:
            if s.resource is not None and not s.resource.static:
                self.enabled = False  # a Resource element with policy variables: cell by cell
            for c in s.conditions:
                keys = _condition_keys(c)
                sides = {_principal_side(k) for k in keys}
                if _CALLER_ACCOUNT in keys or len(sides) > 1:
                    pkeys.update(k for k in keys if _principal_side(k))
                    rkeys.update(k for k in keys if not _principal_side(k))
                elif sides == {True}:
                    pconds.setdefault(_cfp(c), c)
                else:
                    rconds.setdefault(_cfp(c), c)
        self.pconds = tuple(pconds.values())
        self.rconds = tuple(rconds.values())
        self.pkeys = tuple(sorted(pkeys))
        self.rkeys = tuple(sorted(rkeys))

    def _plan(self, resource: str, probe: str) -> list[list[Call]] | None:
        """The calls of each compiled action on ``resource`` by a caller of the probe's account;
        None when a call falls outside the argument of the module docstring."""
        out = []
        for i in self.compiled_actions:
            calls, validates = planned_calls(self.world, Request(probe, self.actions[i], resource))
            if validates or not calls:
                return None
            for call in calls:
                if call.kms_grants or call.refused or call.context:
                    return None
                if any(_principal_side(k.lower()) for k, _ in call.keys):
                    return None
            out.append(calls)
        return out

    def _caller_policies(self, caller: Caller) -> Iterable[Policy]:
        """The caller's policies: identity, boundary, session, then its SCP levels."""
        for a in caller.identity:
            yield a.policy
        if caller.boundary is not None:
            yield caller.boundary.policy
        for a in caller.session:
            yield a.policy
        for level in self.world.scp_levels(caller.principal.account) or ():
            for a in level.policies:
                yield a.policy

    def _call_policies(self, call: Call) -> Iterable[tuple[Policy, bool]]:
        """The resource side of a call: its resource-based policy (with the service's rule for a
        missing Resource element) and the RCP levels of its account."""
        if call.policy is not None:
            yield call.policy.policy, rules_for(call.action, call.resource).resource_element_optional
        for level in self.world.rcp_levels(call.account) or ():
            for a in level.policies:
                yield a.policy, False

    # -- the parts of a key

    def _id(self, value: Hashable) -> int:
        found = self._ids.get(value)
        if found is None:
            found = self._ids[value] = len(self._ids)
        return found

    def _policy_fp(self, policy: Policy) -> Hashable:
        found = self._policy_fps.get(id(policy))
        if found is None:
            fp: Hashable
            if policy.source is not None:
                text = json.dumps(policy.source, sort_keys=True, default=str)
                fp = ("json", policy.kind, policy.valid, text)
            else:
                fp = ("object", id(policy))
            found = self._policy_fps[id(policy)] = (policy, fp)  # kept: its id stays its own
        return found[1]

    def _levels_fp(self, levels: tuple[Level, ...] | None) -> Hashable:
        if levels is None:
            return None
        return tuple(tuple(self._policy_fp(a.policy) for a in lv.policies) for lv in levels)

    def _caller_fields(self, P: Principal, statements: Iterable[Statement]) -> tuple[Hashable, ...]:
        """What both keys (a cell's and a call's) read of the principal itself: its kind, account,
        service-linked and boundary flags, and how the Principal elements of ``statements`` (its
        own policies') match it. One place, so the two keys cannot drift apart."""
        return (
            P.type,
            P.account,
            P.service_linked,
            P.has_boundary,
            tuple(
                self._answers_of(s.principal, s.effect is Effect.DENY)[P]
                for s in statements
                if s.principal is not None
            ),
        )

    def _answers_of(self, element: PrincipalElement, deny: bool) -> _PrincipalAnswers:
        key = (_pfp(element), deny)
        found = self._principal_answers.get(key)
        if found is None:
            found = self._principal_answers[key] = _PrincipalAnswers(element, deny)
        return found

    def _element(self, element: ResourceElement | None) -> int:
        fp = _efp(element)
        found = self.elements.get(fp)
        if found is None:
            found = self.elements[fp] = len(self._element_objects)
            self._element_objects.append(element)
        return found

    def _matches_of(self, resource: str) -> list[bool]:
        """Whether each Resource element of the callers' policies matches ``resource`` (grown as
        elements are added); a caller-side element never matches an absent element."""
        found = self._matches.setdefault(resource, [])
        for element in self._element_objects[len(found) :]:
            found.append(_resource_matches(element, resource, False, self.memo))
        return found

    def _principal_part(self, p: str) -> _PrincipalPart:
        found = self._p_parts.get(p)
        if found is not None:
            return found
        world = self.world
        caller = Caller.of(world, p, self.callers)
        P = caller.principal
        statements = [s for policy in self._caller_policies(caller) for s in policy.statements]
        context = Context.of(principal_keys(P))
        passed = {_cfp(c): evaluate_condition(c, context, self.memo).passed for c in self.pconds}
        values = {k: context.get(k) for k in self.pkeys}
        part = (
            tuple(self._policy_fp(a.policy) for a in caller.identity),
            self._policy_fp(caller.boundary.policy) if caller.boundary is not None else None,
            tuple(self._policy_fp(a.policy) for a in caller.session),
            self._levels_fp(world.scp_levels(P.account)),
            *self._caller_fields(P, statements),
            tuple(passed.values()),
            tuple(values.values()),
        )
        indexes = tuple(self._element(s.resource) for s in statements)
        gap = any(x in self.gap_refs for x in (p, P.arn, P.role_arn, P.source_user, P.account))
        found = _PrincipalPart(
            self._id(("p", part, gap)), caller, passed, values, self._id(("e", indexes)), indexes, gap
        )
        self._p_parts[p] = found
        return found

    def _call_part(self, call: Call) -> _CallPart:
        rules = rules_for(call.action, call.resource)
        context, _ = call_context(self.world, call)
        get = context.get
        policies = tuple(self._call_policies(call))
        part = (
            call.action,
            call.optional,
            call.account,
            call.region,
            id(rules),
            call.aws_managed_key,
            call.policy is not None,
            self._levels_fp(self.world.rcp_levels(call.account)),
            tuple(self._shape(policy, call.resource, absent) for policy, absent in policies),
            tuple(evaluate_condition(c, context, self.memo).passed for c in self.rconds),
            tuple(get(k) is not None if k == _CALLER_ACCOUNT else get(k) for k in self.rkeys),
        )
        principals = tuple(
            self._answers_of(s.principal, s.effect is Effect.DENY)
            for policy, _ in policies
            for s in policy.statements
            if s.principal is not None
        )
        conditions = [c for policy, _ in policies for s in policy.statements for c in s.conditions]
        keys = frozenset(k for c in conditions for k in _condition_keys(c))
        return _CallPart(call, self._id(("c", part)), principals, frozenset(map(_cfp, conditions)), keys)

    def _shape(self, policy: Policy, resource: str, absent: bool) -> Hashable:
        """A resource-side policy with each Resource element replaced by whether it matches
        ``resource`` and each Principal element left to the cross part."""
        key = (id(policy), resource, absent)
        found = self._policy_shapes.get(key)
        if found is None:
            self._policy_fp(policy)  # keeps the policy, so its id is not reused
            found = (
                policy.kind,
                policy.valid,
                tuple(
                    (
                        s.effect,
                        s.action.patterns,
                        s.action.negated,
                        _resource_matches(s.resource, resource, absent, self.memo),
                        None if s.principal is None else s.principal.negated,
                        tuple(_cfp(c) for c in s.conditions),
                    )
                    for s in policy.statements
                ),
            )
            if not policy.valid:
                found = (found, self._policy_fp(policy))
            self._policy_shapes[key] = found
        return found

    def _resource_parts(self, account: str) -> list[_ResourcePart | None]:
        found = self._r_parts.get(account)
        if found is None:
            found = self._r_parts[account] = [self._resource_part(r, account) for r in self.resources]
            self._account_elements[account] = sorted(
                {j for rp in found if rp is not None for j in rp.elements}
            )
            # rows shared whole only when no cell of them is decided by itself
            complete = len(self.compiled_actions) == len(self.actions)
            self._whole_rows[account] = complete and all(rp is not None for rp in found)
        return found

    def _resource_part(self, r: str, account: str) -> _ResourcePart | None:
        calls = self.calls.get((r, account))
        if calls is None:
            return None
        parts = tuple(tuple(self._call_part(c) for c in cs) for cs in calls)
        # each Principal element once, by identity of its answers; the part records which one
        # each statement of each call has
        elements: dict[int, _PrincipalAnswers] = {}
        positions = []
        for cs in parts:
            for c in cs:
                for answers in c.principals:
                    elements.setdefault(id(answers), answers)
                    positions.append(list(elements).index(id(answers)))
        gaps = self.gap_refs
        key = (
            tuple(tuple(c.id for c in cs) for cs in parts),
            tuple(positions),
            r in gaps,
            tuple((c.call.resource in gaps, c.call.account in gaps) for cs in parts for c in cs),
        )
        resources = tuple(dict.fromkeys(c.resource for cs in calls for c in cs))
        indexes = [self._element_of(answers) for answers in elements.values()]
        return _ResourcePart(self._id(("r", key)), resources, _picker(indexes), parts, tuple(indexes))

    def _element_of(self, answers: _PrincipalAnswers) -> int:
        found = self._element_index.get(id(answers))
        if found is None:
            found = self._element_index[id(answers)] = len(self._element_answers)
            self._element_answers.append(answers)
        return found

    # -- answering

    def rows(self, principals: Iterable[str]) -> list[list[Answer]]:
        """The answers of each principal's row: resource-major, then action, as ``_row``."""
        return [self.row(p) for p in principals]

    def row(self, p: str) -> list[Answer]:
        """One principal's answers (see the module docstring); cells outside the compiled path are
        decided by ``authorize`` one by one."""
        world, actions = self.world, self.actions
        if not self.enabled:
            return [_decide(world, p, a, r) for r in self.resources for a in actions]
        out: list[Answer] = []
        part = self._principal_part(p)
        pid, P = part.id, part.caller.principal
        rparts = self._resource_parts(P.account)
        # how each Principal element of the resource side matches this principal, by index
        elements = self._account_elements[P.account]
        matched: list[Any] = [None] * len(self._element_answers)
        for j in elements:
            matched[j] = self._element_answers[j][P]
        # a principal with the same part that every element answers alike has the same row
        same = (pid, tuple([matched[j] for j in elements])) if self._whole_rows[P.account] else None
        if same is not None and same in self._rows:
            return list(self._rows[same])
        cells = self._cells
        cross = self._cross.get(part.elements)
        if cross is None:
            cross = self._cross[part.elements] = [None] * len(self.resources)
        complete = len(self.compiled_actions) == len(actions)
        for i, (r, rpart) in enumerate(zip(self.resources, rparts, strict=True)):
            if rpart is None:
                out.extend(_decide(world, p, a, r) for a in actions)
                continue
            aid = cross[i]
            if aid is None:
                matches = [self._matches_of(res) for res in rpart.resources]
                answers = tuple([m[j] for m in matches for j in part.indexes])
                aid = cross[i] = self._id(("a", answers))
            key = (pid, rpart.id, aid, rpart.pick(matched))
            found = cells.get(key)
            if found is None:
                found = cells[key] = self._decide_compiled(p, part, r, rpart)
            if complete:
                out.extend(found)  # type: ignore[arg-type]  # every action compiled: no None
                continue
            for j, a in enumerate(actions):
                got = found[j]
                out.append(got if got is not None else _decide(world, p, a, r))
        if same is not None:
            self._rows[same] = tuple(out)
        return out

    def _step_part(self, part: _PrincipalPart, c: _CallPart) -> tuple[int, tuple[int, ...]]:
        """The principal's part of one call's key: what the engine reads of the caller for the
        call (``_caller_view``) and the conditions of the call's own policies; and the Resource
        elements of the caller's statements the action selects (indexes into ``elements``)."""
        key = (part.id, c.id)
        found = self._step_parts.get(key)
        if found is not None:
            return found
        view, indexes, conditions, keys = self._caller_view(part, c.call.action.lower())
        conditions = c.conditions | conditions
        keys = c.keys | keys
        step = (
            view,
            tuple((fp, ok) for fp, ok in part.conditions.items() if fp in conditions),
            tuple((k, v) for k, v in part.values.items() if k in keys),
        )
        found = self._step_parts[key] = (self._id(("s", step)), indexes)
        return found

    def _caller_view(
        self, part: _PrincipalPart, action: str
    ) -> tuple[int, tuple[int, ...], frozenset[Hashable], frozenset[str]]:
        """What the engine reads of the caller for ``action``: its policies with only the
        statements the action selects (a policy with none still counts: a boundary must allow),
        its fields and how the Principal elements of those statements match it; with the
        statements' Resource elements, conditions and the keys those read."""
        key = (part.id, action)
        found = self._views.get(key)
        if found is not None:
            return found
        caller = part.caller
        P = caller.principal
        statements: list[Statement] = []

        def view(policies: Iterable[Policy]) -> Hashable:
            out = []
            for policy in policies:
                self._policy_fp(policy)  # keeps the policy, so its statements keep their ids
                chosen = self.memo.statements_for(policy, action)
                statements.extend(chosen)
                fps = tuple(self._statement_fp(s) for s in chosen)
                out.append((policy.kind, policy.version, policy.valid, fps))
            return tuple(out)

        levels = self.world.scp_levels(P.account)
        fields = (
            view(a.policy for a in caller.identity),
            view([caller.boundary.policy]) if caller.boundary is not None else None,
            view(a.policy for a in caller.session),
            None if levels is None else tuple(view(a.policy for a in lv.policies) for lv in levels),
            *self._caller_fields(P, statements),
        )
        found = self._views[key] = (
            self._id(("v", fields)),
            tuple(self._element(s.resource) for s in statements),
            frozenset(_cfp(x) for s in statements for x in s.conditions),
            frozenset(k for s in statements for x in s.conditions for k in _condition_keys(x)),
        )
        return found

    def _statement_fp(self, s: Statement) -> Hashable:
        """A statement by value: its JSON (the object itself when it has none)."""
        found = self._statement_fps.get(id(s))
        if found is None:
            found = (
                ("object", id(s)) if s.source is None else json.dumps(s.source, sort_keys=True, default=str)
            )
            self._statement_fps[id(s)] = found
        return found

    def _decide_compiled(
        self, p: str, part: _PrincipalPart, r: str, rpart: _ResourcePart
    ) -> tuple[Answer | None, ...]:
        """The answers of the compiled actions for one cell (None for the others): each call as
        ``authorize`` runs it, the calls' evaluations reused by the key of each call."""
        out: list[Answer | None] = [None] * len(self.actions)
        caller = part.caller
        P = caller.principal
        for i, calls in zip(self.compiled_actions, rpart.calls, strict=True):
            unknown = part.gap or r in self.gap_refs
            answer: Answer | None = None
            first = ""
            for c in calls:
                sid, indexes = self._step_part(part, c)
                aid = self._call_cross.get((sid, c.call.resource))
                if aid is None:
                    matches = self._matches_of(c.call.resource)
                    aid = self._id(("a", tuple([matches[j] for j in indexes])))
                    self._call_cross[(sid, c.call.resource)] = aid
                key = (sid, c.id, aid, tuple([a[P] for a in c.principals]))
                step = self._steps.get(key)
                if step is None:
                    evaluation = evaluate_call(
                        self.world, c.call._replace(caller=caller), [], self.memo
                    ).evaluation
                    step = self._steps[key] = (
                        evaluation.allowed,
                        evaluation.outcome.value,
                        evaluation.reason.value,
                    )
                    self.representatives += 1
                unknown = unknown or c.call.resource in self.gap_refs or c.call.account in self.gap_refs
                allowed, outcome, reason = step
                first = first or reason
                if not allowed and not c.call.optional:  # the first failure decides (``authorize``)
                    answer = (outcome, reason, unknown)
                    break
            out[i] = answer or (Outcome.ALLOW.value, first, unknown)
        return tuple(out)


def _resource_matches(element: ResourceElement | None, resource: str, absent: bool, memo: Memo) -> bool:
    """Whether a (static) Resource element matches ``resource``, as the engine decides it."""
    if element is not None and element.any:
        return True
    return match_resource(element, resource, _EMPTY, absent_matches=absent, memo=memo).matched


_EMPTY = Context.of(())


def _picker(indexes: list[int]) -> Callable[[list[tuple[bool, Any]]], Hashable]:
    """A C-level pick of the items at ``indexes`` (always a tuple, even of one or none)."""
    if len(indexes) > 1:
        return itemgetter(*indexes)
    if indexes:
        only = indexes[0]
        return lambda items: (items[only],)
    return lambda items: ()


def _decide(world: World, principal: str, action: str, resource: str) -> Answer:
    d = authorize(world, Request(principal, action, resource), plan=False)
    return (d.outcome.value, d.reason.value, d.unknown)
