"""The checker of notebook 06 (audit an account): a principal other than AppRole that reads
prod/legacy through SecretReader, found with ``who_can`` in the world imported from the stand-in
(whose account ids vary, so the secret and roles are found by name)."""

from __future__ import annotations

from ..analysis import who_can
from ..authorization import authorize
from ..world import Secret, World
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
    asked = {p for p in through if _role_name(p) == ASKED_ROLE}
    if answer is None:
        return f"{NOT_YET}: look for the lines of who_can for {LEGACY_SECRET} that say 'via …{READER_ROLE}'."
    if not isinstance(answer, str):
        return f"{NOT_YET}: the answer is one principal ARN (a str); got {type_name(answer)}."
    matched = sorted(_matching(answer, through))
    if set(matched) & asked:
        return f"{NOT_YET}: {ASKED_ROLE} is named in the question; which other principal goes that way?"
    if matched:
        direct = authorize(world, {"principal": matched[0], "action": GET, "resource": secret.arn})
        why = f"{direct.reason.value}: {direct.reason.summary}"
        return (
            f"{RIGHT}: {short(answer)} reads {LEGACY_SECRET} "
            + ("" if direct.allowed else f"not directly ({why}) but ")
            + f"by assuming {READER_ROLE}: it may assume it (its identity policy allows "
            f"sts:AssumeRole and the trust policy trusts its account), and {READER_ROLE} is in the "
            f"secret's account. {_key_text(world, secret)}"
        )
    return (
        f"{NOT_YET}: {answer} does not reach {LEGACY_SECRET} through {READER_ROLE}. who_can lists "
        f"{len(through)} principal(s) with 'via {reader.arn}'."
    )


def _role_of(arn: str) -> tuple[str, str] | None:
    """(account, role name) of a role ARN or of its session's ARN, else None: a role signs as
    one of its sessions, so either names it."""
    parts = arn.split(":", 5)
    if len(parts) != 6:
        return None
    path = parts[5]
    if parts[2] == "iam" and path.startswith("role/"):
        return parts[4], path.rsplit("/", 1)[-1]
    if parts[2] == "sts" and path.startswith("assumed-role/") and path.count("/") >= 2:
        return parts[4], path.split("/")[1]
    return None


def _role_name(arn: str) -> str:
    role = _role_of(arn)
    return "" if role is None else role[1]


def _matching(answer: str, through: set[str]) -> set[str]:
    """The principals of ``through`` the answer names: itself, or each session of the role it
    names (a role ARN, or another session of the same role)."""
    role = _role_of(answer)
    return {p for p in through if p == answer or (role is not None and _role_of(p) == role)}


def _key_text(world: World, secret: Secret) -> str:
    """Why the secret's key lets the role decrypt, in the words of its key policy."""
    key = world.secret_key(secret)
    if key.aws_managed:
        return (
            'Its key is the AWS managed key aws/secretsmanager, whose key policy allows "*" under '
            "kms:CallerAccount (the key's own account) and kms:ViaService (calls through Secrets "
            f"Manager): {READER_ROLE}'s session is a principal of that account calling through "
            "Secrets Manager, so it may decrypt "
            "(https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html)."
        )
    return f"Its key {key.label} lets it decrypt through Secrets Manager."
