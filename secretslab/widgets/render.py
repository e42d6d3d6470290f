"""What the apps share: the frozen ``Rendered`` result of a render, the worlds they accept, the
HTML pieces they build it from (escaping, short ARNs, allowed/denied marks, problem lists, the
explanation) and the PNG encoding of a figure. Nothing here imports matplotlib or ipywidgets."""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
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


@dataclass(frozen=True, slots=True)
class Rendered:
    """What one render produced. ``problems`` holds input problems (errors first): when one is
    an error there is no result, and the apps keep showing their last good one."""

    html: str
    figure: Figure | None = None
    png: bytes = b""
    decision: Decision | None = None
    problems: tuple[Problem, ...] = ()
    fix: Fix | None = None
    diff: Diff | None = None
    world: World | None = None
    matrix: AccessMatrix | None = None

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


def after_fix(world: World, fix: Fix) -> tuple[Figure, bytes]:
    """The access diagram of the world the fix makes (``apply_fix``), captioned "After the fix",
    and its PNG: the request allowed, every hop drawn; no legend (the failing diagram beside it
    has it)."""
    from ..viz import access_diagram  # matplotlib, loaded with the first figure

    figure = access_diagram(fix.decision, apply_fix(world, fix), caption="After the fix", legend=False)
    return figure, png(figure)
