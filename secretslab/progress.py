"""A one-line progress bar on stderr for long CLI runs (matrix, who-can, import).

It stays silent for the first second, so quick runs print nothing, and off a terminal unless
forced, so redirected output is never interleaved with bar redraws. The notebook counterpart is
``secretslab.widgets.ProgressBar``; both are ``progress(done, total)`` callables.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 30
QUIET_SECONDS = 1.0


class Progress:
    """``progress(done, total)`` draws ``label [####------] done/total``; ``close()`` ends the line."""

    def __init__(self, label: str, *, force: bool = False, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.start = time.monotonic()
        self.enabled = force or self.stream.isatty()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or time.monotonic() - self.start < QUIET_SECONDS:
            return
        filled = WIDTH * min(done, total) // max(total, 1)
        bar = "#" * filled + "-" * (WIDTH - filled)
        print(f"\r{self.label} [{bar}] {done}/{total}", end="", file=self.stream, flush=True)
        self.shown = True

    def close(self) -> None:
        """End the bar's line, when it was drawn, so the next output starts on a line of its own."""
        if self.shown:
            print(file=self.stream)
