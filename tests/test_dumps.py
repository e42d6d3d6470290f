"""``secretslab import --from-dumps DIR`` (issue #11 item 6): an import without credentials from
AWS CLI output. Small dumps written here by hand check the shapes (policy documents as objects and
as URL-encoded text), what is missing (a gap, never a guess), hostile files (huge, deep, wrong
types) and the command; dumps of the stand-in's demo organisation, written by boto3 exactly as
the AWS CLI prints them, must give the world the live import gives. No boto3 is needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from secretslab import ScenarioError, authorize
from secretslab.analysis import who_can as sl_who_can
from secretslab.aws import dumps as dumps_module
from secretslab.aws.import_dumps import snapshot_from_dumps
from secretslab.cli import main
from secretslab.problems import ProblemCode
from secretslab.schemas import scenario_schema

ACCOUNT = "111111111111"
OTHER = "222222222222"
REGION = "us-east-1"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}"
OTHER_KEY_ID = "0987dcba-09fe-87dc-65ba-ab0987654321"
SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/db-AbC123"
LEGACY_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/legacy-XyZ789"
APP_ROLE = f"arn:aws:iam::{ACCOUNT}:role/AppRole"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
READ_POLICY = f"arn:aws:iam::{ACCOUNT}:policy/ReadProdSecrets"

READ = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY_ARN},
    ],
}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
    ],
}
KEY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Enable IAM policies",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ],
}
SECRET_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "Principal": {"AWS": ALICE},
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "*",
        }
    ],
}


def _encoded(document: dict[str, Any]) -> str:
    """A document as IAM's API returns it: URL-encoded JSON text."""
    return urllib.parse.quote(json.dumps(document))


def _write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def _details(encode: bool = False) -> dict[str, Any]:
    doc = _encoded if encode else (lambda d: d)
    return {
        "UserDetailList": [
            {
                "Path": "/",
                "UserName": "alice",
                "UserId": "AIDAEXAMPLEALICE0001",
                "Arn": ALICE,
                "CreateDate": "2024-01-01T00:00:00+00:00",
                "UserPolicyList": [{"PolicyName": "read", "PolicyDocument": doc(READ)}],
                "GroupList": ["devs"],
                "AttachedManagedPolicies": [],
                "Tags": [{"Key": "team", "Value": "payments"}],
            }
        ],
        "GroupDetailList": [
            {
                "Path": "/",
                "GroupName": "devs",
                "GroupId": "AGPAEXAMPLEDEVS00001",
                "Arn": f"arn:aws:iam::{ACCOUNT}:group/devs",
                "GroupPolicyList": [],
                "AttachedManagedPolicies": [{"PolicyName": "ReadProdSecrets", "PolicyArn": READ_POLICY}],
            }
        ],
        "RoleDetailList": [
            {
                "Path": "/",
                "RoleName": "AppRole",
                "RoleId": "AROAEXAMPLEAPPROLE01",
                "Arn": APP_ROLE,
                "AssumeRolePolicyDocument": doc(TRUST),
                "InstanceProfileList": [],
                "RolePolicyList": [],
                "AttachedManagedPolicies": [{"PolicyName": "ReadProdSecrets", "PolicyArn": READ_POLICY}],
                "Tags": [],
                "RoleLastUsed": {},
            }
        ],
        "Policies": [
            {
                "PolicyName": "ReadProdSecrets",
                "Arn": READ_POLICY,
                "DefaultVersionId": "v2",
                "PolicyVersionList": [
                    {"Document": doc(READ), "VersionId": "v2", "IsDefaultVersion": True},
                    {"Document": doc({"Statement": []}), "VersionId": "v1", "IsDefaultVersion": False},
                ],
            }
        ],
    }


def _dumps(folder: Path, *, encode: bool = False, caller: bool = True) -> Path:
    """A small account: alice (in devs) and AppRole, secret prod/db on a customer managed key and
    prod/legacy on aws/secretsmanager, each file as the AWS CLI writes it."""
    if caller:
        _write(
            folder / "get-caller-identity.json",
            {"UserId": "AIDAEXAMPLE", "Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/auditor"},
        )
    _write(folder / "get-account-authorization-details.json", _details(encode))
    region = folder / REGION
    _write(
        region / "list-secrets.json",
        {
            "SecretList": [
                {
                    "ARN": SECRET_ARN,
                    "Name": "prod/db",
                    "KmsKeyId": "alias/prod-secrets",
                    "Tags": [{"Key": "team", "Value": "payments"}],
                    "SecretVersionsToStages": {"v-1": ["AWSCURRENT"]},
                    "LastChangedDate": "2024-01-01T00:00:00+00:00",
                },
                {"ARN": LEGACY_ARN, "Name": "prod/legacy"},
            ]
        },
    )
    policy_text = json.dumps(SECRET_POLICY)
    _write(
        region / "get-resource-policy" / "prod-db.json",
        {"ARN": SECRET_ARN, "Name": "prod/db", "ResourcePolicy": policy_text},
    )
    _write(region / "get-resource-policy" / "prod-legacy.json", {"ARN": LEGACY_ARN, "Name": "prod/legacy"})
    _write(
        region / "list-aliases.json",
        {
            "Aliases": [
                {
                    "AliasName": "alias/prod-secrets",
                    "AliasArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/prod-secrets",
                    "TargetKeyId": KEY_ID,
                },
                {"AliasName": "alias/aws/rds", "AliasArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/aws/rds"},
            ]
        },
    )
    _write(
        region / "describe-key" / f"{KEY_ID}.json",
        {"KeyMetadata": {"AWSAccountId": ACCOUNT, "KeyId": KEY_ID, "Arn": KEY_ARN, "KeyManager": "CUSTOMER"}},
    )
    _write(
        region / "get-key-policy" / f"{KEY_ID}.json",
        {"Policy": json.dumps(KEY_POLICY, indent=4), "PolicyName": "default"},
    )
    _write(
        region / "list-resource-tags" / f"{KEY_ID}.json",
        {"Tags": [{"TagKey": "team", "TagValue": "payments"}]},
    )
    _write(
        region / "list-grants" / f"{KEY_ID}.json",
        {
            "Grants": [
                {
                    "KeyId": KEY_ARN,
                    "GrantId": "g-1",
                    "Name": "",
                    "CreationDate": "2024-01-01T00:00:00+00:00",
                    "GranteePrincipal": APP_ROLE,
                    "IssuingAccount": f"arn:aws:iam::{ACCOUNT}:root",
                    "Operations": ["Decrypt"],
                }
            ]
        },
    )
    return folder


def _decide(world: Any, principal: str, secret: str) -> Any:
    return authorize(
        world, {"principal": principal, "action": "secretsmanager:GetSecretValue", "resource": secret}
    )


# -- the world of the dumps


def test_small_dumps_make_the_world_they_describe(tmp_path: Path) -> None:
    snap = snapshot_from_dumps([_dumps(tmp_path / "prod")])
    assert snap.gaps == ()
    data = snap.data
    assert [a["id"] for a in data["accounts"]] == [ACCOUNT]
    [user] = data["principals"]["users"]
    assert user["groups"] == [f"arn:aws:iam::{ACCOUNT}:group/devs"]
    assert user["tags"] == {"team": "payments"} and user["policies"] == [READ]
    [group] = data["principals"]["groups"]
    assert group["policies"] == [READ]  # the default version of the managed policy, not v1
    [role] = data["principals"]["roles"]
    assert role["trust_policy"] == TRUST and role["policies"] == [READ]
    secrets = {s["name"]: s for s in data["secrets"]}
    assert secrets["prod/db"]["kms_key"] == KEY_ARN  # the alias resolved through list-aliases
    assert secrets["prod/db"]["resource_policy"] == SECRET_POLICY
    assert secrets["prod/db"]["tags"] == {"team": "payments"}
    assert secrets["prod/db"]["versions"] == {"AWSCURRENT": "v-1"}
    assert secrets["prod/legacy"]["kms_key"] is None and secrets["prod/legacy"]["resource_policy"] is None
    [key] = data["kms_keys"]
    assert key["key_policy"] == KEY_POLICY and key["aliases"] == ["alias/prod-secrets"]
    assert key["tags"] == {"team": "payments"} and [g["GrantId"] for g in key["grants"]] == ["g-1"]
    world = snap.world
    assert _decide(world, APP_ROLE, SECRET_ARN).decision == "allow"
    denied = _decide(world, ALICE, SECRET_ARN)
    assert denied.decision == "deny" and denied.reason.value == "EXPLICIT_DENY_RESOURCE"
    assert "AWS Organizations is not part of the dumps" in str(data["description"])
    assert set(snap.operations) >= {"iam:GetAccountAuthorizationDetails", "kms:GetKeyPolicy"}


def test_url_encoded_documents_read_as_objects(tmp_path: Path) -> None:
    plain = snapshot_from_dumps([_dumps(tmp_path / "plain")]).data
    encoded = snapshot_from_dumps([_dumps(tmp_path / "encoded", encode=True)]).data
    for data in (plain, encoded):
        data.pop("description")
    assert encoded == plain
    assert "%7B" in (tmp_path / "encoded" / "get-account-authorization-details.json").read_text()


def test_the_account_comes_from_the_arns_without_caller_identity(tmp_path: Path) -> None:
    snap = snapshot_from_dumps([_dumps(tmp_path / "prod", caller=False)])
    assert [a["id"] for a in snap.data["accounts"]] == [ACCOUNT]


def test_the_world_validates_against_the_schema(tmp_path: Path) -> None:
    from jsonschema import Draft202012Validator

    data = snapshot_from_dumps([_dumps(tmp_path / "prod")]).data
    assert list(Draft202012Validator(scenario_schema()).iter_errors(data)) == []


# -- what is missing is a gap, never a guess


def _gaps(folder: Path) -> dict[str, dict[str, str]]:
    snap = snapshot_from_dumps([folder])
    return {g["operation"]: dict(g) for g in snap.gaps}


def test_a_secret_described_nowhere_is_a_gap_not_the_default_key(tmp_path: Path) -> None:
    folder = _dumps(tmp_path / "prod")
    (folder / REGION / "list-secrets.json").unlink()
    snap = snapshot_from_dumps([folder])
    described = [g for g in snap.gaps if g["operation"] == "secretsmanager:DescribeSecret"]
    assert {g["resource"] for g in described} == {SECRET_ARN, LEGACY_ARN}
    gap = described[0]
    assert "KMS key, tags and version stages are unknown" in gap["error"]
    decision = _decide(snap.world, APP_ROLE, SECRET_ARN)
    assert decision.gaps, "a decision on the secret says what it depends on is unknown"


def test_a_missing_key_policy_tags_grants_and_aliases_are_gaps(tmp_path: Path) -> None:
    folder = _dumps(tmp_path / "prod")
    for part in ("get-key-policy", "list-resource-tags", "list-grants"):
        (folder / REGION / part / f"{KEY_ID}.json").unlink()
    gaps = _gaps(folder)
    assert {"kms:GetKeyPolicy", "kms:ListResourceTags", "kms:ListGrants"} <= set(gaps)
    assert gaps["kms:GetKeyPolicy"]["resource"] == KEY_ARN
    assert f"get-key-policy/{KEY_ID}.json" in gaps["kms:GetKeyPolicy"]["error"]
    (folder / REGION / "list-aliases.json").unlink()
    gaps = _gaps(folder)
    assert gaps["kms:ListAliases"]["resource"] == ACCOUNT
    # the secret names its key by an alias nobody could resolve: its key is unknown, on the secret
    assert any(g["resource"] == SECRET_ARN for g in snapshot_from_dumps([folder]).gaps)


def test_an_empty_file_left_by_a_failed_command_is_a_gap(tmp_path: Path) -> None:
    folder = _dumps(tmp_path / "prod")
    (folder / REGION / "get-key-policy" / f"{KEY_ID}.json").write_text("")
    (folder / REGION / "get-resource-policy" / "prod-db.json").write_text("\n")
    gaps = _gaps(folder)
    assert (
        gaps["kms:GetKeyPolicy"]["resource"] == KEY_ARN
        and "absent or empty" in gaps["kms:GetKeyPolicy"]["error"]
    )
    assert gaps["secretsmanager:GetResourcePolicy"]["resource"] == SECRET_ARN
    (folder / REGION / "describe-key" / f"{KEY_ID}.json").write_text("")
    (folder / REGION / "list-aliases.json").write_text("")
    snap = snapshot_from_dumps([folder])
    # the key is still known (its files are named after it) and what it lacks is said
    assert {g["operation"] for g in snap.gaps if g["resource"] == KEY_ARN} >= {
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
    }


@pytest.mark.parametrize("how", ["absent", "empty"])
def test_a_refused_list_secrets_is_a_gap_not_zero_secrets(tmp_path: Path, how: str) -> None:
    # what scripts/aws-dumps.sh leaves when ListSecrets is denied: an empty listing, no secret files
    folder = _dumps(tmp_path / "prod")
    region = folder / REGION
    for part in ("get-resource-policy", "describe-secret"):
        for f in (region / part).glob("*.json"):
            f.unlink()
    listing = region / "list-secrets.json"
    listing.unlink() if how == "absent" else listing.write_text("")
    snap = snapshot_from_dumps([folder])
    gap = _gaps(folder)["secretsmanager:ListSecrets"]
    assert gap["resource"] == ACCOUNT and REGION in gap["what"]
    assert "list-secrets.json is absent or empty" in gap["error"]
    assert not snap.world.secrets  # none is known, and the snapshot says the list is unknown


def test_secrets_with_files_of_their_own_are_read_with_the_listing_gap(tmp_path: Path) -> None:
    folder = _dumps(tmp_path / "prod")
    (folder / REGION / "list-secrets.json").write_text("")
    snap = snapshot_from_dumps([folder])
    assert {s.arn for s in snap.world.secrets} == {SECRET_ARN, LEGACY_ARN}
    gap = _gaps(folder)["secretsmanager:ListSecrets"]
    assert "only the 2 secret(s) with files of their own" in gap["error"]
    assert _decide(snap.world, ALICE, SECRET_ARN).unknown


def test_list_keys_may_be_left_out_only_when_keys_have_files(tmp_path: Path) -> None:
    folder = _dumps(tmp_path / "prod")
    assert "kms:ListKeys" not in _gaps(folder)  # the keys are named by their files
    (folder / REGION / "list-keys.json").write_text("")  # ListKeys refused: other keys may exist
    gap = _gaps(folder)["kms:ListKeys"]
    assert gap["resource"] == ACCOUNT and "list-keys.json is empty" in gap["error"]
    assert snapshot_from_dumps([folder]).world.key(KEY_ARN) is not None  # still read from its files
    (folder / REGION / "list-keys.json").unlink()
    for part in ("describe-key", "get-key-policy", "list-resource-tags", "list-grants"):
        (folder / REGION / part / f"{KEY_ID}.json").unlink()
    gap = _gaps(folder)["kms:ListKeys"]
    assert "absent and no key has files of its own" in gap["error"]


def test_missing_iam_details_and_a_managed_policy_left_out_are_gaps(tmp_path: Path) -> None:
    folder = _dumps(tmp_path / "prod")
    details = _details()
    details["Policies"] = []
    _write(folder / "get-account-authorization-details.json", details)
    gaps = [g for g in snapshot_from_dumps([folder]).gaps if g["operation"] == "iam:GetPolicy"]
    assert {g["resource"] for g in gaps} == {READ_POLICY}
    (folder / "get-account-authorization-details.json").unlink()
    gaps = _gaps(folder)
    assert gaps["iam:GetAccountAuthorizationDetails"]["resource"] == ACCOUNT


def test_an_account_whose_iam_is_a_gap_is_said_by_who_can_lint_and_matrix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # its principals are not in the world: the answers that list principals must say so
    folder = _dumps(tmp_path / "prod")
    (folder / "get-account-authorization-details.json").write_text("")
    world = snapshot_from_dumps([folder]).world
    root = f"arn:aws:iam::{ACCOUNT}:root"
    [entry] = [
        w for w in sl_who_can(world, "secretsmanager:GetSecretValue", SECRET_ARN) if w.principal == root
    ]
    assert entry.unknown and entry.to_dict()["unknown"] is True
    assert "could not be imported (iam:GetAccountAuthorizationDetails" in entry.note
    out = tmp_path / "snapshot.json"
    assert main(["import", "--from-dumps", str(folder), "-o", str(out)]) == 0
    capsys.readouterr()
    assert (
        main(["who-can", "--action", "secretsmanager:GetSecretValue", "--resource", SECRET_ARN, str(out)])
        == 0
    )
    assert f"{ACCOUNT}:root — unknown: the principals of this account" in capsys.readouterr().out
    for command in (["lint", str(out)], ["matrix", str(out)], ["lint", "--format", "sarif", str(out)]):
        assert main(command) == 0
        said = capsys.readouterr()
        assert f"secretslab {command[0]}: note: account {ACCOUNT}: the users, groups, roles" in said.err
        if "sarif" in command:
            json.loads(said.out)  # the note stays off standard output

    # a key policy that does not delegate to IAM: no principal of the account could, so none is listed
    own = {**KEY_POLICY, "Statement": [{**KEY_POLICY["Statement"][0], "Principal": {"AWS": APP_ROLE}}]}
    _write(folder / REGION / "get-key-policy" / f"{KEY_ID}.json", {"Policy": json.dumps(own)})
    world = snapshot_from_dumps([folder]).world
    assert root not in {w.principal for w in sl_who_can(world, "secretsmanager:GetSecretValue", SECRET_ARN)}


def test_a_key_of_another_account_is_a_gap(tmp_path: Path) -> None:
    folder = _dumps(tmp_path / "prod")
    listed = json.loads((folder / REGION / "list-secrets.json").read_text())
    foreign = f"arn:aws:kms:{REGION}:{OTHER}:key/{KEY_ID}"
    listed["SecretList"][0]["KmsKeyId"] = foreign
    _write(folder / REGION / "list-secrets.json", listed)
    snap = snapshot_from_dumps([folder])
    assert {g["operation"] for g in snap.gaps if g["resource"] == foreign} >= {"kms:GetKeyPolicy"}
    assert snap.world.secret(SECRET_ARN).kms_key == foreign  # type: ignore[union-attr]


# -- files that are not what their name says: located problems


def _problems(folder: Path) -> list[Any]:
    with pytest.raises(ScenarioError) as caught:
        snapshot_from_dumps([folder])
    return list(caught.value.problems)


def test_wrong_types_are_located(tmp_path: Path) -> None:
    folder = _dumps(tmp_path / "prod")
    details = _details()
    details["UserDetailList"][0]["GroupList"] = "devs"
    details["RoleDetailList"][0].pop("Arn")
    details["Policies"][0]["PolicyVersionList"][0]["Document"] = "%7Bnot json"
    _write(folder / "get-account-authorization-details.json", details)
    _write(folder / REGION / "list-aliases.json", {"Aliases": {}})
    found = {(Path(p.source).name, p.path) for p in _problems(folder)}
    assert found == {
        ("get-account-authorization-details.json", ("UserDetailList", 0, "GroupList")),
        ("get-account-authorization-details.json", ("RoleDetailList", 0)),
        ("get-account-authorization-details.json", ("Policies", 0, "PolicyVersionList", 0, "Document")),
        ("list-aliases.json", ("Aliases",)),
    }


def test_an_arn_of_another_account_or_region_is_located(tmp_path: Path) -> None:
    folder = _dumps(tmp_path / "prod")
    _write(
        folder / REGION / "get-resource-policy" / "other.json",
        {"ARN": f"arn:aws:secretsmanager:eu-west-1:{OTHER}:secret:x-AbC123", "Name": "x"},
    )
    problems = _problems(folder)
    messages = " ".join(p.message for p in problems)
    assert "Region eu-west-1" in messages and f"account {OTHER}" in messages
    assert all(p.source.endswith("other.json") and p.path == ("ARN",) for p in problems)


def test_one_page_of_a_longer_list_is_refused(tmp_path: Path) -> None:
    folder = _dumps(tmp_path / "prod")
    listed = json.loads((folder / REGION / "list-secrets.json").read_text())
    _write(folder / REGION / "list-secrets.json", {**listed, "NextToken": "abc"})
    [problem] = _problems(folder)
    assert problem.path == ("NextToken",) and "--max-items" in problem.message


def test_unknown_names_and_misnamed_key_files_are_located(tmp_path: Path) -> None:
    folder = _dumps(tmp_path / "prod")
    (folder / REGION / "list-secret.json").write_text("{}")
    (folder / "notes.txt").write_text("x")
    meta = {"KeyMetadata": {"KeyId": "other", "Arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/other"}}
    _write(folder / REGION / "describe-key" / f"{OTHER_KEY_ID}.json", meta)
    problems = {Path(p.source).name: p for p in _problems(folder)}
    assert problems["list-secret.json"].code is ProblemCode.UNKNOWN_FIELD
    assert "list-secrets.json" in str(problems["list-secret.json"].hint)
    assert problems["notes.txt"].code is ProblemCode.UNKNOWN_FIELD
    assert problems[f"{OTHER_KEY_ID}.json"].path == ("KeyMetadata", "KeyId")


@pytest.mark.parametrize(
    "name", ["alias-app", "abcd-1", "prod-secrets", KEY_ID.upper(), "mrk-123", KEY_ARN[-20:]]
)
def test_a_key_file_not_named_after_a_key_id_is_an_error(tmp_path: Path, name: str) -> None:
    # an alias's name would otherwise make a key of that "id", which does not exist
    folder = _dumps(tmp_path / "prod")
    _write(folder / REGION / "get-key-policy" / f"{name}.json", {"Policy": json.dumps(KEY_POLICY)})
    [problem] = _problems(folder)
    assert problem.source == str(folder / REGION / "get-key-policy" / f"{name}.json")
    assert "not named after a key id" in problem.message and "1234abcd-12ab" in problem.message


def test_key_files_of_a_multi_region_key_are_read(tmp_path: Path) -> None:
    folder = _dumps(tmp_path / "prod")
    mrk = "mrk-" + "0123456789abcdef" * 2
    arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{mrk}"
    _write(folder / REGION / "describe-key" / f"{mrk}.json", {"KeyMetadata": {"KeyId": mrk, "Arn": arn}})
    _write(folder / REGION / "get-key-policy" / f"{mrk}.json", {"Policy": json.dumps(KEY_POLICY)})
    snap = snapshot_from_dumps([folder])
    assert snap.world.key(arn) is not None


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
@pytest.mark.parametrize(
    "where", ["list-keys.json", "get-account-authorization-details.json", "describe-secret/1.json"]
)
def test_a_special_file_under_a_layout_name_is_not_a_regular_file(
    tmp_path: Path, kind: str, where: str
) -> None:
    folder = _dumps(tmp_path / "prod")
    path = folder / where if where.startswith("get-") else folder / REGION / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to(os.devnull)
    else:
        path.mkdir()
    [problem] = _problems(folder)
    assert problem.source == str(path) and problem.code is ProblemCode.UNREADABLE_FILE
    assert "not part of the dumps layout" not in problem.message
    assert any(w in problem.message for w in ("is a FIFO", "not a regular file", "is a directory"))


def test_a_per_secret_or_per_key_folder_that_is_a_file_says_so(tmp_path: Path) -> None:
    folder = _dumps(tmp_path / "prod")
    for name in ("describe-secret", "list-grants"):
        target = folder / REGION / name
        if target.is_dir():
            for f in target.iterdir():
                f.unlink()
            target.rmdir()
        target.write_text("{}")
    problems = {Path(p.source).name: p.message for p in _problems(folder)}
    assert set(problems) == {"describe-secret", "list-grants"}
    assert all("is not a folder" in m and "did you mean" not in m for m in problems.values())


def test_two_accounts_in_one_folder_and_one_account_in_two(tmp_path: Path) -> None:
    folder = _dumps(tmp_path / "prod", caller=False)
    details = _details()
    details["RoleDetailList"][0]["Arn"] = f"arn:aws:iam::{OTHER}:role/AppRole"
    _write(folder / "get-account-authorization-details.json", details)
    [problem] = _problems(folder)
    assert problem.path == ("RoleDetailList", 0, "Arn") and "one folder holds" in problem.message
    with pytest.raises(ScenarioError, match="give one folder per account"):
        snapshot_from_dumps([_dumps(tmp_path / "a"), _dumps(tmp_path / "b")])


def test_hostile_files_stay_within_our_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _dumps(tmp_path / "deep")
    (folder / REGION / "list-keys.json").write_text('{"Keys": ' + "[" * 5000 + "]" * 5000 + "}")
    [problem] = _problems(folder)
    assert problem.code is ProblemCode.TOO_DEEP and problem.source.endswith("list-keys.json")

    folder = _dumps(tmp_path / "huge")
    (folder / REGION / "list-keys.json").write_text('{"Keys": []}' + " " * 5000)
    monkeypatch.setattr(dumps_module, "MAX_FILE_BYTES", 4096)
    [problem] = _problems(folder)
    assert problem.code is ProblemCode.FILE_TOO_LARGE and problem.source.endswith("list-keys.json")

    monkeypatch.setattr(dumps_module, "MAX_FILE_BYTES", 64 * 1024 * 1024)
    monkeypatch.setattr(dumps_module, "MAX_DUMP_BYTES", 6000)
    problems = _problems(folder)
    assert [p.code for p in problems] == [ProblemCode.FILE_TOO_LARGE]
    assert "together are larger" in problems[0].message

    monkeypatch.setattr(dumps_module, "MAX_DUMP_BYTES", 256 * 1024 * 1024)
    monkeypatch.setattr(dumps_module, "MAX_DUMP_FILES", 3)
    assert "more than 3 files" in _problems(folder)[0].message

    monkeypatch.setattr(dumps_module, "MAX_DUMP_FILES", 100_000)
    not_json = _dumps(tmp_path / "binary")
    (not_json / REGION / "list-keys.json").write_bytes(b"\xff\xfe{")
    assert _problems(not_json)[0].code is ProblemCode.UNREADABLE_FILE
    fifo = _dumps(tmp_path / "fifo")
    os.mkfifo(fifo / REGION / "list-keys.json")
    assert _problems(fifo)  # a FIFO is refused at once, never read (it would block)


def test_a_folder_that_is_not_one(tmp_path: Path) -> None:
    file = tmp_path / "file.json"
    file.write_text("{}")
    for given in (file, tmp_path / "missing"):
        [problem] = _problems(given)
        assert problem.source == str(given)
    empty = tmp_path / "empty"
    empty.mkdir()
    # no ARN says whose dumps these are, and no Region folder holds secrets or keys
    problems = sorted(p.message for p in _problems(empty))
    assert [p.split(" ")[0] for p in problems] == ["no", "no"]
    assert "get-caller-identity" in problems[0] and "no Region folder" in problems[1]


# -- the command


def test_import_from_dumps_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _dumps(tmp_path / "prod")
    (folder / REGION / "get-key-policy" / f"{KEY_ID}.json").unlink()
    out = tmp_path / "snapshot.json"
    assert main(["import", "--from-dumps", str(folder), "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert f"-> {out}" in captured.out and "1 account(s) (111111111111)" in captured.out
    assert "gap: key policy of" in captured.err and "AWS Organizations is not part" in captured.err
    assert main(["validate", str(out)]) == 0
    assert main(["import", "--from-dumps", str(folder), "--profile", "x", "-o", str(out)]) == 2
    assert "--profile do not apply" in capsys.readouterr().err
    inside = folder / "snapshot.json"
    assert main(["import", "--from-dumps", str(folder), "-o", str(inside)]) == 2
    assert "refusing to write into the dumps folder" in capsys.readouterr().err and not inside.exists()


def test_import_from_broken_dumps_says_where(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _dumps(tmp_path / "prod")
    _write(folder / REGION / "list-aliases.json", {"Aliases": [{"AliasName": 7}]})
    assert main(["import", "--from-dumps", str(folder), "-o", str(tmp_path / "s.json")]) == 2
    err = capsys.readouterr().err
    assert "list-aliases.json" in err and "$.Aliases[0].AliasName" in err and "Traceback" not in err
    assert not (tmp_path / "s.json").exists()


_BLOCKER = """
import sys
class _NoAwsSdk:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("boto3", "botocore", "moto"):
            raise ImportError(f"{name} is not installed (blocked by the test)")
        return None
sys.meta_path.insert(0, _NoAwsSdk())
from secretslab.cli import main
code = main(sys.argv[1:])
assert not [m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore", "moto")]
sys.exit(code)
"""


def test_import_from_dumps_needs_no_boto3(tmp_path: Path) -> None:
    folder = _dumps(tmp_path / "prod")
    out = tmp_path / "snapshot.json"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(
        [sys.executable, "-c", _BLOCKER, "import", "--from-dumps", str(folder), "-o", str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["secrets"]
    blocked = subprocess.run(
        [sys.executable, "-c", _BLOCKER, "import", "--profile", "x", "-o", str(tmp_path / "live.json")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert blocked.returncode != 0  # the live import does need boto3: the blocker works


# -- the stand-in's demo: dumps give what the live import gives


def _cli_shape(response: dict[str, Any]) -> dict[str, Any]:
    """A response as the AWS CLI prints it with --output json: no ResponseMetadata, dates as text."""
    return json.loads(json.dumps({k: v for k, v in response.items() if k != "ResponseMetadata"}, default=str))


def _dump_account(session: Any, endpoint: str, folder: Path, *, caller: bool, encode: bool) -> None:
    """What the README's AWS CLI commands write for one account, made with boto3 (which the AWS
    CLI is built on) against the stand-in."""

    def client(service: str) -> Any:
        return session.client(service, region_name=REGION, endpoint_url=endpoint)

    def merged(method: str, key: str, svc: Any, **params: Any) -> dict[str, Any]:
        items = [i for page in svc.get_paginator(method).paginate(**params) for i in page.get(key, ())]
        return _cli_shape({key: items})

    if caller:
        _write(folder / "get-caller-identity.json", _cli_shape(client("sts").get_caller_identity()))
    iam = client("iam")
    details: dict[str, Any] = {}
    for page in iam.get_paginator("get_account_authorization_details").paginate():
        for key in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
            details.setdefault(key, []).extend(page.get(key, ()))
    details = _cli_shape(details)
    if encode:  # the raw API's URL-encoded documents
        for role in details["RoleDetailList"]:
            role["AssumeRolePolicyDocument"] = _encoded(role["AssumeRolePolicyDocument"])
        for entity, inline in (("UserDetailList", "UserPolicyList"), ("RoleDetailList", "RolePolicyList")):
            for item in details[entity]:
                for policy in item.get(inline, ()):
                    policy["PolicyDocument"] = _encoded(policy["PolicyDocument"])
    _write(folder / "get-account-authorization-details.json", details)
    region = folder / REGION
    sm, kms = client("secretsmanager"), client("kms")
    secrets = merged("list_secrets", "SecretList", sm)
    _write(region / "list-secrets.json", secrets)
    for i, secret in enumerate(secrets["SecretList"]):
        arn = secret["ARN"]
        _write(region / "describe-secret" / f"{i}.json", _cli_shape(sm.describe_secret(SecretId=arn)))
        _write(region / "get-resource-policy" / f"{i}.json", _cli_shape(sm.get_resource_policy(SecretId=arn)))
    _write(region / "list-aliases.json", merged("list_aliases", "Aliases", kms))
    keys = merged("list_keys", "Keys", kms)
    _write(region / "list-keys.json", keys)
    for key in keys["Keys"]:
        key_id = key["KeyId"]
        _write(region / "describe-key" / f"{key_id}.json", _cli_shape(kms.describe_key(KeyId=key_id)))
        policy = kms.get_key_policy(KeyId=key_id, PolicyName="default")
        _write(region / "get-key-policy" / f"{key_id}.json", _cli_shape(policy))
        _write(
            region / "list-resource-tags" / f"{key_id}.json",
            merged("list_resource_tags", "Tags", kms, KeyId=key_id),
        )
        _write(region / "list-grants" / f"{key_id}.json", merged("list_grants", "Grants", kms, KeyId=key_id))


@pytest.mark.parametrize("encode", [False, True], ids=["cli-objects", "url-encoded"])
def test_dumps_of_the_demo_give_the_live_import(
    encode: bool, demo: tuple[Any, Any, Any], tmp_path: Path
) -> None:
    from jsonschema import Draft202012Validator

    standin, accounts, live = demo
    folders = []
    for i, (name, account) in enumerate(accounts):
        folder = tmp_path / name
        _dump_account(
            standin.account_session(account), standin.endpoint_url, folder, caller=i != 1, encode=encode
        )
        folders.append(folder)
    dumped = snapshot_from_dumps(folders)
    assert dumped.gaps == ()
    assert [a["id"] for a in dumped.data["accounts"]] == [a["id"] for a in live.data["accounts"]]
    for part in ("secrets", "kms_keys"):
        assert dumped.data[part] == live.data[part], part
    assert dumped.data["principals"] == live.data["principals"]
    validator = Draft202012Validator(scenario_schema())
    for data in (live.data, dumped.data):
        assert list(validator.iter_errors(data)) == []
    assert dumped.world.secrets and len(dumped.world.keys) == len(live.world.keys)


@pytest.fixture(scope="module")
def demo() -> Any:
    pytest.importorskip("moto")
    from secretslab.aws.importer import snapshot
    from secretslab.aws.standin import ACCESS_ROLE, StandIn, seed_demo

    with StandIn() as standin:
        seeded = seed_demo(standin)
        order = [("management", seeded["management_account"])]
        order += [(n, seeded["accounts"][n]) for n in ("prod", "apps")]
        management = standin.session()
        live = snapshot(
            sessions=[management],
            session=management,
            role_arns=[f"arn:aws:iam::{a}:role/{ACCESS_ROLE}" for _, a in order[1:]],
            endpoint_url=standin.endpoint_url,
        )
        yield standin, order, live


def test_the_readme_script_with_the_aws_cli_gives_the_live_import(
    demo: tuple[Any, Any, Any], tmp_path: Path
) -> None:
    """scripts/aws-dumps.sh, run with the real AWS CLI against the stand-in (skipped where the
    AWS CLI is not installed): its dumps of the prod account give the live import's secrets and
    keys of prod."""
    import shutil

    aws = shutil.which("aws")
    if aws is None:
        pytest.skip("the AWS CLI is not installed")
    standin, accounts, live = demo
    [prod] = [a for name, a in accounts if name == "prod"]
    credentials = standin.account_session(prod).get_credentials().get_frozen_credentials()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_ACCESS_KEY_ID": credentials.access_key,
        "AWS_SECRET_ACCESS_KEY": credentials.secret_key,
        "AWS_SESSION_TOKEN": credentials.token,
        "AWS_ENDPOINT_URL": standin.endpoint_url,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "NO_PROXY": "127.0.0.1,localhost",
    }
    script = Path(__file__).resolve().parent.parent / "scripts" / "aws-dumps.sh"
    folder = tmp_path / "prod"
    done = subprocess.run(
        ["bash", str(script), str(folder), REGION],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    dumped = snapshot_from_dumps([folder])
    assert dumped.gaps == ()
    assert [a["id"] for a in dumped.data["accounts"]] == [prod]
    mine = [s for s in live.data["secrets"] if s["account"] == prod]
    assert dumped.data["secrets"] == mine and mine
    assert dumped.data["kms_keys"] == [k for k in live.data["kms_keys"] if k["account"] == prod]
    roles = [r for r in live.data["principals"]["roles"] if f":{prod}:" in r["arn"]]
    assert dumped.data["principals"]["roles"] == roles
