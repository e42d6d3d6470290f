"""Time the notebook widgets (issue #4: "re-rendering in well under 100 ms"): for each widget, the
median time of one control change — the observer runs the render function and shows its HTML and
PNG — over 50 changes cycling through the control values, measured twice:

* cold: the remembered renders are forgotten before every change (``widgets.clear_caches``), so
  each change decides the request(s), draws the figure and encodes the PNG from scratch; only
  what never changes while a widget is open (the scenario's world, its policy list, the what-if
  baseline matrix) is kept, and, like a font cache, the size and rendered mask of each text the
  figures have drawn so far (``viz.raster``), and the empty figures a widget draws on (``viz.reuse``:
  a board per diagram, a heatmap frame with its ticks, labels and legend); ``--forget-text``
  forgets the texts too before every change, as if each change's every label were new to the
  process, and ``--forget-figures`` the empty figures, as if each change set its figures up anew;
* warm: a second pass over the same 50 changes, answered from the remembered renders, as when a
  learner flips a control back and forth.
A cold change is timed to the result on screen (status, HTML, main figure) and to the end of the
observer: the builder and the what-if explorer then draw the "after the fix" figures, which in a
kernel come once the observer has returned (on its event loop), here before it returns.

    python benchmarks/bench_widgets.py [--changes 50] [--forget-text] [--forget-figures]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

from secretslab import widgets as W
from secretslab.viz.raster import forget_texts
from secretslab.viz.reuse import forget_figures

DATA = Path(__file__).resolve().parent.parent / "data"
Change = Callable[[], None]


def _set(control: Any, value: Any) -> Change:
    return lambda: setattr(control, "value", value)


def _advance(control: Any) -> Change:
    """Move a checkbox to its other value, a dropdown or toggle buttons to the next option."""
    if isinstance(control.value, bool):
        return lambda: setattr(control, "value", not control.value)

    def advance() -> None:  # the options now: a disabled dropdown may show other ones
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        control.value = values[(values.index(control.value) + 1) % len(values)]

    return advance


def builder_changes(b: W.ScenarioBuilder) -> Iterator[Change]:
    """Every control in turn, each moved to its next value."""
    for control in itertools.cycle(b.controls):
        yield _advance(control)


def playground_changes(pg: W.PolicyPlayground) -> Iterator[Change]:
    """Typing in the secret policy (grant moved to prod's account, restored, made invalid JSON,
    restored), and the request controls (principal, secret, action)."""
    original = pg.text.value
    doc = json.loads(original)
    doc["Statement"][0]["Principal"] = {"AWS": "111111111111"}
    texts = itertools.cycle([json.dumps(doc), original, original[:-3], original])
    for kind in itertools.cycle(["text", "principal", "text", "secret", "action"]):
        if kind == "text":
            yield _set(pg.text, next(texts))
        else:
            yield _advance({"principal": pg.principal, "secret": pg.secret, "action": pg.action}[kind])


def whatif_changes(wi: W.WhatIfExplorer) -> Iterator[Change]:
    """Each statement checkbox toggled in turn, with a key swap after every fourth toggle."""
    boxes = list(wi.checkboxes.values())
    dropdowns = list(wi.keys.values())
    for i in itertools.count():
        if dropdowns and i % 5 == 4:
            yield _advance(dropdowns[(i // 5) % len(dropdowns)])
        else:
            yield _advance(boxes[i % len(boxes)])


def controls_of(app: Any) -> list[Any]:
    if isinstance(app, W.ScenarioBuilder):
        return list(app.controls)
    if isinstance(app, W.PolicyPlayground):
        return [app.policy, app.text, app.principal, app.secret, app.action]
    return [*app.checkboxes.values(), *app.keys.values()]


def timed(
    app: Any, changes: list[Change], *, cold: bool, forget_text: bool = False, forget_figure: bool = False
) -> tuple[list[float], list[float]]:
    """Per change: ms until the result is on screen (the app's status, HTML and main figure set)
    and ms until the observer returns (with the "after the fix" figures, which a kernel draws once
    the observer has returned: outside one they are drawn before it returns)."""
    shown: list[float] = []
    stamp: list[float] = []
    for widget in (app.status, app.html, app.image):
        widget.observe(lambda change: stamp.append(time.perf_counter()), names="value")
    totals = []
    for change in changes:
        if cold:
            W.clear_caches()
            if forget_text:
                forget_texts()
            if forget_figure:
                forget_figures()
        stamp.clear()
        start = time.perf_counter()
        change()  # the observer renders synchronously
        end = time.perf_counter()
        totals.append((end - start) * 1000)
        shown.append(((max(stamp) if stamp else end) - start) * 1000)
    return shown, totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument(
        "--forget-text",
        action="store_true",
        help="cold changes also forget the text sizes and masks remembered by viz.raster",
    )
    parser.add_argument(
        "--forget-figures",
        action="store_true",
        help="cold changes also forget the empty figures kept by viz.reuse",
    )
    args = parser.parse_args()
    apps: list[tuple[str, Callable[[], Any], Callable[[Any], Iterator[Change]]]] = [
        ("ScenarioBuilder", W.ScenarioBuilder, builder_changes),
        (
            "PolicyPlayground (cross-account-cmk.json)",
            lambda: W.PolicyPlayground(DATA / "cross-account-cmk.json", "$.secrets[0].resource_policy"),
            playground_changes,
        ),
        (
            "WhatIfExplorer (cross-account-cmk.json)",
            lambda: W.WhatIfExplorer(DATA / "cross-account-cmk.json"),
            whatif_changes,
        ),
    ]
    head = f"one control change, {args.changes} changes cycling through the values; PNG at {W.PNG_DPI} dpi"
    print(
        head
        + ("; text masks forgotten too" if args.forget_text else "")
        + ("; empty figures forgotten too" if args.forget_figures else "")
    )
    for name, make, changes_of in apps:
        W.clear_caches()
        start = time.perf_counter()
        app = make()
        built = (time.perf_counter() - start) * 1000
        initial = [c.value for c in controls_of(app)]
        changes = list(itertools.islice(changes_of(app), args.changes))
        cold, cold_total = timed(
            app, changes, cold=True, forget_text=args.forget_text, forget_figure=args.forget_figures
        )
        for _ in range(2):  # back to the start and through the same states: once to remember, once timed
            for control, value in zip(controls_of(app), initial, strict=True):
                control.value = value
            warm, _ = timed(app, changes, cold=False)
        print(
            f"  {name}: median {statistics.median(cold):.1f} ms cold to the result "
            f"(p90 {_p90(cold):.1f}, max {max(cold):.1f}; {statistics.median(cold_total):.1f} ms with the "
            f"after-the-fix figures); median {statistics.median(warm):.2f} ms warm; "
            f"widget built in {built:.0f} ms"
        )
    return 0


def _p90(times: list[float]) -> float:
    return statistics.quantiles(times, n=10)[-1]


if __name__ == "__main__":
    sys.exit(main())
