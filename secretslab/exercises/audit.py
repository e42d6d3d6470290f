"""The checker of notebook 06 (audit an account): a principal other than AppRole that reads
prod/legacy through SecretReader, found with ``who_can`` in the world imported from the stand-in
(whose account ids vary, so the secret and roles are found by name)."""

from __future__ import annotations

from ..analysis import who_can
from ..authorization import authorize
from ..world import World
from .common import GET, NOT_YET, RIGHT, never_raises, short, type_name

LEGACY_SECRET, READER_ROLE, ASKED_ROLE = "prod/legacy", "SecretReader", "AppRole"


@never_raises
def check_06(answer: object, world: object = None) -> str:
    """Exercise 06: a principal other than AppRole that reads prod/legacy through SecretReader.
    ``world`` is the world imported from the stand-in (``seed_demo``), whose account ids vary, so
    the secret and roles are found by name."""
    not_the_world = (
        f"{NOT_YET}: call check_06(answer, world) with the world imported from the stand-in "
        "(the exercise is about its organization: set PROFILE = None)."
    )
    if not isinstance(world, World):
        return not_the_world
    secret = next((s for s in world.secrets if s.name == LEGACY_SECRET), None)
    reader = next((r for r in world.roles if r.name == READER_ROLE), None)
    if secret is None or reader is None:
        return not_the_world
    readers = who_can(world, GET, secret.arn)
    through = {e.principal for e in readers if e.path is not None and e.path.roles[:1] == (reader.arn,)}
    asked = {p for p in through if f":assumed-role/{ASKED_ROLE}/" in p or p.endswith(f":role/{ASKED_ROLE}")}
    if answer is None:
        return f"{NOT_YET}: look for the lines of who_can for {LEGACY_SECRET} that say 'via …{READER_ROLE}'."
    if not isinstance(answer, str):
        return f"{NOT_YET}: the answer is one principal ARN (a str); got {type_name(answer)}."
    if answer in through - asked:
        direct = authorize(world, {"principal": answer, "action": GET, "resource": secret.arn})
        why = f"{direct.reason.value}: {direct.reason.summary}"
        return (
            f"{RIGHT}: {short(answer)} reads {LEGACY_SECRET} "
            + ("" if direct.allowed else f"not directly ({why}) but ")
            + f"by assuming {READER_ROLE}: it may assume it (its identity policy allows "
            f"sts:AssumeRole and the trust policy trusts its account), and {READER_ROLE} is in the "
            "secret's account, so aws/secretsmanager trusts it."
        )
    if answer in asked:
        return f"{NOT_YET}: {ASKED_ROLE} is named in the question; which other principal goes that way?"
    return (
        f"{NOT_YET}: {answer} does not reach {LEGACY_SECRET} through {READER_ROLE}. who_can lists "
        f"{len(through)} principal(s) with 'via {reader.arn}'."
    )
