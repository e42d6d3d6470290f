"""The checker of notebook 02 (how AWS decides: conditions): the Condition block that lets bob
create secrets carrying only approved tag keys and at least one tag. The world is
``worlds/tagging.json``, with the learner's block on its one statement."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..authorization import Decision, authorize
from ..policy.parsing import check_policy
from ..world import World
from .common import NOT_YET, PROD, REGION, RIGHT, never_raises, problems_text, why_denied
from .shipped import world_data

_BOB = f"arn:aws:iam::{PROD}:user/bob"
_NEW_SECRET = f"arn:aws:secretsmanager:{REGION}:{PROD}:secret:team/new-Nw4Ze1"

#: (tags passed to CreateSecret or None for no Tags parameter, whether it must be allowed)
TAGGING_REQUESTS: tuple[tuple[dict[str, str] | None, bool], ...] = (
    ({"team": "payments", "env": "dev"}, True),
    ({"team": "payments"}, True),
    ({"owner": "bob"}, False),
    ({"team": "payments", "owner": "bob"}, False),
    (None, False),
)


def _bob_statements(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The statements of bob's one policy in the world of ``worlds/tagging.json``."""
    bob = next(u for u in data["principals"]["users"] if u["arn"] == _BOB)
    statements: list[dict[str, Any]] = bob["policies"][0]["Statement"]
    return statements


def tagging_statement(condition: object) -> dict[str, Any]:
    """The statement of exercise 02: bob may create (and tag) secrets under team/ when
    ``condition`` holds."""
    return {**_bob_statements(world_data("tagging"))[0], "Condition": condition}


def tagging_world(condition: object) -> World:
    """One account, user bob with only ``tagging_statement(condition)``."""
    data = world_data("tagging")
    statements = _bob_statements(data)
    statements[0] = {**statements[0], "Condition": condition}
    return World.from_dict(data)


def tagging_request(tags: Mapping[str, str] | None) -> dict[str, Any]:
    """bob's CreateSecret of team/new with ``tags`` (None: no Tags parameter at all)."""
    parameters: dict[str, Any] = {"Name": "team/new", "SecretString": True}
    if tags is not None:
        parameters["Tags"] = dict(tags)
    return {"principal": _BOB, "action": "secretsmanager:CreateSecret", "resource": _NEW_SECRET,
            "parameters": parameters}  # fmt: skip


@never_raises
def check_02(answer: object) -> str:
    """Exercise 02: the Condition block that lets bob create secrets carrying only the tag keys
    ``team`` and ``env`` and at least one tag: every request of ``TAGGING_REQUESTS`` must be
    decided as listed."""
    if answer is None or not isinstance(answer, Mapping):
        return (
            f"{NOT_YET}: the answer is a Condition block, a dict such as "
            '{"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}}; '
            f"got {type(answer).__name__}."
        )
    policy = {"Version": "2012-10-17", "Statement": [tagging_statement(dict(answer))]}
    errors = [p for p in check_policy(policy, "identity") if p.is_error]
    if errors:
        return f"{NOT_YET}: AWS would reject the policy with this Condition:\n{problems_text(errors)}"
    world = tagging_world(dict(answer))
    wrong = [w for tags, expected in TAGGING_REQUESTS if (w := _wrong(world, tags, expected))]
    if wrong:
        return f"{NOT_YET}:\n" + "\n".join(f"  - {w}" for w in wrong)
    return (
        f"{RIGHT}: all {len(TAGGING_REQUESTS)} requests are decided as they must be. ForAllValues "
        "alone is true when aws:TagKeys is absent (no Tags at all); a Null check (aws:TagKeys "
        "false), or an operator that needs the key, is what closes that gap."
    )


def _wrong(world: World, tags: dict[str, str] | None, expected: bool) -> str:
    """Why the CreateSecret with ``tags`` is decided otherwise than ``expected``; "" if it is not."""
    decision = authorize(world, tagging_request(tags))
    if decision.allowed == expected:
        return ""
    shown = "no Tags at all" if tags is None else f"Tags {sorted(tags)}"
    if decision.allowed:
        return f"CreateSecret with {shown} is allowed but must be denied ({_condition_reasons(decision)})"
    why = why_denied(decision, "identity policy")
    return f"CreateSecret with {shown} is denied but must be allowed: {why}"


def _condition_reasons(decision: Decision) -> str:
    step = decision.main_step
    if step is None:
        return decision.reason.value
    results = [c for d in step.evaluation.deciding for c in d.statement.conditions]
    return "; ".join(c.why for c in results) or "no condition stops it"
