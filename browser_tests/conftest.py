"""Real-browser tests (issue #10 item 8): headless Chromium (Debian's package, driven by the
``playwright`` Python package; ``playwright install`` is never used) opens the apps in JupyterLab
and in Voilà. ``scripts/browser.sh`` installs what they need, starts both servers on free
localhost ports and passes them here in the environment:

- ``SECRETSLAB_LAB_URL``, ``SECRETSLAB_LAB_TOKEN``, ``SECRETSLAB_LAB_ROOT``: JupyterLab on a
  temporary copy of the tree's notebooks (``notebooks/`` is never written);
- ``SECRETSLAB_VOILA_URL``: Voilà on ``apps/``;
- ``SECRETSLAB_SHOTS``: where screenshots and ``timings.json`` go (default /tmp/secretslab-shots).

Every page fixture blocks and records requests that leave localhost (the apps must work offline)
and fails the test on a failed request or a console error."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import matplotlib
import pytest

matplotlib.use("Agg")  # the oracles render figures in this process, off-screen

CHROMIUM = "/usr/bin/chromium"
# docs/architecture.md: the flags headless Chromium needs on these machines, and no traffic of its own
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parent.parent
SHOTS = Path(os.environ.get("SECRETSLAB_SHOTS", "/tmp/secretslab-shots"))
LOCAL_HOSTS = {"127.0.0.1", "localhost", ""}
TIMINGS: dict[str, float] = {}


def env(name: str) -> str:
    """A server address scripts/browser.sh passes; without it the tests cannot run."""
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the browser tests with `bash scripts/browser.sh`")
    return value


def record(name: str, seconds: float) -> None:
    """Remember one timing (seconds) for timings.json and the summary."""
    TIMINGS[name] = round(seconds, 2)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the timings and write them with the screenshots."""
    if not TIMINGS:
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "timings.json").write_text(json.dumps(TIMINGS, indent=1) + "\n")
    terminalreporter.section("headless timings (s)")
    for name, seconds in TIMINGS.items():
        terminalreporter.write_line(f"{seconds:8.2f}  {name}")
    terminalreporter.write_line(f"screenshots and timings.json in {SHOTS}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (scripts/browser.sh does it)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@dataclass
class Watched:
    """A page and what it did: requests that left localhost (blocked), failed requests, console
    errors and uncaught page errors."""

    page: Any
    off_host: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def shot(self, name: str) -> Path:
        """A full-page screenshot into SHOTS."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def problems(self) -> list[str]:
        """Everything that should not have happened, one line each."""
        return (
            [f"request left localhost: {u}" for u in self.off_host]
            + [f"request failed: {f}" for f in self.failed]
            + [f"console: {e}" for e in self.errors]
        )


def _local(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "file", "about"):
        return parsed.scheme != "blob" or urlparse(parsed.path).hostname in LOCAL_HOSTS
    return parsed.hostname in LOCAL_HOSTS


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    """A fresh page (1280×900) whose off-localhost requests are blocked and recorded, and which
    fails the test on a failed request or a console error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(120_000)
    w = Watched(page)

    def route(r: Any) -> None:
        if _local(r.request.url):
            r.continue_()
        else:
            w.off_host.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: w.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: w.errors.append(f"uncaught: {e}"))
    page.on(
        "requestfailed",
        lambda r: None if r.url in w.off_host else w.failed.append(f"{r.url} ({r.failure})"),
    )
    yield w
    problems = w.problems()  # before closing: closing cancels the kernel's open connections
    context.close()
    assert not problems, "\n".join(problems)


def assert_no_truncated_labels(root: Any, name: str) -> None:
    """No control label of the app in ``root`` is cut off (browser_tests/ui.py measures them);
    what was found is kept in SHOTS/NAME-truncated.json either way."""
    from .ui import truncated

    cut = truncated(root)
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"{name}-truncated.json").write_text(json.dumps(cut, indent=1, ensure_ascii=False) + "\n")
    assert not cut, f"labels cut off in {name}: " + "; ".join(
        f"{c['kind']} {c['text']!r} needs {c['need']} px, has {c['room']}" for c in cut
    )
