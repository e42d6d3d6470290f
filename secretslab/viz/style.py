"""The look shared by every figure: the Okabe–Ito palette (readable with the common colour vision
deficiencies; an outcome is never shown by colour alone, marks also carry text or a line style),
text measured in inches and fitted to a width, and the drawing plumbing — written text, boxes,
arrows, a board of one data unit per inch and its bottom legend — that lets the diagrams keep
labels apart. Matplotlib is used only through its object API, never through pyplot.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache, partial
from typing import Any
from weakref import WeakKeyDictionary

from matplotlib.axes import Axes
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.textpath import text_to_path
from matplotlib.transforms import TransformedPatchPath

from ..evaluation.results import Outcome
from .reuse import keep_legend, show_kept_legend, spare_board

# -- palette (Okabe & Ito, "Color Universal Design")

ALLOW_COLOUR = "#009E73"  # bluish green
EXPLICIT_DENY_COLOUR = "#D55E00"  # vermillion: Okabe–Ito's red
# an implicit deny is the absence of a grant: neutral grey, never confused with a Deny statement
IMPLICIT_DENY_COLOUR = "#6E6E6E"
PATH_COLOUR = "#0072B2"  # blue: the path a request took, an access gained
NEUTRAL = "#AAAAAA"  # lighter than implicit deny: what did not apply or was not reached
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
VERDICT = {
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


def tint(colour: str, amount: float = 0.82) -> str:
    """``colour`` mixed with white (``amount`` of white)."""
    r, g, b = (c + (1 - c) * amount for c in to_rgb(colour))
    return to_hex((r, g, b))


# -- text measured in inches, so that layouts can keep labels apart

#: the one size, in points, of every text of every figure (headings are bold, not bigger): a
#: figure with more hops, boxes or cells grows instead, so its text reads the same on a projector
FONT_SIZE = 10.0


@lru_cache(maxsize=8192)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in inches of the longest line of ``text`` (padded: Agg draws up to ~6% wider)."""
    prop = FontProperties(size=size, weight="bold" if bold else "normal")
    widths = [text_to_path.get_text_width_height_descent(s, prop, ismath=False)[0] for s in text.split("\n")]
    return 1.08 * max(widths) / 72


def text_height(lines: int, size: float) -> float:
    """Height in inches of ``lines`` lines at ``size`` points (matplotlib's 1.2 line spacing)."""
    return 1.35 * lines * size / 72


def line_count(text: str) -> int:
    """The number of lines of ``text`` (one more than its newlines)."""
    return text.count("\n") + 1


def fit(text: str, width: float, size: float, lines: int = 2, bold: bool = False) -> str:
    """``text`` wrapped to lines no wider than ``width`` inches (breaking after spaces, ``/``,
    ``-``, ``_`` and ``,``), at most ``lines`` of them, the last ending in … when cut.

    A line takes tokens while they fit, as if tried one at a time; a token wider than a line is
    cut where it stops fitting. A string is never narrower than its start (each glyph of the
    start sits where it sits alone), so where a line ends is searched for, from a guess by its
    characters' mean width, rather than found by measuring every start in turn: each new text
    is laid out by FreeType (about 10 µs a character), and a long verdict has some twenty
    starts. Lines past the last one shown are not worked out."""

    def wide(s: str) -> bool:
        return text_width(s, size, bold) > width

    def fits_after(start: str, rest: list[str], m: int) -> bool:  # start and m tokens more
        return not wide((start + "".join(rest[:m])).rstrip())

    def fits_start(s: str, i: int) -> bool:  # the first i characters
        return not wide(s[:i])

    def per_inch(s: str) -> float:  # characters an inch, from a measured start or a typical text
        s = s.rstrip()
        measured = text_width(s, size, bold) if len(s) >= 12 else 0.0
        return len(s) / measured if measured > 0 else 12.0 * FONT_SIZE / size if size > 0 else 12.0

    lines = max(lines, 1)  # a text shows at least its first line
    # shaping (a ligature) can make a start of a non-Latin text narrower than a shorter start
    shaped = not text.isascii()

    out: list[str] = []
    line = ""
    tokens = [t for t in re.split(r"(?<=[ /\-_,])", text) if t]
    k = 0
    while k < len(tokens):
        if len(out) > lines or (len(out) == lines and (line + "".join(tokens[k:])).strip()):
            out.append(line + "".join(tokens[k:]))  # more than is shown: cut below, not wrapped
            line = ""
            break
        if not line:  # a line's first token goes in, however wide
            line, k = tokens[k], k + 1
        else:  # the tokens from k that fit after ``line``
            room = width * per_inch(line) - len(line.rstrip())
            guess, used = 0, 0
            while k + guess < len(tokens) and used + len(tokens[k + guess]) <= room:
                used += len(tokens[k + guess])
                guess += 1
            taken = _fitting(len(tokens) - k, guess, partial(fits_after, line, tokens[k:]), shaped)
            if taken:
                line, k = line + "".join(tokens[k : k + taken]), k + taken
            else:
                out.append(line.rstrip())
                line, k = tokens[k].lstrip(), k + 1
        while len(line) > 1 and wide(line.rstrip()):  # one very long token
            guess = int(width * per_inch(line))
            cut = max(1, _fitting(len(line) - 1, guess, partial(fits_start, line), shaped))
            out.append(line[:cut])
            line = line[cut:]
            if len(out) > lines:  # the rest is not shown: cut below, not wrapped
                break
    if line.strip():
        out.append(line.rstrip())
    if len(out) > lines:
        last = out[lines - 1]
        while last and wide(last + "…"):  # a few characters at most: from the end
            last = last[:-1]
        out = [*out[: lines - 1], last.rstrip() + "…"]
    return "\n".join(out)


def _fitting(most: int, guess: int, fits: Callable[[int], bool], shaped: bool = False) -> int:
    """The largest n in 1..``most`` with ``fits(n)``, or 0, for a ``fits`` true up to some n and
    false beyond it: asked at ``guess`` and next to it first, then halving what is left. ``shaped``:
    ``fits`` may be true again just beyond where it turned false (a ligature): a few more are
    asked."""
    lo, hi = 0, most + 1  # fits(lo) or lo == 0; hi == most + 1 or not fits(hi)
    for n in (guess, guess + 1, guess - 1):
        if lo < n < hi:
            if fits(n):
                lo = n
            else:
                hi = n
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid
    if shaped:
        n = lo + 2  # lo + 1 is known not to fit
        while n <= min(most, lo + 3):
            if fits(n):
                lo, n = n, n + 2
            else:
                n += 1
    return lo


# -- drawing plumbing

Artist = Line2D | Patch  # legend handles


def figure_of(ax: Axes) -> Figure:
    """The root figure an Axes is drawn in; raises ``ValueError`` when it is in none."""
    fig = ax.get_figure(root=True)
    if not isinstance(fig, Figure):
        raise ValueError("the Axes does not belong to a Figure")
    return fig


def write(ax: Axes, x: float, y: float, text: str, size: float, **style: Any) -> Text:
    """Text as written here: centred unless told, never parsed as mathtext ($ in names). Like any
    ``Axes.text`` it is not clipped; its clip path, should clipping be turned on, is the axes
    patch, made once per axes (``Axes.text`` works out the patch's transform for every text: a
    good part of the time to add one). It is a ``Label``: drawn as ``Axes.text`` draws it."""
    style = {
        "ha": "center",
        "va": "center",
        "color": INK,
        "zorder": 4,
        "clip_path": _clip(ax),
        "transform": ax.transData,
        **style,
    }
    label = Label(x, y, text, fontsize=size, parse_math=False, clip_on=False, **style)
    ax.add_artist(label)
    return label


_TEXT: Any = Text


class Label(Text):
    """A text written by ``write``: plain (no mathtext, TeX or wrapping). Drawn by
    ``raster.png_bytes``, its layout (its box, its lines' sizes and places) is remembered per
    process by all it depends on (the text, font, dpi, alignment, rotation, line spacing), like
    the size and mask of each text: a figure of labels is laid out a line at a time by matplotlib
    on every draw, a good part of the time to draw it."""

    def _get_layout(self, renderer: Any) -> Any:
        lay_out = partial(_TEXT._get_layout, self)  # matplotlib's, private: untyped
        remembered = getattr(renderer, "text_layout", None)
        if remembered is None or self.get_wrap() or self.get_usetex() or self.get_parse_math():
            return lay_out(renderer)
        return remembered(self, lay_out)


_clips: WeakKeyDictionary[Axes, tuple[Patch, TransformedPatchPath]] = WeakKeyDictionary()


def _clip(ax: Axes) -> TransformedPatchPath:
    """The axes patch as a clip path (what ``Artist.set_clip_path(ax.patch)`` clips to), once."""
    found = _clips.get(ax)
    if found is None or found[0] is not ax.patch:
        found = _clips[ax] = (ax.patch, TransformedPatchPath(ax.patch))
    return found[1]


def box(ax: Axes, x: float, y: float, w: float, h: float, gid: str, **style: Any) -> None:
    """A rounded box with its lower left corner at (x, y)."""
    add_patch(ax, FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.08", gid=gid, **style))


def arrow(ax: Axes, points: Sequence[tuple[float, float]], gid: str, **style: Any) -> None:
    """An arrow along the polyline ``points``, its head at the last one."""
    style = {"arrowstyle": "-|>", "mutation_scale": 12, "zorder": 2, **style}
    add_patch(ax, FancyArrowPatch(path=Path(points), gid=gid, **style))


def add_patch(ax: Axes, patch: Patch) -> None:
    """Add ``patch`` to a board (``board``) with ``add_artist``, not ``Axes.add_patch``: a
    board's limits are set by ``board``, so the data limits ``Axes.add_patch`` works out (a good
    part of the time to draw a diagram) would never be read."""
    ax.add_artist(patch)


def board(ax: Axes | None, width: float, height: float) -> tuple[Figure, Axes]:
    """A drawing board ``width`` × ``height`` inches: a new figure of that size whose axes fill
    it (one data unit per inch; inside ``reuse.reused_figures`` a spare one), or the given axes
    set to the same limits."""
    if ax is None:
        spare = spare_board(width, height)
        if spare is not None:
            fig, ax = spare
        else:
            fig = Figure(figsize=(width, height))
            ax = fig.add_axes((0, 0, 1, 1))
    else:
        fig = figure_of(ax)
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig, ax


def legend_band(handles: Sequence[Artist], width: float) -> tuple[int, float]:
    """(columns, height in inches) of a bottom legend of ``handles`` that fits ``width``: one
    row if it fits, else two, else one entry a row."""
    if not handles:
        return 1, 0.1
    sizes = [text_width(str(h.get_label()), FONT_SIZE) + 0.75 for h in handles]
    fits = [n for n in (len(sizes), -(-len(sizes) // 2)) if sum(sorted(sizes)[-n:]) <= width - 0.3]
    ncol = fits[0] if fits else 1
    return ncol, 0.2 + -(-len(sizes) // ncol) * (text_height(1, FONT_SIZE) + 0.08)


def finish_board(ax: Axes, handles: Sequence[Artist], ncol: int, width: float, height: float) -> None:
    """Add the bottom legend. On a given axes smaller than the board, the figure grows until the
    axes holds it: text never shrinks (one ``FONT_SIZE`` whatever the drawing)."""
    pos = ax.get_position()
    fig = figure_of(ax)
    fig_w, fig_h = fig.get_size_inches()
    scale = min(1.0, pos.width * fig_w / width, pos.height * fig_h / height)
    if scale < 0.999:
        fig.set_size_inches(fig_w / scale, fig_h / scale)
    shows = (ncol, *map(_handle_look, handles)) if handles else None
    if show_kept_legend(ax, shows):  # a spare board's legend for these handles, or none wanted
        return
    if not handles:
        return
    ax.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=ncol,
        frameon=False,
        fontsize=FONT_SIZE,
        handlelength=2.4,
        borderaxespad=0.3,
    )
    keep_legend(ax, shows)


def _handle_look(handle: Artist) -> tuple[Any, ...]:
    """What a legend entry of ``handle`` shows: its label, line or patch colours and style."""
    if isinstance(handle, Line2D):
        return (
            "line",
            handle.get_label(),
            handle.get_color(),
            handle.get_linewidth(),
            handle.get_linestyle(),
        )
    return (
        "patch",
        handle.get_label(),
        tuple(handle.get_facecolor()),
        tuple(handle.get_edgecolor()),
        handle.get_linewidth(),
        handle.get_linestyle(),
    )
