"""Where a policy is attached in a world: a ``PolicyRef`` names the slot (an identity policy of a
user, group or role; a permissions boundary; a trust policy; a session policy; a secret's or a
key's resource-based policy; an SCP or RCP of the organization), the entity that holds it and,
for list slots, its position. ``World.policies()`` enumerates them and ``World.with_policy`` /
``World.without_policy`` edit through them, so fixes, what-if edits, findings and export never
address a policy by its display label.

AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html (policy types)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .model import PolicyKind


class Slot(StrEnum):
    """A place that holds policies, named by its field in the world format (semantics §1.1)."""

    IDENTITY = "policies"  # identity-based policies of a user, group or role (a list)
    BOUNDARY = "permissions_boundary"  # of a user or role
    TRUST = "trust_policy"  # of a role
    SESSION = "session_policies"  # of a session (a list)
    SECRET = "resource_policy"  # of a secret
    KEY = "key_policy"  # of a KMS key
    SCP = "scps"  # of the organization (a list); holder: the node it is attached to
    RCP = "rcps"  # of the organization (a list); holder: the node it is attached to

    @property
    def kind(self) -> PolicyKind:
        """The policy language rules a document in this slot follows."""
        return _KINDS[self]

    @property
    def listed(self) -> bool:
        """Whether the slot holds a list of policies (then a ref has an index)."""
        return self in (Slot.IDENTITY, Slot.SESSION, Slot.SCP, Slot.RCP)


_KINDS = {
    Slot.IDENTITY: PolicyKind.IDENTITY,
    Slot.BOUNDARY: PolicyKind.BOUNDARY,
    Slot.TRUST: PolicyKind.TRUST,
    Slot.SESSION: PolicyKind.SESSION,
    Slot.SECRET: PolicyKind.RESOURCE,
    Slot.KEY: PolicyKind.KEY,
    Slot.SCP: PolicyKind.SCP,
    Slot.RCP: PolicyKind.RCP,
}


@dataclass(frozen=True, slots=True, order=True)
class PolicyRef:
    """One attached policy: ``slot`` of ``holder`` (an ARN, or an organization node for SCPs and
    RCPs), at ``index`` in list slots (the position in the holder's list, or in the organization's
    list of SCPs/RCPs). An index equal to the list's length names a policy not added yet."""

    slot: Slot
    holder: str
    index: int | None = None

    @property
    def kind(self) -> PolicyKind:
        """The policy language rules a document in this slot follows."""
        return self.slot.kind

    def __str__(self) -> str:
        at = f"[{self.index}]" if self.index is not None else ""
        return f"{self.holder} {self.slot.value}{at}"
