"""Wildcard matching (``secretslab.policy.wildcards``): the same answers as the regular
expressions the package used before, in time bounded by pattern × text.

The rules, from AWS's pages:

* actions: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
  ("action names are case insensitive"; ``*`` and ``?`` anywhere, semantics §4.1);
* resources: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
  (``*`` and ``?`` within each colon segment; a ``*`` ending a segment may span the following
  ones; the service segment cannot be wildcarded, §4.3);
* ``StringLike`` and the ARN operators:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
  (case-sensitive; ArnLike matches each of the six colon-delimited components separately, §5.4,
  §5.10).

The reference below is the package's former construction (a regular expression per pattern),
kept here only as an oracle: it backtracks, so it is fed short patterns and texts.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secretslab import World, authorize, check_policy
from secretslab.batch import Simulator
from secretslab.policy.wildcards import (
    Pieces,
    action_matcher,
    any_matcher,
    arn_matcher,
    like_matcher,
    plain,
    resource_matcher,
)

# -- the former regular expressions, as the oracle


def _reference_like(pieces: Pieces, ignore_case: bool = False) -> re.Pattern[str]:
    out = []
    for text, literal in pieces:
        if literal:
            out.append(re.escape(text))
            continue
        for ch in text:
            out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
    return re.compile("".join(out), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _reference_resource(pieces: Pieces) -> re.Pattern[str]:
    chars = [(ch, literal) for text, literal in pieces for ch in text]
    out: list[str] = []
    colons = 0
    for i, (ch, literal) in enumerate(chars):
        wild = not literal and colons != 2
        if ch == ":":
            colons += 1
            out.append(":")
        elif wild and ch == "*":
            ends_segment = i + 1 == len(chars) or chars[i + 1][0] == ":"
            out.append(".*" if ends_segment else "[^:]*")
        elif wild and ch == "?":
            out.append("[^:]")
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), re.DOTALL)


def _reference_arn(pieces: Pieces, value: str) -> bool:
    if pieces == (("*", False),):
        return True
    parts: list[list[tuple[str, bool]]] = [[]]
    for text, literal in pieces:
        if literal:
            parts[-1].append((text, True))
            continue
        chunks = text.split(":", 6 - len(parts)) if len(parts) < 6 else [text]
        for j, chunk in enumerate(chunks):
            if j:
                parts.append([])
            if chunk:
                parts[-1].append((chunk, False))
    values = value.split(":", 5)
    if len(parts) != 6 or len(values) != 6:
        return False
    return all(_reference_like(tuple(p)).fullmatch(v) is not None for p, v in zip(parts, values, strict=True))


# -- generated patterns and texts

PATTERN_CHARS = "ab*?:/"
TEXT_CHARS = "abAB:/*?"

pattern_text = st.text(PATTERN_CHARS, max_size=10)
#: a pattern after variable substitution: literal pieces hold ``*``, ``?`` and ``:`` too
pieces_strategy = st.lists(
    st.one_of(
        pattern_text.map(lambda t: (t, False)),
        st.text(TEXT_CHARS, max_size=4).map(lambda t: (t, True)),
    ),
    max_size=4,
).map(tuple)


@st.composite
def pattern_and_text(draw: st.DrawFn) -> tuple[Pieces, str]:
    """Pieces, and either random text or text built from the pattern (each wildcard replaced by
    random characters), so that about half the pairs match."""
    pieces = draw(pieces_strategy)
    if draw(st.booleans()):
        return pieces, draw(st.text(TEXT_CHARS, max_size=16))
    filler = st.text(TEXT_CHARS, max_size=3)
    out = []
    for text, literal in pieces:
        for ch in text:
            if literal or ch not in "*?":
                out.append(ch)
            else:
                out.append(draw(filler) if ch == "*" else draw(st.sampled_from(TEXT_CHARS)))
    return pieces, "".join(out)


PROPERTY = settings(max_examples=600, deadline=None)


@PROPERTY
@given(pattern_and_text())
def test_string_like_matches_the_reference(case: tuple[Pieces, str]) -> None:
    """StringLike: case-sensitive, ``*`` any run (colons too), ``?`` any one character;
    substituted (literal) pieces never act as wildcards (condition operators page)."""
    pieces, text = case
    assert like_matcher(pieces).matches(text) == (_reference_like(pieces).fullmatch(text) is not None)


@PROPERTY
@given(pattern_and_text())
def test_resource_matches_the_reference(case: tuple[Pieces, str]) -> None:
    """Resource: ``?`` one non-colon character, ``*`` within its segment unless it ends the
    segment, the service segment literal (reference_policies_elements_resource.html)."""
    pieces, text = case
    assert resource_matcher(pieces).matches(text) == (_reference_resource(pieces).fullmatch(text) is not None)


@PROPERTY
@given(pattern_and_text())
def test_arn_like_matches_the_reference(case: tuple[Pieces, str]) -> None:
    """ArnLike: six colon-delimited components, each matched on its own (condition operators
    page); a bare ``*`` matches any value."""
    pieces, text = case
    assert arn_matcher(pieces).matches(text) == _reference_arn(pieces, text)


@PROPERTY
@given(st.text("abAB*?:", max_size=10), st.text("abAB:", max_size=14))
def test_action_matches_the_reference_without_regard_to_case(pattern: str, action: str) -> None:
    """Actions: case-insensitive patterns (reference_policies_elements_action.html), matched
    against the lower-cased action name the evaluator keeps."""
    expected = _reference_like(plain(pattern), ignore_case=True).fullmatch(action.lower()) is not None
    assert action_matcher(pattern).matches(action.lower()) == expected


@PROPERTY
@given(st.lists(pieces_strategy, max_size=4), st.text(TEXT_CHARS, max_size=10))
def test_a_list_matches_when_one_of_its_patterns_does(patterns: list[Pieces], text: str) -> None:
    """A list of values matches when any one does (condition operators page: several values
    of one key are OR-ed; the Action page: a list matches if any entry does)."""
    combined = any_matcher(tuple(like_matcher(p) for p in patterns))
    assert combined.matches(text) == any(_reference_like(p).fullmatch(text) for p in patterns)


# -- the documented examples

SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("arn:aws:secretsmanager:*", True),  # a trailing * spans the remaining segments
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-??????", True),
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-?????", False),
        ("arn:aws:secretsmanager:*:123456789012:secret:prod/*", True),
        ("arn:aws:secretsmanager:us-east-1:*:prod/*", True),  # a * ending its segment spans
        ("arn:aws:secretsmanager:us-east-1:123*prod/*", False),  # an inner * keeps to its segment
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret?prod/*", False),  # ? is not a colon
        ("arn:aws:secrets*:us-east-1:123456789012:secret:*", False),  # the service is literal
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:PROD/*", False),  # case-sensitive
        ("*", True),
    ],
)
def test_resource_examples(pattern: str, expected: bool) -> None:
    """Examples of the Resource element page
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html)
    and the ``-??????`` secret-name pattern of Secrets Manager's examples."""
    assert resource_matcher(plain(pattern)).matches(SECRET) is expected


def test_substituted_values_are_literal() -> None:
    """A policy variable's value is text, not a pattern: ``${aws:username}`` = ``*`` matches only
    a literal star (reference_policies_variables.html, and ``${*}`` for a literal star)."""
    pieces = (("arn:aws:secretsmanager:us-east-1:123456789012:secret:home/", False), ("*", True))
    assert resource_matcher(pieces).matches(SECRET.replace("prod/db-AbCdEf", "home/*"))
    assert not resource_matcher(pieces).matches(SECRET.replace("prod/db-AbCdEf", "home/bob"))
    assert like_matcher((("team-", False), ("a?", True))).matches("team-a?")
    assert not like_matcher((("team-", False), ("a?", True))).matches("team-ab")


def test_arn_like_components() -> None:
    """ArnLike splits the value into six components: a ``*`` cannot swallow a colon in the first
    five, and a value that is not an ARN matches nothing but ``*`` (condition operators page)."""
    role = "arn:aws:iam::123456789012:role/admin-x"
    assert arn_matcher(plain("arn:aws:iam::*:role/admin-*")).matches(role)
    assert not arn_matcher(plain("arn:aws:*:role/admin-*")).matches(role)  # five components only
    assert not arn_matcher(plain("arn:aws:iam::*:role/admin-*")).matches("admin-x")
    assert arn_matcher(plain("*")).matches("admin-x")


def test_actions_ignore_case() -> None:
    """ "Action names are case insensitive" (reference_policies_elements_action.html)."""
    assert action_matcher("SecretsManager:Get*").matches("secretsmanager:getsecretvalue")
    assert action_matcher("secretsmanager:*Secret?alue").matches("secretsmanager:getsecretvalue")
    assert not action_matcher("secretsmanager:Get?").matches("secretsmanager:getsecretvalue")


# -- bounded time on patterns that made the former regular expressions backtrack

BOUND = 0.05  # seconds for one compile and match; linear matching needs far less
LONG = 3000


def _pathological() -> list[tuple[str, Callable[[str], bool], str]]:
    cases: list[tuple[str, Callable[[str], bool], str]] = []
    action = "secretsmanager:" + "a" * LONG
    for k in (10, 25, 50):
        wild = "*?" * k + "b"
        cases += [
            ("action", action_matcher("secretsmanager:" + wild).matches, action),
            ("action", action_matcher("secretsmanager:" + "*a" * k + "b").matches, action),
            ("StringLike", like_matcher(plain(wild)).matches, "a" * LONG),
            ("StringLike", like_matcher(plain("*a?" * k + "c")).matches, "ab" * LONG),
            ("resource", resource_matcher(plain(SECRET[:53] + wild)).matches, SECRET[:53] + "a" * LONG),
            ("resource", resource_matcher(plain(SECRET[:53] + wild)).matches, SECRET[:53] + "a:" * LONG),
            ("resource", resource_matcher(plain("arn:aws:secretsmanager:" + "*:?:" * k + "b")).matches,
             "arn:aws:secretsmanager:" + "a:" * LONG),
            ("resource", resource_matcher(plain("arn:aws:secretsmanager:" + "*a:" * k + "b")).matches,
             "arn:aws:secretsmanager:" + "a:" * LONG),
            # texts that pass the quick tests (the end, the longest literal) and fail inside
            ("action", action_matcher("secretsmanager:" + "*a?c" * k + "*b").matches, action + "b"),
            ("StringLike", like_matcher(plain("*a?c" * k + "*b")).matches, "a" * LONG + "b"),
            ("resource", resource_matcher(plain(SECRET[:53] + "*a?c" * k + "*b")).matches,
             SECRET[:53] + "a" * LONG + "b"),
            ("resource", resource_matcher(plain("arn:aws:secretsmanager:" + "*:??:" * k + "b")).matches,
             "arn:aws:secretsmanager:" + "a:" * LONG + "b"),
            ("ArnLike", arn_matcher(plain("arn:aws:iam::" + wild + ":role/" + wild)).matches,
             "arn:aws:iam::" + "a" * LONG + ":role/" + "a" * LONG),
        ]  # fmt: skip
    return cases


@pytest.mark.parametrize(("semantics", "matches", "text"), _pathological())
def test_pathological_patterns_answer_quickly(
    semantics: str, matches: Callable[[str], bool], text: str
) -> None:
    """Patterns such as ``secretsmanager:*?*?…*?b`` (50 pairs) against a few thousand characters:
    each answer within 50 ms (the former regular expressions took exponential time). The rules
    matched are those of the Action, Resource and condition operator pages."""
    started = time.perf_counter()
    matches(text)
    assert time.perf_counter() - started < BOUND, semantics


HOSTILE_ACTION = "secretsmanager:" + "*?" * 15 + "b"  # 45 characters
ALICE = "arn:aws:iam::123456789012:user/alice"


def _allow(action: str) -> dict[str, object]:
    statement = {"Effect": "Allow", "Action": [action, "secretsmanager:GetSecretValue"], "Resource": "*"}
    return {"Version": "2012-10-17", "Statement": [statement]}


def _quick(run: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = run()
    assert time.perf_counter() - started < 2.0
    return result


def test_a_hostile_action_is_checked_and_evaluated_quickly() -> None:
    """``check_policy``, ``authorize`` and a batch line with a 45-character action of alternating
    ``*?`` (Action page: wildcards anywhere) answer within two seconds, with the right answers."""
    problems = _quick(lambda: check_policy(_allow(HOSTILE_ACTION)))
    assert any(HOSTILE_ACTION in p.message for p in problems)
    world = World.from_dict(
        {
            "principals": {"users": [{"arn": ALICE, "policies": [_allow(HOSTILE_ACTION)]}]},
            "secrets": [{"arn": SECRET}],
        }
    )
    for action, outcome in (
        ("secretsmanager:GetSecretValue", "allow"),
        ("secretsmanager:DescribeSecret", "implicit_deny"),
    ):
        request = {"principal": ALICE, "action": action, "resource": SECRET}
        decision = _quick(lambda r=request: authorize(world, r))
        assert decision.to_dict()["outcome"] == outcome
    line = {
        "principal": ALICE,
        "action": "secretsmanager:DescribeSecret",
        "resource": SECRET,
        "resource_account": "123456789012",
        "identity_policies": [_allow(HOSTILE_ACTION), _allow("secretsmanager:" + "*?" * 8 + "Secret")],
    }
    evaluation = _quick(lambda: Simulator().evaluate(line))
    assert str(evaluation.outcome) == "allow"
