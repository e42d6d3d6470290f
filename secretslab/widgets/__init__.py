"""ipywidgets apps for the notebooks, one module per app: the cross-account scenario builder
(``builder``), the policy playground (``playground``) and the what-if explorer (``whatif``). Each
app is a pure render function from a frozen state to a frozen ``Rendered`` (``render``: the
decision or diff it computed, its HTML and its figure as a PNG), plus a thin class wiring
controls to it (``app``): observers call the render function and put the HTML into an
``ipywidgets.HTML`` and the PNG into an ``ipywidgets.Image`` shown at its own size (no kernel
needed, no pyplot state, nothing leaks into cell outputs). Every control is made by ``controls``,
so that no label is cut off on a projector (``controls.cut_labels`` checks a widget tree). When a
request fails and a policy change can allow it, the builder and the what-if explorer draw the
world after the smallest fix beside the failing diagram (``AfterFix``), after showing the result.
Invalid input is shown inline with its JSON path and hint while
the last good result stays on screen; an observer never raises. Renders are memoized on their
(hashable) state and the parts of a world that do not change are computed once, so a control
change re-renders in well under 100 ms. ipywidgets and matplotlib are imported only when an app
or a figure is made."""

from __future__ import annotations

from . import builder, playground, whatif
from .app import ProgressBar
from .builder import (
    APPS,
    AWS_MANAGED_KEY,
    CMK,
    CONSUMER,
    CONSUMER_ROLE,
    GRANT_OPTIONS,
    KEY_OPTIONS,
    PATH_OPTIONS,
    PROD,
    READER_ROLE,
    REGION,
    SECRET,
    BuilderChoices,
    ScenarioBuilder,
    build_world,
    builder_request,
    render_after_fix,
    render_builder,
)
from .playground import (
    FIGURE_OPTIONS,
    PlaygroundState,
    PolicyPlayground,
    PolicySlot,
    editable_policies,
    read_slot,
    render_playground,
    slot_text,
)
from .render import GET_SECRET_VALUE, PNG_DPI, AfterFix, Drawing, Rendered, WorldSource, as_world
from .whatif import (
    KeySwap,
    StatementToggle,
    WhatIfBase,
    WhatIfExplorer,
    WhatIfState,
    changed_world,
    render_whatif,
    render_whatif_fix,
    whatif_base,
    whatif_world,
)


def clear_caches() -> None:
    """Forget remembered renders (not the per-world data), e.g. to time renders from cold."""
    for cached in (
        builder._render_builder,
        builder._render_after_fix,
        playground._render_playground,
        whatif._render_whatif,
        whatif._render_whatif_fix,
    ):
        cached.cache_clear()


__all__ = [
    "APPS",
    "AWS_MANAGED_KEY",
    "CMK",
    "CONSUMER",
    "CONSUMER_ROLE",
    "FIGURE_OPTIONS",
    "GET_SECRET_VALUE",
    "GRANT_OPTIONS",
    "KEY_OPTIONS",
    "PATH_OPTIONS",
    "PNG_DPI",
    "PROD",
    "READER_ROLE",
    "REGION",
    "SECRET",
    "AfterFix",
    "BuilderChoices",
    "Drawing",
    "KeySwap",
    "PlaygroundState",
    "PolicyPlayground",
    "PolicySlot",
    "ProgressBar",
    "Rendered",
    "ScenarioBuilder",
    "StatementToggle",
    "WhatIfBase",
    "WhatIfExplorer",
    "WhatIfState",
    "WorldSource",
    "as_world",
    "build_world",
    "builder_request",
    "changed_world",
    "clear_caches",
    "editable_policies",
    "read_slot",
    "render_after_fix",
    "render_builder",
    "render_playground",
    "render_whatif",
    "render_whatif_fix",
    "slot_text",
    "whatif_base",
    "whatif_world",
]
