"""The hostile-input harness (issue #9 item 8): malformed, oversized, deep and pathological
policies, scenarios, requests and batch lines (``tests/hostile_strategies.py``) go through every
reading door of the API, and each example must

- raise only the package's errors (``InvalidPolicyError``, ``ScenarioError``, ``LineError``) —
  or return problems — never another exception;
- finish in bounded time: each example is timed and must take under ``LIMIT`` seconds (a guard
  interrupts it at ``GUARD`` seconds, so a hang fails the test instead of stopping the run);
- have every error located: a JSON path that exists in the input (or names the element that is
  missing), at or around the element that was broken, the file name when it was read from a
  file, and a message that quotes a bounded part of the value;
- be refused when AWS refuses it (a wrong JSON type, a character outside the policy character
  set, a duplicated key, an integer or nesting beyond what a parser holds).

The examples are derandomized (a fixed seed), ``EXAMPLES`` per property so that the whole file
takes well under a minute; ``pytest --hostile-long`` runs ``LONG_EXAMPLES`` per property.
"""

from __future__ import annotations

import json
import signal
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from secretslab import (
    InvalidPolicyError,
    Problem,
    ScenarioError,
    World,
    authorize,
    check_policy,
    load_scenario,
)
from secretslab.batch import LineError, Simulator
from secretslab.policy import parse_policy
from secretslab.problems import ProblemCode

from . import conftest
from .hostile_strategies import (
    GET,
    Hostile,
    base_line,
    base_request,
    base_world,
    doc,
    dumps,
    line_texts,
    lines,
    pathological_patterns,
    policies,
    policy_texts,
    requests,
    world_texts,
    worlds,
    yaml_texts,
)

#: the package's errors: the only exceptions its reading functions may raise on user input
PACKAGE_ERRORS = (InvalidPolicyError, ScenarioError, LineError)
KINDS = ("identity", "resource", "key", "trust", "scp", "rcp", "boundary", "session")
LIMIT = 2.0  # seconds an example may take
GUARD = 3.0  # seconds after which an example is interrupted (a hang)
MAX_MESSAGE = 1000  # characters in one problem's message: a value is quoted, never in full
EXAMPLES = 40
LONG_EXAMPLES = 1500

HOSTILE = settings(
    max_examples=LONG_EXAMPLES if conftest.HOSTILE_LONG else EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,  # time is measured by ``bounded``, with a guard hypothesis's deadline lacks
    # no "explain" phase: it traces every line, which would make the timed examples slow
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


class Hang(Exception):
    """An example still running at the guard. An Exception, so that hypothesis shrinks it and
    prints the example; code under test that swallowed it would still fail the time limit."""


@contextmanager
def bounded(what: str) -> Iterator[None]:
    """Run the block under the guard and assert it took less than ``LIMIT`` seconds."""

    def interrupt(signum: int, frame: Any) -> None:
        raise Hang(f"{what}: still running after {GUARD} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, GUARD)
    started = time.perf_counter()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    elapsed = time.perf_counter() - started
    assert elapsed < LIMIT, f"{what} took {elapsed:.2f} s (limit {LIMIT} s)"


def package_errors_only(what: str, run: Any) -> tuple[Any, tuple[Problem, ...] | None]:
    """``run()`` under ``bounded``: its result, or the problems of the package error it raised;
    any other exception fails the test, naming it."""
    with bounded(what):
        try:
            return run(), None
        except PACKAGE_ERRORS as exc:
            return None, tuple(exc.problems)
        except Hang:
            raise
        except Exception as exc:  # the property: nothing else escapes
            pytest.fail(f"{what} raised {type(exc).__name__}: {str(exc)[:300]}")


def resolves(value: Any, path: tuple[Any, ...]) -> bool:
    """Whether ``path`` names an element of ``value``, or a missing key of an object in it."""
    for i, part in enumerate(path):
        last = i == len(path) - 1
        if isinstance(value, dict) and isinstance(part, str):
            if part not in value:
                return last
            value = value[part]
        elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
        else:
            return False
    return True


def near(found: tuple[Any, ...], broken: tuple[Any, ...]) -> bool:
    """Whether a problem at ``found`` locates the element broken at ``broken``: the element
    itself, something inside it, or an object that holds it (the document root excepted)."""
    if not broken:
        return True
    if not found:
        return False
    n = min(len(found), len(broken))
    return found[:n] == broken[:n]


def assert_located(
    problems: Iterable[Problem],
    hostile: Hostile,
    document: Any = None,
    *,
    source: str | None = None,
    prefix: tuple[Any, ...] = (),
) -> None:
    """Every problem has a bounded message, a path that exists in ``document`` (when it is a
    value), the file or line ``source``; some error is at or around the broken element; and
    there is an error when AWS refuses the input."""
    problems = tuple(problems)
    errors = [p for p in problems if p.is_error]
    for p in problems:
        assert isinstance(p.path, tuple), p
        assert len(p.message) <= MAX_MESSAGE, (
            f"{p.code} at {p.json_path}: a message of {len(p.message)} characters"
        )
        if source is not None:
            assert p.source is not None and source in p.source, f"{p} does not name {source}"
        if document is not None:
            assert resolves(document, p.path), f"{p.json_path} is not in the input ({p.code})"
    if hostile.must_reject:
        assert errors, f"accepted although AWS refuses it: {hostile!r}"
    if errors and hostile.text is None:
        broken = (*prefix, *hostile.path)
        # text no parser could read (an integer over 4,300 digits, say) is located by line and column
        assert any(near(p.path, broken) or p.code == ProblemCode.INVALID_JSON for p in errors), (
            f"no error at or around {broken}: " + "; ".join(f"{p.json_path} {p.code}" for p in errors)
        )


# -- policies


@HOSTILE
@given(hostile=policies, kind=st.sampled_from(KINDS))
def test_check_policy_locates_every_problem_of_a_hostile_document(hostile: Hostile, kind: str) -> None:
    """A policy with one element broken (wrong type, control character, huge, deep, removed,
    unknown key) is answered with located problems in bounded time, and ``parse_policy``
    raises ``InvalidPolicyError`` exactly when there is an error."""
    found, raised = package_errors_only("check_policy", lambda: check_policy(hostile.value, kind))
    assert raised is None, f"check_policy reports problems, it does not raise: {raised}"
    assert_located(found, hostile, hostile.value)
    _, parse_raised = package_errors_only("parse_policy", lambda: parse_policy(hostile.value, kind))
    assert (parse_raised is not None) == any(p.is_error for p in found)


@HOSTILE
@given(hostile=policy_texts, kind=st.sampled_from(KINDS))
def test_check_policy_locates_every_problem_of_hostile_json_text(hostile: Hostile, kind: str) -> None:
    """Policy text with a duplicated key, a 4,301-digit integer, nesting 200,000 deep, a raw
    control character, a BOM, NaN or cut short: located problems, bounded time."""
    found, raised = package_errors_only("check_policy", lambda: check_policy(hostile.text, kind))
    assert raised is None, f"check_policy reports problems, it does not raise: {raised}"
    assert_located(found, hostile)


@HOSTILE
@given(
    pattern=pathological_patterns(), where=st.sampled_from(["Action", "Resource", "StringLike", "ArnLike"])
)
def test_pathological_wildcards_are_accepted_and_decided_in_bounded_time(pattern: str, where: str) -> None:
    """AWS accepts any wildcard pattern; matching one takes time linear in pattern x text
    (issue #9 item 1), so ``*?*?…b`` is checked and decided — implicitly denied, as it matches
    nothing the request has — within the limit."""
    statement: dict[str, Any] = {"Effect": "Allow", "Action": GET, "Resource": "*"}
    context = {"aws:PrincipalTag/team": "a" * 60, "aws:SourceArn": "arn:aws:s3:::" + "a" * 60}
    if where == "Action":
        statement["Action"] = "secretsmanager:" + pattern
    elif where == "Resource":
        statement["Resource"] = "arn:aws:secretsmanager:*:*:secret:" + pattern
    elif where == "StringLike":
        statement["Condition"] = {"StringLike": {"aws:PrincipalTag/team": pattern}}
    else:
        statement["Condition"] = {"ArnLike": {"aws:SourceArn": "arn:aws:*:*:*:" + pattern}}
    policy = doc(statement)
    found, _ = package_errors_only("check_policy", lambda: check_policy(policy))
    assert not [p for p in found if p.is_error], found
    line = {**base_line(), "identity_policies": [policy], "context": context}
    result, _ = package_errors_only("simulate", lambda: list(Simulator().run([json.dumps(line)])))
    assert result[0].get("outcome") == "implicit_deny", result


# -- scenarios


@HOSTILE
@given(hostile=worlds)
def test_world_reader_locates_every_problem_of_a_hostile_world(hostile: Hostile) -> None:
    """A world with one element broken, at any level (its policies included): ``ScenarioError``
    with located problems, or a world; nothing else, in bounded time."""
    world, problems = package_errors_only("World.from_dict", lambda: World.from_dict(hostile.value))
    assert_located(_all(world, problems), hostile, hostile.value)


def _all(world: World | None, problems: tuple[Problem, ...] | None) -> tuple[Problem, ...]:
    """The problems of a world that was read: those that stopped it (``ScenarioError``), or
    those of its policies (a world keeps a policy AWS would refuse, and lists its problems)."""
    if problems is not None:
        return problems
    assert world is not None
    return world.problems


def _scenario_file(text: str, suffix: str) -> Path:
    """A new temporary file holding ``text`` (removed by the caller)."""
    fd, name = tempfile.mkstemp(suffix=suffix)
    with open(fd, "w", encoding="utf-8", errors="surrogatepass") as handle:
        handle.write(text)
    return Path(name)


@HOSTILE
@given(hostile=worlds | world_texts, yaml=st.booleans())
def test_scenario_files_name_the_file_in_every_problem(hostile: Hostile, yaml: bool) -> None:
    """A hostile world written as a JSON or YAML scenario file: every problem names the file
    and is located; a duplicated key, a huge integer or deep nesting is refused."""
    if hostile.text is not None:
        text, suffix = hostile.text, ".json"
    elif yaml:
        import yaml as pyyaml

        try:
            text, suffix = pyyaml.safe_dump(hostile.value, allow_unicode=True), ".yaml"
        except (RecursionError, ValueError):  # the harness cannot write it: try it as JSON
            text, suffix = dumps(hostile.value), ".json"
    else:
        text, suffix = dumps(hostile.value), ".json"
    path = _scenario_file(text, suffix)
    try:
        world, problems = package_errors_only(f"load_scenario({suffix})", lambda: load_scenario(path))
    finally:
        path.unlink()
    assert_located(
        _all(world, problems), hostile, None if hostile.text is not None else hostile.value, source=str(path)
    )


@HOSTILE
@given(text=yaml_texts)
def test_hostile_yaml_scenarios_are_refused_in_bounded_time_and_memory(text: str) -> None:
    """YAML alias bombs ("billion laughs"), circular aliases, duplicated keys, unquoted dates,
    Python and binary tags, non-string keys, deep nesting and huge integers: refused with a
    problem naming the file, in bounded time."""
    path = _scenario_file(text, ".yaml")
    try:
        world, problems = package_errors_only("load_scenario(.yaml)", lambda: load_scenario(path))
    finally:
        path.unlink()
    assert_located(_all(world, problems), Hostile(text=text, must_reject=True), source=str(path))


# -- requests and batch lines


@HOSTILE
@given(hostile=requests)
def test_authorize_locates_every_problem_of_a_hostile_request(hostile: Hostile) -> None:
    """A request with one field broken: ``ScenarioError`` located at that field, or a decision;
    nothing else, in bounded time."""
    world = _world()
    _, problems = package_errors_only("authorize", lambda: authorize(world, hostile.value))
    assert_located(problems or (), hostile, hostile.value)


_WORLD: list[World] = []


def _world() -> World:
    if not _WORLD:
        _WORLD.append(World.from_dict(base_world()))
    return _WORLD[0]


@HOSTILE
@given(hostile=lines | line_texts)
def test_batch_answers_every_hostile_line_with_a_result_or_a_located_error(hostile: Hostile) -> None:
    """A batch line with one field broken, or hostile JSON text: one result, either an outcome
    or an error whose problems name the line and a path in it; the batch never raises."""
    text = hostile.text if hostile.text is not None else dumps(hostile.value)
    results, _ = package_errors_only(
        "simulate", lambda: list(Simulator().run([text], source="hostile.jsonl"))
    )
    assert len(results) == 1
    result = results[0]
    if "error" not in result:
        assert not hostile.must_reject, f"accepted although AWS refuses it: {hostile!r}"
        return
    problems = [_problem(p) for p in result["error"]["problems"]]
    assert_located(
        problems, hostile, None if hostile.text is not None else hostile.value, source="hostile.jsonl:1"
    )


def _problem(data: dict[str, Any]) -> Problem:
    """A problem back from its JSON form (the batch's ``error`` results)."""
    path: list[Any] = []
    for part in _split(data["path"]):
        path.append(part)
    return Problem(
        ProblemCode(data["code"]), data["message"], tuple(path), data.get("hint"), data.get("source")
    )


def _split(json_path: str) -> Iterator[str | int]:
    """The parts of a ``$.a[0]['b c']`` path."""
    i, text = 1, json_path
    while i < len(text):
        if text[i] == ".":
            j = i + 1
            while j < len(text) and text[j] not in ".[":
                j += 1
            yield text[i + 1 : j]
            i = j
        elif text[i : i + 2] == "['":
            j = i + 2
            out = ""
            while text[j] != "'":
                if text[j : j + 2] in ("\\u", "\\U"):  # a control or invisible character, escaped
                    width = 4 if text[j + 1] == "u" else 8
                    out += chr(int(text[j + 2 : j + 2 + width], 16))
                    j += 2 + width
                    continue
                if text[j] == "\\":
                    j += 1
                out += text[j]
                j += 1
            yield out
            i = j + 2
        else:
            j = text.index("]", i)
            yield int(text[i + 1 : j])
            i = j + 1


@HOSTILE
@given(ident=st.integers() | st.integers(2**64, 2**200) | st.text(max_size=20) | st.none() | st.booleans())
def test_batch_ids_come_back_exactly_as_given(ident: Any) -> None:
    """Issue #9 item 4: an id (any integer, above 2^64 included, or any string) comes back with
    the same value and type, on an answered line and on a refused one."""
    for line in ({**base_line(), "id": ident}, {**base_line(), "id": ident, "action": 7}):
        results, _ = package_errors_only("simulate", lambda line=line: list(Simulator().run([dumps(line)])))
        got = results[0]["id"]
        assert got == ident and type(got) is type(ident), f"id {ident!r} came back as {got!r}"


def test_the_hostile_strategies_start_from_valid_documents() -> None:
    """The strategies start from valid documents: the base world loads, its request is allowed,
    and the base batch line is allowed (so a broken copy tests the break, not the base)."""
    world = World.from_dict(base_world())
    assert authorize(world, base_request()).to_dict()["decision"] == "allow"
    (result,) = Simulator().run([json.dumps(base_line())])
    assert result["outcome"] == "allow"
    assert sys.get_int_max_str_digits() > 0  # the harness restores Python's int <-> str limit
