"""Notebooks are committed without outputs and open with their learning goal (architecture:
notebook conventions); nbval runs them in the test command."""

from __future__ import annotations

import json

import pytest

from .conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_has_no_outputs_and_states_its_goal(path) -> None:  # type: ignore[no-untyped-def]
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None, path.name
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown" and "Learning goal" in "".join(first["source"])


def test_notebooks_are_numbered() -> None:
    assert NOTEBOOKS and all(p.name[:2].isdigit() and p.name[2] == "-" for p in NOTEBOOKS)
