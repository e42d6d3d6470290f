"""What an access check returns (``checks``): the result, with ``passed``, its witnesses — concrete
requests, each with the statements that allow it — and the scope it covered; as text, HTML and
JSON-ready data."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..evaluation.results import Reason

#: a witness list longer than this is shortened in text and HTML (``to_dict`` keeps them all)
SHOWN = 10


@dataclass(frozen=True, slots=True)
class Witness:
    """A concrete request a check found allowed: who (``principal``, and in words
    ``principal_label``: a principal of the world, or a hypothetical one), the action, the
    resource (``resource_label`` says when it is a secret that does not exist yet), the reason
    codes before and after (before is ``None`` for a check of one world), each call of the request
    with its outcome (the KMS step included), and the statements responsible."""

    principal: str
    principal_label: str
    action: str
    resource: str
    resource_label: str
    before: Reason | None
    after: Reason
    steps: tuple[str, ...]
    responsible: tuple[str, ...]
    parameters: Mapping[str, Any] = field(default_factory=dict)  # the variant's API parameters
    context: Mapping[str, Any] = field(default_factory=dict)  # the condition keys the caller supplied

    @property
    def request(self) -> dict[str, Any]:
        """The request in the format ``authorize`` reads (in the world the check built)."""
        out: dict[str, Any] = {"principal": self.principal, "action": self.action, "resource": self.resource}
        if self.parameters:
            out["parameters"] = dict(self.parameters)
        if self.context:
            out["context"] = dict(self.context)
        return out

    def to_dict(self) -> dict[str, Any]:
        """The witness as JSON-ready data."""
        return {
            "principal": self.principal,
            "principal_label": self.principal_label,
            "action": self.action,
            "resource": self.resource,
            "resource_label": self.resource_label,
            "before": self.before.value if self.before else None,
            "after": self.after.value,
            "steps": list(self.steps),
            "responsible": list(self.responsible),
            "parameters": dict(self.parameters),
            "context": dict(self.context),
        }

    @property
    def when(self) -> str:
        """The context the request needs, in words (empty for a bare request)."""
        if not self.context:
            return ""
        return " with " + ", ".join(f"{k}={v}" for k, v in self.context.items())

    def __str__(self) -> str:
        why = "; ".join(self.responsible) or self.after.summary
        return (
            f"{self.principal_label} may {self.action} on {self.resource_label}{self.when} "
            f"({self.after.value}: {why})"
        )


@dataclass(frozen=True, slots=True)
class Scope:
    """What a check asked: how many principals (of them hypothetical), actions, resources (of them
    secrets that do not exist yet) and requests, and the hypothetical principals and secrets in
    words."""

    principals: int
    actions: int
    resources: int
    requests: int
    hypothetical_principals: tuple[str, ...]
    new_secrets: tuple[str, ...]
    contexts: int = 1  # the variants each request could be asked with (the bare request included)

    def to_dict(self) -> dict[str, Any]:
        """The scope as JSON-ready data."""
        return {
            "principals": self.principals,
            "actions": self.actions,
            "resources": self.resources,
            "requests": self.requests,
            "hypothetical_principals": list(self.hypothetical_principals),
            "new_secrets": list(self.new_secrets),
            "contexts": self.contexts,
        }


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The result of an access check: ``passed``, the witnesses that make it fail (concrete
    requests, each with the statements responsible), and the scope it covered."""

    check: str
    passed: bool
    witnesses: tuple[Witness, ...]
    scope: Scope

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data: ``check``, ``result`` (``PASS``/``FAIL`` as Access
        Analyzer spells it), every witness and the scope."""
        return {
            "check": self.check,
            "result": "PASS" if self.passed else "FAIL",
            "witnesses": [w.to_dict() for w in self.witnesses],
            "scope": self.scope.to_dict(),
        }

    def _summary(self) -> str:
        s = self.scope
        return (
            f"{s.requests} requests: {s.principals} principals ({len(s.hypothetical_principals)} "
            f"hypothetical) x {s.actions} actions x {s.resources} resources "
            f"({len(s.new_secrets)} secrets that do not exist yet)"
            + (f", in up to {s.contexts} request contexts" if s.contexts > 1 else "")
        )

    def __str__(self) -> str:
        head = f"{self.check}: {'PASS' if self.passed else 'FAIL'} over {self._summary()}"
        if self.passed:
            return head
        lines = [head, *(f"  + {w}" for w in self.witnesses[:SHOWN])]
        if len(self.witnesses) > SHOWN:
            lines.append(f"  … and {len(self.witnesses) - SHOWN} more (to_dict() lists them all)")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#b42318"
        verdict = "PASS" if self.passed else "FAIL"
        head = (
            f"<p><b>{html.escape(self.check)}</b>: <b style='color:{colour}'>{verdict}</b> over "
            f"{html.escape(self._summary())}</p>"
        )
        if self.passed:
            return head
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(v)}</td>"
                for v in (w.principal_label, w.action, w.resource_label, "; ".join(w.responsible))
            )
            + "</tr>"
            for w in self.witnesses[:SHOWN]
        )
        more = (
            f"<p>… and {len(self.witnesses) - SHOWN} more (<code>to_dict()</code> lists them all)</p>"
            if len(self.witnesses) > SHOWN
            else ""
        )
        return (
            f"{head}<table><thead><tr><th>principal</th><th>action</th><th>resource</th>"
            f"<th>allowed by</th></tr></thead><tbody>{rows}</tbody></table>{more}"
        )
