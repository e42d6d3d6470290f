"""Figures over the explanation tree, for notebooks and widgets: the access diagram of a
``Decision`` (``diagram``: the AssumeRole chain, the action and the KMS calls Secrets Manager
makes on the caller's behalf, semantics §10.2, §10.6, §11, §12), the evaluation flow of one
``Evaluation`` (``flow``: AWS's order, §8.2–§8.7 and §8.11, with the §12 reason code), and heatmaps
of an access matrix and of the diff between two worlds (``heatmaps``). Notebook 04 measures what
people coming and going cost with diffs of real edits, so no figure counts edits by formula.
Nothing here decides anything: every figure is drawn from result data.

Matplotlib is used only through its object API: each function draws on the ``ax`` it is given,
or on a new ``matplotlib.figure.Figure`` it sizes itself, and returns the figure; pyplot and its
global state are never touched. Colours are Okabe–Ito (``style``) and an outcome is never shown
by colour alone. The diagrams measure their text and work in inches (one data unit per inch),
so that no two labels overlap; every text is ``FONT_SIZE`` points whatever the path: a larger
drawing makes a larger figure (on a given axes too small for it, the figure grows), never
smaller text. Implicit deny is neutral grey, explicit deny vermillion (red).

AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

# ruff: noqa: E402 - matplotlib is required before the figures import it
from ..extras import require

require("matplotlib", extra="notebook")  # without it, one sentence naming the extra to install

from .diagram import access_diagram
from .flow import FlowStage, evaluation_flow, flow_stages
from .heatmaps import diff_heatmap, matrix_heatmap
from .names import short_name
from .style import (
    ALLOW_COLOUR,
    DIFF_COLOURS,
    EXPLICIT_DENY_COLOUR,
    FONT_SIZE,
    IMPLICIT_DENY_COLOUR,
    INK,
    MUTED,
    NEUTRAL,
    OUTCOME_COLOURS,
    OUTCOME_LABELS,
    PATH_COLOUR,
    Artist,
)

__all__ = [
    "ALLOW_COLOUR",
    "DIFF_COLOURS",
    "EXPLICIT_DENY_COLOUR",
    "FONT_SIZE",
    "IMPLICIT_DENY_COLOUR",
    "INK",
    "MUTED",
    "NEUTRAL",
    "OUTCOME_COLOURS",
    "OUTCOME_LABELS",
    "PATH_COLOUR",
    "Artist",
    "FlowStage",
    "access_diagram",
    "diff_heatmap",
    "evaluation_flow",
    "flow_stages",
    "matrix_heatmap",
    "short_name",
]
