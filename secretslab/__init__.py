"""secretslab: decide AWS authorization requests for Secrets Manager, KMS and STS exactly as AWS
does, and explain why, statement by statement.

The public API is re-exported here; importing it loads no matplotlib, ipywidgets or boto3.
"""

from .authorize import Decision, Step, authorize
from .engine import Attached, EvalRequest, Level, evaluate
from .evaluation import Evaluation, Outcome, PolicyRole, Reason
from .parsing import check_policy, parse_policy, read_policy
from .policy import Effect, Policy, PolicyKind, Statement
from .principals import Principal, PrincipalType
from .problems import InvalidPolicyError, Problem, ScenarioError, Severity
from .request import Request
from .scenario import load_scenario
from .world import World

__version__ = "0.1.0"

__all__ = [
    "Attached", "Decision", "Effect", "EvalRequest", "Evaluation", "InvalidPolicyError", "Level",
    "Outcome", "Policy", "PolicyKind", "PolicyRole", "Principal", "PrincipalType", "Problem",
    "Reason", "Request", "ScenarioError", "Severity", "Statement", "World", "authorize",
    "check_policy", "evaluate", "load_scenario", "parse_policy", "read_policy", "__version__",
]
