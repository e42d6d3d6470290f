"""Readable names for what the figures and the apps label: the short name of an ARN (a user's or
role's name, a role session, a secret without its random suffix, a key's id), the short form of
an ARN that keeps its resource type (``secret:prod/db``, ``role/AppRole``) and a text with every
ARN in that form (fix suggestions), the account of an ARN, labels made unique across accounts,
and an action's operation. Nothing here imports matplotlib.
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


def short_arn(arn: str) -> str:
    """An ARN without what the reader already knows: its resource part (``role/AppRole``,
    ``assumed-role/AppRole/app``, ``secret:prod/db`` without the random suffix, ``key/1234abcd…``
    with the key id cut to 8 characters), ``account 111111111111`` for an account's root."""
    parsed = Arn.parse(arn)
    if parsed is None:
        return arn
    if parsed.service == "iam" and parsed.resource == "root":
        return f"account {parsed.account}"
    rtype, rid = parsed.resource_type, parsed.resource_id
    if parsed.service == "secretsmanager" and rtype == "secret":
        return "secret:" + re.sub(r"-[A-Za-z0-9]{6}$", "", rid)
    if parsed.service == "kms" and rtype == "key" and len(rid) > 12:
        return f"key/{rid[:8]}…"
    return parsed.resource


_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:[^\s,;()<>\"']+")


def _short_match(match: re.Match[str]) -> str:
    arn, tail = match.group(0), ""
    while arn[-1] in ".:":  # the end of a sentence, not of the ARN
        arn, tail = arn[:-1], arn[-1] + tail
    return short_arn(arn) + tail


def short_arns(text: str) -> str:
    """``text`` with every ARN in it as ``short_arn`` writes it, a word that the short form
    repeats dropped ("role role/AppRole" → "role/AppRole") and runs of spaces made one."""
    text = _ARN.sub(_short_match, text)
    text = re.sub(r"\b(\w+) (?=\1[/:])", "", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()
