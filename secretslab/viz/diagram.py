"""The access diagram of a ``Decision``: one swimlane per account, a box for the caller, each role
assumed (semantics §11), the secret and the KMS key, and an arrow per step coloured by its
outcome with its action and §12 reason code — the AssumeRole chain, the action, and the KMS
calls Secrets Manager makes on the caller's behalf (§10.2, §10.6). What the plan aimed at but
never reached is greyed. Boxes and arrows come from ``graph``, their places from ``layout``.

AWS page: https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from ..authorization import Decision
from ..evaluation.results import Outcome
from ..world import World
from .graph import Edge, Node, diagram_graph
from .layout import BOX_H, EDGE_LINES, RUN, place_columns, place_edges, place_rows
from .names import operation, short_name
from .style import (
    FONT_SIZE,
    INK,
    MUTED,
    NEUTRAL,
    OUTCOME_COLOURS,
    OUTCOME_LABELS,
    VERDICT,
    Artist,
    add_patch,
    arrow,
    board,
    box,
    finish_board,
    fit,
    legend_band,
    line_count,
    text_height,
    text_width,
    write,
)


def access_diagram(
    decision: Decision,
    world: World | None = None,
    *,
    ax: Axes | None = None,
    caption: str = "",
    legend: bool = True,
) -> Figure:
    """A swimlane diagram of a decision: one lane per account (name and id), a box for the
    caller, each role assumed (§11), the secret and the KMS key, and an arrow per step coloured
    by its outcome with the step's action and reason code on it; optional steps (§10, A7) are
    dashed, the step that failed is thicker, and the KMS calls Secrets Manager makes for the
    caller start at the secret. The calls of the plan that were never reached (an earlier one
    failed, ``Decision.unreached``) aim at boxes drawn greyed, with a dotted line to each. With
    ``world``, accounts, secrets and keys are named; ``caption`` (e.g. "After the fix") heads
    the title; ``legend=False`` leaves the legend out (a diagram drawn beside one that has it)."""
    nodes, edges = diagram_graph(decision, world)
    lanes = list(dict.fromkeys(n.account for n in nodes.values()))
    lane_w = max(_lane_label_width(a, world) for a in lanes) + 0.4
    width = place_columns(nodes, edges, lane_w + 0.25) + 0.3
    heading, verdict = _diagram_title(decision, world, width - 0.4, caption)
    head_h = text_height(line_count(heading), FONT_SIZE)
    title_h = 0.3 + head_h + text_height(line_count(verdict), FONT_SIZE)
    handles = _diagram_handles(any(not n.reached for n in nodes.values())) if legend else []
    ncol, legend_h = legend_band(handles, width)
    spans = place_rows(nodes, lanes)  # y from 0 downwards
    place_edges(edges, nodes)
    half = text_height(EDGE_LINES, FONT_SIZE) / 2 + 0.1
    top = max([0.0, *(e.slot + half for e in edges)])
    bottom = min([spans[-1][1], *(e.slot - half for e in edges)])
    height = title_h + (top - bottom) + legend_h
    fig, ax = board(ax, width, height)
    shift = height - title_h - top  # layout y -> board y
    for i, (account, (y0, y1)) in enumerate(zip(lanes, spans, strict=True)):
        hi = max(y0, top) if i == 0 else y0
        lo = min(y1, bottom) if i == len(lanes) - 1 else y1
        _draw_lane(ax, account, world, lo + shift, hi + shift, width, shade=i % 2 == 0)
    for node in nodes.values():
        _draw_node(ax, node, shift)
        if node.after is not None:
            _draw_aim(ax, nodes[node.after], node, shift)
    for edge in edges:
        _draw_edge(ax, edge, nodes, shift, thick=edge.step is decision.failed_step)
    write(ax, 0.2, height - 0.15, heading, FONT_SIZE, ha="left", va="top", weight="bold")
    write(ax, 0.2, height - 0.22 - head_h, verdict, FONT_SIZE, ha="left", va="top")
    finish_board(ax, handles, ncol, width, height)
    return fig


def _lane_label_width(account: str, world: World | None) -> float:
    """Width of a lane's label: the account's name over its id, or the id alone (bold)."""
    name = world.account(account).name if world else None
    return (
        max(text_width(name, FONT_SIZE, True), text_width(account, FONT_SIZE))
        if name
        else text_width(account, FONT_SIZE, True)
    )


def _draw_lane(
    ax: Axes, account: str, world: World | None, lo: float, hi: float, width: float, shade: bool
) -> None:
    fill = "#F3F3F3" if shade else "#FAFAFA"
    add_patch(
        ax, Rectangle((0, lo), width, hi - lo, facecolor=fill, edgecolor="#CCCCCC", linewidth=0.8, zorder=0)
    )
    name = world.account(account).name if world else None
    mid = (lo + hi) / 2
    if name:
        write(ax, 0.2, mid + 0.12, name, FONT_SIZE, ha="left", weight="bold")
        write(ax, 0.2, mid - 0.12, account, FONT_SIZE, ha="left", color=MUTED)
    else:
        write(ax, 0.2, mid, account, FONT_SIZE, ha="left", weight="bold")


def _draw_node(ax: Axes, node: Node, shift: float) -> None:
    y, cx = node.y + shift, node.x + node.w / 2
    principal = node.col == 0 or node.key.startswith("role:")
    fill = ("#E6F0F8" if principal else "white") if node.reached else "#F0F0F0"
    edge, style = ("#555555", "-") if node.reached else (NEUTRAL, "--")
    box(
        ax,
        node.x,
        y - BOX_H / 2,
        node.w,
        BOX_H,
        f"node:{node.key}",
        facecolor=fill,
        edgecolor=edge,
        linestyle=style,
        linewidth=1.2,
        zorder=3,
    )
    write(ax, cx, y + 0.13, node.kind, FONT_SIZE, color=MUTED)
    write(ax, cx, y - 0.12, node.name, FONT_SIZE, weight="bold", color=INK if node.reached else MUTED)


def _draw_aim(ax: Axes, src: Node, dst: Node, shift: float) -> None:
    """A faint dotted line to a box the request aimed at but did not reach (not a step)."""
    points = [(src.x + src.w, src.y + shift), (dst.x, dst.y + shift)]
    arrow(
        ax, points, f"aim:{dst.key}", mutation_scale=10, color=NEUTRAL, linewidth=1.0, linestyle=":", zorder=1
    )


def _draw_edge(ax: Axes, edge: Edge, nodes: dict[str, Node], shift: float, thick: bool) -> None:
    """The step's arrow runs level through its label slot in the gap after the acting box."""
    src, dst = nodes[edge.src], nodes[edge.dst]
    colour = OUTCOME_COLOURS[edge.step.evaluation.outcome]
    style = "--" if edge.step.optional else "-"
    x0, x1 = edge.gap
    x3 = dst.x if dst.col > src.col else dst.x + dst.w
    y = edge.slot + shift
    points = [(x0, edge.out_y + shift), (x0 + RUN, y), (x1 - RUN, y), (x3, edge.in_y + shift)]
    arrow(ax, points, f"step:{edge.number}", color=colour, linewidth=2.8 if thick else 1.8, linestyle=style)
    frame = {
        "boxstyle": "round,pad=0.25",
        "facecolor": "white",
        "edgecolor": colour,
        "linewidth": 1.2,
        "linestyle": style,
    }
    write(ax, (x0 + x1) / 2, y, edge.label, FONT_SIZE, zorder=5, gid=f"step-label:{edge.number}", bbox=frame)


def _diagram_title(decision: Decision, world: World | None, width: float, caption: str) -> tuple[str, str]:
    req = decision.request
    secret = world.secret(req.resource) if world and req.resource != "*" else None
    target = secret.name if secret else short_name(req.resource)
    hops = "".join(f" → {short_name(h.role_arn)}" for h in req.assume_role_chain)
    heading = f"{short_name(req.principal)}{hops}: {operation(req.action)} on {target}"
    heading = f"{caption} · {heading}" if caption else heading
    verdict = f"{VERDICT[decision.outcome]} · {decision.reason.value}: {decision.reason.summary}"
    failed = decision.failed_step
    if failed is not None and len(decision.steps) > 1:
        verdict += f", at step {decision.steps.index(failed) + 1} ({failed.action})"
    return fit(heading, width, FONT_SIZE, 1, True), fit(verdict, width, FONT_SIZE, 2)


def _diagram_handles(unreached: bool) -> list[Artist]:
    handles: list[Artist] = [
        Line2D([], [], color=OUTCOME_COLOURS[o], linewidth=2, label=OUTCOME_LABELS[o]) for o in Outcome
    ]
    handles.append(Line2D([], [], color=MUTED, linewidth=1.8, linestyle="--", label="optional step"))
    if unreached:
        handles.append(Patch(facecolor="#F0F0F0", edgecolor=NEUTRAL, linestyle="--", label="not reached"))
    return handles
