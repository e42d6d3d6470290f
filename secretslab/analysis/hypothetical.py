"""The hypothetical principals and secrets an access check adds alike to every world it
compares (``checks``): "any principal" of each account a policy names, the anonymous principal
of an account nobody names, the principals a policy names that no world holds, and secrets that
do not exist yet under each prefix a policy's Resource patterns reach.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-concepts.html,
https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..arn import Arn
from ..policy.model import Effect, ResourcePattern
from ..policy.wildcards import has_wildcard
from ..world import World
from .principals import session_of

#: the random suffix AWS appends to a secret's name (six characters); fixed so witnesses repeat
PROBE_SUFFIX = "AbCdEf"
PROBE_NAME = "new-secret"
_STRANGER_ACCOUNT = "999999999999"
_ANY_PRINCIPAL = "AnyPrincipal"


@dataclass(frozen=True, slots=True)
class Hypothetical:
    """What the check adds to the worlds: accounts a policy names that no world lists, a role in
    each named account (and the stranger's) standing for "any principal" of it, the principals a
    policy names that no world holds, and secrets that do not exist yet."""

    accounts: tuple[str, ...]  # account ids to add to the worlds
    roles: tuple[tuple[str, str], ...]  # (role ARN, label)
    users: tuple[tuple[str, str], ...]  # (user ARN, label)
    secrets: tuple[tuple[str, str, str, str], ...]  # (ARN, name, account, region)
    strangers: tuple[str, ...]  # the anonymous principal: a role session and a user
    organizations: tuple[tuple[str, str], ...] = ()  # (account, organization id) of added accounts

    @classmethod
    def of(cls, worlds: Sequence[World], extra: tuple[str, ...] = ()) -> Hypothetical:
        """What to add to ``worlds``, read from their policies (and new secrets under the
        ``extra`` Resource patterns too)."""
        listed = {a.id for w in worlds for a in w.accounts}
        listed |= {s.account for w in worlds for s in w.secrets} | {k.account for w in worlds for k in w.keys}
        named, named_users, named_roles, orgs = _named(worlds)
        stranger = _freeaccount_of(listed | named)
        outside_orgs = {}
        taken = listed | named | {stranger}
        for org in sorted(orgs - {a.org_id for w in worlds for a in w.accounts if a.org_id}):
            outside_orgs[_freeaccount_of(taken)] = org  # an account of an organization a policy names
            taken |= set(outside_orgs)
        accounts = [*sorted(named - listed), *outside_orgs, stranger]
        roles: list[tuple[str, str]] = []
        users: list[tuple[str, str]] = []
        for account in [*sorted(named), *outside_orgs, stranger]:
            if account == stranger:
                label = "the anonymous principal (any AWS account)"
            elif account in outside_orgs:
                label = f"any principal of organization {outside_orgs[account]}"
            else:
                label = f"any principal of account {account}"
            name = _free_name(worlds, account)
            roles.append((f"arn:aws:iam::{account}:role/{name}", label))
            users.append((f"arn:aws:iam::{account}:user/{name}", f"{label}, as an IAM user"))
        held = {r.arn for w in worlds for r in w.roles} | {u.arn for w in worlds for u in w.users}
        outside = set(accounts)
        roles += [
            (arn, f"role {_name(arn)} of account {account_of(arn)} (named by a policy, outside the world)")
            for arn in sorted(named_roles - held)
            if account_of(arn) in outside
        ]
        users += [
            (arn, f"user {_name(arn)} of account {account_of(arn)} (named by a policy, outside the world)")
            for arn in sorted(named_users - held)
            if account_of(arn) in outside
        ]
        strangers = (
            session_of(f"arn:aws:iam::{stranger}:role/{_free_name(worlds, stranger)}"),
            f"arn:aws:iam::{stranger}:user/{_free_name(worlds, stranger)}",
        )
        secrets = _new_secrets(worlds, listed, extra)
        return cls(
            tuple(accounts), tuple(roles), tuple(users), secrets, strangers, tuple(outside_orgs.items())
        )

    def principals(self) -> tuple[str, ...]:
        """The ARNs that sign requests for the hypothetical principals."""
        return (*(session_of(arn) for arn, _ in self.roles), *(arn for arn, _ in self.users))

    def labels(self) -> dict[str, str]:
        """Each hypothetical principal's signing ARN, and each new secret's ARN, in words."""
        out = {session_of(arn): label for arn, label in self.roles}
        out.update(self.users)
        out.update(
            (arn, f"{name} in {account} {region} (a secret that does not exist yet)")
            for arn, name, account, region in self.secrets
        )
        return out

    def extend(self, world: World) -> World:
        """``world`` with the hypothetical accounts, principals and secrets added."""
        data = world.to_dict()
        have = {a["id"] for a in data.get("accounts", [])}
        orgs = dict(self.organizations)
        data["accounts"] = [
            *data.get("accounts", []),
            *(
                {"id": a, "name": f"outside-{a}", **({"org_id": orgs[a]} if a in orgs else {})}
                for a in self.accounts
                if a not in have
            ),
        ]
        principals = data.setdefault("principals", {})
        principals["roles"] = [*principals.get("roles", []), *(_role(arn) for arn, _ in self.roles)]
        principals["users"] = [*principals.get("users", []), *(_user(arn) for arn, _ in self.users)]
        data["secrets"] = [
            *data.get("secrets", []),
            *(
                {"arn": arn, "name": name, "account": account, "region": region, "resource_policy": None}
                for arn, name, account, region in self.secrets
            ),
        ]
        return World.from_dict(data)


def _everything_outside(account: str) -> dict[str, Any]:
    """The identity policy of "any principal" of ``account``: whatever its administrators may give
    it, which matters only for what lies outside the account (inside, the world says who is who)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "*",
                "NotResource": [f"arn:*:{service}:*:{account}:*" for service in ("secretsmanager", "kms")]
                + [f"arn:*:iam::{account}:*"],
            },
        ],
    }


def _role(arn: str) -> dict[str, Any]:
    account = Arn.parse(arn).account  # type: ignore[union-attr]
    trusted = {"AWS": f"arn:aws:iam::{account}:root"}
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": trusted, "Action": "sts:AssumeRole"}],
    }
    return {"arn": arn, "trust_policy": trust, "policies": [_everything_outside(account)]}


def _user(arn: str) -> dict[str, Any]:
    account = Arn.parse(arn).account  # type: ignore[union-attr]
    return {"arn": arn, "policies": [_everything_outside(account)]}


def _named(worlds: Sequence[World]) -> tuple[set[str], set[str], set[str], set[str]]:
    """The accounts, user ARNs and role ARNs that the worlds' policies name — in Principal
    elements, in ``aws:PrincipalAccount``/``aws:PrincipalArn`` conditions, as KMS grantees — and
    the organizations their ``aws:PrincipalOrgID`` conditions name."""
    accounts: set[str] = set()
    users: set[str] = set()
    roles: set[str] = set()
    orgs: set[str] = set()

    def arn(text: str) -> None:
        parsed = Arn.parse(text)
        if parsed is None or not parsed.account or has_wildcard(parsed.account):
            return
        accounts.add(parsed.account)
        kind, _, name = parsed.resource.partition("/")
        if parsed.service == "iam" and name and not has_wildcard(name):
            (roles if kind == "role" else users if kind == "user" else set()).add(text)

    for world in worlds:
        for key in world.keys:
            for grant in key.grants:
                arn(grant.grantee)
        for _, policy in world.policies():
            for statement in policy.statements:
                for condition in statement.conditions:
                    key_name = condition.key_lower
                    if key_name == "aws:principalaccount":
                        accounts.update(v for v in condition.values if not has_wildcard(v))
                    elif key_name == "aws:principalarn":
                        for value in condition.values:
                            arn(value)
                    elif key_name == "aws:principalorgid":
                        orgs.update(v for v in condition.values if v and not has_wildcard(v))
                element = statement.principal
                if element is None:
                    continue
                accounts |= element.accounts
                for user in element.users:
                    arn(user)
                for account, name in element.roles:
                    accounts.add(account)
                    roles.add(f"arn:aws:iam::{account}:role/{name}")
                for session in (*element.sessions, *element.federated_users):
                    arn(session)
    return {a for a in accounts if a.isdigit() and len(a) == 12}, users, roles, orgs


def _freeaccount_of(taken: set[str]) -> str:
    """An account id that no world lists and no policy names, for the anonymous principal."""
    n = int(_STRANGER_ACCOUNT)
    while f"{n:012d}" in taken:
        n -= 1
    return f"{n:012d}"


def _free_name(worlds: Sequence[World], account: str) -> str:
    """A name that no role or user of ``account`` has (names are unique in any case)."""
    entities = [*(r.arn for w in worlds for r in w.roles), *(u.arn for w in worlds for u in w.users)]
    taken = {e.rpartition("/")[2].lower() for e in entities if account_of(e) == account}
    name, n = _ANY_PRINCIPAL, 1
    while name.lower() in taken:
        n += 1
        name = f"{_ANY_PRINCIPAL}{n}"
    return name


def _new_secrets(
    worlds: Sequence[World], listed: set[str], extra: tuple[str, ...] = ()
) -> tuple[tuple[str, str, str, str], ...]:
    """One secret that does not exist yet under each prefix the Resource patterns of identity
    policies, boundaries, session policies and SCPs reach (``${aws:username}`` filled with each
    user's name), and under each of ``extra``, in each account and Region of the worlds (plus
    another Region when a pattern leaves the Region open), and one plain name in each, each
    checked against the pattern it stands for."""
    regions = sorted(
        {s.region for w in worlds for s in w.secrets} | {k.region for w in worlds for k in w.keys}
    )
    regions = regions or ["us-east-1"]
    names = {(s.account, s.region, s.name) for w in worlds for s in w.secrets}
    arns = {s.arn for w in worlds for s in w.secrets}
    user_names = sorted({u.arn.rpartition("/")[2] for w in worlds for u in w.users})
    patterns = [PROBE_NAME + "-??????", *extra]  # a name no pattern aims at: Resource "*" reaches it
    for world in worlds:
        for _, policy in world.policies():
            if policy.kind.resource_based:  # their Resource is the holder itself
                continue
            for statement in policy.statements:
                if statement.effect is not Effect.ALLOW or statement.resource is None:
                    continue
                if statement.resource.negated:
                    continue
                for pattern in statement.resource.patterns:
                    patterns.extend(_filled(pattern, user_names))
    for text in patterns:
        parsed = Arn.parse(text)
        if parsed is not None and parsed.service == "secretsmanager" and parsed.region not in regions:
            regions.append(_OTHER_REGION if has_wildcard(parsed.region) else parsed.region)
    out: dict[str, tuple[str, str, str, str]] = {}
    for text in dict.fromkeys(patterns):
        name_pattern = text.rpartition(":secret:")[2] if ":secret:" in text else "*"
        name = _probe_name(name_pattern)
        if name is None:
            continue
        pattern = ResourcePattern.build(text, None)
        for account in sorted(listed):
            for region in dict.fromkeys(regions):
                arn = f"arn:aws:secretsmanager:{region}:{account}:secret:{name}-{PROBE_SUFFIX}"
                if arn in arns or (account, region, name) in names:
                    continue
                if text == PROBE_NAME + "-??????" or pattern.match(arn, no_variables):
                    out[arn] = (arn, name, account, region)
                    names.add((account, region, name))
    return tuple(out.values())


_OTHER_REGION = "eu-west-1"  # a Region the world holds nothing in, for patterns open to any Region


def _filled(pattern: ResourcePattern, user_names: list[str]) -> list[str]:
    """The pattern's text; with policy variables, one text per user name for ``${aws:username}``
    (other variables give none: the check does not guess their values)."""
    if pattern.template is None:
        return [pattern.text]
    out = []
    for user in user_names:
        parts = []
        for part in pattern.template:
            if isinstance(part, str):
                parts.append(part)
            elif getattr(part, "key_lower", None) == "aws:username":
                parts.append(user)
            elif hasattr(part, "text"):  # a literal such as ${*}
                parts.append(part.text)
            else:
                break
        else:
            out.append("".join(parts))
    return out


def _probe_name(pattern: str) -> str | None:
    """A secret name that ``pattern`` (the part of a secret ARN after ``secret:``) reaches with
    AWS's six-character suffix appended: each ``*`` becomes ``new-secret``, each ``?`` an ``x``
    (``team/*`` gives ``team/new-secret``, ``team/s*`` gives ``team/s-new-secret``,
    ``sandbox/new-??????`` gives ``sandbox/new``); None when the pattern cannot end in a suffix."""
    if pattern.endswith("-??????"):
        stem = pattern[:-7]  # a name without wildcards is new when no secret has it (the caller checks)
    elif pattern.endswith("*"):
        stem = pattern  # the last ``*`` takes the name's end and the suffix
        if len(stem) > 1 and stem[-2].isalnum():
            stem = stem[:-1] + "-*"
    else:
        return None
    name = stem.replace("*", PROBE_NAME).replace("?", "x")
    return name if name and set(name) <= _NAME_CHARACTERS else None


_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_+=.@-")


def no_variables(key: str) -> str | None:
    """The lookup of a pattern without policy variables: none to resolve."""
    return None


def account_of(arn: str) -> str:
    """The account of an ARN ("" when it is not one)."""
    parsed = Arn.parse(arn)
    return parsed.account if parsed is not None else ""


def _name(arn: str) -> str:
    return arn.rpartition("/")[2]
