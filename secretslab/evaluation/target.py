"""The target of a request — who signs it, the action, the resource and the condition keys the
caller supplies — read the same way by every door: a request on a world
(``authorization.request``) and a self-contained batch line (``batch``), with every problem
located (semantics §1.2).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from ..arn import Arn, arn_problem
from ..fields import Fields
from ..names import arn_name_problems
from ..policy.catalog import any_close_actions, canonical_action, close_actions, key_type, known_service
from ..policy.operators import parse_date
from ..problems import Problem, ProblemCode, did_you_mean, quoted
from .context import Values, as_values

Pairs = tuple[tuple[str, Values], ...]

_SERVICE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")  # a service prefix's characters


def read_target(reader: Fields, raw: Mapping[str, Any]) -> tuple[str | None, str | None, str, Pairs]:
    """The principal, action, resource and context of a request, read the same way by every door:
    a request on a world and a self-contained batch line (semantics §1.2). Problems go to
    ``reader``; a missing or malformed value comes back as None (the resource as ``*``)."""
    principal = _named(reader, _printable(reader, raw.get("principal"), "principal"))
    action = _printable(reader, raw.get("action"), "action")
    if action:
        problem = _action_problem(action)
        if problem is not None:
            reader.problems.append(problem.under(source=reader.source))
            action = None
    resource = _printable(reader, raw.get("resource", "*"), "resource") or "*"
    wrong = _arn_problem(resource) if resource.startswith("arn:") else None
    if wrong is not None:  # a bare secret name or ``*`` is not an ARN; an ARN must be one AWS has
        reader.problem(ProblemCode.INVALID_FIELD, f"{wrong}, found {quoted(resource)}", ("resource",))
        resource = "*"
    context = read_context(reader, raw.get("context"), ("context",))
    return principal, action, resource, context


def action_problem(action: str, path: tuple[Any, ...] = ("action",)) -> Problem | None:
    """Why ``action`` cannot be the action of a request, or None: it is ``service:ActionName``; a
    request names one action, so a
    wildcard is an error; so is a name the catalogue does not hold for a service secretslab models
    (Secrets Manager, KMS, STS, IAM — any case). Actions of other services are taken as given.
    Both with the closest actions that exist."""
    service, _, operation = action.partition(":")
    if not service or not operation or ":" in operation:
        suggestions = any_close_actions(action)
        return Problem(
            ProblemCode.INVALID_FIELD,
            f"action is service:ActionName, found {quoted(action)}",
            path,
            did_you_mean(suggestions) or "for example secretsmanager:GetSecretValue",
            suggestions=suggestions,
        )
    if "*" in action or "?" in action:
        suggestions = close_actions(action)
        return Problem(
            ProblemCode.WILDCARD_IN_REQUEST,
            f"a request names one action, found the wildcard {quoted(action)}",
            path,
            did_you_mean(suggestions) or "for example secretsmanager:GetSecretValue",
            suggestions=suggestions,
        )
    if not _SERVICE.issuperset(service.lower()) or not (operation.isascii() and operation.isalnum()):
        return Problem(
            ProblemCode.INVALID_FIELD,
            f"an action is a service prefix (lowercase letters, digits, hyphens) and an action name "
            f"(letters and digits), found {quoted(action)}",
            path,
            "for example secretsmanager:GetSecretValue",
        )
    if not known_service(service) or canonical_action(action) is not None:
        return None
    suggestions = close_actions(action)
    return Problem(
        ProblemCode.UNKNOWN_REQUEST_ACTION,
        f"{service.lower()} has no action {quoted(action.partition(':')[2])}",
        path,
        did_you_mean(suggestions)
        or "the actions are listed at https://docs.aws.amazon.com/service-authorization/latest/reference/"
        "reference_policies_actions-resources-contextkeys.html",
        suggestions=suggestions,
    )


@lru_cache(maxsize=8192)  # every request names its action: batches repeat them
def _action_problem(action: str) -> Problem | None:
    return action_problem(action)


@lru_cache(maxsize=8192)  # and its resource
def _arn_problem(resource: str) -> str | None:
    return arn_problem(resource)


def _printable(reader: Fields, value: Any, field: str) -> str | None:
    """The string ``field`` of a request, or None with a problem: a principal, action or resource
    never holds a control or invisible character (NUL, ESC, a line break, a bidi override)."""
    text = reader.string(value, (field,), field, optional=False)
    if text is None or text.isprintable():
        return text
    bad = next(c for c in text if not c.isprintable())
    reader.problem(
        ProblemCode.INVALID_CHARACTER,
        f"{field} holds the control or invisible character U+{ord(bad):04X}: {quoted(text)}",
        (field,),
    )
    return None


def _named(reader: Fields, principal: str | None) -> str | None:
    """``principal`` when the names in its ARN are ones AWS accepts (IAM names and paths, role
    session names: semantics §3.13); None with a problem for each broken rule otherwise."""
    problems = _name_problems(principal) if principal else ()
    for message in problems:
        reader.problem(ProblemCode.INVALID_NAME, message, ("principal",))
    return None if problems else principal


@lru_cache(maxsize=8192)  # every request names its principal: batches repeat them
def _name_problems(principal: str) -> tuple[str, ...]:
    arn = Arn.parse(principal)
    return tuple(arn_name_problems(arn)) if arn else ()


def read_context(reader: Fields, raw: Any, path: tuple[Any, ...]) -> Pairs:
    """Condition keys mapped to a string or a list of strings (numbers and booleans read as text)."""
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        reader.problem(
            ProblemCode.INVALID_FIELD, "context maps condition keys to a string or a list of strings", path
        )
        return ()
    out: list[tuple[str, Values]] = []
    kinds = _KINDS
    for key, value in raw.items():
        kind = kinds.get(key) if type(key) is str else _NOT_A_KEY
        if kind is None:
            kind = _learn_kind(key)
        if kind is _NOT_A_KEY:
            reader.problem(
                ProblemCode.INVALID_FIELD,
                f"a condition key is a name like aws:SourceIp, found {quoted(key)}",
                (*path, str(key)),
            )
            continue
        if type(value) is str:  # the common case, first
            wrong = typed_value_problem(key, (value,)) if kind else None
            if wrong is not None:
                reader.problem(ProblemCode.INVALID_FIELD, wrong, (*path, key))
                continue
            out.append((key, (value,)))
            continue
        if not (
            isinstance(value, (str, int, float))  # JSON's scalars (a bool is an int)
            or (isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float)) for v in value))
        ):  # a set, bytes or any other Python value is not the text of its repr
            reader.problem(
                ProblemCode.INVALID_FIELD,
                f"context key {quoted(key)} takes a string or a list of strings",
                (*path, str(key)),
            )
            continue
        try:
            values = as_values(value)
        except ValueError:  # an integer beyond the 4,300 digits Python turns into text
            reader.problem(
                ProblemCode.INVALID_FIELD,
                f"context key {quoted(key)} holds an integer of more than 4,300 digits",
                (*path, key),
            )
            continue
        wrong = typed_value_problem(key, values)
        if wrong is not None:
            reader.problem(ProblemCode.INVALID_FIELD, wrong, (*path, key))
            continue
        out.append((key, values))
    return tuple(out)


_NOT_A_KEY = "!"
#: condition key -> its typed kind ("Date", "IPAddress"…), "" for any text, or _NOT_A_KEY: asked
#: for every key of every request, so learnt once per key (bounded)
_KINDS: dict[str, str] = {}


def _learn_kind(key: str) -> str:
    kind = _NOT_A_KEY if not key or not key.isprintable() else key_type(key) or ""
    kind = kind if kind in _TYPED or kind is _NOT_A_KEY else ""
    if len(_KINDS) >= 8192:
        _KINDS.clear()
    _KINDS[key] = kind
    return kind


@lru_cache(maxsize=8192)  # context keys and many of their values repeat across requests
def typed_value_problem(key: str, values: Values) -> str | None:
    """Why ``values`` cannot be what AWS puts in a request for ``key``, a condition key of a typed
    kind (a date, a boolean, a number, an IP address), or None; keys of text and ARN kinds take
    any text. AWS page: reference_policies_condition-keys.html (each key's value type)."""
    kind = key_type(key)
    if kind not in _TYPED:
        return None
    check, expected = _TYPED[kind]
    for value in values:
        if len(value) > 100 or not value.isascii() or not check(value):
            return f"{key} is {expected}, found {quoted(value)}"
    return None


def _is_ip(text: str) -> bool:
    octets = text.split(".")
    if len(octets) == 4:  # the common IPv4 case without ipaddress's parser
        return all(o.isdigit() and len(o) <= 3 and int(o) <= 255 for o in octets)
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_number(text: str) -> bool:
    if not set(text) <= _NUMBER:
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


_NUMBER = frozenset("0123456789.-+eE")
_TYPED: dict[str, tuple[Callable[[str], bool], str]] = {
    "Date": (lambda v: parse_date(v) is not None, "a date (2026-12-03T12:00:00Z) or epoch seconds"),
    "Bool": (lambda v: v.lower() in ("true", "false"), "true or false"),
    "Numeric": (_is_number, "a number"),
    "IPAddress": (_is_ip, "one IP address (203.0.113.7 or 2001:db8::1)"),
}
