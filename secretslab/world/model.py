"""The world of a scenario (semantics §1.1) as one immutable value: its entities (``entities``),
the lookups and applicable policies derived from them (``index``, rebuilt for every new world,
so ``dataclasses.replace`` never shares one), every attached policy addressed by a ``PolicyRef``
(``policies``, ``with_policy``, ``without_policy``) and the problems of those policies, located
by their JSON path in the world format. Reading and writing the format: ``reader`` and ``writer``.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..evaluation.principals import Principal
from ..evaluation.request import Attached, Level
from ..limits import LISTED_SESSION_POLICY, ROLE_POLICY_SIZE, SizeLimit
from ..policy.model import Policy
from ..policy.parsing import read_policy
from ..policy.refs import PolicyRef, Slot
from ..problems import PathPart, Problem, input_limits
from .entities import Account, Gap, Group, Key, Organization, OrgPolicy, Role, Secret, Session, User
from .index import Index
from .quotas import inline_problems, trust_policy_size
from .read_entities import own_copy
from .reader import read_world
from .writer import world_to_dict

Path = tuple[PathPart, ...]
Document = Policy | Mapping[str, Any] | str


@dataclass(frozen=True, slots=True, eq=False, weakref_slot=True)
class World:
    """Accounts, organization, principals, secrets and keys; immutable (edit with ``replace``,
    ``with_policy`` and ``without_policy``, which return new worlds)."""

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
    source: str | None = field(default=None, compare=False)  # the file it was read from
    _index: Index = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = Index(
            self.accounts,
            self.organization,
            self.users,
            self.groups,
            self.roles,
            self.sessions,
            self.secrets,
            self.keys,
        )
        object.__setattr__(self, "_index", index)

    # -- reading and writing (§1.1)

    @classmethod
    def from_dict(cls, data: Any, *, source: str | None = None) -> World:
        """The world; raises ``ScenarioError`` listing every schema problem with its JSON path.
        Invalid policies do not raise: they are kept and reported by ``World.problems``."""
        with input_limits("world", source):
            return cls(**read_world(data, source=source))

    def to_dict(self) -> dict[str, Any]:
        """The world in the format of §1.1, each policy as its original document."""
        return world_to_dict(self)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every problem of every policy in the world, located by its JSON path, then the limits
        on a holder's policies together (a role's inline policies, semantics §3.13)."""
        located = tuple(
            p.under(*self.policy_path(ref), source=self.source)
            for ref, policy in self.policies()
            for p in policy.problems
        )
        return located + tuple(p.under(source=self.source) for p in inline_problems(self.roles))

    def gaps_for(self, refs: Iterable[str]) -> tuple[Gap, ...]:
        """The gaps that concern any of ``refs`` (ARNs or account ids)."""
        wanted = set(refs)
        return tuple(g for g in self.gaps if g.resource in wanted)

    # -- every attached policy, by reference

    def policies(self) -> tuple[tuple[PolicyRef, Policy], ...]:
        """Every policy attached in the world with its reference, in the order of the world
        format: the organization's SCPs and RCPs, groups, users, roles, sessions, keys, secrets."""
        return tuple(self._policies())

    def _policies(self) -> Iterator[tuple[PolicyRef, Policy]]:
        org = self.organization
        if org is not None:
            for slot, org_policies in ((Slot.SCP, org.scps), (Slot.RCP, org.rcps)):
                yield from ((PolicyRef(slot, p.attached_to, i), p.policy) for i, p in enumerate(org_policies))
        for group in self.groups:
            yield from ((PolicyRef(Slot.IDENTITY, group.arn, i), p) for i, p in enumerate(group.policies))
        for user in self.users:
            yield from ((PolicyRef(Slot.IDENTITY, user.arn, i), p) for i, p in enumerate(user.policies))
            if user.permissions_boundary is not None:
                yield PolicyRef(Slot.BOUNDARY, user.arn), user.permissions_boundary
        for role in self.roles:
            if role.trust_policy is not None:
                yield PolicyRef(Slot.TRUST, role.arn), role.trust_policy
            yield from ((PolicyRef(Slot.IDENTITY, role.arn, i), p) for i, p in enumerate(role.policies))
            if role.permissions_boundary is not None:
                yield PolicyRef(Slot.BOUNDARY, role.arn), role.permissions_boundary
        for session in self.sessions:
            listed = session.session_policies
            yield from ((PolicyRef(Slot.SESSION, session.arn, i), p) for i, p in enumerate(listed))
        for key in self.keys:
            if key.key_policy is not None:
                yield PolicyRef(Slot.KEY, key.arn), key.key_policy
        for secret in self.secrets:
            if secret.resource_policy is not None:
                yield PolicyRef(Slot.SECRET, secret.arn), secret.resource_policy

    def policy(self, ref: PolicyRef) -> Policy | None:
        """The policy ``ref`` names (None when the slot is empty)."""
        return next((p for r, p in self._policies() if r == ref), None)

    def policy_path(self, ref: PolicyRef) -> Path:
        """Where ``ref`` sits in the world format, as a JSON path (for locating problems)."""
        slot = ref.slot
        if slot in (Slot.SCP, Slot.RCP):
            return ("organization", slot.value, ref.index or 0, "document")
        if slot is Slot.SECRET:
            return ("secrets", _position(self.secrets, ref.holder), slot.value)
        if slot is Slot.KEY:
            return ("kms_keys", _position(self.keys, ref.holder), slot.value)
        where = _PRINCIPAL_LISTS[_holder_kind(ref.holder, slot)]
        entities: tuple[Any, ...] = getattr(self, where)
        path: Path = ("principals", where, _position(entities, ref.holder), slot.value)
        return (*path, ref.index or 0) if slot.listed else path

    def with_policy(self, ref: PolicyRef, document: Document, *, name: str | None = None) -> World:
        """A new world with ``document`` in the slot ``ref`` names (replacing what is there; an
        index one past the end of a list adds it). A document is parsed for the slot's kind and
        kept even if AWS would refuse it (``problems`` reports it); ``name`` names a new SCP/RCP."""
        if isinstance(document, Policy):
            policy = document
        else:
            policy = read_policy(own_copy(document), ref.kind, size_limit=self._size_limit(ref))
        return self._edit(ref, policy, name)

    def _size_limit(self, ref: PolicyRef) -> SizeLimit | None:
        """The size quota of the slot when it is not its kind's (semantics §3.13, ``quotas``)."""
        if ref.slot is Slot.TRUST:
            return trust_policy_size(self.account(ref.holder.split(":")[4]).role_trust_policy_length)
        if ref.slot is Slot.IDENTITY and _holder_kind(ref.holder, ref.slot) == "role":
            return ROLE_POLICY_SIZE
        if ref.slot is Slot.SESSION:
            return LISTED_SESSION_POLICY
        return None

    def without_policy(self, ref: PolicyRef) -> World:
        """A new world without the policy ``ref`` names (later entries of a list move up)."""
        if self.policy(ref) is None:
            raise KeyError(f"no policy at {ref}")
        return self._edit(ref, None, None)

    def _edit(self, ref: PolicyRef, policy: Policy | None, name: str | None) -> World:
        slot = ref.slot
        if slot in (Slot.SCP, Slot.RCP):
            org = self.organization
            if org is None:
                raise KeyError(f"no organization for {ref}")
            listed = org.scps if slot is Slot.SCP else org.rcps
            if (
                ref.index is not None
                and ref.index < len(listed)
                and listed[ref.index].attached_to != ref.holder
            ):
                raise KeyError(
                    f"{ref}: {slot.name} {ref.index} is attached to {listed[ref.index].attached_to}"
                )
            entry = None
            if policy is not None:
                old = listed[ref.index] if ref.index is not None and ref.index < len(listed) else None
                named = name or (old.name if old else f"{slot.name}{len(listed) + 1}")
                entry = OrgPolicy(named, ref.holder, policy)
            in_org: dict[str, Any] = {slot.value: _put(listed, ref, entry)}
            return replace(self, organization=replace(org, **in_org))
        field_name = {Slot.SECRET: "secrets", Slot.KEY: "keys"}.get(slot) or _PRINCIPAL_LISTS[
            _holder_kind(ref.holder, slot)
        ]
        entities: tuple[Any, ...] = getattr(self, field_name)
        at = _position(entities, ref.holder)
        entity = entities[at]
        if not hasattr(entity, slot.value):
            raise KeyError(f"{ref.holder} holds no {slot.value}")
        value = _put(getattr(entity, slot.value), ref, policy) if slot.listed else policy
        in_entity: dict[str, Any] = {slot.value: value}
        in_world: dict[str, Any] = {
            field_name: (*entities[:at], replace(entity, **in_entity), *entities[at + 1 :])
        }
        return replace(self, **in_world)

    # -- lookups

    def account(self, account_id: str) -> Account:
        """The account by id; one the world does not list is known by its id alone."""
        return self._index.account(account_id)

    def user(self, arn: str) -> User | None:
        """The user by ARN, or None."""
        return self._index.users.get(arn)

    def group(self, arn: str) -> Group | None:
        """The group by ARN, or None."""
        return self._index.groups.get(arn)

    def role(self, arn: str) -> Role | None:
        """The role by ARN; a path-less ARN finds a role with a path (names are unique)."""
        return self._index.role(arn)

    def session(self, arn: str) -> Session | None:
        """The session by ARN, or None."""
        return self._index.sessions.get(arn)

    def secret(self, ref: str, *, account: str | None = None) -> Secret | None:
        """A secret by ARN, or by name in ``account`` (a bare name resolves in the caller's account)."""
        return self._index.secret(ref, account)

    def key(self, ref: str, *, account: str | None = None, region: str | None = None) -> Key | None:
        """A key by key ARN, alias ARN, alias name or key id."""
        return self._index.key(ref, account, region)

    def aws_managed_key(self, account: str, region: str) -> Key:
        """``aws/secretsmanager`` of an account and Region, as listed or as AWS would create it."""
        return self._index.aws_managed_key(account, region)

    def secret_key(self, secret: Secret) -> Key:
        """The key a secret is encrypted with (``aws/secretsmanager`` when it names none)."""
        if secret.kms_key:
            found = self.key(secret.kms_key, account=secret.account, region=secret.region)
            if found is not None:
                return found
        return self.aws_managed_key(secret.account, secret.region)

    # -- principals and the policies that apply to them (§8.1, §8.3, §8.4)

    def principal(self, arn: str) -> Principal:
        """The principal with what the world knows of it (tags, ids, organization, boundary)."""
        return self._index.principal(arn)

    def identity_policies(self, principal: Principal) -> tuple[Attached, ...]:
        """User policies plus its groups' policies; a session has its role's (§1.1)."""
        return self._index.attached(principal)[0]

    def boundary(self, principal: Principal) -> Attached | None:
        """The permissions boundary of ``principal`` (of the role, for a session), or None."""
        return self._index.attached(principal)[1]

    def session_policies(self, principal: Principal) -> tuple[Attached, ...]:
        """The session policies of ``principal`` (only a session has any)."""
        return self._index.attached(principal)[2]

    def scp_levels(self, account_id: str) -> tuple[Level, ...] | None:
        """The SCP gate for principals of ``account_id``; None when no SCP applies to them."""
        return self._index.scp_levels(account_id)

    def rcp_levels(self, account_id: str) -> tuple[Level, ...] | None:
        """Custom RCPs that can deny on resources of ``account_id``; None when none apply."""
        return self._index.rcp_levels(account_id)


_PRINCIPAL_LISTS = {"user": "users", "group": "groups", "role": "roles", "session": "sessions"}


def _holder_kind(holder: str, slot: Slot) -> str:
    if slot is Slot.SESSION:
        return "session"
    kind = holder.split(":", 5)[-1].split("/", 1)[0]
    if kind not in _PRINCIPAL_LISTS:
        raise KeyError(f"{holder} holds no {slot.value}")
    return kind


def _position(entities: tuple[Any, ...], arn: str) -> int:
    for i, entity in enumerate(entities):
        if entity.arn == arn:
            return i
    raise KeyError(f"{arn} is not in the world")


def _put(listed: tuple[Any, ...], ref: PolicyRef, item: Any) -> tuple[Any, ...]:
    """``listed`` with ``item`` at ``ref.index`` (appended one past the end; removed when None)."""
    at = len(listed) if ref.index is None else ref.index
    if at > len(listed) or (item is None and at >= len(listed)):
        raise KeyError(f"no position {at} in {ref}")
    rest = listed[at + 1 :]
    return (*listed[:at], *((item,) if item is not None else ()), *rest)
