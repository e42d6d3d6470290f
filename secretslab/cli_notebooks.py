"""The ``notebooks`` command of the ``secretslab`` CLI: copy the notebooks that ship with
secretslab, and the scenario files they read, into a folder of the user's (``workspace``)."""

from __future__ import annotations

import argparse
from typing import Any

from .cli_common import HELP_FORMAT, examples


def add_commands(sub: Any) -> None:
    """Add ``notebooks`` to the subparsers ``sub``."""
    nb = sub.add_parser(
        "notebooks",
        help="copy the notebooks (and the scenarios they read, as data/) into a folder of yours",
        description="Copy the notebooks that ship with secretslab into DIR and the scenario files "
        "they read into DIR/data, to open with JupyterLab (pip install 'secretslab[notebook]'). "
        "A file that exists is kept, never overwritten: delete it to get a fresh copy.",
        formatter_class=HELP_FORMAT,
        epilog=examples(
            "secretslab notebooks my-lab",
            "# then: jupyter lab --notebook-dir my-lab",
        ),
    )
    nb.add_argument(
        "folder", metavar="DIR", type=_folder, help="the folder to copy into (made when missing; . for here)"
    )
    nb.set_defaults(run=_notebooks)


def _folder(text: str) -> str:
    """An argparse type: a folder name that is not empty (an empty one would copy into the current
    folder without saying so; ``.`` says it)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("DIR is empty; name a folder (. for the current one)")
    return text


def _notebooks(args: argparse.Namespace) -> int:
    from .workspace import copy_notebooks

    done = copy_notebooks(args.folder)
    for path in done.kept:
        print(f"kept {path} (it exists; delete it to get a fresh copy)")
    print(f"copied {len(done.copied)} file(s) into {done.folder}, kept {len(done.kept)} that existed")
    return 0
