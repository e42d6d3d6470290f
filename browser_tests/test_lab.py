"""The apps inside their notebooks in JupyterLab, as an attendee meets them: open the notebook,
wait for an idle kernel, Run All Cells from the Run menu, then use the app — its verdicts match
the package's, no control label is cut off and the console logs no error. JupyterLab works on a
temporary copy of notebooks/ (scripts/browser.sh), so its autosave never touches the tree."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from . import ui
from .conftest import ROOT, SHOTS, Watched, assert_no_truncated_labels, env, record

# The status bar once the notebook's kernel has started and is idle ("No Kernel" is idle too).
KERNEL_IDLE = "#jp-main-statusbar :text-matches('Python 3 .*[|] Idle')"
PLAYGROUND_NOTEBOOK = "07-policy-playground.ipynb"  # from the nb-early lane; tested once it exists


def run_all(w: Watched, notebook: str) -> None:
    """Open notebooks/NOTEBOOK alone (``?reset``: no tab restored from an earlier test), wait for
    its kernel, run every cell; timed as first open and run-all."""
    page = w.page
    token = env("SECRETSLAB_LAB_TOKEN")
    start = time.perf_counter()
    page.goto(f"{env('SECRETSLAB_LAB_URL')}/lab/tree/notebooks/{notebook}?reset&token={token}")
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
    page.locator(KERNEL_IDLE).wait_for()
    record(f"JupyterLab open (cells shown, kernel idle): {notebook}", time.perf_counter() - start)
    start = time.perf_counter()
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()

    errors = page.locator('[data-mime-type="application/vnd.jupyter.error"]')

    def all_ran() -> bool:
        prompts = page.evaluate(
            "() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) "
            ".jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim())"
        )
        done = bool(prompts) and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts)
        idle = page.locator(KERNEL_IDLE).count() > 0
        if idle and errors.count():  # Run All stops at the first error
            raise AssertionError(f"a cell of {notebook} failed: {errors.first.inner_text()}")
        return done and idle

    ui.wait_until(all_ran, f"every cell of {notebook} to run", timeout=300)
    record(f"JupyterLab run-all: {notebook}", time.perf_counter() - start)


def open_app(w: Watched, notebook: str, selector: str, name: str) -> Any:
    """Run NOTEBOOK and return its app's output area; timed from opening to the app drawn."""
    start = time.perf_counter()
    run_all(w, notebook)
    root = ui.app(w.page, selector)
    root.scroll_into_view_if_needed()
    record(f"JupyterLab first open (open + run-all + app drawn): {name}", time.perf_counter() - start)
    return root


def shot(w: Watched, root: Any, name: str) -> None:
    """A screenshot of the app's output area (the notebook scrolls inside its panel)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    root.scroll_into_view_if_needed()
    root.screenshot(path=str(SHOTS / f"{name}.png"))
    w.page.screenshot(path=str(SHOTS / f"{name}-window.png"))


def test_scenario_builder_reaches_every_verdict_in_lab(watched: Watched) -> None:
    root = open_app(watched, "03-cross-account.ipynb", ui.BUILDER, "ScenarioBuilder")
    shot(watched, root, "lab-scenario-builder")
    seen = ui.click_through_builder(root, lambda name: shot(watched, root, f"lab-scenario-builder-{name}"))
    record("JupyterLab widget change: builder key → verdict", seen[0][3])
    reasons = {reason for _, _, reason, _ in seen}
    assert {"ALLOWED_CROSS_ACCOUNT", "ALLOWED_IDENTITY", "XACCT_NO_RESOURCE_GRANT"} <= reasons
    assert_no_truncated_labels(root, "lab-scenario-builder")


def test_whatif_explorer_shows_the_accesses_a_change_loses_in_lab(watched: Watched) -> None:
    root = open_app(watched, "05-what-if-analysis.ipynb", ui.WHATIF, "WhatIfExplorer")
    shot(watched, root, "lab-what-if-explorer")
    assert ui.whatif_summary(root).startswith("0 change(s)")
    box = root.locator(".widget-checkbox input").first
    start = time.perf_counter()
    box.uncheck()
    ui.wait_until(lambda: not ui.whatif_summary(root).startswith("0 change(s)"), "the diff to update")
    record("JupyterLab widget change: what-if statement → diff", time.perf_counter() - start)
    assert ui.whatif_summary(root).startswith("1 change(s)")
    shot(watched, root, "lab-what-if-explorer-changed")
    root.get_by_role("button", name="Back to the scenario").click()
    ui.wait_until(lambda: ui.whatif_summary(root).startswith("0 change(s)"), "the reset")
    assert_no_truncated_labels(root, "lab-what-if-explorer")


@pytest.mark.skipif(
    not (ROOT / "notebooks" / PLAYGROUND_NOTEBOOK).exists(),
    reason=f"notebooks/{PLAYGROUND_NOTEBOOK} does not exist yet (the playground is tested in Voilà)",
)
def test_policy_playground_rejects_a_group_principal_then_decides_in_lab(watched: Watched) -> None:
    root = open_app(watched, PLAYGROUND_NOTEBOOK, ui.PLAYGROUND, "PolicyPlayground")
    ui.choose_secret_policy(root)
    ui.type_policy(root, ui.secret_policy(ui.GROUP_PRINCIPAL))
    ui.wait_until(
        lambda: "GROUP_PRINCIPAL" in ui.playground_text(root, ".secretslab-problems"),
        "the group principal to be rejected",
    )
    shot(watched, root, "lab-policy-playground-rejected")
    ui.type_policy(root, ui.secret_policy("arn:aws:iam::222222222222:root"))
    decision = ui.wait_until(
        lambda: (
            not ui.playground_text(root, ".secretslab-problems")
            and ui.playground_text(root, ".secretslab-decision")
        ),
        "a decision",
    )
    assert re.search(r"\b(ALLOW|DENY)\b", decision)
    shot(watched, root, "lab-policy-playground-decided")
    assert_no_truncated_labels(root, "lab-policy-playground")


APP_NOTEBOOKS = {"03-cross-account.ipynb", "05-what-if-analysis.ipynb", PLAYGROUND_NOTEBOOK}
OTHER_NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb") if p.name not in APP_NOTEBOOKS)


@pytest.mark.parametrize("notebook", OTHER_NOTEBOOKS)
def test_notebook_runs_every_cell_in_lab(watched: Watched, notebook: str) -> None:
    """The notebooks without an app run from the Run menu too, without an error or a console error
    (the app notebooks run in the tests above)."""
    run_all(watched, notebook)
    watched.page.screenshot(path=str(SHOTS / f"lab-{notebook.removesuffix('.ipynb')}.png"))
