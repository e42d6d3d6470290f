"""What the apps share: the frozen ``Rendered`` result of a render, the worlds they accept, the
HTML pieces they build it from (escaping, short ARNs, allowed/denied marks, problem lists, the
explanation) and the PNG encoding of a figure. Nothing here imports matplotlib or ipywidgets."""

from __future__ import annotations

import html
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..analysis import AccessMatrix, Diff
from ..arn import after_account
from ..authorization import Decision
from ..authorization.explain import decision_html
from ..fixes import Fix, apply_fix
from ..problems import Problem
from ..world import World
from ..world.scenario import load_scenario

if TYPE_CHECKING:
    from matplotlib.figure import Figure

GET_SECRET_VALUE = "secretsmanager:GetSecretValue"
PNG_DPI = 80  # the notebooks show figures at about 800 px wide; more dots only cost render time
GREEN, RED, GREY = "#1a7f37", "#b42318", "#666"


class Drawing:
    """A render's figure as a function of its result (``draw``), so that its PNG can be drawn on
    a figure set up once (``png``, inside ``viz.reuse.reused_figures``: what a widget shows) and
    the figure itself made only when asked for (``figure``), new, and kept."""

    __slots__ = ("_draw", "_figure", "_lock")

    def __init__(self, draw: Callable[[], Figure]) -> None:
        self._draw = draw
        self._figure: Figure | None = None
        self._lock = threading.Lock()

    def png(self) -> bytes:
        """The figure as PNG bytes at ``PNG_DPI``, drawn on a reused figure."""
        from ..viz.reuse import reused_figures  # matplotlib, loaded with the first figure

        with reused_figures():
            return png(self._draw())

    def figure(self) -> Figure:
        """The figure, new (made on the first call; the same one afterwards), even when asked for
        inside ``reused_figures``."""
        from ..viz.reuse import new_figures

        with self._lock:
            if self._figure is None:
                with new_figures():
                    self._figure = self._draw()
            return self._figure


@dataclass(frozen=True, slots=True)
class Rendered:
    """What one render produced. ``problems`` holds input problems (errors first): when one is
    an error there is no result, and the apps keep showing their last good one. ``figure`` is
    the figure ``png`` shows, made the first time it is asked for (``drawing``)."""

    html: str
    drawing: Drawing | None = field(default=None, repr=False)
    png: bytes = b""
    decision: Decision | None = None
    problems: tuple[Problem, ...] = ()
    fix: Fix | None = None
    diff: Diff | None = None
    world: World | None = None
    matrix: AccessMatrix | None = None

    @property
    def figure(self) -> Figure | None:
        """The figure of the result (a new ``matplotlib.figure.Figure``, the same on every call),
        or None when there is none."""
        return None if self.drawing is None else self.drawing.figure()

    @property
    def ok(self) -> bool:
        """Whether there is a result: no problem is an error."""
        return not any(p.is_error for p in self.problems)


@dataclass(frozen=True, slots=True)
class AfterFix:
    """What an app shows after its result when a request fails and a policy change can allow it:
    the access diagram after the smallest fix (``fix_png``), the failing one when the app's own
    figure is not it (``failing_png``), and HTML naming the request and the fix."""

    fix_png: bytes
    failing_png: bytes = b""
    html: str = ""


WorldSource = World | Mapping[str, Any] | str | os.PathLike[str]


def as_world(world: WorldSource) -> World:
    """A world from a ``World``, a §1.1 dict or a scenario file."""
    if isinstance(world, World):
        return world
    if isinstance(world, Mapping):
        return World.from_dict(world)
    return load_scenario(os.fspath(world))


def edited(world: World) -> World:
    """An edited world, which is no longer the file it was read from: its problems name no file."""
    return replace(world, source=None) if world.source is not None else world


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes at ``PNG_DPI`` (``viz.raster``: its text drawn fast)."""
    from ..viz.raster import png_bytes  # matplotlib, loaded with the first figure

    return png_bytes(figure, PNG_DPI)


def escape(text: object) -> str:
    """``text`` safe inside HTML text and attribute values."""
    return html.escape(str(text), quote=True)


def short(arn: str) -> str:
    """The part of an ARN after the account: ``role/AppRole``, ``secret:prod/db-AbC123``."""
    return after_account(arn)


def mark(allowed: bool) -> str:
    """An allowed/denied mark in words as well as colours, for colour-blind readers."""
    colour, word = (GREEN, "✓ allowed") if allowed else (RED, "✗ denied")
    return f"<b style='color:{colour}'>{word}</b>"


def problems_html(problems: Iterable[Problem], title: str) -> str:
    """A titled list of problems, each with its severity, JSON path, code and hint."""
    items = []
    for p in problems:
        colour = RED if p.is_error else "#9a6700"
        where = f"{escape(p.source)} " if p.source else ""
        hint = f"<br><i>hint: {escape(p.hint)}</i>" if p.hint else ""
        items.append(
            f"<li><b style='color:{colour}'>{escape(p.severity.value)}</b> {where}"
            f"<code>{escape(p.json_path)}</code> <code>{escape(p.code)}</code>: "
            f"{escape(p.message)}{hint}</li>"
        )
    return f"<div class='secretslab-problems'><p><b>{escape(title)}</b></p><ul>{''.join(items)}</ul></div>"


def explanation(decision: Decision) -> str:
    """The decision's full explanation, folded away under a summary line."""
    return (
        f"<details><summary><b>Explanation</b> (every policy, statement by statement)</summary>"
        f"{decision_html(decision)}</details>"
    )


def fix_html(fix: Fix) -> str:
    """A fix as a numbered list of its changes, then what else it allows or takes away; every ARN
    short (``secret:prod/db``, ``role/AppRole``: ``viz.names.short_arns``)."""
    from ..viz.names import short_arns

    changes = "".join(f"<li>{escape(short_arns(c.description))}</li>" for c in fix.changes)
    said = " ".join(c.description for c in fix.changes)
    rest = fix.description[len(said) :] if fix.description.startswith(said) else ""
    more = f"<p>{escape(short_arns(rest))}</p>" if rest.strip() else ""
    return f"<ol class='secretslab-fix'>{changes}</ol>{more}"


def after_fix(world: World, fix: Fix) -> Drawing:
    """The access diagram of the world the fix makes (``apply_fix``), captioned "After the fix":
    the request allowed, every hop drawn; no legend (the failing diagram beside it has it)."""
    fixed = apply_fix(world, fix)

    def draw() -> Figure:
        from ..viz import access_diagram  # matplotlib, loaded with the first figure

        return access_diagram(fix.decision, fixed, caption="After the fix", legend=False)

    return Drawing(draw)
