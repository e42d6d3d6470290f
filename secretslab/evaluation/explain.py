"""Renderings of one evaluation's explanation tree: plain text for terminals and HTML for
notebooks. Pure functions over ``Evaluation``; nothing here decides anything. Decisions (several
evaluations) are rendered by ``secretslab.authorization.explain`` with these pieces.
"""

from __future__ import annotations

import html

from .results import Evaluation, Outcome, PolicyResult, StatementResult

MARK = {
    Outcome.ALLOW: "ALLOW",
    Outcome.EXPLICIT_DENY: "DENY (explicit)",
    Outcome.IMPLICIT_DENY: "DENY (implicit)",
}
COLOUR = {
    Outcome.ALLOW: "#1a7f37",
    Outcome.EXPLICIT_DENY: "#b42318",
    Outcome.IMPLICIT_DENY: "#b54708",
}


def evaluation_text(ev: Evaluation, *, every_statement: bool = False) -> str:
    """One evaluation as plain text: the outcome and reason, the request, why it was decided, then
    each policy considered with its statements whose action matched (every statement with
    ``every_statement``), ignored invalid policies and notes."""
    lines = [
        f"{MARK[ev.outcome]}  {ev.reason.value}: {ev.reason.summary}",
        f"  {ev.principal.arn} -> {ev.action} on {ev.resource}"
        f" ({'same account' if ev.same_account else 'cross-account'})",
    ]
    lines.extend("  " + line for line in why_lines(ev))
    for policy in ev.policies:
        lines.append(f"  [{policy.role.value}] {policy.label}")
        for result in policy.statements() if every_statement else policy.matched:
            lines.append("    " + statement_line(result))
    for inv in ev.invalid:
        lines.append(f"  invalid (ignored): {inv.label}: " + "; ".join(p.message for p in inv.problems))
    lines.extend(f"  note: {n}" for n in ev.notes)
    return "\n".join(lines)


def why_lines(ev: Evaluation) -> list[str]:
    """Why the evaluation came out as it did, one line each: the deciding statements, the SCP levels
    that allow nothing, for an implicit deny why each Allow that could have applied did not, and
    the invalid policies ignored."""
    out = [f"decided by: {grant_line(ev)}"] if ev.kms_grant else []
    out += [f"decided by: {d}" for d in ev.deciding]
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
        out.extend(f"{g.grant.label}: {g.why}" for g in ev.kms_grants if g.why)
    for inv in ev.invalid:
        out.append(f"ignored invalid {inv.label}: " + "; ".join(p.message for p in inv.problems))
    return out


def grant_line(ev: Evaluation) -> str:
    """The KMS grant that allowed the evaluation: its id, grantee and operations (§9.10)."""
    if ev.kms_grant is None:
        return ""
    grant = ev.kms_grant.grant
    return f"{grant.label}, grantee {grant.grantee}, operations {', '.join(grant.operations)}"


def statement_line(result: StatementResult) -> str:
    """One statement's result in a line: its label and effect, then ``applies`` or why it does not."""
    s = result.statement
    head = f"{s.label} ({s.effect.value})"
    if result.applies:
        return f"{head}: applies"
    return f"{head}: does not apply: {result.why_not}"


# -- HTML


def evaluation_html(ev: Evaluation) -> str:
    """One evaluation as an HTML fragment for a notebook: the outcome and reason, the deciding
    statements, each policy's statements and the ignored invalid policies. All text is escaped."""
    colour = COLOUR[ev.outcome]
    parts = [
        f"<div class='secretslab-evaluation'><p><b style='color:{colour}'>{escape(MARK[ev.outcome])}</b> "
        f"<code>{escape(ev.reason.value)}</code>: {escape(ev.reason.summary)}</p>"
    ]
    deciding = ([grant_line(ev)] if ev.kms_grant else []) + [str(d) for d in ev.deciding]
    if deciding:
        parts.append("<ul>" + "".join(f"<li>decided by {escape(d)}</li>" for d in deciding) + "</ul>")
    for policy in ev.policies:
        parts.append(_policy_html(policy))
    for inv in ev.invalid:
        parts.append(
            f"<p style='color:#b42318'>ignored invalid {escape(inv.label)}: "
            + escape("; ".join(p.message for p in inv.problems))
            + "</p>"
        )
    parts.append("</div>")
    return "".join(parts)


def _policy_html(policy: PolicyResult) -> str:
    rows = []
    for r in policy.statements():
        state = "applies" if r.applies else escape(r.why_not or "")
        colour = "#1a7f37" if r.applies and r.effect.value == "Allow" else "#b42318" if r.applies else "#666"
        rows.append(
            f"<tr><td>{escape(r.statement.label)}</td><td>{r.effect.value}</td>"
            f"<td style='color:{colour}'>{state}</td></tr>"
        )
    return (
        f"<p><b>{escape(policy.role.value)}</b>: {escape(policy.label)}</p>"
        "<table><tr><th>statement</th><th>effect</th><th>result</th></tr>" + "".join(rows) + "</table>"
    )


def escape(text: str) -> str:
    """Text for HTML, quotes included."""
    return html.escape(text, quote=True)
