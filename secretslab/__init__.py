"""secretslab: decide AWS authorization requests for Secrets Manager, KMS and STS exactly as AWS
does, and explain why, statement by statement.

The public API is re-exported here and loaded on first use (PEP 562), so ``import secretslab``
stays fast and the batch command loads only what it runs; nothing here imports matplotlib,
ipywidgets or boto3.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> the module that defines it
_EXPORTS = {
    "Decision": "authorization",
    "Step": "authorization",
    "authorize": "authorization",
    "Attached": "engine",
    "EvalRequest": "engine",
    "Level": "engine",
    "evaluate": "engine",
    "Evaluation": "evaluation",
    "Outcome": "evaluation",
    "PolicyRole": "evaluation",
    "Reason": "evaluation",
    "check_policy": "parsing",
    "parse_policy": "parsing",
    "read_policy": "parsing",
    "Effect": "policy",
    "Policy": "policy",
    "PolicyKind": "policy",
    "Statement": "policy",
    "Principal": "principals",
    "PrincipalType": "principals",
    "InvalidPolicyError": "problems",
    "Problem": "problems",
    "ScenarioError": "problems",
    "Severity": "problems",
    "Request": "request",
    "load_scenario": "scenario",
    "access_paths": "analysis",
    "who_can": "analysis",
    "access_matrix": "analysis",
    "diff": "analysis",
    "AccessPath": "analysis",
    "AccessMatrix": "analysis",
    "WhoCan": "analysis",
    "Diff": "analysis",
    "findings": "analyzer",
    "Finding": "analyzer",
    "suggest_fixes": "fixes",
    "apply_fix": "fixes",
    "Fix": "fixes",
    "World": "world",
}

__all__ = [
    "AccessMatrix",
    "AccessPath",
    "Attached",
    "Decision",
    "Diff",
    "Effect",
    "EvalRequest",
    "Evaluation",
    "Finding",
    "Fix",
    "InvalidPolicyError",
    "Level",
    "Outcome",
    "Policy",
    "PolicyKind",
    "PolicyRole",
    "Principal",
    "PrincipalType",
    "Problem",
    "Reason",
    "Request",
    "ScenarioError",
    "Severity",
    "Statement",
    "Step",
    "WhoCan",
    "World",
    "__version__",
    "access_matrix",
    "access_paths",
    "apply_fix",
    "authorize",
    "check_policy",
    "diff",
    "evaluate",
    "findings",
    "load_scenario",
    "parse_policy",
    "read_policy",
    "suggest_fixes",
    "who_can",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'secretslab' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from .analysis import AccessMatrix, AccessPath, Diff, WhoCan, access_matrix, access_paths, diff, who_can
    from .analyzer import Finding, findings
    from .authorization import Decision, Step, authorize
    from .engine import Attached, EvalRequest, Level, evaluate
    from .evaluation import Evaluation, Outcome, PolicyRole, Reason
    from .fixes import Fix, apply_fix, suggest_fixes
    from .parsing import check_policy, parse_policy, read_policy
    from .policy import Effect, Policy, PolicyKind, Statement
    from .principals import Principal, PrincipalType
    from .problems import InvalidPolicyError, Problem, ScenarioError, Severity
    from .request import Request
    from .scenario import load_scenario
    from .world import World
