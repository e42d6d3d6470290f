"""AWS's rules for names (semantics §3.13): IAM user, group, role and policy names (alphanumeric
plus ``+=,.@_-``, with a length limit per kind), IAM paths (begin and end with ``/``, at most 512
characters) and role session names (2 to 64 characters of ``[\\w+=,.@-]``). Each check returns
what is wrong, in words, or None; the readers turn that into a located problem.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html,
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
"""

from __future__ import annotations

from .arn import Arn
from .limits import (
    ASSUME_ROLE,
    CREATE_ALIAS,
    CREATE_SECRET,
    IAM_NAME,
    IAM_NAME_LENGTH,
    IAM_PATH_CHARACTERS,
    IAM_PATH_LENGTH,
    IAM_QUOTAS,
    KMS_ALIAS,
    SECRET_NAME,
    SESSION_NAME,
)


def iam_name_problem(kind: str, name: str) -> str | None:
    """What is wrong with ``name`` as the name of an IAM ``kind`` (user, group, role, policy)."""
    longest = IAM_NAME_LENGTH[kind]
    if not name:
        return f"a {kind} name is 1 to {longest} characters, found an empty name ({IAM_QUOTAS})"
    if len(name) > longest:
        return f"a {kind} name has at most {longest} characters, found {len(name)} ({IAM_QUOTAS})"
    if not IAM_NAME.match(name):
        return (
            f"a {kind} name holds only letters, digits and + = , . @ _ -, found {_short(name)!r} "
            f"({IAM_QUOTAS})"
        )
    return None


def iam_path_problem(path: str) -> str | None:
    """What is wrong with ``path`` as an IAM path (``/`` or ``/a/b/``)."""
    if len(path) > IAM_PATH_LENGTH:
        return f"an IAM path has at most {IAM_PATH_LENGTH} characters, found {len(path)} ({IAM_QUOTAS})"
    if not (path.startswith("/") and path.endswith("/")) or not IAM_PATH_CHARACTERS.match(path):
        return (
            "an IAM path begins and ends with / and holds only letters, digits and + = , . @ _ - /, "
            f"found {_short(path)!r} ({IAM_QUOTAS})"
        )
    return None


def session_name_problem(name: str) -> str | None:
    """What is wrong with ``name`` as a role session name (``RoleSessionName`` of AssumeRole)."""
    if not SESSION_NAME.match(name):
        return (
            "a role session name is 2 to 64 characters of letters, digits and _ + = , . @ -, "
            f"found {_short(name)!r} ({ASSUME_ROLE})"
        )
    return None


def secret_name_problem(name: str) -> str | None:
    """What is wrong with ``name`` as a Secrets Manager secret name."""
    if not SECRET_NAME.match(name):
        return (
            "a secret name is 1 to 512 characters of letters, digits and / _ + = . @ -, "
            f"found {_short(name)!r} ({CREATE_SECRET})"
        )
    return None


def alias_problem(alias: str, aws_managed: bool) -> str | None:
    """What is wrong with ``alias`` as the alias of a KMS key (``alias/aws/`` only for AWS's keys)."""
    if not KMS_ALIAS.match(alias):
        return (
            "a KMS alias is alias/ then letters, digits and / _ -, at most 256 characters in all, "
            f"found {_short(alias)!r} ({CREATE_ALIAS})"
        )
    if alias.startswith("alias/aws/") and not aws_managed:
        return (
            f"alias/aws/ names AWS managed keys only; a customer managed key cannot be {alias!r} "
            f"({CREATE_ALIAS})"
        )
    return None


def arn_name_problems(arn: Arn) -> list[str]:
    """What is wrong with the names in a user, group, role or assumed-role ARN: the path and name
    of an IAM entity, the role and session names of a role session (other ARNs: nothing)."""
    if arn.service == "iam" and arn.resource_type in IAM_NAME_LENGTH:
        path, name = split_iam_resource(arn.resource_id)
        found = (iam_path_problem(path), iam_name_problem(arn.resource_type, name))
    elif arn.service == "sts" and arn.resource_type == "assumed-role":
        role, _, session = arn.resource_id.partition("/")
        found = (iam_name_problem("role", role), session_name_problem(session))
    else:
        return []
    return [message for message in found if message]


def split_iam_resource(resource_id: str) -> tuple[str, str]:
    """``("/path/", "name")`` of the part of an IAM ARN after the resource type (``path/alice``)."""
    head, _, name = resource_id.rpartition("/")
    return ("/" + head + "/" if head else "/"), name


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
