"""The checker of notebook 05 (what-if analysis): an edited world in which contractor may read
prod/db and no other access changes, decided on the world of ``data/organization-guardrails.json``
with ``authorize`` and ``diff``."""

from __future__ import annotations

from collections.abc import Mapping

from ..analysis import diff
from ..authorization import authorize
from ..problems import ScenarioError
from ..world import World
from .common import GET, NOT_YET, PROD, REGION, RIGHT, never_raises, problems_text, why_denied

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
    wanted = (CONTRACTOR, PROD_DB, GET)
    changes = [c for c in diff(world, answer).changes if (c.principal, c.resource, c.action) != wanted]
    if changes:
        listed = "\n".join(f"  {c}" for c in changes)
        return (
            f"{NOT_YET}: contractor can read prod/db, but the edit changes other accesses too:\n{listed}\n"
            "Widen only what the request needs."
        )
    return (
        f"{RIGHT}: contractor reads prod/db ({decision.reason.value}) and the diff shows no other "
        "access gained or lost: the edit is as small as the question."
    )
