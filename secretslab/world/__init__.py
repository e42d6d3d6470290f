"""The world of a scenario (semantics §1.1): the model and its lookups (``model``), reading and
writing the JSON format (``reader``)."""

from .model import (
    FULL_AWS_ACCESS,
    Account,
    Gap,
    Group,
    Key,
    Organization,
    OrgPolicy,
    Role,
    Secret,
    Session,
    User,
    World,
    aws_managed_key_policy,
    overlay_tags,
)

__all__ = [
    "FULL_AWS_ACCESS",
    "Account",
    "Gap",
    "Group",
    "Key",
    "OrgPolicy",
    "Organization",
    "Role",
    "Secret",
    "Session",
    "User",
    "World",
    "aws_managed_key_policy",
    "overlay_tags",
]
