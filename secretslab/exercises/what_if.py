"""The checker of notebook 05 (what-if analysis): an edited world in which contractor may read
prod/db and no other access changes, decided on the world of ``data/organization-guardrails.json``
with ``authorize`` and ``check_no_new_access`` over every request, both ways."""

from __future__ import annotations

from collections.abc import Mapping

from ..analysis import check_no_new_access
from ..authorization import authorize
from ..problems import ScenarioError
from ..world import World
from .common import (
    GET,
    NOT_YET,
    PROD,
    REGION,
    RIGHT,
    beyond,
    never_raises,
    problems_text,
    why_denied,
    witness_lines,
)

CONTRACTOR = f"arn:aws:iam::{PROD}:user/contractor"
PROD_DB = f"arn:aws:secretsmanager:{REGION}:{PROD}:secret:prod/db-AbC123"


@never_raises
def check_05(answer: object, world: object = None) -> str:
    """Exercise 05: an edited world (a ``World`` or its dict) in which contractor may read prod/db
    and no other access of the world changes. ``world`` is the world of
    ``data/organization-guardrails.json``."""
    if not isinstance(world, World) or world.user(CONTRACTOR) is None or world.secret(PROD_DB) is None:
        return f"{NOT_YET}: call check_05(answer, world) with the world of organization-guardrails.json."
    if isinstance(answer, Mapping):
        try:
            answer = World.from_dict(dict(answer))
        except ScenarioError as exc:
            return f"{NOT_YET}: this is not a world:\n{problems_text(exc.problems)}"
    if not isinstance(answer, World):
        return (
            f"{NOT_YET}: the answer is the edited world (for example sl.apply_fix(world, fix)); "
            f"got {type(answer).__name__}."
        )
    if answer.user(CONTRACTOR) is None or answer.secret(PROD_DB) is None:
        return (
            f"{NOT_YET}: the answer no longer holds user contractor or secret prod/db: edit the world "
            "of the exercise (for example sl.apply_fix(world, fix)) rather than replace it."
        )
    request = {"principal": CONTRACTOR, "action": GET, "resource": PROD_DB}
    decision = authorize(answer, request)
    if not decision.allowed:
        return (
            f"{NOT_YET}: in this world contractor still cannot read prod/db: "
            f"{why_denied(decision, 'contractor')}. sl.suggest_fixes(world, request) lists the "
            "smallest edits."
        )
    gained = beyond(check_no_new_access(world, answer), lambda w: w.request == request)
    lost = check_no_new_access(answer, world).witnesses
    if gained or lost:
        parts = [witness_lines(gained)] if gained else []
        parts += [witness_lines(list(lost), "no longer allows")] if lost else []
        return (
            f"{NOT_YET}: contractor can read prod/db, but the edit changes other requests too:\n"
            + "\n".join(parts)
            + "\nWiden only what the request needs: one action, on one secret."
        )
    return (
        f"{RIGHT}: contractor reads prod/db ({decision.reason.value}) and no other request changes — "
        "checked over every action, principal and secret, secrets that do not exist yet included: "
        "the edit is as small as the question."
    )
