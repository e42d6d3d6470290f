"""What the importer may call, enforced on every call.

``READ_OPERATIONS`` is the allow-list of AWS API operations the importer (``importer.py``) may
make, as ``service:OperationName`` with the service's signing name. ``guard(client)`` registers a
botocore event hook that checks every operation a client is asked to make against that list and
raises ``ForbiddenOperation`` *before* the parameters are built and anything is signed or sent;
it also records every operation asked for, in order, so a test can prove what an import did.
``importer_policy()`` is the least-privilege IAM policy the importer needs: Allow exactly the IAM
actions behind ``READ_OPERATIONS`` and an explicit Deny on the two actions that read a secret's
value, so the policy stays safe even when attached next to broader ones.

Why each operation is needed:

* IAM ``GetAccountAuthorizationDetails`` — users, groups, roles, their inline and managed policies,
  boundaries, tags and trust policies in one paginated call; ``GetPolicy``/``GetPolicyVersion`` —
  only for a managed policy attached to someone but missing from that answer;
  ``ListAccountAliases`` — an account's name when Organizations does not give one.
* Secrets Manager ``ListSecrets``, ``DescribeSecret`` (KMS key, tags, version stages — ListSecrets
  is eventually consistent, DescribeSecret is the authoritative answer), ``GetResourcePolicy``.
  Never ``GetSecretValue`` or ``BatchGetSecretValue``: the importer does not read values.
* KMS ``ListKeys``, ``DescribeKey`` (manager AWS/CUSTOMER), ``GetKeyPolicy``, ``ListAliases``,
  ``ListResourceTags``, ``ListGrants`` (grants are a third way to be allowed to use a key; the
  world keeps them, §9.10).
* STS ``GetCallerIdentity`` (which account a session is in) and ``AssumeRole``: AssumeRole is how
  one session reaches the other accounts of an import (``role_arns=``). It creates no resource and
  changes no configuration; it only returns temporary credentials for the role, which then are
  themselves limited by this same allow-list (every client the importer makes is guarded) and by
  the role's policies. The credentials are held in memory for the import and never stored.
* Organizations ``DescribeOrganization``, ``ListRoots``, ``ListOrganizationalUnitsForParent``,
  ``ListAccountsForParent``, ``ListAccounts``, ``ListPolicies``, ``DescribePolicy``,
  ``ListTargetsForPolicy`` — the tree, the SCPs and RCPs and where they are attached.

AWS pages: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html,
https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ListSecrets.html,
https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html,
https://boto3.amazonaws.com/v1/documentation/api/latest/guide/events.html
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = [
    "FORBIDDEN_ACTIONS",
    "READ_OPERATIONS",
    "ForbiddenOperation",
    "guard",
    "guard_session",
    "iam_action",
    "importer_policy",
]

READ_OPERATIONS: frozenset[str] = frozenset(
    {
        # IAM (global)
        "iam:GetAccountAuthorizationDetails",
        "iam:GetPolicy",
        "iam:GetPolicyVersion",
        "iam:ListAccountAliases",
        # Secrets Manager (never GetSecretValue / BatchGetSecretValue)
        "secretsmanager:ListSecrets",
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetResourcePolicy",
        # KMS
        "kms:ListKeys",
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:ListAliases",
        "kms:ListResourceTags",
        "kms:ListGrants",
        # STS: who am I, and reaching the other accounts of an import (see the module docstring)
        "sts:GetCallerIdentity",
        "sts:AssumeRole",
        # Organizations
        "organizations:DescribeOrganization",
        "organizations:ListRoots",
        "organizations:ListOrganizationalUnitsForParent",
        "organizations:ListAccountsForParent",
        "organizations:ListAccounts",
        "organizations:ListPolicies",
        "organizations:DescribePolicy",
        "organizations:ListTargetsForPolicy",
    }
)

#: actions the importer's policy denies explicitly: they return a secret's value
FORBIDDEN_ACTIONS: tuple[str, ...] = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:BatchGetSecretValue",
)

# Where an action acts on a resource type, the policy names that type instead of "*".
_RESOURCES: dict[str, str] = {
    "iam:GetPolicy": "arn:aws:iam::*:policy/*",
    "iam:GetPolicyVersion": "arn:aws:iam::*:policy/*",
    "secretsmanager:DescribeSecret": "arn:aws:secretsmanager:*:*:secret:*",
    "secretsmanager:GetResourcePolicy": "arn:aws:secretsmanager:*:*:secret:*",
    "kms:DescribeKey": "arn:aws:kms:*:*:key/*",
    "kms:GetKeyPolicy": "arn:aws:kms:*:*:key/*",
    "kms:ListResourceTags": "arn:aws:kms:*:*:key/*",
    "kms:ListGrants": "arn:aws:kms:*:*:key/*",
    "sts:AssumeRole": "arn:aws:iam::*:role/*",
}
_SIDS: dict[str, str] = {
    "*": "ReadWithoutResourceType",
    "arn:aws:iam::*:policy/*": "ReadManagedPolicies",
    "arn:aws:secretsmanager:*:*:secret:*": "DescribeSecretsNotValues",
    "arn:aws:kms:*:*:key/*": "DescribeKeys",
    "arn:aws:iam::*:role/*": "AssumeImportRoles",
}


class ForbiddenOperation(Exception):
    """The importer asked a client for an operation outside ``READ_OPERATIONS``; nothing was sent."""

    def __init__(self, operation: str) -> None:
        super().__init__(
            f"{operation} is not a read operation the importer may call "
            "(secretslab.aws.readonly.READ_OPERATIONS); the request was not sent"
        )
        self.operation = operation


def iam_action(operation: str) -> str:
    """The IAM action that authorizes ``operation`` (``service:OperationName``). For every
    operation in ``READ_OPERATIONS`` the action has the operation's name."""
    return operation


def guard(
    client: Any, operations: list[str] | None = None, *, allowed: Iterable[str] = READ_OPERATIONS
) -> list[str]:
    """Refuse, on ``client``, every operation not in ``allowed``; return the list into which every
    operation asked of the client is appended (``operations`` if given, so several clients can
    share one record). The check runs on botocore's ``provide-client-params`` event, the first
    one of a call: before parameter validation, signing and sending."""
    record: list[str] = [] if operations is None else operations
    _register(client.meta.events, record, frozenset(allowed))
    return record


def guard_session(
    session: Any, operations: list[str], *, allowed: Iterable[str] = READ_OPERATIONS
) -> Callable[[], None]:
    """``guard`` every client ``session`` (a boto3 session) makes from now on — the clients
    botocore makes for itself included, such as the STS client of the credential provider that
    calls ``sts:AssumeRole`` for a role profile — recording into ``operations``. Returns the
    function that removes the guard from the session (clients already made keep theirs)."""
    events = session.events
    unique_id = _register(events, operations, frozenset(allowed))

    def remove() -> None:
        events.unregister("provide-client-params", unique_id=unique_id)

    return remove


def _register(events: Any, record: list[str], allow: frozenset[str]) -> str:
    """Register the check on an event emitter. The unique id is the record's: a client made by a
    guarded session carries a copy of the session's check, and guarding it again for the same
    record is then a no-op instead of a second entry per call."""

    def check(model: Any, **_: Any) -> None:
        operation = f"{model.service_model.signing_name}:{model.name}"
        record.append(operation)
        if operation not in allow:
            raise ForbiddenOperation(operation)

    unique_id = f"secretslab-guard-{id(record)}"
    events.register("provide-client-params", check, unique_id=unique_id)
    return unique_id


def importer_policy(*, role_arns: Iterable[str] = ()) -> dict[str, Any]:
    """The least-privilege identity policy the importer needs: every IAM action behind
    ``READ_OPERATIONS`` (scoped to its resource type where it has one; ``sts:AssumeRole`` to
    ``role_arns`` when given) and an explicit Deny on reading secret values."""
    roles = sorted(set(role_arns))
    grouped: dict[str, list[str]] = {}
    for operation in sorted(READ_OPERATIONS):
        action = iam_action(operation)
        grouped.setdefault(_RESOURCES.get(action, "*"), []).append(action)
    statements: list[dict[str, Any]] = []
    for resource, actions in grouped.items():
        resources: str | list[str] = resource
        if resource == _RESOURCES["sts:AssumeRole"] and roles:
            resources = roles[0] if len(roles) == 1 else roles
        statements.append(
            {"Sid": _SIDS[resource], "Effect": "Allow", "Action": actions, "Resource": resources}
        )
    statements.append(
        {"Sid": "NeverReadSecretValues", "Effect": "Deny", "Action": list(FORBIDDEN_ACTIONS), "Resource": "*"}
    )
    return {"Version": "2012-10-17", "Statement": statements}
