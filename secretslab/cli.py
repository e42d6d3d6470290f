"""The ``secretslab`` command: ``simulate`` (JSON Lines batch), ``authorize`` (one request on a
scenario, explained, or checked with ``--expect``), ``check`` (validate a policy file) and
``validate`` (a scenario's policies); the analysis commands (``who-can``, ``paths``, ``matrix``,
``diff``, ``fix``, ``lint``, ``test``) and the AWS ones follow. ``-`` reads a file from standard
input. Problems go to stderr with a non-zero exit; never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import io
import json
import os
import sys
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

from .cli_common import (
    FILE_HELP,
    HELP_FORMAT,
    SCENARIO_HELP,
    STDIN,
    STDIN_NAME,
    add_color,
    add_format,
    examples,
    load_world,
    out_terminal,
    read_scenario_document,
    read_text,
    world_prefix,
)
from .extras import MissingExtra
from .files import FileProblem, atomic_writer, open_input
from .loading import load_json
from .problems import InvalidPolicyError, Problem, ProblemCode, ScenarioError, quoted
from .version import VersionAction

EXIT_INPUT = 2  # bad input: a file, a scenario, a request, an argument
EXIT_INTERNAL = 70  # a bug in secretslab
EXIT_FAILED_LINES = 1  # simulate: some batch lines had errors (all results are still written)
EXIT_PIPE = 128 + 13  # the reader of the output went away: the status of a tool ended by SIGPIPE


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``secretslab`` command with ``argv`` (default: the process's arguments) and return its
    exit code: 0 on success, 2 for bad input (said on stderr, never a traceback), 70 for an
    internal error, 130 when interrupted, 141 (quietly) when the reader of the output went away;
    ``check`` and ``validate`` return 1 when the policies have errors, ``simulate`` when any line
    had an error (every result is still written), ``authorize --expect`` when the decision differs,
    ``lint --fail-on`` when a finding is that serious, ``diff --fail-on-gained`` when access is
    gained, and ``test`` when an expectation does not hold."""
    _closed_streams()
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_INPUT
    try:
        return int(args.run(args))
    except BrokenPipeError:
        return EXIT_PIPE
    except KeyboardInterrupt:
        return _say(args.command, "interrupted", 130)
    except Exception as exc:  # every error becomes one line on stderr, never a traceback
        message = user_error(exc)
        if message is not None:
            return _say(args.command, message, EXIT_INPUT)
        # never show a traceback to a user; say what to report
        return _say(
            args.command,
            f"internal error ({type(exc).__name__}: {quoted(str(exc), 200)}); "
            "please report it with the input that caused it",
            EXIT_INTERNAL,
        )


def user_error(exc: BaseException) -> str | None:
    """The one-line message for an error the user's input or environment caused (a bad file, a
    scenario or policy with problems, input too deep or too large to read); None for a bug."""
    if isinstance(exc, (ScenarioError, InvalidPolicyError, MissingExtra)):
        return str(exc)
    if isinstance(exc, FileProblem):
        return str(exc)
    if isinstance(exc, UnicodeDecodeError):
        return f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})"
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror or exc}{where}"
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply to read"
    if isinstance(exc, MemoryError):
        return "the input is too large to hold in memory"
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        return "the input holds an integer too long to read (more than 4,300 digits)"
    return None


def _say(command: str, message: str, code: int) -> int:
    with contextlib.suppress(OSError, ValueError):  # stderr itself gone: the exit status says it
        print(f"secretslab {command}: {message}", file=sys.stderr)
    return code


class _Closed(io.RawIOBase):
    """Stands for a standard stream the process was started without (``>&-``, ``<&-``): using it
    is an error that names the stream, instead of an AttributeError on ``None``."""

    def __init__(self, name: str, hint: str) -> None:
        super().__init__()
        self.label, self.hint = name, hint

    @property
    def buffer(self) -> _Closed:
        """The binary side: closed too."""
        return self

    def _closed(self, *_: Any, **__: Any) -> Any:
        raise OSError(errno.EBADF, f"standard {self.label} is closed; {self.hint}")

    read = readline = readinto = write = flush = fileno = _closed

    def readable(self) -> bool:
        return self.label == "input"

    def writable(self) -> bool:
        return self.label != "input"


def _closed_streams() -> None:
    """Replace a standard stream the process has not got by one that says so when used."""
    if sys.stdin is None:
        sys.stdin = _Closed("input", "give a FILE argument")
    if sys.stdout is None:
        sys.stdout = _Closed("output", "redirect it (> FILE)")
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process


def entry() -> None:
    """The process entry point: run, flush, and leave without tearing down the heap — a batch
    leaves millions of remembered results that Python would otherwise free one by one (0.4 s
    for 10,000 requests)."""
    for stream in (sys.stdout, sys.stderr):  # a name that is not UTF-8 is printed, escaped
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = EXIT_PIPE if code == 0 and stream is sys.stdout else code
    os._exit(code)


#: the bundled scenarios (by name: a file ./data/NAME.json in a clone, else the copy in the
#: package) and requests the examples of ``--help`` use (the tests run every example)
CMK = "cross-account-cmk"
WORKER = "arn:aws:sts::222222222222:assumed-role/AppRole/worker"
APP_DB = "arn:aws:secretsmanager:us-east-1:111111111111:secret:app/db-AbC123"
BILLING_DB = "arn:aws:secretsmanager:us-east-1:111111111111:secret:billing/db-Bl9Db2"
GUARDRAILS = "organization-guardrails"
PROD_ADMIN = "arn:aws:iam::111111111111:user/prod-admin"
PROD_DB = "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbC123"
_BATCH_LINE = (
    '{"id": "1", "principal": "arn:aws:iam::111111111111:user/alice", '
    '"action": "secretsmanager:GetSecretValue", "resource": "' + PROD_DB + '", '
    '"identity_policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}]}'
)
_POLICY = (
    '{"Version": "2012-10-17", "Statement": '
    '[{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}]}'
)

#: what ``secretslab --help`` says first: plain text (the module docstring is for the API docs)
DESCRIPTION = (
    "Decide AWS requests on Secrets Manager secrets (and their KMS keys) the way AWS would, and\n"
    "explain why: on scenario files (JSON or YAML, or a bundled scenario's name) or a JSON Lines\n"
    "batch. - reads a file from standard input. Run 'secretslab COMMAND --help' for a command's\n"
    "options and examples."
)

#: the kinds ``check --kind`` takes: PolicyKind's values, written out so that ``--help`` does not
#: load the policy language (a test keeps the two equal)
POLICY_KINDS = ("identity", "resource", "key", "trust", "scp", "rcp", "boundary", "session")

#: what --expect accepts, and the outcomes each one matches
EXPECT = {
    "allow": {"allow"},
    "deny": {"explicit_deny", "implicit_deny"},
    "explicit-deny": {"explicit_deny"},
    "implicit-deny": {"implicit_deny"},
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="secretslab", description=DESCRIPTION, formatter_class=HELP_FORMAT)
    parser.add_argument("--version", action=VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sim = sub.add_parser(
        "simulate",
        help="decide a JSON Lines batch of self-contained requests",
        formatter_class=HELP_FORMAT,
        epilog=examples(
            f"echo '{_BATCH_LINE}' | secretslab simulate",
        ),
    )
    sim.add_argument(
        "file", nargs="?", help="the JSON Lines file of requests; standard input when omitted or -"
    )
    sim.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the results to FILE (atomically); standard output when omitted or -",
    )
    from .cli_analysis import _jobs

    sim.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="decide blocks of lines in N worker processes (at most 64), written in input order (default 1)",
    )
    sim.set_defaults(run=_simulate)

    auth = sub.add_parser(
        "authorize",
        help="decide one request on a scenario and explain why",
        formatter_class=HELP_FORMAT,
        epilog=examples(
            f"secretslab authorize {CMK} --principal {WORKER} --action secretsmanager:GetSecretValue "
            f"--resource {APP_DB}",
            "# in CI: exit 1 (with one line saying expected and got) when the decision differs",
            f"secretslab authorize {CMK} --principal {WORKER} --action secretsmanager:GetSecretValue "
            f"--resource {APP_DB} --expect allow",
            f"secretslab authorize {CMK} --principal {WORKER} --action secretsmanager:GetSecretValue "
            f"--resource {BILLING_DB} --expect implicit-deny --json",
            f"secretslab authorize {GUARDRAILS} --principal {PROD_ADMIN} "
            f"--action secretsmanager:DeleteResourcePolicy --resource {PROD_DB} --expect explicit-deny",
        ),
    )
    auth.add_argument("scenario", help=SCENARIO_HELP)
    auth.add_argument("--principal", required=True, help="ARN of the caller")
    auth.add_argument("--action", required=True, help="for example secretsmanager:GetSecretValue")
    auth.add_argument(
        "--resource",
        default="*",
        help="ARN (or a secret name); the default * only for actions on no resource",
    )
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
    auth.add_argument(
        "--expect",
        choices=tuple(EXPECT),
        help="exit 1, saying what was expected and what was decided, when the decision differs "
        "(deny matches an explicit or an implicit deny), or when it is unknown (it depends on data an "
        "import could not read)",
    )
    add_format(auth)
    auth.add_argument("--detail", action="store_true", help="with --json: every statement's result")
    add_color(auth)
    auth.set_defaults(run=_authorize)

    check = sub.add_parser(
        "check",
        help="validate a policy document file",
        formatter_class=HELP_FORMAT,
        epilog=examples(
            f"echo '{_POLICY}' | secretslab check - --kind identity",
            f"echo '{_POLICY}' | secretslab check - --format sarif",
            "# in CI: fail on lint warnings too (an unknown action, a missing Version, …)",
            f"echo '{_POLICY}' | secretslab check - --fail-on warning",
        ),
    )
    check.add_argument("policy", help=f"a JSON policy document ({FILE_HELP})")
    check.add_argument(
        "--kind",
        default="identity",
        choices=POLICY_KINDS,
        help="the kind of policy, whose rules apply (default identity)",
    )
    _add_fail_on(check)
    add_format(check, ("text", "json", "sarif"))
    add_color(check)
    check.set_defaults(run=_check)

    val = sub.add_parser(
        "validate",
        help="load a scenario and report every policy problem",
        formatter_class=HELP_FORMAT,
        epilog=examples(
            f"secretslab validate {CMK}",
            "# a file of your own (here one of data/ in a clone of the repository), or - for standard input",
            "secretslab validate data/cross-account-cmk.json --format json",
            "secretslab validate - --format sarif < data/cross-account-cmk.json",
            f"secretslab validate {CMK} --fail-on warning",
        ),
    )
    val.add_argument("scenario", help=SCENARIO_HELP)
    _add_fail_on(val)
    add_format(val, ("text", "json", "sarif"))
    add_color(val)
    val.set_defaults(run=_validate)

    from .cli_analysis import add_commands
    from .cli_aws import add_commands as add_aws_commands
    from .cli_notebooks import add_commands as add_notebook_commands

    add_commands(sub)
    add_aws_commands(sub)
    from .cli_formats import add_commands as add_format_commands

    add_format_commands(sub)
    add_notebook_commands(sub)
    return parser


def _simulate(args: argparse.Namespace) -> int:
    from .batch import simulate

    path = None if args.file in (None, STDIN) else args.file
    if args.output == STDIN:  # -o - is standard output, as for the file argument
        args.output = None
    source = path or STDIN_NAME
    stream = open_input(path) if path else sys.stdin.buffer
    try:
        target = atomic_writer(args.output, inputs=[path or 0]) if args.output else None
        with target or nullcontext(sys.stdout.buffer) as out:
            # The process ends when the batch does (``entry``), and evaluation makes no garbage
            # cycles: the cyclic collector would only rescan the remembered results, so it is off.
            gc.disable()
            try:
                if args.jobs > 1:
                    from concurrent.futures import ProcessPoolExecutor

                    with ProcessPoolExecutor(args.jobs) as pool:
                        done, failed = simulate(stream, out, source, executor=pool)
                else:
                    done, failed = simulate(stream, out, source, tune_gc=False)
            finally:
                gc.enable()  # for callers of main() in-process; entry() exits right after
            if not args.output:
                out.flush()
    finally:
        if path:
            stream.close()
    if failed:  # every result is written; the exit status still says that some lines failed
        print(
            f'secretslab simulate: {failed} of {done} lines had errors (see their "error" field)',
            file=sys.stderr,
        )
        return EXIT_FAILED_LINES
    return 0


def _key_values(items: list[str], what: str, parse_json: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            problem = Problem(ProblemCode.INVALID_FIELD, f"{quoted(item)} is not KEY=VALUE", (what,))
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

    if args.detail and args.format != "json":
        problem = Problem(ProblemCode.INVALID_FIELD, "--detail adds each statement's result to --json output")
        raise ScenarioError([problem], what="argument")
    world = load_world(args.scenario)
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
    if args.format == "json":
        out = decision.to_dict()
        if args.detail:
            out["evaluations"] = [s.evaluation.to_dict() for s in decision.steps]
        print(json.dumps(out, indent=2))
    else:
        term = out_terminal(args)
        text = term.wrap(str(decision), hang=6)
        print(term.paint_words(text, {"ALLOW": "allow", "DENY": "deny", "EXPLICIT_DENY": "deny"}))
    if args.expect is not None and decision.unknown:  # never a pass: the unread data may change it
        sys.stdout.flush()
        gaps = "; ".join(gap.what for gap in decision.gaps)
        got = decision.outcome.value.replace("_", "-")
        return _say(
            "authorize",
            f"expected {args.expect}, but the decision ({got}) is unknown: it depends on data the "
            f"import could not read ({gaps})",
            EXIT_FAILED_LINES,
        )
    if args.expect is not None and decision.outcome.value not in EXPECT[args.expect]:
        got = decision.outcome.value.replace("_", "-")
        sys.stdout.flush()  # the decision first, then why the command fails
        return _say(
            "authorize", f"expected {args.expect}, got {got} ({decision.reason.value})", EXIT_FAILED_LINES
        )
    return 0


def _add_fail_on(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="exit 1 when any problem is an error (the default: AWS would reject the policy), or "
        "with warning, when there is any problem at all (lint: unknown names, risky forms)",
    )


def _failed(problems: Sequence[Problem], fail_on: str) -> int:
    """The exit status of ``check`` and ``validate``: 1 when a problem reaches ``--fail-on``."""
    return 1 if any(p.is_error or fail_on == "warning" for p in problems) else 0


def _check(args: argparse.Namespace) -> int:
    from .policy.parsing import check_policy

    text, name = read_text(args.policy, "policy file")
    problems = [p.under(source=name) for p in check_policy(text, args.kind)]
    _report(args, problems, text, name)
    if args.format == "text" and not problems:
        print(f"{name}: no problems")
    return _failed(problems, args.fail_on)


def _validate(args: argparse.Namespace) -> int:
    from .world.scenario import scenario_world

    data, name, text = read_scenario_document(args.scenario)
    world = scenario_world(data, name)
    # located in the file, as SARIF and the reader's errors are: $.world… in a file that wraps its world
    prefix = world_prefix(data)
    problems = [p.under(*prefix, source=name) for p in world.problems]
    _report(args, problems, text, name)
    if args.format == "text":
        print(
            f"{name}: {len(world.users)} users, {len(world.roles)} roles, "
            f"{len(world.secrets)} secrets, {len(world.keys)} keys; {len(problems)} policy problem(s)"
        )
    return _failed(problems, args.fail_on)


def _report(args: argparse.Namespace, problems: list[Problem], text: str, name: str) -> None:
    """Print ``problems`` found in the file ``name`` (its ``text``; their paths start at the top
    of the file) in the chosen format."""
    if args.format == "json":
        print(json.dumps([p.to_dict() for p in problems], indent=2))
    elif args.format == "sarif":
        from .sarif import problems_log

        artifact = None if name == STDIN_NAME else name  # the file read (a bundled scenario's own)
        yaml = name.endswith((".yaml", ".yml"))
        print(json.dumps(problems_log(problems, artifact=artifact, text=text, yaml=yaml), indent=2))
    else:
        term = out_terminal(args)
        for p in problems:
            line = term.wrap(str(p))
            print(term.paint_words(line, {"error": "deny", "warning": "warn"}))
