"""The apps as standalone Voilà pages (apps/*.ipynb, served by scripts/apps.sh's settings): each
shows only the app and its explanation, loads nothing from outside localhost, reaches the
package's verdicts when clicked through, cuts off no control label and logs no console error."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from secretslab import widgets as W

from . import ui
from .conftest import ROOT, Watched, assert_no_truncated_labels, env, record

WORLDS = ROOT / "data"


def open_app(w: Watched, notebook: str, selector: str) -> Any:
    """Open apps/NOTEBOOK in Voilà and return the app's output area once drawn (timed)."""
    start = time.perf_counter()
    w.page.goto(f"{env('SECRETSLAB_VOILA_URL')}/voila/render/{notebook}")
    root = ui.app(w.page, selector)
    record(f"Voilà first open: {notebook}", time.perf_counter() - start)
    return root


def assert_only_the_app(w: Watched) -> None:
    """The page shows the explanation and the app, never code."""
    assert w.page.locator(".jp-InputArea-editor, .jp-InputPrompt:visible").count() == 0
    assert w.page.locator(".jp-RenderedMarkdown h1").count() == 1


def test_scenario_builder_reaches_every_verdict_in_voila(watched: Watched) -> None:
    root = open_app(watched, "scenario-builder.ipynb", ui.BUILDER)
    assert_only_the_app(watched)
    watched.shot("voila-scenario-builder")
    seen = ui.click_through_builder(root, lambda name: watched.shot(f"voila-scenario-builder-{name}"))
    record("Voilà widget change: builder key → verdict", seen[0][3])
    reasons = {reason for _, _, reason, _ in seen}
    # the four outcomes the notebook teaches, each reached through the page
    assert {"ALLOWED_CROSS_ACCOUNT", "ALLOWED_IDENTITY", "XACCT_NO_RESOURCE_GRANT"} <= reasons
    assert_no_truncated_labels(root, "voila-scenario-builder")


def test_policy_playground_rejects_a_group_principal_then_decides_in_voila(watched: Watched) -> None:
    root = open_app(watched, "policy-playground.ipynb", ui.PLAYGROUND)
    assert_only_the_app(watched)
    ui.type_policy(root, ui.secret_policy(ui.GROUP_PRINCIPAL))
    problems = ui.wait_until(
        lambda: "GROUP_PRINCIPAL" in (t := ui.playground_text(root, ".secretslab-problems")) and t,
        "the group principal to be rejected",
    )
    assert "error" in problems and "$.Statement[0].Principal.AWS" in problems
    watched.shot("voila-policy-playground-rejected")
    # a whole account as principal: AWS accepts it, and the package decides the read
    good = ui.secret_policy("arn:aws:iam::222222222222:root")
    oracle = W.PolicyPlayground(WORLDS / "cross-account-cmk.json", "secret policy of app/db")
    oracle.text.value = good
    assert oracle.rendered is not None and oracle.rendered.decision is not None
    reason = oracle.rendered.decision.reason.value
    start = time.perf_counter()
    ui.type_policy(root, good)
    ui.wait_until(
        lambda: (
            not ui.playground_text(root, ".secretslab-problems")
            and reason in ui.playground_text(root, ".secretslab-decision")
        ),
        f"the decision {reason}",
    )
    record("Voilà widget change: playground policy → decision", time.perf_counter() - start)
    assert reason == "ALLOWED_CROSS_ACCOUNT"
    watched.shot("voila-policy-playground-decided")
    assert_no_truncated_labels(root, "voila-policy-playground")


def test_whatif_explorer_shows_the_accesses_a_change_loses_in_voila(watched: Watched) -> None:
    root = open_app(watched, "what-if-explorer.ipynb", ui.WHATIF)
    assert_only_the_app(watched)
    assert ui.whatif_summary(root).startswith("0 change(s)")
    oracle = W.WhatIfExplorer(WORLDS / "organization-guardrails.json")
    first = next(iter(oracle.checkboxes.values()))
    first.value = False
    assert oracle.rendered is not None
    expected = ui.text_of(oracle.rendered.html.split("</p>")[0])
    start = time.perf_counter()
    root.locator(".widget-checkbox", has_text=first.description).locator("input").uncheck()
    ui.wait_until(lambda: ui.whatif_summary(root) == expected, f"the summary {expected!r}")
    record("Voilà widget change: what-if statement → diff", time.perf_counter() - start)
    watched.shot("voila-what-if-explorer-changed")
    root.get_by_role("button", name="Back to the scenario").click()
    ui.wait_until(lambda: ui.whatif_summary(root).startswith("0 change(s)"), "the reset")
    assert_no_truncated_labels(root, "voila-what-if-explorer")


@pytest.mark.parametrize("notebook", ["scenario-builder", "policy-playground", "what-if-explorer"])
def test_app_notebooks_are_committed_without_outputs(notebook: str) -> None:
    nb = json.loads((ROOT / "apps" / f"{notebook}.ipynb").read_text())
    assert [c["cell_type"] for c in nb["cells"]] == ["markdown", "code"]
    assert nb["cells"][1]["outputs"] == [] and nb["cells"][1]["execution_count"] is None
