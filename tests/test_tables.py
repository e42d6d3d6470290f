"""Operator and element tables (tests/cases/*.json), each row citing its semantics § and AWS page:
every condition operator family with IfExists, Null, ForAnyValue/ForAllValues, missing keys,
several keys and values, wrong-typed values and policy variables (§5, §6); Action/NotAction and
Resource/NotResource matching with wildcards and variables (§4, §6)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from secretslab import read_policy
from secretslab.evaluation.conditions import evaluate_condition
from secretslab.evaluation.context import Context, as_values
from secretslab.evaluation.matching import match_resource

from .conftest import CASES

TABLES = {name: json.loads((CASES / name).read_text()) for name in ("conditions.json", "matching.json")}


def _context(raw: dict[str, Any]) -> Context:
    return Context.of((k, as_values(v)) for k, v in raw.items())


def _rows(table: str, part: str) -> list[Any]:
    rows = TABLES[table][part]
    assert rows and all(r["cite"].startswith("§") for r in rows), f"{table}: every row cites its rule"
    return [pytest.param(r, id=r["id"]) for r in rows]


@pytest.mark.parametrize("row", _rows("conditions.json", "cases"))
def test_condition_block_evaluates_as_the_table_says(row: dict[str, Any]) -> None:
    doc = {
        "Version": row.get("version", "2012-10-17"),
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": row["condition"]}],
    }
    policy = read_policy(doc)
    if not policy.valid:  # AWS rejects the policy: the statement can never apply
        assert row["expected"] is False, [str(p) for p in policy.errors]
        return
    context = _context(row["context"])
    results = [evaluate_condition(c, context) for c in policy.statements[0].conditions]
    assert all(r.passed for r in results) is row["expected"], [(r.condition.key, r.why) for r in results]


@pytest.mark.parametrize("row", _rows("matching.json", "actions"))
def test_action_element_matches_as_the_table_says(row: dict[str, Any]) -> None:
    element = "NotAction" if row["not"] else "Action"
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", element: row["patterns"], "Resource": "*"}],
    }
    statement = read_policy(doc).statements[0]
    assert statement.action.matches(row["action"].lower()) is row["expected"]


@pytest.mark.parametrize("row", _rows("matching.json", "resources"))
def test_resource_element_matches_as_the_table_says(row: dict[str, Any]) -> None:
    element = "NotResource" if row["not"] else "Resource"
    doc = {
        "Version": row.get("version", "2012-10-17"),
        "Statement": [{"Effect": "Allow", "Action": "*", element: row["patterns"]}],
    }
    statement = read_policy(doc).statements[0]
    result = match_resource(
        statement.resource, row["resource"], _context(row.get("context", {})), absent_matches=False
    )
    assert result.matched is row["expected"], result.why
