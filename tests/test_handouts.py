"""Handouts (issue #10 item 6): an app's display bundle carries, next to its live widget view, a
static copy (HTML with the figure as PNG), and the handout of an executed notebook
(scripts/handouts.sh, template scripts/handout.html.j2) holds that copy where the widget view's
JavaScript, fetched from a CDN, cannot load offline."""

from __future__ import annotations

import base64
import json
import shutil
from html import unescape

import pytest

from secretslab import widgets as W
from secretslab.widgets.static import STATIC_CLASS

from .conftest import ROOT

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PNG = b"\x89PNG\r\n\x1a\n"


def test_app_bundle_holds_the_widget_view_and_a_static_copy_of_the_current_result() -> None:
    builder = W.ScenarioBuilder()
    builder.identity_decrypt.value = False  # denied at kms:Decrypt
    bundle = builder._repr_mimebundle_()
    assert WIDGET_VIEW in bundle and bundle[WIDGET_VIEW]["model_id"] == builder.widget.model_id
    html = unescape(bundle["text/html"])
    assert STATIC_CLASS in html
    # the controls as shown (labels, not internal values), a control that does not apply marked
    assert "customer managed key alias/prod-db" in html and "✗ off" in html
    assert "Secret's key" in html and "does not apply" in html  # the trust box on the direct path
    # the result and its figure, inline
    assert builder.rendered is not None and builder.rendered.decision is not None
    assert not builder.rendered.decision.allowed
    assert builder.rendered.decision.reason.value in html
    assert "data:image/png;base64," in html
    assert base64.b64decode(bundle["image/png"]) == bytes(builder.image.value)
    assert base64.b64decode(bundle["image/png"]).startswith(PNG)


def test_playground_static_copy_shows_the_policy_typed_and_its_problems() -> None:
    pg = W.PolicyPlayground(ROOT / "data" / "cross-account-cmk.json", "secret policy of app/db")
    policy = json.loads(pg.text.value)
    policy["Statement"][0]["Principal"] = {"AWS": "arn:aws:iam::222222222222:group/Devs"}
    pg.text.value = json.dumps(policy, indent=2)
    html = pg._repr_mimebundle_()["text/html"]
    assert "group/Devs" in html and "GROUP_PRINCIPAL" in html and "last good" in html


@pytest.fixture(scope="module")
def handout(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The handout of apps/scenario-builder.ipynb, built as scripts/handouts.sh builds it, in a
    temporary copy of the tree's layout (the notebook reads ../data)."""
    nbformat = pytest.importorskip("nbformat")
    nbconvert = pytest.importorskip("nbconvert")
    from nbconvert.preprocessors import ExecutePreprocessor

    work = tmp_path_factory.mktemp("handout")
    (work / "apps").mkdir()
    shutil.copytree(ROOT / "data", work / "data")
    notebook = work / "apps" / "scenario-builder.ipynb"
    shutil.copy(ROOT / "apps" / "scenario-builder.ipynb", notebook)
    nb = nbformat.read(notebook, as_version=4)
    ExecutePreprocessor(timeout=300).preprocess(nb, {"metadata": {"path": str(notebook.parent)}})
    exporter = nbconvert.HTMLExporter(template_file=str(ROOT / "scripts" / "handout.html.j2"))
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": notebook.stem}})
    assert isinstance(body, str)
    return body


def test_handout_holds_the_live_widget_view_and_the_static_copy(handout: str) -> None:
    assert f'<script type="{WIDGET_VIEW}">' in handout  # live, where the widget JavaScript loads
    assert "secretslab-static-fallback" in handout and STATIC_CLASS in handout
    assert "ALLOWED_CROSS_ACCOUNT" in handout  # the default choices: a direct read with a CMK
    assert "data:image/png;base64,iVBORw0KGgo" in handout  # the figure, inline
    assert "customer managed key alias/prod-db" in handout


def test_handout_hides_the_static_copy_only_once_the_live_widget_has_drawn(handout: str) -> None:
    assert ":has(.widget-subarea, .lm-Widget) + .secretslab-static-fallback" in handout
    assert ":not(:has(.widget-subarea, .lm-Widget)):has(+ .secretslab-static-fallback)" in handout


def test_handout_never_writes_into_notebooks() -> None:
    script = (ROOT / "scripts" / "handouts.sh").read_text()
    assert "refusing to write into notebooks/" in script and "mktemp -d" in script
    assert not list((ROOT / "notebooks").glob("*.html"))
