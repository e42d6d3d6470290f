"""Shared test helpers: where the case files are, and a strict loader for them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

try:
    import matplotlib
except ImportError:  # an environment without secretslab[notebook]: its tests need no figures
    pass
else:
    matplotlib.use("Agg")  # figures render off-screen in tests (never via MPLBACKEND: it leaks into kernels)

#: set by ``pytest --hostile-long``: the hostile-input harness (test_hostile.py) runs many more examples
HOSTILE_LONG = False


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--hostile-long``: run the hostile-input harness with many more examples (minutes, not seconds)."""
    parser.addoption(
        "--hostile-long",
        action="store_true",
        default=False,
        help="run tests/test_hostile.py with many more examples per property",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Read ``--hostile-long`` before the test modules are imported (their settings use it)."""
    global HOSTILE_LONG
    HOSTILE_LONG = bool(config.getoption("--hostile-long", default=False))


ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
#: the 79 doc-derived reference cases, vendored so the suite stands alone (no ../shared, no skips)
PUBLIC_CASES = CASES / "public-cases.json"
#: the vendored table holds at least this many cases; a shorter file is a truncated copy
PUBLIC_CASE_COUNT = 79

CASE_FIELDS = {
    "id",
    "category",
    "title",
    "source_url",
    "extra_source_urls",
    "world",
    "request",
    "expected",
    "expected_reason",
    "expected_reason_code",
    "expected_steps",
    "spec_rules",
    "confidence",
    "notes",
    "expected_validation_errors",
}
REQUIRED = {
    "id",
    "world",
    "request",
    "expected",
    "expected_reason_code",
    "expected_steps",
    "spec_rules",
    "source_url",
}


def load_cases(path: Path) -> list[dict[str, Any]]:
    """Cases in the semantics §13 format; unknown or missing fields fail loudly."""
    data = json.loads(path.read_text(encoding="utf-8"))
    cases = data["cases"]
    for case in cases:
        unknown = set(case) - CASE_FIELDS
        missing = REQUIRED - set(case)
        assert not unknown, f"{path.name} {case.get('id')}: unknown fields {sorted(unknown)}"
        assert not missing, f"{path.name} {case.get('id')}: missing fields {sorted(missing)}"
        assert case["expected"] in ("allow", "deny"), case["id"]
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), f"{path.name}: duplicate case ids"
    return cases


def public_cases() -> list[dict[str, Any]]:
    """The vendored public reference cases (``tests/cases/public-cases.json``), loaded strictly."""
    return load_cases(PUBLIC_CASES)
