"""A figure as PNG bytes, drawn fast enough for a widget's control change (``png_bytes``).

Most of the time of rasterising our figures goes to text: matplotlib's Agg renderer loads every
glyph from FreeType twice a text (to measure it, then to draw it, one glyph at a time), and a
diagram has hundreds of glyphs. The renderer here draws a text the way matplotlib's Agg did up to
3.10 — the whole line rendered by FreeType in one call and put down at a whole pixel — and
remembers, per process, each text's size and its rendered coverage mask by the text and its font
(never its colour or place: those are applied when it is drawn). A font's glyphs do not change
while a kernel runs, like matplotlib's own font cache; the figure itself (boxes, arrows, colours,
where each text goes) is drawn afresh every time. Every other artist is drawn by matplotlib's Agg.
"""

from __future__ import annotations

import io
import math
import os
import struct
import zlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import matplotlib
import numpy as np
from matplotlib import cbook, font_manager
from matplotlib.backends import backend_agg
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.text import Text

_TEXTS = 2048  # texts remembered (a mask of a diagram label is a few kB: a few MB in all)
_COMPRESS_LEVEL = 3  # zlib: our figures come out no larger than matplotlib's PNG, in a fraction of the time
_SOFTWARE = f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/".encode("latin-1")

#: an RGBA pixel seen as its first three bytes
_RGB_OF_RGBA = np.dtype({"names": ["rgb"], "formats": ["V3"], "offsets": [0], "itemsize": 4})

_FontKey = tuple[Any, ...]
_masks: OrderedDict[tuple[str, _FontKey, float, int, bool], tuple[np.ndarray, float, float, float]] = (
    OrderedDict()
)
_metrics: OrderedDict[tuple[str, _FontKey, float, int], tuple[float, float, float]] = OrderedDict()
_heights: OrderedDict[tuple[_FontKey, float], tuple[float | None, float | None, float | None]] = OrderedDict()
_layouts: OrderedDict[tuple[Any, ...], Any] = OrderedDict()


def png_bytes(figure: Figure, dpi: float) -> bytes:
    """``figure`` as PNG bytes at ``dpi``, as ``figure.savefig(format="png", dpi=dpi)`` would draw
    it (text put down at whole pixels, as matplotlib's Agg did up to 3.10)."""
    original = figure.canvas
    try:
        canvas: Any = _Canvas(figure)  # the figure's canvas while it draws (matplotlib: untyped)
        with cbook._setattr_cm(figure, dpi=dpi):
            canvas.draw()
            rgba = np.asarray(canvas.buffer_rgba())
    except (AttributeError, TypeError):
        # the renderer leans on Agg's private parts; a matplotlib without them gets its own PNG
        return _savefig_png(figure, dpi)
    finally:
        figure.set_canvas(original)
    return encode_png(rgba, dpi)


def _savefig_png(figure: Figure, dpi: float) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def encode_png(rgba: np.ndarray, dpi: float) -> bytes:
    """An RGBA image (rows top first) as PNG bytes recording ``dpi``, as matplotlib writes it
    (``tEXt`` Software, ``pHYs``), but stored as RGB when every pixel is opaque (a figure on its
    white background: the same picture in three quarters of the bytes to deflate). Every row is
    stored unfiltered and deflated fast: our figures are runs of flat colour, which deflate finds
    on its own, so PNG's per-row filter search (most of the time of a general encoder) buys
    little here. ``rgba``: ``uint8``, of shape (height, width, 4), neither side 0 (a PNG has
    pixels); anything else raises ``ValueError``, as matplotlib's writer does."""
    if rgba.dtype != np.uint8 or rgba.ndim != 3 or rgba.shape[2] != 4 or not rgba.size:
        raise ValueError(f"an RGBA image of bytes is expected, not {rgba.dtype} of shape {rgba.shape}")
    height, width, _ = rgba.shape
    opaque = bool(rgba[:, :, 3].min() == 255)
    channels = 3 if opaque else 4
    rows = np.empty((height, 1 + channels * width), np.uint8)
    rows[:, 0] = 0  # filter type None
    # each row's pixels copied whole pixels at a time: as 3- or 4-byte items (an RGBA pixel read
    # as its first three bytes), not byte by byte, which takes twice as long
    rgba = np.ascontiguousarray(rgba)
    pixels = rgba.view(_RGB_OF_RGBA)["rgb"] if opaque else rgba.view("V4")
    rows[:, 1:].view(f"V{channels}")[...] = pixels[:, :, 0]
    ppm = round(dpi / 0.0254)  # pixels per metre
    colour_type = 2 if opaque else 6  # truecolour, or truecolour with alpha
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)),
            _chunk(b"tEXt", b"Software\0" + _SOFTWARE),
            _chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1)),
            _chunk(b"IDAT", zlib.compress(rows.data, _COMPRESS_LEVEL)),  # read in place, not copied
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def forget_texts() -> None:
    """Forget the remembered text sizes and masks (for timing text drawing from nothing)."""
    _masks.clear()
    _metrics.clear()
    _heights.clear()
    _layouts.clear()


_FONT_RC = tuple(  # what findfont reads of the rcParams besides the FontProperties
    f"font.{key}"
    for key in (
        "family",
        "style",
        "variant",
        "weight",
        "stretch",
        "size",
        "serif",
        "sans-serif",
        "cursive",
        "fantasy",
        "monospace",
    )
)
_files: dict[tuple[Any, ...], str] = {}  # findfont's answers, by all that they depend on


def _font_props(prop: FontProperties) -> tuple[Any, ...]:
    """What findfont reads of the properties (and the math font family, which it does not)."""
    return (
        tuple(prop.get_family()),
        prop.get_style(),
        prop.get_variant(),
        prop.get_weight(),
        prop.get_stretch(),
        prop.get_size_in_points(),
        prop.get_file(),
        prop.get_math_fontfamily(),
    )


def _font_key(prop: FontProperties, props: tuple[Any, ...] | None = None) -> _FontKey:
    """What a text's glyphs depend on besides the text: the font and the rcParams that shape it.
    The font file the family list resolves to is part of it (``findfont``): a generic family such
    as ``sans-serif`` names another font when ``font.sans-serif`` changes. findfont's answer is
    remembered by what it depends on (the properties, the font rcParams, the fonts known), read
    without rcParams' validation: a text is measured and drawn a dozen times a figure.
    ``props``: ``_font_props(prop)``, when already worked out."""
    rc: Any = matplotlib.rcParams
    get = dict.__getitem__  # rcParams is a dict: read as stored, as findfont's cache reads it
    if props is None:
        props = _font_props(prop)
    manager = font_manager.fontManager
    found = (
        props,
        tuple(tuple(v) if isinstance(v, list) else v for v in (get(rc, k) for k in _FONT_RC)),
        os.environ.get("MPL_IGNORE_SYSTEM_FONTS"),
        id(manager),
        len(manager.ttflist),  # addfont adds to it
    )
    file = _files.get(found)
    if file is None:
        if len(_files) > _TEXTS:
            _files.clear()
        file = _files[found] = findfont(prop)
    return (file, get(rc, "text.hinting_factor"), get(rc, "text.kerning_factor"), *props[:-1])


def font_settings() -> tuple[Any, ...]:
    """What every text's glyphs depend on besides its own properties: the font rcParams, the
    shaping ones and the fonts known. A layout remembered across draws is keyed by it, so that a
    notebook changing its font (``font.sans-serif``) never gets the old font's places."""
    rc: Any = matplotlib.rcParams
    get = dict.__getitem__
    manager = font_manager.fontManager
    return (
        tuple(tuple(v) if isinstance(v, list) else v for v in (get(rc, k) for k in _FONT_RC)),
        get(rc, "text.hinting_factor"),
        get(rc, "text.kerning_factor"),
        os.environ.get("MPL_IGNORE_SYSTEM_FONTS"),
        id(manager),
        len(manager.ttflist),
    )


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any) -> Any:
    cache[key] = value
    if len(cache) > _TEXTS:
        cache.popitem(last=False)
    return value


# matplotlib's Agg backend has no type information: its functions are called through Any
_AGG_MODULE: Any = backend_agg
_AGG: Any = RendererAgg


def _hinting() -> int:
    return int(_AGG_MODULE.get_hinting_flag().value)


def _measure(renderer: RendererAgg, s: str, prop: Any, ismath: Any) -> tuple[float, float, float]:
    w, h, d = _AGG.get_text_width_height_descent(renderer, s, prop, ismath)
    return float(w), float(h), float(d)


def _new_renderer(width: int, height: int, dpi: float) -> RendererAgg:
    renderer: RendererAgg = _Renderer(width, height, dpi)
    return renderer


_Mask = tuple[np.ndarray, float, float, float]  # coverage, descent, x and y offsets in pixels


class _Renderer(RendererAgg):
    """Agg with plain text drawn a line at a time from remembered masks; mathtext and TeX (which
    our figures never use) go to matplotlib's own drawing. A text is laid out by FreeType once:
    its mask is made when it is first measured (a text is measured before it is drawn), from the
    same layout, in the antialiasing texts are drawn with unless told otherwise. While it draws
    a figure, the font key of each text's properties is worked out once (``_font``)."""

    def __init__(self, width: int, height: int, dpi: float) -> None:
        super().__init__(width, height, dpi)  # type: ignore[no-untyped-call]
        # while drawing (``_Canvas.draw``): the font key by properties object, and by properties
        self.fonts: dict[int, tuple[Any, _FontKey]] | None = None
        self.font_keys: dict[tuple[Any, ...], _FontKey] = {}

    def _font(self, prop: Any) -> _FontKey:
        """``_font_key(prop)``, once a draw for equal properties: while a figure is drawn neither
        the rcParams nor the properties of its texts change (each text is measured and drawn
        several times, measured with a copy of its properties each time, and most texts of a
        figure have equal ones)."""
        if self.fonts is None:  # measured outside a draw
            return _font_key(prop)
        found = self.fonts.get(id(prop))
        if found is None or found[0] is not prop:  # the object is kept: its id is not reused
            props = _font_props(prop)
            key = self.font_keys.get(props)
            if key is None:
                key = self.font_keys[props] = _font_key(prop, props)
            found = self.fonts[id(prop)] = (prop, key)
        return found[1]

    def draw_text(
        self,
        gc: Any,
        x: float,
        y: float,
        s: str,
        prop: Any,
        angle: float,
        ismath: Any = False,
        mtext: Any = None,
    ) -> None:
        if ismath:
            _AGG.draw_text(self, gc, x, y, s, prop, angle, ismath, mtext)
            return
        antialiased = bool(gc.get_antialiased())
        key = (s, self._font(prop), float(self.dpi), _hinting(), antialiased)
        found = _masks.get(key)
        if found is None:
            font = self._laid_out(s, prop)
            found = _remember(_masks, key, _draw_mask(font, antialiased))
        else:
            _masks.move_to_end(key)
        mask, descent, xo, yo = found
        # the descent is measured along the text: turned with it
        x = round(x + xo + descent * math.sin(math.radians(angle)))
        y = round(y + yo + descent * math.cos(math.radians(angle)))
        self._renderer.draw_text_image(mask, x, y + 1, angle, gc)

    def get_text_width_height_descent(self, s: str, prop: Any, ismath: Any) -> tuple[float, float, float]:
        if ismath:
            return _measure(self, s, prop, ismath)
        font_key, dpi, flags = self._font(prop), float(self.dpi), _hinting()
        key = (s, font_key, dpi, flags)
        found = _metrics.get(key)
        if found is None:  # as matplotlib's Agg measures it, and the mask from the same layout
            font = self._laid_out(s, prop)
            w, h = font.get_width_height()
            found = _remember(_metrics, key, (w / 64.0, h / 64.0, font.get_descent() / 64.0))
            antialiased = bool(matplotlib.rcParams["text.antialiased"])
            if (*key, antialiased) not in _masks:
                _remember(_masks, (*key, antialiased), _draw_mask(font, antialiased))
        return found

    def text_layout(self, text: Text, lay_out: Callable[[Any], Any]) -> Any:
        """``lay_out(self)``: the layout of ``text`` (``Text._get_layout``: its box and its lines'
        sizes and places around where it is put), remembered while drawing by all it depends on:
        the text, its font, the dpi, its alignment, rotation and line spacing. A plain text only
        (no wrapping, TeX or mathtext: ``style.write``'s texts)."""
        if self.fonts is None:  # outside a draw
            return lay_out(self)
        figure = text.get_figure(root=True)
        key = (
            text.get_text(),
            self._font(text.get_fontproperties()),
            float(self.dpi),
            None if figure is None else float(figure.dpi),
            _hinting(),
            text.get_horizontalalignment(),
            text.get_verticalalignment(),
            getattr(text, "_multialignment", None),  # None: as the horizontal alignment
            text.get_rotation(),
            text.get_rotation_mode(),
            text.get_linespacing(),
        )
        found = _layouts.get(key)
        if found is None:
            found = _remember(_layouts, key, lay_out(self))
        else:
            _layouts.move_to_end(key)
        return found

    def _get_font_height_metrics(self, prop: Any) -> tuple[float | None, float | None, float | None]:
        """The ascent, descent and line gap of the font (matplotlib asks for them for every text
        it lays out, from the font's tables), remembered by font and dpi."""
        key = (self._font(prop), float(self.dpi))
        found = _heights.get(key)
        if found is None:
            found = _remember(_heights, key, _font_height(prop, self.dpi))
        return found

    def _laid_out(self, s: str, prop: Any) -> Any:
        """The font with ``s`` laid out at this renderer's dpi, as Agg lays it out to draw it."""
        font = _AGG._prepare_font(self, prop)
        font.set_text(s, 0.0, flags=_AGG_MODULE.get_hinting_flag())
        return font


def _draw_mask(font: Any, antialiased: bool) -> _Mask:
    font.draw_glyphs_to_bitmap(antialiased=antialiased)
    xo, yo = font.get_bitmap_offset()
    return np.array(font.get_image()), font.get_descent() / 64.0, xo / 64.0, yo / 64.0


def _font_height(prop: Any, dpi: float) -> tuple[float | None, float | None, float | None]:
    """A font's ascent, descent and line gap in pixels from its OS/2 or hhea table, as
    matplotlib's ``Text`` reads them when the renderer does not give them; None without either."""
    font: Any = get_font(font_manager.fontManager._find_fonts_by_props(prop))
    for table_name, gap, ascent, descent in (
        ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
        ("hhea", "lineGap", "ascent", "descent"),
    ):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * dpi / 72
        return table[ascent] * scale, -table[descent] * scale, table[gap] * scale
    return None, None, None


class _Canvas(FigureCanvasAgg):
    def draw(self) -> None:
        renderer: Any = self.get_renderer()
        renderer.fonts = {}
        try:
            super().draw()  # type: ignore[no-untyped-call]
        finally:
            renderer.fonts = None
            renderer.font_keys = {}

    def get_renderer(self) -> RendererAgg:
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = _new_renderer(w, h, self.figure.dpi)
            self._lastKey = key
        renderer: RendererAgg = self.renderer
        return renderer
