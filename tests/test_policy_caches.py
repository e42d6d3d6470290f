"""The policy reader's element caches (issue #12): a statement read from remembered elements is the
statement a full read gives, with every problem at its own path, whatever was read before it."""

from __future__ import annotations

import copy
import json
import math
import random
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secretslab.policy import caches, parsing, quotas, statements
from secretslab.policy.model import Policy, PolicyKind
from secretslab.policy.parsing import read_policy
from tests.hostile_strategies import base_policy, mutated

KINDS = list(PolicyKind)


def summary(policy: Policy) -> dict[str, Any]:
    """Everything a reader of the model sees, as plain data (the source excepted)."""
    out: dict[str, Any] = {
        "kind": policy.kind.value,
        "version": policy.version,
        "id": policy.policy_id,
        "valid": policy.valid,
        "problems": [p.to_dict() for p in policy.problems],
        "statements": [],
    }
    for s in policy.statements:
        resource = s.resource
        principal = s.principal
        out["statements"].append(
            {
                "index": s.index,
                "sid": s.sid,
                "label": s.label,
                "effect": s.effect.value,
                "action": [list(s.action.patterns), s.action.negated],
                "resource": None
                if resource is None
                else [
                    [[p.text, repr(p.template), p.matcher is not None] for p in resource.patterns],
                    resource.negated,
                    resource.any,
                    resource.static,
                ],
                "principal": None
                if principal is None
                else [
                    principal.negated,
                    principal.wildcard,
                    sorted(principal.accounts),
                    sorted(principal.users),
                    sorted(principal.roles),
                    sorted(principal.services),
                    list(principal.values),
                ],
                "conditions": [
                    [
                        c.operator.name,
                        c.key,
                        list(c.values),
                        repr(c.parsed),
                        repr(c.templates),
                        c.match is None,
                    ]
                    for c in s.conditions
                ],
                "memo_keys": list(s.memo_keys),
            }
        )
    return out


@contextmanager
def full_read() -> Iterator[None]:
    """Read without the caches: no document counts as plain JSON (the reader before issue #12)."""
    with mock.patch.object(parsing, "plain_json", lambda doc: None):
        yield


def reference(doc: Any, kind: PolicyKind | str) -> dict[str, Any]:
    with full_read():
        return summary(read_policy(doc, kind))


def statement(sid: str, **elements: Any) -> dict[str, Any]:
    return {"Sid": sid, **elements}


def test_a_remembered_problem_is_reported_at_each_statement_that_shares_the_element() -> None:
    caches.clear()
    shared = {
        "Effect": "Allow",
        "Action": ["secretsmanager:GetSecretValu", "s3:GetObject"],
        "Resource": ["arn:aws:secretsmanager:us-east-1:111122223333:secret:a-??????", "not-an-arn"],
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "x"}, "StringEqualz": {"a:b": "c"}},
    }
    doc = {"Version": "2012-10-17", "Statement": [statement("One", **shared), statement("Two", **shared)]}
    policy = read_policy(doc, "identity")
    paths = [(p.code, p.json_path) for p in policy.problems]
    for index in (0, 1):
        assert ("UNKNOWN_ACTION", f"$.Statement[{index}].Action[0]") in paths
        assert ("INVALID_RESOURCE", f"$.Statement[{index}].Resource[1]") in paths
        assert ("UNKNOWN_OPERATOR", f"$.Statement[{index}].Condition.StringEqualz") in paths
    # the same statements again, in another policy, at other indexes: other paths, same problems
    again = read_policy(
        {"Version": "2012-10-17", "Statement": [{"Sid": "Zero", **shared}, *doc["Statement"]]}, "identity"
    )
    assert [p.json_path for p in again.problems if p.code == "UNKNOWN_ACTION"] == [
        "$.Statement[0].Action[0]",
        "$.Statement[1].Action[0]",
        "$.Statement[2].Action[0]",
    ]
    assert summary(policy) == reference(doc, "identity")


def test_a_remembered_element_never_carries_its_problems_to_another_kind_or_version() -> None:
    caches.clear()
    elements = {
        "Effect": "Allow",
        "NotAction": "secretsmanager:DeleteSecret",
        "Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:${aws:username}-*",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}},
    }
    seen = {}
    for version in ("2012-10-17", "2008-10-17"):
        for kind in KINDS:  # warm caches: each kind after the others
            doc = {"Version": version, "Statement": [statement("Sid1", **elements)]}
            got = summary(read_policy(doc, kind))
            assert got == reference(doc, kind), (version, kind)
            seen[(version, kind)] = [p["code"] for p in got["problems"]]
    assert "PRINCIPAL_NOT_ALLOWED" in seen[("2012-10-17", "identity")]
    assert "PRINCIPAL_NOT_ALLOWED" not in seen[("2012-10-17", "resource")]
    assert "NOT_ACTION_WITH_ALLOW" in seen[("2012-10-17", "identity")]
    assert "NOT_ACTION_WITH_ALLOW" not in seen[("2012-10-17", "scp")]
    assert "VARIABLES_NEED_2012" in seen[("2008-10-17", "identity")]
    assert "VARIABLES_NEED_2012" not in seen[("2012-10-17", "identity")]


def test_an_effect_changes_what_the_remembered_conditions_say() -> None:
    caches.clear()
    condition = {"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}}
    allow = {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition},
    }
    deny = copy.deepcopy(allow)
    deny["Statement"]["Effect"] = "Deny"
    assert "FOR_ALL_VALUES_WITH_ALLOW" in [p.code for p in read_policy(allow).problems]
    assert "FOR_ALL_VALUES_WITH_ALLOW" not in [p.code for p in read_policy(deny).problems]


def test_values_that_compare_equal_in_python_are_not_confused() -> None:
    """True == 1 == 1.0 and 0.0 == -0.0 in Python; JSON tells them apart, and so do the caches."""
    caches.clear()
    for value in (1, True, 1.0, 0.0, -0.0, "1", [1], ["1"]):
        doc = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"NumericEquals": {"s3:max-keys": value}},
                },
                {"Effect": "Allow", "Action": value, "Resource": value},
            ],
        }
        assert summary(read_policy(doc)) == reference(doc, "identity"), value


def test_python_values_outside_json_are_read_without_the_caches() -> None:
    """A tuple, an enum or a NaN written by orjson looks like JSON it is not: such documents are
    read in full, never matched against remembered JSON."""
    caches.clear()
    import enum
    import uuid

    class Colour(enum.Enum):
        RED = "s3:GetObject"

    good = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
    read_policy(good)  # remembers the Action "s3:GetObject"
    for odd in (
        ("s3:GetObject",),
        Colour.RED,
        uuid.UUID(int=1),
        orjson.Fragment(b'"s3:GetObject"'),
        math.nan,
    ):
        doc = copy.deepcopy(good)
        doc["Statement"][0]["Action"] = odd
        assert quotas.plain_json(doc) is None, odd
        assert summary(read_policy(doc)) == reference(doc, "identity"), odd
        assert not read_policy(doc).valid


def test_the_caches_stay_bounded_under_a_stream_of_new_elements(monkeypatch: pytest.MonkeyPatch) -> None:
    caches.clear()
    for cache in (statements._RESTS, statements._RESOURCES, statements._PATTERNS):
        monkeypatch.setattr(cache, "size", 50)
    for i in range(400):
        doc = {
            "Version": "2012-10-17",
            "Statement": {
                "Sid": f"S{i}",
                "Effect": "Allow",
                "Action": [f"s3:GetObject{i}"],
                "Resource": [f"arn:aws:s3:::bucket-{i}/*", f"arn:aws:s3:::other-{i}"],
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": f"team-{i}"}},
            },
        }
        got = summary(read_policy(doc))
        if i % 97 == 0:
            assert got == reference(doc, "identity")
    for cache in (statements._RESTS, statements._RESOURCES, statements._PATTERNS):
        assert 0 < len(cache) <= 50


def test_orjson_writes_floats_as_json_does_except_where_the_reader_looks() -> None:
    """``quotas.plain_text`` takes orjson's text for ``json.dumps``'s unless a float could be
    spelt otherwise; this holds orjson (whatever its version) to that."""
    rng = random.Random(12)
    values = [1e16, 1e15, 1e-4, 1e-5, 1e-7, 1e-9, 1e-10, 5e-324, 1.7976931348623157e308, -0.0, 0.1, 100.0]
    for exponent in range(-330, 310):
        values.append(float(f"{rng.random() * 10}e{exponent}"))
    values += [struct.unpack("d", rng.randbytes(8))[0] for _ in range(20000)]
    for value in values:
        if not math.isfinite(value):
            continue
        doc = {
            "Version": "2012-10-17",
            "Id": value,
            "Statement": [{"Condition": {"NumericEquals": {"k": [value]}}}],
        }
        raw = quotas.plain_json(doc)
        assert raw is not None
        assert quotas.plain_text(doc, raw) == quotas.document_text(doc), value


def test_orjson_escapes_every_character_as_json_does() -> None:
    text = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    doc = {"k": text, text[:300]: "v"}
    raw = quotas.plain_json(doc)
    assert raw is not None
    assert raw.decode() == json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def test_a_policy_read_from_text_or_from_its_dict_is_the_same() -> None:
    caches.clear()
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "A-1",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
                "Principal": "*",
            },
            {
                "Sid": "A-1",
                "Effect": "Deny",
                "Action": "kms:Decrypt",
                "NotResource": ["arn:aws:kms:*:111122223333:key/*"],
            },
        ],
    }
    for kind in KINDS:
        assert (
            summary(read_policy(json.dumps(doc), kind))
            == summary(read_policy(doc, kind))
            == reference(doc, kind)
        )


# -- generated policies: warm caches, cold caches and the full read agree

_ACTIONS = st.sampled_from(
    [
        "*",
        "secretsmanager:GetSecretValue",
        "secretsmanager:GetSecretValu",
        "s3:*Object*",
        "kms:Decrypt*",
        "nope",
        "iam:",
    ]
)
_RESOURCES = st.sampled_from(
    [
        "*",
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-*",
        "arn:aws:s3:::bucket/${aws:username}/*",
        "arn:aws:kms:*:111122223333:key/*",
        "arn:aws:s*:us-east-1:1:x",
        "bucket",
        "arn:aws:s3:::a/${aws:PrincipalTag/team, 'x'}",
        "${",
    ]
)
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([1.0, -0.0, 2.5e-7]))


def _one_or_list(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(values, st.lists(values, max_size=3), _SCALARS)


_CONDITIONS = st.dictionaries(
    st.sampled_from(
        [
            "StringEquals",
            "StringLike",
            "ForAllValues:StringEquals",
            "NumericLessThan",
            "Bool",
            "Null",
            "IpAddress",
            "StringEqualz",
        ]
    ),
    st.one_of(
        st.dictionaries(
            st.sampled_from(
                [
                    "aws:PrincipalTag/team",
                    "aws:TagKeys",
                    "aws:SourceIp",
                    "s3:max-keys",
                    "aws:SecureTransport",
                    "aws:Nope",
                ]
            ),
            _one_or_list(
                st.sampled_from(["a", "${aws:username}", "10.0.0.0/8", "true", "5", "*"]) | _SCALARS
            ),
            max_size=2,
        ),
        _SCALARS,
    ),
    max_size=2,
)
_PRINCIPALS = st.one_of(
    st.just("*"),
    st.fixed_dictionaries(
        {},
        optional={
            "AWS": _one_or_list(
                st.sampled_from(
                    ["*", "111122223333", "arn:aws:iam::111122223333:role/r", "arn:aws:iam::1:group/g"]
                )
            ),
            "Service": st.sampled_from(["secretsmanager.amazonaws.com", "bad"]),
            "Nope": st.just("x"),
        },
    ),
    _SCALARS,
)
_STATEMENTS = st.fixed_dictionaries(
    {},
    optional={
        "Sid": st.one_of(st.sampled_from(["A", "A-1", "", "B"]), _SCALARS),
        "Effect": st.sampled_from(["Allow", "Deny", "allow", 3]),
        "Action": _one_or_list(_ACTIONS),
        "NotAction": _one_or_list(_ACTIONS),
        "Resource": _one_or_list(_RESOURCES),
        "NotResource": _one_or_list(_RESOURCES),
        "Principal": _PRINCIPALS,
        "NotPrincipal": _PRINCIPALS,
        "Condition": st.one_of(_CONDITIONS, _SCALARS),
        "Colour": st.just(1),
    },
)


@st.composite
def policies(draw: st.DrawFn) -> tuple[Any, PolicyKind]:
    pool = draw(st.lists(_STATEMENTS, min_size=1, max_size=4))
    chosen = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=6))  # elements repeat
    doc: dict[str, Any] = {"Statement": [copy.deepcopy(s) for s in chosen]}
    version = draw(st.sampled_from(["2012-10-17", "2008-10-17", None]))
    if version:
        doc = {"Version": version, **doc}
    return doc, draw(st.sampled_from(KINDS))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(policies(), min_size=1, max_size=4))
def test_warm_caches_cold_caches_and_the_full_read_agree(docs: list[tuple[Any, PolicyKind]]) -> None:
    caches.clear()
    warm = [summary(read_policy(copy.deepcopy(doc), kind)) for doc, kind in docs]  # each warms the next
    for (doc, kind), got in zip(docs, warm, strict=True):
        caches.clear()
        assert summary(read_policy(copy.deepcopy(doc), kind)) == got
        assert reference(doc, kind) == got


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(mutated(base_policy()), st.sampled_from(KINDS))
def test_hostile_policies_read_the_same_through_the_caches(hostile: Any, kind: PolicyKind) -> None:
    read_policy(base_policy(), kind)  # warm
    assert summary(read_policy(copy.deepcopy(hostile.value), kind)) == reference(hostile.value, kind)
