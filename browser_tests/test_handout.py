"""A handout read offline (issue #10 item 6): the HTML export of an executed app notebook, opened
with every request outside the file blocked — so the widget JavaScript from the CDN cannot
load — shows the app's static copy: its controls, verdict and figure."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT, SHOTS


def build_handout(work: Path) -> Path:
    """apps/scenario-builder.ipynb executed and exported as scripts/handouts.sh does."""
    nbformat = pytest.importorskip("nbformat")
    nbconvert = pytest.importorskip("nbconvert")
    from nbconvert.preprocessors import ExecutePreprocessor

    (work / "apps").mkdir()
    (work / "data").symlink_to(ROOT / "data")
    notebook = work / "apps" / "scenario-builder.ipynb"
    shutil.copy(ROOT / "apps" / notebook.name, notebook)
    nb = nbformat.read(notebook, as_version=4)
    ExecutePreprocessor(timeout=300).preprocess(nb, {"metadata": {"path": str(notebook.parent)}})
    exporter = nbconvert.HTMLExporter(template_file=str(ROOT / "scripts" / "handout.html.j2"))
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": notebook.stem}})
    handout = work / "scenario-builder.html"
    handout.write_text(body)
    return handout


def test_offline_handout_shows_the_static_copy_of_the_app(browser: Any, tmp_path: Path) -> None:
    handout = build_handout(tmp_path)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    blocked: list[str] = []

    def offline(route: Any) -> None:
        if route.request.url.startswith("file:") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    page.goto(handout.as_uri())
    page.wait_for_load_state("load")
    static = page.locator(".secretslab-static-fallback .secretslab-static")
    static.wait_for(state="visible")
    assert any("jupyter-widgets" in url or "require" in url for url in blocked), blocked
    assert "ALLOWED_CROSS_ACCOUNT" in static.inner_text()
    figure = static.locator("img[src^='data:image/png;base64,']")
    assert figure.count() == 1 and figure.evaluate("img => img.naturalWidth") > 100
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "handout-offline-scenario-builder.png"), full_page=True)
    context.close()
