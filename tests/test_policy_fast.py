"""The policy reader's fast paths (issue #12): the door for documents orjson decoded, the
shortcuts that spare a document's text, the plain-ARN reading, the builders of the model's frozen
values and the two generations of the element caches all give exactly what the full read gives."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from secretslab.limits import MAX_DEPTH, POLICY_SIZE, Count, SizeLimit
from secretslab.loading import shape_problems
from secretslab.policy import caches, checks, quotas, statements
from secretslab.policy.caches import BoundedCache
from secretslab.policy.model import (
    ActionElement,
    Effect,
    Policy,
    PolicyKind,
    ResourceElement,
    ResourcePattern,
    Statement,
)
from secretslab.policy.parsing import read_loaded_policy, read_policy
from secretslab.policy.variables import parse_template
from tests.hostile_strategies import base_policy, deep, dumps, mutated
from tests.test_policy_caches import policies, reference, summary

KINDS = list(PolicyKind)


def fields(value: Any) -> dict[str, Any]:
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}


def loaded(doc: Any) -> Any:
    """``doc`` as the batch reader has it: decoded by orjson from its JSON text."""
    return orjson.loads(json.dumps(doc))


# -- the door for documents orjson decoded


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(policies(), min_size=1, max_size=4))
def test_a_loaded_document_reads_as_read_policy_reads_it(docs: list[tuple[Any, PolicyKind]]) -> None:
    caches.clear()
    for doc, kind in docs:  # each warms the caches for the next
        got = summary(read_loaded_policy(loaded(doc), kind))
        assert got == summary(read_policy(loaded(doc), kind)) == reference(doc, kind)
    for doc, kind in docs:  # and cold
        caches.clear()
        assert summary(read_loaded_policy(loaded(doc), kind)) == reference(doc, kind)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(mutated(base_policy()), st.sampled_from(KINDS))
def test_a_loaded_hostile_document_reads_as_read_policy_reads_it(hostile: Any, kind: PolicyKind) -> None:
    try:
        doc = orjson.loads(dumps(hostile.value))
    except orjson.JSONDecodeError:  # beyond what orjson reads (a number beyond a double): not loaded
        assume(False)
    read_policy(base_policy(), kind)  # warm
    got = summary(read_loaded_policy(copy.deepcopy(doc), kind))
    assert got == reference(doc, kind)


@pytest.mark.parametrize("depth", [MAX_DEPTH - 4, MAX_DEPTH - 3, MAX_DEPTH - 2, MAX_DEPTH + 5, 260, 900])
@pytest.mark.parametrize("container", ["list", "dict"])
def test_a_deep_loaded_document_is_found_too_deep_where_read_policy_finds_it(
    depth: int, container: str
) -> None:
    # three levels above the value: the document, the Statement list and the statement
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*", "Colour": deep(depth, 1, container)}
        ],
    }
    doc = orjson.loads(orjson.dumps(doc)) if depth < 250 else doc  # orjson writes 254 levels at most
    got = summary(read_loaded_policy(doc, PolicyKind.IDENTITY))
    assert got == reference(doc, PolicyKind.IDENTITY)
    assert ("TOO_DEEP" in [p["code"] for p in got["problems"]]) == bool(shape_problems(doc))


@pytest.mark.parametrize("odd", [{1, 2}, b"s3", object()])
def test_a_document_orjson_cannot_write_is_read_in_full(odd: Any) -> None:
    """The door trusts its caller (a tuple or a NaN, which orjson never decodes, would be read
    as the JSON orjson writes for them); what orjson cannot write at all is read by read_policy."""
    caches.clear()
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": odd, "Resource": "*"}]}
    assert quotas.loaded_json(doc) is None
    assert summary(read_loaded_policy(doc, PolicyKind.IDENTITY)) == reference(doc, "identity")
    assert not read_loaded_policy(doc, PolicyKind.IDENTITY).valid


def test_orjson_writes_254_levels_and_no_more() -> None:
    """``quotas.loaded_json`` learns a document's depth from orjson's own limit."""
    for depth in range(1, 300):
        for leaf in (1, [], {}):
            doc = {"a": deep(depth - 1, leaf)} if depth > 1 else {"a": leaf}
            levels = depth + (leaf != 1)  # the lists and objects on the deepest path
            written = quotas.loaded_json(doc)
            if levels <= 254:
                assert written is not None and written[0] == orjson.dumps(doc), depth
                assert written[1] == (levels <= MAX_DEPTH), (depth, leaf)
                if written[1]:
                    assert shape_problems(doc) == ()
            else:
                assert written is None, depth


# -- the text spared


_TEXTS = st.text(alphabet=st.sampled_from(["a", "\\", "\x08", "\x0c", "\x01", "é", "\u0100", "é", '"', " "]))
_NUMBERS = st.one_of(
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e-7, 1e-5, 1e16, 1e-10, 0.00001, 5e-324]),
)


@settings(max_examples=400, deadline=None)
@given(
    st.recursive(
        _TEXTS | _NUMBERS | st.booleans() | st.none(),
        lambda inner: st.lists(inner, max_size=6) | st.dictionaries(_TEXTS, inner, max_size=4),
        max_leaves=40,
    ),
    st.integers(1, 400),
    st.sampled_from(list(Count)),
)
def test_a_document_plainly_clean_has_no_size_or_character_problem(
    value: Any, size: int, count: Count
) -> None:
    doc = {"k": value}
    raw = quotas.plain_json(doc)
    assert raw is not None
    limit = SizeLimit(size, count, "a test", "https://example.com")
    if quotas.plainly_clean(raw, limit):
        text = quotas.plain_text(doc, raw)
        assert text is not None
        assert quotas.size_problems(text, limit) == []
        assert quotas.character_problems(doc, text, encoded=True) == []


def test_a_long_or_escaped_document_has_its_text_made() -> None:
    limit = POLICY_SIZE["identity"]
    assert quotas.plainly_clean(orjson.dumps({"k": "a" * 100}), limit)
    assert not quotas.plainly_clean(orjson.dumps({"k": "a" * limit.limit}), limit)  # may be too large
    assert not quotas.plainly_clean(orjson.dumps({"k": "\x01"}), limit)  # written \u0001
    assert not quotas.plainly_clean(orjson.dumps({"k": "é"}), limit)
    assert quotas.plainly_clean(orjson.dumps({"k": 'a"\\'}), limit)  # escapes of ASCII only


# -- a fresh ARN read by its fast path


_ARNS = st.text(alphabet=st.sampled_from(list("arn:*?${}/-x1")), max_size=24) | st.builds(
    lambda parts: ":".join(parts), st.lists(st.sampled_from(["arn", "aws", "s3", "", "x*", "${a}", "?"]))
)


@settings(max_examples=500, deadline=None)
@given(_ARNS, st.sampled_from(KINDS))
def test_a_plain_arn_reads_as_the_full_check_reads_it(text: str, kind: PolicyKind) -> None:
    if statements._plain_arn(text):
        assert checks.check_resource(kind, text, ()) == []
        assert "${" not in text  # no template: the pattern is compared exactly
        assert fields(ResourcePattern.exact(text)) == fields(ResourcePattern.build(text, None))


def test_fresh_arns_in_a_policy_read_as_the_full_read_reads_them() -> None:
    caches.clear()
    resources = [
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:fresh-1",
        "arn:aws:s3:::bucket",
        "arn:aws:s3:::bucket/a:b",
        "arn:aws:s3",
        "arn:aws:s?:::x",
        "arn:aws:s3:::${aws:username}",
        "arn:aws::::",
    ]
    for version in ("2012-10-17", "2008-10-17"):
        for kind in KINDS:
            doc = {
                "Version": version,
                "Statement": [
                    {"Sid": f"S{i}", "Effect": "Deny", "Action": "*", "Resource": [r, "*"]}
                    for i, r in enumerate(resources)
                ],
            }
            assert summary(read_loaded_policy(loaded(doc), kind)) == reference(doc, kind)


# -- the builders of frozen values


_TEMPLATE = parse_template("arn:aws:s3:::${aws:username}/*")[0]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                ResourcePattern.build("*", None),
                ResourcePattern.build("arn:aws:s3:::b/*", None),
                ResourcePattern.exact("arn:aws:s3:::b"),
                ResourcePattern.build("arn:aws:s3:::${aws:username}/*", _TEMPLATE),
            ]
        ),
        max_size=4,
    ),
    st.booleans(),
)
def test_a_built_resource_element_equals_a_constructed_one(
    patterns: list[ResourcePattern], negated: bool
) -> None:
    built = ResourceElement.compiled(tuple(patterns), negated)
    made = ResourceElement(tuple(patterns), negated)
    assert type(built) is ResourceElement
    assert fields(built) == fields(made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.negated = not negated  # type: ignore[misc]


def test_a_built_statement_and_policy_equal_constructed_ones() -> None:
    action = ActionElement.build(("s3:GetObject",), False)
    resource = ResourceElement((ResourcePattern.build("arn:aws:s3:::${aws:username}", _TEMPLATE),), False)
    made = Statement(3, "Sid", Effect.DENY, action, resource, None, (), {"Sid": "Sid"})
    built = Statement.compiled(
        3, "Sid", Effect.DENY, action, resource, None, (), {"Sid": "Sid"}, made.memo_keys
    )
    assert type(built) is Statement and fields(built) == fields(made) and built.memo_keys == made.memo_keys
    assert repr(built) == repr(made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.sid = "other"  # type: ignore[misc]
    problems = read_policy({"Statement": []}).problems  # an error and a warning
    for found in ((), problems, tuple(p for p in problems if not p.is_error)):
        policy = Policy(PolicyKind.SCP, "2012-10-17", (made,), found, {}, "id")
        same = Policy.compiled(PolicyKind.SCP, "2012-10-17", (made,), found, {}, "id")
        assert type(same) is Policy and fields(same) == fields(policy)
    assert fields(ResourcePattern.exact("arn:aws:s3:::b")) == fields(
        ResourcePattern("arn:aws:s3:::b", None, None)
    )


# -- two generations


def test_a_bounded_cache_keeps_the_entries_in_use_when_it_turns_over() -> None:
    cache: BoundedCache[str] = BoundedCache(3)
    for key in "abc":
        cache.put(key, key.upper())
    cache.put("d", "D")  # a, b, c become the old generation
    assert dict(cache) == {"d": "D"} and cache.get("a") is None
    assert cache.recall("a") == "A" and cache.get("a") == "A"  # moved back
    assert cache.recall("a") is None  # held once
    for key in "efg":
        cache.put(key, key.upper())  # d, a, e old; b and c forgotten
    assert len(cache) <= 3 and len(cache.old) <= 3
    assert cache.recall("b") is None and cache.recall("e") == "E"
    cache.clear()
    assert not cache and not cache.old


def test_a_stream_of_fresh_statements_keeps_its_common_elements(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fresh elements turn the caches over again and again; the element every statement shares
    is read once (emptying a full cache at once read it again after each turn)."""
    caches.clear()
    for cache in (statements._RESTS, statements._RESOURCES, statements._PATTERNS):
        monkeypatch.setattr(cache, "size", 4)
    reads: list[Any] = []
    real = statements.StatementReader._rest
    monkeypatch.setattr(
        statements.StatementReader, "_rest", lambda self, raw: reads.append(raw["Action"]) or real(self, raw)
    )
    for i in range(200):
        doc = {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": f"A{i}", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                {"Sid": f"B{i}", "Effect": "Allow", "Action": f"s3:Get{i}", "Resource": f"arn:aws:s3:::b{i}"},
            ],
        }
        policy = read_loaded_policy(loaded(doc), PolicyKind.IDENTITY)
        if i % 50 == 0:
            assert summary(policy) == reference(doc, PolicyKind.IDENTITY)
    assert reads.count("s3:GetObject") == 1 and len(reads) == 201
    for cache in (statements._RESTS, statements._RESOURCES, statements._PATTERNS):
        assert 0 < len(cache) <= 4 and len(cache.old) <= 4


def test_a_loaded_document_written_by_its_caller_reads_the_same() -> None:
    caches.clear()
    for doc, kind in [(base_policy(), PolicyKind.IDENTITY), ({"Statement": deep(120, "x")}, PolicyKind.SCP)]:
        doc = loaded(doc)
        assert summary(read_loaded_policy(doc, kind, quotas.loaded_json(doc))) == reference(doc, kind)
