"""Figures over the explanation tree, for notebooks and widgets: the access diagram of a
``Decision`` (the AssumeRole chain, the action and the KMS calls Secrets Manager makes on the
caller's behalf, semantics §10.2, §10.6, §11, §12), the evaluation flow of one ``Evaluation``
(AWS's order, §8.2–§8.7 and §8.11, with the §12 reason code), heatmaps of an access matrix and
of the diff between two worlds, and the maintenance chart of identity- versus resource-based
designs as people come and go (§2.7, §8.6). Nothing here decides anything: every figure is drawn
from result data.

Matplotlib is used only through its object API: each function draws on the ``ax`` it is given,
or on a new ``matplotlib.figure.Figure`` it sizes itself, and returns the figure; pyplot and its
global state are never touched. Colours are Okabe–Ito (readable with the common colour vision
deficiencies) and an outcome is never shown by colour alone: marks also carry text or a line
style. The diagrams measure their text and work in inches (one data unit per inch in a figure
they create; on a smaller given axes, text shrinks with the drawing), so that no two labels
overlap.

AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap, to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch, Rectangle
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.textpath import text_to_path
from matplotlib.ticker import MaxNLocator

from .analysis import AccessMatrix
from .arn import Arn
from .authorization import Decision, Step
from .evaluation.principals import Principal, PrincipalType
from .evaluation.results import Deciding, Evaluation, Outcome, Reason
from .evaluation.stages import PolicyRole
from .services import secretsmanager as sm
from .world import Key, Secret, World

# -- palette (Okabe & Ito, "Color Universal Design")

ALLOW_COLOUR = "#009E73"  # bluish green
EXPLICIT_DENY_COLOUR = "#D55E00"  # vermillion
IMPLICIT_DENY_COLOUR = "#E69F00"  # orange
PATH_COLOUR = "#0072B2"  # blue: the path a request took, an access gained
NEUTRAL = "#999999"
INK = "#222222"
MUTED = "#666666"
OUTCOME_COLOURS = {
    Outcome.ALLOW: ALLOW_COLOUR,
    Outcome.EXPLICIT_DENY: EXPLICIT_DENY_COLOUR,
    Outcome.IMPLICIT_DENY: IMPLICIT_DENY_COLOUR,
}
OUTCOME_LABELS = {
    Outcome.ALLOW: "allow",
    Outcome.EXPLICIT_DENY: "explicit deny",
    Outcome.IMPLICIT_DENY: "implicit deny",
}
_VERDICT = {
    Outcome.ALLOW: "ALLOW",
    Outcome.EXPLICIT_DENY: "DENY (explicit)",
    Outcome.IMPLICIT_DENY: "DENY (implicit)",
}
DIFF_COLOURS = {
    "gained": PATH_COLOUR,
    "lost": EXPLICIT_DENY_COLOUR,
    "unchanged (allowed)": "#A8DCCB",  # a pale tint of the allow colour
    "unchanged (denied)": "#E4E4E4",
}


# -- text measured in inches, so that layouts can keep labels apart


@lru_cache(maxsize=8192)
def _width(text: str, size: float, bold: bool = False) -> float:
    """Width in inches of the longest line of ``text`` (padded: Agg draws up to ~6% wider)."""
    prop = FontProperties(size=size, weight="bold" if bold else "normal")
    widths = [text_to_path.get_text_width_height_descent(s, prop, ismath=False)[0] for s in text.split("\n")]
    return 1.08 * max(widths) / 72


def _height(lines: int, size: float) -> float:
    """Height in inches of ``lines`` lines at ``size`` points (matplotlib's 1.2 line spacing)."""
    return 1.35 * lines * size / 72


def _lines(text: str) -> int:
    return text.count("\n") + 1


def _fit(text: str, width: float, size: float, lines: int = 2, bold: bool = False) -> str:
    """``text`` wrapped to lines no wider than ``width`` inches (breaking after spaces, ``/``,
    ``-``, ``_`` and ``,``), at most ``lines`` of them, the last ending in … when cut."""
    out: list[str] = []
    line = ""
    for token in (t for t in re.split(r"(?<=[ /\-_,])", text) if t):
        if line and _width((line + token).rstrip(), size, bold) > width:
            out.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
        while len(line) > 1 and _width(line.rstrip(), size, bold) > width:  # one very long token
            cut = max(1, next(i for i in range(len(line), 0, -1) if _width(line[:i], size, bold) <= width))
            out.append(line[:cut])
            line = line[cut:]
    if line.strip():
        out.append(line.rstrip())
    if len(out) > lines:
        last = out[lines - 1]
        while last and _width(last + "…", size, bold) > width:
            last = last[:-1]
        out = [*out[: lines - 1], last.rstrip() + "…"]
    return "\n".join(out)


def _tint(colour: str, amount: float = 0.82) -> str:
    """``colour`` mixed with white (``amount`` of white)."""
    r, g, b = (c + (1 - c) * amount for c in to_rgb(colour))
    return to_hex((r, g, b))


# -- names


def short_name(arn: str) -> str:
    """A readable name for an ARN: a user's or role's name, ``Role/session`` for a role session
    (the role's name alone for the session named ``session``, which ``analysis`` uses to stand
    for a role), a secret's name without its random suffix, a key's id; anything else as is."""
    parsed = Arn.parse(arn)
    if parsed is None:
        return arn
    rtype, rid = parsed.resource_type, parsed.resource_id
    if parsed.service == "iam" and parsed.resource == "root":
        return f"root {parsed.account}"
    if parsed.service == "sts" and rtype == "assumed-role":
        role, _, session = rid.partition("/")
        return role if session == "session" else rid
    if parsed.service == "secretsmanager" and rtype == "secret":
        return re.sub(r"-[A-Za-z0-9]{6}$", "", rid)
    if parsed.service == "kms" and rtype == "key":
        return f"key {rid[:8]}…" if len(rid) > 12 else f"key {rid}"
    return parsed.name if rtype in ("user", "role", "group", "alias") else parsed.resource


def _account(arn: str) -> str:
    parsed = Arn.parse(arn)
    return parsed.account if parsed and parsed.account else "?"


def _short_labels(arns: Sequence[str]) -> list[str]:
    """Short names, with the account added where two would read the same."""
    names = [short_name(a) for a in arns]
    return [f"{n} ({_account(a)})" if names.count(n) > 1 else n for n, a in zip(names, arns, strict=True)]


def _operation(action: str) -> str:
    return action.partition(":")[2] or action


# -- drawing plumbing

Artist = Line2D | Patch  # legend handles


def _figure_of(ax: Axes) -> Figure:
    fig = ax.get_figure(root=True)
    if not isinstance(fig, Figure):
        raise ValueError("the Axes does not belong to a Figure")
    return fig


def _write(ax: Axes, x: float, y: float, text: str, size: float, **style: Any) -> Text:
    """Text as written here: centred unless told, never parsed as mathtext ($ in names)."""
    style = {"ha": "center", "va": "center", "color": INK, "zorder": 4, **style}
    return ax.text(x, y, text, fontsize=size, parse_math=False, **style)


def _box(ax: Axes, x: float, y: float, w: float, h: float, gid: str, **style: Any) -> None:
    """A rounded box with its lower left corner at (x, y)."""
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.08", gid=gid, **style))


def _arrow(ax: Axes, points: Sequence[tuple[float, float]], gid: str, **style: Any) -> None:
    """An arrow along the polyline ``points``, its head at the last one."""
    style = {"arrowstyle": "-|>", "mutation_scale": 12, "zorder": 2, **style}
    ax.add_patch(FancyArrowPatch(path=Path(points), gid=gid, **style))


def _board(ax: Axes | None, width: float, height: float) -> tuple[Figure, Axes]:
    """A drawing board ``width`` × ``height`` inches: a new figure of that size whose axes fill
    it (one data unit per inch), or the given axes set to the same limits."""
    if ax is None:
        fig = Figure(figsize=(width, height))
        ax = fig.add_axes((0, 0, 1, 1))
    else:
        fig = _figure_of(ax)
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig, ax


def _legend_band(handles: Sequence[Artist], width: float) -> tuple[int, float]:
    """(columns, height in inches) of a bottom legend of ``handles`` that fits ``width``: one
    row if it fits, else two, else one entry a row."""
    sizes = [_width(str(h.get_label()), 8) + 0.75 for h in handles]
    fits = [n for n in (len(sizes), -(-len(sizes) // 2)) if sum(sorted(sizes)[-n:]) <= width - 0.3]
    ncol = fits[0] if fits else 1
    return ncol, 0.2 + -(-len(sizes) // ncol) * 0.27


def _finish_board(ax: Axes, handles: Sequence[Artist], ncol: int, width: float, height: float) -> None:
    """Add the bottom legend. On a given axes smaller than the board, text, lines and arrow
    heads shrink with the drawing, so that labels still fit their boxes and slots."""
    box = ax.get_position()
    fig_w, fig_h = _figure_of(ax).get_size_inches()
    scale = min(1.0, box.width * fig_w / width, box.height * fig_h / height)
    if scale < 0.999:
        for text in ax.texts:
            text.set_fontsize(text.get_fontsize() * scale)
        for patch in ax.patches:
            patch.set_linewidth(patch.get_linewidth() * scale)
            if isinstance(patch, FancyArrowPatch):
                patch.set_mutation_scale(patch.get_mutation_scale() * scale)
    ax.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=ncol,
        frameon=False,
        fontsize=8 * scale,
        handlelength=2.4,
        borderaxespad=0.3,
    )


# -- 1. access diagram


@dataclass(slots=True)
class _Node:
    """A box of the access diagram while it is laid out (working state; never returned)."""

    key: str
    account: str
    kind: str
    name: str
    col: int
    reached: bool = True
    after: str | None = None  # not reached: the box it would have been reached from
    row: int = 0
    x: float = 0.0  # left edge
    y: float = 0.0  # centre
    w: float = 0.0


@dataclass(slots=True)
class _Edge:
    """An arrow of the access diagram: one step, from the box that acts to the box acted on."""

    src: str
    dst: str
    step: Step
    number: int
    label: str = ""
    slot: float = 0.0  # y of the label
    gap: tuple[float, float] = (0.0, 0.0)  # x span of the label's gap between columns
    out_y: float = 0.0
    in_y: float = 0.0


_BOX_H = 0.64
_ROW_GAP = 0.55
_LANE_PAD = 0.42
_EDGE_SIZE = 8.0
_RUN = 0.14  # the slanted run of an arrow into and out of its label slot


def access_diagram(decision: Decision, world: World | None = None, *, ax: Axes | None = None) -> Figure:
    """A swimlane diagram of a decision: one lane per account (name and id), a box for the
    caller, each role assumed (§11), the secret and the KMS key, and an arrow per step coloured
    by its outcome with the step's action and reason code on it; optional steps (§10, A7) are
    dashed, the step that failed is thicker, and the KMS calls Secrets Manager makes for the
    caller start at the secret. With ``world``, accounts, secrets and keys are named, and what
    the request aimed at but never reached is drawn greyed, with a dotted line to it."""
    nodes, edges = _diagram_graph(decision, world)
    lanes = list(dict.fromkeys(n.account for n in nodes.values()))
    lane_w = max(_lane_label_width(a, world) for a in lanes) + 0.4
    width = _place_columns(nodes, edges, lane_w + 0.25) + 0.3
    heading, verdict = _diagram_title(decision, world, width - 0.4)
    head_h = _height(_lines(heading), 10.5)
    title_h = 0.3 + head_h + _height(_lines(verdict), 9)
    handles = _diagram_handles(any(not n.reached for n in nodes.values()))
    ncol, legend_h = _legend_band(handles, width)
    spans = _place_rows(nodes, lanes)  # y from 0 downwards
    _place_edges(edges, nodes)
    half = _height(2, _EDGE_SIZE) / 2 + 0.1
    top = max([0.0, *(e.slot + half for e in edges)])
    bottom = min([spans[-1][1], *(e.slot - half for e in edges)])
    height = title_h + (top - bottom) + legend_h
    fig, ax = _board(ax, width, height)
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
    _write(ax, 0.2, height - 0.15, heading, 10.5, ha="left", va="top", weight="bold")
    _write(ax, 0.2, height - 0.22 - head_h, verdict, 9, ha="left", va="top")
    _finish_board(ax, handles, ncol, width, height)
    return fig


def _diagram_graph(decision: Decision, world: World | None) -> tuple[dict[str, _Node], list[_Edge]]:
    """The boxes, in order of appearance, each one column right of the box that reaches it,
    and an arrow per step."""
    req = decision.request
    nodes: dict[str, _Node] = {}
    _principal_node(nodes, decision.steps[0].principal if decision.steps else req.principal)
    sessions = [s.session_name for s in req.assume_role_chain]
    edges: list[_Edge] = []
    for number, step in enumerate(decision.steps, 1):
        src, dst = _source(step, nodes), _target_key(step)
        if dst not in nodes:
            session = sessions[len(edges)] if dst.startswith("role:") and len(edges) < len(sessions) else None
            account = step.evaluation.resource_account
            nodes[dst] = _resource_node(dst, step.resource, account, world, nodes[src].col + 1, session)
        edges.append(_Edge(src, dst, step, number, _edge_label(step, number)))
    _add_unreached(nodes, decision, world)
    return nodes, edges


def _principal_key(arn: str) -> str:
    """A role session is drawn in its role's box."""
    parsed = Arn.parse(arn)
    if parsed and parsed.service == "sts" and parsed.resource_type == "assumed-role":
        return f"role:{parsed.account}:{parsed.resource_id.split('/')[0]}"
    return arn


_PRINCIPAL_KINDS = {
    PrincipalType.USER: "IAM user",
    PrincipalType.SESSION: "role session",
    PrincipalType.ROOT: "root user",
    PrincipalType.FEDERATED: "federated user",
}


def _principal_node(nodes: dict[str, _Node], arn: str) -> str:
    key = _principal_key(arn)
    if key not in nodes:
        p = Principal.from_arn(arn)
        kind = _PRINCIPAL_KINDS[p.type] if p else "principal"
        name = "root" if p and p.type is PrincipalType.ROOT else short_name(arn)
        nodes[key] = _Node(key, p.account if p else _account(arn), kind, name, 0)
    return key


def _source(step: Step, nodes: dict[str, _Node]) -> str:
    """KMS calls that Secrets Manager makes for the caller start at the secret (§10, FAS)."""
    if step.action.lower().startswith("kms:"):
        secret = step.evaluation.context.single("kms:encryptioncontext:secretarn")
        if secret and secret in nodes:
            return secret
    return _principal_node(nodes, step.principal)


def _target_key(step: Step) -> str:
    if step.action.lower() == "sts:assumerole":
        arn = Arn.parse(step.resource)
        return f"role:{arn.account}:{arn.name}" if arn else step.resource
    return f"*:{step.evaluation.resource_account}" if step.resource == "*" else step.resource


def _resource_node(
    key: str, resource: str, account: str, world: World | None, col: int, session: str | None = None
) -> _Node:
    arn = Arn.parse(resource)
    if arn is None:
        return _Node(key, account, "any resource" if resource == "*" else "resource", resource, col)
    kind, name = f"{arn.service} {arn.resource_type}".strip(), short_name(resource)
    if arn.service == "iam" and arn.resource_type == "role":
        kind = f"IAM role · session {session}" if session else "IAM role"
    elif arn.service == "secretsmanager":
        secret = world.secret(resource) if world else None
        kind, name = "secret", secret.name if secret else name
    elif arn.service == "kms":
        found = world.key(resource) if world else None
        if found is not None:
            kind = f"KMS key ({'AWS' if found.aws_managed else 'customer'} managed)"
            name = found.label.removeprefix("alias/")
        else:
            kind = "KMS key"
    return _Node(key, arn.account or account, kind, name, col)


def _add_unreached(nodes: dict[str, _Node], decision: Decision, world: World | None) -> None:
    """The roles, secret and key the request aimed at that no step reached, greyed, each
    remembering the box it would have been reached from."""
    req = decision.request
    previous = next(iter(nodes))
    for col, hop in enumerate(req.assume_role_chain, 1):
        arn = Arn.parse(hop.role_arn)
        key = f"role:{arn.account}:{arn.name}" if arn else hop.role_arn
        if key not in nodes:
            node = _resource_node(key, hop.role_arn, "?", world, col, hop.session_name)
            nodes[key] = _unreached(node, previous)
        previous = key
    secret = world.secret(req.resource) if world and req.resource != "*" else None
    target = secret.arn if secret else req.resource
    if Arn.parse(target) is None:
        return
    if target not in nodes:
        col = len(req.assume_role_chain) + 1
        nodes[target] = _unreached(_resource_node(target, target, "?", world, col), previous)
    if secret is None or world is None or decision.allowed:
        return
    kms_key = world.secret_key(secret)
    if kms_key.arn not in nodes and _uses_key(decision, secret, kms_key):
        node = _resource_node(kms_key.arn, kms_key.arn, kms_key.account, world, nodes[target].col + 1)
        nodes[kms_key.arn] = _unreached(node, target)


def _uses_key(decision: Decision, secret: Secret, key: Key) -> bool:
    """Whether the Secrets Manager operation would call KMS with the secret's key (§10.2)."""
    req = decision.request
    service, _, operation = req.action.partition(":")
    if service.lower() != "secretsmanager":
        return False
    plan = sm.plan(
        operation,
        req.parameters,
        key_is_aws_managed=key.aws_managed,
        key_changed=False,
        version_id=None,
        versions=dict(secret.versions),
    )
    return any(s.action.lower().startswith("kms:") for s in plan.steps)


def _unreached(node: _Node, after: str) -> _Node:
    node.reached = False
    node.after = after
    node.kind = f"{node.kind} · not reached"
    return node


def _edge_label(step: Step, number: int) -> str:
    optional = " (optional)" if step.optional else ""
    return f"{number}. {_operation(step.action)}{optional}\n{step.evaluation.reason.value}"


def _lane_label_width(account: str, world: World | None) -> float:
    """Width of a lane's label: the account's name over its id, or the id alone (bold)."""
    name = world.account(account).name if world else None
    return max(_width(name, 9, True), _width(account, 7.5)) if name else _width(account, 9, True)


def _place_columns(nodes: dict[str, _Node], edges: list[_Edge], x0: float) -> float:
    """x and width of every box: a column is as wide as its widest box, the gap after it as
    wide as the widest label of the arrows leaving it. Returns the right edge of the drawing."""
    ncols = max(n.col for n in nodes.values()) + 1
    widths = [1.3] * ncols
    for n in nodes.values():
        widths[n.col] = max(widths[n.col], _width(n.kind, 7.5) + 0.3, _width(n.name, 9, True) + 0.3)
    gaps = [0.7] * (ncols - 1) + [0.0]
    for e in edges:
        col = nodes[e.src].col
        gaps[col] = max(gaps[col], 1.0, _width(e.label, _EDGE_SIZE) + 2 * _RUN + 0.25)
    lefts = [x0 + sum(widths[:c]) + sum(gaps[:c]) for c in range(ncols)]
    for n in nodes.values():
        n.x, n.w = lefts[n.col], widths[n.col]
    for e in edges:
        src = nodes[e.src]
        e.gap = (src.x + src.w, src.x + src.w + gaps[src.col])
    return lefts[-1] + widths[-1] + gaps[-1]


def _place_rows(nodes: dict[str, _Node], lanes: list[str]) -> list[tuple[float, float]]:
    """y of every box, stacked where a lane has several in one column; returns each lane's
    (top, bottom), y from 0 downwards."""
    cells: dict[tuple[str, int], int] = {}
    for node in nodes.values():
        node.row = cells.get((node.account, node.col), 0)
        cells[(node.account, node.col)] = node.row + 1
    spans = []
    top = 0.0
    for lane in lanes:
        rows = max(n for (a, _), n in cells.items() if a == lane)
        bottom = top - 2 * _LANE_PAD - rows * _BOX_H - (rows - 1) * _ROW_GAP
        for node in nodes.values():
            if node.account == lane:
                node.y = top - _LANE_PAD - _BOX_H / 2 - node.row * (_BOX_H + _ROW_GAP)
        spans.append((top, bottom))
        top = bottom
    return spans


def _spread(wanted: list[float], pitch: float) -> list[float]:
    """Positions near ``wanted`` (in the given order, top first), at least ``pitch`` apart."""
    placed: list[float] = []
    for w in wanted:
        placed.append(min(w, placed[-1] - pitch) if placed else w)
    drift = sum(placed) / len(placed) - sum(wanted) / len(wanted)
    return [p - drift for p in placed]


def _place_edges(edges: list[_Edge], nodes: dict[str, _Node]) -> None:
    """Label slots per gap between columns, kept a label's height apart; then where each arrow
    leaves and enters its boxes, in the same top-to-bottom order, so that arrows never cross."""
    pitch = _height(2, _EDGE_SIZE) + 0.12
    gaps: dict[int, list[_Edge]] = {}
    for e in edges:
        gaps.setdefault(nodes[e.src].col, []).append(e)
    for group in gaps.values():
        group.sort(key=lambda e: (-(nodes[e.src].y + nodes[e.dst].y), e.number))
        slots = _spread([(nodes[e.src].y + nodes[e.dst].y) / 2 for e in group], pitch)
        for e, y in zip(group, slots, strict=True):
            e.slot = y
    for end in ("src", "dst"):
        ports: dict[str, list[_Edge]] = {}
        for e in edges:
            ports.setdefault(e.src if end == "src" else e.dst, []).append(e)
        for key, group in ports.items():
            group.sort(key=lambda e: -e.slot)
            step = min(0.1, (_BOX_H - 0.2) / max(len(group) - 1, 1))
            for i, e in enumerate(group):
                y = nodes[key].y + ((len(group) - 1) / 2 - i) * step
                if end == "src":
                    e.out_y = y
                else:
                    e.in_y = y


def _draw_lane(
    ax: Axes, account: str, world: World | None, lo: float, hi: float, width: float, shade: bool
) -> None:
    fill = "#F3F3F3" if shade else "#FAFAFA"
    ax.add_patch(
        Rectangle((0, lo), width, hi - lo, facecolor=fill, edgecolor="#CCCCCC", linewidth=0.8, zorder=0)
    )
    name = world.account(account).name if world else None
    mid = (lo + hi) / 2
    if name:
        _write(ax, 0.2, mid + 0.1, name, 9, ha="left", weight="bold")
        _write(ax, 0.2, mid - 0.12, account, 7.5, ha="left", color=MUTED)
    else:
        _write(ax, 0.2, mid, account, 9, ha="left", weight="bold")


def _draw_node(ax: Axes, node: _Node, shift: float) -> None:
    y, cx = node.y + shift, node.x + node.w / 2
    principal = node.col == 0 or node.key.startswith("role:")
    fill = ("#E6F0F8" if principal else "white") if node.reached else "#F0F0F0"
    edge, style = ("#555555", "-") if node.reached else (NEUTRAL, "--")
    _box(
        ax,
        node.x,
        y - _BOX_H / 2,
        node.w,
        _BOX_H,
        f"node:{node.key}",
        facecolor=fill,
        edgecolor=edge,
        linestyle=style,
        linewidth=1.2,
        zorder=3,
    )
    _write(ax, cx, y + 0.13, node.kind, 7.5, color=MUTED)
    _write(ax, cx, y - 0.1, node.name, 9, weight="bold", color=INK if node.reached else MUTED)


def _draw_aim(ax: Axes, src: _Node, dst: _Node, shift: float) -> None:
    """A faint dotted line to a box the request aimed at but did not reach (not a step)."""
    points = [(src.x + src.w, src.y + shift), (dst.x, dst.y + shift)]
    _arrow(
        ax, points, f"aim:{dst.key}", mutation_scale=10, color=NEUTRAL, linewidth=1.0, linestyle=":", zorder=1
    )


def _draw_edge(ax: Axes, edge: _Edge, nodes: dict[str, _Node], shift: float, thick: bool) -> None:
    """The step's arrow runs level through its label slot in the gap after the acting box."""
    src, dst = nodes[edge.src], nodes[edge.dst]
    colour = OUTCOME_COLOURS[edge.step.evaluation.outcome]
    style = "--" if edge.step.optional else "-"
    x0, x1 = edge.gap
    x3 = dst.x if dst.col > src.col else dst.x + dst.w
    y = edge.slot + shift
    points = [(x0, edge.out_y + shift), (x0 + _RUN, y), (x1 - _RUN, y), (x3, edge.in_y + shift)]
    _arrow(ax, points, f"step:{edge.number}", color=colour, linewidth=2.8 if thick else 1.8, linestyle=style)
    frame = {
        "boxstyle": "round,pad=0.25",
        "facecolor": "white",
        "edgecolor": colour,
        "linewidth": 1.2,
        "linestyle": style,
    }
    _write(
        ax, (x0 + x1) / 2, y, edge.label, _EDGE_SIZE, zorder=5, gid=f"step-label:{edge.number}", bbox=frame
    )


def _diagram_title(decision: Decision, world: World | None, width: float) -> tuple[str, str]:
    req = decision.request
    secret = world.secret(req.resource) if world and req.resource != "*" else None
    target = secret.name if secret else short_name(req.resource)
    hops = "".join(f" → {short_name(h.role_arn)}" for h in req.assume_role_chain)
    heading = f"{short_name(req.principal)}{hops}: {_operation(req.action)} on {target}"
    verdict = f"{_VERDICT[decision.outcome]} · {decision.reason.value}: {decision.reason.summary}"
    failed = decision.failed_step
    if failed is not None and len(decision.steps) > 1:
        verdict += f", at step {decision.steps.index(failed) + 1} ({failed.action})"
    return _fit(heading, width, 10.5, 1, True), _fit(verdict, width, 9, 2)


def _diagram_handles(unreached: bool) -> list[Artist]:
    handles: list[Artist] = [
        Line2D([], [], color=OUTCOME_COLOURS[o], linewidth=2, label=OUTCOME_LABELS[o]) for o in Outcome
    ]
    handles.append(Line2D([], [], color=MUTED, linewidth=1.8, linestyle="--", label="optional step"))
    if unreached:
        handles.append(Patch(facecolor="#F0F0F0", edgecolor=NEUTRAL, linestyle="--", label="not reached"))
    return handles


# -- 2. evaluation flow


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


_STAGES = (
    ("deny", "Explicit deny (every policy)"),
    ("scp", "Service control policies (SCPs)"),
    ("rcp", "Resource control policies (RCPs)"),
    ("resource", "Resource-based policy"),
    ("identity", "Identity-based policies"),
    ("boundary", "Permissions boundary"),
    ("session", "Session policies"),
)
_DECIDED_AT = {
    Reason.SCP_IMPLICIT_DENY: "scp",
    Reason.XACCT_NO_RESOURCE_GRANT: "resource",
    Reason.KMS_KEY_POLICY_NO_GRANT: "resource",
    Reason.TRUST_POLICY_NO_MATCH: "resource",
    Reason.XACCT_UNSUPPORTED_ACTION: "resource",
    Reason.NO_APPLICABLE_ALLOW: "identity",
    Reason.XACCT_NO_IDENTITY_GRANT: "identity",
    Reason.ROOT_CANNOT_ASSUME_ROLE: "identity",
    Reason.PB_IMPLICIT_DENY: "boundary",
    Reason.SESSION_POLICY_IMPLICIT_DENY: "session",
}
_ROLES = {
    "resource": PolicyRole.RESOURCE,
    "identity": PolicyRole.IDENTITY,
    "boundary": PolicyRole.BOUNDARY,
    "session": PolicyRole.SESSION,
}
_NONE = {
    PolicyRole.RESOURCE: "no resource-based policy",
    PolicyRole.IDENTITY: "no identity-based policies",
    PolicyRole.BOUNDARY: "no permissions boundary",
    PolicyRole.SESSION: "no session policies",
}


def flow_stages(evaluation: Evaluation) -> tuple[FlowStage, ...]:
    """The stages of §8.11 in AWS order, each with what happened there, then the decision."""
    ev = evaluation
    if ev.outcome is Outcome.EXPLICIT_DENY:
        decided = "deny"
    elif ev.allowed:
        decided = "decision"
    else:  # INVALID_POLICY and PUBLIC_POLICY_BLOCKED are decided at the end
        decided = _DECIDED_AT.get(ev.reason, "decision")
    keys = [k for k, _ in _STAGES]
    stop = keys.index(decided) if decided in keys else len(keys)
    out = []
    for i, (key, title) in enumerate(_STAGES):
        if i > stop:
            state, detail = "not reached", "not reached: the request was denied above"
        else:
            state, detail = _stage(ev, key, here=key == decided)
        out.append(FlowStage(key, title, state, detail))
    verdict = f"{ev.reason.value}: {ev.reason.summary}"
    out.append(FlowStage("decision", f"Decision: {_VERDICT[ev.outcome]}", "decided", verdict))
    return tuple(out)


def _quote(found: Sequence[Deciding]) -> str:
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return f"“{found[0]}”{more}"


def _applying(ev: Evaluation, role: PolicyRole, *, deny: bool = False) -> list[Deciding]:
    return [Deciding(p, r) for p in ev.policies_in(role) for r in (p.denies if deny else p.allows)]


def _stage(ev: Evaluation, key: str, here: bool) -> tuple[str, str]:
    """(state, detail) of a stage on the path (at or above the one that decided)."""
    if key == "deny":
        if here:
            denies = ev.deciding or [d for role in PolicyRole for d in _applying(ev, role, deny=True)]
            return "decided", "a Deny applies: " + _quote(denies)
        return "passed", "no Deny statement applies"
    if key == "scp":
        if here:
            failed = ", ".join(lv.node for lv in ev.scp_levels if not lv.allowed)
            return "decided", f"no SCP allows it at {failed or 'a level'}"
        if not ev.scp_levels:
            return "n/a", "no SCPs apply to this principal"
        return "passed", "every level allows it: " + " → ".join(lv.node for lv in ev.scp_levels)
    if key == "rcp":
        rcps = ev.policies_in(PolicyRole.RCP)
        if not rcps:
            return "n/a", "no RCPs apply to this resource"
        applies = "1 RCP applies" if len(rcps) == 1 else f"{len(rcps)} RCPs apply"
        return "passed", f"{applies}; none denies it (RCPs can only deny)"
    return _allow_stage(ev, _ROLES[key], here)


def _allow_stage(ev: Evaluation, role: PolicyRole, here: bool) -> tuple[str, str]:
    policies = ev.policies_in(role)
    verb = "grants it" if role is PolicyRole.RESOURCE else "allows it"
    if here:
        return "decided", f"{ev.reason.summary} ({policies[0].label if policies else _NONE[role]})"
    mine = [d for d in ev.deciding if d.policy.role is role]
    if ev.allowed and role is PolicyRole.IDENTITY and ev.reason is Reason.ALLOWED_ROOT:
        return "decided", ev.reason.summary
    if ev.allowed and mine:
        return "decided", f"{verb}: {_quote(mine)}"
    if not policies:
        invalid = [i.label for i in ev.invalid if i.role is role]
        return "n/a", f"{invalid[0]} is invalid: AWS would not have it" if invalid else _NONE[role]
    applying = mine or _applying(ev, role)
    if applying:
        return "passed", f"{verb}: {_quote(applying)}"
    if ev.allowed and role is PolicyRole.IDENTITY:
        return "passed", "not needed: the resource-based policy grants it"
    return "passed", f"no statement {verb}"


_FLOW_W = 5.8
_FLOW_H = 0.76
_FLOW_GAP = 0.3
_FLOW_X = 0.3
_TAGS = {"decided": "deciding", "passed": "", "n/a": "did not apply", "not reached": "not reached"}


def evaluation_flow(evaluation: Evaluation, *, ax: Axes | None = None) -> Figure:
    """AWS's evaluation flow (§8.11) as a vertical chain: explicit deny, SCPs, RCPs, the
    resource-based policy, identity-based policies, the permissions boundary, session policies
    and the decision. The path this request took is blue; the stage that decided is coloured by
    the outcome and quotes the deciding statement (policy and Sid); stages with no policy, or
    after a deny, are greyed. A deny jumps from its stage straight to the decision."""
    ev = evaluation
    stages = flow_stages(ev)
    colour = OUTCOME_COLOURS[ev.outcome]
    handles: list[Artist] = [
        Line2D([], [], color=PATH_COLOUR, linewidth=2.2, label="path taken"),
        Patch(facecolor=_tint(colour), edgecolor=colour, linewidth=2, label="deciding"),
        Patch(facecolor="#EFEFEF", edgecolor=NEUTRAL, linestyle="--", label="did not apply / not reached"),
    ]
    width = _FLOW_X + _FLOW_W + 0.8
    ncol, legend_h = _legend_band(handles, width)
    where = "same account" if ev.same_account else "cross-account"
    heading = (
        f"{short_name(ev.principal.arn)}: {_operation(ev.action)} on {short_name(ev.resource)} ({where})"
    )
    heading = _fit(heading, width - 0.4, 10.5, 2, True)
    title_h = 0.3 + _height(_lines(heading), 10.5)
    height = title_h + len(stages) * _FLOW_H + (len(stages) - 1) * _FLOW_GAP + legend_h + 0.1
    fig, ax = _board(ax, width, height)
    _write(ax, _FLOW_X, height - 0.15, heading, 10.5, ha="left", va="top", weight="bold")
    tops = [height - title_h - i * (_FLOW_H + _FLOW_GAP) for i in range(len(stages))]
    for stage, top in zip(stages, tops, strict=True):
        _draw_stage(ax, stage, top, colour)
    stop = max(i for i, s in enumerate(stages[:-1]) if s.state != "not reached")
    centre = _FLOW_X + _FLOW_W / 2
    for i in range(len(stages) - 1):
        on_path = ev.allowed or i < stop or i == stop == len(stages) - 2
        points = [(centre, tops[i] - _FLOW_H), (centre, tops[i + 1])]
        _arrow(
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
        _arrow(
            ax,
            [(x, y0), (x + 0.4, y0), (x + 0.4, y1), (x, y1)],
            "flow:bypass",
            color=colour,
            linewidth=2.2,
            zorder=1,
        )
    _finish_board(ax, handles, ncol, width, height)
    return fig


_STAGE_STYLE = {  # fill, edge, line width, line style, text colour
    "decided": ("", "", 2.4, "-", INK),
    "passed": ("white", PATH_COLOUR, 1.6, "-", INK),
    "n/a": ("#EFEFEF", NEUTRAL, 1.0, "--", MUTED),
    "not reached": ("white", "#BBBBBB", 1.0, "--", MUTED),
}


def _draw_stage(ax: Axes, stage: FlowStage, top: float, colour: str) -> None:
    fill, edge, lw, ls, ink = _STAGE_STYLE[stage.state]
    if stage.state == "decided":
        fill, edge = _tint(colour), colour
    x = _FLOW_X
    _box(
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
    _write(ax, x + 0.15, top - 0.09, stage.title, 9, ha="left", va="top", weight="bold", color=ink)
    if _TAGS[stage.state]:
        _write(
            ax,
            x + _FLOW_W - 0.15,
            top - 0.1,
            _TAGS[stage.state],
            7.5,
            ha="right",
            va="top",
            style="italic",
            color=ink,
        )
    detail = _fit(stage.detail, _FLOW_W - 0.3, 8, 2)
    _write(
        ax, x + 0.15, top - 0.33, detail, 8, ha="left", va="top", color=ink, gid=f"stage-detail:{stage.key}"
    )


# -- 3 and 4. heatmaps


@dataclass(frozen=True, slots=True)
class _Category:
    label: str
    colour: str
    mark: str
    ink: str


_OUTCOME_CATEGORIES = (
    _Category("allow", ALLOW_COLOUR, "✓", "white"),
    _Category("implicit deny", IMPLICIT_DENY_COLOUR, "–", INK),
    _Category("explicit deny", EXPLICIT_DENY_COLOUR, "✗", "white"),
)
_OUTCOME_INDEX = {Outcome.ALLOW: 0, Outcome.IMPLICIT_DENY: 1, Outcome.EXPLICIT_DENY: 2}
_DIFF_CATEGORIES = (
    _Category("gained", DIFF_COLOURS["gained"], "+", "white"),
    _Category("lost", DIFF_COLOURS["lost"], "−", "white"),
    _Category("unchanged (allowed)", DIFF_COLOURS["unchanged (allowed)"], "✓", INK),
    _Category("unchanged (denied)", DIFF_COLOURS["unchanged (denied)"], "", INK),
)


def matrix_heatmap(matrix: AccessMatrix, *, action: str | None = None, ax: Axes | None = None) -> Figure:
    """Principals × secrets for one action (default: the matrix's first action), or principals ×
    actions when the matrix has one resource and no action is given; each cell coloured and
    marked by its outcome (✓ allow, – implicit deny, ✗ explicit deny). The legend sits beside
    the axes: a given ``ax`` keeps it in view in a figure with ``layout="constrained"``."""
    by_action, action = _view(matrix, action)
    first = matrix.resources[0] if matrix.resources else ""
    cols = matrix.actions if by_action else matrix.resources

    def outcome(p: str, c: str) -> Outcome:
        return (matrix.cell(p, first, c) if by_action else matrix.cell(p, c, action)).outcome

    grid = [[_OUTCOME_INDEX[outcome(p, c)] for c in cols] for p in matrix.principals]
    rows = _short_labels(matrix.principals)
    if by_action:
        title = f"What each principal may do on {short_name(first)}"
        return _heatmap(ax, grid, _OUTCOME_CATEGORIES, rows, [_operation(a) for a in cols], title, "action")
    title = f"Who may {_operation(action)}, on which secret"
    return _heatmap(ax, grid, _OUTCOME_CATEGORIES, rows, _short_labels(cols), title, "secret")


def diff_heatmap(
    before: AccessMatrix, after: AccessMatrix, *, action: str | None = None, ax: Axes | None = None
) -> Figure:
    """What changes between two matrices (e.g. of a world before and after a what-if edit), for
    one action over principals × secrets (or over actions when there is one resource): access
    gained, lost, unchanged and allowed, unchanged and denied. A principal or secret present in
    one matrix only counts as denied in the other."""
    by_action, action = _view(after, action)
    principals = tuple(dict.fromkeys([*before.principals, *after.principals]))
    resources = tuple(dict.fromkeys([*before.resources, *after.resources]))
    cols = tuple(dict.fromkeys([*before.actions, *after.actions])) if by_action else resources

    def allowed(m: AccessMatrix, p: str, c: str) -> bool:
        r, a = (resources[0], c) if by_action else (c, action)
        try:
            return m.cell(p, r, a).allowed
        except KeyError:
            return False

    grid = [[_diff_index(allowed(before, p, c), allowed(after, p, c)) for c in cols] for p in principals]
    gained, lost = sum(row.count(0) for row in grid), sum(row.count(1) for row in grid)
    what = f"on {short_name(resources[0])}" if by_action else _operation(action)
    title = f"What changes ({what}): {gained} gained, {lost} lost"
    labels = [_operation(a) for a in cols] if by_action else _short_labels(cols)
    xlabel = "action" if by_action else "secret"
    return _heatmap(ax, grid, _DIFF_CATEGORIES, _short_labels(principals), labels, title, xlabel)


def _diff_index(was: bool, now: bool) -> int:
    """The index in ``_DIFF_CATEGORIES``."""
    if now != was:
        return 0 if now else 1
    return 2 if now else 3


def _view(matrix: AccessMatrix, action: str | None) -> tuple[bool, str]:
    """(columns are actions, the action shown) for a matrix and an optional action."""
    if action is None:
        if not matrix.actions:
            raise ValueError("the matrix has no actions")
        return len(matrix.resources) == 1 and len(matrix.actions) > 1, matrix.actions[0]
    if action not in matrix.actions:
        raise ValueError(f"{action!r} is not an action of the matrix ({', '.join(matrix.actions)})")
    return False, action


_CELL_H = 0.42
_TICK_SIZE = 8.5


def _heatmap(
    ax: Axes | None,
    grid: list[list[int]],
    categories: Sequence[_Category],
    rows: Sequence[str],
    cols: Sequence[str],
    title: str,
    xlabel: str,
) -> Figure:
    handles = [
        Patch(facecolor=c.colour, edgecolor="#888888", label=f"{c.mark} {c.label}".strip())
        for c in categories
    ]
    cell_w = min(max(0.62, max((_width(c, _TICK_SIZE) for c in cols), default=0.5) + 0.2), 1.6)
    col_labels = [_fit(c, cell_w - 0.12, _TICK_SIZE, 2) for c in cols]
    if ax is None:
        fig = Figure(figsize=_heatmap_size(rows, col_labels, cell_w, handles, title), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = _figure_of(ax)
    if not rows or not cols:
        ax.set_axis_off()
        _write(
            ax,
            0.5,
            0.5,
            "nothing to show: no principals or no columns",
            9,
            color=MUTED,
            transform=ax.transAxes,
        )
        return fig
    _cells(ax, grid, categories, len(rows), len(cols))
    ax.set_xticks(range(len(cols)), col_labels, fontsize=_TICK_SIZE)
    ax.set_yticks(range(len(rows)), list(rows), fontsize=_TICK_SIZE)
    ax.set_xlabel(xlabel, fontsize=9, color=MUTED)
    ax.set_ylabel("principal", fontsize=9, color=MUTED)
    width = fig.get_size_inches()[0] - 0.3
    ax.set_title(_fit(title, width, 11, 2), fontsize=11, loc="left", color=INK)
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        frameon=False,
        fontsize=8,
        borderaxespad=0.0,
    )
    return fig


def _heatmap_size(
    rows: Sequence[str], col_labels: Sequence[str], cell_w: float, handles: Sequence[Artist], title: str
) -> tuple[float, float]:
    """Figure size in inches: labels, cells, the legend beside them and the title above."""
    row_w = max((_width(r, _TICK_SIZE) for r in rows), default=0.5)
    legend_w = max(_width(str(h.get_label()), 8) for h in handles) + 0.8
    width = row_w + 0.6 + len(col_labels) * cell_w + legend_w + 0.2
    label_lines = max((_lines(c) for c in col_labels), default=1)
    title_lines = _lines(_fit(title, width - 0.3, 11, 2))
    height = 1.0 + _height(title_lines, 11) + len(rows) * _CELL_H + _height(label_lines, _TICK_SIZE)
    return width, max(height, 1.6 + 0.3 * len(handles))


def _cells(ax: Axes, grid: list[list[int]], categories: Sequence[_Category], nrows: int, ncols: int) -> None:
    """The coloured cells, a mark in each (while there are few enough to read), white seams."""
    data = np.array(grid, dtype=float).reshape(nrows, ncols)
    cmap = ListedColormap([c.colour for c in categories])
    ax.imshow(data, cmap=cmap, vmin=-0.5, vmax=len(categories) - 0.5, aspect="auto", interpolation="nearest")
    if nrows * ncols <= 900:
        for i, row in enumerate(grid):
            for j, code in enumerate(row):
                if categories[code].mark:
                    _write(ax, j, i, categories[code].mark, 10, color=categories[code].ink)
    ax.set_xticks(np.arange(ncols + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(nrows + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)


# -- 5. maintenance chart


def maintenance_counts(events: Sequence[tuple[str, str]], *, secrets: int = 3) -> dict[str, list[int]]:
    """The cumulative number of policy edits after each of ``events`` ("join" or "leave",
    person) for a team whose ``secrets`` secrets are shared two ways: ``identity`` — a group's
    identity-based policy grants them, so a joiner or leaver is one group-membership edit;
    ``resource`` — each secret's resource-based policy lists the people by ARN, so every event is
    one edit per secret (a forgotten edit leaves a stale grant, §2.7). Both lists start at 0."""
    if secrets < 0:
        raise ValueError("secrets is a count, 0 or more")
    identity, resource = [0], [0]
    for i, event in enumerate(events):
        if not (isinstance(event, tuple) and len(event) == 2 and event[0] in ("join", "leave")):
            raise ValueError(f"event {i} is {event!r}; expected ('join' or 'leave', person)")
        identity.append(identity[-1] + 1)
        resource.append(resource[-1] + secrets)
    return {"identity": identity, "resource": resource}


def maintenance_chart(
    events: Sequence[tuple[str, str]], *, secrets: int = 3, ax: Axes | None = None
) -> Figure:
    """Two step lines of ``maintenance_counts``: policy edits needed as people join and leave,
    with an identity-based design (group membership, solid) and a resource-based design (every
    secret's policy lists people, dashed). Events are the x axis, ``+name`` for a joiner and
    ``−name`` for a leaver (numbered instead when there are more than 24)."""
    counts = maintenance_counts(events, secrets=secrets)
    n = len(events)
    if ax is None:
        fig = Figure(figsize=(max(6.0, 1.5 + 0.3 * min(n, 24)), 4.2), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = _figure_of(ax)
    x = [*range(n + 1), n + 0.6]  # the last step drawn as a short flat run
    ident, res = counts["identity"], counts["resource"]
    ax.step(
        x,
        [*res, res[-1]],
        where="post",
        color=EXPLICIT_DENY_COLOUR,
        linewidth=2.2,
        linestyle="--",
        label=f"resource-based: {secrets} secret policies list people ({res[-1]} edits)",
    )
    ax.step(
        x,
        [*ident, ident[-1]],
        where="post",
        color=PATH_COLOUR,
        linewidth=2.2,
        label=f"identity-based: one group membership change ({ident[-1]} edits)",
    )
    xlabel = "people joining (+) and leaving (−), in order"
    if 0 < n <= 24:
        names = [_fit(("+" if kind == "join" else "−") + person, 1.2, 8, 1) for kind, person in events]
        ax.set_xticks(range(1, n + 1), names, rotation=90, fontsize=8)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        xlabel = "event number (people joining and leaving, in order)"
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(-0.3, n + 0.9)
    ax.set_ylim(0, max(res[-1], ident[-1], 1) * 1.3)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel("policy edits so far", fontsize=9)
    ax.set_title(
        f"People come and go: policy edits for a team sharing {secrets} secrets", fontsize=10.5, loc="left"
    )
    ax.grid(axis="y", color="#E0E0E0", linewidth=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return fig
