"""The checks on resource-based policies: a secret's policy that is public, that grants another
account a read its key can never allow, or that lets another account rewrite it (semantics §3.11,
§9.6, §10.7), and a key policy that locks its own account out (§9.1–9.3).

AWS pages: https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html,
https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html,
https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
"""

from __future__ import annotations

from collections.abc import Iterator

from ..arn import account_of
from ..authorization import authorize
from ..policy.model import Policy, Statement
from ..policy.public import public_statements
from ..policy.refs import PolicyRef, Slot
from ..problems import ScenarioError
from ..world import Secret, World
from .finding import Finding, FindingCode
from .reading import actions, allowed, cross_account_allows, finding, named, statement_path, valid_policies


def public_secret_policies(world: World) -> Iterator[Finding]:
    """Principal "*" without a condition pinning the account, organization, principal or network:
    exactly what ``BlockPublicPolicy`` refuses (§3.11)."""
    for ref, secret, policy in _secret_policies(world):
        for s in public_statements(policy):
            yield finding(
                world,
                FindingCode.PUBLIC_SECRET_POLICY,
                ref,
                f"{s.label} allows any principal ({actions(s)}) on {secret.name} without a "
                "condition pinning the account, organization, principal or network",
                "name the principals, or add a condition on aws:PrincipalOrgID, aws:PrincipalAccount "
                "or aws:PrincipalArn",
                within=statement_path(policy, s),
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
    policy cannot be edited, so another account can never read or write such a secret (§9.6). When
    every principal of another account the grant names already reads the secret by assuming a role
    of its account, the grant is dead weight: the hint is to stop granting those actions to them,
    not to re-encrypt the secret."""
    for ref, secret, policy in _secret_policies(world):
        key = world.secret_key(secret)
        if not key.aws_managed:
            continue
        for s, outsiders in cross_account_allows(policy, secret.account):
            needs_kms = [a for a in _NEEDS_KMS if s.action.matches(a.lower())]
            if not needs_kms:
                continue
            message = (
                f"{s.label} grants {', '.join(outsiders)} {', '.join(needs_kms)} on {secret.name}, "
                f"but the secret is encrypted with aws/secretsmanager ({key.arn}), whose key policy "
                f"allows only callers of account {key.account}: the KMS step always fails"
            )
            hint = (
                "re-encrypt the secret with a customer managed key (UpdateSecret KmsKeyId) whose key "
                "policy allows kms:Decrypt to that principal, and allow kms:Decrypt on the key's ARN "
                "in the principal's identity policy"
            )
            via = _role_read_by(world, s, secret)
            if via:
                roles = ", ".join(sorted({role for _, role in via}))
                message += "; " + "; ".join(f"{who} already reads it by assuming {role}" for who, role in via)
                dead = ", ".join(needs_kms)
                others = (
                    ""
                    if _only(s, needs_kms)
                    else " (the other actions it grants them need no KMS key and work)"
                )
                hint = (
                    f"stop granting {dead} to the principals of other accounts in {s.label} of the secret "
                    f"policy of {secret.name}{others}: that grant can never work, and their read through "
                    f"{roles} is a same-account request that needs no secret policy"
                )
            yield finding(
                world,
                FindingCode.CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY,
                ref,
                message,
                hint,
                within=statement_path(policy, s),
            )


def _role_read_by(world: World, statement: Statement, secret: Secret) -> list[tuple[str, str]]:
    """(principal, role) for each role or user of another account the statement names, when every one may
    assume a role of the secret's account that may read the secret; [] otherwise (an account or
    "*" is named, or one of them has no such way)."""
    p = allowed(statement)
    if p is None or p.wildcard or p.accounts or p.sessions or p.federated_users:
        return []
    callers = [(f"arn:aws:iam::{a}:role/{n}", _session(a, n)) for a, n in p.roles if a != secret.account]
    callers += [(arn, arn) for arn in p.users if account_of(arn) != secret.account]
    roles = [r for r in world.roles if r.account == secret.account and not r.service_linked]
    out: list[tuple[str, str]] = []
    for shown, caller in sorted(callers):
        role = next((r.arn for r in roles if _reads_via(world, caller, r.arn, secret.arn)), None)
        if role is None:
            return []
        out.append((shown, role))
    return out


def _only(statement: Statement, granted: list[str]) -> bool:
    """Whether the statement grants nothing but ``granted`` (its patterns match no other action)."""
    if statement.action.negated:
        return False
    wanted = {a.lower() for a in granted}
    return all(p.lower() in wanted for p in statement.action.patterns)


def _session(account: str, role_name: str) -> str:
    return f"arn:aws:sts::{account}:assumed-role/{role_name}/session"


def _reads_via(world: World, caller: str, role: str, secret: str) -> bool:
    """Whether ``caller`` may assume ``role`` and a session of it may read ``secret``."""
    session = _session(role.split(":")[4], role.rsplit("/", 1)[1])
    try:
        assume = authorize(world, {"principal": caller, "action": "sts:AssumeRole", "resource": role})
        read = {"principal": session, "action": "secretsmanager:GetSecretValue", "resource": secret}
        return assume.allowed and authorize(world, read).allowed
    except ScenarioError:
        return False  # a principal the world does not hold: no way known


def cross_account_put_resource_policy(world: World) -> Iterator[Finding]:
    """Whoever may call PutResourcePolicy may replace the policy and grant itself anything (§10.7)."""
    for ref, secret, policy in _secret_policies(world):
        for s, outsiders in cross_account_allows(policy, secret.account):
            if s.action.matches("secretsmanager:putresourcepolicy"):
                yield finding(
                    world,
                    FindingCode.CROSS_ACCOUNT_PUT_RESOURCE_POLICY,
                    ref,
                    f"{s.label} grants secretsmanager:PutResourcePolicy (through {actions(s)}) on "
                    f"{secret.name} to {', '.join(outsiders)}, outside account {secret.account}: "
                    "they can rewrite the policy and grant themselves anything",
                    "grant other accounts only the actions they need (for example "
                    "secretsmanager:GetSecretValue); keep policy management in the owner account",
                    within=statement_path(policy, s),
                )


def _secret_policies(world: World) -> Iterator[tuple[PolicyRef, Secret, Policy]]:
    """Each secret policy AWS would store, with its secret."""
    for ref, policy in valid_policies(world, Slot.SECRET):
        secret = world.secret(ref.holder)
        if secret is not None:  # always: the reference comes from the world
            yield ref, secret, policy


def key_policies_locking_out_account(world: World) -> Iterator[Finding]:
    """A customer managed key whose policy neither delegates to the owner account (the "Enable IAM
    policies" statement, §9.2) nor names any of its principals: IAM policies of the account have
    no effect on the key, and nobody there can manage it without AWS Support (§9.1)."""
    for ref, policy in valid_policies(world, Slot.KEY):
        key = world.key(ref.holder)
        if key is None or key.aws_managed or _admits_owner(policy, key.account):
            continue
        yield finding(
            world,
            FindingCode.KEY_POLICY_LOCKS_OUT_ACCOUNT,
            ref,
            f"the key policy of {key.label} allows neither arn:aws:iam::{key.account}:root nor any "
            f"principal of account {key.account}: IAM policies there cannot grant use of the key, and "
            "nobody in the account can change its policy",
            f'add the "Enable IAM User Permissions" statement: Allow arn:aws:iam::{key.account}:root '
            'kms:* on "*" (the default key policy)',
        )


def _admits_owner(policy: Policy, owner: str) -> bool:
    for s in policy.statements:
        p = allowed(s)
        if p is not None and (p.wildcard or any(account == owner for _, account in named(p))):
            return True
    return False
