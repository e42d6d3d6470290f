"""Figures set up once and drawn on again (``reused_figures``), for the widgets: making a
matplotlib ``Figure`` and its ``Axes`` (spines, axis, lazily made ticks) takes about as long as
drawing a diagram's boxes and arrows, and a heatmap's frame (its ticks, axis labels and legend over
a what-if explorer's principals and secrets) does not change from one control change to the next.

Inside ``with reused_figures():`` a new drawing board (``style.board``) is a spare figure the
process keeps, resized, and a heatmap is drawn in a spare frame made for the same rows, columns
and legend; when the block ends they are emptied of what was drawn on them and kept for the next
block. What is drawn on them is drawn afresh, by the same code as on a new figure, so the pixels
are the same (``tests/test_viz_reuse.py``); only a board's legends stay with it (a few, each
put up again for a next figure that shows the same legend). What never changes on a spare (its
legends, a frame's ticks and labels) works out its layout once per dpi, not on every draw. A
figure made inside the block must not be kept after it: draw its PNG inside. Outside the block
every figure is new. Nothing is shared between threads: a spare is taken out of the pool while
a block uses it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.offsetbox import OffsetBox

from .raster import font_settings

_BOARDS = 4  # spare boards kept (a block draws at most two figures)
_FRAMES = 8  # spare heatmap frames kept (one per what-if explorer open)
_PLACES = 16  # layouts a kept legend or frame remembers (by renderer, dpi, fonts and titles)

_spare_boards: list[tuple[Figure, Axes]] = []
_spare_frames: OrderedDict[Hashable, tuple[Figure, Axes]] = OrderedDict()


@dataclass(slots=True)
class _Lease:
    """The spares one block has taken, to give back emptied when it ends."""

    boards: list[tuple[Figure, Axes]] = field(default_factory=list)
    frames: list[tuple[Hashable, tuple[Figure, Axes]]] = field(default_factory=list)


_lease: ContextVar[_Lease | None] = ContextVar("secretslab_viz_reuse", default=None)


@contextmanager
def reused_figures() -> Iterator[None]:
    """Within the block, boards and heatmap frames come from the spares the process keeps and go
    back to them, emptied, when it ends (nested blocks share the outer one's)."""
    if _lease.get() is not None:
        yield
        return
    lease = _Lease()
    token = _lease.set(lease)
    try:
        yield
    finally:
        _lease.reset(token)
        _give_back(lease)


@contextmanager
def new_figures() -> Iterator[None]:
    """Within the block, figures are made new, even inside ``reused_figures``: a figure handed out
    and kept must never be a spare, emptied when the outer block ends and drawn on again."""
    token = _lease.set(None)
    try:
        yield
    finally:
        _lease.reset(token)


def spare_board(width: float, height: float) -> tuple[Figure, Axes] | None:
    """A board ``width`` × ``height`` inches (a figure of that size whose axes fill it, nothing
    drawn on it) from the spares, inside ``reused_figures``; None outside it."""
    lease = _lease.get()
    if lease is None:
        return None
    try:
        fig, ax = _spare_boards.pop()
    except IndexError:
        fig = Figure(figsize=(width, height))
        ax = fig.add_axes((0, 0, 1, 1))
    else:
        fig.set_size_inches(width, height)
    lease.boards.append((fig, ax))
    return fig, ax


def spare_frame(key: Hashable, make: Callable[[], tuple[Figure, Axes]]) -> tuple[Figure, Axes]:
    """The frame ``make`` draws (a figure with what never changes for ``key`` on it), from the
    spares when one was made for ``key`` inside ``reused_figures``; a new one otherwise."""
    lease = _lease.get()
    if lease is None:
        return make()
    frame = _spare_frames.pop(key, None)
    if frame is None:
        frame = make()
        for ax in frame[0].axes:
            _frame_laid_out_once(ax)
    lease.frames.append((key, frame))
    return frame


_LEGENDS = 4  # legends kept per spare board (a flow's legend has its outcome's colour)
# id of a spare board's axes -> the legends made on it, by what they show (the latest last)
_legends: dict[int, OrderedDict[Hashable, Legend]] = {}


def show_kept_legend(ax: Axes, shows: Hashable | None) -> bool:
    """On a spare board in use, put up the legend made on it before that shows ``shows`` (as given
    to ``keep_legend``; None: no legend), taking down the one up; whether it was kept (with
    ``shows`` None: whether ``ax`` is such a board). Elsewhere, False: a legend is made anew."""
    lease = _lease.get()
    if lease is None or not any(board is ax for _, board in lease.boards):
        return False
    kept = _legends.setdefault(id(ax), OrderedDict())
    found = None if shows is None else kept.get(shows)
    if ax.legend_ is not None and ax.legend_ is not found:
        if not any(legend is ax.legend_ for legend in kept.values()):
            ax.legend_.remove()  # not one of the kept ones (drawn by other code)
        ax.legend_ = None  # taken down, kept with the board
    if found is not None:
        kept.move_to_end(shows)
        ax.legend_ = found
        found.set_visible(True)
    return shows is None or found is not None


def keep_legend(ax: Axes, shows: Hashable) -> None:
    """Keep the legend just made on ``ax`` for ``show_kept_legend``, if ``ax`` is a spare board in
    use (the oldest of its legends is dropped beyond a few); its layout is then worked out once
    (``laid_out_once``)."""
    lease = _lease.get()
    if lease is not None and any(board is ax for _, board in lease.boards) and ax.legend_ is not None:
        kept = _legends.setdefault(id(ax), OrderedDict())
        kept[shows] = ax.legend_
        kept.move_to_end(shows)
        while len(kept) > _LEGENDS:
            kept.popitem(last=False)
        laid_out_once(ax.legend_)


def laid_out_once(legend: Legend) -> None:
    """Make ``legend`` remember, per renderer type and dpi, the sizes and places of its entries
    inside it: matplotlib works them out again on every draw, measuring each entry several times
    over (about half the time to draw a diagram). Only for a legend nothing changes in, such as
    one kept on a spare (never handed out); where it goes in the figure is still worked out on
    every draw. Without the private parts this leans on, nothing is remembered."""
    box = getattr(legend, "_legend_box", None)
    if isinstance(box, OffsetBox):
        _remember_layout(box)


def _frame_laid_out_once(ax: Axes) -> None:
    """On a spare heatmap frame, where its legend, ticks and labels never change: the legend's
    layout (``laid_out_once``), the boxes of the tick labels (which place the axis labels) and
    where the title goes for a given title are worked out once per renderer type and dpi, not on
    every draw (together about a third of the time to draw a heatmap)."""
    if ax.legend_ is not None:
        laid_out_once(ax.legend_)
    for axis in (ax.xaxis, ax.yaxis):
        work = getattr(axis, "_get_ticklabel_bboxes", None)
        if work is not None:
            boxes: dict[tuple[Any, ...], Any] = {}

            def remembered_boxes(ticks: Any, renderer: Any, work: Any = work, boxes: Any = boxes) -> Any:
                key = (type(renderer), float(renderer.dpi), font_settings())
                found = boxes.get(key)
                if found is None:
                    if len(boxes) >= _PLACES:
                        boxes.clear()
                    found = boxes[key] = work(ticks, renderer)
                return found

            setattr(axis, "_get_ticklabel_bboxes", remembered_boxes)  # noqa: B010 - private
    place = getattr(ax, "_update_title_position", None)
    if place is not None:
        titles = (ax.title, *(getattr(ax, name) for name in ("_left_title", "_right_title")))
        placed: OrderedDict[tuple[Any, ...], list[Any]] = OrderedDict()

        def remembered_place(renderer: Any) -> None:
            key = (type(renderer), float(renderer.dpi), font_settings(), *(t.get_text() for t in titles))
            found = placed.get(key)
            if found is None:
                place(renderer)
                found = placed[key] = [t.get_position() for t in titles]
                while len(placed) > _PLACES:  # titles change with what a frame shows: the latest
                    placed.popitem(last=False)
            else:
                placed.move_to_end(key)
            for title, position in zip(titles, found, strict=True):
                title.set_position(position)

        setattr(ax, "_update_title_position", remembered_place)  # noqa: B010 - private


def _remember_layout(box: OffsetBox) -> None:
    # a box that measures itself (a text, a handle's drawing area) remembers its bbox; a box of
    # boxes (a packer) its bbox and its children's offsets, from which it places them
    name = "get_bbox" if type(box).get_bbox is not OffsetBox.get_bbox else "_get_bbox_and_child_offsets"
    work = getattr(box, name, None)
    if work is None:
        return
    layouts: dict[tuple[Any, ...], Any] = {}

    def remembered(renderer: Any) -> Any:
        key = (type(renderer), float(renderer.dpi), font_settings())
        found = layouts.get(key)
        if found is None:
            if len(layouts) >= _PLACES:
                layouts.clear()
            found = layouts[key] = work(renderer)
        return found

    setattr(box, name, remembered)
    for child in box.get_children():
        if isinstance(child, OffsetBox):
            _remember_layout(child)


def _give_back(lease: _Lease) -> None:
    for fig, ax in lease.boards:
        _empty(ax)  # the legends stay (``show_kept_legend``)
        if len(_spare_boards) < _BOARDS:
            _spare_boards.append((fig, ax))
        else:
            _legends.pop(id(ax), None)
    for key, (fig, ax) in lease.frames:
        _empty(ax)
        _spare_frames[key] = (fig, ax)
        _spare_frames.move_to_end(key)
        while len(_spare_frames) > _FRAMES:
            _spare_frames.popitem(last=False)


def _empty(ax: Axes) -> None:
    """Take off the artists drawn on ``ax`` (texts, patches, images, collections, lines)."""
    for artist in [*ax.texts, *ax.patches, *ax.images, *ax.collections, *ax.lines, *ax.artists]:
        artist.remove()


def forget_figures() -> None:
    """Drop the spare figures (for timing figure set-up from nothing)."""
    _spare_boards.clear()
    _spare_frames.clear()
    _legends.clear()
