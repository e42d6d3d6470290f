"""Evaluate a condition against the request context, once for every operator: missing keys
(§5.3), ``IfExists`` (§5.11), ``Null`` (§5.12), ``ForAnyValue``/``ForAllValues`` (§5.14), plain
operators on multivalued keys (§5.15, A12), several values OR-ed and NOR-ed for negated operators
(§5.1), wrong-typed request values (§5.5), and policy variables in values (§6).

Every result says why, as data. AWS pages:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .context import Context, Values
from .operators import Family, compare, request_value
from .policy import Condition
from .variables import resolve
from .wildcards import Pieces


@dataclass(frozen=True, slots=True)
class ConditionResult:
    condition: Condition
    request_values: Values | None  # None: the key is not in the request
    policy_values: tuple[str | None, ...]  # after variable substitution (None: unresolvable)
    passed: bool
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "operator": self.condition.operator.name,
            "key": self.condition.key,
            "policy_values": list(self.policy_values),
            "request_values": None if self.request_values is None else list(self.request_values),
            "passed": self.passed,
            "why": self.why,
        }


def evaluate_condition(condition: Condition, context: Context) -> ConditionResult:
    op = condition.operator
    values = context.get(condition.key_lower)
    if op.family is Family.NULL:
        return _null(condition, values)
    resolved = _resolve(condition, context)
    shown = tuple(None if r is None else "".join(t for t, _ in r[1]) for r in resolved)

    def result(passed: bool, why: str) -> ConditionResult:
        return ConditionResult(condition, values, shown, passed, why)

    if values is None:
        if op.if_exists:
            return result(True, f"{condition.key} is absent, and …IfExists is true without it")
        if op.qualifier == "ForAllValues":
            return result(True, f"{condition.key} is absent: ForAllValues is true for no values")
        if op.qualifier == "ForAnyValue":
            return result(False, f"{condition.key} is absent: ForAnyValue needs one matching value")
        if op.negated:
            return result(True, f"{condition.key} is absent: a negated operator is true without it")
        return result(False, f"{condition.key} is absent from the request")

    matches = [_positive(op.positive, op.family, resolved, v) for v in values]
    holds = [not m if op.negated else m for m in matches]
    if op.qualifier == "ForAllValues":
        passed = all(holds)
        why = ("every request value " if passed else "not every request value ") + _verb(op.negated)
    elif op.qualifier == "ForAnyValue":
        passed = any(holds)
        why = ("a request value " if passed else "no request value ") + _verb(op.negated)
    elif op.negated:  # NOR over the policy values, for every request value (§5.1, A12)
        passed = all(holds)
        why = "no request value matches any listed value" if passed else "a request value matches a listed value"
    else:  # OR over the policy values, any request value (§5.1, A12)
        passed = any(holds)
        why = "a request value matches a listed value" if passed else "no request value matches a listed value"
    if any(r is None for r in resolved):
        why += "; a policy variable could not be resolved, so that value matches nothing"
    if not passed and any(_typed(op.family, v) is None for v in values):
        why += f"; a request value is not of the {op.family.value} type"
    return result(passed, why)


def _verb(negated: bool) -> str:
    return "matches none of the listed values" if negated else "matches a listed value"


def _typed(family: Family, value: str) -> Any:
    return request_value(family, value)


def _positive(positive: str, family: Family, resolved: list[tuple[Any, Pieces] | None],
              raw: str) -> bool:
    value = request_value(family, raw)
    if value is None:
        return False  # wrong-typed request value (§5.5)
    return any(r is not None and compare(positive, r[0], r[1], value) for r in resolved)


def _resolve(condition: Condition, context: Context) -> list[tuple[Any, Pieces] | None]:
    out: list[tuple[Any, Pieces] | None] = []
    for parsed, template, pieces in zip(condition.parsed, condition.templates, condition.pieces,
                                        strict=True):
        if template is None:
            out.append((parsed, pieces))
            continue
        resolved = resolve(template, context.single)
        out.append(None if resolved is None else ("".join(t for t, _ in resolved), resolved))
    return out


def _null(condition: Condition, values: Values | None) -> ConditionResult:
    absent = values is None or len(values) == 0
    passed = any(flag == absent for flag in condition.parsed)  # several values are OR-ed
    state = "absent" if absent else "present"
    why = f"{condition.key} is {state}; Null {'/'.join(condition.values)} is {'true' if passed else 'false'}"
    return ConditionResult(condition, values, condition.values, passed, why)
