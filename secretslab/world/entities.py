"""The entities of a world (semantics §1.1): accounts and their organization with its SCPs and
RCPs, users, groups, roles and sessions, secrets and KMS keys, each holding its policies parsed
for their kind, and the gaps of an imported world. Frozen values; the ``World`` that holds them
is in ``model``.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/id.html,
https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html (the AWS
managed key's policy, §9.6)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..policy.model import Policy
from ..problems import PathPart

Path = tuple[PathPart, ...]
Tags = tuple[tuple[str, str], ...]

FULL_AWS_ACCESS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    name: str | None = None
    org_id: str | None = None
    org_path: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OrgPolicy:
    name: str
    attached_to: str
    policy: Policy


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    root_id: str
    management_account: str | None
    scp_enabled: bool = True
    full_aws_access_detached_from: frozenset[str] = frozenset()
    scps: tuple[OrgPolicy, ...] = ()
    rcp_enabled: bool = False
    rcps: tuple[OrgPolicy, ...] = ()


@dataclass(frozen=True, slots=True)
class User:
    arn: str
    user_id: str | None = None
    tags: Tags = ()
    groups: tuple[str, ...] = ()
    policies: tuple[Policy, ...] = ()
    permissions_boundary: Policy | None = None

    @property
    def name(self) -> str:
        return self.arn.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class Group:
    arn: str
    policies: tuple[Policy, ...] = ()

    @property
    def name(self) -> str:
        return self.arn.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class Role:
    arn: str
    role_id: str | None = None
    tags: Tags = ()
    trust_policy: Policy | None = None
    policies: tuple[Policy, ...] = ()
    permissions_boundary: Policy | None = None
    service_linked: bool = False

    @property
    def name(self) -> str:
        return self.arn.rsplit("/", 1)[-1]

    @property
    def account(self) -> str:
        return self.arn.split(":")[4]


@dataclass(frozen=True, slots=True)
class Session:
    arn: str
    role: str
    session_name: str
    session_policies: tuple[Policy, ...] = ()
    session_tags: Tags = ()
    source_principal: str | None = None


@dataclass(frozen=True, slots=True)
class Secret:
    arn: str
    name: str
    account: str
    region: str
    kms_key: str | None = None
    tags: Tags = ()
    versions: tuple[tuple[str, str], ...] = ()  # (stage, version id)
    resource_policy: Policy | None = None


@dataclass(frozen=True, slots=True)
class Key:
    arn: str
    account: str
    region: str
    manager: str = "CUSTOMER"  # "AWS" for AWS managed keys
    aliases: tuple[str, ...] = ()
    tags: Tags = ()
    key_policy: Policy | None = None
    grants: tuple[Any, ...] = ()  # accepted and kept, never evaluated (§9.10)

    @property
    def has_grants(self) -> bool:
        return bool(self.grants)

    @property
    def aws_managed(self) -> bool:
        return self.manager == "AWS"

    @property
    def label(self) -> str:
        return self.aliases[0] if self.aliases else self.arn.rsplit("/", 1)[-1]


def aws_managed_key_policy(account: str, region: str) -> dict[str, Any]:
    """The policy AWS writes on ``aws/secretsmanager`` (§9.6, as the current Secrets Manager guide
    prints it, with ``kms:Encrypt`` and a separate GenerateDataKey* statement)."""
    via = f"secretsmanager.{region}.amazonaws.com"
    return {
        "Version": "2012-10-17",
        "Id": "auto-secretsmanager-2",
        "Statement": [
            {
                "Sid": "Allow access through AWS Secrets Manager for all principals in the account "
                "that are authorized to use AWS Secrets Manager",
                "Effect": "Allow",
                "Principal": {"AWS": ["*"]},
                "Action": [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncrypt*",
                    "kms:CreateGrant",
                    "kms:DescribeKey",
                ],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:CallerAccount": account, "kms:ViaService": via}},
            },
            {
                "Sid": "Allow access through AWS Secrets Manager for all principals in the account "
                "that are authorized to use AWS Secrets Manager",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"kms:CallerAccount": account},
                    "StringLike": {"kms:ViaService": via},
                },
            },
            {
                "Sid": "Allow direct access to key metadata to the account",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
                "Resource": "*",
            },
        ],
    }


@dataclass(frozen=True, slots=True)
class Gap:
    """Something an import could not read (issue #5): decisions that depend on it are unknown."""

    resource: str  # the ARN (or account id) whose data is missing
    what: str  # e.g. "key policy of alias/prod"
    operation: str = ""  # e.g. "kms:GetKeyPolicy"
    error: str = ""  # e.g. "AccessDenied"

    def __str__(self) -> str:
        how = f" ({self.operation}: {self.error})" if self.operation or self.error else ""
        return f"{self.what} is unknown{how}"


def overlay_tags(tags: Tags, overrides: Tags) -> Tags:
    """``tags`` with ``overrides`` on top, keys compared case-insensitively (§11.3)."""
    out = dict(tags)
    lowered = {k.lower(): k for k in out}
    for key, value in overrides:
        out.pop(lowered.get(key.lower(), key), None)
        out[key] = value
    return tuple(out.items())
