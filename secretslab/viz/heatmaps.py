"""Heatmaps of access: an access matrix (principals × secrets for one action, or principals ×
actions on one resource), each cell coloured and marked by its outcome, and the diff between two
matrices (e.g. a world before and after a what-if edit): access gained, lost, and unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..analysis import AccessMatrix
from ..evaluation.results import Outcome
from .names import operation, short_labels, short_name
from .reuse import spare_frame
from .style import (
    ALLOW_COLOUR,
    DIFF_COLOURS,
    EXPLICIT_DENY_COLOUR,
    FONT_SIZE,
    IMPLICIT_DENY_COLOUR,
    INK,
    MUTED,
    Artist,
    figure_of,
    fit,
    line_count,
    text_height,
    text_width,
    write,
)


@dataclass(frozen=True, slots=True)
class _Category:
    label: str
    colour: str
    mark: str
    ink: str


_OUTCOME_CATEGORIES = (
    _Category("allow", ALLOW_COLOUR, "✓", "white"),
    _Category("implicit deny", IMPLICIT_DENY_COLOUR, "–", "white"),
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
    rows = short_labels(matrix.principals)
    if by_action:
        title = f"What each principal may do on {short_name(first)}"
        return _heatmap(ax, grid, _OUTCOME_CATEGORIES, rows, [operation(a) for a in cols], title, "action")
    title = f"Who may {operation(action)}, on which secret"
    return _heatmap(ax, grid, _OUTCOME_CATEGORIES, rows, short_labels(cols), title, "secret")


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
    what = f"on {short_name(resources[0])}" if by_action else operation(action)
    title = f"What changes ({what}): {gained} gained, {lost} lost"
    labels = [operation(a) for a in cols] if by_action else short_labels(cols)
    xlabel = "action" if by_action else "secret"
    return _heatmap(ax, grid, _DIFF_CATEGORIES, short_labels(principals), labels, title, xlabel)


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
    cell_w = min(max(0.62, max((text_width(c, FONT_SIZE) for c in cols), default=0.5) + 0.2), 1.6)
    col_labels = [fit(c, cell_w - 0.12, FONT_SIZE, 2) for c in cols]
    size = _heatmap_size(rows, col_labels, cell_w, handles, title)
    if not rows or not cols:
        fig, ax = _new_frame(ax, size, handles, rows, col_labels, title)
        ax.set_axis_off()
        write(
            ax,
            0.5,
            0.5,
            "nothing to show: no principals or no columns",
            FONT_SIZE,
            color=MUTED,
            transform=ax.transAxes,
        )
        return fig

    def frame() -> tuple[Figure, Axes]:
        made = _new_frame(ax, size, handles, rows, col_labels, title)
        _axes(made[1], handles, rows, col_labels, xlabel)
        return made

    if ax is None:  # what never changes for these rows, columns and legend: a spare in a widget
        key = (size, tuple(categories), tuple(rows), tuple(col_labels), xlabel)
        fig, ax = spare_frame(key, frame)
    else:
        fig, ax = frame()
    _cells(ax, grid, categories, len(rows), len(cols))
    width = fig.get_size_inches()[0] - 0.3
    ax.set_title(
        fit(title, width, FONT_SIZE, 2, True), fontsize=FONT_SIZE, loc="left", color=INK, weight="bold"
    )
    return fig


def _new_frame(
    ax: Axes | None,
    size: tuple[float, float],
    handles: Sequence[Artist],
    rows: Sequence[str],
    col_labels: Sequence[str],
    title: str,
) -> tuple[Figure, Axes]:
    """A new figure of ``size`` inches and its axes placed for the labels; or the given axes and
    their figure."""
    if ax is not None:
        return figure_of(ax), ax
    fig = Figure(figsize=size)
    return fig, fig.add_axes(_heatmap_frame(size, rows, col_labels, handles, title))


def _axes(
    ax: Axes, handles: Sequence[Artist], rows: Sequence[str], col_labels: Sequence[str], xlabel: str
) -> None:
    """What does not change with the cells: ticks and their labels, axis labels, the legend."""
    ax.set_xticks(range(len(col_labels)), col_labels, fontsize=FONT_SIZE)
    ax.set_yticks(range(len(rows)), list(rows), fontsize=FONT_SIZE)
    ax.set_xlabel(xlabel, fontsize=FONT_SIZE, color=MUTED)
    ax.set_ylabel("principal", fontsize=FONT_SIZE, color=MUTED)
    ax.tick_params(which="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        frameon=False,
        fontsize=FONT_SIZE,
        borderaxespad=0.0,
    )


def _heatmap_size(
    rows: Sequence[str], col_labels: Sequence[str], cell_w: float, handles: Sequence[Artist], title: str
) -> tuple[float, float]:
    """Figure size in inches: labels, cells, the legend beside them and the title above."""
    row_w = max((text_width(r, FONT_SIZE) for r in rows), default=0.5)
    legend_w = max(text_width(str(h.get_label()), FONT_SIZE) for h in handles) + 0.8
    width = row_w + 0.6 + len(col_labels) * cell_w + legend_w + 0.2
    label_lines = max((line_count(c) for c in col_labels), default=1)
    title_lines = line_count(fit(title, width - 0.3, FONT_SIZE, 2, True))
    height = (
        1.0 + text_height(title_lines, FONT_SIZE) + len(rows) * _CELL_H + text_height(label_lines, FONT_SIZE)
    )
    return width, max(height, 1.6 + 0.3 * len(handles))


_PT = 1 / 72  # inches
_EDGE = 0.04  # inches of white at the figure's edges (what constrained layout leaves)


def _heatmap_frame(
    size: tuple[float, float],
    rows: Sequence[str],
    col_labels: Sequence[str],
    handles: Sequence[Artist],
    title: str,
) -> tuple[float, float, float, float]:
    """Where the axes go in a figure of ``size`` inches (left, bottom, width, height as fractions
    of it): inside the figure's edge, room on the left for the axis label and the principals,
    below for the columns' labels and the axis label, above for the title, and on the right for
    the legend, measured as text is measured here. Worked out, not left to constrained layout,
    which measures every tick label again on each draw (most of the time of a what-if change)."""
    width, height = size
    label_h = text_height(1, FONT_SIZE)  # an axis label
    tick_pad = 3.5 * _PT  # matplotlib's tick label pad; the ticks have no length here
    label_pad = 4 * _PT
    row_w = max((text_width(r, FONT_SIZE) for r in rows), default=0.5)
    left = _EDGE + label_h + label_pad + row_w + tick_pad
    col_h = text_height(max((line_count(c) for c in col_labels), default=1), FONT_SIZE)
    bottom = _EDGE + label_h + label_pad + col_h + tick_pad
    title_lines = line_count(fit(title, width - 0.3, FONT_SIZE, 2, True))
    top = _EDGE + text_height(title_lines, FONT_SIZE) + 6 * _PT
    legend_w = max(text_width(str(h.get_label()), FONT_SIZE) for h in handles) + 0.8
    axes_w = (width - left - legend_w - _EDGE) / 1.02  # the legend starts 2% of the axes' width right of it
    axes_h = height - top - bottom
    return left / width, bottom / height, axes_w / width, axes_h / height


def _cells(ax: Axes, grid: list[list[int]], categories: Sequence[_Category], nrows: int, ncols: int) -> None:
    """The coloured cells, a mark in each (while there are few enough to read), white seams."""
    data = np.array(grid, dtype=float).reshape(nrows, ncols)
    cmap = ListedColormap([c.colour for c in categories])
    ax.imshow(data, cmap=cmap, vmin=-0.5, vmax=len(categories) - 0.5, aspect="auto", interpolation="nearest")
    if nrows * ncols <= 900:
        for i, row in enumerate(grid):
            for j, code in enumerate(row):
                if categories[code].mark:
                    write(ax, j, i, categories[code].mark, FONT_SIZE, color=categories[code].ink)
    # the seams: lines between cells over the whole axes, where a grid on minor ticks would be
    # (one collection; a tick per seam costs more than the rest of the heatmap)
    xs, ys = np.arange(ncols + 1) - 0.5, np.arange(nrows + 1) - 0.5
    seams = [[(x, ys[0]), (x, ys[-1])] for x in xs] + [[(xs[0], y), (xs[-1], y)] for y in ys]
    ax.add_collection(LineCollection(seams, colors="white", linewidths=2, zorder=1.5), autolim=False)
