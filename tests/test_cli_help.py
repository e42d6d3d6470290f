"""The ``--help`` of every command (issue #11): an "examples:" section whose every command runs
as written from the repository's root (on the bundled scenarios in data/), closed sets of values
given as argparse choices, and the flags that did nothing gone."""

from __future__ import annotations

import argparse
import glob
import io
import re
import shlex
import sys
from pathlib import Path

import pytest

from secretslab import cli

from .conftest import ROOT

#: commands whose examples need AWS credentials, the network or a server left running
NOT_RUN = {"import", "demo-aws"}


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = cli._parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _examples(parser: argparse.ArgumentParser) -> list[str]:
    epilog = parser.epilog or ""
    assert epilog.startswith("examples:"), f"{parser.prog} --help has no examples"
    return [
        line.strip() for line in epilog.splitlines()[1:] if line.strip() and not line.strip().startswith("#")
    ]


EXAMPLES = [
    pytest.param(name, line, id=f"{name}-{i}")
    for name, parser in _commands().items()
    if name not in NOT_RUN
    for i, line in enumerate(_examples(parser))
]


@pytest.mark.parametrize("name", sorted(_commands()))
def test_help_shows_examples_when_any_command_is_asked_for_help(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main([name, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert "\nexamples:\n" in out
    shown = out.split("\nexamples:\n", 1)[1]
    assert f"secretslab {name}" in shown  # each command's examples run that command


@pytest.mark.parametrize(("name", "line"), EXAMPLES)
def test_example_runs_as_written_when_taken_from_help(
    name: str, line: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run_example(name, line, ROOT, monkeypatch, tmp_path, capsys)


@pytest.mark.parametrize(("name", "line"), [p for p in EXAMPLES if "data/" not in p.values[1]])
def test_example_runs_outside_a_clone_when_it_names_a_bundled_scenario(
    name: str, line: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After a pip install there is no data/: the examples read the bundled scenarios by name."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _run_example(name, line, elsewhere, monkeypatch, tmp_path, capsys)


@pytest.mark.parametrize("name", sorted(_commands()))
def test_example_names_a_file_of_data_only_after_a_comment_saying_so(name: str) -> None:
    """An example that reads data/ (only in a clone of the repository) comes after a comment that
    says so; the others name bundled scenarios, which every install has."""
    said = False
    for line in (_commands()[name].epilog or "").splitlines()[1:]:
        line = line.strip()
        if line.startswith("#"):
            said = "data/" in line
        elif "data/" in line:
            assert said, f"{line}: say in a comment before it that data/ is a folder of a clone"


def _run_example(
    name: str,
    line: str,
    cwd: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(cwd)
    words = shlex.split(line)
    stdin = b""
    if words[0] == "echo":  # echo 'TEXT' | secretslab …
        bar = words.index("|")
        stdin = (" ".join(words[1:bar]) + "\n").encode()
        words = words[bar + 1 :]
    if "<" in words:  # secretslab … < FILE
        at = words.index("<")
        stdin = (cwd / words[at + 1]).read_bytes()
        words = words[:at] + words[at + 2 :]
    if "-o" in words:  # a command that writes: into a fresh folder, never into the checkout
        words[words.index("-o") + 1] = str(tmp_path / "out")
    if words[1] == "notebooks":  # its DIR too
        words[2] = str(tmp_path / words[2])
    argv = [w2 for w in words[1:] for w2 in (sorted(glob.glob(w)) if "*" in w else [w])]
    assert words[0] == "secretslab" and argv[0] == name, line
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err
    if "--fail-on" in line:  # the CI examples may fail on purpose; their message says why
        assert code in (0, 1), err
    else:
        assert code == 0, f"{line}\n{err}"
    assert out.strip(), f"{line} printed nothing"


def test_no_command_offers_progress_when_it_never_shows_any(capsys: pytest.CaptureFixture[str]) -> None:
    """paths and fix took --progress and never drew a bar: the flag is gone (issue #11)."""
    commands = _commands()
    for name in ("paths", "fix"):
        options = {o for a in commands[name]._actions for o in a.option_strings}
        assert "--progress" not in options, name
    scenario = str(ROOT / "data" / "cross-account-cmk.json")
    with pytest.raises(SystemExit) as stop:
        cli.main(["fix", scenario, "--principal", "x", "--action", "y", "--resource", "z", "--progress"])
    assert stop.value.code == 2 and "unrecognized arguments: --progress" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["check", "policy.json", "--kind", "bucket"], "--kind"),
        (["lint", "x.json", "--fail-on", "critical"], "--fail-on"),
        (["lint", "x.json", "--format", "xml"], "--format"),
        (["authorize", "x.json", "--principal", "p", "--action", "a", "--expect", "maybe"], "--expect"),
        (["matrix", "x.json", "--color", "sometimes"], "--color"),
    ],
)
def test_closed_option_lists_its_choices_when_given_a_value_outside_them(
    argv: list[str], option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and f"argument {option}: invalid choice" in err and "choose from" in err


def test_unknown_action_keeps_its_located_error_with_did_you_mean(capsys: pytest.CaptureFixture[str]) -> None:
    """Actions are an open set (a catalogue, not argparse choices): the package's own error."""
    code = cli.main(
        [
            "authorize",
            str(ROOT / "data" / "cross-account-cmk.json"),
            "--principal",
            cli.WORKER,
            "--action",
            "secretsmanager:GetSecretValu",
            "--resource",
            cli.APP_DB,
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "did you mean secretsmanager:GetSecretValue" in err


def test_detail_is_refused_when_output_is_not_json(capsys: pytest.CaptureFixture[str]) -> None:
    """--detail only adds to the JSON; alone it would silently do nothing."""
    argv = ["authorize", str(ROOT / "data" / "cross-account-cmk.json"), "--principal", cli.WORKER]
    code = cli.main(
        [*argv, "--action", "secretsmanager:GetSecretValue", "--resource", cli.APP_DB, "--detail"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "--detail" in err and "--json" in err


def test_check_offers_every_policy_kind_when_listing_kind_choices() -> None:
    from secretslab.policy.model import PolicyKind

    assert set(cli.POLICY_KINDS) == {k.value for k in PolicyKind}


def _help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit):
        cli.main([*argv, "--help"])
    return capsys.readouterr().out


@pytest.mark.parametrize(
    "argv", [[], *([name] for name in sorted(_commands()))], ids=lambda a: a[0] if a else "top"
)
def test_help_is_plain_text_without_markup_or_repeated_phrases(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """``--help`` is read in a terminal: no reStructuredText markup, and no phrase said twice
    ("- for standard input: standard input")."""
    text = " ".join(_help(argv, capsys).split())
    assert "``" not in text
    assert not re.search(r"(standard (input|output))\W{1,4}\1", text), text


def test_simulate_help_says_where_input_and_output_go(capsys: pytest.CaptureFixture[str]) -> None:
    text = " ".join(_help(["simulate"], capsys).split())
    assert "standard input when omitted or -" in text and "standard output when omitted or -" in text
