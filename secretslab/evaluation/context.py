"""The request context: condition keys and their values. Keys compare case-insensitively (tag
keys included, §5.2), every value is a tuple of strings (one element for single-valued keys), and
the keys AWS fills in itself are derived from the principal and the resource (§7.1–7.3).

AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from .principals import Principal, PrincipalType

Values = tuple[str, ...]


def as_values(raw: Any) -> Values:
    """A context value from JSON: a string, a list of strings, a boolean or a number."""
    if isinstance(raw, (list, tuple)):
        return tuple(_text(v) for v in raw)
    return (_text(raw),)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True, slots=True, eq=False)
class Context:
    """Immutable map of lower-cased key -> values, remembering each key's spelling."""

    _values: Mapping[str, Values]
    _names: Mapping[str, str]
    #: the values of a lower-case key, or None (the mapping's own C-level ``get``: a hot path)
    get: Callable[[str], Values | None] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "get", self._values.get)

    @classmethod
    def of(cls, items: Iterable[tuple[str, Values]]) -> Context:
        """The context of ``(key, values)`` pairs; a key given twice (in any case) keeps its last
        values and spelling."""
        values: dict[str, Values] = {}
        names: dict[str, str] = {}
        for key, vals in items:
            lower = key.lower()
            values[lower] = vals
            names[lower] = key
        return cls(MappingProxyType(values), MappingProxyType(names))

    def extended(self, items: Iterable[tuple[str, Values]]) -> Context:
        """This context with ``items`` added (or replacing keys of the same name)."""
        values = dict(self._values)
        names = dict(self._names)
        for key, vals in items:
            lower = key.lower()
            values[lower] = vals
            names[lower] = key
        return Context(MappingProxyType(values), MappingProxyType(names))

    def single(self, key_lower: str) -> str | None:
        """The value of a single-valued key, for policy variables (§6.1)."""
        values = self._values.get(key_lower)
        return values[0] if values is not None and len(values) == 1 else None

    def items(self) -> Iterable[tuple[str, Values]]:
        """Every key, as spelt where it was given, with its values."""
        return ((self._names[k], v) for k, v in self._values.items())

    def __contains__(self, key: str) -> bool:
        return key.lower() in self._values

    def __len__(self) -> int:
        return len(self._values)

    def to_dict(self) -> dict[str, str | list[str]]:
        """The context as JSON-ready data, sorted by key: a key with one value maps to a string, else
        to a list."""
        return {name: (list(v) if len(v) != 1 else v[0]) for name, v in sorted(self.items())}

    def without(self, keys_lower: Iterable[str]) -> Context:
        """A new context without the keys of ``keys_lower`` (given in lower case)."""
        drop = set(keys_lower)
        return Context.of((k, v) for k, v in self.items() if k.lower() not in drop)


#: keys AWS derives from the principal's ARN: no request may supply them, in any door (§7)
IDENTITY_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:PrincipalArn",
        "aws:PrincipalAccount",
        "aws:PrincipalType",
        "aws:userid",
        "aws:username",
        "kms:CallerAccount",  # the caller's account, as KMS sets it (semantics §7.5)
    )
)
#: keys AWS derives from what it knows of the principal (tags, organization, service): a world
#: derives them, so a request on a world may not supply them; a batch line, without a world, may
_WORLD_KEYS = frozenset({"aws:principalorgid", "aws:principalorgpaths", "aws:principalisawsservice"})


def is_principal_key(key: str, *, world: bool) -> bool:
    """Whether ``key`` is derived from the principal, never taken from the request (§7.1)."""
    lower = key.lower()
    if lower in IDENTITY_KEYS:
        return True
    return world and (lower in _WORLD_KEYS or lower.startswith("aws:principaltag/"))


def supplied(
    given: Sequence[tuple[str, Values]], *, world: bool
) -> tuple[list[tuple[str, Values]], list[str]]:
    """The keys a request supplies that it may supply, and a note for each one it may not: the
    one rule both doors (a request on a world, a batch line) apply to caller-given context."""
    kept: list[tuple[str, Values]] = []
    ignored: list[str] = []  # one pass: batch lines often carry aws:PrincipalArn
    for k, v in given:
        # the batch door: only the identity keys (a hot path: inlined)
        if is_principal_key(k, world=True) if world else k.lower() in IDENTITY_KEYS:
            ignored.append(k)
        else:
            kept.append((k, v))
    notes = [f"{k} in the request context is ignored: AWS derives it from the principal" for k in ignored]
    return kept, notes


def principal_keys(principal: Principal) -> list[tuple[str, Values]]:
    """The keys AWS derives from who signs the request (§7.1, §6.5)."""
    keys: list[tuple[str, Values]] = [
        ("aws:PrincipalArn", (principal.principal_arn,)),
        ("aws:PrincipalAccount", (principal.account,)),
        ("aws:PrincipalType", (principal.type.value,)),
        ("aws:PrincipalIsAWSService", ("false",)),
    ]
    if principal.user_id:
        keys.append(("aws:userid", (principal.user_id,)))
    if principal.type is PrincipalType.USER:
        keys.append(("aws:username", (principal.name,)))
    for tag, value in principal.tags:
        keys.append((f"aws:PrincipalTag/{tag}", (value,)))
    if principal.source_identity is not None:  # in every request of the session (and its chain)
        keys.append(("aws:SourceIdentity", (principal.source_identity,)))
    if principal.org_id:
        keys.append(("aws:PrincipalOrgID", (principal.org_id,)))
        keys.append(("aws:PrincipalOrgPaths", (org_path(principal.org_id, principal.org_path),)))
    return keys


def org_path(org_id: str, path: tuple[str, ...]) -> str:
    """``o-a1b2c3/r-ab12/ou-ab12-11111111/`` as in aws:PrincipalOrgPaths."""
    return "/".join((org_id, *path)) + "/"


def resource_keys(
    account: str,
    region: str | None,
    tags: Mapping[str, str],
    *,
    org_id: str | None,
    org_path_: tuple[str, ...],
    tag_prefixes: tuple[str, ...] = (),
) -> list[tuple[str, Values]]:
    """The keys AWS derives from the resource (§7.2): account, organization, tags, region."""
    keys: list[tuple[str, Values]] = [("aws:ResourceAccount", (account,))]
    if region:
        keys.append(("aws:RequestedRegion", (region,)))
    if org_id:
        keys.append(("aws:ResourceOrgID", (org_id,)))
        keys.append(("aws:ResourceOrgPaths", (org_path(org_id, org_path_),)))
    for tag, value in tags.items():
        keys.append((f"aws:ResourceTag/{tag}", (value,)))
        keys.extend((f"{prefix}:ResourceTag/{tag}", (value,)) for prefix in tag_prefixes)
    return keys


def request_context(
    principal: Principal,
    *,
    account: str,
    world: bool,
    region: str | None = None,
    tags: tuple[tuple[str, str], ...] = (),
    org_id: str | None = None,
    org_path: tuple[str, ...] = (),
    tag_prefixes: tuple[str, ...] = (),
    keys: Sequence[tuple[str, Values]] = (),
    given: Sequence[tuple[str, Values]] = (),
) -> tuple[Context, list[str]]:
    """The request context of one call, the one builder both doors use (§7): the keys AWS derives
    from the principal and the resource (``account``, ``region``, ``tags``, organization), the
    keys of the call (``keys``), and what the caller supplied (``given``) but for the principal
    keys it may not supply (``world``: a world derives tags and organization keys too). A
    session's ``aws:TokenIssueTime`` is ``aws:CurrentTime`` when only that is given. Returns the
    context and a note for each supplied key it ignored."""
    base = _base_context(principal, account, region, tags, org_id, org_path, tag_prefixes)
    if not given:  # most requests of an analysis supply nothing
        return (base.extended(keys) if keys else base), []
    kept, notes = supplied(given, world=world)
    if principal.type is PrincipalType.SESSION:
        names = {k.lower(): v for k, v in kept}
        now = names.get("aws:currenttime")
        if now and "aws:tokenissuetime" not in names:
            keys = (*keys, ("aws:TokenIssueTime", now))
    return base.extended([*keys, *kept]), notes


@lru_cache(maxsize=8192)
def _base_context(
    principal: Principal,
    account: str,
    region: str | None,
    tags: tuple[tuple[str, str], ...],
    org_id: str | None,
    org_path: tuple[str, ...],
    tag_prefixes: tuple[str, ...],
) -> Context:
    """The keys AWS derives from the caller and the resource (§7.1–7.2), shared by every request
    between them (a pure function of immutable values, so remembered)."""
    return Context.of(
        [
            *principal_keys(principal),
            *resource_keys(
                account, region, dict(tags), org_id=org_id, org_path_=org_path, tag_prefixes=tag_prefixes
            ),
            ("aws:ViaAWSService", ("false",)),
        ]
    )
