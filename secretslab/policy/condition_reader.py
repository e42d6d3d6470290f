"""The Condition element of one statement: each operator named, each key's values read and typed
for the operator's family, and the policy variables in them, into shared ``Condition`` values.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html,
reference_policies_elements_condition_operators.html (semantics §3.5, §6).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..pages import POLICY_VARIABLES
from ..problems import Problem, ProblemCode, quoted
from . import caches, checks
from .model import Condition, Effect
from .operators import Family, Operator, parse_operator, policy_value
from .reading import Path, Reader, json_type
from .variables import Template
from .wildcards import Pieces, plain


class ConditionReader(Reader):
    """Reads a Condition element; a condition with any unusable value is left out."""

    def _conditions(self, raw: Any, effect: Effect | None, path: Path) -> tuple[Condition, ...]:
        if not isinstance(raw, Mapping):
            self.problems.append(
                Problem(
                    ProblemCode.INVALID_CONDITION,
                    f"Condition is an object of {{operator: {{key: values}}}}, found {json_type(raw)}",
                    path,
                )
            )
            return ()
        out: list[Condition] = []
        for op_name, block in raw.items():
            opath = (*path, str(op_name))
            operator = parse_operator(str(op_name))
            if operator is None:
                hint = _suggest_operator(str(op_name))
                self.problems.append(
                    Problem(
                        ProblemCode.UNKNOWN_OPERATOR,
                        f"{quoted(op_name)} is not a condition operator; AWS rejects the policy",
                        opath,
                        hint=hint,
                    )
                )
                continue
            if not isinstance(block, Mapping) or not block:
                self.problems.append(
                    Problem(
                        ProblemCode.INVALID_CONDITION,
                        f"{op_name} maps condition keys to values, found {json_type(block)}",
                        opath,
                    )
                )
                continue
            for key, values in block.items():
                condition = self._condition(operator, str(key), values, (*opath, str(key)))
                if condition is not None:
                    self.add(checks.check_condition(condition, effect, (*opath, str(key))))
                    out.append(condition)
        return tuple(out)

    def _condition(self, operator: Any, key: str, raw: Any, path: Path) -> Condition | None:
        items: list[tuple[Any, Path]] = (
            [(v, (*path, i)) for i, v in enumerate(raw)] if isinstance(raw, list) else [(raw, path)]
        )
        if not items:
            self.problems.append(Problem(ProblemCode.EMPTY_ELEMENT, f"{key} has no values", path))
            return None
        texts, parsed, templates, pieces = [], [], [], []
        ok = True
        for value, vpath in items:
            read, expected = policy_value(operator.family, value)
            if expected is not None:
                self.problems.append(
                    Problem(
                        ProblemCode.INVALID_CONDITION_VALUE,
                        f"{operator.base} needs {expected}, found {json_type(value)} {quoted(value)}",
                        vpath,
                    )
                )
                ok = False
                continue
            text = (
                value if isinstance(value, str) else str(read if operator.family is Family.STRING else value)
            )
            if isinstance(value, bool):
                text = "true" if value else "false"
            template = self._value_template(operator, text, vpath)
            texts.append(text)
            parsed.append(read)
            templates.append(template)
            pieces.append(plain(text))
        if not ok:
            return None
        return _condition(operator, key, tuple(texts), tuple(parsed), tuple(templates), tuple(pieces))

    def _value_template(self, operator: Any, text: str, path: Path) -> Template | None:
        if "${" not in text:
            return None
        if not operator.takes_variables:
            if self.variables:
                self.problems.append(
                    Problem(
                        ProblemCode.VARIABLE_NOT_SUBSTITUTED,
                        f"{operator.base} takes no policy variables: "
                        f"{quoted(text)} is compared literally (see {POLICY_VARIABLES})",
                        path,
                    )
                )
            else:
                self._old_version_variable(text, path)
            return None
        return self._template(text, path)


# Equal conditions are built once and shared, as elements are (see elements.py).
_CONDITIONS: dict[tuple[Any, ...], Condition] = {}
caches.register(_CONDITIONS.clear)


def _condition(
    operator: Operator,
    key: str,
    texts: tuple[str, ...],
    parsed: tuple[Any, ...],
    templates: tuple[Template | None, ...],
    pieces: tuple[Pieces, ...],
) -> Condition:
    cache_key = (operator.name, key, texts, templates)
    found = _CONDITIONS.get(cache_key)
    if found is None:
        found = Condition(operator, key, texts, parsed, templates, pieces)
        if len(_CONDITIONS) >= 16384:
            _CONDITIONS.clear()
        _CONDITIONS[cache_key] = found
    return found


def _suggest_operator(name: str) -> str | None:
    from .catalog import suggest_operator

    found = suggest_operator(name)
    return f"did you mean {quoted(found)}?" if found else None
