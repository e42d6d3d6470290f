"""How the CLI's text output looks on a terminal: colour only when standard output is a terminal
and ``NO_COLOR`` is unset or empty (https://no-color.org) — or when ``--color always`` asks for it —
and lines wrapped to the terminal's width, continuation lines indented under their start. Output
to a file or a pipe stays plain, one record a line, so it can be grepped; JSON and SARIF never
pass through here.
"""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from dataclasses import dataclass
from typing import TextIO

COLOR_CHOICES = ("auto", "always", "never")

#: ANSI SGR codes of the tones the CLI uses
_TONES = {
    "allow": "32",  # green
    "deny": "31",  # red
    "warn": "33",  # yellow
    "note": "36",  # cyan
    "dim": "2",
    "bold": "1",
}


@dataclass(frozen=True, slots=True)
class Terminal:
    """How to write text for people to one stream: ``color`` (ANSI colour on or off) and ``width``
    (wrap lines to it; None: never wrap)."""

    color: bool = False
    width: int | None = None

    def paint(self, text: str, tone: str) -> str:
        """``text`` in ``tone`` (allow, deny, warn, note, dim, bold) when colour is on."""
        if not self.color or not text:
            return text
        return f"\x1b[{_TONES[tone]}m{text}\x1b[0m"

    def paint_words(self, text: str, tones: dict[str, str]) -> str:
        """``text`` with every whole word that is a key of ``tones`` painted in its tone."""
        if not self.color or not tones:
            return text
        pattern = re.compile(r"(?<![\w:/-])(" + "|".join(map(re.escape, tones)) + r")(?![\w/-])")
        return pattern.sub(lambda m: self.paint(m.group(1), tones[m.group(1)]), text)

    def wrap(self, text: str, hang: int = 4) -> str:
        """Each line of ``text`` wrapped to the width, its continuation lines indented ``hang``
        spaces further than the line itself; long words (ARNs) are never split."""
        if not self.width:
            return text
        out: list[str] = []
        for line in text.split("\n"):
            if len(line) <= self.width:
                out.append(line)
                continue
            indent = line[: len(line) - len(line.lstrip(" "))]
            out.extend(
                textwrap.wrap(
                    line.strip(" "),
                    width=max(self.width, len(indent) + hang + 20),
                    initial_indent=indent,
                    subsequent_indent=indent + " " * hang,
                    break_long_words=False,
                    break_on_hyphens=False,
                )
                or [line]
            )
        return "\n".join(out)


def color_wanted(stream: TextIO, choice: str = "auto") -> bool:
    """Whether to colour output written to ``stream``: always/never as asked; for ``auto``, only
    when ``stream`` is a terminal and ``NO_COLOR`` is unset or empty, and ``TERM`` is not dumb."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # a closed stream is not a terminal
        return False


def terminal(stream: TextIO, choice: str = "auto") -> Terminal:
    """The ``Terminal`` for ``stream``: colour as ``color_wanted`` says; wrapped to the terminal's
    width when ``stream`` is a terminal or ``COLUMNS`` is set, else never wrapped."""
    wrap = "COLUMNS" in os.environ
    if not wrap:
        try:
            wrap = bool(stream.isatty())
        except (AttributeError, OSError, ValueError):
            wrap = False
    width = shutil.get_terminal_size((100, 24)).columns if wrap else None
    return Terminal(color=color_wanted(stream, choice), width=width)
