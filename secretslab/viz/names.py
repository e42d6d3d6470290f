"""Readable names for what the figures label: the short name of an ARN (a user's or role's name,
a role session, a secret without its random suffix, a key's id), the account of an ARN, labels
made unique across accounts, and an action's operation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..arn import Arn


def short_name(arn: str) -> str:
    """A readable name for an ARN: a user's or role's name, ``Role/session`` for a role session
    (the role's name alone for the session named ``session``, which ``analysis`` uses to stand
    for a role), a secret's name without its random suffix, a key's id; anything else as is."""
    parsed = Arn.parse(arn)
    if parsed is None:
        return arn
    rtype, rid = parsed.resource_type, parsed.resource_id
    if parsed.service == "iam" and parsed.resource == "root":
        return f"root {parsed.account}"
    if parsed.service == "sts" and rtype == "assumed-role":
        role, _, session = rid.partition("/")
        return role if session == "session" else rid
    if parsed.service == "secretsmanager" and rtype == "secret":
        return re.sub(r"-[A-Za-z0-9]{6}$", "", rid)
    if parsed.service == "kms" and rtype == "key":
        return f"key {rid[:8]}…" if len(rid) > 12 else f"key {rid}"
    return parsed.name if rtype in ("user", "role", "group", "alias") else parsed.resource


def account_of(arn: str) -> str:
    """The account in an ARN, or ``?``."""
    parsed = Arn.parse(arn)
    return parsed.account if parsed and parsed.account else "?"


def short_labels(arns: Sequence[str]) -> list[str]:
    """Short names, with the account added where two would read the same."""
    names = [short_name(a) for a in arns]
    return [f"{n} ({account_of(a)})" if names.count(n) > 1 else n for n, a in zip(names, arns, strict=True)]


def operation(action: str) -> str:
    """``GetSecretValue`` for ``secretsmanager:GetSecretValue``."""
    return action.partition(":")[2] or action
