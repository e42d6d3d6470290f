"""No silent answers (issue #9 item 3): a request that names an action, principal, role or
resource that does not exist — or a wildcard where one name is meant — is an error with "did you
mean", in the API and in every CLI command; who-can is a reachability question with no depth
limit; a bounded path listing says so; ``fix --limit 0`` is refused; ``simulate`` exits 1 when a
line failed; scenario contents AWS would reject are located problems.

AWS pages: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html
(the actions of Secrets Manager), https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html
(IAM names unique in an account whatever the path, without case; unique ids),
https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html (an alias names one key in
an account and Region), https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html (partitions),
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html (role chaining).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

import secretslab as sl
from secretslab.analysis import MAX_PATHS
from secretslab.batch import Simulator
from secretslab.cli import EXIT_INPUT, main
from secretslab.evaluation.target import read_target
from secretslab.fields import Fields
from secretslab.problems import ProblemCode, ScenarioError, UnknownNameError

from .conftest import ROOT

ASSUME = str(ROOT / "data" / "cross-account-assume-role.json")
READ = str(ROOT / "data" / "cross-account-read.json")
PEOPLE = str(ROOT / "data" / "people-come-and-go.json")
LEGACY = "arn:aws:secretsmanager:us-east-1:111111111111:secret:app/legacy-Zx9Yw8"
DB = "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbC123"
GET = "secretsmanager:GetSecretValue"
BOB = "arn:aws:iam::222222222222:user/bob"
WORKER = "arn:aws:sts::222222222222:assumed-role/AppRole/worker"
A = "111111111111"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _usage_error(code: int, err: str, *mentions: str) -> None:
    assert code == EXIT_INPUT, err
    assert "Traceback" not in err and "internal error" not in err
    for mention in mentions:
        assert mention in err, err


# -- 1. unknown names in the API


def test_issue_example_a_misspelt_action_is_an_error_with_suggestions_not_xacct_unsupported() -> None:
    world = sl.load_scenario(READ)
    with pytest.raises(UnknownNameError) as raised:
        sl.authorize(world, {"principal": WORKER, "action": "secretsmanager:GetSecretValu", "resource": DB})
    problem = raised.value.problems[0]
    assert (problem.code, problem.json_path) == (ProblemCode.UNKNOWN_REQUEST_ACTION, "$.action")
    assert raised.value.suggestions[0] == GET
    assert "did you mean secretsmanager:GetSecretValue" in str(raised.value)
    assert problem.to_dict()["suggestions"][0] == GET


def test_action_names_keep_any_case() -> None:
    world = sl.load_scenario(READ)
    decision = sl.authorize(
        world, {"principal": WORKER, "action": "secretsmanager:getsecretvalue", "resource": DB}
    )
    assert decision.allowed


@pytest.mark.parametrize(
    "field, value, code, path",
    [
        ("action", "secretsmanager:Get*", ProblemCode.WILDCARD_IN_REQUEST, "$.action"),
        ("action", "kms:Decrpyt", ProblemCode.UNKNOWN_REQUEST_ACTION, "$.action"),
        ("action", "sts:AssumeRol", ProblemCode.UNKNOWN_REQUEST_ACTION, "$.action"),
        ("action", "iam:PassRoles", ProblemCode.UNKNOWN_REQUEST_ACTION, "$.action"),
        ("action", "getsecretvalue", ProblemCode.INVALID_FIELD, "$.action"),
        ("resource", "*", ProblemCode.WILDCARD_IN_REQUEST, "$.resource"),
        ("resource", DB[:-1], ProblemCode.UNKNOWN_REFERENCE, "$.resource"),
        (
            "principal",
            "arn:aws:sts::222222222222:assumed-role/AppRol/worker",
            ProblemCode.UNKNOWN_REFERENCE,
            "$.principal",
        ),
        ("principal", "arn:aws:iam::222222222222:user/nobody", ProblemCode.UNKNOWN_REFERENCE, "$.principal"),
        ("principal", "arn:aws:iam::333333333333:root", ProblemCode.UNKNOWN_REFERENCE, "$.principal"),
        ("principal", "*", ProblemCode.WILDCARD_IN_REQUEST, "$.principal"),
    ],
)
def test_a_name_that_does_not_exist_is_a_located_error(
    field: str, value: str, code: ProblemCode, path: str
) -> None:
    world = sl.load_scenario(READ)
    request = {"principal": WORKER, "action": GET, "resource": DB, field: value}
    with pytest.raises(ScenarioError) as raised:
        sl.authorize(world, request)
    assert [(p.code, p.json_path) for p in raised.value.problems] == [(code, path)]


def test_suggestions_name_what_exists() -> None:
    world = sl.load_scenario(READ)
    cases = [
        ({"principal": "arn:aws:sts::222222222222:assumed-role/AppRol/worker"}, WORKER),
        ({"resource": DB[:-1]}, DB),
        ({"action": "secretsmanager:Get*"}, GET),
        ({"action": "getsecretvalue"}, GET),
    ]
    for change, wanted in cases:
        with pytest.raises(
            UnknownNameError if "getsecretvalue" not in str(change) else ScenarioError
        ) as raised:
            sl.authorize(world, {"principal": WORKER, "action": GET, "resource": DB, **change})
        suggestions = [s for p in raised.value.problems for s in p.suggestions]
        assert wanted in suggestions, (change, raised.value)


def test_a_role_of_the_chain_that_does_not_exist_is_located_at_its_hop() -> None:
    world = sl.load_scenario(ASSUME)
    with pytest.raises(UnknownNameError) as raised:
        sl.authorize(
            world,
            {
                "principal": BOB,
                "action": GET,
                "resource": LEGACY,
                "assume_role_chain": [{"role_arn": "arn:aws:iam::111111111111:role/SecretReadr"}],
            },
        )
    assert raised.value.problems[0].json_path == "$.assume_role_chain[0].role_arn"
    assert raised.value.suggestions[0] == "arn:aws:iam::111111111111:role/SecretReader"


def test_actions_of_services_not_modelled_keep_the_default_handling() -> None:
    world = sl.load_scenario(READ)
    decision = sl.authorize(
        world, {"principal": WORKER, "action": "s3:GetObjectt", "resource": "arn:aws:s3:::b/k"}
    )
    assert decision.reason is sl.Reason.NO_APPLICABLE_ALLOW


def test_request_readers_refuse_unknown_actions() -> None:
    with pytest.raises(UnknownNameError):
        sl.Request.from_dict({"principal": WORKER, "action": "secretsmanager:GetSecretValu"})
    reader = Fields("here")
    _, action, _, _ = read_target(reader, {"principal": WORKER, "action": "kms:Decrpyt"})
    assert action is None
    assert [(p.code, p.source) for p in reader.problems] == [(ProblemCode.UNKNOWN_REQUEST_ACTION, "here")]
    assert reader.problems[0].suggestions[0] == "kms:Decrypt"


def test_analyses_refuse_unknown_names_with_suggestions() -> None:
    world = sl.load_scenario(READ)
    with pytest.raises(ScenarioError) as raised:
        sl.who_can(world, "notanaction", DB)
    assert raised.value.problems[0].json_path == "$.action"
    with pytest.raises(UnknownNameError) as unknown:
        sl.who_can(world, "secretsmanager:GetSecretValu", DB)
    assert unknown.value.suggestions[0] == GET
    with pytest.raises(UnknownNameError):
        sl.who_can(world, GET, DB + "x")
    with pytest.raises(UnknownNameError):
        sl.access_paths(world, WORKER, "secretsmanager:GetSecretValu", DB)
    with pytest.raises(UnknownNameError):
        sl.access_paths(world, "arn:aws:sts::222222222222:assumed-role/AppRol/w", GET, DB)
    with pytest.raises(UnknownNameError) as matrix:
        sl.access_matrix(world, actions=[GET, "secretsmanager:ListSecret"], principals=[WORKER, BOB])
    assert [p.json_path for p in matrix.value.problems] == ["$.actions[1]", "$.principals[1]"]
    with pytest.raises(UnknownNameError):
        sl.diff(world, world, actions=["secretsmanager:GetSecretValu"])
    with pytest.raises(UnknownNameError):
        sl.suggest_fixes(
            world, {"principal": WORKER, "action": "secretsmanager:GetSecretValu", "resource": DB}
        )


def test_diff_still_compares_worlds_where_people_come_and_go() -> None:
    before = sl.load_scenario(PEOPLE)
    leaver = before.users[0].arn
    after = sl.World.from_dict(
        {
            **before.to_dict(),
            "principals": {
                **before.to_dict()["principals"],
                "users": [u for u in before.to_dict()["principals"]["users"] if u["arn"] != leaver],
            },
        }
    )
    changes = sl.diff(before, after)
    assert all(not c.gained for c in changes.changes if c.principal == leaver)
    assert any(c.principal == leaver for c in changes.changes)
    assert any(
        "not in this world" in r for c in changes.changes if c.principal == leaver for r in c.responsible
    )


def test_batch_line_with_an_unknown_action_is_a_located_line_error() -> None:
    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    base = {"principal": "arn:aws:iam::111111111111:user/a", "resource": DB, "identity_policies": [allow]}
    lines = [
        json.dumps({"id": 1, **base, "action": "secretsmanager:GetSecretValu"}),
        json.dumps({"id": 2, **base, "action": "secretsmanager:getsecretvalue"}),
        json.dumps({"id": 3, **base, "action": "secretsmanager:*"}),
        json.dumps({"id": 4, **base, "action": "s3:GetObject"}),
    ]
    results = list(Simulator().run(lines, "batch.jsonl"))
    first = results[0]["error"]["problems"][0]
    assert (first["code"], first["path"], first["source"]) == (
        "UNKNOWN_REQUEST_ACTION",
        "$.action",
        "batch.jsonl:1",
    )
    assert first["suggestions"][0] == GET
    assert results[1]["outcome"] == "allow"
    assert results[2]["error"]["problems"][0]["code"] == "WILDCARD_IN_REQUEST"
    assert results[3]["outcome"] == "allow"


# -- 1. in every CLI command


def test_issue_example_who_can_with_notanaction_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "who-can", READ, "--action", "notanaction", "--resource", DB)
    _usage_error(code, err, "service:ActionName")
    assert "0 principal(s)" not in out


@pytest.mark.parametrize(
    "argv",
    [
        [
            "authorize",
            READ,
            "--principal",
            WORKER,
            "--action",
            "secretsmanager:GetSecretValu",
            "--resource",
            DB,
        ],
        ["who-can", READ, "--action", "secretsmanager:GetSecretValu", "--resource", DB],
        ["paths", READ, "--principal", WORKER, "--action", "secretsmanager:GetSecretValu", "--resource", DB],
        ["matrix", READ, "--action", "secretsmanager:GetSecretValu"],
        ["diff", READ, READ, "--action", "secretsmanager:GetSecretValu"],
        ["fix", READ, "--principal", WORKER, "--action", "secretsmanager:GetSecretValu", "--resource", DB],
    ],
)
def test_every_command_refuses_an_unknown_action_with_did_you_mean(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, _, err = _run(capsys, *argv)
    _usage_error(code, err, "UNKNOWN_REQUEST_ACTION", "did you mean secretsmanager:GetSecretValue")


@pytest.mark.parametrize(
    "argv, mention",
    [
        (
            [
                "authorize",
                READ,
                "--principal",
                "arn:aws:iam::222222222222:user/nobody",
                "--action",
                GET,
                "--resource",
                DB,
            ],
            "$.principal",
        ),
        (["who-can", READ, "--action", GET, "--resource", DB[:-1]], "did you mean " + DB),
        (
            ["paths", READ, "--principal", WORKER, "--action", GET, "--resource", DB[:-1]],
            "did you mean " + DB,
        ),
        (
            ["matrix", READ, "--principal", "arn:aws:sts::222222222222:assumed-role/AppRol/w"],
            "$.principals[0]",
        ),
        (["matrix", READ, "--resource", DB[:-1]], "$.resources[0]"),
        (["fix", READ, "--principal", WORKER, "--action", GET, "--resource", "*"], "WILDCARD_IN_REQUEST"),
    ],
)
def test_every_command_refuses_an_unknown_principal_or_resource(
    capsys: pytest.CaptureFixture[str], argv: list[str], mention: str
) -> None:
    code, _, err = _run(capsys, *argv)
    _usage_error(code, err, mention)


def test_simulate_exits_1_when_a_line_failed_and_still_writes_every_result(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    base = {"principal": "arn:aws:iam::111111111111:user/a", "resource": DB, "identity_policies": [allow]}
    batch = tmp_path / "b.jsonl"
    batch.write_text(
        "\n".join(
            json.dumps({"id": i, **base, "action": a})
            for i, a in enumerate([GET, "secretsmanager:GetSecretValu", GET])
        )
    )
    out_file = tmp_path / "out.jsonl"
    code, _, err = _run(capsys, "simulate", str(batch), "-o", str(out_file))
    assert code == 1 and "1 of 3 lines had errors" in err
    results = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert [r["id"] for r in results] == [0, 1, 2] and "error" in results[1]
    batch.write_text(json.dumps({"id": 0, **base, "action": GET}))
    code, _, _ = _run(capsys, "simulate", str(batch), "-o", str(out_file))
    assert code == 0


# -- 3. fix --limit


@pytest.mark.parametrize("limit", ["0", "-1", "x"])
def test_fix_limit_below_one_is_refused_by_the_cli(capsys: pytest.CaptureFixture[str], limit: str) -> None:
    with pytest.raises(SystemExit) as raised:  # argparse refuses it before anything runs
        main(["fix", READ, "--principal", WORKER, "--action", GET, "--resource", DB, "--limit", limit])
    err = capsys.readouterr().err
    assert raised.value.code == EXIT_INPUT and "--limit" in err and "Traceback" not in err


@pytest.mark.parametrize("limit", [0, -1, True, 1.5])
def test_fix_limit_below_one_is_refused_by_the_api(limit: Any) -> None:
    world = sl.load_scenario(READ)
    with pytest.raises(ScenarioError) as raised:
        sl.suggest_fixes(world, {"principal": WORKER, "action": GET, "resource": DB}, limit=limit)
    assert raised.value.problems[0].json_path == "$.limit"


# -- 2. who-can is reachability; a bounded path listing says so


def _graph_world(n: int, clique: bool) -> sl.World:
    """``n`` roles: a chain (each trusts the one before it, the first trusts user start), or a
    clique (each trusts every other; the first trusts start too). The last role reads the secret."""
    start = f"arn:aws:iam::{A}:user/start"
    assume = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}

    def role(i: int) -> str:
        return f"arn:aws:iam::{A}:role/r{i}"

    roles = []
    for i in range(n):
        trusted = [role(j) for j in range(n) if j != i] if clique else [role(i - 1) if i else start]
        if clique and i == 0:
            trusted.append(start)
        statements: list[dict[str, Any]] = [assume]
        if i == n - 1:
            statements.append({"Effect": "Allow", "Action": GET, "Resource": DB})
        roles.append(
            {
                "arn": role(i),
                "trust_policy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"AWS": trusted}, "Action": "sts:AssumeRole"}
                    ],
                },
                "policies": [{"Version": "2012-10-17", "Statement": statements}],
            }
        )
    users = [{"arn": start, "policies": [{"Version": "2012-10-17", "Statement": [assume]}]}]
    secret = {"arn": DB, "name": "prod/db", "account": A, "region": "us-east-1"}
    return sl.World.from_dict(
        {"accounts": [{"id": A}], "principals": {"users": users, "roles": roles}, "secrets": [secret]}
    )


def test_who_can_finds_a_50_role_chain_in_bounded_time() -> None:
    world = _graph_world(50, clique=False)
    began = time.monotonic()
    found = {w.principal: w for w in sl.who_can(world, GET, DB)}
    assert time.monotonic() - began < 30
    start = found[f"arn:aws:iam::{A}:user/start"]
    assert start.path is not None and len(start.path.roles) == 50 and start.path.allowed
    assert len(found) == 51  # the user and every role's session


def test_paths_on_40_mutually_trusting_roles_is_bounded_and_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    world = _graph_world(40, clique=True)
    start = f"arn:aws:iam::{A}:user/start"
    began = time.monotonic()
    paths = sl.access_paths(world, start, GET, DB)
    assert time.monotonic() - began < 30
    assert not paths.complete and "more exist" in paths.stopped
    assert len(paths) <= MAX_PATHS + 1
    assert paths[0].allowed and len(paths[0].roles) == 2  # start -> r0 -> r39, the shortest
    began = time.monotonic()
    assert len(sl.who_can(world, GET, DB)) == 41
    assert time.monotonic() - began < 30
    scenario = tmp_path / "clique.json"
    scenario.write_text(json.dumps(world.to_dict()))
    code, out, _ = _run(
        capsys,
        "paths",
        str(scenario),
        "--principal",
        start,
        "--action",
        GET,
        "--resource",
        DB,
        "--max-paths",
        "5",
    )
    assert code == 0 and "listing stopped at 5 paths; more exist" in out
    code, out, err = _run(
        capsys,
        "paths",
        str(scenario),
        "--principal",
        start,
        "--action",
        GET,
        "--resource",
        DB,
        "--max-paths",
        "5",
        "--json",
    )
    assert code == 0 and "more exist" in err and json.loads(out)[0]["allowed"] is True


def test_paths_says_when_the_depth_left_chains_out() -> None:
    world = _graph_world(5, clique=False)
    start = f"arn:aws:iam::{A}:user/start"
    shallow = sl.access_paths(world, start, GET, DB, max_depth=2)
    assert "depth 2" in shallow.stopped
    assert not any(p.allowed for p in shallow)  # the allowed chain is 5 roles long: beyond the depth asked
    whole = sl.access_paths(world, start, GET, DB)
    assert whole.complete and whole.stopped == "" and whole[0].allowed and len(whole[0].roles) == 5


def test_a_complete_listing_says_nothing_more(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "paths", ASSUME, "--principal", BOB, "--action", GET, "--resource", LEGACY)
    assert code == 0 and "listing stopped" not in out


# -- 5. scenario contents AWS would reject


def _role(name: str, **extra: Any) -> dict[str, Any]:
    return {"arn": f"arn:aws:iam::{A}:role/{name}", **extra}


def _key(n: int, *aliases: str) -> dict[str, Any]:
    return {
        "arn": f"arn:aws:kms:us-east-1:{A}:key/k{n}",
        "account": A,
        "region": "us-east-1",
        "aliases": list(aliases),
    }


@pytest.mark.parametrize(
    "world, code, path",
    [
        ({"accounts": [{"id": A}, {"id": A}]}, "DUPLICATE_ID", "$.accounts[1].id"),
        (
            {"principals": {"roles": [_role("R"), _role("team/R")]}},
            "DUPLICATE_NAME",
            "$.principals.roles[1].arn",
        ),
        (
            {"principals": {"roles": [_role("Admin"), _role("admin")]}},
            "DUPLICATE_NAME",
            "$.principals.roles[1].arn",
        ),
        (
            {
                "principals": {
                    "users": [{"arn": f"arn:aws:iam::{A}:user/u"}, {"arn": f"arn:aws:iam::{A}:user/x/u"}]
                }
            },
            "DUPLICATE_NAME",
            "$.principals.users[1].arn",
        ),
        (
            {"principals": {"roles": [_role("A", role_id="AROA1"), _role("B", role_id="AROA1")]}},
            "DUPLICATE_ID",
            "$.principals.roles[1].role_id",
        ),
        (
            {"kms_keys": [_key(1, "alias/app"), _key(2, "alias/app")]},
            "DUPLICATE_ALIAS",
            "$.kms_keys[1].aliases[0]",
        ),
        ({"kms_keys": [_key(1, "alias/")]}, "EMPTY_NAME", "$.kms_keys[0].aliases[0]"),
        (
            {"principals": {"users": [{"arn": f"arn:aws:iam::{A}:user/"}]}},
            "EMPTY_NAME",
            "$.principals.users[0].arn",
        ),
        (
            {"principals": {"users": [{"arn": f"arn:aws-moon:iam::{A}:user/u"}]}},
            "UNKNOWN_PARTITION",
            "$.principals.users[0].arn",
        ),
    ],
)
def test_scenario_contents_aws_would_reject_are_located_problems(
    world: dict[str, Any], code: str, path: str
) -> None:
    with pytest.raises(ScenarioError) as raised:
        sl.World.from_dict(world)
    assert (code, path) in [(p.code.value, p.json_path) for p in raised.value.problems], raised.value


def test_the_partitions_aws_has_are_accepted() -> None:
    for partition in ("aws", "aws-cn", "aws-us-gov"):
        world = sl.World.from_dict({"principals": {"users": [{"arn": f"arn:{partition}:iam::{A}:user/u"}]}})
        assert world.users


def test_one_alias_in_two_regions_or_accounts_is_fine() -> None:
    other = {**_key(2, "alias/app"), "arn": f"arn:aws:kms:eu-west-1:{A}:key/k2", "region": "eu-west-1"}
    world = sl.World.from_dict({"kms_keys": [_key(1, "alias/app"), other]})
    assert len(world.keys) == 2


@pytest.mark.parametrize(
    "expectations, path",
    [
        ("not a list", "$.expectations"),
        ([1], "$.expectations[0]"),
        (
            [{"request": {"principal": WORKER, "action": GET}, "decision": "maybe"}],
            "$.expectations[0].decision",
        ),
        (
            [{"request": {"principal": WORKER, "action": GET}, "decision": "allow", "reason": "BECAUSE"}],
            "$.expectations[0].reason",
        ),
        ([{"request": {"principal": WORKER, "action": GET}}], "$.expectations[0]"),
        (
            [
                {
                    "request": {"principal": WORKER, "action": "secretsmanager:GetSecretValu"},
                    "decision": "deny",
                }
            ],
            "$.expectations[0].request.action",
        ),
        (
            [{"request": {"principal": WORKER, "action": GET, "context": [1]}, "decision": "deny"}],
            "$.expectations[0].request.context",
        ),
        ([{"request": "x", "decision": "deny"}], "$.expectations[0].request"),
        (
            [{"request": {"principal": WORKER, "action": GET}, "decision": "deny", "expected": "deny"}],
            "$.expectations[0].expected",
        ),
    ],
)
def test_garbage_in_expectations_is_a_located_problem(tmp_path: Path, expectations: Any, path: str) -> None:
    document = json.loads(Path(READ).read_text())
    document["expectations"] = expectations
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps(document))
    with pytest.raises(ScenarioError) as raised:
        sl.load_scenario(scenario)
    assert path in [p.json_path for p in raised.value.problems], raised.value
    assert all(p.source == str(scenario) for p in raised.value.problems)


def test_validate_reports_scenario_problems_with_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps({"principals": {"roles": [_role("R"), _role("p/R")]}}))
    code, _, err = _run(capsys, "validate", str(scenario))
    _usage_error(code, err, "DUPLICATE_NAME", "$.principals.roles[1].arn")
