"""The AWS commands of the ``secretslab`` CLI: ``import`` (a read-only snapshot of real accounts,
or of the embedded stand-in with ``--endpoint-url``), ``export`` (a scenario as one
CloudFormation template per account), ``aws-policy`` (the least-privilege policy the importer
needs) and ``demo-aws`` (the embedded AWS stand-in, seeded, until Ctrl-C).

boto3 and moto are imported only when one of these commands runs, so ``secretslab --help`` and
the other commands stay fast. Missing credentials, unknown profiles and unreachable endpoints are
reported on stderr in one sentence with exit status 2, never as a traceback.

AWS pages: https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html (profiles),
https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html (endpoint URLs)
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .cli_common import HELP_FORMAT, SCENARIO_HELP, STDIN, examples, load_world, source_name
from .files import check_destination
from .problems import quoted
from .progress import Progress

EXIT_INPUT = 2  # the same status as the other commands' bad input

Command = Callable[[argparse.Namespace], int]


def add_commands(sub: Any) -> None:
    """Add ``import``, ``export``, ``aws-policy`` and ``demo-aws`` to the subparsers ``sub``."""
    imp = sub.add_parser(
        "import",
        formatter_class=HELP_FORMAT,
        epilog=examples(
            "secretslab import --profile audit --region us-east-1 -o snapshot.json",
            "secretslab import --profile org --role-arn arn:aws:iam::111111111111:role/Audit -o org.json",
            "# the embedded stand-in (start it with secretslab demo-aws):",
            "secretslab import --endpoint-url http://127.0.0.1:PORT "
            "--role-arn arn:aws:iam::111111111111:role/OrganizationAccountAccessRole -o snapshot.json",
            "# without credentials, from AWS CLI output saved by scripts/aws-dumps.sh:",
            "secretslab import --from-dumps dumps/111111111111 -o audit.json",
        ),
        help="read-only snapshot of AWS accounts as a scenario file (never reads secret values)",
        description="Import IAM, Secrets Manager, KMS and Organizations configuration, read-only, "
        "into a scenario file. Give profiles, or one set of credentials plus roles to assume into "
        "each account; without either, the default credential chain is used.",
    )
    imp.add_argument(
        "--profile", action="append", default=[], metavar="NAME", help="AWS profile; repeat for more accounts"
    )
    imp.add_argument(
        "--region", action="append", default=[], metavar="REGION", help="repeatable; default us-east-1"
    )
    imp.add_argument(
        "--role-arn",
        action="append",
        default=[],
        metavar="ARN",
        help="assume this role to reach an account (repeatable); the credentials are those of the "
        "first --profile or the default chain",
    )
    imp.add_argument("--endpoint-url", help="send every call here (the embedded stand-in of demo-aws)")
    imp.add_argument("-o", "--output", default="snapshot.json", help="scenario file to write (snapshot.json)")
    imp.add_argument("--progress", action="store_true", help="show progress even when not on a terminal")
    imp.add_argument(
        "--from-dumps",
        action="append",
        default=[],
        metavar="DIR",
        help="no credentials: read one account's AWS CLI output from DIR (repeatable; layout in the README)",
    )
    imp.set_defaults(run=_from_dumps_or(_aws_errors("import", _import)))

    exp = sub.add_parser(
        "export",
        help="a scenario as one CloudFormation template per account (placeholder secret values)",
        formatter_class=HELP_FORMAT,
        epilog=examples("secretslab export cross-account-cmk -o templates/"),
    )
    exp.add_argument("scenario", help=SCENARIO_HELP)
    exp.add_argument("-o", "--output", required=True, metavar="DIR", help="directory for <account-id>.json")
    exp.set_defaults(run=_export)

    pol = sub.add_parser(
        "aws-policy",
        help="print the least-privilege IAM policy the importer needs",
        formatter_class=HELP_FORMAT,
        epilog=examples(
            "secretslab aws-policy",
            "secretslab aws-policy --role-arn arn:aws:iam::111111111111:role/Audit",
        ),
    )
    pol.add_argument(
        "--role-arn", action="append", default=[], metavar="ARN", help="limit sts:AssumeRole to these roles"
    )
    pol.set_defaults(run=_aws_policy)

    demo = sub.add_parser(
        "demo-aws",
        help="start the embedded AWS stand-in (moto) with a small seeded organization",
        description="Start moto's server on loopback, seed it with real boto3 calls, print the "
        "endpoint and environment to use, and wait until Ctrl-C. moto does not enforce policies: "
        "it supplies the data, secretslab decides.",
        formatter_class=HELP_FORMAT,
        epilog=examples("secretslab demo-aws", "secretslab demo-aws --seconds 60"),
    )
    demo.add_argument("--seconds", type=_seconds, default=None, help="stop after N seconds (default: Ctrl-C)")
    demo.set_defaults(run=_standin_first(_aws_errors("demo-aws", _demo)))


def _seconds(text: str) -> float:
    """A number of seconds for ``--seconds``: finite and not negative (argparse says so otherwise)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quoted(text)} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{quoted(text)} is not a finite, non-negative number of seconds")
    return value


def _aws_errors(command: str, run: Command) -> Command:
    """``run`` with botocore's user-facing errors turned into one line on stderr and exit 2."""

    @functools.wraps(run)
    def wrapped(args: argparse.Namespace) -> int:
        from .aws.errors import describe

        try:
            return run(args)
        except Exception as exc:  # only the errors a user can fix become a message
            message = describe(exc)
            if message is None:
                raise
            return _fail(command, message)

    return wrapped


def _standin_first(run: Command) -> Command:
    """``run`` once the stand-in's packages are there: a core install is told to install
    secretslab[standin] (which includes boto3) before anything asks for boto3 and the aws extra."""

    @functools.wraps(run)
    def wrapped(args: argparse.Namespace) -> int:
        from .extras import require

        require("moto.server", extra="standin", package="moto")  # MissingExtra: one line, exit 2
        require("boto3", extra="standin")
        return run(args)

    return wrapped


def _from_dumps_or(live: Command) -> Command:
    """``import --from-dumps`` reads files, without boto3 (``cli_formats``); otherwise ``live``."""

    @functools.wraps(live)
    def run(args: argparse.Namespace) -> int:
        if getattr(args, "from_dumps", None):
            from .cli_formats import import_dumps

            return import_dumps(args)
        return live(args)

    return run


def _fail(command: str, message: str) -> int:
    print(f"secretslab {command}: {message}", file=sys.stderr)
    return EXIT_INPUT


def _import(args: argparse.Namespace) -> int:
    from .aws.endpoints import EndpointRefused, endpoint_of, region_problem, role_arn_problem

    # every argument is checked before boto3 is loaded or a credential looked up
    wrong = [p for p in map(region_problem, args.region) if p]
    wrong += [p for p in map(role_arn_problem, args.role_arn) if p]
    try:
        endpoint_of(args.endpoint_url)
    except EndpointRefused as exc:
        wrong.append(str(exc))
    if wrong:
        return _fail("import", "; ".join(wrong))
    check_destination(args.output)  # refused now, not after the import

    from .aws.importer import boto3, snapshot

    regions = tuple(args.region) or ("us-east-1",)
    kwargs: dict[str, Any] = {"regions": regions, "endpoint_url": args.endpoint_url}
    if args.role_arn:
        # the first profile (or the default chain) signs the AssumeRole calls
        first = args.profile[0] if args.profile else None
        kwargs["session"] = boto3.Session(profile_name=first) if first else None
        kwargs["role_arns"] = tuple(args.role_arn)
        if len(args.profile) > 1:
            kwargs["profiles"] = tuple(args.profile[1:])
    elif args.profile:
        kwargs["profiles"] = tuple(args.profile)
    progress = Progress("import", force=args.progress)
    started = time.monotonic()
    try:
        snap = snapshot(progress=progress, **kwargs)
    finally:
        progress.close()
    elapsed = time.monotonic() - started
    data = snap.data
    accounts = [a["id"] for a in data.get("accounts", ())]
    for gap in snap.gaps:
        print(f"gap: {gap['what']} ({gap['operation']}: {gap['error']})", file=sys.stderr)
    if not accounts:
        return _fail(
            "import", "no account could be read" + (" (the gaps above say why)" if snap.gaps else "")
        )
    snap.save(args.output)
    principals = data.get("principals", {})
    counts = (
        f"{len(principals.get('users', ()))} users, {len(principals.get('groups', ()))} groups, "
        f"{len(principals.get('roles', ()))} roles, {len(data.get('secrets', ()))} secrets, "
        f"{len(data.get('kms_keys', ()))} KMS keys"
    )
    print(
        f"snapshot of {len(accounts)} account(s) ({', '.join(accounts)}): {counts}; "
        f"{len(snap.operations)} API calls in {elapsed:.1f} s -> {args.output}"
    )
    if snap.gaps:
        print(
            f"{len(snap.gaps)} gap(s): results that depend on them are unknown, not denied",
            file=sys.stderr,
        )
    return 0


def _export(args: argparse.Namespace) -> int:
    from .aws.export import write_templates

    world = load_world(args.scenario)
    inputs = [] if args.scenario == STDIN else [args.scenario]
    paths = write_templates(world, Path(args.output), inputs=inputs)
    if not paths:
        return _fail(
            "export", f"{source_name(args.scenario)} holds nothing a CloudFormation template can create"
        )
    for path in paths:
        print(path)
    print(
        "Deploy each template into the account it is named after (see Metadata.secretslab.notes "
        "in each for the order and what is not exported).",
        file=sys.stderr,
    )
    return 0


def _aws_policy(args: argparse.Namespace) -> int:
    from .aws.readonly import importer_policy

    print(json.dumps(importer_policy(role_arns=args.role_arn), indent=2))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .aws.standin import ACCESS_ROLE, StandIn, seed_demo

    with StandIn() as standin:
        demo = seed_demo(standin)
        url = standin.endpoint_url
        accounts: dict[str, str] = dict(demo.get("accounts", {}))
        print(f"AWS stand-in (moto) listening on {url}")
        print("seeded accounts: " + ", ".join(f"{name} {id_}" for name, id_ in accounts.items()))
        print("moto does not enforce policies: it supplies the data; secretslab decides who may do what.")
        print("In another shell:")
        for name, value in _demo_environment(standin).items():
            print(f"  export {name}={value}")
        roles = " ".join(f"--role-arn arn:aws:iam::{a}:role/{ACCESS_ROLE}" for a in accounts.values())
        print(f"  secretslab import --endpoint-url {url} {roles} -o snapshot.json")
        print("Press Ctrl-C to stop." if args.seconds is None else f"Stopping in {args.seconds:g} s.")
        sys.stdout.flush()
        try:
            if args.seconds is None:
                while True:
                    time.sleep(3600)
            else:
                time.sleep(args.seconds)
        except KeyboardInterrupt:
            print("stopped", file=sys.stderr)
    return 0


def _demo_environment(standin: Any) -> dict[str, str]:
    """The variables that point boto3 and the AWS CLI at the stand-in, with its dummy keys."""
    from .aws.standin import DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY

    return {
        "AWS_ENDPOINT_URL": str(standin.endpoint_url),
        "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_KEY,
        "AWS_DEFAULT_REGION": str(standin.region),
        # loopback never through a proxy: HTTP(S)_PROXY would see every request
        "NO_PROXY": "127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}",
    }
