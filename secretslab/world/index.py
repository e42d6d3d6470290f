"""What a world knows, looked up fast: entities by ARN, name, alias or key id, and which policies
apply to a request (semantics §8.1, §8.3, §8.4) — a principal with its tags, ids and organization,
its identity policies (a user's and its groups', or a session's role's), boundary and session
policies, each with its ``PolicyRef``, and the SCP and RCP levels over an account. Built from a
world's entities when the world is made, so no two worlds ever share one; what it remembers
(principals, attached policies, organization levels) follows from those entities alone.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from ..arn import Arn
from ..evaluation.principals import Principal, PrincipalType
from ..evaluation.request import Attached, Level
from ..policy.model import Policy, PolicyKind
from ..policy.parsing import read_policy
from ..policy.refs import PolicyRef, Slot
from ..problems import Problem, ProblemCode, ScenarioError, quoted
from .entities import (
    FULL_AWS_ACCESS,
    Account,
    Group,
    Key,
    Organization,
    OrgPolicy,
    Role,
    Secret,
    Session,
    User,
    aws_managed_key_policy,
    overlay_tags,
)


class Index:
    """Lookups over one world's entities (never shared between worlds, never edited from outside)."""

    def __init__(
        self,
        accounts: Sequence[Account],
        organization: Organization | None,
        users: Sequence[User],
        groups: Sequence[Group],
        roles: Sequence[Role],
        sessions: Sequence[Session],
        secrets: Sequence[Secret],
        keys: Sequence[Key],
    ) -> None:
        self.organization = organization
        self.secrets = tuple(secrets)
        self.keys = tuple(keys)
        self.accounts = {a.id: a for a in accounts}
        self.users = {u.arn: u for u in users}
        self.groups = {g.arn: g for g in groups}
        self.roles = {r.arn: r for r in roles}
        self.role_names = {(r.account, r.name): r for r in roles}
        self.sessions = {s.arn: s for s in sessions}
        self.secret_arns = {s.arn: s for s in secrets}
        self.key_arns = {k.arn: k for k in keys}
        self.aliases = {(k.account, k.region, a.removeprefix("alias/")): k for k in keys for a in k.aliases}
        # remembered answers: each follows from the entities above alone
        self._principals: dict[str, Principal] = {}
        self._attached: dict[
            Principal, tuple[tuple[Attached, ...], Attached | None, tuple[Attached, ...]]
        ] = {}
        self._scp_levels: dict[str, tuple[Level, ...] | None] = {}
        self._rcp_levels: dict[str, tuple[Level, ...] | None] = {}
        self._managed_keys: dict[tuple[str, str], Key] = {}

    # -- entities

    def account(self, account_id: str) -> Account:
        """The account by id; one the world does not list is known by its id alone."""
        return self.accounts.get(account_id) or Account(account_id)

    def role(self, arn: str) -> Role | None:
        """The role by ARN, or by account and name when the ARN has no path; None when the world has none."""
        found = self.roles.get(arn)
        if found is None:
            parsed = Arn.parse(arn)
            if parsed and parsed.resource_type == "role":
                found = self.role_names.get((parsed.account, parsed.name))
        return found

    def secret(self, ref: str, account: str | None) -> Secret | None:
        """The secret by ARN, or by name in ``account`` (any account when None); None when the world
        has none."""
        found = self.secret_arns.get(ref)
        if found is None and not ref.startswith("arn:"):
            found = next(
                (s for s in self.secrets if s.name == ref and (account is None or s.account == account)),
                None,
            )
        return found

    def key(self, ref: str, account: str | None, region: str | None) -> Key | None:
        """The key by key ARN, alias ARN, alias name (in ``account`` and ``region``) or key id; None
        when the world has none."""
        found = self.key_arns.get(ref)
        if found is not None:
            return found
        arn = Arn.parse(ref)
        if arn and arn.service == "kms" and arn.resource_type == "alias":
            return self.aliases.get((arn.account, arn.region, arn.resource_id))
        if ref.startswith("alias/") and account and region:
            return self.aliases.get((account, region, ref.removeprefix("alias/")))
        return next((k for k in self.keys if k.arn.endswith("/" + ref)), None)

    def aws_managed_key(self, account: str, region: str) -> Key:
        """``aws/secretsmanager`` of ``account`` in ``region``: the world's, or the key AWS would
        create, with the policy AWS writes on it."""
        found = self.aliases.get((account, region, "aws/secretsmanager"))
        if found is not None:
            return found
        made = self._managed_keys.get((account, region))
        if made is None:  # built once: every request on a secret under it would parse its policy
            arn = f"arn:aws:kms:{region}:{account}:key/aws-secretsmanager-{account}-{region}"
            policy = read_policy(aws_managed_key_policy(account, region), PolicyKind.KEY)
            made = Key(arn, account, region, "AWS", ("alias/aws/secretsmanager",), (), policy)
            self._managed_keys[(account, region)] = made
        return made

    # -- principals and their policies (§8.1)

    def principal(self, arn: str) -> Principal:
        """The principal of ``arn`` with what the world knows of it (remembered); raises
        ``ScenarioError`` for an ARN that is not a principal that signs requests."""
        found = self._principals.get(arn)
        if found is None:
            found = self._principal(arn)
            self._principals[arn] = found
        return found

    def _principal(self, arn: str) -> Principal:
        base = Principal.from_arn(arn)
        if base is None:
            raise ScenarioError(
                [
                    Problem(
                        ProblemCode.INVALID_FIELD,
                        f"{quoted(arn)} is not a principal that signs "
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
            user = self.users.get(arn)
            if user is None:
                return base.with_(notes=(*base.notes, f"{arn} is not in the world: no policies"))
            return base.with_(
                unique_id=user.user_id, tags=user.tags, has_boundary=user.permissions_boundary is not None
            )
        if base.type is PrincipalType.SESSION:
            role = self.role(base.role_arn or "")
            if role is None:
                return base.with_(
                    notes=(*base.notes, f"role {base.role_arn} is not in the world: no policies")
                )
            session = self.sessions.get(base.arn)
            return base.with_(
                role_arn=role.arn,
                unique_id=role.role_id,
                tags=overlay_tags(role.tags, session.session_tags if session else ()),
                has_boundary=role.permissions_boundary is not None,
                service_linked=role.service_linked,
            )
        if base.type is PrincipalType.FEDERATED:
            session = self.sessions.get(arn)
            if session and session.source_principal:
                user = self.users.get(session.source_principal)
                return base.with_(
                    source_user=session.source_principal,
                    tags=overlay_tags(user.tags if user else (), session.session_tags),
                    has_boundary=bool(user and user.permissions_boundary),
                )
        return base

    def attached(
        self, principal: Principal
    ) -> tuple[tuple[Attached, ...], Attached | None, tuple[Attached, ...]]:
        """(identity policies, permissions boundary, session policies) of a principal."""
        found = self._attached.get(principal)
        if found is None:
            found = (self._identity(principal), self._boundary(principal), self._session_policies(principal))
            self._attached[principal] = found
        return found

    def _identity(self, principal: Principal) -> tuple[Attached, ...]:
        """User policies plus its groups' policies; a session has its role's (§1.1)."""
        if principal.type is PrincipalType.USER:
            user = self.users.get(principal.arn)
            if user is None:
                return ()
            own = _listed("identity policy", f"user {user.name}", user.arn, user.policies, Slot.IDENTITY)
            for group_arn in user.groups:
                group = self.groups.get(group_arn)
                if group is not None:
                    own += _listed(
                        "identity policy", f"group {group.name}", group.arn, group.policies, Slot.IDENTITY
                    )
            return own
        if principal.type is PrincipalType.FEDERATED and principal.source_user:
            return self._identity(self.principal(principal.source_user))
        role = self.role(principal.role_arn or "") if principal.type is PrincipalType.SESSION else None
        if role is None:
            return ()
        return _listed("identity policy", f"role {role.name}", role.arn, role.policies, Slot.IDENTITY)

    def _boundary(self, principal: Principal) -> Attached | None:
        user_arn = (
            principal.source_user
            if principal.type is PrincipalType.FEDERATED
            else principal.arn
            if principal.type is PrincipalType.USER
            else None
        )
        if user_arn:
            user = self.users.get(user_arn)
            if user and user.permissions_boundary:
                ref = PolicyRef(Slot.BOUNDARY, user.arn)
                return Attached(f"permissions boundary of user {user.name}", user.permissions_boundary, ref)
        if principal.type is PrincipalType.SESSION:
            role = self.role(principal.role_arn or "")
            if role and role.permissions_boundary:
                ref = PolicyRef(Slot.BOUNDARY, role.arn)
                return Attached(f"permissions boundary of role {role.name}", role.permissions_boundary, ref)
        return None

    def _session_policies(self, principal: Principal) -> tuple[Attached, ...]:
        session = self.sessions.get(principal.arn)
        if session is None:
            return ()
        owner = f"session {session.session_name}"
        return _listed("session policy", owner, session.arn, session.session_policies, Slot.SESSION)

    # -- organization (§8.3, §8.4)

    def scp_levels(self, account_id: str) -> tuple[Level, ...] | None:
        """The SCP gate for principals of ``account_id``; None when no SCP applies to them."""
        if account_id not in self._scp_levels:
            org = self.organization
            found = None
            if org is not None and org.scp_enabled and account_id != org.management_account:
                found = self._levels(account_id, org.scps, Slot.SCP, org.full_aws_access_detached_from)
            self._scp_levels[account_id] = found
        return self._scp_levels[account_id]

    def rcp_levels(self, account_id: str) -> tuple[Level, ...] | None:
        """Custom RCPs that can deny on resources of ``account_id``; None when none apply."""
        if account_id not in self._rcp_levels:
            org = self.organization
            found = None
            if org is not None and org.rcp_enabled and account_id != org.management_account:
                found = self._levels(account_id, org.rcps, Slot.RCP, None)
            self._rcp_levels[account_id] = found
        return self._rcp_levels[account_id]

    def _levels(
        self, account_id: str, policies: tuple[OrgPolicy, ...], slot: Slot, detached: frozenset[str] | None
    ) -> tuple[Level, ...] | None:
        org = self.organization
        account = self.account(account_id)
        if org is None or account.org_id != org.id:  # SCPs and RCPs stop at the organization
            return None
        kind = slot.name  # "SCP" or "RCP"
        levels = []
        for node in (*(account.org_path or (org.root_id,)), account.id):
            attached = []
            if detached is not None and node not in detached:
                attached.append(Attached(f"SCP FullAWSAccess at {node}", _full_access()))
            attached += [
                Attached(f"{kind} {p.name} at {node}", p.policy, PolicyRef(slot, node, i))
                for i, p in enumerate(policies)
                if p.attached_to == node
            ]
            levels.append(Level(node, tuple(attached)))
        return tuple(levels)


def _listed(
    what: str, owner: str, holder: str, policies: tuple[Policy, ...], slot: Slot
) -> tuple[Attached, ...]:
    """The policies of a list slot, labelled "<what> of <owner>" (numbered when several)."""
    one = len(policies) == 1
    return tuple(
        Attached(f"{what} of {owner}" if one else f"{what} {i + 1} of {owner}", p, PolicyRef(slot, holder, i))
        for i, p in enumerate(policies)
    )


_FULL_ACCESS: list[Policy] = []


def _full_access() -> Policy:
    """The FullAWSAccess SCP AWS attaches to every node unless it is detached (§8.3)."""
    if not _FULL_ACCESS:
        _FULL_ACCESS.append(read_policy(copy.deepcopy(FULL_AWS_ACCESS), PolicyKind.SCP))
    return _FULL_ACCESS[0]
