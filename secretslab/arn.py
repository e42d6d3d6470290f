"""ARN value type: split an Amazon Resource Name into partition, service, region, account and
resource, exactly on the first five colons (the resource part may itself hold ``:`` and ``/``).

AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html (semantics §2.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ACCOUNT_ID = re.compile(r"\A[0-9]{12}\Z")  # exactly twelve ASCII digits, no newline

#: the partitions AWS has: commercial, China, GovCloud (US), the isolated (ISO) Regions and the
#: European Sovereign Cloud (https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html)
PARTITIONS = frozenset(
    {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
)

_REGION_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def arn_problem(text: str) -> str | None:
    """Why ``text``, written as an ARN (``arn:…``), is not one AWS could hold, or None: six
    components, a partition AWS has, a Region of lowercase ASCII letters, digits and hyphens, and
    an account that is empty or exactly twelve ASCII digits (semantics §2.1, §3.13)."""
    arn = Arn.parse(text)
    if arn is None:
        return "an ARN has six parts: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE"
    if arn.partition not in PARTITIONS:
        return f"the partition is one of {', '.join(sorted(PARTITIONS))}"
    if not _REGION_CHARACTERS.issuperset(arn.region):
        return "a Region is lowercase ASCII letters, digits and hyphens (us-east-1)"
    if arn.account and not ACCOUNT_ID.match(arn.account):
        return "an account id is exactly twelve ASCII digits"
    return None


@dataclass(frozen=True, slots=True)
class Arn:
    """An ARN split into its six colon-separated components
    (``arn:partition:service:region:account:resource``); the resource keeps any further colons.
    Build one with ``Arn.parse``; ``str()`` gives the text back."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, text: str) -> Arn | None:
        """The ARN, or None when ``text`` is not ``arn:…`` with six components."""
        if not isinstance(text, str) or not text.startswith("arn:"):
            return None
        parts = text.split(":", 5)
        if len(parts) != 6:
            return None
        _, partition, service, region, account, resource = parts
        return cls(partition, service, region, account, resource)

    @property
    def resource_type(self) -> str:
        """``user`` of ``user/path/alice``; ``secret`` of ``secret:name``; ``""`` if none."""
        cut = re.search(r"[/:]", self.resource)
        return self.resource[: cut.start()] if cut else ""

    @property
    def resource_id(self) -> str:
        """What follows the resource type: ``path/alice`` of ``user/path/alice``."""
        cut = re.search(r"[/:]", self.resource)
        return self.resource[cut.end() :] if cut else self.resource

    @property
    def name(self) -> str:
        """The last path element: the name of a user or role without its path."""
        return self.resource_id.rsplit("/", 1)[-1]

    def __str__(self) -> str:
        return ":".join(("arn", self.partition, self.service, self.region, self.account, self.resource))


def account_of(arn_or_id: str) -> str | None:
    """The account id named by a bare 12-digit id or by any ARN that carries one."""
    if ACCOUNT_ID.match(arn_or_id):
        return arn_or_id
    arn = Arn.parse(arn_or_id)
    return arn.account if arn and arn.account else None


def after_account(text: str) -> str:
    """What follows an ARN's account — ``role/AppRole``, ``secret:prod/db-AbC123`` — the short form
    results and apps show; ``text`` itself when it is not an ARN."""
    parsed = Arn.parse(text)
    return parsed.resource if parsed is not None and parsed.resource else text


def short_arn(text: str) -> str:
    """The account and what follows it — ``222222222222:role/AppRole``,
    ``111111111111:secret:prod/db-AbC123`` — the short form text output for people shows, keeping
    the account that tells a cross-account principal apart; ``after_account`` when the ARN names
    no account, ``text`` itself when it is not an ARN."""
    parsed = Arn.parse(text)
    if parsed is None or not parsed.resource:
        return text
    return f"{parsed.account}:{parsed.resource}" if parsed.account else parsed.resource


#: an ARN inside text: ``arn:`` and five colon-separated parts, up to a space, quote or bracket
ARN_IN_TEXT = re.compile(r"\barn:[a-z0-9-]+:[a-z0-9-]*:[a-z0-9-]*:[0-9]*:[^\s'\"(),;]+")


def short_arns(text: str) -> str:
    """``text`` with every ARN in it in its ``short_arn`` form (a trailing colon or full stop of
    the sentence is kept out of the ARN)."""

    def shorten(match: re.Match[str]) -> str:
        arn = match.group(0)
        tail = ""
        while arn and arn[-1] in ":.":
            arn, tail = arn[:-1], arn[-1] + tail
        return short_arn(arn) + tail

    return ARN_IN_TEXT.sub(shorten, text)
