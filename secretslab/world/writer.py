"""Write a world back in the format of semantics §1.1, each policy as its original document, so a
world read, edited (``World.with_policy``) and written round-trips through ``World.from_dict``.
"""

from __future__ import annotations

import copy
from typing import Any, Protocol

from ..policy.model import Policy
from .entities import Account, Gap, Group, Key, Organization, Role, Secret, Session, User


class WorldLike(Protocol):
    """What the writer reads of a world (its entities)."""

    @property
    def accounts(self) -> tuple[Account, ...]:
        """The world's accounts."""
        ...

    @property
    def organization(self) -> Organization | None:
        """The organization of its accounts, or None."""
        ...

    @property
    def users(self) -> tuple[User, ...]:
        """The world's IAM users."""
        ...

    @property
    def groups(self) -> tuple[Group, ...]:
        """The world's IAM groups."""
        ...

    @property
    def roles(self) -> tuple[Role, ...]:
        """The world's IAM roles."""
        ...

    @property
    def sessions(self) -> tuple[Session, ...]:
        """The world's role and federated-user sessions."""
        ...

    @property
    def secrets(self) -> tuple[Secret, ...]:
        """The world's secrets."""
        ...

    @property
    def keys(self) -> tuple[Key, ...]:
        """The world's KMS keys."""
        ...

    @property
    def description(self) -> str | None:
        """What the world is about, or None."""
        ...

    @property
    def gaps(self) -> tuple[Gap, ...]:
        """What an import could not read (empty for a world written by hand)."""
        ...


def world_to_dict(world: WorldLike) -> dict[str, Any]:
    """The world in the format of §1.1 (policies as their original documents, copied: editing the
    result never edits the world, which other worlds and checks compare against)."""

    def doc(policy: Policy | None) -> Any:
        return None if policy is None else copy.deepcopy(policy.source)

    out: dict[str, Any] = {
        "accounts": [_account(a) for a in world.accounts],
    }
    if world.description:
        out["description"] = world.description
    if world.gaps:
        # optional fields the reader refuses empty are left out when empty, so the world reads back
        out["gaps"] = [
            _present({"resource": g.resource, "what": g.what, "operation": g.operation, "error": g.error})
            for g in world.gaps
        ]
    org = world.organization
    if org is not None:
        out["organization"] = {
            "id": org.id,
            "root_id": org.root_id,
            "management_account": org.management_account,
            "scp_enabled": org.scp_enabled,
            "full_aws_access_detached_from": sorted(org.full_aws_access_detached_from),
            "scps": [
                {"name": p.name, "attached_to": p.attached_to, "document": doc(p.policy)} for p in org.scps
            ],
            "rcp_enabled": org.rcp_enabled,
            "rcps": [
                {"name": p.name, "attached_to": p.attached_to, "document": doc(p.policy)} for p in org.rcps
            ],
        }
    out["principals"] = {
        "users": [
            {
                "arn": u.arn,
                "user_id": u.user_id,
                "tags": dict(u.tags),
                "groups": list(u.groups),
                "policies": [doc(p) for p in u.policies],
                "permissions_boundary": doc(u.permissions_boundary),
            }
            for u in world.users
        ],
        "groups": [{"arn": g.arn, "policies": [doc(p) for p in g.policies]} for g in world.groups],
        "roles": [
            {
                "arn": r.arn,
                "role_id": r.role_id,
                "tags": dict(r.tags),
                "trust_policy": doc(r.trust_policy),
                "policies": [doc(p) for p in r.policies],
                "permissions_boundary": doc(r.permissions_boundary),
                "service_linked": r.service_linked,
            }
            for r in world.roles
        ],
        "sessions": [
            _present(
                {
                    "arn": s.arn,
                    "role": s.role,  # empty for a federated user's session
                    "session_name": s.session_name,
                    "session_policies": [doc(p) for p in s.session_policies],
                    "session_tags": dict(s.session_tags),
                    "source_principal": s.source_principal,
                }
            )
            for s in world.sessions
        ],
    }
    out["secrets"] = [
        {
            "arn": s.arn,
            "name": s.name,
            "account": s.account,
            "region": s.region,
            "kms_key": s.kms_key,
            "tags": dict(s.tags),
            "versions": dict(s.versions),
            "resource_policy": doc(s.resource_policy),
        }
        for s in world.secrets
    ]
    out["kms_keys"] = [
        {
            "arn": k.arn,
            "account": k.account,
            "region": k.region,
            "manager": k.manager,
            "aliases": list(k.aliases),
            "tags": dict(k.tags),
            "key_policy": doc(k.key_policy),
            **({"grants": [g.to_dict() for g in k.grants]} if k.grants else {}),
        }
        for k in world.keys
    ]
    return out


def _account(account: Account) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": account.id,
        "name": account.name,
        "org_id": account.org_id,
        "org_path": list(account.org_path),
    }
    if account.role_trust_policy_length is not None:  # written only when raised (semantics §3.13)
        out["role_trust_policy_length"] = account.role_trust_policy_length
    return out


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` without the text fields that are empty (an optional field with no value)."""
    return {k: v for k, v in fields.items() if v != ""}
