"""What each exported template creates and how templates name it: CloudFormation logical ids, unique
per account (``logical_id``, then a number where ids would clash with one derived from another:
its secret policy, boundary, alias…), and the resources whose ARN AWS generates at deployment
(customer managed keys and secrets; AWS managed keys, which only parameters can name).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..arn import Arn
from ..world import Key, World
from .export_documents import Json

__all__ = ["Target", "Targets", "account_of", "logical_id", "owning_accounts"]


def logical_id(prefix: str, name: str) -> str:
    """``Secret`` + ``app/db-main`` -> ``SecretAppDbMain``: CloudFormation logical ids are
    alphanumeric; callers make them unique."""
    parts = re.split(r"[^A-Za-z0-9]+", name)
    return prefix + "".join(p[:1].upper() + p[1:] for p in parts if p)


@dataclass(frozen=True, slots=True)
class Target:
    """A resource whose ARN AWS generates at deployment: a customer managed key or a secret."""

    arn: str
    account: str
    logical: str
    attribute: str | None  # GetAtt attribute for the ARN; None when Ref gives the ARN
    external: bool = False  # an AWS managed key: no template creates it

    @property
    def parameter(self) -> str:
        """The name of the template parameter through which another account's template receives this
        ARN (one per account)."""
        return f"{self.logical}Arn{self.account}"

    @property
    def output(self) -> str:
        """The name of the stack output that gives this ARN to the other accounts' templates."""
        return f"{self.logical}Arn"

    def local(self) -> Json:
        """The ARN inside its own template: ``Fn::GetAtt`` of the ARN attribute, or ``Ref`` when that
        gives the ARN."""
        return {"Fn::GetAtt": [self.logical, self.attribute]} if self.attribute else {"Ref": self.logical}

    def sub(self) -> str:
        """The ARN as a ``Fn::Sub`` variable names it: ``Logical.Attribute``, or the logical id alone."""
        return f"{self.logical}.{self.attribute}" if self.attribute else self.logical


def owning_accounts(world: World) -> Iterator[str]:
    """The account of every user, group, role, key and secret of the world, once per resource (with
    repeats), in that order."""
    yield from (account_of(u.arn) for u in world.users)
    yield from (account_of(g.arn) for g in world.groups)
    yield from (account_of(r.arn) for r in world.roles)
    yield from (k.account for k in world.keys)
    yield from (s.account for s in world.secrets)


@dataclass(slots=True)
class Targets:
    """Logical ids of every exported resource, per account, and the generated ARNs by value."""

    logical: dict[tuple[str, str], str] = field(default_factory=dict)  # (account, arn) -> id
    generated: dict[str, Target] = field(default_factory=dict)  # arn -> target
    used: dict[str, set[str]] = field(default_factory=dict)  # account -> ids taken

    @classmethod
    def of(cls, world: World) -> Targets:
        """The logical ids of every resource the world's templates create or refer to, and the targets
        of generated ARNs. Service-linked roles are left out (AWS creates them); AWS managed keys
        are named last, as external targets."""
        t = cls()
        for group in world.groups:
            t.name(group.arn, "Group", group.name)
        for user in world.users:
            t.name(user.arn, "User", user.name)
        for role in world.roles:
            if not role.service_linked:
                t.name(role.arn, "Role", role.name)
        for key in world.keys:
            if not key.aws_managed:
                lid = t.name(key.arn, "Key", _key_name(key), key.account)
                t.generated[key.arn] = Target(key.arn, key.account, lid, "Arn")
        for secret in world.secrets:
            lid = t.name(secret.arn, "Secret", secret.name, secret.account)
            t.generated[secret.arn] = Target(secret.arn, secret.account, lid, None)
        # AWS managed keys are AWS's: another template can only receive their ARN as a parameter
        for key in world.keys:
            if key.aws_managed:
                lid = t.name(key.arn, "AwsManagedKey", _key_name(key), key.account)
                t.generated[key.arn] = Target(key.arn, key.account, lid, None, external=True)
        return t

    def name(self, arn: str, prefix: str, name: str, account: str | None = None) -> str:
        """Name ``arn`` in ``account`` (by default the ARN's) with a logical id from ``prefix`` and
        ``name``, numbered when it would clash with an id taken; returns the id."""
        account = account or account_of(arn)
        taken = self.used.setdefault(account, set())
        base = logical_id(prefix, name)[:200]
        lid, n = base, 2
        while any(_clash(lid, x) for x in taken):
            lid, n = f"{base}{n}", n + 1
        taken.add(lid)
        self.logical[(account, arn)] = lid
        return lid

    def of_arn(self, account: str, arn: str) -> str | None:
        """The logical id of ``arn`` in the template of ``account``, or None when that template does
        not create it."""
        return self.logical.get((account, arn))


_DERIVED = r"(Policy\d*|Boundary|Alias\d*)"


def _clash(a: str, b: str) -> bool:
    """Two logical ids clash when equal or when one is an id derived from the other (its secret
    policy, boundary, alias…)."""
    return a == b or bool(
        re.fullmatch(re.escape(a) + _DERIVED, b) or re.fullmatch(re.escape(b) + _DERIVED, a)
    )


def _key_name(key: Key) -> str:
    alias = next((a for a in key.aliases if not a.startswith("alias/aws/")), None)
    if alias:
        return alias.removeprefix("alias/")
    if key.aws_managed and key.aliases:
        return key.aliases[0].removeprefix("alias/")
    return key.arn.rsplit("/", 1)[-1]


def account_of(arn: str) -> str:
    """The account id of an ARN; ``""`` when it has none or is not an ARN."""
    parsed = Arn.parse(arn)
    return parsed.account if parsed else ""
