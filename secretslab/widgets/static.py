"""The static rendering of an app, for the places where its live widget cannot load: an exported
HTML handout read offline (its widget JavaScript comes from a CDN), a notebook viewer, a PDF. An
app's display bundle (``mimebundle``) carries the live widget view and, next to it, ``text/html``
— the controls' values, the status line, the last good result and its figure as an inline PNG —
and ``image/png`` (the figure alone). Live frontends (JupyterLab, Voilà) rank the widget view
first; nbconvert's HTML exporter renders ``text/html`` when the notebook holds no widget state,
and the handout template (``scripts/handout.html.j2``) renders both, hiding the static copy once
the live widget has drawn. The static copy shows the app as it was when displayed."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .render import GREY, escape

if TYPE_CHECKING:
    from .app import App

STATIC_CLASS = "secretslab-static"  # the handout template and the tests find the copy by this class
LEFT = "style='text-align:left;vertical-align:top'"  # notebook CSS right-aligns table cells
_SHOWN_ELSEWHERE = frozenset({"HTML", "HTMLMath", "Image", "Label", "Button", "Output"})


def _controls(widget: Any) -> Iterator[tuple[str, str, bool]]:
    """(description, value shown, disabled) of every control under ``widget``, in screen order."""
    children = getattr(widget, "children", None)
    if children is not None:
        for child in children:
            yield from _controls(child)
        return
    if type(widget).__name__ in _SHOWN_ELSEWHERE or not hasattr(widget, "value"):
        return
    value = widget.value
    if isinstance(value, bool):
        shown = "✓ on" if value else "✗ off"
    elif getattr(widget, "label", None) is not None:  # a selection: its label, not its value
        shown = str(widget.label)
    else:
        shown = str(value)
    yield str(getattr(widget, "description", "")).rstrip(":"), shown, bool(getattr(widget, "disabled", False))


def _control_rows(app: App) -> str:
    rows = []
    for description, shown, disabled in _controls(app.widget):
        if "\n" in shown:  # a policy typed into the playground
            cell = f"<pre style='margin:0;white-space:pre-wrap'>{escape(shown)}</pre>"
        else:
            cell = escape(shown)
        if disabled:
            cell += f" <i style='color:{GREY}'>(does not apply)</i>"
        rows.append(f"<tr><th {LEFT}>{escape(description)}</th><td {LEFT}>{cell}</td></tr>")
    return f"<table class='secretslab-controls'>{''.join(rows)}</table>"


def _figure(app: App) -> bytes:
    return bytes(app.image.value or b"")


def static_html(app: App) -> str:
    """The app as static HTML: what its controls hold, its status line, its last good result and
    that result's figure as an inline PNG."""
    figure = _figure(app)
    image = (
        f"<img alt='the figure of the result' style='max-width:100%' "
        f"src='data:image/png;base64,{base64.b64encode(figure).decode('ascii')}'>"
        if figure
        else ""
    )
    note = (
        f"<p style='color:{GREY}'><i>{escape(type(app).__name__)}, as displayed (a static copy: "
        "run the notebook to change the controls).</i></p>"
    )
    return (
        f"<div class='{STATIC_CLASS}'>{note}{_control_rows(app)}{app.status.value}"
        f"{image}{app.html.value}</div>"
    )


def progress_html(value: int, maximum: int, label: str) -> str:
    """A progress bar as static HTML: the bar as it was when displayed, and its label."""
    return (
        f"<div class='{STATIC_CLASS}'><progress value='{value}' max='{max(maximum, 1)}'></progress> "
        f"{escape(label)} <i style='color:{GREY}'>(as displayed: the bar moves while the notebook "
        "runs)</i></div>"
    )


def mimebundle(app: App, **kwargs: Any) -> dict[str, Any]:
    """The app's display bundle: the live widget view, its static HTML and its figure as PNG."""
    bundle = dict(app.widget._repr_mimebundle_(**kwargs) or {})
    bundle["text/html"] = static_html(app)
    figure = _figure(app)
    if figure:
        bundle["image/png"] = base64.b64encode(figure).decode("ascii")
    return bundle
