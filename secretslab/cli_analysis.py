"""The analysis commands of the ``secretslab`` CLI: ``who-can``, ``paths``, ``matrix``, ``diff``,
``fix``, ``lint`` and ``test`` on scenario files, with readable text (short ARNs, wrapped, coloured
on a terminal), ``--json`` (and SARIF for ``lint``), exit statuses a pipeline can act on
(``lint --fail-on``, ``diff --fail-on-gained``, ``test``), and a progress bar on stderr for runs
that take more than a second.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import replace
from typing import Any

from .arn import short_arns
from .cli_common import (
    HELP_FORMAT,
    SCENARIO_HELP,
    add_color,
    add_format,
    examples,
    fail,
    load_world,
    one_stdin,
    out_terminal,
    read_scenario_document,
    source_name,
    world_prefix,
)
from .limits import MAX_WORKERS
from .problems import ScenarioError, Severity, json_path
from .progress import Progress
from .services.secretsmanager import DEFAULT_ACTIONS

#: the bundled scenarios (by name: a file ./data/NAME.json in a clone, else the copy in the
#: package) and requests the examples of ``--help`` use (the tests run every example)
CMK = "cross-account-cmk"
AWS_KEY = "cross-account-aws-managed-key"
ROLE_CHAIN = "cross-account-assume-role"
GUARDRAILS = "organization-guardrails"
GET = "secretsmanager:GetSecretValue"
WORKER = "arn:aws:sts::222222222222:assumed-role/AppRole/worker"
BOB = "arn:aws:iam::222222222222:user/bob"
APP_DB = "arn:aws:secretsmanager:us-east-1:111111111111:secret:app/db-AbC123"
LEGACY = "arn:aws:secretsmanager:us-east-1:111111111111:secret:app/legacy-Zx9Yw8"
BILLING_DB = "arn:aws:secretsmanager:us-east-1:111111111111:secret:billing/db-Bl9Db2"

#: the severities ``lint --fail-on`` takes, most serious first (those of analyzer findings)
FAIL_ON = (Severity.HIGH.value, Severity.MEDIUM.value, Severity.LOW.value)


def add_commands(sub: Any) -> None:
    """Add ``who-can``, ``paths``, ``matrix``, ``diff``, ``fix``, ``lint`` and ``test`` to the
    subparsers ``sub``."""
    who = sub.add_parser(
        "who-can",
        help="every principal that can perform an action on a resource",
        formatter_class=HELP_FORMAT,
        epilog=examples(
            f"secretslab who-can {CMK} --action {GET} --resource {APP_DB}",
            f"secretslab who-can {ROLE_CHAIN} --action {GET} --resource {LEGACY} --json",
        ),
    )
    _scenario_args(who, resource=True)
    who.add_argument("--progress", action="store_true", help="show progress even when not on a terminal")
    add_color(who)
    who.set_defaults(run=_who_can)

    paths = sub.add_parser(
        "paths",
        help="every way a principal can perform an action (role chains)",
        formatter_class=HELP_FORMAT,
        epilog=examples(
            f"secretslab paths {ROLE_CHAIN} --principal {BOB} --action {GET} --resource {LEGACY}",
            f"secretslab paths {ROLE_CHAIN} --principal {BOB} --action {GET} --resource {LEGACY} "
            "--max-depth 1",
        ),
    )
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
    add_color(paths)
    paths.set_defaults(run=_paths)

    matrix = sub.add_parser(
        "matrix",
        help="the decision for every principal x secret x action",
        formatter_class=HELP_FORMAT,
        epilog=examples(
            f"secretslab matrix {CMK}",
            f"secretslab matrix {CMK} --action {GET} --resource {APP_DB} --json",
        ),
    )
    matrix.add_argument("scenario", help=SCENARIO_HELP)
    matrix.add_argument("--action", action="append", help=f"repeatable; default {', '.join(DEFAULT_ACTIONS)}")
    matrix.add_argument("--principal", action="append", help="repeatable; default every principal")
    matrix.add_argument("--resource", action="append", help="repeatable; default every secret")
    add_format(matrix)
    matrix.add_argument("--progress", action="store_true", help="show progress even when not on a terminal")
    matrix.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="worker processes, at most 64 (default: one per CPU for a matrix of over 20,000 cells, else 1)",
    )
    add_color(matrix)
    matrix.set_defaults(run=_matrix)

    changes = sub.add_parser(
        "diff",
        help="accesses gained and lost from one scenario to another",
        formatter_class=HELP_FORMAT,
        epilog=examples(
            f"secretslab diff {CMK} {AWS_KEY} --action {GET}",
            "# in CI: exit 1 when the change grants any access it did not before",
            f"secretslab diff {AWS_KEY} {CMK} --fail-on-gained --json",
        ),
    )
    changes.add_argument("before", help=f"the scenario before the change ({SCENARIO_HELP})")
    changes.add_argument("after", help=f"the scenario after the change ({SCENARIO_HELP})")
    changes.add_argument(
        "--action", action="append", help=f"repeatable; default {', '.join(DEFAULT_ACTIONS)}"
    )
    changes.add_argument(
        "--fail-on-gained",
        action="store_true",
        help="exit 1 when any access is gained (the number gained is said on stderr)",
    )
    add_format(changes)
    add_color(changes)
    changes.set_defaults(run=_diff)

    fix = sub.add_parser(
        "fix",
        help="the smallest policy changes that would allow a denied request",
        formatter_class=HELP_FORMAT,
        epilog=examples(f"secretslab fix {CMK} --principal {WORKER} --action {GET} --resource {BILLING_DB}"),
    )
    _scenario_args(fix, resource=True)
    fix.add_argument("--principal", required=True, help="ARN of the caller")
    fix.add_argument("--limit", type=_at_least_one, default=5, help="how many fixes to list (at least 1)")
    fix.set_defaults(run=_fix)

    lint = sub.add_parser(
        "lint",
        help="findings on a whole scenario, like an access analyzer",
        formatter_class=HELP_FORMAT,
        epilog=examples(
            f"secretslab lint {CMK}",
            "# in CI: exit 1 when any finding is high (or medium, or low) or worse",
            f"secretslab lint {CMK} --fail-on high",
            f"secretslab lint {GUARDRAILS} --format sarif",
        ),
    )
    lint.add_argument("scenario", help=SCENARIO_HELP)
    lint.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default=None,
        help="exit 1 when any finding has this severity or a more serious one "
        "(default: report the findings and exit 0)",
    )
    add_format(lint, ("text", "json", "sarif"))
    add_color(lint)
    lint.set_defaults(run=_lint)

    test = sub.add_parser(
        "test",
        help="check that the decisions each scenario's expectations state still hold",
        description="Run the expectations a scenario file carries (request, decision, reason) and "
        "print one line per expectation (PASS, FAIL, UNKNOWN when the decision depends on data an "
        "import could not read, or ERROR). Exit 1 when any does not hold or is unknown, or a file "
        "carries none, "
        "2 when a file cannot be read or a request cannot be decided, 0 otherwise.",
        formatter_class=HELP_FORMAT,
        epilog=examples(
            f"secretslab test {CMK} {GUARDRAILS} {ROLE_CHAIN}",
            "# every scenario file of a folder (here data/ in a clone of the repository)",
            "secretslab test data/*.json",
        ),
    )
    test.add_argument(
        "scenarios",
        nargs="+",
        metavar="SCENARIO",
        help="scenario files (JSON or YAML) or names of bundled scenarios; - for standard input, once",
    )
    test.add_argument("-q", "--quiet", action="store_true", help="print only the expectations that fail")
    add_format(test)
    add_color(test)
    test.set_defaults(run=_test)


def _at_least_one(text: str) -> int:
    """An argparse type: a whole number of at least 1 (a limit of 0 would answer nothing, silently)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number is expected, found {text[:40]!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"at least 1 is expected, found {value}")
    return value


def _jobs(text: str) -> int:
    """An argparse type: worker processes, from 1 to ``limits.MAX_WORKERS``."""
    value = _at_least_one(text)
    if value > MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"at most {MAX_WORKERS} worker processes, found {value}")
    return value


def _scenario_args(parser: argparse.ArgumentParser, *, resource: bool) -> None:
    parser.add_argument("scenario", help=SCENARIO_HELP)
    parser.add_argument("--action", required=True, help="for example secretsmanager:GetSecretValue")
    if resource:
        parser.add_argument("--resource", required=True, help="ARN of the secret (or other resource)")
    add_format(parser)


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2))


def _print_text(args: argparse.Namespace, text: str, tones: dict[str, str]) -> None:
    """Text for people: short ARNs, wrapped to the terminal, coloured on one (``tones``)."""
    term = out_terminal(args)
    print(term.paint_words(term.wrap(short_arns(text)), tones))


_DECIDED = {"allowed": "allow", "denied": "deny", "unknown": "warn"}


def _note_account_gaps(command: str, world: Any) -> None:
    """Say on stderr what an import could not read of whole accounts (their principals, secrets or
    keys): a listing of them (lint's findings, the matrix's rows and columns) leaves those out."""
    from .analysis.principals import account_gaps

    for gap in account_gaps(world):
        why = f" ({gap.operation}: {gap.error})" if gap.operation or gap.error else ""
        print(
            f"secretslab {command}: note: account {gap.resource}: {gap.what} could not be read{why}; "
            "this answer leaves out what they hold",
            file=sys.stderr,
        )


def _who_can(args: argparse.Namespace) -> int:
    from .analysis import who_can

    world = load_world(args.scenario)
    progress = Progress("who-can", force=args.progress)
    try:
        found = who_can(world, args.action, args.resource, progress=progress)
    finally:
        progress.close()
    if args.format == "json":
        _print_json([w.to_dict() for w in found])
    else:
        lines = [f"{len(found)} principal(s) can {args.action} on {args.resource}:"]
        lines += [f"  {entry}" for entry in found]
        term = out_terminal(args)
        text = term.paint_words(term.wrap(short_arns("\n".join(lines))), {"unknown": "warn"})
        print(re.sub(r"\((ALLOWED_[A-Z_]+)\)", lambda m: f"({term.paint(m.group(1), 'allow')})", text))
    return 0


def _paths(args: argparse.Namespace) -> int:
    from .analysis import access_paths

    world = load_world(args.scenario)
    limits = {"max_paths": args.max_paths} if args.max_paths else {}
    found = access_paths(
        world, args.principal, args.action, args.resource, max_depth=args.max_depth, **limits
    )
    more = f"({found.stopped}: raise --max-paths or --max-depth to see them)"
    if args.format == "json":  # the JSON stays a list of paths; a listing that stopped says so on stderr
        _print_json([p.to_dict() for p in found])
        if found.stopped:
            print(f"secretslab paths: {more}", file=sys.stderr)
    else:
        lines = [path.describe() for path in found]
        if not lines:
            lines.append("no path: the principal cannot reach the resource through any chain of roles")
        if found.stopped:
            lines.append(more)
        _print_text(args, "\n".join(lines), _DECIDED)
    return 0


def _matrix(args: argparse.Namespace) -> int:
    from .analysis import LEGEND, access_matrix

    world = load_world(args.scenario)
    _note_account_gaps("matrix", world)
    progress = Progress("matrix", force=args.progress)
    try:
        matrix = access_matrix(
            world,
            actions=args.action or DEFAULT_ACTIONS,
            principals=args.principal,
            resources=args.resource,
            progress=progress,
            workers=args.jobs,
        )
    finally:
        progress.close()
    if args.format == "json":
        print(matrix.to_json())
        return 0
    term = out_terminal(args)
    tones = {"allow": "allow", "explicit_deny": "deny", "implicit_deny": "dim"}
    # on a terminal narrower than the table, the narrow layout (actions numbered, principals as headings)
    print(
        matrix.to_text(paint=lambda mark, outcome: term.paint(mark, tones[outcome.value]), width=term.width)
    )
    print()
    print(term.wrap(LEGEND))
    return 0


def _diff(args: argparse.Namespace) -> int:
    from .analysis import diff

    one_stdin(args.before, args.after)
    before, after = load_world(args.before), load_world(args.after)
    changes = diff(before, after, actions=args.action or DEFAULT_ACTIONS)
    if args.format == "json":
        _print_json(changes.to_dict())
    else:
        text = str(changes)
        term = out_terminal(args)
        lines = (
            [
                term.paint(
                    line, "allow" if line.startswith("+") else "deny" if line.startswith("-") else "dim"
                )
                for line in term.wrap(short_arns(text)).split("\n")
            ]
            if text
            else ["no access gained or lost"]
        )
        print("\n".join(lines))
    gained = len(changes.gained)
    if args.fail_on_gained and gained:
        sys.stdout.flush()
        return fail(
            "diff",
            f"{gained} access(es) gained from {source_name(args.before)} to {source_name(args.after)}",
            1,
        )
    return 0


def _fix(args: argparse.Namespace) -> int:
    from .fixes import suggest_fixes

    world = load_world(args.scenario)
    request = {"principal": args.principal, "action": args.action, "resource": args.resource}
    fixes = suggest_fixes(world, request, limit=args.limit)
    if args.format == "json":
        _print_json([f.to_dict() for f in fixes])
    elif not fixes:
        print("no policy change makes this request allowed (or it is allowed already)")
    else:
        lines: list[str] = []
        for i, fix in enumerate(fixes, 1):
            lines.append(f"{i}. {fix.description}")
            changes = [c.description for c in fix.changes]
            if changes != [fix.description]:  # a one-change fix is said once
                lines += [f"   - {change}" for change in changes]
        print(out_terminal(args).wrap(short_arns("\n".join(lines))))
    return 0


def _lint(args: argparse.Namespace) -> int:
    from .analyzer import findings
    from .world.scenario import scenario_world

    data, name, text = read_scenario_document(args.scenario)
    world = scenario_world(data, name)
    _note_account_gaps("lint", world)
    prefix = world_prefix(data)  # every location as a path in the file: $.world… when it wraps its world
    found = [
        replace(f, location=json_path(prefix) + f.location[1:])
        if prefix and f.location.startswith("$")
        else f
        for f in findings(world)
    ]
    if args.format == "json":
        _print_json([f.to_dict() for f in found])
    elif args.format == "sarif":
        from .sarif import findings_log

        yaml = name.endswith((".yaml", ".yml"))
        artifact = None if args.scenario == "-" else name  # the file read (a bundled scenario's own)
        _print_json(findings_log(found, artifact=artifact, text=text, yaml=yaml))
    else:
        tones = {"high": "deny", "medium": "warn", "low": "note"}
        lines = [str(finding) for finding in found]
        lines.append(f"{name}: {len(found)} finding(s)")
        _print_text(args, "\n".join(lines), tones)
    if args.fail_on is not None:
        limit = Severity(args.fail_on).rank
        serious = [f for f in found if f.severity.rank <= limit]
        if serious:
            sys.stdout.flush()
            return fail("lint", f"{len(serious)} finding(s) at {args.fail_on} severity or above", 1)
    return 0


#: the status of each expectation ``secretslab test`` prints, and its colour
_STATUS_TONES = {"PASS": "allow", "FAIL": "deny", "UNKNOWN": "warn", "ERROR": "deny"}


def _test(args: argparse.Namespace) -> int:
    from .analysis import run_expectations

    one_stdin(*args.scenarios)
    term = out_terminal(args)
    runs, unreadable = [], []
    for arg in args.scenarios:
        try:
            if arg == "-":
                data, name, _ = read_scenario_document(arg)
                runs.append(run_expectations(document=data, source=name))
            else:
                runs.append(run_expectations(arg))
        except ScenarioError as exc:  # this file cannot be read: said, and the others still run
            unreadable.append(f"{source_name(arg)}: {exc}")
    results = [r for run in runs for r in run.results]
    empty = [run.source for run in runs if not run.results]
    if args.format == "json":
        _print_json(
            {
                "results": [r.to_dict() for r in results],
                "without_expectations": empty,
                "unreadable": unreadable,
            }
        )
    else:
        for result in results:
            if result.passed and args.quiet:
                continue
            word = result.status
            verdict = result.got if result.passed else f"expected {result.expected}, got {result.got}"
            line = f"{word} {result.source} {result.path} {result.request_text}: {verdict}"
            if not result.passed and result.why:
                line += f"\n    why it should: {result.why}"
            print(term.paint_words(term.wrap(line), {word: _STATUS_TONES[word]}))
        for name in empty:
            print(term.paint_words(f"EMPTY {name}: the file carries no expectations", {"EMPTY": "warn"}))
        for message in unreadable:
            print(term.paint_words(f"ERROR {message}", {"ERROR": "deny"}))
    count = {status: sum(1 for r in results if r.status == status) for status in _STATUS_TONES}
    failed, unknown = count["FAIL"], count["UNKNOWN"]
    errors = count["ERROR"] + len(unreadable)
    summary = f"{count['PASS']} passed, {failed} failed"
    if unknown:  # depends on data an import could not read: not passed, not failed
        summary += f", {unknown} unknown"
    summary += f", {errors} error(s) in {len(args.scenarios)} file(s)"
    if empty:
        summary += f"; {len(empty)} file(s) without expectations"
    if args.format == "text":
        tone = "allow" if not (failed or unknown or errors or empty) else "deny"
        print(term.paint(summary, tone))
    else:
        print(f"secretslab test: {summary}", file=sys.stderr)
    if errors:
        return 2
    return 1 if failed or unknown or empty else 0
