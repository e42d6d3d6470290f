"""The controls every app builds, made so that no label is ever cut off on a projector. ipywidgets
draws descriptions, buttons and checkbox labels with ``overflow: hidden; text-overflow: ellipsis``
in boxes of fixed width (a 148 px button, a 300 px dropdown, a 80 px description), which is how
"customer manag…" came about. Here every description is as wide as its text
(``description_width: initial``), toggle buttons as wide as theirs (``button_width: auto``) and a
dropdown, checkbox or button is given a width budget in ``em`` that holds its description and its
longest option. ``cut_labels`` walks an app's widget tree and names any control that breaks
these rules, so that a test can check every control of every app.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

from .app import ipywidgets

#: an upper bound of the mean advance of a character of ipywidgets' sans-serif font (13 px), in em
CHAR_EM = 0.62
#: room a dropdown needs beyond its texts: the label's margin, the select's padding and arrow
DROPDOWN_EXTRA_EM = 3.5
#: room a checkbox needs beyond its text: the box and its margin
CHECKBOX_EXTRA_EM = 2.5
#: room a button needs beyond its text: its padding (10 px a side)
BUTTON_EXTRA_EM = 2.0
WIDE = {"description_width": "initial"}

Option = tuple[str, Any]


def text_em(text: str) -> float:
    """A width in em that ``text`` fits in, at the widgets' font."""
    return len(text) * CHAR_EM


def _em(width: float) -> str:
    return f"{math.ceil(width * 2) / 2:g}em"


def _labels(options: Sequence[Option | str]) -> list[str]:
    return [o[0] if isinstance(o, tuple) else str(o) for o in options]


def dropdown_width(description: str, options: Sequence[Option | str]) -> str:
    """The width budget of a dropdown: its description, its longest option and its arrow."""
    longest = max((text_em(label) for label in _labels(options)), default=0.0)
    return _em(text_em(description) + longest + DROPDOWN_EXTRA_EM)


def dropdown(description: str, options: Sequence[Option | str], value: Any = None, **kwargs: Any) -> Any:
    """An ``ipywidgets.Dropdown`` whose description and every option show whole."""
    w = ipywidgets()
    if value is not None:
        kwargs["value"] = value
    layout = w.Layout(width=dropdown_width(description, options))
    return w.Dropdown(options=options, description=description, style=dict(WIDE), layout=layout, **kwargs)


def set_options(control: Any, options: Sequence[Option | str], value: Any) -> None:
    """New options for a dropdown made by ``dropdown``; its width grows to hold them (it never
    shrinks, so the controls below do not jump)."""
    control.options = options
    control.value = value
    need = dropdown_width(control.description, options)
    if (_em_of(control.layout.width) or 0.0) < (_em_of(need) or 0.0):
        control.layout.width = need


def toggle_buttons(description: str, options: Sequence[Option | str], value: Any, **kwargs: Any) -> Any:
    """``ipywidgets.ToggleButtons`` whose buttons are as wide as their labels."""
    w = ipywidgets()
    style = {**WIDE, "button_width": "auto"}
    return w.ToggleButtons(options=options, value=value, description=description, style=style, **kwargs)


def checkbox(description: str, value: bool, **kwargs: Any) -> Any:
    """An ``ipywidgets.Checkbox`` with its label to its right, as wide as the label."""
    w = ipywidgets()
    layout = w.Layout(width=_em(text_em(description) + CHECKBOX_EXTRA_EM))
    return w.Checkbox(
        value=value, description=description, indent=False, style=dict(WIDE), layout=layout, **kwargs
    )


def set_description(control: Any, description: str) -> None:
    """A new label for a checkbox made by ``checkbox``, its width budget following it."""
    control.description = description
    control.layout.width = _em(text_em(description) + CHECKBOX_EXTRA_EM)


def button(description: str, **kwargs: Any) -> Any:
    """An ``ipywidgets.Button`` as wide as its label."""
    w = ipywidgets()
    return w.Button(
        description=description, layout=w.Layout(width=_em(text_em(description) + BUTTON_EXTRA_EM)), **kwargs
    )


def walk(widget: Any) -> Iterator[Any]:
    """``widget`` and every widget inside it (the children of boxes), depth first."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def _em_of(width: str | None) -> float | None:
    """A layout width in em, or None when it is not one (unset, ``auto``, px, %)."""
    if width and width.endswith("em"):
        try:
            return float(width[:-2])
        except ValueError:
            return None
    return None


def cut_labels(widget: Any) -> list[str]:
    """Every control in ``widget``'s tree whose description, option or label ipywidgets would cut
    off with an ellipsis, each as "kind 'text': why"; empty when every label shows whole."""
    w = ipywidgets()
    out: list[str] = []
    for control in walk(widget):
        kind = type(control).__name__
        description = getattr(control, "description", "") or ""
        style = getattr(control, "style", None)
        width = _em_of(getattr(getattr(control, "layout", None), "width", None))
        if isinstance(control, w.Button):
            if width is None or width < text_em(description) + BUTTON_EXTRA_EM:
                out.append(f"{kind} {description!r}: narrower than its label")
            continue
        if description and getattr(style, "description_width", "initial") != "initial":
            out.append(f"{kind} {description!r}: description_width is not 'initial'")
        if isinstance(control, w.ToggleButtons):
            if getattr(style, "button_width", "") != "auto":
                out.append(f"{kind} {description!r}: button_width is not 'auto'")
        elif isinstance(control, w.Dropdown):
            need = text_em(description) + max(map(text_em, _labels(control.options)), default=0.0)
            if width is None or width < need + DROPDOWN_EXTRA_EM:
                out.append(f"{kind} {description!r}: narrower than its description and longest option")
        elif (isinstance(control, w.Checkbox) and description) and (
            width is None or width < text_em(description) + CHECKBOX_EXTRA_EM
        ):
            out.append(f"{kind} {description!r}: narrower than its label")
    return out
