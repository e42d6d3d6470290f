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
    ``team`` and ``env`` and at least one tag: bob's CreateSecret must be allowed with every
    non-empty set of approved keys, and every other set of keys (none, empty, unapproved, near
    misses such as ``Team``) denied on CreateSecret and TagResource for every principal and secret."""
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
    approved = [keys for keys in _TAG_SETS if _must_allow(keys)]
    lines = [f"  - {w}" for keys in approved if (w := _wrong(world, _tags(keys), True))]
    lines += _wrongly_allowed(world)
    if lines:
        return f"{NOT_YET}:\n" + "\n".join(lines)
    allowed = len(approved)
    return (
        f"{RIGHT}: bob's CreateSecret is allowed with each of the {allowed} non-empty sets of approved "
        f"tag keys, and each of the other {len(_TAG_SETS) - allowed} sets of tag keys drawn from "
        f"{', '.join(_KEYS)} (none, empty, unapproved, near misses) is denied on CreateSecret and "
        "TagResource (without Tags: CreateSecret only, as TagResource requires them), for every "
        "principal and secret, secrets that do not exist yet included. Tag keys are case sensitive "
        "(https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_TagResource.html): "
        "Team is not team. "
        "ForAllValues alone is true when aws:TagKeys is absent (no Tags at all) or empty; a Null "
        "check (aws:TagKeys false), or an operator that needs the key, is what closes that gap."
    )


#: the approved tag keys, and the tag keys each set is drawn from: the approved, an unapproved one
#: and near misses that a too-loose operator lets through (tag keys are case sensitive)
_APPROVED = frozenset({"team", "env"})
_KEYS = ("team", "env", "owner", "Team", "teamowner")
#: every set of ``_KEYS`` and None (no Tags parameter); each must be allowed iff it is a non-empty
#: set of approved keys
_TAG_SETS: tuple[frozenset[str] | None, ...] = (
    None,
    *(frozenset(k for i, k in enumerate(_KEYS) if n >> i & 1) for n in range(2 ** len(_KEYS))),
)
_VALUES = {"team": "payments", "env": "dev"}


def _must_allow(keys: frozenset[str] | None) -> bool:
    return keys is not None and bool(keys) and keys <= _APPROVED


def _tags(keys: frozenset[str] | None) -> dict[str, str] | None:
    """Tags with ``keys`` (None: no Tags parameter), each with a plausible value."""
    return None if keys is None else {k: _VALUES.get(k, "x") for k in sorted(keys)}


def _shown(tags: Mapping[str, str] | None) -> str:
    if tags is None:
        return "no Tags at all"
    return f"Tags {sorted(tags)}" if tags else "an empty Tags list"


def _wrongly_allowed(world: World) -> list[str]:
    """Each set of tag keys that must be denied and that some request (CreateSecret or
    TagResource, any principal, any secret) is allowed with, found by ``check_access_not_granted``.
    Without Tags only CreateSecret is asked: TagResource requires them. A set is not listed when
    a smaller non-empty set it contains is."""
    lines: list[str] = []
    found: list[frozenset[str]] = []
    for keys in sorted(_TAG_SETS, key=lambda k: -1 if k is None else len(k)):
        if _must_allow(keys):
            continue
        if keys is not None and any(f and f < keys for f in found):
            continue  # a smaller set with the same wrong key is listed already
        tags = _tags(keys)
        parameters: dict[str, Any] = {"Name": "team/new", "SecretString": True}
        if tags is not None:
            parameters["Tags"] = tags
        actions = _TAGGING if tags is not None else _TAGGING[:1]
        result = check_access_not_granted(
            world, actions=actions, variants=({"parameters": parameters},), explore=False
        )
        if result.passed:
            continue
        names = ", ".join(sorted({w.action.partition(":")[2] for w in result.witnesses}))
        decision = authorize(world, tagging_request(tags))
        why = _condition_reasons(decision) if decision.allowed else "; ".join(result.witnesses[0].responsible)
        lines.append(f"  - {names} with {_shown(tags)} is allowed but must be denied ({why})")
        if keys is not None:
            found.append(keys)
    return lines


_TAGGING = ("secretsmanager:CreateSecret", "secretsmanager:TagResource")


def _wrong(world: World, tags: dict[str, str] | None, expected: bool) -> str:
    """Why the CreateSecret with ``tags`` is decided otherwise than ``expected``; "" if it is not."""
    decision = authorize(world, tagging_request(tags))
    if decision.allowed == expected:
        return ""
    if decision.allowed:
        why = _condition_reasons(decision)
        return f"CreateSecret with {_shown(tags)} is allowed but must be denied ({why})"
    why = why_denied(decision, "identity policy")
    return f"CreateSecret with {_shown(tags)} is denied but must be allowed: {why}"


def _condition_reasons(decision: Decision) -> str:
    step = decision.main_step
    if step is None:
        return decision.reason.value
    results = [c for d in step.evaluation.deciding for c in d.statement.conditions]
    return "; ".join(c.why for c in results) or "no condition stops it"
