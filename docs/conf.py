"""Sphinx configuration of the secretslab documentation site. Build it with ``bash scripts/docs.sh``:
the script stages this folder, the notebooks and the scenario files into a build folder (Sphinx
reads only its source folder, and the tree is never written) and runs Sphinx with -W.

The site is built offline: no intersphinx, no remote theme assets, no widget JavaScript from a
CDN. Every chapter notebook is executed at build time, and a cell that fails fails the build.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import secretslab  # noqa: E402  (after the path of the local extension)

project = "secretslab"
author = "the secretslab authors"
copyright = "the secretslab authors"
release = version = secretslab.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",  # the docstrings are plain reStructuredText prose: no napoleon
    "secretslab_docs",
]

# The chapters and pages; data/ is staged beside notebooks/ for the notebooks to read, never a page.
exclude_patterns = ["_build", "data", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
# architecture.md, deviations.md and browser-tests.md are read by developers from the tree too:
# their links to the source files are relative paths, not pages of the site.
suppress_warnings: list[str] = []

# Text is shown as written: help texts say --json, not an en dash, and prose has its own quotes.
smartquotes = False

# -- MyST and the notebooks
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = os.environ.get("SECRETSLAB_DOCS_EXECUTE", "force")
nb_execution_cache_path = os.environ.get("SECRETSLAB_DOCS_CACHE", "")
nb_execution_timeout = int(os.environ.get("SECRETSLAB_DOCS_TIMEOUT", "600"))  # seconds, per cell
nb_execution_raise_on_error = True  # a broken chapter fails the build
nb_execution_show_tb = True
nb_merge_streams = True
# The apps' live widget views need ipywidgets' JavaScript from a CDN: the site shows the static
# copy each app puts beside its view (secretslab.widgets.static) and loads no widget script.
nb_ipywidgets_js: dict[str, dict[str, str]] = {}
nb_mime_priority_overrides = [
    (builder, "application/vnd.jupyter.widget-view+json", None)
    for builder in ("html", "dirhtml", "singlehtml")
]

# -- autodoc
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"show-inheritance": False}
# scripts/docs.sh builds with -n: every cross-reference must resolve. Type hints name a public
# class by the module that defines it (secretslab.world.model.World): the local extension resolves
# those to the page's secretslab.World. The standard library and third-party classes are not
# linked: the build is offline, without intersphinx, so they stay plain text.
nitpick_ignore_regex = [
    ("py:.*", r"(collections\.abc|os|pathlib|typing|enum|datetime|io|argparse)\..*"),
    ("py:.*", r"(matplotlib|ipywidgets|IPython|boto3|botocore|moto)\..*"),
    ("py:class", r"Figure"),  # matplotlib's, named unqualified by secretslab.viz's type hints
    # executor= (analysis.matrix, batch): imported for type checking only, so named unqualified
    ("py:class", r"(concurrent\.futures\.(_base\.)?)?Executor"),
]

# -- HTML
html_theme = "sphinx_book_theme"
html_title = f"secretslab {release}"
html_static_path: list[str] = []
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "navigation_with_keys": False,
}
html_show_sourcelink = False
html_last_updated_fmt = None
