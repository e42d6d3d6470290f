"""Renderings of the explanation tree: plain text for terminals and HTML for notebooks. Pure
functions over ``Evaluation`` and ``Decision``; nothing here decides anything.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from .evaluation import Evaluation, Outcome, PolicyResult, StatementResult

if TYPE_CHECKING:
    from .authorization import Decision

_MARK = {
    Outcome.ALLOW: "ALLOW",
    Outcome.EXPLICIT_DENY: "DENY (explicit)",
    Outcome.IMPLICIT_DENY: "DENY (implicit)",
}
_COLOUR = {
    Outcome.ALLOW: "#1a7f37",
    Outcome.EXPLICIT_DENY: "#b42318",
    Outcome.IMPLICIT_DENY: "#b54708",
}


def decision_text(decision: Decision) -> str:
    req = decision.request
    lines = [
        f"{_MARK[decision.outcome]}  {decision.reason.value}: {decision.reason.summary}",
        f"  {req.principal} -> {req.action} on {req.resource}",
    ]
    if decision.deciding_policy:
        lines.append(f"  deciding: {decision.deciding_policy}")
    lines.append("  steps:")
    for i, step in enumerate(decision.steps, 1):
        ev = step.evaluation
        opt = " (optional)" if step.optional else ""
        lines.append(f"    {i}. {step.action} on {step.resource}: {_MARK[ev.outcome]} {ev.reason.value}{opt}")
        if step.purpose:
            lines.append(f"       why this call: {step.purpose}")
        lines.extend("       " + line for line in _why_lines(ev))
    for v in decision.validation_errors:
        lines.append(f"  validation: {v.policy}: {v.error}: {v.detail}")
    for gap in decision.gaps:
        lines.append(f"  UNKNOWN: this decision depends on data the import could not read: {gap}")
    lines.extend(f"  note: {n}" for n in decision.notes)
    return "\n".join(lines)


def evaluation_text(ev: Evaluation, *, every_statement: bool = False) -> str:
    lines = [
        f"{_MARK[ev.outcome]}  {ev.reason.value}: {ev.reason.summary}",
        f"  {ev.principal.arn} -> {ev.action} on {ev.resource}"
        f" ({'same account' if ev.same_account else 'cross-account'})",
    ]
    lines.extend("  " + line for line in _why_lines(ev))
    for policy in ev.policies:
        lines.append(f"  [{policy.role.value}] {policy.label}")
        for result in policy.statements() if every_statement else policy.matched:
            lines.append("    " + statement_line(result))
    for inv in ev.invalid:
        lines.append(f"  invalid (ignored): {inv.label}: " + "; ".join(p.message for p in inv.problems))
    lines.extend(f"  note: {n}" for n in ev.notes)
    return "\n".join(lines)


def _why_lines(ev: Evaluation) -> list[str]:
    out = [f"decided by: {d}" for d in ev.deciding]
    for level in ev.scp_levels:
        if not level.allowed:
            out.append(f"no SCP at {level.node} allows {ev.action}")
    if ev.outcome is Outcome.IMPLICIT_DENY:  # say why each Allow that could have applied did not
        for policy in ev.policies:
            if policy.role.value in ("scp", "rcp"):
                continue
            misses = [r for r in policy.matched if r.effect.value == "Allow" and not r.applies]
            if not policy.allows and not misses:
                out.append(f"{policy.label}: no statement allows {ev.action}")
            out.extend(f"{policy.label}, {r.statement.label}: {r.why_not}" for r in misses)
    for inv in ev.invalid:
        out.append(f"ignored invalid {inv.label}: " + "; ".join(p.message for p in inv.problems))
    return out


def statement_line(result: StatementResult) -> str:
    s = result.statement
    head = f"{s.label} ({s.effect.value})"
    if result.applies:
        return f"{head}: applies"
    return f"{head}: does not apply: {result.why_not}"


# -- HTML


def decision_html(decision: Decision) -> str:
    colour = _COLOUR[decision.outcome]
    req = decision.request
    rows = []
    for i, step in enumerate(decision.steps, 1):
        ev = step.evaluation
        rows.append(
            f"<tr><td>{i}</td><td><code>{_e(step.action)}</code></td><td><code>{_e(step.resource)}</code></td>"
            f"<td style='color:{_COLOUR[ev.outcome]};font-weight:bold'>{_e(_MARK[ev.outcome])}</td>"
            f"<td><code>{_e(ev.reason.value)}</code><br>"
            f"{_e(ev.deciding_policy or ev.reason.summary)}</td></tr>"
        )
    notes = "".join(f"<li>{_e(n)}</li>" for n in decision.notes)
    validation = "".join(
        f"<li><b>{_e(v.error)}</b> in {_e(v.policy)}: {_e(v.detail)}</li>" for v in decision.validation_errors
    )
    return (
        f"<div class='secretslab-decision'><p style='font-size:1.1em'>"
        f"<b style='color:{colour}'>{_e(_MARK[decision.outcome])}</b> "
        f"<code>{_e(decision.reason.value)}</code>: {_e(decision.reason.summary)}</p>"
        f"<p><code>{_e(req.principal)}</code> → <code>{_e(req.action)}</code> "
        f"on <code>{_e(req.resource)}</code></p>"
        "<table><tr><th>#</th><th>action</th><th>resource</th><th>decision</th><th>reason</th></tr>"
        + "".join(rows)
        + "</table>"
        + (f"<p>Validation:</p><ul>{validation}</ul>" if validation else "")
        + (f"<p>Notes:</p><ul>{notes}</ul>" if notes else "")
        + "".join(
            f"<details><summary>step {i}: {_e(s.action)}</summary>{evaluation_html(s.evaluation)}</details>"
            for i, s in enumerate(decision.steps, 1)
        )
        + "</div>"
    )


def evaluation_html(ev: Evaluation) -> str:
    colour = _COLOUR[ev.outcome]
    parts = [
        f"<div class='secretslab-evaluation'><p><b style='color:{colour}'>{_e(_MARK[ev.outcome])}</b> "
        f"<code>{_e(ev.reason.value)}</code>: {_e(ev.reason.summary)}</p>"
    ]
    if ev.deciding:
        parts.append("<ul>" + "".join(f"<li>decided by {_e(str(d))}</li>" for d in ev.deciding) + "</ul>")
    for policy in ev.policies:
        parts.append(_policy_html(policy))
    for inv in ev.invalid:
        parts.append(
            f"<p style='color:#b42318'>ignored invalid {_e(inv.label)}: "
            + _e("; ".join(p.message for p in inv.problems))
            + "</p>"
        )
    parts.append("</div>")
    return "".join(parts)


def _policy_html(policy: PolicyResult) -> str:
    rows = []
    for r in policy.statements():
        state = "applies" if r.applies else _e(r.why_not or "")
        colour = "#1a7f37" if r.applies and r.effect.value == "Allow" else "#b42318" if r.applies else "#666"
        rows.append(
            f"<tr><td>{_e(r.statement.label)}</td><td>{r.effect.value}</td>"
            f"<td style='color:{colour}'>{state}</td></tr>"
        )
    return (
        f"<p><b>{_e(policy.role.value)}</b>: {_e(policy.label)}</p>"
        "<table><tr><th>statement</th><th>effect</th><th>result</th></tr>" + "".join(rows) + "</table>"
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)
