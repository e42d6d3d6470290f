"""What a request may hold, read the same way by every door (a request on a world, a batch line):
found by the hostile run of issue #9 after the first fixes landed."""

from __future__ import annotations

import json
from typing import Any

import pytest

import secretslab as sl
from secretslab.batch import Simulator

ALICE = "arn:aws:iam::111111111111:user/alice"
SECRET = "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbC123"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def line_problems(**fields: Any) -> list[tuple[str, str]]:
    """The (path, code) of each problem of a batch line, [] when it was decided."""
    raw = {"id": 1, "principal": ALICE, "action": "secretsmanager:GetSecretValue", "resource": SECRET}
    raw.update(fields, identity_policies=[ALLOW_ALL])
    result = Simulator().line(json.dumps(raw).encode(), "b.jsonl", 1)
    return [(p["path"], p["code"]) for p in result.get("error", {}).get("problems", [])]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("principal", ALICE + "\x00"),
        ("action", "secretsmanager:GetSecret\u202eValue"),
        ("action", "s3:Get\x1bObject"),
        ("resource", SECRET + "\n"),
    ],
)
def test_a_request_field_never_holds_a_control_or_invisible_character(field: str, value: str) -> None:
    """ARNs and action names hold no control characters (reference-arns.html,
    reference_policies_elements_action.html): refused at the field, whatever the service."""
    assert (f"$.{field}", "INVALID_CHARACTER") in line_problems(**{field: value})


@pytest.mark.parametrize("action", ["s3:Get-Object", "s3:Get Object", "s3:Gét", "s_3:GetObject"])
def test_an_action_is_a_service_prefix_and_an_ascii_name(action: str) -> None:
    """Action names are letters and digits after a lowercase service prefix
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html),
    also for services secretslab does not model."""
    assert ("$.action", "INVALID_FIELD") in line_problems(action=action)
    assert line_problems(action="s3:GetObject") == []


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:secretsmanager:us-east-1:١١١١١١١١١١١١:secret:prod/db-AbC123",
        "arn:aws:secretsmanager:us-east-١:111111111111:secret:prod/db-AbC123",
        "arn:awz:secretsmanager:us-east-1:111111111111:secret:prod/db-AbC123",
        "arn:aws:secretsmanager:us-east-1:11111111111:secret:prod/db-AbC123",
        "arn:aws:secretsmanager",
    ],
)
def test_a_resource_arn_is_one_aws_could_hold(resource: str) -> None:
    """An ARN's partition is one AWS has, its Region ASCII, its account twelve ASCII digits
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html)."""
    assert ("$.resource", "INVALID_FIELD") in line_problems(resource=resource)


@pytest.mark.parametrize(
    ("key", "value", "refused"),
    [
        ("aws:SourceIp", "1" * 40, True),
        ("aws:SourceIp", "10.0.0.300", True),
        ("aws:SourceIp", "203.0.113.7", False),
        ("aws:SourceIp", "2001:db8::1", False),
        ("aws:CurrentTime", "2026-13-45T99:99:99Z", True),
        ("aws:CurrentTime", "2026-12-03T12:00:00Z", False),
        ("aws:EpochTime", "1764763200", False),
        ("aws:SecureTransport", "maybe", True),
        ("aws:SecureTransport", "TRUE", False),
        ("aws:username", "anything at all", False),
    ],
)
def test_a_typed_request_value_is_one_aws_could_send(key: str, value: str, refused: bool) -> None:
    """Each global key has a value type (reference_policies_condition-keys.html): AWS never sends
    an aws:SourceIp that is no IP address, so a typo is refused rather than silently not matching
    (a NotIpAddress condition would then silently match)."""
    found = line_problems(context={key: value})
    assert found == ([(f"$.context['{key}']", "INVALID_FIELD")] if refused else [])


def test_a_condition_key_has_a_name() -> None:
    assert line_problems(context={"": "x"}) == [("$.context['']", "INVALID_FIELD")]


def test_a_batch_line_naming_a_key_twice_is_refused_at_the_object() -> None:
    """orjson keeps the last of two equal keys silently; a policy AWS is given with a key twice is
    refused by check_policy, so the batch refuses it too, located at the object."""
    text = (
        f'{{"id": 1, "principal": "{ALICE}", "action": "secretsmanager:GetSecretValue",'
        f' "resource": "{SECRET}", "identity_policies": [{{"Version": "2012-10-17",'
        ' "Statement": [{"Effect": "Deny", "Effect": "Allow", "Action": "*", "Resource": "*"}]}]}'
    )
    result = Simulator().line(text.encode(), "b.jsonl", 1)
    assert [(p["path"], p["code"]) for p in result["error"]["problems"]] == [
        ("$.identity_policies[0].Statement[0]", "DUPLICATE_KEY")
    ]
    clean = text.replace('"Effect": "Deny", ', "")
    assert Simulator().line(clean.encode(), "b.jsonl", 1)["outcome"] == "allow"
    escaped = clean.replace('"Action"', '"\\u0041ction": "x", "Action"')  # the escape hides a duplicate
    assert "DUPLICATE_KEY" in json.dumps(Simulator().line(escaped.encode(), "b.jsonl", 1), default=str)


@pytest.mark.parametrize(
    ("field", "value", "valid"),
    [
        ("role_id", "AROAEXAMPLEAPPROLE", True),
        ("role_id", "AROAEXAMPLEAPP-READER", True),
        ("role_id", "8k5tlvctlnfeisignx4v", True),  # the AWS stand-in's ids have no AROA prefix
        ("role_id", "AROA" + "X" * 200, False),
        ("role_id", "AROA EXAMPLE", False),
        ("role_id", "AROA\x00X", False),
        ("role_id", "AROA-EXAMPLE/1", False),
    ],
)
def test_unique_ids_are_letters_and_digits(field: str, value: str, valid: bool) -> None:
    """A unique id is letters and digits, AIDA… for a user and AROA… for a role in AWS
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids);
    the prefix is not required, since the AWS stand-in writes ids without it."""
    role = {"arn": "arn:aws:iam::111111111111:role/App", field: value}
    data = {"accounts": [{"id": "111111111111"}], "principals": {"roles": [role]}}
    if valid:
        sl.World.from_dict(data)
        return
    with pytest.raises(sl.ScenarioError) as info:
        sl.World.from_dict(data)
    assert [p.json_path for p in info.value.problems] == [f"$.principals.roles[0].{field}"]


def test_an_id_json_cannot_write_back_is_refused_at_the_id() -> None:
    """Issue #9: ids come back exactly as given; 1e400 cannot (JSON writes no infinity)."""
    text = f'{{"id": 1e400, "principal": "{ALICE}", "action": "s3:GetObject", "resource": "*"}}'
    result = Simulator().line(text.encode(), "b.jsonl", 1)
    assert result["id"] is None and result["error"]["problems"][0]["path"] == "$.id"


def test_a_batch_integer_beyond_our_limit_is_refused_where_it_is_but_an_id_of_any_size_comes_back() -> None:
    """Our own limit (secretslab.limits.MAX_INT_DIGITS) holds in batch lines as in scenarios; the
    id alone is given back exactly, whatever its size (issue #9 item 4)."""
    big = "9" * 5000
    text = (
        f'{{"id": 3, "principal": "{ALICE}", "action": "s3:GetObject", "resource": "*",'
        f' "context": {{"aws:x": {big}}}}}'
    )
    result = Simulator().line(text.encode(), "b.jsonl", 1)
    assert result["id"] == 3
    assert [(p["path"], p["code"]) for p in result["error"]["problems"]] == [
        ("$.context['aws:x']", "NUMBER_TOO_LARGE")
    ]
    text = f'{{"id": {"9" * 50}, "principal": "{ALICE}", "action": "s3:GetObject", "resource": "*"}}'
    assert Simulator().line(text.encode(), "b.jsonl", 1)["id"] == int("9" * 50)


def test_scp_levels_follow_the_organizations_quotas() -> None:
    """OUs nest five deep under a root, and five SCPs attach to one target
    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html)."""
    assert line_problems(scps=[[ALLOW_ALL]] * 7) == []
    assert line_problems(scps=[[ALLOW_ALL]] * 8) == [("$.scps", "INVALID_FIELD")]
    assert line_problems(scps=[[ALLOW_ALL] * 6]) == [("$.scps[0]", "INVALID_FIELD")]


def test_a_version_given_as_null_is_not_a_missing_version() -> None:
    """Version takes "2012-10-17" or "2008-10-17"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html);
    null is neither — an error, where an absent Version is only a warning."""
    doc = {"Version": None, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    assert [(p.code, p.json_path, p.is_error) for p in sl.check_policy(doc)] == [
        ("INVALID_VERSION", "$.Version", True)
    ]


def test_a_snapshot_names_its_file_in_every_problem_of_its_world(tmp_path: Any) -> None:
    """Errors name the file: a snapshot's world read lazily still says where it came from."""
    from secretslab.aws.imported import load_snapshot

    path = tmp_path / "snapshot.json"
    path.write_text('{"accounts": "not a list"}')
    with pytest.raises(sl.ScenarioError) as info:
        load_snapshot(path).world  # noqa: B018 - reading the world is the point
    assert [(p.source, p.json_path) for p in info.value.problems] == [(str(path), "$.accounts")]
