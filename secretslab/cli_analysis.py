"""The analysis commands of the ``secretslab`` CLI: ``who-can``, ``paths``, ``matrix``, ``diff``,
``fix`` and ``lint`` on scenario files, with readable text, ``--json``, and a progress bar on
stderr for runs that take more than a second.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .progress import Progress
from .services.secretsmanager import DEFAULT_ACTIONS


def add_commands(sub: Any) -> None:
    """Add ``who-can``, ``paths``, ``matrix``, ``diff``, ``fix`` and ``lint`` to the subparsers ``sub``."""
    who = sub.add_parser("who-can", help="every principal that can perform an action on a resource")
    _scenario_args(who, resource=True)
    who.set_defaults(run=_who_can)

    paths = sub.add_parser("paths", help="every way a principal can perform an action (role chains)")
    _scenario_args(paths, resource=True)
    paths.add_argument("--principal", required=True, help="ARN of the caller")
    paths.add_argument(
        "--max-paths",
        type=_at_least_one,
        default=None,
        help="stop listing after this many paths, and say so (default 200)",
    )
    paths.add_argument(
        "--max-depth", type=_at_least_one, default=None, help="list chains of at most this many roles"
    )
    paths.set_defaults(run=_paths)

    matrix = sub.add_parser("matrix", help="the decision for every principal x secret x action")
    matrix.add_argument("scenario")
    matrix.add_argument("--action", action="append", help=f"repeatable; default {', '.join(DEFAULT_ACTIONS)}")
    matrix.add_argument("--principal", action="append", help="repeatable; default every principal")
    matrix.add_argument("--resource", action="append", help="repeatable; default every secret")
    matrix.add_argument("--json", action="store_true")
    matrix.add_argument("--progress", action="store_true", help="show progress even when not on a terminal")
    matrix.set_defaults(run=_matrix)

    changes = sub.add_parser("diff", help="accesses gained and lost from one scenario to another")
    changes.add_argument("before")
    changes.add_argument("after")
    changes.add_argument("--action", action="append")
    changes.add_argument("--json", action="store_true")
    changes.set_defaults(run=_diff)

    fix = sub.add_parser("fix", help="the smallest policy changes that would allow a denied request")
    _scenario_args(fix, resource=True)
    fix.add_argument("--principal", required=True)
    fix.add_argument("--limit", type=_at_least_one, default=5, help="how many fixes to list (at least 1)")
    fix.set_defaults(run=_fix)

    lint = sub.add_parser("lint", help="findings on a whole scenario, like an access analyzer")
    lint.add_argument("scenario")
    lint.add_argument("--json", action="store_true")
    lint.set_defaults(run=_lint)


def _at_least_one(text: str) -> int:
    """An argparse type: a whole number of at least 1 (a limit of 0 would answer nothing, silently)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number is expected, found {text[:40]!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"at least 1 is expected, found {value}")
    return value


def _scenario_args(parser: argparse.ArgumentParser, *, resource: bool) -> None:
    parser.add_argument("scenario", help="scenario file (JSON or YAML)")
    parser.add_argument("--action", required=True, help="for example secretsmanager:GetSecretValue")
    if resource:
        parser.add_argument("--resource", required=True, help="ARN of the secret (or other resource)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--progress", action="store_true", help="show progress even when not on a terminal")


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2))


def _who_can(args: argparse.Namespace) -> int:
    from .analysis import who_can
    from .world import load_scenario

    world = load_scenario(args.scenario)
    progress = Progress("who-can", force=args.progress)
    try:
        found = who_can(world, args.action, args.resource, progress=progress)
    finally:
        progress.close()
    if args.json:
        _print_json([w.to_dict() for w in found])
    else:
        print(f"{len(found)} principal(s) can {args.action} on {args.resource}:")
        for entry in found:
            print(f"  {entry}")
    return 0


def _paths(args: argparse.Namespace) -> int:
    from .analysis import access_paths
    from .world import load_scenario

    world = load_scenario(args.scenario)
    limits = {"max_paths": args.max_paths} if args.max_paths else {}
    found = access_paths(
        world, args.principal, args.action, args.resource, max_depth=args.max_depth, **limits
    )
    more = f"({found.stopped}: raise --max-paths or --max-depth to see them)"
    if args.json:  # the JSON stays a list of paths; a listing that stopped says so on stderr
        _print_json([p.to_dict() for p in found])
        if found.stopped:
            print(f"secretslab paths: {more}", file=sys.stderr)
    else:
        for path in found:
            print(path.describe())
        if found.stopped:
            print(more)
    return 0


def _matrix(args: argparse.Namespace) -> int:
    from .analysis import access_matrix
    from .world import load_scenario

    world = load_scenario(args.scenario)
    progress = Progress("matrix", force=args.progress)
    try:
        matrix = access_matrix(
            world,
            actions=args.action or DEFAULT_ACTIONS,
            principals=args.principal,
            resources=args.resource,
            progress=progress,
        )
    finally:
        progress.close()
    print(matrix.to_json() if args.json else matrix.to_text())
    return 0


def _diff(args: argparse.Namespace) -> int:
    from .analysis import diff
    from .world import load_scenario

    before, after = load_scenario(args.before), load_scenario(args.after)
    changes = diff(before, after, actions=args.action or DEFAULT_ACTIONS)
    if args.json:
        _print_json(changes.to_dict())
    else:
        print(changes)
    return 0


def _fix(args: argparse.Namespace) -> int:
    from .fixes import suggest_fixes
    from .world import load_scenario

    world = load_scenario(args.scenario)
    request = {"principal": args.principal, "action": args.action, "resource": args.resource}
    fixes = suggest_fixes(world, request, limit=args.limit)
    if args.json:
        _print_json([f.to_dict() for f in fixes])
    elif not fixes:
        print("no policy change makes this request allowed (or it is allowed already)")
    else:
        for i, fix in enumerate(fixes, 1):
            print(f"{i}. {fix.description}")
            for change in fix.changes:
                print(f"   - {change.description}")
    return 0


def _lint(args: argparse.Namespace) -> int:
    from .analyzer import findings
    from .world import load_scenario

    world = load_scenario(args.scenario)
    found = findings(world)
    if args.json:
        _print_json([f.to_dict() for f in found])
    else:
        for finding in found:
            print(finding)
        print(f"{args.scenario}: {len(found)} finding(s)")
    return 0
