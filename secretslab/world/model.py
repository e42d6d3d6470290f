"""The world of a scenario (semantics §1.1): accounts and their organization, users, groups,
roles and sessions, secrets and KMS keys, each policy parsed for its kind. Reading is strict —
unknown keys and broken references are reported with their JSON path, all at once — except that
an invalid *policy* is kept, marked invalid, so evaluation can explain that AWS would not have it
(§3.4). The world also answers which policies apply to a principal or a resource: identity
policies (user + groups, or the role's), boundary, session policies, the resource's policy, and
the SCP and RCP levels of the organization (§8.1, §8.3, §8.4).

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html,
https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html (the AWS
managed key's policy, §9.6)
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..arn import Arn
from ..evaluation.principals import Principal, PrincipalType
from ..evaluation.request import Attached, Level
from ..policy.model import Policy, PolicyKind
from ..policy.parsing import read_policy
from ..problems import PathPart, Problem, ScenarioError

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


@dataclass(frozen=True, slots=True, eq=False)
class World:
    accounts: tuple[Account, ...] = ()
    organization: Organization | None = None
    users: tuple[User, ...] = ()
    groups: tuple[Group, ...] = ()
    roles: tuple[Role, ...] = ()
    sessions: tuple[Session, ...] = ()
    secrets: tuple[Secret, ...] = ()
    keys: tuple[Key, ...] = ()
    description: str | None = None
    gaps: tuple[Gap, ...] = ()  # what an import could not read
    _index: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        idx = self._index
        idx["account"] = {a.id: a for a in self.accounts}
        idx["user"] = {u.arn: u for u in self.users}
        idx["group"] = {g.arn: g for g in self.groups}
        idx["role"] = {r.arn: r for r in self.roles}
        idx["role_name"] = {(r.account, r.name): r for r in self.roles}
        idx["session"] = {s.arn: s for s in self.sessions}
        idx["secret"] = {s.arn: s for s in self.secrets}
        idx["key"] = {k.arn: k for k in self.keys}
        idx["alias"] = {
            (k.account, k.region, a.removeprefix("alias/")): k for k in self.keys for a in k.aliases
        }
        idx["principal"] = {}

    # -- reading (§1.1)

    @classmethod
    def from_dict(cls, data: Any, *, source: str | None = None) -> World:
        """The world; raises ``ScenarioError`` listing every schema problem with its JSON path.
        Invalid policies do not raise: they are kept and reported by ``World.problems``."""
        from .reader import read_world

        return read_world(data, source=source)

    def to_dict(self) -> dict[str, Any]:
        from .reader import world_to_dict

        return world_to_dict(self)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every problem of every policy in the world, located by its JSON path."""
        from .reader import policy_problems

        return policy_problems(self)

    def gaps_for(self, refs: Iterable[str]) -> tuple[Gap, ...]:
        """The gaps that concern any of ``refs`` (ARNs or account ids)."""
        wanted = set(refs)
        return tuple(g for g in self.gaps if g.resource in wanted)

    # -- lookups

    def account(self, account_id: str) -> Account:
        found: Account | None = self._index["account"].get(account_id)
        return found or Account(account_id)

    def user(self, arn: str) -> User | None:
        return self._index["user"].get(arn)  # type: ignore[no-any-return]

    def group(self, arn: str) -> Group | None:
        return self._index["group"].get(arn)  # type: ignore[no-any-return]

    def role(self, arn: str) -> Role | None:
        """The role by ARN; a path-less ARN finds a role with a path (names are unique)."""
        found: Role | None = self._index["role"].get(arn)
        if found is None:
            parsed = Arn.parse(arn)
            if parsed and parsed.resource_type == "role":
                found = self._index["role_name"].get((parsed.account, parsed.name))
        return found

    def session(self, arn: str) -> Session | None:
        return self._index["session"].get(arn)  # type: ignore[no-any-return]

    def secret(self, ref: str, *, account: str | None = None) -> Secret | None:
        """A secret by ARN, or by name in ``account`` (a bare name resolves in the caller's account)."""
        found: Secret | None = self._index["secret"].get(ref)
        if found is None and not ref.startswith("arn:"):
            found = next(
                (s for s in self.secrets if s.name == ref and (account is None or s.account == account)),
                None,
            )
        return found

    def key(self, ref: str, *, account: str | None = None, region: str | None = None) -> Key | None:
        """A key by key ARN, alias ARN, alias name or key id."""
        found: Key | None = self._index["key"].get(ref)
        if found is not None:
            return found
        arn = Arn.parse(ref)
        if arn and arn.service == "kms" and arn.resource_type == "alias":
            return self._index["alias"].get((arn.account, arn.region, arn.resource_id))  # type: ignore[no-any-return]
        if ref.startswith("alias/") and account and region:
            return self._index["alias"].get((account, region, ref.removeprefix("alias/")))  # type: ignore[no-any-return]
        return next((k for k in self.keys if k.arn.endswith("/" + ref)), None)

    def aws_managed_key(self, account: str, region: str) -> Key:
        """``aws/secretsmanager`` of an account and Region, as listed or as AWS would create it."""
        found = self._index["alias"].get((account, region, "aws/secretsmanager"))
        if found is not None:
            return found  # type: ignore[no-any-return]
        arn = f"arn:aws:kms:{region}:{account}:key/aws-secretsmanager-{account}-{region}"
        policy = read_policy(aws_managed_key_policy(account, region), PolicyKind.KEY)
        return Key(arn, account, region, "AWS", ("alias/aws/secretsmanager",), (), policy)

    def secret_key(self, secret: Secret) -> Key:
        if secret.kms_key:
            found = self.key(secret.kms_key, account=secret.account, region=secret.region)
            if found is not None:
                return found
        return self.aws_managed_key(secret.account, secret.region)

    # -- principals and their policies (§8.1)

    def principal(self, arn: str) -> Principal:
        """The principal with what the world knows of it (tags, ids, organization, boundary)."""
        cache: dict[str, Principal] = self._index["principal"]
        found = cache.get(arn)
        if found is None:
            found = self._principal(arn)
            cache[arn] = found
        return found

    def _principal(self, arn: str) -> Principal:
        base = Principal.from_arn(arn)
        if base is None:
            raise ScenarioError(
                [
                    Problem(
                        "INVALID_FIELD",
                        f"{arn!r} is not a principal that signs "
                        "requests (root, user, assumed-role or federated-user ARN)",
                        ("principal",),
                    )
                ],
                what="request",
            )
        account = self.account(base.account)
        org = self.organization
        org_id = account.org_id or (org.id if org and base.account == org.management_account else None)
        org_path = account.org_path or ((org.root_id,) if org and org_id == org.id else ())
        base = base.with_(org_id=org_id, org_path=org_path)
        if base.type is PrincipalType.USER:
            user = self.user(arn)
            if user is None:
                return base.with_(notes=(*base.notes, f"{arn} is not in the world: no policies"))
            return base.with_(
                unique_id=user.user_id,
                tags=user.tags,
                has_boundary=user.permissions_boundary is not None,
            )
        if base.type is PrincipalType.SESSION:
            return self._session_principal(base)
        if base.type is PrincipalType.FEDERATED:
            session = self.session(arn)
            if session and session.source_principal:
                user = self.user(session.source_principal)
                tags = overlay_tags(user.tags if user else (), session.session_tags)
                return base.with_(
                    source_user=session.source_principal,
                    tags=tags,
                    has_boundary=bool(user and user.permissions_boundary),
                )
        return base

    def _session_principal(self, base: Principal) -> Principal:
        role = self.role(base.role_arn or "")
        if role is None:
            return base.with_(notes=(*base.notes, f"role {base.role_arn} is not in the world: no policies"))
        session = self.session(base.arn)
        tags = overlay_tags(role.tags, session.session_tags if session else ())
        return base.with_(
            role_arn=role.arn,
            unique_id=role.role_id,
            tags=tags,
            has_boundary=role.permissions_boundary is not None,
            service_linked=role.service_linked,
        )

    def identity_policies(self, principal: Principal) -> tuple[Attached, ...]:
        """User policies plus its groups' policies; a session has its role's (§1.1)."""
        if principal.type is PrincipalType.USER:
            user = self.user(principal.arn)
            if user is None:
                return ()
            own = [
                Attached(_label("identity policy", i, len(user.policies), f"user {user.name}"), p)
                for i, p in enumerate(user.policies)
            ]
            for group_arn in user.groups:
                group = self.group(group_arn)
                if group is not None:
                    own += [
                        Attached(
                            _label("identity policy", i, len(group.policies), f"group {group.name}"),
                            p,
                        )
                        for i, p in enumerate(group.policies)
                    ]
            return tuple(own)
        if principal.type is PrincipalType.FEDERATED and principal.source_user:
            return self.identity_policies(self.principal(principal.source_user))
        role = self.role(principal.role_arn or "") if principal.type is PrincipalType.SESSION else None
        if role is None:
            return ()
        return tuple(
            Attached(_label("identity policy", i, len(role.policies), f"role {role.name}"), p)
            for i, p in enumerate(role.policies)
        )

    def boundary(self, principal: Principal) -> Attached | None:
        if principal.type is PrincipalType.FEDERATED and principal.source_user:
            user = self.user(principal.source_user)
            if user and user.permissions_boundary:
                return Attached(f"permissions boundary of user {user.name}", user.permissions_boundary)
        if principal.type is PrincipalType.USER:
            user = self.user(principal.arn)
            if user and user.permissions_boundary:
                return Attached(f"permissions boundary of user {user.name}", user.permissions_boundary)
        if principal.type is PrincipalType.SESSION:
            role = self.role(principal.role_arn or "")
            if role and role.permissions_boundary:
                return Attached(f"permissions boundary of role {role.name}", role.permissions_boundary)
        return None

    def session_policies(self, principal: Principal) -> tuple[Attached, ...]:
        session = self.session(principal.arn)
        if session is None:
            return ()
        return tuple(
            Attached(
                _label(
                    "session policy",
                    i,
                    len(session.session_policies),
                    f"session {session.session_name}",
                ),
                p,
            )
            for i, p in enumerate(session.session_policies)
        )

    # -- organization (§8.3, §8.4)

    def scp_levels(self, account_id: str) -> tuple[Level, ...] | None:
        """The SCP gate for principals of ``account_id``; None when no SCP applies to them."""
        cache: dict[str, tuple[Level, ...] | None] = self._index.setdefault("scp_levels", {})
        if account_id not in cache:
            cache[account_id] = self._scp_levels(account_id)
        return cache[account_id]

    def _scp_levels(self, account_id: str) -> tuple[Level, ...] | None:
        org = self.organization
        account = self.account(account_id)
        if org is None or not org.scp_enabled or account.org_id != org.id:
            return None
        if account_id == org.management_account:
            return None  # SCPs never restrict the management account
        return self._levels(account, org.scps, org.full_aws_access_detached_from, "SCP")

    def rcp_levels(self, account_id: str) -> tuple[Level, ...] | None:
        """Custom RCPs that can deny on resources of ``account_id``; None when none apply."""
        cache: dict[str, tuple[Level, ...] | None] = self._index.setdefault("rcp_levels", {})
        if account_id not in cache:
            cache[account_id] = self._rcp_levels(account_id)
        return cache[account_id]

    def _rcp_levels(self, account_id: str) -> tuple[Level, ...] | None:
        org = self.organization
        account = self.account(account_id)
        if org is None or not org.rcp_enabled or account.org_id != org.id:
            return None
        if account_id == org.management_account:
            return None  # RCPs never restrict the management account's resources
        return self._levels(account, org.rcps, None, "RCP")

    def _levels(
        self,
        account: Account,
        policies: tuple[OrgPolicy, ...],
        detached: frozenset[str] | None,
        kind: str,
    ) -> tuple[Level, ...]:
        org = self.organization
        assert org is not None
        nodes = (*(account.org_path or (org.root_id,)), account.id)
        levels = []
        for node in nodes:
            attached = []
            if detached is not None and node not in detached:
                attached.append(Attached(f"SCP FullAWSAccess at {node}", _full_access()))
            attached += [
                Attached(f"{kind} {p.name} at {node}", p.policy) for p in policies if p.attached_to == node
            ]
            levels.append(Level(node, tuple(attached)))
        return tuple(levels)


_FULL_ACCESS: list[Policy] = []


def _full_access() -> Policy:
    if not _FULL_ACCESS:
        _FULL_ACCESS.append(read_policy(copy.deepcopy(FULL_AWS_ACCESS), PolicyKind.SCP))
    return _FULL_ACCESS[0]


def overlay_tags(tags: Tags, overrides: Tags) -> Tags:
    """``tags`` with ``overrides`` on top, keys compared case-insensitively (§11.3)."""
    out = dict(tags)
    lowered = {k.lower(): k for k in out}
    for key, value in overrides:
        out.pop(lowered.get(key.lower(), key), None)
        out[key] = value
    return tuple(out.items())


def _label(what: str, index: int, count: int, owner: str) -> str:
    return f"{what} of {owner}" if count == 1 else f"{what} {index + 1} of {owner}"
