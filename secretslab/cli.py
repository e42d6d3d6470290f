"""The ``secretslab`` command: ``simulate`` (JSON Lines batch), ``authorize`` (one request on a
scenario, explained), ``check`` (validate a policy file) and ``validate`` (a scenario's policies).
Problems go to stderr with a non-zero exit; never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from .loading import load_json, read_file
from .problems import InvalidPolicyError, Problem, ProblemCode, ScenarioError

EXIT_INPUT = 2  # bad input: a file, a scenario, a request, an argument
EXIT_INTERNAL = 70  # a bug in secretslab


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``secretslab`` command with ``argv`` (default: the process's arguments) and return its
    exit code: 0 on success, 2 for bad input (said on stderr, never a traceback), 70 for an
    internal error, 130 when interrupted; ``check`` and ``validate`` return 1 when the policies
    have errors."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_INPUT
    try:
        return int(args.run(args))
    except (ScenarioError, InvalidPolicyError) as exc:
        print(f"secretslab {args.command}: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except UnicodeDecodeError as exc:
        print(
            f"secretslab {args.command}: the file is not UTF-8 text ({exc.reason} at byte {exc.start})",
            file=sys.stderr,
        )
        return EXIT_INPUT
    except OSError as exc:
        print(
            f"secretslab {args.command}: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return EXIT_INPUT
    except KeyboardInterrupt:
        print(f"secretslab {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # never show a traceback to a user; say what to report
        print(
            f"secretslab {args.command}: internal error ({type(exc).__name__}: {exc}); "
            "please report it with the input that caused it",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def entry() -> None:
    """The process entry point: run, flush, and leave without tearing down the heap — a batch
    leaves millions of remembered results that Python would otherwise free one by one (0.4 s
    for 10,000 requests)."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(code)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="secretslab", description=__doc__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sim = sub.add_parser("simulate", help="decide a JSON Lines batch of self-contained requests")
    sim.add_argument("file", nargs="?", help="JSON Lines file (default: standard input)")
    sim.add_argument("-o", "--output", help="write results here (default: standard output)")
    sim.set_defaults(run=_simulate)

    auth = sub.add_parser("authorize", help="decide one request on a scenario and explain why")
    auth.add_argument("scenario", help="scenario file (JSON or YAML, semantics §1.1)")
    auth.add_argument("--principal", required=True, help="ARN of the caller")
    auth.add_argument("--action", required=True, help="for example secretsmanager:GetSecretValue")
    auth.add_argument("--resource", default="*", help="ARN (or a secret name), default *")
    auth.add_argument(
        "--context",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a condition key; repeat it, or give VALUE as a,b for a list",
    )
    auth.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an API parameter (VALUE read as JSON when it parses), e.g. SecretString=true",
    )
    auth.add_argument(
        "--assume",
        action="append",
        default=[],
        metavar="ROLE_ARN",
        help="assume this role first (repeat for a chain)",
    )
    auth.add_argument("--json", action="store_true", help="print the decision as JSON")
    auth.add_argument("--detail", action="store_true", help="with --json: every statement's result")
    auth.set_defaults(run=_authorize)

    check = sub.add_parser("check", help="validate a policy document file")
    check.add_argument("policy", help="a JSON policy document")
    check.add_argument(
        "--kind",
        default="identity",
        help="identity, resource, key, trust, scp, rcp, boundary or session (default identity)",
    )
    check.add_argument("--json", action="store_true")
    check.set_defaults(run=_check)

    val = sub.add_parser("validate", help="load a scenario and report every policy problem")
    val.add_argument("scenario")
    val.add_argument("--json", action="store_true")
    val.set_defaults(run=_validate)

    from .cli_analysis import add_commands
    from .cli_aws import add_commands as add_aws_commands

    add_commands(sub)
    add_aws_commands(sub)
    return parser


def _simulate(args: argparse.Namespace) -> int:
    from .batch import simulate

    source = args.file or "<stdin>"
    stream = open(args.file, "rb") if args.file else sys.stdin.buffer  # noqa: SIM115 - closed below
    out = open(args.output, "wb") if args.output else sys.stdout.buffer  # noqa: SIM115 - closed below
    # The process ends when the batch does (``entry``), and evaluation makes no garbage cycles:
    # the cyclic collector would only rescan the remembered results, so it is switched off.
    gc.disable()
    try:
        done, failed = simulate(stream, out, source, tune_gc=False)
    except BrokenPipeError:
        return 0
    finally:
        gc.enable()  # for callers of main() in-process; entry() exits right after
        if args.file:
            stream.close()
        if args.output:
            out.close()
        else:
            sys.stdout.flush()
    if failed:
        print(
            f'secretslab simulate: {failed} of {done} lines had errors (see their "error" field)',
            file=sys.stderr,
        )
    return 0


def _key_values(items: list[str], what: str, parse_json: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            problem = Problem(ProblemCode.INVALID_FIELD, f"{item!r} is not KEY=VALUE", (what,))
            raise ScenarioError([problem], what="argument")
        if parse_json:
            parsed, problems = load_json(value)
            if parsed is not None or not problems:
                out[key] = parsed
                continue
            if any(p.code is not ProblemCode.INVALID_JSON for p in problems):  # our input limits
                raise ScenarioError([p.under(what, key) for p in problems], what="argument")
        out[key] = value.split(",") if (not parse_json and "," in value) else value
    return out


def _authorize(args: argparse.Namespace) -> int:
    from .authorization import authorize
    from .world.scenario import load_scenario

    world = load_scenario(args.scenario)
    request: dict[str, Any] = {
        "principal": args.principal,
        "action": args.action,
        "resource": args.resource,
        "context": _key_values(args.context, "--context", False),
        "parameters": _key_values(args.param, "--param", True),
    }
    if args.assume:
        request["assume_role_chain"] = [{"role_arn": arn} for arn in args.assume]
    decision = authorize(world, request)
    if args.json:
        out = decision.to_dict()
        if args.detail:
            out["evaluations"] = [s.evaluation.to_dict() for s in decision.steps]
        print(json.dumps(out, indent=2))
    else:
        print(decision)
    return 0


def _check(args: argparse.Namespace) -> int:
    from .policy.parsing import check_policy

    text, unreadable = read_file(args.policy)
    if text is None:
        raise ScenarioError(unreadable, what="policy file")
    problems = [p.under(source=args.policy) for p in check_policy(text, args.kind)]
    if args.json:
        print(json.dumps([p.to_dict() for p in problems], indent=2))
    else:
        for p in problems:
            print(p)
        if not problems:
            print(f"{args.policy}: no problems")
    return 1 if any(p.is_error for p in problems) else 0


def _validate(args: argparse.Namespace) -> int:
    from .world.scenario import load_scenario

    world = load_scenario(args.scenario)
    problems = [p.under(source=args.scenario) for p in world.problems]
    if args.json:
        print(json.dumps([p.to_dict() for p in problems], indent=2))
    else:
        for p in problems:
            print(p)
        print(
            f"{args.scenario}: {len(world.users)} users, {len(world.roles)} roles, "
            f"{len(world.secrets)} secrets, {len(world.keys)} keys; {len(problems)} policy problem(s)"
        )
    return 1 if any(p.is_error for p in problems) else 0
