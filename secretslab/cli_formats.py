"""The format commands of the ``secretslab`` CLI: ``schema`` prints the JSON Schema of scenario
files (for editors' completion), or writes it atomically with ``-o``; ``import --from-dumps DIR``
(registered with ``import`` in ``cli_aws``, run here) imports AWS CLI output without credentials
and without boto3.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from .cli_common import HELP_FORMAT, examples
from .files import check_destination, write_atomic

EXIT_INPUT = 2  # the status of the other commands' bad input
STDOUT = "-"  # -o - : standard output


def add_commands(sub: Any) -> None:
    """Add ``schema`` to the subparsers ``sub``."""
    schema = sub.add_parser(
        "schema",
        help="print the JSON Schema of scenario files (for editors' completion)",
        description="Print the JSON Schema (draft 2020-12) of scenario files. Point your editor at "
        'it (VS Code: the json.schemas or yaml.schemas setting) or name it in a file\'s "$schema"; '
        "secretslab validate stays the judge of a scenario.",
        formatter_class=HELP_FORMAT,
        epilog=examples(
            "secretslab schema",
            "# where an editor reads it (then name it in VS Code's json.schemas setting):",
            "#   secretslab schema -o .vscode/scenario.schema.json",
        ),
    )
    schema.add_argument(
        "-o", "--output", metavar="FILE", help="write the schema here (atomically); - for standard output"
    )
    schema.set_defaults(run=_schema)


def _schema(args: argparse.Namespace) -> int:
    from .schemas import scenario_schema_text

    text = scenario_schema_text()
    if args.output and args.output != STDOUT:  # -o - is standard output, as for simulate -o -
        write_atomic(args.output, text)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def import_dumps(args: argparse.Namespace) -> int:
    """``secretslab import --from-dumps DIR…``: the world of AWS CLI output, written as a scenario
    file like a live import's (atomically; never into a dumps folder), each gap said on stderr."""
    from .aws.import_dumps import ORGANIZATION_NOTE, snapshot_from_dumps
    from .problems import ScenarioError

    live = [
        f"--{name.replace('_', '-')}" for name in ("profile", "region", "role_arn") if getattr(args, name)
    ]
    live += ["--endpoint-url"] if args.endpoint_url else []
    if live:
        print(
            f"secretslab import: --from-dumps reads files: {', '.join(live)} do not apply "
            "(the Regions are the folders of each DIR)",
            file=sys.stderr,
        )
        return EXIT_INPUT
    output = os.path.abspath(args.output)
    for folder in args.from_dumps:
        inside = os.path.abspath(folder)
        if os.path.commonpath([output, inside]) == inside:
            print(
                f"secretslab import: {args.output}: refusing to write into the dumps folder {folder}; "
                "name a file outside it",
                file=sys.stderr,
            )
            return EXIT_INPUT
    check_destination(args.output)  # refused now, not after reading
    snap = snapshot_from_dumps(args.from_dumps)
    try:
        world = snap.world
    except ScenarioError as exc:  # checked before writing: the file written always loads
        raise ScenarioError(exc.problems, what="world made from the dumps") from None
    for gap in snap.gaps:
        print(f"gap: {gap['what']} ({gap['operation']}: {gap['error']})", file=sys.stderr)
    print(f"note: {ORGANIZATION_NOTE}", file=sys.stderr)
    snap.save(args.output, inputs=[])
    accounts = [a.id for a in world.accounts]
    print(
        f"dumps of {len(accounts)} account(s) ({', '.join(accounts)}): {len(world.users)} users, "
        f"{len(world.groups)} groups, {len(world.roles)} roles, {len(world.secrets)} secrets, "
        f"{len(world.keys)} KMS keys -> {args.output}"
    )
    if snap.gaps:
        print(
            f"{len(snap.gaps)} gap(s): results that depend on them are unknown, not denied",
            file=sys.stderr,
        )
    return 0
