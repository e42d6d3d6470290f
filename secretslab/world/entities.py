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

from ..evaluation.kms_grants import KmsGrant
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
    """An AWS account: its 12-digit id, its name, its organization and OU path (root id first)
    when it is in one, and its role trust policy quota when raised above the default 2,048
    (``role_trust_policy_length``, semantics §3.13)."""

    id: str
    name: str | None = None
    org_id: str | None = None
    org_path: tuple[str, ...] = ()
    role_trust_policy_length: int | None = None


@dataclass(frozen=True, slots=True)
class OrgPolicy:
    """An SCP or RCP of the organization: its name, the node it is attached to (root, OU or account
    id) and its policy."""

    name: str
    attached_to: str
    policy: Policy


@dataclass(frozen=True, slots=True)
class Organization:
    """The organization of the world's accounts: its id, root id and management account (which SCPs
    and RCPs never restrict), whether SCPs and RCPs are enabled, the nodes FullAWSAccess is
    detached from, and its custom SCPs and RCPs."""

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
    """An IAM user: its ARN and unique id, tags, the ARNs of its groups, its identity policies and
    permissions boundary."""

    arn: str
    user_id: str | None = None
    tags: Tags = ()
    groups: tuple[str, ...] = ()
    policies: tuple[Policy, ...] = ()
    permissions_boundary: Policy | None = None

    @property
    def name(self) -> str:
        """The user's name (the ARN's last path element)."""
        return self.arn.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class Group:
    """An IAM group: its ARN and its identity policies (which apply to its users)."""

    arn: str
    policies: tuple[Policy, ...] = ()

    @property
    def name(self) -> str:
        """The group's name (the ARN's last path element)."""
        return self.arn.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class Role:
    """An IAM role: its ARN and unique id, tags, trust policy, identity policies and permissions
    boundary, and whether it is service-linked."""

    arn: str
    role_id: str | None = None
    tags: Tags = ()
    trust_policy: Policy | None = None
    policies: tuple[Policy, ...] = ()
    permissions_boundary: Policy | None = None
    service_linked: bool = False

    @property
    def name(self) -> str:
        """The role's name (the ARN's last path element)."""
        return self.arn.rsplit("/", 1)[-1]

    @property
    def account(self) -> str:
        """The id of the account the role belongs to."""
        return self.arn.split(":")[4]


@dataclass(frozen=True, slots=True)
class Session:
    """A role session or federated-user session that signs requests: its ARN, the role's ARN (``""``
    for a federated user), its name, session policies and tags, and for a federated user the IAM
    user that federated."""

    arn: str
    role: str
    session_name: str
    session_policies: tuple[Policy, ...] = ()
    session_tags: Tags = ()
    source_principal: str | None = None


@dataclass(frozen=True, slots=True)
class Secret:
    """A Secrets Manager secret: ARN, name, account, Region, the KMS key it names (None:
    ``aws/secretsmanager``), tags, version stages and its resource policy. Never its value."""

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
    """A KMS key: ARN, account, Region, who manages it (``CUSTOMER`` or ``AWS``), aliases, tags, key
    policy and grants (in ListGrants's shape, evaluated with the key policy, §9.10)."""

    arn: str
    account: str
    region: str
    manager: str = "CUSTOMER"  # "AWS" for AWS managed keys
    aliases: tuple[str, ...] = ()
    tags: Tags = ()
    key_policy: Policy | None = None
    grants: tuple[KmsGrant, ...] = ()  # a third way to be allowed to use the key (§9.10)

    @property
    def has_grants(self) -> bool:
        """Whether the key has grants (§9.10)."""
        return bool(self.grants)

    @property
    def aws_managed(self) -> bool:
        """Whether AWS manages the key (``aws/secretsmanager``): its key policy is AWS's and cannot be
        changed."""
        return self.manager == "AWS"

    @property
    def label(self) -> str:
        """How explanations name the key: its first alias, else its key id."""
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
