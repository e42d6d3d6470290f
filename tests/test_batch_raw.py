"""The batch's line reader finds a repeated policy field by its raw text (issue #12): a line it
reads that way must be answered exactly as a fresh simulator answers it, whatever the line holds.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secretslab.batch import _MOST_EVERY, _RAW_SIZE, Simulator, _RawFields

from .hostile_strategies import ALICE, GET, SECRET, Hostile, base_line, doc, dumps, line_texts, lines
from .test_hostile import HOSTILE, bounded

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1] / "benchmarks"))
from generate_requests import generate

ALLOW = doc({"Effect": "Allow", "Action": GET, "Resource": "*"})
DENY = doc({"Effect": "Deny", "Action": GET, "Resource": "*"})


def compact(value: Any) -> str:
    """``value`` as tools usually write a line: no spaces (integers of any size included)."""
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    finally:
        sys.set_int_max_str_digits(limit)


def comparable(result: dict[str, Any]) -> Any:
    """A result as written (an id beyond what Python converts is an ``orjson.Fragment``)."""
    ident = result["id"]
    if isinstance(ident, orjson.Fragment):
        ident = ("fragment", orjson.dumps(ident))
    return {**result, "id": ident}


def fresh(text: str | bytes) -> Any:
    """The answer of a simulator that has seen nothing before: the whole line is read."""
    (result,) = Simulator().run([text], source="b.jsonl")
    return comparable(result)


def warmed(*texts: str | bytes) -> Simulator:
    simulator = Simulator()
    list(simulator.run(texts))
    return simulator


def answers(simulator: Simulator, text: str | bytes, times: int = 2) -> list[Any]:
    return [comparable(r) for _ in range(times) for r in simulator.run([text], source="b.jsonl")]


def test_a_repeated_policy_field_is_read_by_its_raw_text() -> None:
    line = compact(base_line()).encode()
    simulator = warmed(line)
    walked = simulator._raw.walk(line)
    assert walked is not None, "the second sight of a policy field is found by its text"
    raw, known = walked
    assert set(known) == {"identity_policies"} and raw["identity_policies"] is None
    assert raw["principal"] == ALICE and raw["id"] == "x"
    assert answers(simulator, line) == [fresh(line)] * 2


@pytest.mark.parametrize(
    "spelling",
    [
        lambda v: json.dumps(v),  # spaces after , and :
        lambda v: json.dumps(v, indent=2).replace("\n", " "),  # more spaces
        lambda v: json.dumps(v, ensure_ascii=True).replace("Allow", "\\u0041llow"),  # an escape
        lambda v: compact(
            {**v, "identity_policies": [dict(reversed(list(p.items()))) for p in v["identity_policies"]]}
        ),
        lambda v: compact(dict(reversed(list(v.items())))),  # the line's keys in another order
    ],
)
def test_a_policy_text_spelt_differently_decides_the_same(spelling: Any) -> None:
    """Whitespace, escapes and key order change the text, never the answer."""
    line = base_line()
    simulator = warmed(compact(line), json.dumps(line))
    text = spelling(line)
    assert answers(simulator, text) == [fresh(text)] * 2
    denied = {**line, "identity_policies": [DENY]}
    text = spelling(denied)
    got = answers(simulator, text)
    assert got == [fresh(text)] * 2 and got[0]["outcome"] == "explicit_deny"


def test_a_nested_key_named_like_a_field_cannot_fool_the_walk() -> None:
    """The walk reads the top-level object: a policy field's text inside a string, inside
    another policy or in the context is not the field, and another value is never taken for it."""
    allow = compact([ALLOW])
    simulator = warmed(compact(base_line()))
    tricks = [
        # the known allowing text inside a string value, with the real field denying
        {**base_line(), "id": f'"identity_policies":{allow}', "identity_policies": [DENY]},
        {
            **base_line(),
            "context": {"aws:SourceVpc": f'"identity_policies":{allow}'},
            "identity_policies": [DENY],
        },
        # inside another policy (an unknown key of a resource policy is refused there)
        {
            **base_line(),
            "identity_policies": [DENY],
            "resource_policy": {"Version": "2012-10-17", "identity_policies": [ALLOW], "Statement": []},
        },
        # no identity policy at all: the allowing text only nested
        {
            "id": "n",
            "principal": ALICE,
            "action": GET,
            "resource": SECRET,
            "session_policy": {"identity_policies": [ALLOW]},
        },
    ]
    for trick in tricks:
        text = compact(trick)
        got = answers(simulator, text)
        assert got == [fresh(text)] * 2, trick
        assert got[0].get("outcome") != "allow", trick


@pytest.mark.parametrize(
    "text",
    [
        # what follows a known text decides whether it is the value
        '{"id":"x","principal":"%s","action":"%s","resource":"%s","identity_policies":%sx}',
        '{"id":"x","principal":"%s","action":"%s","resource":"%s","identity_policies":%s,}',
        '{"id":"x","principal":"%s","action":"%s","resource":"%s","identity_policies":%s}}',
        '{"id":"x","principal":"%s","action":"%s","resource":"%s","identity_policies":%s} x',
        '{"id":"x","principal":"%s","action":"%s","resource":"%s","identity_policies":%s',
        # a key given twice, at the top (orjson keeps the last) or inside the context
        '{"id":"x","principal":"%s","action":"%s","resource":"%s","identity_policies":%s,"identity_policies":[]}',
        '{"id":"x","id":"y","principal":"%s","action":"%s","resource":"%s","identity_policies":%s}',
        '{"id":"x","principal":"%s","action":"%s","resource":"%s","context":{"a:b":"1","a:b":"2"},'
        '"identity_policies":%s}',
        # values orjson refuses, outside the known text
        '{"id":NaN,"principal":"%s","action":"%s","resource":"%s","identity_policies":%s}',
        '{"id":"\\ud800","principal":"%s","action":"%s","resource":"%s","identity_policies":%s}',
        '{"id":"x\x01","principal":"%s","action":"%s","resource":"%s","identity_policies":%s}',
        '{"id":123456789012345678901234567890,"principal":"%s","action":"%s","resource":"%s","identity_policies":%s}',
        '{"id":1e400,"principal":"%s","action":"%s","resource":"%s","identity_policies":%s}',
        '{"id":1.5,"principal":"%s","action":"%s","resource":"%s","identity_policies":%s}',
        '{"id":"x","principal":"%s","action":"%s","resource":"%s","context":{"aws:SourceIp":1e999},'
        '"identity_policies":%s}',
        # escapes and non-ASCII text: read whole
        '{"\\u0069d":"x","principal":"%s","action":"%s","resource":"%s","identity_policies":%s}',
        '{"id":"é","principal":"%s","action":"%s","resource":"%s","identity_policies":%s}',
        '{"id":"x","principal":"%s","action":"%s","resource":"%s","identity_policies":%s,"extra":1}',
        '["x","%s","%s","%s",%s]',
    ],
)
def test_a_hostile_line_is_answered_as_a_fresh_simulator_answers_it(text: str) -> None:
    line = text % (ALICE, GET, SECRET, compact([ALLOW]))
    simulator = warmed(compact(base_line()))
    assert answers(simulator, line) == [fresh(line)] * 2


@HOSTILE
@given(hostile=lines | line_texts)
def test_every_hostile_line_is_answered_as_by_a_fresh_simulator(hostile: Hostile) -> None:
    """Issue #9's hostile lines, through a simulator that knows the base line's policies (as
    written by ``json.dumps`` and compactly): the same answer as a fresh simulator's, line by line,
    the first time and again."""
    texts = [hostile.text] if hostile.text is not None else [dumps(hostile.value), compact(hostile.value)]
    simulator = warmed(compact(base_line()), dumps(base_line()))
    for text in texts:
        with bounded("a hostile line, twice"):
            got = answers(simulator, text)
        assert got == [fresh(text)] * 2, hostile


@pytest.mark.parametrize("value", ["1e400", "-1e400"])
def test_a_number_beyond_a_double_never_shares_a_result_with_null(value: str) -> None:
    """orjson refuses ``1e400``, the standard library reads it as an infinity, and orjson writes
    an infinity as ``null``: a policy holding one must not be taken for the same policy holding
    ``null`` (nor the reverse), whichever comes first."""
    policy = compact(ALLOW)[:-1] + ',"Id":%s}'
    line = compact({**base_line(), "identity_policies": [0]}).replace("[0]", "[%s]")
    with_null, with_number = line % (policy % "null"), line % (policy % value)
    for first, second in ((with_null, with_number), (with_number, with_null)):
        simulator = warmed(first, first)
        assert answers(simulator, second) == [fresh(second)] * 2
    assert "error" in fresh(with_number) and "error" not in fresh(with_null)


@pytest.mark.parametrize("digits", ["18446744073709551616", "-9223372036854775809", "1" + "0" * 30])
def test_an_integer_beyond_64_bits_is_read_exactly_not_as_a_float(digits: str) -> None:
    """orjson reads an integer outside [-2**63, 2**64) as a float without a word: in a policy or
    in the context, such a line is read exactly, as a request on the API reads it (the conditions
    below compare the digits as text), by a fresh simulator and by one that knows the policy."""

    def line(condition: dict[str, Any], context: str) -> str:
        policy = {**ALLOW["Statement"][0], "Condition": condition}
        text = compact(
            {**base_line(), "context": {"secretsmanager:VersionStage": 0}, "identity_policies": [doc(policy)]}
        )
        return text.replace(
            '"secretsmanager:VersionStage":0}', '"secretsmanager:VersionStage":' + context + "}", 1
        )

    exact = line({"StringEquals": {"secretsmanager:VersionStage": 0}}, digits).replace(
        ":0}", ":" + digits + "}"
    )
    assert Simulator().evaluate(json.loads(exact)).outcome.value == "allow"
    assert fresh(exact)["outcome"] == "allow"
    # the policy (no long number in it) known by its text; the digits only in the context
    ends = {"StringLike": {"secretsmanager:VersionStage": "*" + digits[-2:]}}
    warm = warmed(line(ends, '"x"'), line(ends, '"x"'))
    assert answers(warm, line(ends, digits)) == [fresh(line(ends, digits))] * 2
    assert fresh(line(ends, digits))["outcome"] == "allow"


def test_memory_stays_bounded_under_ever_new_policies() -> None:
    simulator = Simulator()
    for i in range(_RAW_SIZE + 500):
        line = {**base_line(), "id": i, "identity_policies": [doc({**ALLOW["Statement"][0], "Sid": f"S{i}"})]}
        (result,) = simulator.run([compact(line)])
        assert result["outcome"] == "allow"
        assert len(simulator._raw) <= _RAW_SIZE
    assert len(simulator._raw) < 600  # it started afresh once full


def test_the_known_texts_start_afresh_when_full() -> None:
    """However many texts the reader is given, it holds at most ``_RAW_SIZE`` of them."""
    raw = _RawFields()
    for i in range(_RAW_SIZE + 100):
        raw._add("identity_policies", compact([doc({"Sid": f"S{i}", "Effect": "Allow"})]).encode(), b"c")
        assert len(raw) <= _RAW_SIZE
    assert len(raw) == 100  # started afresh once full: the 2,049th text is the first one again


def test_a_batch_of_ever_new_policies_is_decoded_whole_and_not_learnt() -> None:
    """Walking a line whose policies are new, then learning them, costs more than decoding the
    line; once the reader knows many texts and none comes back, it walks ever fewer lines (at
    least one in ``_MOST_EVERY``), and a text that comes back makes it walk every line again.
    Answers never depend on it (the other tests of this file)."""
    requests = list(generate(1500, 3, True))
    simulator = Simulator()
    walked = 0
    original = _RawFields.walk

    def counting(self: _RawFields, line: bytes) -> Any:
        nonlocal walked
        walked += 1
        return original(self, line)

    _RawFields.walk = counting  # type: ignore[method-assign]
    try:
        results = list(simulator.run(orjson.dumps(r) for r in requests))
        assert [r["id"] for r in results] == [r["id"] for r in requests]
        assert walked < 300  # about 40 lines to know 256 texts, then fewer and fewer
        assert simulator._raw._every >= 32  # doubled after each 16 walks in a row that found nothing
        again = orjson.dumps(requests[-1])
        walked = 0
        list(simulator.run([again] * (2 * _MOST_EVERY + 2)))
        assert simulator._raw._every == 1  # learnt on its next walk, found on the one after
        assert walked > _MOST_EVERY  # and every line walked since
    finally:
        _RawFields.walk = original  # type: ignore[method-assign]


def test_texts_sharing_long_prefixes_are_told_apart() -> None:
    """Policies of one organisation share their first kilobytes: each is still found, and only
    by its own text."""
    raw = _RawFields()
    common = [
        doc(*({"Sid": f"Guard{j}", "Effect": "Deny", "Action": "*", "Resource": "*"} for j in range(30)))
    ]
    texts = [
        compact([*common, doc({"Sid": f"S{i}", "Effect": "Allow", "Action": GET, "Resource": "*"})])
        for i in range(300)
    ]
    for i, text in enumerate(texts):
        raw._add("identity_policies", text.encode(), f"c{i}".encode())  # c: stands for its canonical JSON
    assert len(raw) == 300
    for i, text in enumerate(texts):
        line = ('{"id":1,"identity_policies":' + text + "}").encode()
        assert raw.walk(line) == (
            {"id": 1, "identity_policies": None},
            {"identity_policies": f"c{i}".encode()},
        )
        assert raw.walk(line.replace(b'"S%d"' % i, b'"S%dx"' % i)) is None  # one byte more: unknown


@pytest.mark.parametrize("unique", [False, True])
def test_generated_batches_are_decided_as_the_full_evaluation_decides(unique: bool) -> None:
    """The benchmark's batches (compact lines, as generated): every answer of one simulator, which
    reads most lines by their raw text, equals the outcome and reason of the full evaluation
    (``Simulator.evaluate``, the explanation tree) of the same line."""
    requests = list(generate(400, 1, unique))
    texts = [orjson.dumps(r) for r in requests]
    simulator = Simulator()
    results = list(simulator.run(texts * 2))  # the second time round every field is known
    reference = Simulator()
    for request, result in zip(requests * 2, results, strict=True):
        evaluation = reference.evaluate(request)
        assert result == {
            "id": request["id"],
            "outcome": evaluation.outcome.value,
            "reason": evaluation.reason.value,
        }
    assert simulator._raw.walk(texts[-1]) is not None


def test_every_line_of_a_spaced_batch_is_learnt_by_its_own_text() -> None:
    requests = list(generate(50, 2, False))
    texts = [json.dumps(r).encode() for r in requests]
    simulator = warmed(*texts)
    assert all(simulator._raw.walk(t) is not None for t in texts if b"identity_policies" in t)
    assert [comparable(r) for r in simulator.run(texts)] == [fresh(t) for t in texts]


@settings(max_examples=30, derandomize=True, deadline=None, database=None)
@given(
    st.lists(st.sampled_from([ALLOW, DENY]), min_size=0, max_size=3), st.sampled_from([" ", "", "\t", "\n "])
)
def test_any_whitespace_between_members(policies: list[Any], space: str) -> None:
    members = [f'"id"{space}:{space}"w"', f'"principal":{space}"{ALICE}"', f'"action":"{GET}"{space}']
    members.append(f'{space}"identity_policies"{space}:{space}{compact(policies)}{space}')
    text = "{" + space + ",".join(members) + "}" + space
    simulator = warmed(compact(base_line()), text)
    assert answers(simulator, text) == [fresh(text)] * 2
