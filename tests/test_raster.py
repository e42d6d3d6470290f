"""viz.raster draws a figure as matplotlib's own PNG would show it, faster: the same size and dpi,
nearly the same pixels (text put down at whole pixels), texts remembered within bounds, and
matplotlib's own PNG when its private renderer parts are missing."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.image import imread  # noqa: E402

from secretslab.viz import raster  # noqa: E402


def _figure() -> Figure:
    fig = Figure(figsize=(4, 2))
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [2, 0, 1], color="tab:red")
    ax.set_title("GetSecretValue: allowed")
    ax.text(0.2, 1.5, "arn:aws:secretsmanager:us-east-1:111122223333:secret:db", fontsize=8)
    return fig


def _pixels(png: bytes) -> np.ndarray:
    """The picture as RGBA floats (an RGB PNG, which has no transparent pixel, is opaque)."""
    pixels = np.asarray(imread(io.BytesIO(png), format="png"))
    if pixels.shape[2] == 3:
        pixels = np.dstack([pixels, np.ones(pixels.shape[:2], pixels.dtype)])
    return pixels


def _savefig(fig: Figure, dpi: float) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def test_png_matches_matplotlibs_size_and_nearly_its_pixels() -> None:
    fig = _figure()
    ours, theirs = _pixels(raster.png_bytes(fig, 80)), _pixels(_savefig(fig, 80))
    assert ours.shape == theirs.shape
    # text lands on whole pixels, so edges of glyphs may differ; the picture does not
    assert float(np.abs(ours - theirs).mean()) < 0.02


def test_text_drawn_where_it_says_not_blank() -> None:
    fig = _figure()
    plain = Figure(figsize=(4, 2))
    plain.add_subplot().plot([0, 1, 2], [2, 0, 1], color="tab:red")
    assert not np.array_equal(_pixels(raster.png_bytes(fig, 80)), _pixels(raster.png_bytes(plain, 80)))


def test_remembered_texts_stay_bounded_and_can_be_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(raster, "_TEXTS", 5)
    raster.forget_texts()
    fig = Figure(figsize=(3, 3))
    for i in range(20):
        fig.text(0.1, i / 20, f"label {i}")
    raster.png_bytes(fig, 50)
    assert 0 < len(raster._masks) <= 5
    raster.forget_texts()
    assert not raster._masks


def test_a_matplotlib_without_the_private_parts_gets_its_own_png(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def __init__(self, figure: Figure) -> None:
            raise AttributeError("no _prepare_font here")

    fig = _figure()
    monkeypatch.setattr(raster, "_Canvas", Broken)
    assert raster.png_bytes(fig, 60) == _savefig(fig, 60)


def test_a_remembered_text_is_drawn_in_the_font_the_family_names_now() -> None:
    def draw() -> np.ndarray:
        fig = Figure(figsize=(2, 1))
        fig.text(0.1, 0.4, "Hello World", fontsize=12)
        return _pixels(raster.png_bytes(fig, 80))

    draw()  # remembered in the default sans-serif
    with matplotlib.rc_context({"font.sans-serif": ["DejaVu Serif"]}):
        warm = draw()
        raster.forget_texts()
        cold = draw()
    assert np.array_equal(warm, cold)


def _labelled() -> Figure:
    fig = _figure()
    fig.axes[0].legend(["a line"], loc="lower right")
    fig.text(0.5, 0.02, "two lines\nof text", ha="center", rotation=10)
    return fig


def test_a_mask_made_while_measuring_is_the_mask_made_to_draw() -> None:
    raster.forget_texts()
    measured = raster.png_bytes(_labelled(), 80)  # masks made as each text is first measured
    raster._masks.clear()  # sizes kept, masks made again when each text is drawn
    assert raster.png_bytes(_labelled(), 80) == measured
    raster.forget_texts()
    assert raster.png_bytes(_labelled(), 80) == measured


def test_remembered_font_heights_are_the_ones_matplotlib_reads_from_the_font(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def extents() -> list[tuple[float, ...]]:
        fig = _labelled()
        renderer = raster._Canvas(fig).get_renderer()
        return [tuple(t.get_window_extent(renderer).bounds) for t in fig.findobj(matplotlib.text.Text)]

    raster.forget_texts()
    ours, png = extents(), raster.png_bytes(_labelled(), 80)
    assert raster._heights
    monkeypatch.delattr(raster._Renderer, "_get_font_height_metrics")  # matplotlib reads the tables
    raster.forget_texts()
    assert extents() == ours
    assert raster.png_bytes(_labelled(), 80) == png


def test_a_font_added_to_the_font_manager_is_looked_up_again() -> None:
    before = raster._font_key(matplotlib.font_manager.FontProperties(size=10))
    manager = matplotlib.font_manager.fontManager
    manager.ttflist.append(manager.ttflist[0])  # as addfont does
    try:
        assert len(raster._files) >= 1
        found = dict(raster._files)
        raster._font_key(matplotlib.font_manager.FontProperties(size=10))
        assert len(raster._files) == len(found) + 1  # not answered from what was remembered
    finally:
        manager.ttflist.pop()
    assert raster._font_key(matplotlib.font_manager.FontProperties(size=10)) == before


@pytest.mark.parametrize("alpha", [255, 128, 0])
def test_an_opaque_image_is_stored_as_rgb_and_any_other_keeps_its_alpha(alpha: int) -> None:
    rng = np.random.default_rng(7)
    rgba = rng.integers(0, 256, (13, 17, 4), dtype=np.uint8)
    rgba[:, :, 3] = 255
    rgba[5, 6, 3] = alpha
    png = raster.encode_png(rgba, 72)
    assert png[25] == (2 if alpha == 255 else 6)  # IHDR colour type: RGB, or RGB with alpha
    assert np.array_equal(np.round(_pixels(png) * 255).astype(np.uint8), rgba)


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((4, 5, 4), np.float32),  # values, not bytes: read as bytes they are another picture
        np.zeros((4, 5, 4), np.uint16),
        np.zeros((4, 5, 3), np.uint8),  # RGB
        np.zeros((0, 5, 4), np.uint8),  # no pixels: no PNG
    ],
)
def test_an_image_other_than_rgba_bytes_is_refused_not_encoded_as_another_picture(image: np.ndarray) -> None:
    with pytest.raises(ValueError, match="RGBA image of bytes"):
        raster.encode_png(image, 72)


def test_a_text_changed_between_two_draws_is_drawn_and_measured_as_it_is_now() -> None:
    def figure(size: float) -> tuple[Figure, Any]:
        fig = Figure(figsize=(3, 1))
        return fig, fig.text(0.1, 0.3, "GetSecretValue", fontsize=size)

    fig, text = figure(10)
    raster.png_bytes(fig, 80)
    small = text.get_window_extent().width  # measured by the renderer that drew it
    text.set_fontsize(20)  # the same FontProperties object, changed
    assert text.get_window_extent().width > 1.8 * small
    fresh, _ = figure(20)
    assert raster.png_bytes(fig, 80) == raster.png_bytes(fresh, 80)
