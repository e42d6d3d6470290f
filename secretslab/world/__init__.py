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
from .scenario import load_scenario, read_document

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
    "load_scenario",
    "overlay_tags",
    "read_document",
]
