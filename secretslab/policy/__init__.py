"""The IAM policy language (semantics §2–6): the frozen model (``model``), reading documents with
every problem located (``parsing``), per-kind checks and lint (``checks``), the catalogue of
actions and condition keys (``catalog``), condition operators (``operators``), wildcards
(``wildcards``), policy variables (``variables``), and where a policy is attached (``refs``).
"""

from .model import Effect, Policy, PolicyKind, Statement
from .parsing import check_policy, parse_policy, read_policy
from .refs import PolicyRef, Slot

__all__ = [
    "Effect",
    "Policy",
    "PolicyKind",
    "PolicyRef",
    "Slot",
    "Statement",
    "check_policy",
    "parse_policy",
    "read_policy",
]
