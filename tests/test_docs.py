"""The documentation site (``scripts/docs.sh``; the test command builds it with -W): what its
generated reference pages read from the package, that its user pages cite AWS pages rather than
sections of the design notes, and that the script never writes the site over a folder it did not
build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from secretslab import pages
from secretslab.analyzer.finding import FINDING_PAGE, FindingCode
from secretslab.evaluation.results import REASON_PAGE, Reason

from .test_no_section_refs import UNREACHABLE

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
#: pages for the people who work on secretslab: they have the design notes, and cite their sections
DEVELOPER_NOTES = {"architecture.md", "deviations.md"}
REGISTRY = {value for name, value in vars(pages).items() if name.isupper()}


def test_every_reason_and_finding_code_has_a_page_of_the_registry() -> None:
    assert set(REASON_PAGE) == set(Reason)
    assert set(FINDING_PAGE) == set(FindingCode)
    assert {r.page for r in Reason} | {f.page for f in FindingCode} <= REGISTRY


def test_user_pages_of_the_site_cite_no_section_of_the_design_notes() -> None:
    user_pages = [p for p in sorted(DOCS.rglob("*.md")) if p.name not in DEVELOPER_NOTES]
    assert {"index.md", "limits.md", "scenario-format.md", "codes.md", "cli.md", "api.md"} <= {
        p.name for p in user_pages
    }
    cited = [
        str(p.relative_to(ROOT)) for p in user_pages if UNREACHABLE.search(p.read_text(encoding="utf-8"))
    ]
    assert not cited


def test_the_site_has_every_chapter_and_the_deviations() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    assert "notebooks/*" in index  # every notebook is a chapter, staged by scripts/docs.sh
    assert all(page in index for page in ("deviations", "reference/cli", "reference/codes", "reference/api"))


def _docs_sh(out: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INSTALL": "0", "VENV": str(Path(sys.executable).parent.parent)}
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "docs.sh"), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("where", ["user-folder", "repository", "notebooks"])
def test_docs_script_refuses_to_write_over_what_it_did_not_build(tmp_path: Path, where: str) -> None:
    out = {"user-folder": tmp_path / "mine", "repository": ROOT, "notebooks": ROOT / "notebooks" / "site"}[
        where
    ]
    if where == "user-folder":
        out.mkdir()
        (out / "notes.txt").write_text("keep me", encoding="utf-8")
    result = _docs_sh(out)
    assert result.returncode == 2, result.stderr
    assert "docs: refusing" in result.stderr or "not a site built by this script" in result.stderr
    if where == "user-folder":
        assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert not (ROOT / "notebooks" / "site").exists()
