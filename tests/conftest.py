"""Shared test helpers: where the case files are, and a strict loader for them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import matplotlib
import pytest

matplotlib.use("Agg")  # figures render off-screen in tests (never via MPLBACKEND: it leaks into kernels)

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
#: the team's reference cases live beside the repository (../shared/cases)
PUBLIC_CASES = Path(
    os.environ.get("SECRETSLAB_PUBLIC_CASES", ROOT.parent / "shared" / "cases" / "public-cases.json")
)

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
    if not PUBLIC_CASES.exists():
        pytest.skip(f"public cases not found at {PUBLIC_CASES} (set SECRETSLAB_PUBLIC_CASES)")
    return load_cases(PUBLIC_CASES)
