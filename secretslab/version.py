"""secretslab's version: the one number in pyproject.toml, read from the installed package's
metadata (``importlib.metadata``) only when asked, since loading that module costs more than the
rest of the CLI's start-up."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

#: what ``version()`` says when secretslab runs from a source tree that was never installed
UNKNOWN = "0+unknown"


def version() -> str:
    """The installed distribution's version (PEP 440), or ``UNKNOWN`` when it is not installed."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("secretslab")
    except PackageNotFoundError:
        return UNKNOWN


class VersionAction(argparse.Action):
    """``--version``: print ``secretslab X.Y.Z`` on standard output and exit 0, as argparse's
    ``action="version"`` does, but read the version only when the option is given."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        kwargs.setdefault("help", "print the version and exit")
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(f"{parser.prog} {version()}", file=sys.stdout)
        parser.exit()
