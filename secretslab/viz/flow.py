"""The evaluation flow of one ``Evaluation``: AWS's order as a vertical chain of stages (semantics
§8.2–§8.7 and §8.11) — explicit deny, RCPs, SCPs, the resource-based policy, identity-based
policies, the permissions boundary, session policies — then the decision with its §12 reason
code. ``flow_stages`` is the figure's data: one entry per box, with what happened there.

AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..evaluation.results import Deciding, Evaluation
from ..evaluation.stages import PolicyRole, Stage, StageState
from ..policy.model import Effect
from .names import operation, short_name
from .style import (
    FONT_SIZE,
    INK,
    MUTED,
    NEUTRAL,
    OUTCOME_COLOURS,
    PATH_COLOUR,
    VERDICT,
    Artist,
    arrow,
    board,
    box,
    finish_board,
    fit,
    legend_band,
    line_count,
    text_height,
    tint,
    write,
)


@dataclass(frozen=True, slots=True)
class FlowStage:
    """One stage of AWS's evaluation flow as one request went through it.

    ``state`` is ``decided`` (the decision was made here, or for an allow: a statement here is
    one of those that allow it), ``passed`` (on the path, not deciding), ``n/a`` (no policy of
    this type applies) or ``not reached`` (after the stage that denied)."""

    key: str
    title: str
    state: str
    detail: str


_NONE = {
    PolicyRole.RESOURCE: "no resource-based policy",
    PolicyRole.IDENTITY: "no identity-based policies",
    PolicyRole.BOUNDARY: "no permissions boundary",
    PolicyRole.SESSION: "no session policies",
}


def flow_stages(evaluation: Evaluation) -> tuple[FlowStage, ...]:
    """The stages of §8.11 in AWS order, each with what happened there as the engine recorded it
    (``Evaluation.stages``), then the decision: the box that gives the verdict, wherever the
    flow was decided."""
    ev = evaluation
    out = [
        FlowStage(r.stage.value, r.stage.heading, r.state.value, _detail(ev, r.stage, r.state))
        for r in ev.stages
        if r.stage is not Stage.DECISION
    ]
    verdict = f"{ev.reason.value}: {ev.reason.summary}"
    out.append(
        FlowStage(Stage.DECISION.value, f"Decision: {VERDICT[ev.outcome]}", StageState.DECIDED.value, verdict)
    )
    return tuple(out)


def _quote(found: Sequence[Deciding]) -> str:
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return f"“{found[0]}”{more}"


def _applying(ev: Evaluation, role: PolicyRole, *, deny: bool = False) -> list[Deciding]:
    return [Deciding(p, r) for p in ev.policies_in(role) for r in (p.denies if deny else p.allows)]


def _detail(ev: Evaluation, stage: Stage, state: StageState) -> str:
    """The wording of what happened at a stage: the state is the engine's, the words quote the
    statements and policies of the evaluation."""
    if state is StageState.NOT_REACHED:
        return "not reached: the request was denied above"
    if stage is Stage.DENY:
        decided: Sequence[Deciding] = ev.deciding if state is StageState.DECIDED else ()
        denies = decided or [d for role in PolicyRole for d in _applying(ev, role, deny=True)]
        return "a Deny applies: " + _quote(denies) if denies else "no Deny statement applies"
    if stage is Stage.SCP:
        if state is StageState.DECIDED:
            failed = ", ".join(lv.node for lv in ev.scp_levels if not lv.allowed)
            return f"no SCP allows it at {failed or 'a level'}"
        if state is StageState.NOT_APPLICABLE:
            return "no SCPs apply to this principal"
        return "every level allows it: " + " → ".join(lv.node for lv in ev.scp_levels)
    if stage is Stage.RCP:
        rcps = ev.policies_in(PolicyRole.RCP)
        if not rcps:
            return "no RCPs apply to this resource"
        applies = "1 RCP applies" if len(rcps) == 1 else f"{len(rcps)} RCPs apply"
        return f"{applies}; none denies it (RCPs can only deny)"
    assert stage.role is not None  # every other stage but the decision reads one type of policy
    return _policy_detail(ev, stage, stage.role, state)


def _policy_detail(ev: Evaluation, stage: Stage, role: PolicyRole, state: StageState) -> str:
    """The wording for the resource-based, identity-based, boundary and session stages."""
    policies = ev.policies_in(role)
    verb = "grants it" if role is PolicyRole.RESOURCE else "allows it"
    if stage is ev.decided_at:  # the deny was decided here
        return f"{ev.reason.summary} ({policies[0].label if policies else _NONE[role]})"
    # the statements of this stage that allow it (after an explicit deny, the deciding are Denies)
    mine = [d for d in ev.deciding if d.policy.role is role and d.statement.effect is Effect.ALLOW]
    if state is StageState.DECIDED:  # one of the stages whose statements allow it
        return f"{verb}: {_quote(mine)}" if mine else ev.reason.summary
    if state is StageState.NOT_APPLICABLE:
        invalid = [i.label for i in ev.invalid if i.role is role]
        return f"{invalid[0]} is invalid: AWS would not have it" if invalid else _NONE[role]
    applying = mine or _applying(ev, role)
    if applying:
        return f"{verb}: {_quote(applying)}"
    if ev.allowed and role is PolicyRole.IDENTITY:
        return "not needed: the resource-based policy grants it"
    return f"no statement {verb}"


_FLOW_W = 7.2
_FLOW_H = 0.82
_FLOW_GAP = 0.3
_FLOW_X = 0.3
_TAGS = {
    StageState.DECIDED: "deciding",
    StageState.PASSED: "",
    StageState.NOT_APPLICABLE: "did not apply",
    StageState.NOT_REACHED: "not reached",
}


def evaluation_flow(evaluation: Evaluation, *, ax: Axes | None = None) -> Figure:
    """AWS's evaluation flow (§8.11) as a vertical chain: explicit deny, RCPs, SCPs, the
    resource-based policy, identity-based policies, the permissions boundary, session policies
    and the decision. The path this request took is blue; the stage that decided is coloured by
    the outcome and quotes the deciding statement (policy and Sid); stages with no policy, or
    after a deny, are greyed. A deny jumps from its stage straight to the decision."""
    ev = evaluation
    stages = flow_stages(ev)
    colour = OUTCOME_COLOURS[ev.outcome]
    handles: list[Artist] = [
        Line2D([], [], color=PATH_COLOUR, linewidth=2.2, label="path taken"),
        Patch(facecolor=tint(colour), edgecolor=colour, linewidth=2, label="deciding"),
        Patch(facecolor="#EFEFEF", edgecolor=NEUTRAL, linestyle="--", label="did not apply / not reached"),
    ]
    width = _FLOW_X + _FLOW_W + 0.8
    ncol, legend_h = legend_band(handles, width)
    where = "same account" if ev.same_account else "cross-account"
    heading = f"{short_name(ev.principal.arn)}: {operation(ev.action)} on {short_name(ev.resource)} ({where})"
    heading = fit(heading, width - 0.4, FONT_SIZE, 2, True)
    title_h = 0.3 + text_height(line_count(heading), FONT_SIZE)
    height = title_h + len(stages) * _FLOW_H + (len(stages) - 1) * _FLOW_GAP + legend_h + 0.1
    fig, ax = board(ax, width, height)
    write(ax, _FLOW_X, height - 0.15, heading, FONT_SIZE, ha="left", va="top", weight="bold")
    tops = [height - title_h - i * (_FLOW_H + _FLOW_GAP) for i in range(len(stages))]
    for stage, top in zip(stages, tops, strict=True):
        _draw_stage(ax, stage, top, colour)
    stop = max(i for i, s in enumerate(stages[:-1]) if s.state != StageState.NOT_REACHED)
    centre = _FLOW_X + _FLOW_W / 2
    for i in range(len(stages) - 1):
        on_path = ev.allowed or i < stop or i == stop == len(stages) - 2
        points = [(centre, tops[i] - _FLOW_H), (centre, tops[i + 1])]
        arrow(
            ax,
            points,
            f"flow:{i}",
            mutation_scale=11,
            zorder=1,
            color=PATH_COLOUR if on_path else "#BBBBBB",
            linewidth=2.2 if on_path else 1.0,
        )
    if not ev.allowed and stop < len(stages) - 2:  # the jump from the stage that denied
        x, y0, y1 = _FLOW_X + _FLOW_W, tops[stop] - _FLOW_H / 2, tops[-1] - _FLOW_H / 2
        arrow(
            ax,
            [(x, y0), (x + 0.4, y0), (x + 0.4, y1), (x, y1)],
            "flow:bypass",
            color=colour,
            linewidth=2.2,
            zorder=1,
        )
    finish_board(ax, handles, ncol, width, height)
    return fig


_STAGE_STYLE = {  # fill, edge, line width, line style, text colour
    StageState.DECIDED: ("", "", 2.4, "-", INK),
    StageState.PASSED: ("white", PATH_COLOUR, 1.6, "-", INK),
    StageState.NOT_APPLICABLE: ("#EFEFEF", NEUTRAL, 1.0, "--", MUTED),
    StageState.NOT_REACHED: ("white", "#BBBBBB", 1.0, "--", MUTED),
}


def _draw_stage(ax: Axes, stage: FlowStage, top: float, colour: str) -> None:
    fill, edge, lw, ls, ink = _STAGE_STYLE[StageState(stage.state)]
    if stage.state == StageState.DECIDED:
        fill, edge = tint(colour), colour
    x = _FLOW_X
    box(
        ax,
        x,
        top - _FLOW_H,
        _FLOW_W,
        _FLOW_H,
        f"stage:{stage.key}",
        facecolor=fill,
        edgecolor=edge,
        linewidth=lw,
        linestyle=ls,
        zorder=2,
    )
    write(ax, x + 0.15, top - 0.09, stage.title, FONT_SIZE, ha="left", va="top", weight="bold", color=ink)
    if _TAGS[StageState(stage.state)]:
        write(
            ax,
            x + _FLOW_W - 0.15,
            top - 0.1,
            _TAGS[StageState(stage.state)],
            FONT_SIZE,
            ha="right",
            va="top",
            style="italic",
            color=ink,
        )
    detail = fit(stage.detail, _FLOW_W - 0.3, FONT_SIZE, 2)
    write(
        ax,
        x + 0.15,
        top - 0.31,
        detail,
        FONT_SIZE,
        ha="left",
        va="top",
        color=ink,
        gid=f"stage-detail:{stage.key}",
    )
