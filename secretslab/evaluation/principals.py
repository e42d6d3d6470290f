"""Who signs a request: the root user, an IAM user, an assumed-role session or a federated-user
session, with what AWS knows about it (its account, role, unique id, tags, organization) and its
identity chain for principal matching (semantics §2.4–2.5, §6.5).

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from ..arn import ACCOUNT_ID, Arn


class PrincipalType(StrEnum):
    """Values of ``aws:PrincipalType``."""

    ROOT = "Account"
    USER = "User"
    SESSION = "AssumedRole"
    FEDERATED = "FederatedUser"


@dataclass(frozen=True, slots=True)
class Principal:
    """A principal that signs requests (the root user, an IAM user, an assumed-role session or a
    federated-user session) and what AWS knows of it: its account, name, role, unique id, tags,
    organization and OU path, whether it has a permissions boundary. ``from_arn`` gives what the
    ARN alone tells; a world fills in the rest."""

    arn: str
    type: PrincipalType
    account: str
    name: str  # user name, session name or federated name ("" for root)
    role_arn: str | None = None  # sessions: the role's ARN, with its path when known
    unique_id: str | None = None  # AIDA… for users, AROA… for the role of a session
    tags: tuple[tuple[str, str], ...] = ()
    org_id: str | None = None
    org_path: tuple[str, ...] = ()  # root id, then OU ids
    has_boundary: bool = False
    service_linked: bool = False
    source_user: str | None = None  # federated sessions: the IAM user that federated
    notes: tuple[str, ...] = field(default=())
    #: sessions: the source identity set when the role was assumed (or earlier in the chain)
    source_identity: str | None = None
    #: computed once: principals key the remembered request contexts, looked up per request
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fields = (self.arn, self.type, self.role_arn, self.unique_id, self.tags, self.org_id)
        rest = (
            self.org_path,
            self.has_boundary,
            self.service_linked,
            self.source_user,
            self.notes,
            self.source_identity,
        )
        object.__setattr__(self, "_hash", hash((*fields, *rest)))

    def __hash__(self) -> int:
        return self._hash

    @classmethod
    def from_arn(cls, text: str) -> Principal | None:
        """What the ARN alone tells; None when it is not a principal that signs requests."""
        if ACCOUNT_ID.match(text):
            text = f"arn:aws:iam::{text}:root"
        arn = Arn.parse(text)
        if arn is None or not ACCOUNT_ID.match(arn.account):
            return None
        rtype = arn.resource_type
        if arn.service == "iam" and arn.resource == "root":
            return cls(text, PrincipalType.ROOT, arn.account, "")
        if arn.service == "iam" and rtype == "user":
            return cls(text, PrincipalType.USER, arn.account, arn.name)
        if arn.service == "iam" and rtype == "role":
            # A role never signs a request itself: read it as a session named after the role.
            session = f"arn:aws:sts::{arn.account}:assumed-role/{arn.name}/{arn.name}"
            note = (f"{text} is a role; evaluated as its session {session}",)
            return cls(session, PrincipalType.SESSION, arn.account, arn.name, role_arn=text, notes=note)
        if arn.service == "sts" and rtype == "assumed-role":
            parts = arn.resource_id.split("/")
            if len(parts) != 2 or not all(parts):
                return None
            role_arn = f"arn:aws:iam::{arn.account}:role/{parts[0]}"
            return cls(text, PrincipalType.SESSION, arn.account, parts[1], role_arn=role_arn)
        if arn.service == "sts" and rtype == "federated-user":
            return cls(text, PrincipalType.FEDERATED, arn.account, arn.name)
        return None

    @property
    def role_name(self) -> str | None:
        """The role's name (without its path) for a session; None for other principals."""
        return self.role_arn.rsplit("/", 1)[-1] if self.role_arn else None

    @property
    def principal_arn(self) -> str:
        """``aws:PrincipalArn``: the role's ARN for a session (§6.5)."""
        return self.role_arn if self.type is PrincipalType.SESSION and self.role_arn else self.arn

    @property
    def user_id(self) -> str | None:
        """``aws:userid`` (§6.5), when the unique id is known."""
        if self.type is PrincipalType.ROOT:
            return self.account
        if self.type is PrincipalType.FEDERATED:
            return f"{self.account}:{self.name}"
        if self.type is PrincipalType.SESSION:
            return f"{self.unique_id}:{self.name}" if self.unique_id else None
        return self.unique_id

    def with_(self, **changes: object) -> Principal:
        """A copy with the given fields changed (``dataclasses.replace``)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return self.arn
