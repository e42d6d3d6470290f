"""Evaluate a condition against the request context, once for every operator: missing keys
(§5.3), ``IfExists`` (§5.11), ``Null`` (§5.12), ``ForAnyValue``/``ForAllValues`` (§5.14), plain
operators on multivalued keys (§5.15, A12), several values OR-ed and NOR-ed for negated operators
(§5.1), wrong-typed request values (§5.5), and policy variables in values (§6).

Every result says why, as data (a state code; ``why`` words it on demand). AWS pages:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NamedTuple

from ..policy.model import Condition
from ..policy.operators import Family, compare, request_value
from ..policy.variables import resolve
from ..policy.wildcards import Pieces
from .context import Context, Values
from .memo import Memo, remember


class ConditionState(StrEnum):
    """Why a condition came out as it did."""

    ABSENT = "absent"  # the key is not in the request
    MATCHED = "matched"  # (some/every) request value satisfies the operator
    UNMATCHED = "unmatched"  # no (or not every) request value satisfies it
    NULL = "null"  # a Null condition: decided by the key's presence alone


ABSENT, MATCHED, UNMATCHED, NULL = (
    ConditionState.ABSENT,
    ConditionState.MATCHED,
    ConditionState.UNMATCHED,
    ConditionState.NULL,
)


class ConditionResult(NamedTuple):  # a NamedTuple: immutable, and cheap to build on the hot path
    """The result of one condition (a key and an operator): the request's values of the key (None when
    absent), the policy's values after variable substitution, whether it passed, and why as a state
    (``why`` words it on demand)."""

    condition: Condition
    request_values: Values | None  # None: the key is not in the request
    policy_values: tuple[str | None, ...]  # after variable substitution (None: unresolvable)
    passed: bool
    state: ConditionState

    @property
    def why(self) -> str:
        """Why the condition passed or failed, in a sentence (absent key, ``IfExists``, ``Null``, set
        operators, or the values compared)."""
        c, op = self.condition, self.condition.operator
        if self.state == NULL:
            present = "absent" if not self.request_values else "present"
            return f"{c.key} is {present}, so Null {'/'.join(c.values)} is {str(self.passed).lower()}"
        if self.state == ABSENT:
            if op.if_exists:
                return f"{c.key} is absent, and …IfExists is true without it"
            if op.qualifier == "ForAllValues":
                return f"{c.key} is absent: ForAllValues is true when there are no values"
            if op.qualifier == "ForAnyValue":
                return f"{c.key} is absent: ForAnyValue needs at least one matching value"
            if op.negated:
                return f"{c.key} is absent: a negated operator is true without it"
            return f"{c.key} is absent from the request"
        if not self.request_values and op.qualifier == "ForAllValues":
            return f"{c.key} is empty: ForAllValues is true when there are no values"
        if not self.request_values and op.qualifier == "ForAnyValue":
            return f"{c.key} is empty: ForAnyValue needs at least one matching value"
        listed = ", ".join("<unresolved variable>" if v is None else repr(v) for v in self.policy_values)
        got = ", ".join(repr(v) for v in self.request_values or ()) or "empty"
        quantifier = {
            "ForAllValues": "every request value",
            "ForAnyValue": "some request value",
        }.get(op.qualifier or "", "the request value")
        if op.negated:
            relation = "differs from every one of" if self.passed else "matches one of"
        else:
            relation = "matches one of" if self.passed else "matches none of"
        if op.qualifier == "ForAllValues" and not self.passed:
            quantifier = "not every request value"
            relation = "differs from all of" if op.negated else "matches one of"
        why = f"{c.key} = {got}: {quantifier} {relation} [{listed}] under {op.positive}"
        if any(_typed(op.family, v) is None for v in self.request_values or ()):
            why += f" (a request value is not a valid {op.family.value}, so it matches nothing)"
        return why

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data: operator, key, policy and request values, ``passed`` and ``why``."""
        return {
            "operator": self.condition.operator.name,
            "key": self.condition.key,
            "policy_values": list(self.policy_values),
            "request_values": None if self.request_values is None else list(self.request_values),
            "passed": self.passed,
            "why": self.why,
        }


def evaluate_condition(condition: Condition, context: Context, memo: Memo | None = None) -> ConditionResult:
    """The condition's result on the request context. It depends only on the request's values of
    its key and of the variables in its values, so ``memo`` remembers it by those."""
    values = context.get(condition.key_lower)
    if memo is None:
        return _evaluate(condition, context, values)
    variables = condition.variable_keys
    key = (condition, values, *map(context.single, variables)) if variables else (condition, values)
    found: ConditionResult | None = memo.conditions.get(key)
    if found is None:
        found = _evaluate(condition, context, values)
        remember(memo.conditions, key, found)
    return found


def _evaluate(condition: Condition, context: Context, values: Values | None) -> ConditionResult:
    op = condition.operator
    if op.family is Family.NULL:
        absent = values is None or len(values) == 0
        passed = any(flag == absent for flag in condition.parsed)  # several values are OR-ed
        return ConditionResult(condition, values, condition.values, passed, NULL)
    if values is None:
        if op.if_exists or op.qualifier == "ForAllValues":
            passed = True
        elif op.qualifier == "ForAnyValue":
            passed = False
        else:
            passed = op.negated  # a missing key: positive false, negated true (§5.3)
        return ConditionResult(condition, None, condition.values, passed, ABSENT)
    match = condition.match
    shown: tuple[str | None, ...] = condition.values
    if match is None:  # values with policy variables: substitute for this request (§6)
        resolved = _resolve(condition, context)
        shown = tuple(None if r is None else r[2] for r in resolved)
        positive, family = op.positive, op.family

        def match(raw: str) -> bool:
            return _match(positive, family, resolved, raw)

    negated = op.negated
    if op.qualifier == "ForAllValues":
        passed = all(match(v) != negated for v in values)
    elif op.qualifier == "ForAnyValue" or not negated:
        passed = any(match(v) != negated for v in values)
    else:  # plain negated operator: NOR over the policy values, for every request value (§5.1, A12)
        passed = not any(match(v) for v in values)
    return ConditionResult(condition, values, shown, passed, MATCHED if passed else UNMATCHED)


def _typed(family: Family, value: str) -> Any:
    return request_value(family, value)


Resolved = list[tuple[Any, Pieces, str] | None]


def _match(positive: str, family: Family, resolved: Resolved, raw: str) -> bool:
    """Whether the request value satisfies the positive operator for one of the policy values."""
    value: Any = raw if family is Family.STRING else request_value(family, raw)
    if value is None:
        return False  # wrong-typed request value (§5.5)
    if positive == "StringEquals":
        return any(r is not None and r[2] == raw for r in resolved)
    return any(r is not None and compare(positive, r[0], r[1], value) for r in resolved)


def _resolve(condition: Condition, context: Context) -> Resolved:
    out: Resolved = []
    for parsed, template, pieces, text in zip(
        condition.parsed, condition.templates, condition.pieces, condition.values, strict=True
    ):
        if template is None:
            out.append((parsed, pieces, text))
            continue
        resolved = resolve(template, context.single)
        if resolved is None:
            out.append(None)
        else:
            joined = "".join(t for t, _ in resolved)
            out.append((joined, resolved, joined))
    return out
