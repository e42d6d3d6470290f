"""The ipywidgets wiring the apps share: ``App`` shows a render function's ``Rendered`` in an
``ipywidgets.HTML`` and an ``ipywidgets.Image`` from observers that never raise, keeping the last
good result on screen; ``ProgressBar`` follows long runs. ipywidgets is imported only when one of
them is built, so importing ``secretslab.widgets`` stays light."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from ..extras import require
from . import static
from .render import RED, AfterFix, Rendered, escape


def ipywidgets() -> Any:
    """ipywidgets, imported on first use (``MissingExtra`` without it). It ships no type
    information: its objects are Any here."""
    return require("ipywidgets", extra="notebook")


class App:
    """What the apps share: notebook display, and observers that never raise. ``status`` shows
    problems and errors, ``html``/``image`` the last good result."""

    widget: Any
    status: Any
    html: Any
    image: Any

    def __init__(self) -> None:
        w = ipywidgets()
        self.status = w.HTML()
        self.html = w.HTML()
        # figures at their own size (never scaled down to the page: their text keeps one size),
        # side by side while they fit; the failing diagram (when the app's figure is another)
        # and the "after the fix" one hidden until there is a fix to show
        natural = {"max_width": "none", "flex": "0 0 auto", "margin": "0 1em 1em 0"}
        self.image = w.Image(format="png", layout=w.Layout(**natural))
        self.failing_image = w.Image(format="png", layout=w.Layout(display="none", **natural))
        self.fix_image = w.Image(format="png", layout=w.Layout(display="none", **natural))
        self.fix_html = w.HTML()
        self.figures = w.Box(
            [self.image, self.failing_image, self.fix_image],
            layout=w.Layout(display="flex", flex_flow="row wrap", align_items="flex-start", overflow="auto"),
        )
        self.rendered: Rendered | None = None  # the latest render, good or not
        self.last_good: Rendered | None = None
        self._quiet = False  # set while several controls change at once: render once, afterwards
        self._after_for: object = None  # the render whose "after the fix" figures are due

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return static.mimebundle(self, **kwargs)  # the live view, and a static copy for handouts

    def render(self) -> Rendered:
        """The controls' state rendered; each app implements it with its pure render function."""
        raise NotImplementedError

    def refresh(self, change: Any = None) -> Rendered | None:
        """Render the controls' state and show it; never raises (it runs inside observers)."""
        if self._quiet:
            return None
        try:
            rendered = self.render()
        except Exception as exc:  # shown, not raised: an observer must not break the notebook
            self.status.value = (
                f"<p style='color:{RED}'><b>Could not render:</b> "
                f"{escape(type(exc).__name__)}: {escape(exc)}</p>" + self._kept()
            )
            return None
        self.rendered = rendered
        if rendered.ok:
            self.last_good = rendered
            self.html.value = rendered.html
            self.image.value = rendered.png
            self.status.value = ""
        else:
            self.status.value = rendered.html + self._kept()
            return rendered
        # drawn after the result is on screen: in a kernel, on its event loop once this observer
        # has returned (a later change makes it stale); without a loop (tests, scripts), now
        self._after_for = token = object()
        try:
            asyncio.get_running_loop().call_soon(self._show_after_fix, token)
        except RuntimeError:
            self._show_after_fix(token)
        return rendered

    def _show_after_fix(self, token: object) -> None:
        if token is not self._after_for:
            return  # the controls changed since: that render shows its own
        try:
            after = self.after_fix()
        except Exception as exc:  # shown, not raised (it runs after an observer)
            self.show_error(exc)
            after = None
        for image, value in (
            (self.failing_image, after.failing_png if after else b""),
            (self.fix_image, after.fix_png if after else b""),
        ):
            if value:
                image.value = value
            image.layout.display = "" if value else "none"
        self.fix_html.value = after.html if after else ""

    def after_fix(self) -> AfterFix | None:
        """The "after the fix" diagram of the latest render and what goes with it, or None when
        nothing failed or no policy change can allow it; the apps that suggest fixes implement it."""
        return None

    def show_error(self, exc: Exception) -> None:
        """Put an observer's error in the status line (observers never raise)."""
        self.status.value = f"<p style='color:{RED}'>{escape(exc)}</p>"

    def _kept(self) -> str:
        return "<p><i>The result below is the last good one.</i></p>" if self.last_good else ""

    def _observe(self, controls: Iterable[Any]) -> None:
        for control in controls:
            control.observe(self.refresh, names="value")


class ProgressBar:
    """A notebook progress bar for long runs: ``progress(done, total)`` callables such as
    ``secretslab.aws.snapshot(progress=...)``. It shows "label: done/total" next to an
    ``ipywidgets.IntProgress``, is displayed by the cell that returns it, and turns green at the
    end. The terminal counterpart is ``secretslab.progress.Progress``."""

    def __init__(self, label: str = "import") -> None:
        w = ipywidgets()
        self.label = label
        self.bar = w.IntProgress(value=0, min=0, max=1, layout=w.Layout(width="300px"))
        self.text = w.Label(f"{label}: starting")
        self.widget = w.HBox([self.bar, self.text])

    def __call__(self, done: int, total: int) -> None:
        self.bar.max = max(total, 1)
        self.bar.value = min(done, self.bar.max)
        self.text.value = f"{self.label}: {done}/{total}"
        if total and done >= total:
            self.bar.bar_style = "success"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The live bar, and beside it a static copy (where widget JavaScript cannot load: a
        handout, the documentation site) and its label as text instead of the widgets' repr."""
        from .static import progress_html

        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["text/html"] = progress_html(self.bar.value, self.bar.max, self.text.value)
        bundle["text/plain"] = self.text.value
        return bundle
