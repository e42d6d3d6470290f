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
from ..fields import Fields, Path
from ..limits import LISTED_SESSION_POLICY
from ..loading import shape_problems
from ..policy.model import Policy, PolicyKind
from ..policy.parsing import read_policy
from ..problems import ProblemCode, ScenarioError, input_limits, request_error

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
    "source_identity": False,
    "context": False,
}

Pairs = tuple[tuple[str, Values], ...]

_SOURCE_IDENTITY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@-")


def _source_identity(reader: Fields, value: Any, path: Path) -> str | None:
    """AssumeRole's SourceIdentity: 2 to 64 characters of letters, digits and _+=,.@-, not
    starting with ``aws:`` (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html)."""
    text = reader.string(value, path, "source_identity")
    if text is None:
        return None
    if not 2 <= len(text) <= 64 or not set(text) <= _SOURCE_IDENTITY_CHARS:
        reader.problem(
            ProblemCode.INVALID_FIELD,
            "source_identity is 2 to 64 letters, digits or _+=,.@- (AssumeRole's SourceIdentity), "
            f"found {text[:80]!r}",
            path,
        )
        return None
    return text


@dataclass(frozen=True, slots=True)
class AssumeRoleStep:
    """One ``sts:AssumeRole`` hop of a request's chain: the role, the session name, the session
    policies and tags passed to AssumeRole, the condition keys the caller supplies for that
    call, and the source identity passed (``SourceIdentity``, None when not passed)."""

    role_arn: str
    session_name: str
    session_policies: tuple[Policy, ...] = ()
    session_tags: tuple[tuple[str, str], ...] = ()
    context: Pairs = ()
    source_identity: str | None = None


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
        with input_limits("request", source):
            return cls._read(data, source)

    @classmethod
    def _read(cls, data: Any, source: str | None) -> Request:
        shape = shape_problems(data, source)  # held to its JSON, before a reader walks it
        if shape:
            raise ScenarioError(shape, what="request")
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
            source = _source_identity(reader, step.get("source_identity"), (*path, "source_identity"))
            ctx = read_context(reader, step.get("context"), (*path, "context"))
            if role:
                chain.append(
                    AssumeRoleStep(role, name or role.rsplit("/", 1)[-1], tuple(policies), tags, ctx, source)
                )
        if reader.problems:
            raise request_error(reader.problems)
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
                    **({"source_identity": s.source_identity} if s.source_identity is not None else {}),
                    "context": {k: (list(v) if len(v) != 1 else v[0]) for k, v in s.context},
                }
                for s in self.assume_role_chain
            ]
        return out
