"""The limits of semantics §3.13 that depend on where a policy or a name sits in a world: the size
quota of a role's trust policy (2,048 by default, raised for an account by its
``role_trust_policy_length``), of a role's identity policies (inline up to the role's aggregate),
the aggregate of a role's inline policies, and the names of users, groups, roles and sessions in
their ARNs.

Inline or managed: the world format flattens a holder's inline and managed policies into one
``policies`` list (§1.1), so which ones are inline is not recorded. What can be inferred is used,
and nothing more: an identity policy larger than a managed policy may be (6,144 non-whitespace
characters) can only be inline. A user's or group's policy that large is refused outright (their
inline quotas, 2,048 and 5,120, are smaller than 6,144), and a role's policies that large must
together fit the role's inline quota, 10,240. Policies that could be managed are not summed.

AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..arn import Arn
from ..limits import (
    IAM_QUOTAS,
    INLINE_AGGREGATE,
    MANAGED_POLICY_CHARS,
    TRUST_POLICY_CHARS,
    TRUST_POLICY_CHARS_MAX,
    Count,
    SizeLimit,
)
from ..names import alias_problem, arn_name_problems, secret_name_problem, session_name_problem
from ..policy.model import Policy
from ..policy.quotas import document_text, measure
from ..problems import PathPart, Problem, ProblemCode

Path = tuple[PathPart, ...]


def trust_policy_size(quota: int | None) -> SizeLimit | None:
    """The size limit of a trust policy in an account whose ``role_trust_policy_length`` is
    ``quota`` (None: the default, 2,048)."""
    if quota is None or quota == TRUST_POLICY_CHARS:
        return None
    return SizeLimit(
        quota, Count.NON_WHITESPACE, "a role trust policy (the account's raised quota)", IAM_QUOTAS
    )


def trust_quota_problem(value: Any) -> str | None:
    """What is wrong with ``value`` as an account's ``role_trust_policy_length``, or None."""
    if type(value) is not int or not TRUST_POLICY_CHARS <= value <= TRUST_POLICY_CHARS_MAX:
        return (
            f"role_trust_policy_length is a whole number from {TRUST_POLICY_CHARS:,} (the default) "
            f"to {TRUST_POLICY_CHARS_MAX:,} (the most it can be raised to), found {str(value)[:40]} "
            f"({IAM_QUOTAS})"
        )
    return None


def inline_problems(roles: Iterable[Any]) -> Iterator[Problem]:
    """A problem at a role's ``policies`` when its policies that can only be inline (each larger
    than a managed policy) together exceed the role's inline quota."""
    limit = INLINE_AGGREGATE["role"]
    for i, role in enumerate(roles):
        sizes = [s for s in (_size(p) for p in role.policies) if s > MANAGED_POLICY_CHARS]
        if sum(sizes) > limit.limit:
            yield Problem(
                ProblemCode.INLINE_POLICIES_TOO_LARGE,
                f"{len(sizes)} policies larger than a managed policy may be "
                f"({MANAGED_POLICY_CHARS:,}) must be inline, and together have {sum(sizes):,} "
                f"{limit.count.value}; {limit.what} may have at most {limit.limit:,} ({limit.page})",
                ("principals", "roles", i, "policies"),
            )


def _size(policy: Policy) -> int:
    text = policy.source if isinstance(policy.source, str) else document_text(policy.source)
    return measure(text, Count.NON_WHITESPACE) if text is not None else 0


def name_problems(
    users: Iterable[Any], groups: Iterable[Any], roles: Iterable[Any], sessions: Iterable[Any]
) -> Iterator[Problem]:
    """Names AWS would refuse: of users, groups and roles (and their paths) in their ARNs, and of
    role sessions (in the ARN and ``session_name``), located in the world format."""
    listed = (("users", users), ("groups", groups), ("roles", roles), ("sessions", sessions))
    for where, entities in listed:
        for i, entity in enumerate(entities):
            arn = Arn.parse(entity.arn)
            if arn is None:
                continue
            at: Path = ("principals", where, i)
            in_arn = arn_name_problems(arn)
            for message in in_arn:
                yield Problem(ProblemCode.INVALID_NAME, message, (*at, "arn"))
            if where == "sessions" and arn.resource_type == "assumed-role" and not in_arn:
                wrong = session_name_problem(entity.session_name)
                if wrong:
                    yield Problem(ProblemCode.INVALID_NAME, wrong, (*at, "session_name"))


def resource_name_problems(
    secrets: Iterable[Any], keys: Iterable[Any], *, reserved: bool = False
) -> Iterator[Problem]:
    """Secret names and KMS aliases AWS would refuse, located in the world format; with
    ``reserved``, also an ``alias/aws/`` alias on a customer managed key (checked where a key is
    created: export; a world only reports it through a wrong ``manager``)."""
    for i, secret in enumerate(secrets):
        message = secret_name_problem(secret.name)
        if message:
            yield Problem(ProblemCode.INVALID_NAME, message, ("secrets", i, "name"))
    for i, key in enumerate(keys):
        for j, alias in enumerate(key.aliases):
            message = alias_problem(alias, key.aws_managed or not reserved)
            if message:
                yield Problem(ProblemCode.INVALID_NAME, message, ("kms_keys", i, "aliases", j))
