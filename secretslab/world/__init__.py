"""The world of a scenario (semantics §1.1): its entities (``entities``), the immutable ``World``
that holds them with its lookups (``model``, ``index``), reading and writing the format
(``reader``, ``writer``, ``fields``) and scenario files (``scenario``).
"""

from .entities import (
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
    aws_managed_key_policy,
    overlay_tags,
)
from .model import World
from .scenario import load_scenario, locate_scenario, read_document

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
    "locate_scenario",
    "overlay_tags",
    "read_document",
]
