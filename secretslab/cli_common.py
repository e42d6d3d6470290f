"""What every ``secretslab`` command shares: ``-`` for standard input wherever a file is read (at
most one per command; errors name ``<stdin>``), ``--format``/``--json`` and ``--color`` options,
and the "examples:" epilog of each command's ``--help``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import Any

from .loading import read_file, read_stream
from .problems import Problem, ProblemCode, ScenarioError
from .terminal import COLOR_CHOICES, Terminal, terminal

STDIN = "-"
STDIN_NAME = "<stdin>"
FILE_HELP = "- for standard input"
#: how --help names a scenario argument: a file, a bundled scenario's name, or standard input
SCENARIO_HELP = (
    f"scenario file (JSON or YAML), or the name of a bundled scenario such as cross-account-cmk; {FILE_HELP}"
)


def source_name(arg: str) -> str:
    """How messages name the file argument ``arg``: ``<stdin>`` for ``-``."""
    return STDIN_NAME if arg == STDIN else arg


def one_stdin(*args: str | None) -> None:
    """Refuse more than one ``-`` among a command's file arguments: standard input is read once."""
    if sum(1 for a in args if a == STDIN) > 1:
        problem = Problem(
            ProblemCode.INVALID_FIELD,
            "only one file argument may be - (standard input is read once); give the others as files",
        )
        raise ScenarioError([problem], what="argument")


def read_text(arg: str, what: str) -> tuple[str, str]:
    """The text of the file argument ``arg`` (``-``: standard input) and its name for messages;
    ``ScenarioError`` about ``what`` naming it when it cannot be read."""
    if arg == STDIN:
        text, problems = read_stream(sys.stdin.buffer, STDIN_NAME)
    else:
        text, problems = read_file(arg)
    if text is None:
        raise ScenarioError(problems, what=what)
    return text, source_name(arg)


def read_scenario_document(arg: str) -> tuple[Any, str, str]:
    """The scenario document of the file argument ``arg`` (a file, ``-`` or the name of a bundled
    scenario), its name and its text. From standard input, JSON when the text starts with ``{`` or
    ``[``, else YAML."""
    from .world.scenario import locate_scenario, parse_document

    text, name = read_text(arg if arg == STDIN else str(locate_scenario(arg)), "scenario file")
    yaml = None if arg != STDIN else not text.lstrip().startswith(("{", "["))
    return parse_document(text, name, yaml=yaml), name, text


def world_prefix(data: Any) -> tuple[str, ...]:
    """Where the world starts in the scenario document ``data``: ``("world",)`` in a file that
    wraps it (``{"world": …, "expectations": …}``, as every bundled scenario), else the top. The
    CLI puts it before the world-relative paths of problems and findings, so that every path it
    prints (text, JSON, SARIF) can be found in the file."""
    return ("world",) if isinstance(data, dict) and "world" in data else ()


def load_world(arg: str) -> Any:
    """The ``World`` of the scenario file argument ``arg`` (``-``: standard input)."""
    from .world.scenario import load_scenario, scenario_world

    if arg != STDIN:
        return load_scenario(arg)
    data, name, _ = read_scenario_document(arg)
    return scenario_world(data, name)


def add_format(parser: argparse.ArgumentParser, formats: Iterable[str] = ("text", "json")) -> None:
    """``--format`` with its closed set of ``formats`` (default text), and ``--json`` for
    ``--format json``."""
    choices = tuple(formats)
    parser.add_argument(
        "--format", choices=choices, default="text", help=f"{', '.join(choices)} (default text)"
    )
    parser.add_argument(
        "--json", dest="format", action="store_const", const="json", help="the same as --format json"
    )


def add_color(parser: argparse.ArgumentParser) -> None:
    """``--color auto|always|never`` (auto: only on a terminal, and not when NO_COLOR is set)."""
    parser.add_argument(
        "--color",
        choices=COLOR_CHOICES,
        default="auto",
        help="colour the text output: auto (default: on a terminal, unless NO_COLOR is set), always or never",
    )


def out_terminal(args: argparse.Namespace) -> Terminal:
    """How to style text for standard output, as ``--color`` and the environment say."""
    return terminal(sys.stdout, getattr(args, "color", "auto"))


def examples(*lines: str) -> str:
    """An "examples:" epilog for a command's ``--help``: each line is a command, or a comment
    starting with ``#``; every command is run by the tests (tests/test_cli_help.py)."""
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


#: how the CLI's subcommands lay out --help: the examples keep their lines
HELP_FORMAT = argparse.RawDescriptionHelpFormatter


def fail(command: str, message: str, code: int) -> int:
    """Say ``message`` on stderr as ``secretslab COMMAND: …`` and return ``code``."""
    print(f"secretslab {command}: {message}", file=sys.stderr)
    return code
