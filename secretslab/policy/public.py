"""Broad access: the test ``BlockPublicPolicy`` applies to a secret policy (and that a key policy
open to every principal gets too) — an Allow statement open to any principal without a condition
pinning the account, organization, principal or network (semantics §3.11) — and the lint
warning it gives.

AWS pages: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html,
https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html
"""

from __future__ import annotations

from collections.abc import Iterable

from ..problems import Problem, ProblemCode
from .model import Condition, Effect, Policy, PolicyKind, Statement
from .wildcards import has_wildcard

_PINNING_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:PrincipalAccount",
        "aws:PrincipalOrgID",
        "aws:PrincipalArn",
        "aws:SourceVpce",
        "aws:SourceVpc",
        "aws:SourceAccount",
        "aws:SourceArn",
    )
)
_PINNING_OPERATORS = frozenset(
    {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"}
)


def public_statements(policy: Policy) -> tuple[Statement, ...]:
    """Allow statements open to any principal without a condition pinning who or where (§3.11;
    in a key policy ``kms:CallerAccount`` also pins, as the AWS managed key's policy does)."""
    keys = _PINNING_KEYS | {"kms:calleraccount"} if policy.kind is PolicyKind.KEY else _PINNING_KEYS
    return tuple(s for s in policy.statements if _is_public(s, keys))


def _is_public(statement: Statement, keys: frozenset[str]) -> bool:
    if statement.effect is not Effect.ALLOW or statement.principal is None:
        return False
    if not statement.principal.wildcard:
        return False
    return not any(_pins(c, keys) for c in statement.conditions)


def _pins(condition: Condition, keys: frozenset[str]) -> bool:
    op = condition.operator
    if condition.key_lower not in keys or op.base not in _PINNING_OPERATORS:
        return False
    if op.if_exists or op.qualifier == "ForAllValues":
        return False
    fixed = all(t is None for t in condition.templates)  # a policy variable is not a fixed value
    return fixed and all(not has_wildcard(v) for v in condition.values)


def public_problems(policy: Policy) -> Iterable[Problem]:
    """A PUBLIC_POLICY warning for each broad Allow of a secret or key policy."""
    if policy.kind not in (PolicyKind.RESOURCE, PolicyKind.KEY):
        return ()
    return tuple(
        Problem(
            ProblemCode.PUBLIC_POLICY,
            f"{s.label} allows any principal ({_actions(s)}) without a condition pinning the "
            "account, organization, principal or network",
            ("Statement", s.index),
            hint="add a condition on aws:PrincipalOrgID, aws:PrincipalAccount or aws:PrincipalArn",
        )
        for s in public_statements(policy)
    )


def _actions(statement: Statement) -> str:
    prefix = "NotAction " if statement.action.negated else ""
    return prefix + ", ".join(statement.action.patterns)
