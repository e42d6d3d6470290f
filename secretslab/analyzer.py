"""Whole-world findings, in the manner of IAM Access Analyzer's policy checks: each check reads the
parsed world (secrets, keys, users, groups, roles) and reports, with a stable code from
``CATALOGUE``, a resource ARN, the JSON path of the offending element in the world format
(semantics §1.1), what is wrong and how to fix it. The checks are lint, not decisions: they look
at one policy at a time (a Deny elsewhere may still block what a finding reports) and never
evaluate a request. Only policies AWS would store are linted; an invalid one is reported once as
``INVALID_POLICY``, as the engine sets it aside (§3.4).

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html,
https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html,
https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html,
https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .arn import account_of
from .policy.checks import public_statements
from .policy.model import Condition, Effect, Policy, PrincipalElement, ResourceElement, Statement
from .problems import PathPart, json_path
from .world import Group, Role, Secret, User, World

Path = tuple[PathPart, ...]


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


H, M = Severity.HIGH, Severity.MEDIUM

#: code -> (severity, title). Codes are stable: tests and users match on them, never on wording.
CATALOGUE: dict[str, tuple[Severity, str]] = {
    "PUBLIC_SECRET_POLICY": (H, "the secret policy lets any principal in, without a pinning condition"),
    "CROSS_ACCOUNT_PUT_RESOURCE_POLICY": (H, "another account may rewrite the secret policy"),
    "INVALID_POLICY": (H, "AWS would reject this policy; it is ignored in every decision"),
    "CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY": (
        M,
        "a cross-account grant on a secret encrypted with aws/secretsmanager can never work",
    ),
    "KEY_POLICY_LOCKS_OUT_ACCOUNT": (M, "no principal of the key's own account is in its key policy"),
    "IDENTITY_READS_ALL_SECRETS": (M, "an identity policy reads every secret, without conditions"),
    "TRUST_OTHER_ACCOUNT_WITHOUT_CONDITION": (
        M,
        "another account may assume the role without any condition",
    ),
}

_RANK = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    resource: str  # the ARN the finding is about
    location: str  # JSON path in the world format (semantics §1.1)
    message: str
    hint: str

    @property
    def title(self) -> str:
        return CATALOGUE[self.code][1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "title": self.title,
            "resource": self.resource,
            "location": self.location,
            "message": self.message,
            "hint": self.hint,
        }

    def __str__(self) -> str:
        return f"{self.location}: {self.severity.value} {self.code}: {self.message} ({self.hint})"


def findings(world: World) -> tuple[Finding, ...]:
    """Every finding of every check, most severe first, then by location."""
    found = [f for check in CHECKS for f in check(world)]
    return tuple(sorted(found, key=lambda f: (_RANK[f.severity], _natural(f.location), f.code)))


def _finding(code: str, resource: str, path: Path, message: str, hint: str) -> Finding:
    return Finding(code, CATALOGUE[code][0], resource, json_path(path), message, hint)


def _natural(location: str) -> tuple[str | int, ...]:
    """``$.secrets[2]`` before ``$.secrets[10]``: indices compare as numbers."""
    return tuple(int(p) if i % 2 else p for i, p in enumerate(re.split(r"(\d+)", location)))


# -- secret policies (semantics §3.11, §9.6, §10.7)


def public_secret_policies(world: World) -> Iterator[Finding]:
    """Principal "*" without a condition pinning the account, organization, principal or network:
    exactly what ``BlockPublicPolicy`` refuses (§3.11)."""
    for i, secret, policy in _secret_policies(world):
        for s in public_statements(policy):
            yield _finding(
                "PUBLIC_SECRET_POLICY",
                secret.arn,
                ("secrets", i, "resource_policy", *_statement_path(policy, s)),
                f"{s.label} allows any principal ({_actions(s)}) on {secret.name} without a "
                "condition pinning the account, organization, principal or network",
                "name the principals, or add a condition on aws:PrincipalOrgID, aws:PrincipalAccount "
                "or aws:PrincipalArn",
            )


#: secret actions that make Secrets Manager call KMS on the caller's behalf (§10.2)
_NEEDS_KMS = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:BatchGetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecret",
)


def cross_account_grants_on_aws_managed_key(world: World) -> Iterator[Finding]:
    """``aws/secretsmanager`` admits only callers of its own account (``kms:CallerAccount``) and its
    policy cannot be edited, so another account can never read or write such a secret (§9.6)."""
    for i, secret, policy in _secret_policies(world):
        key = world.secret_key(secret)
        if not key.aws_managed:
            continue
        for s, outsiders in _cross_account_allows(policy, secret.account):
            actions = [a for a in _NEEDS_KMS if s.action.matches(a.lower())]
            if actions:
                yield _finding(
                    "CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY",
                    secret.arn,
                    ("secrets", i, "resource_policy", *_statement_path(policy, s)),
                    f"{s.label} grants {', '.join(outsiders)} {', '.join(actions)} on {secret.name}, "
                    f"but the secret is encrypted with aws/secretsmanager ({key.arn}), whose key policy "
                    f"allows only callers of account {key.account}: the KMS step always fails",
                    "re-encrypt the secret with a customer managed key (UpdateSecret KmsKeyId) whose key "
                    "policy allows kms:Decrypt to that principal, and allow kms:Decrypt on the key's ARN "
                    "in the principal's identity policy",
                )


def cross_account_put_resource_policy(world: World) -> Iterator[Finding]:
    """Whoever may call PutResourcePolicy may replace the policy and grant itself anything (§10.7)."""
    for i, secret, policy in _secret_policies(world):
        for s, outsiders in _cross_account_allows(policy, secret.account):
            if s.action.matches("secretsmanager:putresourcepolicy"):
                yield _finding(
                    "CROSS_ACCOUNT_PUT_RESOURCE_POLICY",
                    secret.arn,
                    ("secrets", i, "resource_policy", *_statement_path(policy, s)),
                    f"{s.label} grants secretsmanager:PutResourcePolicy (through {_actions(s)}) on "
                    f"{secret.name} to {', '.join(outsiders)}, outside account {secret.account}: "
                    "they can rewrite the policy and grant themselves anything",
                    "grant other accounts only the actions they need (for example "
                    "secretsmanager:GetSecretValue); keep policy management in the owner account",
                )


def _cross_account_allows(policy: Policy, owner: str) -> Iterator[tuple[Statement, tuple[str, ...]]]:
    """Allow statements with the principals they let in from outside ``owner`` ("*" counts unless
    a condition confines it to ``owner``; aws:PrincipalOrgID does not: it spans accounts)."""
    for s in policy.statements:
        p = _allowed(s)
        if p is None:
            continue
        outsiders = [name for name, account in _named(p) if account != owner]
        if p.wildcard and not any(_confines(c, owner) for c in s.conditions):
            outsiders.insert(0, '"*"')
        if outsiders:
            yield s, tuple(outsiders)


_EQUALITY = frozenset({"StringEquals", "StringLike", "ArnEquals", "ArnLike"})


def _confines(condition: Condition, owner: str) -> bool:
    """Whether the condition keeps a "*" principal inside ``owner`` (every value names it)."""
    op = condition.operator
    if op.base not in _EQUALITY or op.if_exists or op.qualifier == "ForAllValues" or not condition.values:
        return False
    if condition.key_lower == "aws:principalaccount":
        return all(v == owner for v in condition.values)
    if condition.key_lower == "aws:principalarn":
        return all(account_of(v) == owner for v in condition.values)  # a wildcard account is not owner
    return False


def _named(p: PrincipalElement) -> list[tuple[str, str]]:
    """(principal as shown, its account) for every AWS principal the element names (§4.5)."""
    named = [(f"account {a}", a) for a in sorted(p.accounts)]
    named += [(f"arn:aws:iam::{a}:role/{name}", a) for a, name in sorted(p.roles)]
    named += [(arn, account_of(arn) or "") for arn in sorted((*p.users, *p.sessions, *p.federated_users))]
    return named


# -- key policies (§9.1–9.3)


def key_policies_locking_out_account(world: World) -> Iterator[Finding]:
    """A customer managed key whose policy neither delegates to the owner account (the "Enable IAM
    policies" statement, §9.2) nor names any of its principals: IAM policies of the account have
    no effect on the key, and nobody there can manage it without AWS Support (§9.1)."""
    for i, key in enumerate(world.keys):
        policy = key.key_policy
        if key.aws_managed or policy is None or not policy.valid or _admits_owner(policy, key.account):
            continue
        yield _finding(
            "KEY_POLICY_LOCKS_OUT_ACCOUNT",
            key.arn,
            ("kms_keys", i, "key_policy"),
            f"the key policy of {key.label} allows neither arn:aws:iam::{key.account}:root nor any "
            f"principal of account {key.account}: IAM policies there cannot grant use of the key, and "
            "nobody in the account can change its policy",
            f'add the "Enable IAM User Permissions" statement: Allow arn:aws:iam::{key.account}:root '
            'kms:* on "*" (the default key policy)',
        )


def _admits_owner(policy: Policy, owner: str) -> bool:
    for s in policy.statements:
        p = _allowed(s)
        if p is not None and (p.wildcard or any(account == owner for _, account in _named(p))):
            return True
    return False


# -- identity policies (§3.8)

#: a made-up secret of the identity's account, in a made-up Region: a Resource that matches it
#: matches every secret the account may hold, whatever its Region and name
_PROBE = "arn:aws:secretsmanager:zz-probe-9:{account}:secret:probe/any-secret-AbCdEf"


def identities_reading_all_secrets(world: World) -> Iterator[Finding]:
    """``GetSecretValue`` on every secret, unconditionally: the widest read of the account's secrets,
    which Access Analyzer's least-privilege checks flag."""
    for path, arn, policy in _identity_policies(world):
        probe = _PROBE.format(account=account_of(arn) or "")
        for s in policy.statements:
            if _reads_everything(s, probe):
                yield _finding(
                    "IDENTITY_READS_ALL_SECRETS",
                    arn,
                    (*path, *_statement_path(policy, s)),
                    f"{s.label} allows secretsmanager:GetSecretValue (through {_actions(s)}) on every "
                    f"secret ({_resources(s.resource)}) without conditions",
                    "list the secrets by ARN or prefix (…:secret:team/*), or add a condition such as "
                    "secretsmanager:ResourceTag/team = ${aws:PrincipalTag/team}",
                )


def _reads_everything(s: Statement, probe: str) -> bool:
    if s.effect is not Effect.ALLOW or s.conditions or s.resource is None:
        return False
    return s.action.matches("secretsmanager:getsecretvalue") and _covers(s.resource, probe)


def _covers(element: ResourceElement, arn: str) -> bool:
    # An unresolved policy variable matches nothing (§6.2), so it narrows Resource, widens NotResource.
    listed = any(p.match(arn, _no_variables) is True for p in element.patterns)
    return listed != element.negated


def _no_variables(_key: str) -> str | None:
    return None


def _identity_policies(world: World) -> Iterator[tuple[Path, str, Policy]]:
    owners: tuple[tuple[str, Sequence[User | Group | Role]], ...] = (
        ("users", world.users),
        ("groups", world.groups),
        ("roles", world.roles),
    )
    for name, entities in owners:
        for i, entity in enumerate(entities):
            for j, policy in enumerate(entity.policies):
                if policy.valid:
                    yield ("principals", name, i, "policies", j), entity.arn, policy


# -- trust policies (§11.2)


def trust_other_accounts_without_condition(world: World) -> Iterator[Finding]:
    """A trust policy that lets another account (or anyone) assume the role with no condition at
    all: the confused-deputy risk that sts:ExternalId and the principal keys address."""
    for i, role in enumerate(world.roles):
        policy = role.trust_policy
        if policy is None or not policy.valid:
            continue
        for s, outsiders in _cross_account_allows(policy, role.account):
            if not s.conditions and s.action.matches("sts:assumerole"):
                yield _finding(
                    "TRUST_OTHER_ACCOUNT_WITHOUT_CONDITION",
                    role.arn,
                    ("principals", "roles", i, "trust_policy", *_statement_path(policy, s)),
                    f"{s.label} lets {', '.join(outsiders)} assume {role.name} (account {role.account}) "
                    "with no condition",
                    "add a Condition: sts:ExternalId for a third party, aws:PrincipalOrgID for your "
                    "organization, or aws:PrincipalArn for specific roles",
                )


# -- invalid policies (§3.4)


def invalid_policies(world: World) -> Iterator[Finding]:
    """One finding per policy AWS would reject; its problems (``World.problems``) say where."""
    for path, owner, policy in _all_policies(world):
        errors = policy.errors
        if errors:
            listed = "; ".join(f"{p.code} at {json_path((*path, *p.path))}" for p in errors[:3])
            more = f" and {len(errors) - 3} more" if len(errors) > 3 else ""
            yield _finding(
                "INVALID_POLICY",
                owner,
                path,
                f"AWS would reject this {policy.kind.label} ({listed}{more}), so no decision uses it",
                "fix the errors listed by World.problems (or check_policy on the document)",
            )


#: one field of an entity that holds a policy, or a list of them
Held = tuple[str, Policy | tuple[Policy, ...] | None]


def _all_policies(world: World) -> Iterator[tuple[Path, str, Policy]]:
    for path, owner, fields in _holders(world):
        for name, value in fields:
            if isinstance(value, Policy):
                yield (*path, name), owner, value
            elif value is not None:
                yield from (((*path, name, j), owner, p) for j, p in enumerate(value))
    yield from _org_policies(world)


def _holders(world: World) -> Iterator[tuple[Path, str, tuple[Held, ...]]]:
    """Every entity that holds policies, with its path and the fields that hold them (§1.1)."""
    for i, u in enumerate(world.users):
        held: tuple[Held, ...] = (("policies", u.policies), ("permissions_boundary", u.permissions_boundary))
        yield ("principals", "users", i), u.arn, held
    for i, g in enumerate(world.groups):
        yield ("principals", "groups", i), g.arn, (("policies", g.policies),)
    for i, r in enumerate(world.roles):
        held = (
            ("trust_policy", r.trust_policy),
            ("policies", r.policies),
            ("permissions_boundary", r.permissions_boundary),
        )
        yield ("principals", "roles", i), r.arn, held
    for i, session in enumerate(world.sessions):
        yield ("principals", "sessions", i), session.arn, (("session_policies", session.session_policies),)
    for i, secret in enumerate(world.secrets):
        yield ("secrets", i), secret.arn, (("resource_policy", secret.resource_policy),)
    for i, key in enumerate(world.keys):
        yield ("kms_keys", i), key.arn, (("key_policy", key.key_policy),)


def _org_policies(world: World) -> Iterator[tuple[Path, str, Policy]]:
    org = world.organization
    if org is None:
        return
    arn = f"arn:aws:organizations::{org.management_account}:organization/{org.id}"
    owner = arn if org.management_account else org.id
    for name, listed in (("scps", org.scps), ("rcps", org.rcps)):
        for i, entry in enumerate(listed):
            yield ("organization", name, i, "document"), owner, entry.policy


# -- shared helpers


def _secret_policies(world: World) -> Iterator[tuple[int, Secret, Policy]]:
    """Each secret with a policy AWS would store; invalid ones are reported once, as INVALID_POLICY."""
    for i, secret in enumerate(world.secrets):
        policy = secret.resource_policy
        if policy is not None and policy.valid:
            yield i, secret, policy


def _allowed(statement: Statement) -> PrincipalElement | None:
    """The principals an Allow statement names (NotPrincipal with Allow is invalid, §3.5)."""
    p = statement.principal
    return p if statement.effect is Effect.ALLOW and p is not None and not p.negated else None


def _statement_path(policy: Policy, statement: Statement) -> Path:
    """``Statement[i]``, or ``Statement`` when the document holds a single statement object."""
    source = policy.source
    single = isinstance(source, Mapping) and isinstance(source.get("Statement"), Mapping)
    return ("Statement",) if single else ("Statement", statement.index)


def _actions(statement: Statement) -> str:
    prefix = "NotAction " if statement.action.negated else ""
    return prefix + ", ".join(statement.action.patterns)


def _resources(element: ResourceElement | None) -> str:
    if element is None:
        return "no Resource"
    prefix = "NotResource " if element.negated else ""
    return prefix + ", ".join(p.text for p in element.patterns)


#: every check, in the order of this module; each yields its findings for the whole world
CHECKS: tuple[Callable[[World], Iterator[Finding]], ...] = (
    public_secret_policies,
    cross_account_grants_on_aws_managed_key,
    cross_account_put_resource_policy,
    key_policies_locking_out_account,
    identities_reading_all_secrets,
    trust_other_accounts_without_condition,
    invalid_policies,
)
