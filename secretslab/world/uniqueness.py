"""What AWS would never hold, found in a world's entities once they are read (issue #9): an
account listed twice, one alias on two keys of an account and Region, two users, groups or roles
with one name in an account, two entities with one unique id, an empty name, an ARN in a
partition AWS does not have. Each is an error located by the JSON path of the entity.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html (names
unique in an account, whatever the path; unique ids), https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html
(an alias names one key in an account and Region),
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html (partitions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..arn import PARTITIONS, Arn
from ..problems import Problem, ProblemCode, json_path
from .entities import Path

Located = Callable[[str], Path | None]  # an entity's ARN -> where it was read


def uniqueness_problems(
    raw_accounts: Any, parts: Mapping[str, Sequence[Any]], where: Located
) -> list[Problem]:
    """Every problem of this module in a world read into ``parts`` (the fields of ``World``);
    ``raw_accounts`` is the ``accounts`` list as given (read entities drop the duplicate)."""
    problems = _accounts_twice(raw_accounts)
    problems += _names_twice(parts, where)
    problems += _ids_twice(parts, where)
    problems += _aliases_twice(parts, where)
    problems += _empty_names(parts, where)
    problems += _partitions(parts, where)
    return problems


def _accounts_twice(raw: Any) -> list[Problem]:
    if not isinstance(raw, list):
        return []
    seen: dict[str, int] = {}
    out = []
    for i, item in enumerate(raw):
        account = item.get("id") if isinstance(item, Mapping) else None
        if not isinstance(account, str):
            continue
        if account in seen:
            out.append(
                Problem(
                    ProblemCode.DUPLICATE_ID,
                    f"account {account} is listed twice (first at {json_path(('accounts', seen[account]))})",
                    ("accounts", i, "id"),
                )
            )
        else:
            seen[account] = i
    return out


def _names_twice(parts: Mapping[str, Sequence[Any]], where: Located) -> list[Problem]:
    """IAM names are unique per account and kind, whatever their path (``/a/Name`` and ``/Name``
    cannot both exist); AWS compares them without case."""
    out = []
    for kind in ("users", "groups", "roles"):
        seen: dict[tuple[str, str], str] = {}
        for entity in parts[kind]:
            arn = Arn.parse(entity.arn)
            if arn is None or not entity.name:
                continue
            key = (arn.account, entity.name.lower())
            first = seen.setdefault(key, entity.arn)
            if first != entity.arn:
                out.append(
                    _at(
                        where,
                        entity.arn,
                        ("arn",),
                        ProblemCode.DUPLICATE_NAME,
                        f"{kind[:-1]} name {entity.name!r} is used twice in account {arn.account} "
                        f"(also by {first}); IAM names are unique in an account, whatever the path",
                    )
                )
    return out


def _ids_twice(parts: Mapping[str, Sequence[Any]], where: Located) -> list[Problem]:
    seen: dict[str, str] = {}
    out = []
    for kind, field in (("users", "user_id"), ("roles", "role_id")):
        for entity in parts[kind]:
            unique_id = getattr(entity, field)
            if not unique_id:
                continue
            first = seen.setdefault(unique_id, entity.arn)
            if first != entity.arn:
                out.append(
                    _at(
                        where,
                        entity.arn,
                        (field,),
                        ProblemCode.DUPLICATE_ID,
                        f"unique id {unique_id!r} is also the id of {first}; AWS never gives two "
                        "entities one unique id",
                    )
                )
    return out


def _aliases_twice(parts: Mapping[str, Sequence[Any]], where: Located) -> list[Problem]:
    seen: dict[tuple[str, str, str], str] = {}
    out = []
    for key in parts["keys"]:
        for j, alias in enumerate(key.aliases):
            first = seen.setdefault((key.account, key.region, alias), key.arn)
            if first != key.arn:
                out.append(
                    _at(
                        where,
                        key.arn,
                        ("aliases", j),
                        ProblemCode.DUPLICATE_ALIAS,
                        f"{alias} already names {first} in account {key.account}, {key.region}; an "
                        "alias names one key in an account and Region",
                    )
                )
    return out


def _empty_names(parts: Mapping[str, Sequence[Any]], where: Located) -> list[Problem]:
    """Names the ARN reader lets through empty (a secret's empty name is refused where it is read)."""
    out = []
    for kind in ("users", "groups", "roles"):
        for entity in parts[kind]:
            if not entity.name:
                message = f"the {kind[:-1]} ARN {entity.arn!r} ends without a name"
                out.append(_at(where, entity.arn, ("arn",), ProblemCode.EMPTY_NAME, message))
    for session in parts["sessions"]:
        if not session.session_name:
            message = "the session name is empty"
            out.append(_at(where, session.arn, ("session_name",), ProblemCode.EMPTY_NAME, message))
    for key in parts["keys"]:
        for j, alias in enumerate(key.aliases):
            if not alias.removeprefix("alias/"):
                message = f"alias {alias!r} has no name after alias/"
                out.append(_at(where, key.arn, ("aliases", j), ProblemCode.EMPTY_NAME, message))
    return out


def _partitions(parts: Mapping[str, Sequence[Any]], where: Located) -> list[Problem]:
    out = []
    entities: Iterable[Any] = (
        e for kind in ("users", "groups", "roles", "sessions", "secrets", "keys") for e in parts[kind]
    )
    for entity in entities:
        arn = Arn.parse(entity.arn)
        if arn is not None and arn.partition not in PARTITIONS:
            out.append(
                _at(
                    where,
                    entity.arn,
                    ("arn",),
                    ProblemCode.UNKNOWN_PARTITION,
                    f"partition {arn.partition[:40]!r} is not one AWS has ({', '.join(sorted(PARTITIONS))})",
                )
            )
    return out


def _at(where: Located, arn: str, field: Path, code: ProblemCode, message: str) -> Problem:
    base = where(arn)
    return Problem(code, message, (*base, *field) if base is not None else field)
