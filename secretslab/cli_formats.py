"""The ``schema`` command of the ``secretslab`` CLI: print the JSON Schema of scenario files (for
editors' completion), or write it to a file atomically with ``-o``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .files import write_atomic


def add_commands(sub: Any) -> None:
    """Add ``schema`` to the subparsers ``sub``."""
    schema = sub.add_parser(
        "schema",
        help="print the JSON Schema of scenario files (for editors' completion)",
        description="Print the JSON Schema (draft 2020-12) of scenario files. Point your editor at "
        'it (VS Code: the json.schemas or yaml.schemas setting) or name it in a file\'s "$schema"; '
        "secretslab validate stays the judge of a scenario.",
        epilog="example: secretslab schema -o .vscode/scenario.schema.json",
    )
    schema.add_argument("-o", "--output", metavar="FILE", help="write the schema here (atomically)")
    schema.set_defaults(run=_schema)


def _schema(args: argparse.Namespace) -> int:
    from .schemas import scenario_schema_text

    text = scenario_schema_text()
    if args.output:
        write_atomic(args.output, text)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
