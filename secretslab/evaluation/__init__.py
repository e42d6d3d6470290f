"""One request, evaluated in AWS's order (semantics §4–8): who calls (``principals``), what is
asked (``request``, with the request ``context``), whether each statement's elements match
(``matching``) and its conditions hold (``conditions``), the service's ``rules``, the ``engine``
that decides, the result tree it builds (``results``, with the flow's ``stages``), and its text
and HTML renderings (``explain``).
"""

from .engine import evaluate
from .principals import Principal, PrincipalType
from .request import Attached, EvalRequest, Level
from .results import Evaluation, Outcome, Reason, RejectedPolicy
from .rules import ServiceRules
from .stages import PolicyRole, Stage, StageResult, StageState

__all__ = [
    "Attached",
    "EvalRequest",
    "Evaluation",
    "Level",
    "Outcome",
    "PolicyRole",
    "Principal",
    "PrincipalType",
    "Reason",
    "RejectedPolicy",
    "ServiceRules",
    "Stage",
    "StageResult",
    "StageState",
    "evaluate",
]
