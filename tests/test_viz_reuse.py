"""Figures drawn on reused figures (``viz.reuse.reused_figures``, what the widgets show) are the
figures drawn on new ones, pixel for pixel: a spare board or heatmap frame keeps nothing of what
was drawn on it before but a legend that shows the same, whatever its size was; and a widget's
``Rendered.figure`` (made when asked for) is the figure its PNG shows."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

matplotlib = pytest.importorskip("matplotlib")
from matplotlib.figure import Figure  # noqa: E402

import secretslab as sl  # noqa: E402
from secretslab import viz  # noqa: E402
from secretslab import widgets as W  # noqa: E402
from secretslab.analysis import access_matrix  # noqa: E402
from secretslab.viz import reuse  # noqa: E402
from secretslab.viz.raster import png_bytes  # noqa: E402

from .conftest import ROOT  # noqa: E402

DATA = ROOT / "data"
Draw = Callable[[], Figure]


def _decisions(name: str) -> Iterator[tuple[sl.Decision, sl.World]]:
    world = sl.load_scenario(DATA / name)
    for expectation in json.loads((DATA / name).read_text(encoding="utf-8"))["expectations"]:
        yield sl.authorize(world, expectation["request"]), world


def _board_figures() -> list[Draw]:
    """Diagrams (with and without legend, captioned, without a world) and evaluation flows of
    decisions of every outcome, of many sizes."""
    draws: list[Draw] = []
    for name in ("cross-account-assume-role.json", "cross-account-cmk.json", "organization-guardrails.json"):
        for i, (decision, world) in enumerate(_decisions(name)):
            draws.append(lambda d=decision, w=world: viz.access_diagram(d, w))
            if i % 3 == 0:
                draws.append(
                    lambda d=decision, w=world: viz.access_diagram(d, w, caption="Lost", legend=False)
                )
                draws.append(lambda d=decision: viz.access_diagram(d))
            step = decision.failed_step or decision.main_step
            if step is not None:
                draws.append(lambda e=step.evaluation: viz.evaluation_flow(e))
    return draws


def _flows() -> list[Draw]:
    """Evaluation flows one after the other: legends of the same size, in each outcome's colour."""
    draws: list[Draw] = []
    for name in ("organization-guardrails.json", "identity-vs-resource.json"):
        for decision, _ in _decisions(name):
            step = decision.failed_step or decision.main_step
            if step is not None:
                draws.append(lambda e=step.evaluation: viz.evaluation_flow(e))
    return draws


def _heatmaps() -> list[Draw]:
    """The diff heatmaps of a what-if explorer's changes (one frame, other cells and titles) and
    matrix heatmaps of other worlds (other frames)."""
    explorer = W.whatif_base(DATA / "cross-account-cmk.json")
    draws: list[Draw] = []
    for toggle in explorer.statements[:6]:
        after = W.changed_world(W.WhatIfState(explorer, frozenset({toggle.key})))
        matrix = access_matrix(
            after,
            actions=(explorer.action,),
            principals=explorer.before.principals,
            resources=explorer.before.resources,
        )
        draws.append(lambda m=matrix: viz.diff_heatmap(explorer.before, m, action=explorer.action))
    for name in ("people-come-and-go.json", "identity-vs-resource.json"):
        matrix = access_matrix(sl.load_scenario(DATA / name))
        draws.append(lambda m=matrix: viz.matrix_heatmap(m))
        draws.append(lambda m=matrix: viz.diff_heatmap(m, m))
    return draws


@pytest.mark.parametrize("figures", [_board_figures, _flows, _heatmaps], ids=["boards", "flows", "heatmaps"])
def test_a_figure_drawn_on_a_reused_figure_is_the_figure_drawn_on_a_new_one(
    figures: Callable[[], list[Draw]],
) -> None:
    reuse.forget_figures()
    draws = figures()
    fresh = [png_bytes(draw(), 80) for draw in draws]
    for _ in range(2):  # the first pass sets the spares up, the second draws on them only
        for draw, expected in zip(draws, fresh, strict=True):
            with reuse.reused_figures():
                assert png_bytes(draw(), 80) == expected
    # and backwards: every spare has held a larger and a smaller figure before
    for draw, expected in zip(reversed(draws), reversed(fresh), strict=True):
        with reuse.reused_figures():
            assert png_bytes(draw(), 80) == expected


def test_spares_are_used_inside_the_block_only_and_come_back_empty() -> None:
    reuse.forget_figures()
    decision, world = next(_decisions("cross-account-cmk.json"))
    with reuse.reused_figures():
        inside = viz.access_diagram(decision, world)
        with reuse.reused_figures():  # a nested block shares the outer one's spares
            other = viz.access_diagram(decision, world)
        assert other is not inside
        assert inside.axes[0].patches and inside.axes[0].get_legend() is not None
    ax = inside.axes[0]
    assert not ax.patches and not ax.texts  # emptied, kept as a spare; its legend kept for the next
    with reuse.reused_figures():
        again = viz.access_diagram(decision, world, legend=False)
        legend = again.axes[0].get_legend()
        assert again in (inside, other) and (legend is None or not legend.get_visible())
    outside = viz.access_diagram(decision, world)
    assert outside not in (inside, other) and outside.axes[0].patches


def test_a_widgets_figure_is_made_when_asked_for_and_is_the_figure_its_png_shows() -> None:
    W.clear_caches()
    rendered = W.render_builder({"key_policy": "none"})
    assert rendered.drawing is not None and rendered.drawing._figure is None  # not made yet
    figure = rendered.figure
    assert isinstance(figure, Figure) and rendered.figure is figure  # made once, then kept
    assert png_bytes(figure, W.PNG_DPI) == rendered.png
    found = W.render_after_fix({"key_policy": "none"})
    assert found is not None and png_bytes(found[0], W.PNG_DPI) == found[1]
    base = W.whatif_base(DATA / "cross-account-cmk.json")
    whatif = W.render_whatif(W.WhatIfState(base, frozenset({base.statements[0].key})))
    assert whatif.figure is not None and png_bytes(whatif.figure, W.PNG_DPI) == whatif.png


def test_a_figure_asked_for_inside_a_reuse_block_is_new_and_stays_whole() -> None:
    """A figure handed out is kept by its caller: it is never a spare that the block empties when
    it ends, or that a later block draws on."""
    W.clear_caches()
    rendered = W.render_builder({"key_policy": "none"})
    with reuse.reused_figures():
        figure = rendered.figure
    with reuse.reused_figures():
        W.clear_caches()
        W.render_builder({"key_policy": "role"})  # another board from the spares
    assert figure is not None and figure.axes[0].patches
    assert png_bytes(figure, W.PNG_DPI) == rendered.png


def test_a_written_text_is_drawn_as_axes_text_draws_it() -> None:
    from secretslab.viz.style import write

    def drawn(add: Callable[[Any], Any], clip_on: bool) -> bytes:
        fig = Figure(figsize=(3, 2))
        ax = fig.add_axes((0.2, 0.2, 0.6, 0.6))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        for x in (0.1, 0.9, 1.2):  # the last one sticks out of the axes
            add(ax).set(x=x, clip_on=clip_on)
        return png_bytes(fig, 80)

    for clip_on in (False,):  # texts are not clipped (Axes.text); turned on, they clip to the axes
        ours = drawn(lambda ax: write(ax, 0, 0.5, "GetSecretValue", 10), clip_on)
        theirs = drawn(
            lambda ax: ax.text(
                0,
                0.5,
                "GetSecretValue",
                fontsize=10,
                parse_math=False,
                ha="center",
                va="center",
                color="#222222",
                zorder=4,
            ),
            clip_on,
        )
        assert ours == theirs


def test_a_spare_board_keeps_a_legend_per_look_and_puts_the_right_one_up() -> None:
    """Flows of an allowed and a denied request, one after the other on one spare board: each
    outcome's legend (in its colour) is made once and put up again when that outcome comes back,
    and a diagram without a legend takes the one up down."""
    reuse.forget_figures()
    flows: dict[bool, Draw] = {}
    for decision, _ in _decisions("identity-vs-resource.json"):
        step = decision.failed_step or decision.main_step
        if step is not None:
            flows.setdefault(decision.allowed, lambda e=step.evaluation: viz.evaluation_flow(e))
    assert set(flows) == {True, False}
    fresh = {allowed: png_bytes(draw(), 80) for allowed, draw in flows.items()}
    legends: dict[bool, Any] = {}
    for allowed in (True, False, True, False, True):
        with reuse.reused_figures():
            figure = flows[allowed]()
            legend = figure.axes[0].get_legend()
            assert legend is not None and legend.get_visible()
            assert legends.setdefault(allowed, legend) is legend  # made once per outcome
            assert png_bytes(figure, 80) == fresh[allowed]
    assert legends[True] is not legends[False]
    decision, world = next(_decisions("cross-account-cmk.json"))
    with reuse.reused_figures():
        bare = viz.access_diagram(decision, world, legend=False)
        assert bare.axes[0].get_legend() is None


@pytest.mark.parametrize("figures", [_flows, _heatmaps], ids=["flows", "heatmaps"])
def test_a_kept_legend_or_frame_is_laid_out_again_in_a_font_set_after_it_was_kept(
    figures: Callable[[], list[Draw]],
) -> None:
    """A notebook may change its font between two figures: what a kept legend, tick label or
    title remembered of its layout was in the old font, and is not used in the new one."""
    import matplotlib

    reuse.forget_figures()
    draws = figures()[:3]
    for draw in draws:  # legends and frames kept and laid out in the default font
        with reuse.reused_figures():
            png_bytes(draw(), 80)
    with matplotlib.rc_context({"font.sans-serif": ["DejaVu Sans Mono"], "font.family": "sans-serif"}):
        fresh = [png_bytes(draw(), 80) for draw in draws]
        for draw, expected in zip(draws, fresh, strict=True):
            with reuse.reused_figures():
                assert png_bytes(draw(), 80) == expected
