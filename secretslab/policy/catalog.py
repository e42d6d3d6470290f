"""What AWS knows: actions and condition keys of the services secretslab models (Secrets Manager,
KMS, STS, IAM) plus the global ``aws:`` keys, and the condition operators. Used for warnings on
unknown names, "did you mean" hints, resource-less actions (§4.3) and multivalued keys (§5.13).

The data (``catalog_data.py``) is transcribed from the Service Authorization Reference:
https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
"""

from __future__ import annotations

import difflib
from functools import lru_cache

from . import catalog_data as data

# -- condition operators (semantics §5; reference_policies_elements_condition_operators.html)
STRING_OPERATORS = (
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
)
NUMERIC_OPERATORS = (
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
)
DATE_OPERATORS = (
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
)
ARN_OPERATORS = ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike")
OTHER_OPERATORS = ("Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "Null")
BASE_OPERATORS = STRING_OPERATORS + NUMERIC_OPERATORS + DATE_OPERATORS + ARN_OPERATORS + OTHER_OPERATORS
SET_QUALIFIERS = ("ForAnyValue", "ForAllValues")


def all_operator_names() -> tuple[str, ...]:
    """Every spelling AWS accepts, for "did you mean" hints."""
    names = [*BASE_OPERATORS, *(f"{o}IfExists" for o in BASE_OPERATORS if o != "Null")]
    return (*names, *(f"{q}:{n}" for q in SET_QUALIFIERS for n in names))


def suggest_operator(name: str) -> str | None:
    """The condition operator closest to ``name`` (any case), for a "did you mean" hint; None when
    none is close."""
    return _closest(name, all_operator_names())


# -- actions


@lru_cache(maxsize=1)
def _actions_lower() -> dict[str, dict[str, str]]:
    return {svc: {a.lower(): a for a in acts} for svc, acts in data.ACTIONS.items()}


def known_service(prefix: str) -> bool:
    """Whether the catalogue knows the actions of the service ``prefix`` (any case)."""
    return prefix.lower() in _actions_lower()


def action_names(service: str) -> tuple[str, ...]:
    """The catalogue's action names of ``service`` (any case), as AWS spells them; empty for a service
    it does not know."""
    return tuple(data.ACTIONS.get(service.lower(), ()))


def canonical_action(action: str) -> str | None:
    """``secretsmanager:GetSecretValue`` for any casing, or None when unknown."""
    service, _, name = action.partition(":")
    found = _actions_lower().get(service.lower(), {}).get(name.lower())
    return f"{service.lower()}:{found}" if found else None


def suggest_action(action: str) -> str | None:
    """The known action closest to ``action`` (``service:Name``), for a "did you mean" hint: the
    closest service when the service is unknown, else the closest action name; None when none is
    close."""
    service, _, name = action.partition(":")
    names = data.ACTIONS.get(service.lower())
    if names is None:
        svc = _closest(service.lower(), tuple(data.ACTIONS))
        return f"{svc}:{name}" if svc else None
    found = _closest(name, tuple(names))
    return f"{service.lower()}:{found}" if found else None


def close_actions(action: str, n: int = 3) -> tuple[str, ...]:
    """Up to ``n`` known actions of the service of ``action`` that it may have meant, best first,
    spelt as AWS spells them: for a wildcard, the actions that start with the text before it; else
    the closest names (any case). Empty for a service the catalogue does not know."""
    service, _, name = action.partition(":")
    names = data.ACTIONS.get(service.lower())
    if names is None:
        return ()
    cut = min((i for i, c in enumerate(name) if c in "*?"), default=-1)
    if cut >= 0:
        prefix = name[:cut].lower()
        found = [a for a in names if a.lower().startswith(prefix)][:n]
    else:
        found = list(closest(name, tuple(names), n))
    return tuple(f"{service.lower()}:{a}" for a in found)


_LONGEST_NAME = 256


def any_close_actions(text: str, n: int = 3) -> tuple[str, ...]:
    """Up to ``n`` actions of any modelled service whose name is closest to ``text`` (an action
    written without its service, or with a wrong one), as ``service:Name``."""
    name = text.rpartition(":")[2]
    every = tuple(f"{svc}:{a}" for svc, acts in data.ACTIONS.items() for a in acts)
    by_name = {a.partition(":")[2].lower(): a for a in every}
    return tuple(by_name[m.lower()] for m in closest(name, tuple(by_name), n))


def closest(word: str, options: tuple[str, ...], n: int = 3, cutoff: float = 0.6) -> tuple[str, ...]:
    """Up to ``n`` of ``options`` closest to ``word`` (compared in lower case), best first; none
    for a word far longer than any name (comparing it would only cost time)."""
    if len(word) > _LONGEST_NAME:
        return ()
    lowered = {o.lower(): o for o in options}
    return tuple(
        lowered[m] for m in difflib.get_close_matches(word.lower(), list(lowered), n=n, cutoff=cutoff)
    )


def resource_types(action: str) -> tuple[str, ...] | None:
    """The SAR resource types of a known action (empty: the action takes resource ``*``)."""
    service, _, name = action.partition(":")
    canonical = _actions_lower().get(service.lower(), {}).get(name.lower())
    if canonical is None:
        return None
    return data.ACTIONS[service.lower()][canonical]


def cross_account_actions(service: str) -> frozenset[str] | None:
    """Lower-cased actions that work across accounts, or None when the service sets no limit."""
    if service == "secretsmanager":
        return frozenset(f"secretsmanager:{a}".lower() for a in data.SECRETSMANAGER_CROSS_ACCOUNT_ACTIONS)
    if service == "kms":
        return frozenset(f"kms:{a}".lower() for a in data.KMS_CROSS_ACCOUNT_ACTIONS)
    return None


# -- condition keys


@lru_cache(maxsize=1)
def _keys() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """(exact lower-case key -> type, [(lower-case prefix of a templated key, type)])."""
    exact: dict[str, str] = {}
    prefixes: list[tuple[str, str]] = []
    tables = [data.GLOBAL_CONDITION_KEYS, *data.SERVICE_CONDITION_KEYS.values()]
    for table in tables:
        for key, typ in table.items():
            if "${" in key:
                prefixes.append((key[: key.index("${")].lower(), typ))
            else:
                exact[key.lower()] = typ
    prefixes.sort(key=lambda p: -len(p[0]))
    return exact, tuple(prefixes)


@lru_cache(maxsize=8192)  # asked for every context key of every request: keys repeat
def key_type(key: str) -> str | None:
    """The SAR type of a condition key (``String``, ``ArrayOfString``, ``ARN``…) or None."""
    exact, prefixes = _keys()
    lower = key.lower()
    if lower in exact:
        return exact[lower]
    for prefix, typ in prefixes:
        if lower.startswith(prefix) and len(lower) > len(prefix):
            return typ
    return None


def key_is_checked(key: str) -> bool:
    """Whether we know the service of ``key`` well enough to call an unknown key a mistake."""
    prefix = key.partition(":")[0].lower()
    return prefix == "aws" or prefix in data.SERVICE_CONDITION_KEYS


def suggest_key(key: str) -> str | None:
    """The known condition key closest to ``key``, among the global ``aws:`` keys or those of its
    service, for a "did you mean" hint (a templated key ends in …); None when none is close."""
    prefix = key.partition(":")[0].lower()
    table = data.GLOBAL_CONDITION_KEYS if prefix == "aws" else data.SERVICE_CONDITION_KEYS.get(prefix, {})
    names = tuple(k.split("${")[0] + ("…" if "${" in k else "") for k in table)
    found = _closest(key, names)
    return found


def _closest(word: str, options: tuple[str, ...]) -> str | None:
    lowered = {o.lower(): o for o in options}
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.75)
    return lowered[match[0]] if match else None
