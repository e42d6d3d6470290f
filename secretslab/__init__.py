"""secretslab: decide AWS authorization requests for Secrets Manager, KMS and STS exactly as AWS
does, and explain why, statement by statement.

The public API is re-exported here and loaded on first use (PEP 562), so ``import secretslab``
stays fast and the batch command loads only what it runs; nothing here imports matplotlib,
ipywidgets or boto3.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

#: public name -> the module that defines it
_EXPORTS = {
    "Decision": "authorization",
    "Step": "authorization",
    "authorize": "authorization",
    "Attached": "evaluation",
    "EvalRequest": "evaluation",
    "Level": "evaluation",
    "evaluate": "evaluation",
    "Evaluation": "evaluation",
    "Outcome": "evaluation",
    "PolicyRole": "evaluation",
    "Reason": "evaluation",
    "check_policy": "policy",
    "parse_policy": "policy",
    "read_policy": "policy",
    "Effect": "policy",
    "Policy": "policy",
    "PolicyKind": "policy",
    "Statement": "policy",
    "Principal": "evaluation",
    "PrincipalType": "evaluation",
    "InvalidPolicyError": "problems",
    "Problem": "problems",
    "ProblemCode": "problems",
    "ScenarioError": "problems",
    "UnknownNameError": "problems",
    "Severity": "problems",
    "Request": "authorization",
    "load_scenario": "world",
    "PlannedStep": "authorization",
    "RejectedPolicy": "evaluation",
    "Stage": "evaluation",
    "PolicyRef": "policy",
    "access_paths": "analysis",
    "who_can": "analysis",
    "access_matrix": "analysis",
    "diff": "analysis",
    "AccessPath": "analysis",
    "AccessMatrix": "analysis",
    "WhoCan": "analysis",
    "Diff": "analysis",
    "check_no_new_access": "analysis",
    "check_access_not_granted": "analysis",
    "check_no_public_access": "analysis",
    "CheckResult": "analysis",
    "Witness": "analysis",
    "run_expectations": "analysis",
    "ExpectationResult": "analysis",
    "ExpectationRun": "analysis",
    "findings": "analyzer",
    "Finding": "analyzer",
    "FindingCode": "analyzer",
    "suggest_fixes": "fixes",
    "apply_fix": "fixes",
    "Fix": "fixes",
    "World": "world",
    "scenario_schema": "schemas",
    "MissingExtra": "extras",
}

__all__ = [
    "AccessMatrix",
    "AccessPath",
    "Attached",
    "CheckResult",
    "Decision",
    "Diff",
    "Effect",
    "EvalRequest",
    "Evaluation",
    "ExpectationResult",
    "ExpectationRun",
    "Finding",
    "FindingCode",
    "Fix",
    "InvalidPolicyError",
    "Level",
    "MissingExtra",
    "Outcome",
    "PlannedStep",
    "Policy",
    "PolicyKind",
    "PolicyRef",
    "PolicyRole",
    "Principal",
    "PrincipalType",
    "Problem",
    "ProblemCode",
    "Reason",
    "RejectedPolicy",
    "Request",
    "ScenarioError",
    "Severity",
    "Stage",
    "Statement",
    "Step",
    "UnknownNameError",
    "WhoCan",
    "Witness",
    "World",
    "__version__",
    "access_matrix",
    "access_paths",
    "apply_fix",
    "authorize",
    "check_access_not_granted",
    "check_no_new_access",
    "check_no_public_access",
    "check_policy",
    "diff",
    "evaluate",
    "findings",
    "load_scenario",
    "parse_policy",
    "read_policy",
    "run_expectations",
    "scenario_schema",
    "suggest_fixes",
    "who_can",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":  # the installed metadata's, read on first use (secretslab.version)
        from .version import version

        globals()[name] = value = version()
        return value
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'secretslab' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from .analysis import (
        AccessMatrix,
        AccessPath,
        CheckResult,
        Diff,
        ExpectationResult,
        ExpectationRun,
        WhoCan,
        Witness,
        access_matrix,
        access_paths,
        check_access_not_granted,
        check_no_new_access,
        check_no_public_access,
        diff,
        run_expectations,
        who_can,
    )
    from .analyzer import Finding, FindingCode, findings
    from .authorization import Decision, PlannedStep, Request, Step, authorize
    from .evaluation import (
        Attached,
        EvalRequest,
        Evaluation,
        Level,
        Outcome,
        PolicyRole,
        Principal,
        PrincipalType,
        Reason,
        RejectedPolicy,
        Stage,
        evaluate,
    )
    from .extras import MissingExtra
    from .fixes import Fix, apply_fix, suggest_fixes
    from .policy import (
        Effect,
        Policy,
        PolicyKind,
        PolicyRef,
        Statement,
        check_policy,
        parse_policy,
        read_policy,
    )
    from .problems import InvalidPolicyError, Problem, ProblemCode, ScenarioError, Severity, UnknownNameError
    from .schemas import scenario_schema
    from .world import World, load_scenario

    __version__: str
