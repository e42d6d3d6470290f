"""The checker of notebook 02 (how AWS decides: conditions): the Condition block that lets bob
create secrets carrying only approved tag keys and at least one tag. The world is
``worlds/tagging.json``, with the learner's block on its one statement."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..analysis import check_access_not_granted
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
    denied = [
        f"  - {w}" for tags, expected in TAGGING_REQUESTS if expected and (w := _wrong(world, tags, True))
    ]
    allowed = _wrongly_allowed(world)
    if denied or allowed:
        lines = denied + allowed
        return f"{NOT_YET}:\n" + "\n".join(lines)
    return (
        f"{RIGHT}: every tagging request is decided as it must be — {len(_TAG_SETS)} sets of tag keys "
        "(none, empty, approved, unapproved) on CreateSecret and TagResource, for every principal and "
        "secret, secrets that do not exist yet included. ForAllValues alone is true when aws:TagKeys "
        "is absent (no Tags at all); a Null check (aws:TagKeys false), or an operator that needs the "
        "key, is what closes that gap."
    )


#: the tag keys asked: each set (None: no Tags parameter) must be allowed iff it is a non-empty
#: set of approved keys
_APPROVED = frozenset({"team", "env"})
_TAG_SETS: tuple[frozenset[str] | None, ...] = (
    None,
    *(frozenset(k for i, k in enumerate(("team", "env", "owner")) if n >> i & 1) for n in range(8)),
)


def _must_allow(keys: frozenset[str] | None) -> bool:
    return keys is not None and bool(keys) and keys <= _APPROVED


def _wrongly_allowed(world: World) -> list[str]:
    """Each set of tag keys that must be denied and that some request (CreateSecret or
    TagResource, any principal, any secret) is allowed with, found by ``check_access_not_granted``."""
    lines = []
    for keys in _TAG_SETS:
        if _must_allow(keys):
            continue
        parameters: dict[str, Any] = {"Name": "team/new", "SecretString": True}
        if keys is not None:
            parameters["Tags"] = {k: "x" for k in sorted(keys)}
        result = check_access_not_granted(
            world, actions=_TAGGING, variants=({"parameters": parameters},), explore=False
        )
        if result.passed:
            continue
        tags = None if keys is None else {k: "x" for k in keys}
        shown = "no Tags at all" if keys is None else f"Tags {sorted(keys)}"
        actions = ", ".join(sorted({w.action.partition(":")[2] for w in result.witnesses}))
        decision = authorize(world, tagging_request(tags))
        why = _condition_reasons(decision) if decision.allowed else "; ".join(result.witnesses[0].responsible)
        lines.append(f"  - {actions} with {shown} is allowed but must be denied ({why})")
    return lines


_TAGGING = ("secretsmanager:CreateSecret", "secretsmanager:TagResource")


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
