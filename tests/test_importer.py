"""Read-only import (issue 5, part 1), offline against the embedded stand-in.

The demo organisation of ``seed_demo`` is imported once per module; tests that need other
content use their own Region or inject failures with botocore event handlers registered on the
session they pass in (every client made from a session inherits its handlers). moto enforces no
policy, so AccessDenied is simulated that way; who may do what is only ever decided by secretslab.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from secretslab import World, authorize, load_scenario
from secretslab.aws.importer import Snapshot, load_snapshot, snapshot
from secretslab.aws.readonly import (
    READ_OPERATIONS,
    ForbiddenOperation,
    guard,
    iam_action,
    importer_policy,
)
from secretslab.aws.standin import ACCESS_ROLE, StandIn, seed_demo

MUTATING = ("Create", "Put", "Delete", "Update", "Tag", "Untag", "Attach", "Detach", "Schedule", "Enable")
VALUE_READS = {"secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue"}


@pytest.fixture(scope="module")
def aws() -> Iterator[tuple[StandIn, dict[str, Any]]]:
    with StandIn() as standin:
        yield standin, seed_demo(standin)


def _import(standin: StandIn, demo: dict[str, Any], **kwargs: Any) -> Snapshot:
    """The management account's session, and a role assumed into each member account."""
    roles = [f"arn:aws:iam::{demo['accounts'][n]}:role/{ACCESS_ROLE}" for n in ("prod", "apps")]
    management = standin.session()
    return snapshot(
        sessions=[management],
        session=management,
        role_arns=roles,
        endpoint_url=standin.endpoint_url,
        **kwargs,
    )


@pytest.fixture(scope="module")
def demo_snapshot(aws: tuple[StandIn, dict[str, Any]]) -> Snapshot:
    return _import(*aws)


def _fresh_session(standin: StandIn, account: str, region: str = "us-east-1") -> Any:
    """A session of its own in ``account`` (``StandIn.account_session`` caches its sessions, and
    the handlers a test registers must not leak into other tests)."""
    sts = standin.client("sts", region=region)
    role = f"arn:aws:iam::{account}:role/{ACCESS_ROLE}"
    creds = sts.assume_role(RoleArn=role, RoleSessionName="test-importer")["Credentials"]
    return standin.session(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"], region)


def _deny(session: Any, operation: str, when: Any = None, code: str = "AccessDeniedException") -> None:
    """Make every ``operation`` (``service-id.OperationName``) of ``session``'s clients fail with
    ``code`` before it is sent (optionally only when ``when(params)`` holds). The handler runs on
    ``before-parameter-build``, after the guard has recorded the operation."""

    def refuse(params: dict[str, Any], model: Any, **_: Any) -> None:
        if when is None or when(params):
            raise ClientError({"Error": {"Code": code, "Message": "simulated"}}, model.name)

    session.events.register(f"before-parameter-build.{operation}", refuse)


# -- what the import brings back


def test_demo_import_accounts_and_organization(
    aws: tuple[StandIn, dict[str, Any]], demo_snapshot: Snapshot
) -> None:
    _, demo = aws
    data = demo_snapshot.data
    accounts = {a["id"]: a for a in data["accounts"]}
    prod, apps = demo["accounts"]["prod"], demo["accounts"]["apps"]
    assert set(accounts) == set(demo["accounts"].values())
    assert accounts[prod]["name"] == "prod"
    assert accounts[prod]["org_id"] == demo["organization_id"]
    assert accounts[prod]["org_path"] == [demo["root_id"], demo["organizational_units"]["prod"]]
    assert accounts[apps]["org_path"] == [demo["root_id"], demo["organizational_units"]["apps"]]
    org = data["organization"]
    assert org["id"] == demo["organization_id"]
    assert org["root_id"] == demo["root_id"]
    assert org["management_account"] == demo["management_account"]
    assert org["scp_enabled"] is True and org["rcp_enabled"] is False
    assert org["full_aws_access_detached_from"] == []
    [scp] = org["scps"]
    assert scp["name"] == "DenySecretDeletion"
    assert scp["attached_to"] == demo["organizational_units"]["prod"]
    assert scp["document"]["Statement"][0]["Action"] == [
        "secretsmanager:DeleteSecret",
        "kms:ScheduleKeyDeletion",
    ]
    assert demo_snapshot.gaps == ()
    assert data["gaps"] == []


def test_demo_import_secrets_and_keys(aws: tuple[StandIn, dict[str, Any]], demo_snapshot: Snapshot) -> None:
    _, demo = aws
    secrets = {s["name"]: s for s in demo_snapshot.data["secrets"]}
    assert set(secrets) == {"prod/db", "prod/legacy"}
    db, legacy = secrets["prod/db"], secrets["prod/legacy"]
    assert db["arn"] == demo["secrets"]["prod/db"]
    assert db["kms_key"] == demo["kms_key"]["arn"]
    assert db["tags"] == {"team": "payments"}
    assert set(db["versions"]) == {"AWSCURRENT"}
    principals = db["resource_policy"]["Statement"][0]["Principal"]["AWS"]
    assert set(principals) == {
        demo["roles"]["AppRole"],
        demo["users"]["ci-bot"],
        demo["roles"]["SecretReader"],
    }
    assert legacy["kms_key"] is None  # aws/secretsmanager: no KmsKeyId
    assert legacy["resource_policy"] is not None

    [key] = demo_snapshot.data["kms_keys"]
    assert key["arn"] == demo["kms_key"]["arn"]
    assert key["manager"] == "CUSTOMER"
    assert key["aliases"] == ["alias/prod-secrets"]
    assert key["tags"] == {"team": "payments"}
    assert key["key_policy"]["Id"] == "prod-secrets-key"

    world = demo_snapshot.world
    assert world.secret_key(world.secret(db["arn"])).manager == "CUSTOMER"  # type: ignore[arg-type]
    legacy_key = world.secret_key(world.secret(legacy["arn"]))  # type: ignore[arg-type]
    assert legacy_key.manager == "AWS" and legacy_key.aliases == ("alias/aws/secretsmanager",)


def test_demo_import_principals(aws: tuple[StandIn, dict[str, Any]], demo_snapshot: Snapshot) -> None:
    _, demo = aws
    principals = demo_snapshot.data["principals"]
    users = {u["arn"]: u for u in principals["users"]}
    roles = {r["arn"]: r for r in principals["roles"]}
    bot = users[demo["users"]["ci-bot"]]
    assert bot["tags"] == {"team": "payments"}
    assert bot["user_id"]
    [policy] = bot["policies"]
    assert {s["Sid"] for s in policy["Statement"]} == {
        "ReadProdSecrets",
        "DecryptWithProdKeys",
        "BecomeSecretReader",
    }
    reader = roles[demo["roles"]["SecretReader"]]
    apps_root = f"arn:aws:iam::{demo['accounts']['apps']}:root"
    assert reader["trust_policy"]["Statement"][0]["Principal"] == {"AWS": apps_root}
    assert reader["policies"][0]["Statement"][1]["Resource"] == demo["kms_key"]["arn"]
    assert reader["service_linked"] is False
    app_role = roles[demo["roles"]["AppRole"]]
    assert app_role["tags"] == {"team": "payments"}
    assert app_role["role_id"]


def test_imported_world_answers_who_can_read(
    aws: tuple[StandIn, dict[str, Any]], demo_snapshot: Snapshot
) -> None:
    """The imported world decides like any scenario: AppRole reads prod/db (customer managed key
    shared with apps) but not prod/legacy (aws/secretsmanager cannot be used from another account)."""
    _, demo = aws
    world = demo_snapshot.world

    def decide(principal: str, secret: str) -> str:
        request = {"principal": principal, "action": "secretsmanager:GetSecretValue", "resource": secret}
        return authorize(world, request).decision

    assert decide(demo["roles"]["AppRole"], demo["secrets"]["prod/db"]) == "allow"
    assert decide(demo["roles"]["AppRole"], demo["secrets"]["prod/legacy"]) == "deny"
    assert decide(demo["roles"]["SecretReader"], demo["secrets"]["prod/legacy"]) == "allow"


# -- read only, proven by the operation record


def test_operations_are_all_read_only(demo_snapshot: Snapshot) -> None:
    operations = demo_snapshot.operations
    assert operations, "the import records its operations"
    assert set(operations) <= READ_OPERATIONS
    assert not set(operations) & VALUE_READS
    assert not [op for op in operations if op.split(":", 1)[1].startswith(MUTATING)]
    for expected in (
        "sts:AssumeRole",
        "iam:GetAccountAuthorizationDetails",
        "secretsmanager:ListSecrets",
        "secretsmanager:GetResourcePolicy",
        "kms:GetKeyPolicy",
        "organizations:ListTargetsForPolicy",
    ):
        assert expected in operations


def test_guard_refuses_before_anything_is_sent() -> None:
    """Nothing listens on port 9: a request that was sent would fail with a connection error."""
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    client = session.client("secretsmanager", endpoint_url="http://127.0.0.1:9")
    sent: list[str] = []
    client.meta.events.register("before-send", lambda request, **_: sent.append(request.url))
    record = guard(client)
    with pytest.raises(ForbiddenOperation) as caught:
        client.get_secret_value(SecretId="prod/db")
    assert caught.value.operation == "secretsmanager:GetSecretValue"
    with pytest.raises(ForbiddenOperation):
        client.batch_get_secret_value(SecretIdList=["prod/db"])
    with pytest.raises(ForbiddenOperation):
        client.create_secret(Name="x", SecretString="y")
    with pytest.raises(ForbiddenOperation):  # refused even before parameter validation
        client.delete_secret()
    assert sent == []
    assert record == [
        "secretsmanager:GetSecretValue",
        "secretsmanager:BatchGetSecretValue",
        "secretsmanager:CreateSecret",
        "secretsmanager:DeleteSecret",
    ]


def test_guard_lets_read_operations_through(aws: tuple[StandIn, dict[str, Any]]) -> None:
    standin, demo = aws
    session = standin.account_session(demo["accounts"]["prod"])
    client = standin.client("secretsmanager", session=session)
    record = guard(client)
    names = {s["Name"] for s in client.list_secrets()["SecretList"]}
    assert names == {"prod/db", "prod/legacy"}
    with pytest.raises(ForbiddenOperation):
        client.get_secret_value(SecretId="prod/db")
    assert record == ["secretsmanager:ListSecrets", "secretsmanager:GetSecretValue"]


# -- partial access


def test_access_denied_on_one_call_is_a_gap(aws: tuple[StandIn, dict[str, Any]]) -> None:
    standin, demo = aws
    prod = demo["accounts"]["prod"]
    session = _fresh_session(standin, prod)
    _deny(session, "organizations.ListRoots")  # a member account, as in AWS
    _deny(session, "kms.GetKeyPolicy")
    _deny(session, "secrets-manager.GetResourcePolicy", when=lambda p: "legacy" in p["SecretId"])
    snap = snapshot(sessions=[session], endpoint_url=standin.endpoint_url)
    key_arn, legacy = demo["kms_key"]["arn"], demo["secrets"]["prod/legacy"]
    assert {(g["resource"], g["operation"], g["error"]) for g in snap.gaps} == {
        (prod, "organizations:ListRoots", "AccessDeniedException"),
        (key_arn, "kms:GetKeyPolicy", "AccessDeniedException"),
        (legacy, "secretsmanager:GetResourcePolicy", "AccessDeniedException"),
    }
    assert all(g["what"] for g in snap.gaps)
    # the import went on: the rest is there, the unreadable parts are null
    [key] = snap.data["kms_keys"]
    assert key["key_policy"] is None and key["aliases"] == ["alias/prod-secrets"]
    secrets = {s["name"]: s for s in snap.data["secrets"]}
    assert secrets["prod/legacy"]["resource_policy"] is None
    assert secrets["prod/db"]["resource_policy"] is not None
    assert snap.data["principals"]["roles"]
    world = snap.world
    assert [g.operation for g in world.gaps_for([key_arn])] == ["kms:GetKeyPolicy"]


def test_unreadable_organization_and_unassumable_role_are_gaps(aws: tuple[StandIn, dict[str, Any]]) -> None:
    standin, demo = aws
    base = standin.session()
    prod, apps = demo["accounts"]["prod"], demo["accounts"]["apps"]
    _deny(base, "sts.AssumeRole", when=lambda p: apps in p["RoleArn"], code="AccessDenied")
    roles = [f"arn:aws:iam::{a}:role/{ACCESS_ROLE}" for a in (prod, apps)]
    snap = snapshot(session=base, role_arns=roles, endpoint_url=standin.endpoint_url, regions=("us-east-1",))
    assert (roles[1], "sts:AssumeRole", "AccessDenied") in {
        (g["resource"], g["operation"], g["error"]) for g in snap.gaps
    }
    assert {a["id"] for a in snap.data["accounts"]} >= {prod}
    assert all(s["account"] != apps for s in snap.data["secrets"])

    member = _fresh_session(standin, prod)
    _deny(member, "organizations.ListRoots")  # a member account may not read the tree, as in AWS
    snap = snapshot(sessions=[member], endpoint_url=standin.endpoint_url)
    assert "organization" not in snap.data
    [account] = snap.data["accounts"]
    assert account["org_id"] == demo["organization_id"]  # DescribeOrganization works for members
    assert len(snap.gaps) == 1, snap.gaps
    [gap] = snap.gaps
    assert gap["resource"] == prod and gap["operation"] == "organizations:ListRoots"
    assert snap.world.gaps_for([prod])


def test_refused_credentials_stop_the_import(aws: tuple[StandIn, dict[str, Any]]) -> None:
    """No policy can deny GetCallerIdentity: its error means bad credentials, not a gap."""
    standin, _ = aws
    session = standin.session()
    _deny(session, "sts.GetCallerIdentity", code="ExpiredToken")
    with pytest.raises(ClientError, match="ExpiredToken"):
        snapshot(sessions=[session], endpoint_url=standin.endpoint_url)


# -- pagination, Regions, progress


def test_pagination_follows_every_page(aws: tuple[StandIn, dict[str, Any]]) -> None:
    standin, demo = aws
    region = "eu-west-1"  # its own Region: the demo stays as seeded
    session = _fresh_session(standin, demo["accounts"]["apps"], region)
    sm = standin.client("secretsmanager", region=region, session=session)
    kms = standin.client("kms", region=region, session=session)
    for i in range(23):
        sm.create_secret(Name=f"app/s{i:02d}", SecretString="placeholder")
    for _ in range(7):
        kms.create_key(Description="page")

    def small_pages(params: dict[str, Any], model: Any, **_: Any) -> None:
        field = {"ListSecrets": "MaxResults", "ListKeys": "Limit", "ListAliases": "Limit"}.get(model.name)
        if field:
            params[field] = 3

    session.events.register("provide-client-params", small_pages)
    _deny(session, "organizations.ListRoots")
    snap = snapshot(sessions=[session], regions=(region,), endpoint_url=standin.endpoint_url)
    names = sorted(s["name"] for s in snap.data["secrets"])
    assert names == [f"app/s{i:02d}" for i in range(23)]
    assert len(snap.data["kms_keys"]) == 7
    assert [g["operation"] for g in snap.gaps] == ["organizations:ListRoots"]
    assert snap.operations.count("secretsmanager:ListSecrets") == 8  # ceil(23 / 3)
    # moto ignores Limit on kms:ListKeys (and MaxItems on GetAccountAuthorizationDetails): one page


def test_several_regions_and_progress(aws: tuple[StandIn, dict[str, Any]]) -> None:
    standin, demo = aws
    steps: list[tuple[int, int]] = []
    snap = _import(
        standin, demo, regions=("us-east-1", "us-west-2"), progress=lambda d, t: steps.append((d, t))
    )
    total = 3 * (1 + 2) + 1  # per account: IAM + each Region; then the organization
    assert steps == [(i, total) for i in range(1, total + 1)]
    assert len(snap.data["secrets"]) == 2  # us-west-2 is empty
    assert snap.operations.count("secretsmanager:ListSecrets") == 6


def test_profiles(
    aws: tuple[StandIn, dict[str, Any]], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    standin, _ = aws
    (tmp_path / "config").write_text(
        f"[profile lab]\nregion = us-east-1\nendpoint_url = {standin.endpoint_url}\n", encoding="utf-8"
    )
    (tmp_path / "credentials").write_text(
        "[lab]\naws_access_key_id = testing\naws_secret_access_key = testing\n", encoding="utf-8"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    snap = snapshot(profiles=["lab"])  # the endpoint comes from the profile
    assert [a["id"] for a in snap.data["accounts"] if a["name"] == "master"] == ["123456789012"]
    assert "secretsmanager:ListSecrets" in snap.operations


# -- snapshots as scenario files


def test_save_and_load(demo_snapshot: Snapshot, tmp_path: Any) -> None:
    path = tmp_path / "snapshot.json"
    demo_snapshot.save(path)
    text = path.read_text(encoding="utf-8")
    assert "placeholder" not in text and "testing" not in text  # no value, no credential
    loaded = load_snapshot(path)
    assert loaded.data == demo_snapshot.data
    assert loaded.operations == ()
    assert loaded.world.to_dict() == demo_snapshot.world.to_dict()
    assert load_scenario(path).to_dict() == demo_snapshot.world.to_dict()
    wrapped = tmp_path / "scenario.json"
    wrapped.write_text(json.dumps({"title": "t", "world": demo_snapshot.data}), encoding="utf-8")
    assert load_snapshot(wrapped).data == demo_snapshot.data


# -- the importer's IAM policy, evaluated by secretslab itself

A, B = "111111111111", "222222222222"
IMPORTER = f"arn:aws:iam::{A}:user/importer"
SECRET = f"arn:aws:secretsmanager:us-east-1:{A}:secret:prod/db-AbC123"
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = f"arn:aws:iam::{B}:role/SecretslabImport"
RESOURCE = {
    "iam:GetPolicy": f"arn:aws:iam::{A}:policy/app",
    "iam:GetPolicyVersion": f"arn:aws:iam::{A}:policy/app",
    "secretsmanager:DescribeSecret": SECRET,
    "secretsmanager:GetResourcePolicy": SECRET,
    "kms:DescribeKey": KEY,
    "kms:GetKeyPolicy": KEY,
    "kms:ListResourceTags": KEY,
    "kms:ListGrants": KEY,
    "sts:AssumeRole": ROLE,
}


def _policy_world(*extra: dict[str, Any]) -> World:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    return World.from_dict(
        {
            "principals": {
                "users": [{"arn": IMPORTER, "policies": [importer_policy(), *extra]}],
                "roles": [{"arn": ROLE, "trust_policy": trust, "policies": [importer_policy()]}],
            },
            "secrets": [{"arn": SECRET, "kms_key": KEY}],
            "kms_keys": [{"arn": KEY}],  # the default key policy: IAM policies decide
        }
    )


def test_importer_policy_allows_every_read_operation() -> None:
    """Each operation's action and resource type as the Service Authorization Reference lists them
    (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html),
    decided by secretslab's own evaluator (semantics §8)."""
    world = _policy_world()
    assert world.problems == ()
    for operation in sorted(READ_OPERATIONS):
        request = {
            "principal": IMPORTER,
            "action": iam_action(operation),
            "resource": RESOURCE.get(operation, "*"),
        }
        decision = authorize(world, request)
        assert decision.allowed, (operation, decision.reason)
    # and, through the role, in the other account
    chain = {"principal": IMPORTER, "assume_role_chain": [{"role_arn": ROLE, "session_name": "import"}]}
    assert authorize(
        world, {**chain, "action": "iam:GetAccountAuthorizationDetails", "resource": "*"}
    ).allowed


def test_importer_policy_covers_what_the_import_called(demo_snapshot: Snapshot) -> None:
    world = _policy_world()
    for operation in sorted(set(demo_snapshot.operations)):
        request = {
            "principal": IMPORTER,
            "action": iam_action(operation),
            "resource": RESOURCE.get(operation, "*"),
        }
        assert authorize(world, request).allowed, operation


@pytest.mark.parametrize("with_admin", [False, True], ids=["alone", "next-to-admin"])
def test_importer_policy_never_reads_or_changes_a_secret(with_admin: bool) -> None:
    admin = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    world = _policy_world(*([admin] if with_admin else []))
    refused = [
        ("secretsmanager:GetSecretValue", SECRET, {}),
        ("secretsmanager:BatchGetSecretValue", "*", {"SecretIdList": [SECRET]}),
    ]
    if not with_admin:  # alone, the policy allows nothing but reads
        refused += [
            ("secretsmanager:PutSecretValue", SECRET, {"SecretString": True}),
            ("secretsmanager:DeleteSecret", SECRET, {}),
            ("kms:Decrypt", KEY, {}),
        ]
    for action, resource, parameters in refused:
        request = {"principal": IMPORTER, "action": action, "resource": resource, "parameters": parameters}
        decision = authorize(world, request)
        assert not decision.allowed, action
        if action in VALUE_READS:
            assert decision.reason.name == "EXPLICIT_DENY_IDENTITY", action


def test_importer_policy_shape() -> None:
    policy = importer_policy()
    assert policy["Version"] == "2012-10-17"
    allowed = {a for s in policy["Statement"] if s["Effect"] == "Allow" for a in s["Action"]}
    assert allowed == {iam_action(op) for op in READ_OPERATIONS}
    denied = {a for s in policy["Statement"] if s["Effect"] == "Deny" for a in s["Action"]}
    assert denied == VALUE_READS
    assert not any(a.endswith("*") for a in allowed)
    scoped = importer_policy(role_arns=[ROLE])
    [assume] = [s for s in scoped["Statement"] if "sts:AssumeRole" in s["Action"]]
    assert assume["Resource"] == ROLE


def test_import_is_quick(aws: tuple[StandIn, dict[str, Any]]) -> None:
    standin, demo = aws
    start = time.perf_counter()
    snap = _import(standin, demo)
    elapsed = time.perf_counter() - start
    assert elapsed < 10, elapsed
    assert len(snap.operations) < 60, len(snap.operations)


def test_exercise_06_checks_answers_on_the_imported_demo(demo_snapshot: Snapshot) -> None:
    from secretslab.exercises import check_06

    world = demo_snapshot.world
    apps = next(a.id for a in world.accounts if a.name == "apps")
    ci_bot = f"arn:aws:iam::{apps}:user/ci-bot"
    app_role = f"arn:aws:sts::{apps}:assumed-role/AppRole/session"
    right = check_06(ci_bot, world)
    assert right.startswith("Right") and "not directly" in right and "SecretReader" in right
    assert check_06(None, world).startswith("Not yet")
    assert "named in the question" in check_06(app_role, world)
    assert "does not reach" in check_06(f"arn:aws:iam::{apps}:user/nobody", world)
    assert "a str" in check_06(42, world)
    assert "imported from the stand-in" in check_06(ci_bot, None)


def test_exercise_06_matches_a_role_arn_to_its_sessions(demo_snapshot: Snapshot) -> None:
    from secretslab.exercises import check_06

    world = demo_snapshot.world
    apps = next(a.id for a in world.accounts if a.name == "apps")
    # the role signs as its sessions, so its ARN (or another session's) names the same principal
    for app_role in (f"arn:aws:iam::{apps}:role/AppRole", f"arn:aws:sts::{apps}:assumed-role/AppRole/other"):
        assert "named in the question" in check_06(app_role, world)


def test_exercise_06_says_why_the_aws_managed_key_lets_the_role_decrypt(demo_snapshot: Snapshot) -> None:
    # the key policy of aws/secretsmanager allows "*" under kms:CallerAccount and kms:ViaService:
    # https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
    from secretslab.exercises import check_06

    world = demo_snapshot.world
    apps = next(a.id for a in world.accounts if a.name == "apps")
    right = check_06(f"arn:aws:iam::{apps}:user/ci-bot", world)
    assert "kms:CallerAccount" in right and "kms:ViaService" in right
    assert "aws/secretsmanager trusts it" not in right


# -- KMS grants (semantics §9.10)


def test_imported_grants_are_evaluated(aws: tuple[StandIn, dict[str, Any]]) -> None:
    """ListGrants's data becomes the key's grants in the world, and a grant is evaluated: the
    grantee may decrypt with the constrained encryption context and with no IAM permission
    (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html)."""
    standin, demo = aws
    region = "ap-southeast-2"  # its own Region: the demo stays as seeded
    account = demo["accounts"]["apps"]
    session = _fresh_session(standin, account, region)
    iam = standin.client("iam", region=region, session=session)
    kms = standin.client("kms", region=region, session=session)
    user = iam.create_user(UserName="grantee-of-a-grant")["User"]["Arn"]
    key = kms.create_key(Description="granted")["KeyMetadata"]["Arn"]
    grant_id = kms.create_grant(
        KeyId=key,
        GranteePrincipal=user,
        Operations=["Decrypt"],
        Constraints={"EncryptionContextSubset": {"team": "payments"}},
        Name="payments-reader",
    )["GrantId"]
    _deny(session, "organizations.ListRoots")
    try:
        snap = snapshot(sessions=[session], regions=(region,), endpoint_url=standin.endpoint_url)
    finally:
        iam.delete_user(UserName="grantee-of-a-grant")  # the IAM part of the demo stays as seeded
    [entry] = [k for k in snap.data["kms_keys"] if k["arn"] == key]
    assert [(g["GrantId"], g["GranteePrincipal"], g["Operations"]) for g in entry["grants"]] == [
        (grant_id, user, ["Decrypt"])
    ]
    world = snap.world
    request = {"principal": user, "action": "kms:Decrypt", "resource": key}
    allowed = authorize(world, {**request, "context": {"kms:EncryptionContext:team": "payments"}})
    assert allowed.allowed and allowed.reason.value == "ALLOWED_BY_GRANT"
    assert allowed.deciding_policy == f"KMS grant {grant_id} (payments-reader)"
    assert not authorize(world, {**request, "context": {"kms:EncryptionContext:team": "ops"}}).allowed


def test_a_grant_the_world_cannot_read_is_a_gap_not_a_lost_import() -> None:
    """Issue #9: one bad item of an imported account becomes a gap; here a grant with an operation
    KMS does not have (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html#terms-grant-operations)
    beside a good one, which is kept."""
    from secretslab.aws.import_calls import Reader

    reader = Reader(("us-east-1",), None, None)
    good = {
        "GrantId": "g1",
        "GranteePrincipal": "arn:aws:iam::111111111111:role/App",
        "Operations": ["Decrypt"],
    }
    bad = {**good, "GrantId": "g2", "Operations": ["Teleport"]}
    key = "arn:aws:kms:us-east-1:111111111111:key/k"
    assert reader.grants([good, bad], key) == [good]
    assert [(g["resource"], g["operation"]) for g in reader.gaps] == [(key, "kms:ListGrants")]
    assert "g2" in reader.gaps[0]["what"] and reader.gaps[0]["error"].startswith("InvalidGrant")
