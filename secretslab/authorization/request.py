"""A request (semantics §1.2): who signs it, the AssumeRole chain run first, the action, the
resource, the condition keys the caller supplies, and the API parameters that drive validation,
extra actions and KMS sub-requests. Unknown keys are rejected with their JSON path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..evaluation.context import Values
from ..evaluation.target import read_context, read_target
from ..fields import Fields
from ..limits import LISTED_SESSION_POLICY
from ..policy.model import Policy, PolicyKind
from ..policy.parsing import read_policy
from ..problems import ProblemCode, ScenarioError

_REQUEST = {
    "principal": True,
    "assume_role_chain": False,
    "action": True,
    "resource": False,
    "context": False,
    "parameters": False,
}
_STEP = {
    "role_arn": True,
    "session_name": False,
    "session_policies": False,
    "session_tags": False,
    "context": False,
}

Pairs = tuple[tuple[str, Values], ...]


@dataclass(frozen=True, slots=True)
class AssumeRoleStep:
    """One ``sts:AssumeRole`` hop of a request's chain: the role, the session name, the session
    policies and tags passed to AssumeRole, and the condition keys the caller supplies for that
    call."""

    role_arn: str
    session_name: str
    session_policies: tuple[Policy, ...] = ()
    session_tags: tuple[tuple[str, str], ...] = ()
    context: Pairs = ()


@dataclass(frozen=True, slots=True, eq=False)
class Request:
    """A request (semantics §1.2): the ARN of the principal that signs it (root, user, assumed-role or
    federated user), the action (``service:Action``), the resource (``*`` when none), the condition
    keys the caller supplies, the API parameters, and the AssumeRole chain made first.
    ``Request.from_dict`` reads and checks the JSON format."""

    principal: str
    action: str
    resource: str = "*"
    context: Pairs = ()
    parameters: Mapping[str, Any] = field(default_factory=dict)
    assume_role_chain: tuple[AssumeRoleStep, ...] = ()

    @classmethod
    def from_dict(cls, data: Any, *, source: str | None = None) -> Request:
        """The request; raises ``ScenarioError`` listing every problem with its JSON path."""
        reader = Fields(source)
        raw = reader.obj(data, (), _REQUEST, "a request")
        if raw is None:
            raise ScenarioError(reader.problems, what="request")
        principal, action, resource, context = read_target(reader, raw)
        parameters = raw.get("parameters")
        if parameters is None:
            parameters = {}
        if not isinstance(parameters, Mapping):
            reader.problem(ProblemCode.INVALID_FIELD, "parameters is an object", ("parameters",))
            parameters = {}
        chain = []
        for path, item in reader.items(
            raw.get("assume_role_chain"), ("assume_role_chain",), "assume_role_chain"
        ):
            step = reader.obj(item, path, _STEP, "an AssumeRole step")
            if step is None:
                continue
            role = reader.arn(step.get("role_arn"), (*path, "role_arn"), "role_arn", "iam", ("role",))
            name = reader.session_name(step.get("session_name"), (*path, "session_name"), "session_name")
            # kept even when invalid: AssumeRole then fails with MalformedPolicyDocument
            docs = reader.items(step.get("session_policies"), (*path, "session_policies"), "session_policies")
            policies = [
                read_policy(doc, PolicyKind.SESSION, size_limit=LISTED_SESSION_POLICY) for _, doc in docs
            ]
            tags = reader.tags(step.get("session_tags"), (*path, "session_tags"))
            ctx = read_context(reader, step.get("context"), (*path, "context"))
            if role:
                chain.append(
                    AssumeRoleStep(role, name or role.rsplit("/", 1)[-1], tuple(policies), tags, ctx)
                )
        if reader.problems:
            raise ScenarioError(reader.problems, what="request")
        assert principal is not None and action is not None
        return cls(principal, action, resource, context, dict(parameters), tuple(chain))

    def to_dict(self) -> dict[str, Any]:
        """The request in its JSON format (``from_dict`` reads it back); a key with one value is
        written as a string."""
        out: dict[str, Any] = {
            "principal": self.principal,
            "action": self.action,
            "resource": self.resource,
            "context": {k: (list(v) if len(v) != 1 else v[0]) for k, v in self.context},
        }
        if self.parameters:
            out["parameters"] = dict(self.parameters)
        if self.assume_role_chain:
            out["assume_role_chain"] = [
                {
                    "role_arn": s.role_arn,
                    "session_name": s.session_name,
                    "session_policies": [p.source for p in s.session_policies],
                    "session_tags": dict(s.session_tags),
                    "context": {k: (list(v) if len(v) != 1 else v[0]) for k, v in s.context},
                }
                for s in self.assume_role_chain
            ]
        return out
