"""The JSON Schema of scenario files (issue #11 item 6): it accepts every scenario the package
ships, it names exactly the fields the reader accepts (read from the reader's own field tables, so
a field added to the reader without the schema fails here), its enums are the package's, and
files it rejects the reader rejects too. The reader ignores a top-level ``"$schema"``."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import secretslab
from secretslab import ScenarioError, load_scenario
from secretslab.aws.imported import load_snapshot
from secretslab.cli import main
from secretslab.schemas import scenario_schema, scenario_schema_path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted([*ROOT.glob("data/*.json"), *ROOT.glob("secretslab/exercises/worlds/*.json")])
NOT_SCENARIOS = {"cross-account-pieces.json"}  # exercise 03's edits of a world, not a world


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return scenario_schema()


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _errors(validator: Draft202012Validator, data: Any) -> list[str]:
    return [f"{e.json_path}: {e.message[:200]}" for e in validator.iter_errors(data)]


# -- what it accepts


def test_the_schema_is_a_draft_2020_12_schema(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert secretslab.scenario_schema() == schema
    assert json.loads(scenario_schema_path().read_text(encoding="utf-8")) == schema


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_scenario_validates(path: Path, validator: Draft202012Validator) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    if path.name in NOT_SCENARIOS:
        assert "world" not in data and _errors(validator, data)
        return
    load_scenario(path)  # the reader accepts it too
    assert _errors(validator, data) == []


def test_shipped_files_are_found() -> None:
    assert len([p for p in SHIPPED if p.parent.name == "data"]) >= 8
    assert {p.name for p in SHIPPED} >= {"cross-account.json", "tagging.json", "cross-account-cmk.json"}


def test_every_world_of_the_reference_cases_validates(validator: Draft202012Validator) -> None:
    """The hundreds of worlds of tests/cases, all readable, are all valid for the schema."""
    count = 0
    for path in sorted((ROOT / "tests" / "cases").glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8")).get("cases", ()):
            if isinstance(case, dict) and isinstance(case.get("world"), dict):
                assert _errors(validator, case["world"]) == [], (path.name, case.get("id"))
                count += 1
    assert count >= 100


def test_a_world_written_back_validates(validator: Draft202012Validator) -> None:
    for path in SHIPPED:
        if path.name not in NOT_SCENARIOS:
            assert _errors(validator, load_scenario(path).to_dict()) == [], path.name


# -- the fields are the reader's


def _field_tables() -> dict[str, dict[str, bool]]:
    """Every field table of the readers of a scenario file (module-level ``{field: required}``),
    discovered rather than listed, so a new table fails ``test_the_schema_names_the_readers_fields``."""
    from secretslab.authorization import request
    from secretslab.world import expectations, read_entities, read_grants, reader, scenario

    tables: dict[str, dict[str, bool]] = {}
    for module in (reader, read_entities, read_grants, expectations, request):
        for name, value in vars(module).items():
            if (
                name.startswith("_")
                and name.isupper()
                and isinstance(value, dict)
                and value
                and all(isinstance(k, str) and isinstance(v, bool) for k, v in value.items())
            ):
                tables[f"{module.__name__.rsplit('.', 1)[-1]}.{name}"] = value
    tables["scenario.SCENARIO_FIELDS"] = scenario.SCENARIO_FIELDS
    return tables


#: which definition of the schema each reader table describes
_DEFINITION = {
    "scenario.SCENARIO_FIELDS": "scenario",
    "reader._WORLD": "world",
    "reader._PRINCIPALS": "principals",
    "read_entities._GAP": "gap",
    "read_entities._ACCOUNT": "account",
    "read_entities._ORG": "organization",
    "read_entities._ORG_POLICY": "org_policy",
    "read_entities._USER": "user",
    "read_entities._GROUP": "group",
    "read_entities._ROLE": "role",
    "read_entities._SESSION": "session",
    "read_entities._SECRET": "secret",
    "read_entities._KEY": "key",
    "read_grants._GRANT": "grant",
    "read_grants._CONSTRAINTS": "grant.Constraints",
    "expectations._EXPECTATION": "expectation",
    "expectations._REQUEST": "request",
    "request._REQUEST": "request",
    "request._STEP": "assume_role_step",
}


def _definition(schema: dict[str, Any], name: str) -> dict[str, Any]:
    head, _, field = name.partition(".")
    found: dict[str, Any] = schema["$defs"][head]
    return found["properties"][field] if field else found


def test_the_schema_names_the_readers_fields(schema: dict[str, Any]) -> None:
    tables = _field_tables()
    assert set(tables) == set(_DEFINITION), "a reader table has no schema definition (or is gone)"
    for table, name in _DEFINITION.items():
        definition = _definition(schema, name)
        fields = tables[table]
        properties = set(definition["properties"]) - {"$schema"}
        assert properties == set(fields), (table, name)
        assert definition["additionalProperties"] is False, name
        assert set(definition.get("required", ())) == {k for k, v in fields.items() if v}, (table, name)


def test_a_world_file_is_a_world_with_its_schema_key(schema: dict[str, Any]) -> None:
    defs = schema["$defs"]
    world, world_file = defs["world"]["properties"], defs["world_file"]["properties"]
    assert "$schema" not in world  # a world inside a scenario file is read without it
    assert {k: v for k, v in world_file.items() if k != "$schema"} == world
    assert "$schema" in defs["scenario"]["properties"]


def test_policy_elements_and_enums_are_the_packages(schema: dict[str, Any]) -> None:
    from secretslab.evaluation.kms_grants import GRANT_OPERATIONS
    from secretslab.evaluation.results import Reason
    from secretslab.policy import Effect
    from secretslab.policy.catalog import BASE_OPERATORS
    from secretslab.policy.parsing import _STATEMENT, _TOP, _VERSIONS
    from secretslab.world.expectations import DECISIONS

    defs = schema["$defs"]
    assert list(defs["policy_document"]["properties"]) == list(_TOP)
    assert set(defs["statement"]["properties"]) == set(_STATEMENT)
    assert defs["policy_document"]["properties"]["Version"]["enum"] == list(_VERSIONS)
    assert defs["statement"]["properties"]["Effect"]["enum"] == [e.value for e in Effect]
    assert defs["expectation"]["properties"]["decision"]["enum"] == list(DECISIONS)
    assert defs["expectation"]["properties"]["reason"]["enum"] == [r.value for r in Reason]
    assert defs["grant_operation"]["enum"] == list(GRANT_OPERATIONS)
    pattern = defs["statement"]["properties"]["Condition"]["propertyNames"]["pattern"]
    named = pattern.split("(", 2)[2].split(")", 1)[0].split("|")
    assert sorted(named) == sorted(BASE_OPERATORS)


def test_every_field_has_a_description(schema: dict[str, Any]) -> None:
    """Editors show ``description`` on hover: every definition and property has one."""
    missing = []
    for name, definition in schema["$defs"].items():
        if "description" not in definition:
            missing.append(name)
        for field, value in definition.get("properties", {}).items():
            if "description" not in value and "$ref" not in value:
                missing.append(f"{name}.{field}")
    assert missing == []


# -- what it rejects, the reader rejects too

_USER = {"arn": "arn:aws:iam::111111111111:user/alice"}
_SECRET = {"arn": "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbC123"}
_KEY = {"arn": "arn:aws:kms:us-east-1:111111111111:key/k1"}


def _world(**parts: Any) -> dict[str, Any]:
    return {"accounts": [{"id": "111111111111"}], **parts}


INVALID = {
    "a misspelt field": _world(principals={"users": [{**_USER, "polices": []}]}),
    "a short account id": {"accounts": [{"id": "1234"}]},
    "a secret without an arn": _world(secrets=[{"name": "prod/db"}]),
    "an empty secret name": _world(secrets=[{**_SECRET, "name": ""}]),
    "an empty group in a user's groups": _world(principals={"users": [{**_USER, "groups": [""]}]}),
    "tags that are a list": _world(principals={"users": [{**_USER, "tags": [{"Key": "a", "Value": "b"}]}]}),
    "a manager in lower case": _world(kms_keys=[{**_KEY, "manager": "aws"}]),
    "a grant operation KMS does not have": _world(
        kms_keys=[
            {
                **_KEY,
                "grants": [{"GrantId": "g", "GranteePrincipal": "111111111111", "Operations": ["Teleport"]}],
            }
        ]
    ),
    "a user ARN that is a role's": _world(
        principals={"users": [{"arn": "arn:aws:iam::111111111111:role/x"}]}
    ),
    "a wrapper with a misspelt field": {"world": _world(), "expecations": []},
    "an expected decision that is no decision": {
        "world": _world(),
        "expectations": [
            {"request": {"principal": _USER["arn"], "action": "kms:Decrypt"}, "decision": "maybe"}
        ],
    },
    "a reason code that does not exist": {
        "world": _world(),
        "expectations": [
            {
                "request": {"principal": _USER["arn"], "action": "kms:Decrypt"},
                "decision": "deny",
                "reason": "DENIED_BECAUSE",
            }
        ],
    },
    "a $schema that is not text": {"$schema": 7, **_world()},
    "a $schema inside the wrapped world": {"world": {"$schema": "x", **_world()}},
    "a world that is a list": [],
}


@pytest.mark.parametrize("name", INVALID)
def test_what_the_schema_rejects_the_reader_rejects(
    name: str, validator: Draft202012Validator, tmp_path: Path
) -> None:
    data = INVALID[name]
    assert _errors(validator, data), f"the schema accepts {name}"
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert all(p.source == str(path) for p in caught.value.problems)


# -- "$schema" in a file


def test_the_reader_ignores_a_top_level_schema_key(tmp_path: Path) -> None:
    shipped = json.loads((ROOT / "data" / "cross-account-cmk.json").read_text(encoding="utf-8"))
    wrapped = {"$schema": "./scenario.schema.json", **copy.deepcopy(shipped)}
    bare = {"$schema": "https://example.com/scenario.schema.json", **copy.deepcopy(shipped["world"])}
    for name, data in (("wrapped.json", wrapped), ("bare.json", bare)):
        path, plain = tmp_path / name, tmp_path / f"plain-{name}"
        path.write_text(json.dumps(data), encoding="utf-8")
        plain.write_text(json.dumps({k: v for k, v in data.items() if k != "$schema"}), encoding="utf-8")
        world = load_scenario(path)
        assert world.secrets and world.to_dict() == load_scenario(plain).to_dict()
        assert load_snapshot(path).world.to_dict() == load_snapshot(plain).world.to_dict()
    yaml_file = tmp_path / "bare.yaml"
    yaml_file.write_text("# yaml-language-server: $schema=./s.json\n$schema: ./s.json\naccounts: []\n")
    assert load_scenario(yaml_file).accounts == ()


def test_a_schema_key_that_is_not_text_is_located(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"$schema": ["x"], "accounts": []}), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    [problem] = caught.value.problems
    assert problem.path == ("$schema",) and problem.source == str(path)


# -- the command


def test_schema_command_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == scenario_schema()


def test_schema_command_writes_a_file_atomically(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "scenario.schema.json"
    out.write_text("old")
    assert main(["schema", "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == scenario_schema()
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left behind
    link = tmp_path / "link.json"
    link.symlink_to(out)
    assert main(["schema", "-o", str(link)]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert main(["schema", "-o", str(tmp_path / "missing" / "s.json")]) == 2
