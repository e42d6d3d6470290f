"""Where the access diagram's boxes and arrows go, in inches: columns as wide as their widest
box, gaps between them as wide as the widest arrow label crossing them, boxes stacked in their
account's lane, and label slots in each gap kept a label's height apart, with each arrow leaving
and entering its boxes in the same top-to-bottom order as its slot so that arrows never cross.
"""

from __future__ import annotations

from .graph import Edge, Node
from .style import FONT_SIZE, text_height, text_width

BOX_H = 0.7
EDGE_LINES = 3  # lines of an arrow's label: the call, who makes it, the reason code
RUN = 0.14  # the slanted run of an arrow into and out of its label slot
_ROW_GAP = 0.55
_LANE_PAD = 0.42


def place_columns(nodes: dict[str, Node], edges: list[Edge], x0: float) -> float:
    """x and width of every box: a column is as wide as its widest box, the gap after it as
    wide as the widest label of the arrows leaving it. Returns the right edge of the drawing."""
    ncols = max(n.col for n in nodes.values()) + 1
    widths = [1.3] * ncols
    for n in nodes.values():
        widths[n.col] = max(
            widths[n.col], text_width(n.kind, FONT_SIZE) + 0.3, text_width(n.name, FONT_SIZE, True) + 0.3
        )
    gaps = [0.7] * (ncols - 1) + [0.0]
    for e in edges:
        col = nodes[e.src].col
        gaps[col] = max(gaps[col], 1.0, text_width(e.label, FONT_SIZE) + 2 * RUN + 0.25)
    lefts = [x0 + sum(widths[:c]) + sum(gaps[:c]) for c in range(ncols)]
    for n in nodes.values():
        n.x, n.w = lefts[n.col], widths[n.col]
    for e in edges:
        src = nodes[e.src]
        e.gap = (src.x + src.w, src.x + src.w + gaps[src.col])
    return lefts[-1] + widths[-1] + gaps[-1]


def place_rows(nodes: dict[str, Node], lanes: list[str]) -> list[tuple[float, float]]:
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
        bottom = top - 2 * _LANE_PAD - rows * BOX_H - (rows - 1) * _ROW_GAP
        for node in nodes.values():
            if node.account == lane:
                node.y = top - _LANE_PAD - BOX_H / 2 - node.row * (BOX_H + _ROW_GAP)
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


def place_edges(edges: list[Edge], nodes: dict[str, Node]) -> None:
    """Label slots per gap between columns, kept a label's height apart; then where each arrow
    leaves and enters its boxes, in the same top-to-bottom order, so that arrows never cross."""
    pitch = text_height(EDGE_LINES, FONT_SIZE) + 0.12
    gaps: dict[int, list[Edge]] = {}
    for e in edges:
        gaps.setdefault(nodes[e.src].col, []).append(e)
    for group in gaps.values():
        group.sort(key=lambda e: (-(nodes[e.src].y + nodes[e.dst].y), e.number))
        slots = _spread([(nodes[e.src].y + nodes[e.dst].y) / 2 for e in group], pitch)
        for e, y in zip(group, slots, strict=True):
            e.slot = y
    for end in ("src", "dst"):
        ports: dict[str, list[Edge]] = {}
        for e in edges:
            ports.setdefault(e.src if end == "src" else e.dst, []).append(e)
        for key, group in ports.items():
            group.sort(key=lambda e: -e.slot)
            step = min(0.1, (BOX_H - 0.2) / max(len(group) - 1, 1))
            for i, e in enumerate(group):
                y = nodes[key].y + ((len(group) - 1) / 2 - i) * step
                if end == "src":
                    e.out_y = y
                else:
                    e.in_y = y
