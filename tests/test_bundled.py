"""Bundled scenarios and notebooks (issue #11 item 3): ``load_scenario`` finds a scenario that
ships with secretslab by its name, a name that is neither a file nor bundled is a located error
with "did you mean", and ``secretslab notebooks DIR`` copies the notebooks and the scenarios they
read into a folder, keeping every file that is there."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import secretslab as sl
from secretslab import bundled, cli
from secretslab.files import write_new
from secretslab.problems import ProblemCode
from secretslab.workspace import copy_notebooks

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
SCENARIOS = sorted(p.name for p in (ROOT / "data").glob("*.json"))


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with no data/ in it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("name", ["cross-account-cmk", "cross-account-cmk.json"])
def test_load_scenario_finds_a_bundled_scenario_by_name(elsewhere: Path, name: str) -> None:
    world = sl.load_scenario(name)
    assert world.to_dict() == sl.load_scenario(ROOT / "data" / "cross-account-cmk.json").to_dict()


def test_a_file_of_that_name_comes_first(elsewhere: Path) -> None:
    mine = json.loads((ROOT / "data" / "identity-vs-resource.json").read_text())
    (elsewhere / "cross-account-cmk").write_text(json.dumps(mine))
    assert (
        sl.load_scenario("cross-account-cmk").to_dict() == sl.load_scenario("identity-vs-resource").to_dict()
    )


@pytest.mark.parametrize(
    ("name", "suggested"),
    [("cross-acount-cmk", "cross-account-cmk"), ("people-come-and-goes.json", "people-come-and-go")],
)
def test_an_unknown_name_is_a_located_error_with_did_you_mean(
    elsewhere: Path, name: str, suggested: str
) -> None:
    with pytest.raises(sl.ScenarioError) as caught:
        sl.load_scenario(name)
    (problem,) = caught.value.problems
    assert problem.code is ProblemCode.UNREADABLE_FILE and problem.source == name
    assert problem.suggestions[0] == suggested and f"did you mean {suggested}" in str(caught.value)
    assert "no scenario of that name ships with secretslab" in problem.message


def test_a_name_close_to_nothing_lists_the_bundled_scenarios(elsewhere: Path) -> None:
    with pytest.raises(sl.ScenarioError) as caught:
        sl.load_scenario("zzz")
    (problem,) = caught.value.problems
    assert problem.suggestions == () and problem.hint is not None
    assert all(name.removesuffix(".json") in problem.hint for name in SCENARIOS)


def test_a_path_is_never_taken_for_a_name(elsewhere: Path) -> None:
    with pytest.raises(sl.ScenarioError) as caught:
        sl.load_scenario("nowhere/cross-account-cmk.json")
    assert "No such file or directory" in str(caught.value) and not caught.value.problems[0].suggestions


def test_the_cli_reads_bundled_scenarios_by_name(elsewhere: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", "cross-account-read"]) == 0
    # the file read is named as it is, so a message or a SARIF location points at a real file
    assert capsys.readouterr().out.startswith(f"{bundled.bundled_scenario('cross-account-read')}: ")
    assert cli.main(["lint", "cross-acount-read"]) == cli.EXIT_INPUT
    assert "did you mean cross-account-read" in capsys.readouterr().err


def test_notebooks_copies_the_notebooks_and_their_scenarios(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "course" / "lab"  # made, with its parents
    assert cli.main(["notebooks", str(target)]) == 0
    assert sorted(p.name for p in target.glob("*.ipynb")) == NOTEBOOKS
    assert sorted(p.name for p in (target / "data").iterdir()) == SCENARIOS
    for name in NOTEBOOKS:
        assert (target / name).read_bytes() == (ROOT / "notebooks" / name).read_bytes()
    out = capsys.readouterr().out
    assert f"copied {len(NOTEBOOKS) + len(SCENARIOS)} file(s)" in out and "kept 0" in out
    assert not [p for p in target.rglob(".*")]  # no temporary file left behind


def test_notebooks_never_overwrites_and_says_what_it_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "lab"
    (target / "data").mkdir(parents=True)
    work = target / NOTEBOOKS[0]
    work.write_text("my work")
    (target / "data" / SCENARIOS[0]).write_text("my scenario")
    os.symlink(tmp_path / "elsewhere.ipynb", target / NOTEBOOKS[1])  # a dangling link is kept as well
    assert cli.main(["notebooks", str(target)]) == 0
    out = capsys.readouterr().out
    assert work.read_text() == "my work" and (target / "data" / SCENARIOS[0]).read_text() == "my scenario"
    assert not (tmp_path / "elsewhere.ipynb").exists()
    for kept in (work, target / "data" / SCENARIOS[0], target / NOTEBOOKS[1]):
        assert f"kept {kept} " in out
    assert "kept 3 that existed" in out
    assert (target / NOTEBOOKS[2]).read_bytes() == (ROOT / "notebooks" / NOTEBOOKS[2]).read_bytes()


def test_notebooks_refuses_a_folder_that_is_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "lab").write_text("a file")
    assert cli.main(["notebooks", str(tmp_path / "lab")]) == cli.EXIT_INPUT
    err = capsys.readouterr().err
    said = "is not a folder; name a folder to copy the notebooks into"
    assert err == f"secretslab notebooks: {tmp_path / 'lab'}: {said}\n"
    assert (tmp_path / "lab").read_text() == "a file"


def test_copy_notebooks_reports_what_it_did(tmp_path: Path) -> None:
    first = copy_notebooks(tmp_path)
    assert len(first.copied) == len(NOTEBOOKS) + len(SCENARIOS) and first.kept == ()
    second = copy_notebooks(tmp_path)
    assert second.copied == () and set(second.kept) == set(first.copied)


def test_write_new_creates_and_never_replaces(tmp_path: Path) -> None:
    path = tmp_path / "file.txt"
    assert write_new(path, b"first") is True
    assert write_new(path, b"second") is False
    assert path.read_bytes() == b"first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_a_name_reads_the_users_own_copy_in_data_first(elsewhere: Path) -> None:
    """``secretslab notebooks DIR`` copies the scenarios to DIR/data, beside the notebooks, which
    load them by name: an edited copy there is the one read, and the bundled one otherwise."""
    (elsewhere / "data").mkdir()
    document = json.loads(bundled.bundled_scenario("identity-vs-resource").read_text())  # type: ignore[union-attr]
    document["world"]["secrets"] = document["world"]["secrets"][:1]
    (elsewhere / "data" / "identity-vs-resource.json").write_text(json.dumps(document))
    assert len(sl.load_scenario("identity-vs-resource").secrets) == 1
    assert len(sl.load_scenario("identity-vs-resource.json").secrets) == 1
    assert len(sl.load_scenario("cross-account-read").secrets) == 2  # no copy: the bundled one


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_an_empty_scenario_file_says_it_is_empty(tmp_path: Path, suffix: str) -> None:
    """Empty input (a file, or standard input) is said to be empty, not "a JSON object, found null"."""
    empty = tmp_path / f"empty{suffix}"
    empty.write_text("\n  \n")
    with pytest.raises(sl.ScenarioError) as caught:
        sl.load_scenario(empty)
    (problem,) = caught.value.problems
    assert problem.code == "INVALID_FIELD" and problem.json_path == "$"
    assert "the input is empty" in problem.message and problem.source == str(empty)
