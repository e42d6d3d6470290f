"""Running the ``expectations`` a scenario file carries — each a request with the decision (and
reason code) its world is meant to produce — through ``authorize``: the check a pipeline runs on
every change to a scenario (``secretslab test``), in the spirit of iam-lens ``--expect``.

A file with no expectations is reported as such, never counted as passing; an expectation whose
request the world cannot decide (an unknown principal, say) is an error with its message, not a
failure.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..arn import short_arn
from ..authorization import authorize
from ..problems import ScenarioError, json_path
from ..world import World
from ..world.scenario import read_document, scenario_world


@dataclass(frozen=True, slots=True)
class ExpectationResult:
    """One expectation of a scenario file and what ``authorize`` decided for its request:
    ``decision``/``reason`` are None (and ``error`` says why) when the request could not be decided."""

    source: str  # the file (or <stdin>)
    index: int  # its place in the file's expectations list
    principal: str
    action: str
    resource: str
    roles: tuple[str, ...]  # the assume_role_chain's role ARNs, in order
    expected_decision: str  # allow or deny
    expected_reason: str | None  # a reason code, when the expectation names one
    decision: str | None
    reason: str | None
    why: str = ""
    error: str | None = None
    unknown: bool = False  # the decision depends on data an import could not read (its gaps)

    @property
    def path(self) -> str:
        """Where the expectation is in its file: ``$.expectations[3]``."""
        return json_path(("expectations", self.index))

    @property
    def passed(self) -> bool:
        """Whether the decision (and the reason, when the expectation names one) is the expected one.
        An unknown decision never holds: it is the decision on what is known, and the data the
        import could not read may change it."""
        if self.error is not None or self.unknown or self.decision != self.expected_decision:
            return False
        return self.expected_reason is None or self.reason == self.expected_reason

    @property
    def status(self) -> str:
        """``PASS``, ``FAIL``, ``UNKNOWN`` (the decision depends on data an import could not read)
        or ``ERROR`` (the request could not be decided)."""
        if self.error is not None:
            return "ERROR"
        if self.unknown:
            return "UNKNOWN"
        return "PASS" if self.passed else "FAIL"

    @property
    def request_text(self) -> str:
        """The request in short: ``222222222222:user/bob -> 111111111111:role/SecretReader
        secretsmanager:GetSecretValue 111111111111:secret:app/legacy-Zx9Yw8``."""
        who = " -> ".join(short_arn(a) for a in (self.principal, *self.roles))
        return f"{who} {self.action} {short_arn(self.resource)}"

    @property
    def expected(self) -> str:
        """The expected decision and reason code, as one phrase: ``deny XACCT_NO_RESOURCE_GRANT``."""
        reason = f" {self.expected_reason}" if self.expected_reason else ""
        return f"{self.expected_decision}{reason}"

    @property
    def got(self) -> str:
        """What was decided, as one phrase (``allow ALLOWED_IDENTITY``), or the error."""
        if self.error is not None:
            return f"error: {self.error}"
        if self.unknown:
            return f"{self.decision} {self.reason}, unknown: it depends on data the import could not read"
        return f"{self.decision} {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data."""
        return {
            "source": self.source,
            "path": self.path,
            "passed": self.passed,
            "status": self.status,
            "unknown": self.unknown,
            "principal": self.principal,
            "assume_role_chain": list(self.roles),
            "action": self.action,
            "resource": self.resource,
            "expected": {"decision": self.expected_decision, "reason": self.expected_reason},
            "got": None if self.error else {"decision": self.decision, "reason": self.reason},
            "error": self.error,
            "why": self.why,
        }


@dataclass(frozen=True, slots=True)
class ExpectationRun:
    """Every expectation of one scenario file, run; ``results`` is empty when it carries none."""

    source: str
    results: tuple[ExpectationResult, ...]

    @property
    def passed(self) -> tuple[ExpectationResult, ...]:
        """The expectations that hold."""
        return tuple(r for r in self.results if r.passed)

    @property
    def failed(self) -> tuple[ExpectationResult, ...]:
        """The expectations that do not hold (a different decision or reason, an unknown decision,
        or an error)."""
        return tuple(r for r in self.results if not r.passed)

    @property
    def unknown(self) -> tuple[ExpectationResult, ...]:
        """The expectations whose decision depends on data an import could not read (not passed)."""
        return tuple(r for r in self.results if r.unknown and r.error is None)

    @property
    def errors(self) -> tuple[ExpectationResult, ...]:
        """The expectations whose request could not be decided."""
        return tuple(r for r in self.results if r.error is not None)

    @property
    def ok(self) -> bool:
        """Whether the file carries expectations and every one holds."""
        return bool(self.results) and not self.failed


#: stands for "no document given" to ``run_expectations`` (a document may itself be None: an empty YAML file)
_NO_DOCUMENT: Any = object()


def run_expectations(
    path: str | Path | None = None, *, document: Any = _NO_DOCUMENT, source: str | None = None
) -> ExpectationRun:
    """Run every expectation of a scenario: the file at ``path`` (JSON or YAML, or the name of a
    bundled scenario), or the scenario ``document`` already read (``{"world": …, "expectations":
    […]}``, named ``source`` in messages) — exactly one of the two. Raises ``ScenarioError``
    (located) when the file or its world cannot be read, including a document that is not an
    object; each expectation's own request problem is an error result, so the others still run."""
    if (path is None) == (document is _NO_DOCUMENT):
        raise TypeError("run_expectations takes a path or a document=, exactly one of them")
    if document is not _NO_DOCUMENT:
        name = source or "<scenario>"
        data: Any = document
    elif isinstance(path, (str, os.PathLike)):
        name = source or str(path)
        data = read_document(path)
    else:  # a document given in the place of the path: never read it as a file name
        raise TypeError(
            f"path is a file path (str or os.PathLike), found {type(path).__name__}; "
            "pass a document as document="
        )
    world = scenario_world(data, name)  # also checks the document's and the expectations' shape, located
    raw = data.get("expectations") if isinstance(data, Mapping) and "world" in data else None
    return ExpectationRun(name, tuple(_run(world, name, i, e) for i, e in enumerate(raw or ())))


def _run(world: World, source: str, index: int, expectation: Mapping[str, Any]) -> ExpectationResult:
    request = expectation["request"]
    chain = request.get("assume_role_chain") or ()
    fields: dict[str, Any] = {
        "source": source,
        "index": index,
        "principal": str(request["principal"]),
        "action": str(request["action"]),
        "resource": str(request.get("resource", "*")),
        "roles": tuple(str(hop["role_arn"]) for hop in chain),
        "expected_decision": expectation["decision"],
        "expected_reason": expectation.get("reason"),
        "why": expectation.get("why") or "",
    }
    try:
        decision = authorize(world, request)
    except ScenarioError as exc:
        message = "; ".join(p.message + (f" ({p.hint})" if p.hint else "") for p in exc.problems)
        return ExpectationResult(**fields, decision=None, reason=None, error=message)
    return ExpectationResult(
        **fields, decision=decision.decision, reason=decision.reason.value, unknown=decision.unknown
    )
