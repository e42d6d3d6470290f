"""The ``expectations`` of a scenario file: the decisions its world is meant to produce, each
``{"request": {…}, "decision": "allow" | "deny", "reason": CODE, "why": text}``. Their shape is
checked when the file is read, so a broken expectation is a located problem, not a check that
silently never runs (issue #9)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from ..evaluation.results import Reason
from ..evaluation.target import read_context, read_target
from ..fields import Fields
from ..problems import Problem, ProblemCode, did_you_mean

_EXPECTATION = {"request": True, "decision": True, "reason": False, "why": False}
_REQUEST = {
    "principal": True,
    "action": True,
    "resource": False,
    "context": False,
    "parameters": False,
    "assume_role_chain": False,
}
DECISIONS = ("allow", "deny")


def expectation_problems(value: Any, source: str | None = None) -> list[Problem]:
    """Every problem of an ``expectations`` list, located at ``$.expectations[i]…``."""
    reader = Fields(source)
    for path, item in reader.items(value, ("expectations",), "expectations"):
        raw = reader.obj(item, path, _EXPECTATION, "an expectation")
        if raw is None:
            continue
        request = reader.obj(raw.get("request"), (*path, "request"), _REQUEST, "a request")
        if request is not None:
            inner = Fields(source)
            read_target(inner, request)
            for key in ("parameters",):
                if request.get(key) is not None and not isinstance(request[key], Mapping):
                    inner.problem(ProblemCode.INVALID_FIELD, f"{key} is an object", (key,))
            chain = request.get("assume_role_chain")
            if chain is not None and not isinstance(chain, list):
                inner.problem(
                    ProblemCode.INVALID_FIELD, "assume_role_chain is a list", ("assume_role_chain",)
                )
            for j, hop in enumerate(chain if isinstance(chain, list) else []):
                if not isinstance(hop, Mapping) or not isinstance(hop.get("role_arn"), str):
                    message = "an AssumeRole step is an object with a role_arn"
                    inner.problem(ProblemCode.INVALID_FIELD, message, ("assume_role_chain", j))
                elif hop.get("context") is not None:
                    read_context(inner, hop.get("context"), ("assume_role_chain", j, "context"))
            reader.problems.extend(p.under(*path, "request") for p in inner.problems)
        decision = raw.get("decision")
        if "decision" in raw and decision not in DECISIONS:
            reader.problem(
                ProblemCode.INVALID_FIELD,
                f"decision is allow or deny, found {_shown(decision)}",
                (*path, "decision"),
            )
        reason = raw.get("reason")
        if reason is not None and reason not in _REASONS:
            close = tuple(difflib.get_close_matches(str(reason), sorted(_REASONS), n=3, cutoff=0.6))
            reader.problems.append(
                Problem(
                    ProblemCode.INVALID_FIELD,
                    f"reason is a reason code such as ALLOWED_IDENTITY, found {_shown(reason)}",
                    (*path, "reason"),
                    did_you_mean(close) or f"the reason codes are {', '.join(sorted(_REASONS))}",
                    source,
                    suggestions=close,
                )
            )
        elif (
            reason is not None
            and decision in DECISIONS
            and (reason in _ALLOW_REASONS) != (decision == "allow")
        ):
            # a check that could never hold: said when the file is read, not when it is run
            other = "deny" if decision == "allow" else "allow"
            reader.problem(
                ProblemCode.INVALID_FIELD,
                f"reason {reason} comes with the decision {other}, never with {decision}",
                (*path, "reason"),
                f"state decision {other}, or a reason a {decision} is given with "
                f"(such as {'ALLOWED_IDENTITY' if decision == 'allow' else 'NO_APPLICABLE_ALLOW'})",
            )
        if raw.get("why") is not None and not isinstance(raw["why"], str):
            reader.problem(ProblemCode.INVALID_FIELD, "why is text", (*path, "why"))
    return reader.problems


_REASONS = frozenset(r.value for r in Reason)
#: the reasons an allowed request is given (every other reason comes with a deny)
_ALLOW_REASONS = frozenset(r for r in _REASONS if r.startswith("ALLOWED_"))


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "…"
