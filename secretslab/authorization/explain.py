"""Renderings of a decision: every step (the AssumeRole hops, the action, the KMS calls Secrets
Manager makes for the caller), its validation errors, gaps and notes, as plain text for terminals
and HTML for notebooks; each step's evaluation rendered by ``secretslab.evaluation.explain``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..evaluation.explain import COLOUR, MARK, escape, evaluation_html, why_lines

if TYPE_CHECKING:
    from .decision import Decision


def decision_text(decision: Decision) -> str:
    """The decision as plain text for a terminal: the outcome and reason, the request, each step with
    why it was made and why it was decided, then refused policies, gaps and notes."""
    req = decision.request
    lines = [
        f"{MARK[decision.outcome]}  {decision.reason.value}: {decision.reason.summary}",
        f"  {req.principal} -> {req.action} on {req.resource}",
    ]
    if decision.deciding_policy:
        lines.append(f"  deciding: {decision.deciding_policy}")
    lines.append("  steps:")
    for i, step in enumerate(decision.steps, 1):
        ev = step.evaluation
        opt = " (optional)" if step.optional else ""
        lines.append(f"    {i}. {step.action} on {step.resource}: {MARK[ev.outcome]} {ev.reason.value}{opt}")
        if step.purpose:
            lines.append(f"       why this call: {step.purpose}")
        lines.extend("       " + line for line in why_lines(ev))
    for v in decision.validation_errors:
        lines.append(f"  validation: {v.kind or v.label}: {v.error}: {v.detail}")
    for gap in decision.gaps:
        lines.append(f"  UNKNOWN: this decision depends on data the import could not read: {gap}")
    lines.extend(f"  note: {n}" for n in decision.notes)
    return "\n".join(lines)


def decision_html(decision: Decision) -> str:
    """The decision as an HTML fragment for a notebook: a table of steps, refused policies and notes,
    and each step's evaluation in a collapsible section. All text is escaped."""
    colour = COLOUR[decision.outcome]
    req = decision.request
    rows = []
    for i, step in enumerate(decision.steps, 1):
        ev = step.evaluation
        rows.append(
            f"<tr><td>{i}</td><td><code>{escape(step.action)}</code></td><td><code>{escape(step.resource)}</code></td>"
            f"<td style='color:{COLOUR[ev.outcome]};font-weight:bold'>{escape(MARK[ev.outcome])}</td>"
            f"<td><code>{escape(ev.reason.value)}</code><br>"
            f"{escape(ev.deciding_policy or ev.reason.summary)}</td></tr>"
        )
    notes = "".join(f"<li>{escape(n)}</li>" for n in decision.notes)
    validation = "".join(
        f"<li><b>{escape(v.error)}</b> in {escape(v.kind or v.label)}: {escape(v.detail)}</li>"
        for v in decision.validation_errors
    )
    return (
        f"<div class='secretslab-decision'><p style='font-size:1.1em'>"
        f"<b style='color:{colour}'>{escape(MARK[decision.outcome])}</b> "
        f"<code>{escape(decision.reason.value)}</code>: {escape(decision.reason.summary)}</p>"
        f"<p><code>{escape(req.principal)}</code> → <code>{escape(req.action)}</code> "
        f"on <code>{escape(req.resource)}</code></p>"
        "<table><tr><th>#</th><th>action</th><th>resource</th><th>decision</th><th>reason</th></tr>"
        + "".join(rows)
        + "</table>"
        + (f"<p>Validation:</p><ul>{validation}</ul>" if validation else "")
        + (f"<p>Notes:</p><ul>{notes}</ul>" if notes else "")
        + "".join(
            f"<details><summary>step {i}: {escape(s.action)}</summary>"
            f"{evaluation_html(s.evaluation)}</details>"
            for i, s in enumerate(decision.steps, 1)
        )
        + "</div>"
    )
