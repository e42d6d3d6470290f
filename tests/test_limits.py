"""Limits AWS enforces (semantics §3.13) and the input limits of our own (secretslab.limits), from
the table tests/cases/limits.json (each row citing its AWS page): every policy kind's size quota
just under and just over, the inline aggregate of a role and the trust-policy quota of an account,
the policy character set, IAM names and paths, role session names and account ids at every door;
and bounded time for hostile input (billion laughs, circular aliases, 100,000 nested lists,
integers of thousands of digits, files larger than we read).

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html,
https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html,
https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html,
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from secretslab import World, access_matrix, access_paths, check_policy, read_policy
from secretslab.authorization import authorize
from secretslab.authorization.request import Request
from secretslab.aws.export import logical_id, to_cloudformation
from secretslab.batch import LineError, Simulator
from secretslab.limits import (
    INLINE_AGGREGATE,
    MAX_DEEP_PLACES,
    MAX_DEPTH,
    MAX_INT_DIGITS,
    MAX_VALUES,
    POLICY_SIZE,
)
from secretslab.loading import load_json, load_yaml, read_file, shape_problems
from secretslab.policy.model import PolicyKind
from secretslab.policy.refs import PolicyRef, Slot
from secretslab.problems import ScenarioError
from secretslab.world.entities import User
from secretslab.world.scenario import load_scenario

from .conftest import CASES
from .conftest import ROOT as REPOSITORY

TABLE = json.loads((CASES / "limits.json").read_text(encoding="utf-8"))
ACCOUNT = "111111111111"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/Reader"
SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db-AbC123"
SECONDS = 3.0  # every hostile input below is answered well within this


def rows(part: str) -> list[Any]:
    """The rows of one part of the table, each citing §3.13 and an AWS page."""
    found = TABLE[part]
    assert found and all(
        r["cite"] == "§3.13" and r["source_url"].startswith("https://docs.aws") for r in found
    )
    return [pytest.param(r, id=r["id"]) for r in found]


def codes(problems: Any) -> list[tuple[str, str]]:
    """(code, JSON path) of every error."""
    return [(str(p.code), p.json_path) for p in problems if p.is_error]


# -- policy sizes, per kind


def statement(kind: str, sid: str) -> dict[str, Any]:
    """A valid statement of ``kind`` whose Sid pads the document."""
    base: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": "secretsmanager:GetSecretValue"}
    if kind in ("resource", "key"):
        base.update(Principal={"AWS": ROOT}, Resource="*")
        if kind == "key":
            base["Action"] = "kms:Decrypt"
    elif kind == "trust":
        base.update(Principal={"AWS": ROOT}, Action="sts:AssumeRole")
    elif kind == "rcp":
        base.update(Effect="Deny", Principal="*", Resource="*")
    else:
        base["Resource"] = "*"
    return base


def sized(kind: str, size: int, pad: str = "A") -> dict[str, Any]:
    """A valid document of ``kind`` whose size, as its quota counts it, is exactly ``size``."""
    empty = {"Version": "2012-10-17", "Statement": [statement(kind, "")]}
    unit = len(pad.encode()) if POLICY_SIZE[kind].count == "bytes" else 1
    have = _measure(kind, empty)
    odd = "A" * ((size - have) % unit)  # one ASCII character evens out a two-byte pad
    sid = odd + pad * ((size - have - len(odd)) // unit)
    doc = {"Version": "2012-10-17", "Statement": [statement(kind, sid)]}
    assert _measure(kind, doc) == size
    return doc


def _measure(kind: str, doc: Any) -> int:
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    count = POLICY_SIZE[kind].count
    if count == "bytes":
        return len(text.encode())
    if count == "characters, whitespace not counted":
        return sum(1 for c in text if c not in " \t\n\r")
    return len(text)


@pytest.mark.parametrize("row", rows("sizes"))
def test_policy_size_quota_matches_the_aws_page(row: dict[str, Any]) -> None:
    """The constant in secretslab.limits is the quota the AWS page states, counted as it says."""
    quota = POLICY_SIZE[row["kind"]]
    assert (quota.limit, quota.count.value, quota.page) == (row["limit"], row["count"], row["source_url"])


@pytest.mark.parametrize("row", rows("sizes"))
def test_policy_at_its_quota_is_accepted_and_one_over_is_refused_at_the_root(row: dict[str, Any]) -> None:
    """Just under (at) the limit: no size problem; just over: POLICY_TOO_LARGE at $, with both sizes."""
    kind, limit = row["kind"], row["limit"]
    at = sized(kind, limit)
    assert codes(check_policy(at, kind)) == []
    assert codes(check_policy(json.dumps(at, separators=(",", ":")), kind)) == []
    over = sized(kind, limit + 1)
    for doc in (over, json.dumps(over, separators=(",", ":"))):
        problems = [p for p in check_policy(doc, kind) if p.is_error]
        assert codes(problems) == [("POLICY_TOO_LARGE", "$")]
        assert f"{limit + 1:,}" in problems[0].message and f"{limit:,}" in problems[0].message
        assert row["source_url"] in problems[0].message


@pytest.mark.parametrize("row", rows("sizes"))
def test_whitespace_counts_only_where_the_quota_counts_it(row: dict[str, Any]) -> None:
    """Text is measured as submitted: indenting a document at its limit pushes it over only for the
    quotas that count whitespace (Secrets Manager, Organizations, KMS, session policies)."""
    kind, limit = row["kind"], row["limit"]
    indented = json.dumps(sized(kind, limit), indent=4)
    found = codes(check_policy(indented, kind))
    if row["count"] == "characters, whitespace not counted":
        assert found == []
    else:
        assert found == [("POLICY_TOO_LARGE", "$")]


def test_key_policy_quota_counts_utf8_bytes_not_characters() -> None:
    """KMS counts bytes: é is one character and two bytes (resource-limits.html)."""
    doc = sized("key", 32_768, pad="é")
    assert codes(check_policy(doc, "key")) == []
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    assert len(text) < 32_768 < len(text.encode()) + 1
    doc["Statement"][0]["Sid"] += "A"
    assert codes(check_policy(doc, "key")) == [("POLICY_TOO_LARGE", "$")]


# -- sizes that depend on the holder: a role's inline policies, an account's trust quota


def world(**changes: Any) -> dict[str, Any]:
    """A world with one account, a user, a group and a role."""
    data: dict[str, Any] = {
        "accounts": [{"id": ACCOUNT}],
        "principals": {
            "users": [{"arn": f"arn:aws:iam::{ACCOUNT}:user/alice", "policies": []}],
            "groups": [{"arn": f"arn:aws:iam::{ACCOUNT}:group/devs", "policies": []}],
            "roles": [{"arn": ROLE, "trust_policy": sized("trust", 300), "policies": []}],
        },
    }
    for path, value in changes.items():
        where: Any = data
        *head, last = path.split(".")
        for part in head:
            where = where[int(part)] if part.isdigit() else where[part]
        where[int(last) if last.isdigit() else last] = value
    return data


@pytest.mark.parametrize("row", rows("inline"))
def test_inline_quota_matches_the_aws_page(row: dict[str, Any]) -> None:
    """User 2,048, role 10,240, group 5,120, whitespace not counted (IAM quotas page)."""
    assert INLINE_AGGREGATE[row["holder"]].limit == row["limit"]


def test_role_policy_larger_than_a_managed_policy_is_inline_and_allowed_up_to_the_role_quota() -> None:
    """A role's policy of 8,000 characters can only be inline (managed: 6,144) and fits 10,240."""
    w = World.from_dict(world(**{"principals.roles.0.policies": [sized("identity", 8_000)]}))
    assert codes(w.problems) == []
    assert codes(check_policy(sized("identity", 8_000), "identity")) == [("POLICY_TOO_LARGE", "$")]


def test_role_inline_policies_together_over_the_role_quota_are_refused_at_its_policies() -> None:
    """Two policies of 6,500 must both be inline: 13,000 > 10,240 (IAM quotas page)."""
    big = [sized("identity", 6_500), sized("identity", 6_500)]
    w = World.from_dict(world(**{"principals.roles.0.policies": big}))
    assert codes(w.problems) == [("INLINE_POLICIES_TOO_LARGE", "$.principals.roles[0].policies")]
    at_limit = [sized("identity", 6_145), sized("identity", 10_240 - 6_145)]
    assert codes(World.from_dict(world(**{"principals.roles.0.policies": at_limit})).problems) == []


@pytest.mark.parametrize("holder", ["users", "groups"])
def test_user_or_group_policy_over_a_managed_policy_fits_no_quota(holder: str) -> None:
    """Over 6,144 a policy can only be inline, and a user's (2,048) or group's (5,120) inline quota
    is smaller: refused at the document."""
    w = World.from_dict(world(**{f"principals.{holder}.0.policies": [sized("identity", 6_145)]}))
    assert codes(w.problems) == [("POLICY_TOO_LARGE", f"$.principals.{holder}[0].policies[0]")]
    ok = World.from_dict(world(**{f"principals.{holder}.0.policies": [sized("identity", 6_144)]}))
    assert codes(ok.problems) == []


def test_trust_policy_quota_is_2048_unless_the_account_raised_it() -> None:
    """Role trust policy length: 2,048 by default, raised per account up to 4,096 (IAM quotas)."""
    big = {"principals.roles.0.trust_policy": sized("trust", 3_000)}
    default = World.from_dict(world(**big))
    assert codes(default.problems) == [("POLICY_TOO_LARGE", "$.principals.roles[0].trust_policy")]
    raised = world(**big, **{"accounts.0.role_trust_policy_length": 3_000})
    w = World.from_dict(raised)
    assert codes(w.problems) == []
    assert World.from_dict(w.to_dict()).accounts[0].role_trust_policy_length == 3_000
    over = world(**{"principals.roles.0.trust_policy": sized("trust", 3_001)})
    over["accounts"][0]["role_trust_policy_length"] = 3_000
    assert codes(World.from_dict(over).problems) == [
        ("POLICY_TOO_LARGE", "$.principals.roles[0].trust_policy")
    ]
    # editing the world keeps the account's quota
    ref = PolicyRef(Slot.TRUST, ROLE)
    assert codes(w.with_policy(ref, sized("trust", 3_000)).problems) == []
    assert codes(w.with_policy(ref, sized("trust", 3_001)).problems) != []


@pytest.mark.parametrize("value", [2_047, 4_097, "4096", 3000.0, True, None])
def test_trust_policy_quota_field_takes_a_whole_number_from_2048_to_4096(value: Any) -> None:
    data = world(**{"accounts.0.role_trust_policy_length": value})
    if value is None:
        assert World.from_dict(data).accounts[0].role_trust_policy_length is None
        return
    with pytest.raises(ScenarioError) as info:
        World.from_dict(data)
    assert codes(info.value.problems) == [("INVALID_FIELD", "$.accounts[0].role_trust_policy_length")]


# -- the character set


@pytest.mark.parametrize("row", rows("characters"))
def test_policy_character_set_in_values_and_keys(row: dict[str, Any]) -> None:
    """Tab, LF, CR and U+0020-U+00FF only; anything else is located at the string that holds it."""
    text = row["text"]
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:PrincipalTag/team": text, f"aws:PrincipalTag/{text}": "x"}
                },
            }
        ],
    }
    found = [c for c in codes(check_policy(doc)) if c[0] == "INVALID_CHARACTER"]
    if row["valid"]:
        assert found == []
    else:
        where = "$.Statement[0].Condition.StringEquals"
        paths = sorted(p for _, p in found)
        assert len(paths) == 2 and f"{where}['aws:PrincipalTag/team']" in paths  # the value
        assert paths[0] != paths[1] and all(p.startswith(where + "['aws:PrincipalTag/") for p in paths)


@pytest.mark.parametrize("escape", ["\\u0000", "\\b", "\\f", "\\u001b", "\\u0100", "\\ud83d\\udd11"])
def test_characters_written_as_json_escapes_in_policy_text_are_found(escape: str) -> None:
    """The same rule for text: an escape decodes to the character AWS checks."""
    text = '{"Version": "2012-10-17", "Statement": [], "Id": "a' + escape + 'b"}'
    assert ("INVALID_CHARACTER", "$.Id") in codes(check_policy(text))
    assert codes(check_policy(text.replace(escape, "\\n"))) == [("EMPTY_ELEMENT", "$.Statement")]


def test_character_problem_quotes_the_character_as_an_escape() -> None:
    problem = next(
        p for p in check_policy('{"Version":"2012-10-17","Id":"a\\u202eb"}') if p.code == "INVALID_CHARACTER"
    )
    assert "U+202E" in problem.message and "\u202e" not in problem.message and problem.json_path == "$.Id"


# -- names, session names, account ids


def named(entity: str, name: str) -> dict[str, Any]:
    arn = f"arn:aws:iam::{ACCOUNT}:{entity}/{name}"
    data = world()
    key = {"user": "users", "group": "groups", "role": "roles"}[entity]
    data["principals"][key][0]["arn"] = arn
    if entity == "group":
        data["principals"]["users"][0]["groups"] = [arn]
    return data


@pytest.mark.parametrize("row", rows("names"))
def test_iam_names_and_paths_follow_the_iam_rules(row: dict[str, Any]) -> None:
    data = named(row["entity"], row["name"])
    if row["valid"]:
        World.from_dict(data)
        return
    with pytest.raises(ScenarioError) as info:
        World.from_dict(data)
    key = {"user": "users", "group": "groups", "role": "roles"}[row["entity"]]
    assert codes(info.value.problems) == [("INVALID_NAME", f"$.principals.{key}[0].arn")]


@pytest.mark.parametrize("row", rows("session_names"))
def test_role_session_names_follow_assume_role(row: dict[str, Any]) -> None:
    """RoleSessionName: 2-64 characters of [\\w+=,.@-] — in a world's session ARN and session_name,
    in a request's assume_role_chain and in a batch line's principal."""
    name = row["name"]
    session = {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader/{name}"}
    data = world(**{"principals.sessions": [session]})
    request = {
        "principal": f"arn:aws:iam::{ACCOUNT}:user/alice",
        "action": "secretsmanager:GetSecretValue",
        "assume_role_chain": [{"role_arn": ROLE, "session_name": name}],
    }
    line = {"principal": session["arn"], "action": "secretsmanager:GetSecretValue"}
    batch = Simulator().line(json.dumps(line).encode(), "b", 1)
    signed = {**request, "principal": session["arn"], "assume_role_chain": []}
    if row["valid"]:
        World.from_dict(data)
        Request.from_dict(request)
        Request.from_dict(signed)
        assert "outcome" in batch
        return
    with pytest.raises(ScenarioError) as info:
        Request.from_dict(signed)
    assert [p.json_path for p in info.value.problems] == ["$.principal"]
    with pytest.raises(ScenarioError) as info:
        World.from_dict(data)
    assert codes(info.value.problems) == [("INVALID_NAME", "$.principals.sessions[0].arn")]
    with pytest.raises(ScenarioError) as info:
        Request.from_dict(request)
    assert codes(info.value.problems) == [("INVALID_NAME", "$.assume_role_chain[0].session_name")]
    # (a slash makes the ARN one no principal has: refused as such, at the same place)
    ((code, path),) = [(p["code"], p["path"]) for p in batch["error"]["problems"]]
    assert path == "$.principal" and code in ("INVALID_NAME", "INVALID_FIELD")


@pytest.mark.parametrize("row", rows("account_ids"))
def test_account_ids_are_exactly_twelve_ascii_digits_at_every_door(row: dict[str, Any]) -> None:
    """World accounts, ARNs, Principal values (bare and in ARNs), batch principals and
    resource_account: one rule (secretslab.arn.ACCOUNT_ID)."""
    value = row["value"]
    principal = {"AWS": value}
    in_arn = {"AWS": f"arn:aws:iam::{value}:root"}
    doc = {"Version": "2012-10-17", "Statement": [statement("resource", "S") | {"Principal": principal}]}
    doc_arn = {"Version": "2012-10-17", "Statement": [statement("resource", "S") | {"Principal": in_arn}]}
    line = {
        "principal": f"arn:aws:iam::{value}:user/alice",
        "action": "secretsmanager:GetSecretValue",
        "resource": SECRET,
    }
    line2 = {**line, "principal": f"arn:aws:iam::{ACCOUNT}:user/alice", "resource_account": value}
    results = [Simulator().line(json.dumps(x).encode(), "b", 1) for x in (line, line2)]
    data = world(**{"accounts.0.id": value})
    if row["valid"]:
        assert codes(check_policy(doc, "resource")) == codes(check_policy(doc_arn, "resource")) == []
        assert all("outcome" in r for r in results)
        World.from_dict(data)
        return
    # (digits of other scripts are also outside the policy character set: INVALID_CHARACTER too)
    assert ("INVALID_PRINCIPAL", "$.Statement[0].Principal.AWS") in codes(check_policy(doc, "resource"))
    assert ("INVALID_PRINCIPAL", "$.Statement[0].Principal.AWS") in codes(check_policy(doc_arn, "resource"))
    assert [r["error"]["problems"][0]["path"] for r in results] == ["$.principal", "$.resource_account"]
    with pytest.raises(ScenarioError) as info:
        World.from_dict(data)
    assert ("INVALID_FIELD", "$.accounts[0].id") in codes(info.value.problems)
    scenario = World.from_dict(world())
    with pytest.raises(ScenarioError) as info:
        authorize(scenario, Request.from_dict({**line, "principal": f"arn:aws:iam::{value}:root"}))
    # this small world holds no secret, so the resource is reported too (an unknown name)
    found = {(p.json_path, p.code) for p in info.value.problems}
    # a trailing newline is a control character before it is a bad account id
    assert found & {("$.principal", "INVALID_FIELD"), ("$.principal", "INVALID_CHARACTER")}
    assert {path for path, _ in found} <= {"$.principal", "$.resource"}


# -- CloudFormation logical ids and names in export


@pytest.mark.parametrize("name", ["prod/db", "ünïcødé", "@@@", "a" * 400, "x\u202ey", "", "🔑"])
def test_logical_ids_are_alphanumeric_and_bounded_for_any_name(name: str) -> None:
    """CloudFormation logical ids are alphanumeric, at most 255 characters: made so from any name."""
    lid = logical_id("Secret", name)
    assert lid.isascii() and lid.isalnum() and lid.startswith("Secret") and len(lid[:200]) <= 255


def test_export_refuses_a_world_built_in_python_with_a_name_iam_refuses() -> None:
    """A bad UserName would fail the stack; renaming would break the ARNs policies name: reported."""
    w = World(users=(User(arn=f"arn:aws:iam::{ACCOUNT}:user/al ice"),))
    with pytest.raises(ScenarioError) as info:
        to_cloudformation(w)
    assert codes(info.value.problems) == [("INVALID_NAME", "$.principals.users[0].arn")]


# -- input limits of our own: bounded time, located problems


def timed(call: Any) -> Any:
    start = time.perf_counter()
    result = call()
    assert time.perf_counter() - start < SECONDS
    return result


BILLION_LAUGHS = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)),
    ]
)


def test_billion_laughs_in_a_condition_value_is_refused_quickly(tmp_path: Path) -> None:
    """Aliases are counted on the node graph before any value is built (9^9 values otherwise)."""
    laughs = "\n".join("  " + line for line in BILLION_LAUGHS.splitlines())
    text = f"""anchors:
{laughs}
accounts: [{{id: "{ACCOUNT}"}}]
"""
    path = tmp_path / "laughs.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        timed(lambda: load_scenario(path))
    assert codes(info.value.problems) == [("ALIAS_EXPANSION", "$.anchors.g")]


def test_small_aliases_still_work_and_circular_ones_are_refused() -> None:
    data, problems = load_yaml("base: &p {Effect: Allow}\ncopy: *p\n")
    assert problems == () and data["copy"] == {"Effect": "Allow"}
    data, problems = timed(lambda: load_yaml("a: &x\n  - *x\n"))
    assert data is None and codes(problems) == [("ALIAS_EXPANSION", "$")]


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_100000_nested_lists_are_refused_quickly(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"deep{suffix}"
    path.write_text('{"accounts": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(ScenarioError) as info:
        timed(lambda: load_scenario(path))
    assert [p.code for p in info.value.problems] == ["TOO_DEEP"]
    assert f"{MAX_DEPTH} levels" in info.value.problems[0].message


def test_deep_python_values_are_refused_without_recursion() -> None:
    """A dict given to the API nested 100,000 deep: located, no RecursionError."""
    nested: list[Any] = []
    inner = nested
    for _ in range(100_000):
        inner.append([])
        inner = inner[0]
    doc = {"Version": "2012-10-17", "Statement": [statement("identity", "S") | {"Resource": nested}]}
    problems = timed(lambda: check_policy(doc))
    assert [p.code for p in problems] == ["TOO_DEEP"]
    assert problems[0].json_path.startswith("$.Statement[0].Resource[0][0]")


@pytest.mark.parametrize(
    "depths",
    [
        (MAX_DEPTH + 1, MAX_DEPTH + 1),
        (MAX_DEPTH, MAX_DEPTH + 1),
        (MAX_DEPTH + 1, MAX_DEPTH),
        (MAX_DEPTH + 7, 3),
    ],
)
def test_a_policy_too_deep_in_several_places_is_reported_alike_as_text_and_as_a_dict(
    depths: tuple[int, int],
) -> None:
    """Each place that nests too deep is one problem, in document order, whether the document is
    given as its text or as the dict it reads to (the dict's walk used to report only the last)."""
    version, statement = ("[" * d + "]" * d for d in depths)
    text = f'{{"Version": {version}, "Statement": {statement}}}'
    as_text = [(p.code, p.json_path) for p in read_policy(text).problems if p.code == "TOO_DEEP"]
    as_dict = [(p.code, p.json_path) for p in read_policy(json.loads(text)).problems if p.code == "TOO_DEEP"]
    expected = [name for name, d in zip(("$.Version", "$.Statement"), depths, strict=True) if d > MAX_DEPTH]
    assert [path.split("[")[0] for _, path in as_text] == expected
    assert as_dict == as_text


def test_a_python_value_inside_itself_reports_a_bounded_number_of_places_too_deep() -> None:
    """A cyclic value has paths without end: as many too-deep places as there are paths of 101
    steps (2**101 here); the first few are reported, at once."""
    doc: dict[str, Any] = {"Version": "2012-10-17", "Statement": []}
    doc["Statement"] += [doc, doc]
    problems = timed(lambda: shape_problems(doc))
    assert len(problems) == MAX_DEEP_PLACES and {p.code for p in problems} == {"TOO_DEEP"}
    assert problems[0].json_path.startswith("$.Statement[0].Statement[0]")
    world = {"accounts": [{"id": ACCOUNT}], "kms_keys": [doc]}
    with pytest.raises(ScenarioError) as info:
        timed(lambda: World.from_dict(world))
    assert {p.code for p in info.value.problems} == {"TOO_DEEP"}


def test_a_python_value_sharing_one_list_everywhere_is_refused_once_it_expands_past_the_limit() -> None:
    """A list held twice at each of 60 levels is a few lines of Python and 2**60 values as JSON
    writes it (a "billion laughs" without YAML): refused once the walk passes ``MAX_VALUES``."""
    laughs: Any = "lol"
    for _ in range(60):
        laughs = [laughs, laughs]
    (problem,) = timed(lambda: shape_problems({"Version": "2012-10-17", "Statement": laughs}, "api"))
    assert (problem.code, problem.json_path, problem.source) == ("TOO_MANY_VALUES", "$", "api")
    assert f"{MAX_VALUES:,}" in problem.message
    world = {"accounts": [{"id": ACCOUNT}], "kms_keys": [{"arn": "x", "grants": laughs}]}
    with pytest.raises(ScenarioError) as info:
        timed(lambda: World.from_dict(world))
    assert codes(info.value.problems) == [("TOO_MANY_VALUES", "$")]
    shared = ["lol"] * 1000  # held 900 times: 900,900 values, under the limit, and not deep
    assert timed(lambda: shape_problems({"a": [shared] * 900})) == ()


def test_a_policy_given_as_a_python_value_sharing_one_list_everywhere_is_refused_before_writing_it() -> None:
    """Measuring a document given as a dict writes it as JSON (its size is AWS's quota): a list
    held twice at each of 60 levels would be written for ever, so it is refused first."""
    laughs: Any = "secretsmanager:GetSecretValue"
    for _ in range(60):
        laughs = [laughs, laughs]
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": laughs, "Resource": "*"}]}
    policy = timed(lambda: read_policy(doc))
    assert not policy.valid and codes(policy.problems) == [("TOO_MANY_VALUES", "$")]
    assert codes(timed(lambda: check_policy(doc))) == [("TOO_MANY_VALUES", "$")]
    cyclic: dict[str, Any] = {"Version": "2012-10-17", "Statement": []}
    cyclic["Statement"].append(cyclic)  # inside itself: as many values as one cares to write
    assert codes(timed(lambda: read_policy(cyclic)).problems) == [("TOO_MANY_VALUES", "$")]


def test_a_request_or_batch_line_given_as_python_values_sharing_one_list_everywhere_is_refused() -> None:
    """Parameters are kept as given and written as text when a decision names them; a batch line
    given to the API is keyed by its policies' JSON: both once ran for ever on such a value."""
    laughs: Any = "v-0001"
    for _ in range(60):
        laughs = [laughs, laughs]
    world = World.from_dict({"accounts": [{"id": ACCOUNT}]})
    target = {
        "principal": f"arn:aws:iam::{ACCOUNT}:user/alice",
        "action": "secretsmanager:GetSecretValue",
        "resource": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db-AbC123",
    }
    with pytest.raises(ScenarioError) as info:
        timed(lambda: authorize(world, {**target, "parameters": {"VersionId": laughs}}))
    assert codes(info.value.problems) == [("TOO_MANY_VALUES", "$")]
    made = Request(
        target["principal"], target["action"], target["resource"], parameters={"VersionId": laughs}
    )
    with pytest.raises(ScenarioError) as info:
        timed(lambda: authorize(world, made))
    assert codes(info.value.problems) == [("TOO_MANY_VALUES", "$")]
    with pytest.raises(LineError) as line_info:
        timed(lambda: Simulator().evaluate({**target, "identity_policies": [laughs]}))
    assert codes(line_info.value.problems) == [("TOO_MANY_VALUES", "$")]


@pytest.mark.parametrize("value", [("payments",), {"payments"}, b"payments", object()])
def test_a_python_value_json_cannot_hold_is_a_located_problem_not_the_text_of_its_repr(value: Any) -> None:
    """A tuple in a Condition used to be compared as the text "('payments',)", silently: the
    policy read as valid and decided otherwise than with a list. Condition values are JSON's
    strings, numbers and booleans (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html);
    context values the same, or lists of them."""
    condition = {"StringEquals": {"aws:PrincipalTag/team": value}}
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}],
    }
    path = "$.Statement[0].Condition.StringEquals['aws:PrincipalTag/team']"
    assert codes(read_policy(doc).problems) == [("INVALID_CONDITION_VALUE", path)]
    world = World.from_dict(
        {
            "accounts": [{"id": ACCOUNT}],
            "principals": {"users": [{"arn": f"arn:aws:iam::{ACCOUNT}:user/alice"}]},
        }
    )
    target = {
        "principal": f"arn:aws:iam::{ACCOUNT}:user/alice",
        "action": "secretsmanager:ListSecrets",
        # a tuple of strings is a list to a Python caller; one holding a list is not text
        "context": {"aws:PrincipalTag/team": (["payments"],) if type(value) is tuple else value},
    }
    with pytest.raises(ScenarioError) as info:
        authorize(world, target)
    assert codes(info.value.problems) == [("INVALID_FIELD", "$.context['aws:PrincipalTag/team']")]
    with pytest.raises(ScenarioError) as info:
        access_paths(world, target["principal"], target["action"], "*", context=target["context"])
    assert codes(info.value.problems) == [("INVALID_FIELD", "$.context['aws:PrincipalTag/team']")]


def test_access_paths_checks_a_context_as_authorize_does() -> None:
    world = World.from_dict(
        {
            "accounts": [{"id": ACCOUNT}],
            "principals": {"users": [{"arn": f"arn:aws:iam::{ACCOUNT}:user/alice"}]},
        }
    )
    with pytest.raises(ScenarioError) as info:
        access_paths(
            world,
            f"arn:aws:iam::{ACCOUNT}:user/alice",
            "secretsmanager:ListSecrets",
            "*",
            context={"aws:SourceIp": "not an address"},
        )
    assert codes(info.value.problems) == [("INVALID_FIELD", "$.context['aws:SourceIp']")]


def _keys_json_cannot_hold() -> list[Any]:
    nested: Any = frozenset()
    for _ in range(30):  # prints as 2**30 sets
        nested = frozenset([nested, (nested,)])
    deep: Any = ()
    for _ in range(100_000):  # repr recurses past Python's limit
        deep = (deep,)
    return [10**5000, nested, deep]


@pytest.mark.parametrize("key", _keys_json_cannot_hold(), ids=["long-integer", "shared-sets", "deep-tuple"])
def test_a_key_json_cannot_hold_is_a_located_problem_at_every_door(key: Any) -> None:
    """Python's own errors (ValueError for 5,001 digits, RecursionError), a hang writing a key
    as text, or an AttributeError while locating it: now a problem naming the key by its type."""
    statement = {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {key: "x"}}}
    policy = timed(lambda: read_policy({"Version": "2012-10-17", "Statement": [statement]}))
    ((code, path),) = codes(policy.problems)
    assert code == "INVALID_FIELD" and path.startswith("$.Statement[0].Condition.StringEquals['<")
    world = World.from_dict({"accounts": [{"id": ACCOUNT}]})
    target = {"principal": f"arn:aws:iam::{ACCOUNT}:user/alice", "action": "secretsmanager:ListSecrets"}
    for line in ({**target, "context": {key: "x"}}, {**target, key: 1}):
        with pytest.raises(ScenarioError) as info:
            timed(lambda line=line: authorize(world, line))
        assert [code for code, _ in codes(info.value.problems)] == ["INVALID_FIELD"]
        with pytest.raises(LineError) as line_info:
            timed(lambda line=line: Simulator().evaluate(line))
        assert [code for code, _ in codes(line_info.value.problems)] == ["INVALID_FIELD"]


def test_a_scenario_document_given_as_values_is_held_to_its_json_beyond_its_world() -> None:
    """The expectations and top level of a wrapped scenario, not only its world: a long-integer
    key raised Python's ValueError, a set key an AttributeError while the error was written."""
    from secretslab import run_expectations

    document = json.loads((REPOSITORY / "data" / "cross-account-read.json").read_text(encoding="utf-8"))
    document["expectations"][0][10**5000] = 1
    with pytest.raises(ScenarioError) as info:
        timed(lambda: run_expectations(document=document))
    assert codes(info.value.problems) == [
        ("INVALID_FIELD", "$.expectations[0]['<an integer of about 5001 digits>']")
    ]
    document = {"world": {"accounts": [{"id": ACCOUNT}]}, frozenset({"a"}): 1}
    with pytest.raises(ScenarioError) as info:
        timed(lambda: run_expectations(document=document))
    assert [code for code, _ in codes(info.value.problems)] == ["INVALID_FIELD"]


def test_a_parameter_holding_an_integer_too_long_to_write_is_a_located_problem() -> None:
    world = World.from_dict({"accounts": [{"id": ACCOUNT}]})
    request = {
        "principal": f"arn:aws:iam::{ACCOUNT}:user/alice",
        "action": "secretsmanager:GetSecretValue",
        "resource": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db-AbC123",
        "parameters": {"VersionId": 10**5000},
    }
    with pytest.raises(ScenarioError) as info:
        authorize(world, request)  # was Python's ValueError (more than 4,300 digits) when written
    assert codes(info.value.problems) == [("NUMBER_TOO_LARGE", "$.parameters.VersionId")]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("cross\ud800", "a character no file name can"),  # was UnicodeEncodeError
        ("x" * 100_000, "longer than any path"),  # was OSError (file name too long)
        (b"cross-account-read", "a path or a name, found bytes"),  # was TypeError
    ],
)
def test_a_scenario_name_that_can_name_no_file_is_a_scenario_error(name: Any, why: str) -> None:
    with pytest.raises(ScenarioError, match=why) as info:
        timed(lambda: load_scenario(name))
    assert [p.code for p in info.value.problems] == ["UNREADABLE_FILE"]


@pytest.mark.parametrize("workers", [10**6, 65, 0, -1, float("nan"), True, "2"])
def test_a_matrix_is_shared_among_1_to_64_worker_processes_and_no_other_number(workers: Any) -> None:
    """``workers=10**6`` once asked the platform for a million processes (a fork bomb)."""
    world = World.from_dict({"accounts": [{"id": ACCOUNT}]})
    with pytest.raises(ScenarioError) as info:
        timed(lambda: access_matrix(world, workers=workers))
    assert codes(info.value.problems) == [("INVALID_FIELD", "$.workers")]
    assert "from 1 to 64" in info.value.problems[0].message


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_integers_of_thousands_of_digits_are_located_problems_not_crashes(
    tmp_path: Path, suffix: str
) -> None:
    """Python refuses to convert more than 4,300 digits (ValueError): a located problem instead."""
    path = tmp_path / f"big{suffix}"
    path.write_text('{"accounts": [{"id": ' + "1" * 5_000 + "}]}")
    with pytest.raises(ScenarioError) as info:
        timed(lambda: load_scenario(path))
    assert codes(info.value.problems) == [("NUMBER_TOO_LARGE", "$.accounts[0].id")]
    text = '{"Version": "2012-10-17", "Statement": [], "Id": ' + "9" * (MAX_INT_DIGITS + 1) + "}"
    assert codes(check_policy(text)) == [("NUMBER_TOO_LARGE", "$.Id")]
    assert load_json("1" * MAX_INT_DIGITS)[1] == ()


def test_a_file_larger_than_we_read_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text("[" + "0," * 600 + "0]")
    assert read_file(path, limit=2_000)[0] is not None
    text, problems = read_file(path, limit=1_000)
    assert text is None and [(p.code, p.source) for p in problems] == [("FILE_TOO_LARGE", str(path))]


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_duplicate_keys_in_a_scenario_are_located_at_the_object_that_holds_them(
    tmp_path: Path, suffix: str
) -> None:
    """A duplicated Effect inside a scenario's secret policy: DUPLICATE_KEY at the statement, as
    check_policy reports it for the same text."""
    text = (
        '{"accounts": [{"id": "111111111111"}], "secrets": [{"arn": "' + SECRET + '", "resource_policy": '
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Effect": "Deny", '
        '"Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}}]}'
    )
    path = tmp_path / f"dup{suffix}"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert codes(info.value.problems) == [("DUPLICATE_KEY", "$.secrets[0].resource_policy.Statement[0]")]
    policy = json.dumps(json.loads(text)["secrets"][0]["resource_policy"])
    policy = policy.replace('"Effect": "Deny"', '"Effect": "Allow", "Effect": "Deny"')
    assert ("DUPLICATE_KEY", "$.Statement[0]") in codes(check_policy(policy, "resource"))


def test_an_unquoted_yaml_date_is_explained(tmp_path: Path) -> None:
    """YAML reads Version: 2012-10-17 as a date: quote the version."""
    path = tmp_path / "date.yaml"
    path.write_text(
        f'accounts: [{{id: "{ACCOUNT}"}}]\nprincipals:\n  users:\n'
        f"    - arn: arn:aws:iam::{ACCOUNT}:user/alice\n      policies:\n"
        "        - Version: 2012-10-17\n          Statement: []\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert (problem.code, problem.json_path) == ("UNQUOTED_DATE", "$.principals.users[0].policies[0].Version")
    assert problem.hint == 'quote the version: "2012-10-17"'
    _, problems = load_yaml("2012-10-17: a date as a key\n")
    assert codes(problems) == [("UNQUOTED_DATE", "$['2012-10-17']")]


def test_quoted_yaml_scenario_loads_as_before(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(
        f'accounts: [{{id: "{ACCOUNT}"}}]\nprincipals:\n  users:\n'
        f"    - arn: arn:aws:iam::{ACCOUNT}:user/alice\n      policies:\n"
        '        - Version: "2012-10-17"\n          Statement: []\n'
    )
    assert load_scenario(path).users[0].name == "alice"


def test_policy_read_keeps_its_public_signature() -> None:
    """read_policy's new keyword is optional: the old call still works for every kind."""
    for kind in PolicyKind:
        assert read_policy(sized(kind.value, 300), kind).valid


def test_a_listed_session_policy_may_be_managed_so_it_is_held_to_the_managed_quota() -> None:
    """A world's session_policies and a request's assume_role_chain mix the inline Policy (2,048)
    and managed PolicyArns (6,144): which is inline is not recorded, so each may be up to 6,144."""
    session = {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader/app", "session_policies": []}
    for size, expected in (
        (3_000, []),
        (6_145, [("POLICY_TOO_LARGE", "$.principals.sessions[0].session_policies[0]")]),
    ):
        listed = {**session, "session_policies": [sized("session", size)]}
        assert codes(World.from_dict(world(**{"principals.sessions": [listed]})).problems) == expected
    request = Request.from_dict(
        {
            "principal": f"arn:aws:iam::{ACCOUNT}:user/alice",
            "action": "secretsmanager:GetSecretValue",
            "assume_role_chain": [{"role_arn": ROLE, "session_policies": [sized("session", 3_000)]}],
        }
    )
    assert request.assume_role_chain[0].session_policies[0].valid
    assert codes(check_policy(sized("session", 3_000), "session")) == [("POLICY_TOO_LARGE", "$")]


def test_a_batch_line_longer_than_we_read_is_reported_and_skipped_in_bounded_memory() -> None:
    """One error for the long line (numbered), the lines around it decided as usual."""
    import io

    from secretslab.batch import _lines, simulate

    good = json.dumps(
        {"id": "x", "principal": f"arn:aws:iam::{ACCOUNT}:user/alice", "action": "s3:GetObject"}
    )
    limit = len(good) + 5
    long_lines = ["[" + " " * (limit + 20), " " * (limit + 1) + "]"]
    stream = io.BytesIO(("\n".join([good, long_lines[0], good, long_lines[1], good]) + "\n").encode())
    for block in (7, 64, 1 << 22):
        stream.seek(0)
        lines = list(_lines(stream, block=block, limit=limit))
        assert lines == [good.encode(), None, good.encode(), None, good.encode()], block
    out = io.BytesIO()
    huge = b"\n".join([good.encode(), b" " * (16 * 1024 * 1024 + 1), good.encode()])
    assert simulate(io.BytesIO(huge), out, "b") == (3, 1)
    results = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [r["error"]["problems"][0]["code"] for r in results if "error" in r] == ["LINE_TOO_LONG"]
    assert results[1]["error"]["problems"][0]["source"] == "b:2" and results[2]["id"] == "x"


def test_a_world_given_as_python_values_nested_100000_deep_is_refused_before_any_reader_recurses() -> None:
    nested: list[Any] = []
    inner = nested
    for _ in range(100_000):
        inner.append([])
        inner = inner[0]
    data = {
        "accounts": [{"id": ACCOUNT}],
        "kms_keys": [{"arn": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k", "grants": nested}],
    }
    with pytest.raises(ScenarioError) as info:
        timed(lambda: World.from_dict(data))
    ((code, path),) = codes(info.value.problems)
    assert code == "TOO_DEEP" and path.startswith("$.kms_keys[0].grants[0][0]")


@pytest.mark.parametrize(
    ("field", "value", "valid"),
    [
        ("name", "prod/db_main+1=a.b@c-d", True),
        ("name", "prod db", False),  # CreateSecret: ASCII letters, digits and /_+=.@- only
        ("name", "x" * 513, False),
        ("aliases", ["alias/app-key_1/x"], True),
        ("aliases", ["alias/my key"], False),  # CreateAlias: alias/ then [a-zA-Z0-9/_-]
        ("aliases", ["alias/" + "k" * 251], False),
    ],
)
def test_secret_names_and_kms_aliases_follow_their_create_apis(field: str, value: Any, valid: bool) -> None:
    """https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html and
    https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html"""
    key = {"arn": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k1", "aliases": ["alias/app"]}
    secret = {"arn": SECRET}
    (secret if field == "name" else key)[field] = value
    data = world(secrets=[secret], kms_keys=[key])
    if valid:
        World.from_dict(data)
        return
    where = "$.secrets[0].name" if field == "name" else "$.kms_keys[0].aliases[0]"
    with pytest.raises(ScenarioError) as info:
        World.from_dict(data)
    assert codes(info.value.problems) == [("INVALID_NAME", where)]


def test_export_refuses_a_customer_managed_key_with_an_alias_aws_names_for_its_own_keys() -> None:
    key = {"arn": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k1", "aliases": ["alias/aws/mine"]}
    w = World.from_dict(world(kms_keys=[key]))
    with pytest.raises(ScenarioError) as info:
        to_cloudformation(w)
    assert codes(info.value.problems) == [("INVALID_NAME", "$.kms_keys[0].aliases[0]")]
