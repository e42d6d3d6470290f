"""What every exercise checker shares: the opening words of its answers (``Right``, ``Not yet``),
the accounts and region of the notebooks' worlds, the guard that turns any failure into a
message, and the sentences that say why the package denied a request."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from typing import Any, ParamSpec

from ..analysis.checks import CheckResult, Witness
from ..analysis.principals import DEFAULT_ACTIONS
from ..authorization import Decision
from ..evaluation.results import Evaluation
from ..problems import Problem

RIGHT, NOT_YET = "Right", "Not yet"
GET = "secretsmanager:GetSecretValue"
PROD, APPS = "111111111111", "222222222222"
REGION = "us-east-1"

P = ParamSpec("P")


def never_raises(check: Callable[P, str]) -> Callable[P, str]:
    """A checker that explains instead of raising: the notebook must run top to bottom."""

    @wraps(check)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> str:
        try:
            return check(*args, **kwargs)
        except Exception as exc:  # any failure becomes a message, never a traceback
            return (
                f"{NOT_YET}: this answer could not be checked ({type(exc).__name__}: {exc}). "
                "Compare its shape with the placeholder answer of the exercise."
            )

    return guarded


def policy_document(answer: object, what: str) -> tuple[Any, str | None]:
    """(the policy document, None) from a dict or JSON text, or (None, the reason it is not one)."""
    if isinstance(answer, (str, bytes, bytearray)):
        try:
            answer = json.loads(answer)
        except (ValueError, RecursionError) as exc:
            return None, f"{NOT_YET}: the answer is not valid JSON ({exc})."
    if not isinstance(answer, Mapping):
        return None, f"{NOT_YET}: the answer is {what} (a dict or JSON text); got {type(answer).__name__}."
    return dict(answer), None


def problems_text(problems: Iterable[Problem]) -> str:
    """One indented line per problem."""
    return "\n".join(f"  {p}" for p in problems)


def why_denied(decision: Decision, focus: str = "") -> str:
    """The failing step, its reason code, and why each statement of the policies whose label
    contains ``focus`` did not apply."""
    step = decision.failed_step
    if step is None:
        return f"{decision.reason.value}: {decision.reason.summary}"
    text = f"denied at {step.action} ({decision.reason.value}: {decision.reason.summary})"
    if focus:
        reasons = _statement_reasons(step.evaluation, focus)
        if reasons:
            text += "; " + "; ".join(reasons)
    return text


def _statement_reasons(evaluation: Evaluation, focus: str) -> list[str]:
    out = []
    for policy in evaluation.policies:
        if focus in policy.label:
            for result in policy.statements():
                if result.why_not:
                    out.append(f"{policy.label}, {result.statement.label}: {result.why_not}")
    return out


def type_name(value: object) -> str:
    """``list of int`` for a collection, else the type's name."""
    name = type(value).__name__
    if isinstance(value, (list, tuple, set, frozenset)) and value:
        inner = sorted({type(v).__name__ for v in value})
        return f"{name} of {', '.join(inner)}"
    return name


def short(arn: str) -> str:
    """What follows an ARN's last colon: ``user/alice``, ``team/db-AbC123``."""
    return arn.rsplit(":", 1)[-1]


#: witnesses a checker lists before it says how many more there are
LISTED = 5


def beyond(result: CheckResult, wanted: Callable[[Witness], bool] = lambda w: False) -> list[Witness]:
    """The witnesses of an access check that the exercise does not ask for."""
    return [w for w in result.witnesses if not wanted(w)]


def witness_lines(witnesses: list[Witness], verb: str = "also allows") -> str:
    """The requests an answer wrongly allows (or no longer allows), one line per principal and
    resource with its actions (reads and writes first) and the statements responsible: the first
    ``LISTED`` lines, then how many more."""
    groups: dict[tuple[str, str, str], list[Witness]] = {}
    for w in witnesses:
        groups.setdefault((w.principal_label, w.resource_label, _tags(w)), []).append(w)
    lines = []
    for (who, what, tags), found in list(groups.items())[:LISTED]:
        actions = sorted(dict.fromkeys(w.action for w in found), key=_weight)
        why = "; ".join(found[0].responsible[:2]) or found[0].after.summary
        names = ", ".join(actions)
        lines.append(f"  - it {verb} {who} {names}{tags} on {what} (by {why})")
    if len(groups) > LISTED:
        lines.append(f"  - … and {len(groups) - LISTED} more principal(s) or resource(s)")
    return "\n".join(lines)


def _tags(w: Witness) -> str:
    tags = w.parameters.get("Tags") if w.parameters else None
    if tags is None:
        return (
            " with no Tags"
            if w.parameters and "Tags" not in w.parameters and w.parameters.get("Name")
            else ""
        )
    return f" with Tags {sorted(tags)}"


def _weight(action: str) -> tuple[int, str]:
    """Reads and writes of a secret first, then the rest in the catalogue's order."""
    return (DEFAULT_ACTIONS.index(action) if action in DEFAULT_ACTIONS else len(DEFAULT_ACTIONS), action)
