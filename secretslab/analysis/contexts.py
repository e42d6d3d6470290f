"""The request contexts an access check asks besides the bare request: for each condition key a
caller supplies (``aws:SourceIp``, ``aws:SecureTransport``, ``aws:CurrentTime``, request tags,
service keys such as ``secretsmanager:ForceDeleteWithoutRecovery``…) that a policy of the worlds
tests, values on both sides of what the policy writes — so a grant hidden behind
``IpAddress 0.0.0.0/0`` or a Deny that only applies inside ``10.0.0.0/8`` is found. Keys the
evaluator derives from the principal, the resource or the call (``aws:PrincipalArn``,
``aws:ResourceAccount``, ``kms:ViaService``…) are left to it.

AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

from ..policy.model import Condition
from ..policy.operators import Family
from ..world import World

#: contexts asked besides the bare request, at most (the first of each key, then one per value)
MAX_CONTEXTS = 16
#: keys the evaluator fills in from the principal, the resource or the call: never asked
_DERIVED = (
    "aws:principal",
    "aws:resource",
    "aws:userid",
    "aws:username",
    "aws:calledvia",
    "aws:viaawsservice",
    "aws:requestedregion",
    "kms:calleraccount",
    "kms:viaservice",
    "kms:encryptioncontext",
    "secretsmanager:resource/",
    "iam:resourcetag/",
    "sts:",
)
_PAST, _NOW, _FUTURE = "2000-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "2100-01-01T00:00:00Z"
_OUTSIDE_IP = "203.0.113.7"  # TEST-NET-3: outside any network a policy plausibly names


def contexts(worlds: Iterable[World]) -> tuple[dict[str, Any], ...]:
    """The contexts to ask (each a ``context`` mapping for the request): one holding a first value
    of every key, then one per (key, value), at most ``MAX_CONTEXTS``; none when no policy tests a
    key a caller supplies."""
    values: dict[str, list[Any]] = {}
    names: dict[str, str] = {}
    for world in worlds:
        for _, policy in world.policies():
            for statement in policy.statements:
                for condition in statement.conditions:
                    key = condition.key_lower
                    if key.startswith(_DERIVED):
                        continue
                    names.setdefault(key, condition.key)
                    found = values.setdefault(key, [])
                    found.extend(v for v in _candidates(condition) if v not in found)
    if not values:
        return ()
    out: list[dict[str, Any]] = [{names[k]: vs[0] for k, vs in values.items() if vs}]
    for key, candidates in values.items():
        out.extend({names[key]: value} for value in candidates)
    unique = list({repr(sorted(c.items())): c for c in out}.values())
    return tuple(unique[:MAX_CONTEXTS])


def _candidates(condition: Condition) -> Sequence[Any]:
    """Values of the key that make the condition true and that make it false, as far as one
    value can: the written values themselves (wildcards filled), and one outside them."""
    family = condition.operator.family
    written = [v for v in condition.values if "${" not in v]
    if family is Family.BOOL:
        return ["true", "false"]
    if family is Family.IP:
        inside = []
        for v in written:
            try:
                inside.append(str(ipaddress.ip_network(v, strict=False).network_address))
            except ValueError:
                continue
        return [*inside, _OUTSIDE_IP]
    if family is Family.DATE:
        return [_PAST, _NOW, _FUTURE]
    if family is Family.NUMERIC:
        out: list[Any] = []
        for v in written:
            try:
                n = float(v)
            except ValueError:
                continue
            out += [_number(n - 1), _number(n), _number(n + 1)]
        return out
    if family is Family.NULL:
        return ["x"]  # present; absent is the bare request
    filled = [v.replace("*", "x").replace("?", "x") for v in written]
    if condition.operator.qualifier is not None:  # a multivalued key: a set of values
        return [filled, [*filled, "x-other"], ["x-other"]] if filled else []
    return [*filled, "x-other"]


def _number(n: float) -> str:
    return str(int(n)) if n.is_integer() else str(n)
