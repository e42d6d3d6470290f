"""Whole-world findings (``secretslab.analyzer``): each check fires on the risky world with its
stable code, severity and JSON path, and stays silent on the safe variant next to it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from secretslab import World
from secretslab.analyzer import CATALOGUE, Finding, FindingCode, Severity, findings
from secretslab.policy.refs import PolicyRef, Slot
from secretslab.world.scenario import load_scenario

from .conftest import ROOT, public_cases

A, B, C = "111111111111", "222222222222", "333333333333"
SECRET = f"arn:aws:secretsmanager:us-east-1:{A}:secret:prod/db-AbC123"
CMK = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-0000-4000-8000-00000000c0de"
AWS_KEY = f"arn:aws:kms:us-east-1:{A}:key/aws-managed-secretsmanager-0001"
APP_ROLE = f"arn:aws:iam::{B}:role/AppRole"
SECRET_POLICY = "$.secrets[0].resource_policy.Statement[0]"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(principal: Any, action: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*", **extra}


def _keys() -> list[dict[str, Any]]:
    return [
        {"arn": CMK, "manager": "CUSTOMER", "aliases": ["alias/prod-secrets"]},
        {"arn": AWS_KEY, "manager": "AWS", "aliases": ["alias/aws/secretsmanager"]},
    ]


def _world(
    policy: dict[str, Any] | None = None,
    *,
    kms_key: str | None = CMK,
    keys: list[dict[str, Any]] | None = None,
    principals: dict[str, Any] | None = None,
) -> World:
    """One secret of account A with ``policy``; keys default to a CMK and aws/secretsmanager,
    both with their default key policies (§9.3, §9.6)."""
    secret: dict[str, Any] = {"arn": SECRET, "kms_key": kms_key, "resource_policy": policy}
    return World.from_dict(
        {
            "accounts": [{"id": A}, {"id": B}],
            "principals": principals or {},
            "secrets": [secret],
            "kms_keys": _keys() if keys is None else keys,
        }
    )


def _codes(world: World, code: str) -> list[tuple[Severity, str, str]]:
    return [(f.severity, f.location, f.resource) for f in findings(world) if f.code == code]


def _trust(trust: dict[str, Any]) -> World:
    role = {"arn": f"arn:aws:iam::{A}:role/Deployer", "trust_policy": trust}
    return World.from_dict({"accounts": [{"id": A}], "principals": {"roles": [role]}})


def _identity(kind: str, statement: dict[str, Any]) -> World:
    arn = f"arn:aws:iam::{A}:{kind[:-1]}/someone"
    entity = {"arn": arn, "policies": [_doc(statement)]}
    return World.from_dict({"accounts": [{"id": A}], "principals": {kind: [entity]}})


def _read(resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": resource, **extra}


# -- PUBLIC_SECRET_POLICY (§3.11)


def test_public_secret_policy_fires_when_principal_star_has_no_condition() -> None:
    """§3.11: Principal "*" with no pinning condition is what BlockPublicPolicy refuses;
    https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html"""
    world = _world(_doc(_allow("*", "secretsmanager:GetSecretValue")))
    assert _codes(world, "PUBLIC_SECRET_POLICY") == [(Severity.HIGH, SECRET_POLICY, SECRET)]


def test_public_secret_policy_is_silent_when_org_id_is_pinned() -> None:
    """§3.11: aws:PrincipalOrgID pinned to a fixed value makes "*" non-public;
    https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html"""
    pinned = {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg1"}}
    world = _world(_doc(_allow("*", "secretsmanager:GetSecretValue", Condition=pinned)))
    assert _codes(world, "PUBLIC_SECRET_POLICY") == []


def test_public_secret_policy_fires_when_the_pinning_value_is_a_wildcard() -> None:
    """§3.11: only fixed values pin; "o-*" matches every organization."""
    loose = {"StringLike": {"aws:PrincipalOrgID": "o-*"}}
    world = _world(_doc(_allow({"AWS": "*"}, "secretsmanager:GetSecretValue", Condition=loose)))
    assert [c for c, _, _ in _codes(world, "PUBLIC_SECRET_POLICY")] == [Severity.HIGH]


def test_public_secret_policy_location_has_no_index_when_statement_is_an_object() -> None:
    """§1.1 locations follow the document: a single Statement object has no [i]
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_statement.html)."""
    policy = {"Version": "2012-10-17", "Statement": _allow("*", "secretsmanager:GetSecretValue")}
    locations = [loc for _, loc, _ in _codes(_world(policy), "PUBLIC_SECRET_POLICY")]
    assert locations == ["$.secrets[0].resource_policy.Statement"]


# -- CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY (§9.6, §10.5)


@pytest.mark.parametrize("kms_key", [AWS_KEY, None], ids=["listed-aws-key", "no-kms-key"])
def test_aws_managed_key_grant_fires_when_another_account_may_read(kms_key: str | None) -> None:
    """§9.6: aws/secretsmanager admits only its own account, so a cross-account read can never work;
    https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html"""
    world = _world(_doc(_allow({"AWS": APP_ROLE}, "secretsmanager:GetSecretValue")), kms_key=kms_key)
    got = _codes(world, "CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY")
    assert got == [(Severity.MEDIUM, SECRET_POLICY, SECRET)]
    (finding,) = [f for f in findings(world) if f.code == "CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY"]
    assert APP_ROLE in finding.message
    assert "customer managed key" in finding.hint


def test_aws_managed_key_grant_fires_when_a_wildcard_action_covers_put_secret_value() -> None:
    """§10.2: PutSecretValue needs kms:GenerateDataKey on the secret's key; §9.6 refuses it."""
    world = _world(_doc(_allow({"AWS": B}, "secretsmanager:Put*")), kms_key=None)
    assert len(_codes(world, "CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY")) == 1


def test_aws_managed_key_grant_is_silent_when_the_key_is_customer_managed() -> None:
    """§10.5: a customer managed key whose key policy allows the principal is the working recipe;
    https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html"""
    world = _world(_doc(_allow({"AWS": APP_ROLE}, "secretsmanager:GetSecretValue")), kms_key=CMK)
    assert _codes(world, "CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY") == []


def test_aws_managed_key_grant_is_silent_when_the_grantee_is_in_the_same_account() -> None:
    """§9.6: every principal of the owner account may use aws/secretsmanager through Secrets Manager."""
    reader = f"arn:aws:iam::{A}:role/Reader"
    world = _world(_doc(_allow({"AWS": reader}, "secretsmanager:GetSecretValue")), kms_key=AWS_KEY)
    assert _codes(world, "CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY") == []


def test_aws_managed_key_grant_is_silent_when_the_action_needs_no_kms() -> None:
    """§10.5: DescribeSecret and other metadata operations make no KMS call (table §10.2)."""
    world = _world(_doc(_allow({"AWS": APP_ROLE}, "secretsmanager:DescribeSecret")), kms_key=AWS_KEY)
    assert _codes(world, "CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY") == []


# -- KEY_POLICY_LOCKS_OUT_ACCOUNT (§9.1, §9.2)


def _key_world(policy: dict[str, Any], manager: str = "CUSTOMER") -> World:
    key = {"arn": CMK, "manager": manager, "key_policy": policy}
    return _world(None, keys=[key])


def test_key_lockout_fires_when_the_policy_names_only_another_account() -> None:
    """§9.1–9.2: without the owner account principal, IAM policies of the account count for nothing;
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"""
    world = _key_world(_doc(_allow({"AWS": APP_ROLE}, "kms:Decrypt")))
    assert _codes(world, "KEY_POLICY_LOCKS_OUT_ACCOUNT") == [
        (Severity.MEDIUM, "$.kms_keys[0].key_policy", CMK)
    ]


def test_key_lockout_is_silent_when_the_enable_iam_statement_is_present() -> None:
    """§9.3: the default key policy's "Enable IAM User Permissions" statement delegates to IAM;
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"""
    world = _key_world(
        _doc(_allow({"AWS": f"arn:aws:iam::{A}:root"}, "kms:*"), _allow({"AWS": B}, "kms:Decrypt"))
    )
    assert _codes(world, "KEY_POLICY_LOCKS_OUT_ACCOUNT") == []


def test_key_lockout_is_silent_when_a_principal_of_the_account_is_named() -> None:
    """§9.4 a: a key administrator role of the owner account, named directly, keeps the key manageable."""
    world = _key_world(_doc(_allow({"AWS": f"arn:aws:iam::{A}:role/KeyAdmin"}, "kms:*")))
    assert _codes(world, "KEY_POLICY_LOCKS_OUT_ACCOUNT") == []


def test_key_lockout_is_silent_for_aws_managed_keys() -> None:
    """§9.6: AWS writes and owns the managed key's policy; there is nothing to fix."""
    world = _key_world(_doc(_allow({"AWS": APP_ROLE}, "kms:Decrypt")), manager="AWS")
    assert _codes(world, "KEY_POLICY_LOCKS_OUT_ACCOUNT") == []


# -- CROSS_ACCOUNT_PUT_RESOURCE_POLICY (§10.7)


@pytest.mark.parametrize(
    "action", ["secretsmanager:PutResourcePolicy", "secretsmanager:*", "*", "secretsmanager:Put*"]
)
def test_put_resource_policy_fires_when_another_account_gets_it(action: str) -> None:
    """§10.7: a grantee of PutResourcePolicy, even cross-account, can rewrite the policy;
    https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html"""
    world = _world(_doc(_allow({"AWS": f"arn:aws:iam::{B}:root"}, action)))
    assert _codes(world, "CROSS_ACCOUNT_PUT_RESOURCE_POLICY") == [(Severity.HIGH, SECRET_POLICY, SECRET)]


def test_put_resource_policy_fires_when_star_is_pinned_only_to_the_organization() -> None:
    """§10.7 with §3.11: aws:PrincipalOrgID makes "*" non-public, yet every account of the
    organization may still rewrite the policy."""
    org = {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg1"}}
    world = _world(_doc(_allow("*", "secretsmanager:*", Condition=org)))
    assert len(_codes(world, "CROSS_ACCOUNT_PUT_RESOURCE_POLICY")) == 1
    assert _codes(world, "PUBLIC_SECRET_POLICY") == []


def test_put_resource_policy_is_silent_when_star_is_confined_to_the_owner_account() -> None:
    """§10.7: aws:PrincipalAccount equal to the owner keeps policy management in the account
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)."""
    own = {"StringEquals": {"aws:PrincipalAccount": A}}
    world = _world(_doc(_allow("*", "secretsmanager:*", Condition=own)))
    assert _codes(world, "CROSS_ACCOUNT_PUT_RESOURCE_POLICY") == []


def test_put_resource_policy_is_silent_when_the_grantee_is_in_the_same_account() -> None:
    """§10.7 concerns other accounts; a same-account admin role is ordinary."""
    world = _world(_doc(_allow({"AWS": f"arn:aws:iam::{A}:role/Admin"}, "secretsmanager:*")))
    assert _codes(world, "CROSS_ACCOUNT_PUT_RESOURCE_POLICY") == []


def test_put_resource_policy_is_silent_when_another_account_only_reads() -> None:
    """§10.5: the cross-account recipe grants GetSecretValue only."""
    world = _world(_doc(_allow({"AWS": APP_ROLE}, "secretsmanager:GetSecretValue")))
    assert _codes(world, "CROSS_ACCOUNT_PUT_RESOURCE_POLICY") == []


# -- IDENTITY_READS_ALL_SECRETS (§3.8)


@pytest.mark.parametrize(
    "resource",
    [
        "*",
        "arn:aws:secretsmanager:*",
        f"arn:aws:secretsmanager:*:{A}:secret:*",
        "arn:*:secretsmanager:*:*:secret:*",
    ],
)
def test_identity_reads_all_fires_when_resource_covers_every_secret(resource: str) -> None:
    """§3.8: in an identity policy "*" is every resource; Access Analyzer flags such broad grants
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html)."""
    world = _identity("users", _read(resource))
    user = f"arn:aws:iam::{A}:user/someone"
    want = [(Severity.MEDIUM, "$.principals.users[0].policies[0].Statement[0]", user)]
    assert _codes(world, "IDENTITY_READS_ALL_SECRETS") == want


@pytest.mark.parametrize("kind", ["groups", "roles"])
def test_identity_reads_all_fires_for_groups_and_roles(kind: str) -> None:
    """§1.1: groups' and roles' policies are identity policies too; ``secretsmanager:Get*`` covers
    GetSecretValue (§4.1)."""
    statement = {"Effect": "Allow", "Action": "secretsmanager:Get*", "Resource": "*"}
    locations = [loc for _, loc, _ in _codes(_identity(kind, statement), "IDENTITY_READS_ALL_SECRETS")]
    assert locations == [f"$.principals.{kind}[0].policies[0].Statement[0]"]


def test_identity_reads_all_fires_when_not_resource_excludes_only_some() -> None:
    """§4.4: Allow with NotResource grants everything not listed."""
    statement = {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "NotResource": SECRET}
    assert len(_codes(_identity("users", statement), "IDENTITY_READS_ALL_SECRETS")) == 1


@pytest.mark.parametrize(
    "statement",
    [
        _read(f"arn:aws:secretsmanager:us-east-1:{A}:secret:prod/*"),
        _read(f"arn:aws:secretsmanager:*:{A}:secret:${{aws:username}}/*"),
        _read("*", Condition={"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}),
        {"Effect": "Allow", "Action": "secretsmanager:DescribeSecret", "Resource": "*"},
        {"Effect": "Deny", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
    ],
    ids=["prefix", "variable", "condition", "metadata-only", "deny"],
)
def test_identity_reads_all_is_silent_when_the_read_is_scoped(statement: dict[str, Any]) -> None:
    """§4.3, §6: a prefix, a policy variable or a condition scopes the read (ABAC,
    https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_abac.html)."""
    assert _codes(_identity("users", statement), "IDENTITY_READS_ALL_SECRETS") == []


# -- TRUST_OTHER_ACCOUNT_WITHOUT_CONDITION (§11.2)


@pytest.mark.parametrize("principal", [{"AWS": f"arn:aws:iam::{C}:root"}, {"AWS": C}, "*"])
def test_trust_fires_when_another_account_may_assume_without_condition(principal: Any) -> None:
    """§11.2: cross-account trust with no condition is the confused-deputy setup;
    https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"""
    trust = _doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})
    role = f"arn:aws:iam::{A}:role/Deployer"
    want = [(Severity.MEDIUM, "$.principals.roles[0].trust_policy.Statement[0]", role)]
    assert _codes(_trust(trust), "TRUST_OTHER_ACCOUNT_WITHOUT_CONDITION") == want


@pytest.mark.parametrize(
    "statement",
    [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{C}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "Unique-Id-1234"}},
        },
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"},
    ],
    ids=["external-id", "same-account", "service"],
)
def test_trust_is_silent_when_conditioned_or_not_cross_account(statement: dict[str, Any]) -> None:
    """§11.2: sts:ExternalId answers the confused deputy; same-account and service trust are not
    cross-account (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html)."""
    assert _codes(_trust(_doc(statement)), "TRUST_OTHER_ACCOUNT_WITHOUT_CONDITION") == []


# -- INVALID_POLICY (§3.4)


def test_invalid_policy_fires_once_per_policy_and_other_checks_skip_it() -> None:
    """§3.4: AWS rejects a group principal (and every other error); the engine ignores the policy,
    so one INVALID_POLICY replaces the findings its statements would give
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html)."""
    group = {"AWS": f"arn:aws:iam::{A}:group/devs"}
    policy = _doc(_allow(group, "secretsmanager:GetSecretValue"), {**_allow("*", "*"), "Effect": "allow"})
    found = findings(_world(policy))
    assert [(f.code, f.severity, f.location, f.resource) for f in found] == [
        ("INVALID_POLICY", Severity.HIGH, "$.secrets[0].resource_policy", SECRET)
    ]
    assert "GROUP_PRINCIPAL" in found[0].message and "INVALID_EFFECT" in found[0].message


def test_invalid_policy_locates_identity_policies_of_roles() -> None:
    """§3.4, §1.1: the finding points at the policy inside the world document, as World.problems does."""
    world = _identity("roles", {"Effect": "Allow", "Action": "secretsmanager", "Resource": "*"})
    errors = [p.json_path for p in world.problems if p.is_error]
    assert errors and all(e.startswith("$.principals.roles[0].policies[0]") for e in errors)
    assert _codes(world, "INVALID_POLICY") == [
        (Severity.HIGH, "$.principals.roles[0].policies[0]", f"arn:aws:iam::{A}:role/someone")
    ]


def test_invalid_policy_is_silent_when_policies_only_have_warnings() -> None:
    """§3.4: warnings (missing Version, Principal "*" in a trust policy) do not make AWS reject a policy."""
    trust = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}
    assert _codes(_trust(trust), "INVALID_POLICY") == []


# -- the whole list


def test_findings_are_sorted_by_severity_then_location() -> None:
    """Access Analyzer lists the most severe first; indices sort as numbers (secrets[2] < secrets[10])."""
    secrets = [
        {
            "arn": f"arn:aws:secretsmanager:us-east-1:{A}:secret:s{i}-AbC{i:03d}",
            "resource_policy": _doc(_allow("*" if i in (2, 10) else {"AWS": APP_ROLE}, "secretsmanager:*")),
        }
        for i in range(11)
    ]
    world = World.from_dict({"accounts": [{"id": A}], "secrets": secrets})
    found = findings(world)
    ranks = [list(Severity).index(f.severity) for f in found]
    assert ranks == sorted(ranks)
    public = [f.location for f in found if f.code == "PUBLIC_SECRET_POLICY"]
    assert public == [f"$.secrets[{i}].resource_policy.Statement[0]" for i in (2, 10)]


def test_catalogue_codes_have_a_severity_and_a_title() -> None:
    """Stable codes in one catalogue (architecture: tests assert codes, not wording)."""
    assert set(CATALOGUE) == {
        "PUBLIC_SECRET_POLICY",
        "CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY",
        "KEY_POLICY_LOCKS_OUT_ACCOUNT",
        "CROSS_ACCOUNT_PUT_RESOURCE_POLICY",
        "IDENTITY_READS_ALL_SECRETS",
        "TRUST_OTHER_ACCOUNT_WITHOUT_CONDITION",
        "INVALID_POLICY",
        "EXTERNAL_ACCESS",
    }
    assert all(isinstance(sev, Severity) and title for sev, title in CATALOGUE.values())


def test_findings_name_their_policy_by_reference() -> None:
    """Each finding carries the PolicyRef of the policy it is about, so a fix or a UI acts on it
    without parsing its location; a known code given as a plain string becomes its FindingCode."""
    world = _trust(_doc({"Effect": "Allow", "Principal": {"AWS": C}, "Action": "sts:AssumeRole"}))
    (finding,) = findings(world)
    role = f"arn:aws:iam::{A}:role/Deployer"
    assert (finding.code, finding.ref) == (
        FindingCode.TRUST_OTHER_ACCOUNT_WITHOUT_CONDITION,
        PolicyRef(Slot.TRUST, role),
    )
    assert finding.ref is not None and world.policy(finding.ref) is world.roles[0].trust_policy
    assert finding.to_dict()["policy"] == f"{role} trust_policy"
    plain = Finding("INVALID_POLICY", Severity.HIGH, role, "$", "message", "hint")  # type: ignore[arg-type]
    assert plain.code is FindingCode.INVALID_POLICY and "policy" not in plain.to_dict()


def _scenario_files() -> list[Path]:
    return sorted(p for p in (ROOT / "data").glob("*") if p.suffix in (".json", ".yaml", ".yml"))


@pytest.mark.parametrize("path", _scenario_files(), ids=lambda p: p.name)
def test_findings_never_raise_on_scenario_files(path: Path) -> None:
    """Every scenario in data/ lints, and each finding is JSON (§1.1 worlds)."""
    for finding in findings(load_scenario(path)):
        assert isinstance(finding, Finding)
        assert json.loads(json.dumps(finding.to_dict()))["code"] in CATALOGUE


def test_cross_account_read_scenario_reports_the_aws_managed_key_secret() -> None:
    """data/cross-account-read.json: prod/legacy on aws/secretsmanager is granted to AppRole of
    another account, which §9.6 makes impossible; prod/db on a customer managed key is fine."""
    found = findings(load_scenario(ROOT / "data" / "cross-account-read.json"))
    assert [(f.code, f.location) for f in found] == [
        ("CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY", "$.secrets[1].resource_policy.Statement[0]")
    ]


#: one step of a JSON path as ``json_path`` writes it: ``.name``, ``[index]`` or ``['quoted']``
_STEP = re.compile(r"\.([A-Za-z_]\w*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]")
#: the codes whose location is a whole policy document; the others point at one statement
_POLICY_LEVEL = {"INVALID_POLICY", "KEY_POLICY_LOCKS_OUT_ACCOUNT"}


def _steps(location: str) -> list[str | int]:
    assert location.startswith("$"), location
    steps: list[str | int] = []
    pos = 1
    while pos < len(location):
        m = _STEP.match(location, pos)
        assert m, f"{location}: not a JSON path at {location[pos:]!r}"
        name, index, quoted = m.groups()
        steps.append(int(index) if index is not None else name or re.sub(r"\\(.)", r"\1", quoted))
        pos = m.end()
    return steps


def _at(doc: Any, steps: list[str | int]) -> Any:
    for step in steps:
        doc = doc[step]
    return doc


def _check_public_finding(case: dict[str, Any], finding: Finding) -> None:
    """A finding on a case world: catalogued, and located where the world dict holds the policy."""
    where = f"{case['id']} {finding}"
    severity, title = CATALOGUE[finding.code]
    assert (finding.severity, finding.title) == (severity, title), where
    assert finding.message and finding.hint, where
    assert json.loads(json.dumps(finding.to_dict())) == finding.to_dict(), where
    steps = _steps(finding.location)
    target = _at(case["world"], steps)  # a KeyError or IndexError here: the path is not in the world
    if finding.code not in _POLICY_LEVEL:
        assert isinstance(target, dict) and target.get("Effect") == "Allow", where
    if steps[0] in ("secrets", "kms_keys"):
        assert _at(case["world"], steps[:2])["arn"] == finding.resource, where
    elif steps[0] == "principals":
        assert _at(case["world"], steps[:3])["arn"] == finding.resource, where


def test_findings_on_public_case_worlds_are_catalogued_and_located() -> None:
    """Every world of the reference cases (semantics §13) lints; each finding has a catalogued code
    and severity, a message and a hint, and a JSON path that resolves in the case's world dict to
    the statement (or policy) of the resource it names. Findings come most severe first."""
    worlds, codes = 0, set()
    for case in public_cases():
        found = findings(World.from_dict(case["world"]))
        for finding in found:
            _check_public_finding(case, finding)
        ranks = [list(Severity).index(f.severity) for f in found]
        assert ranks == sorted(ranks), case["id"]
        worlds += bool(found)
        codes |= {f.code for f in found}
    assert worlds >= 10, f"only {worlds} public case worlds produce findings"
    assert len(codes) >= 4, f"the public case worlds exercise only {sorted(codes)}"


# -- EXTERNAL_ACCESS: the zone of trust is the organization (issue #10)

ORG_ACCOUNTS = [{"id": A, "org_id": "o-exampleorg1"}, {"id": B, "org_id": "o-exampleorg1"}, {"id": C}]


def _org_world(principal: Any, *, accounts: list[dict[str, Any]] | None = None) -> World:
    policy = _doc(_allow({"AWS": principal}, "secretsmanager:GetSecretValue"))
    secret = {"arn": SECRET, "kms_key": CMK, "resource_policy": policy}
    return World.from_dict(
        {"accounts": ORG_ACCOUNTS if accounts is None else accounts, "secrets": [secret], "kms_keys": _keys()}
    )


@pytest.mark.parametrize(
    "principal",
    [f"arn:aws:iam::{C}:role/PartnerRole", C, f"arn:aws:iam::{C}:root", "arn:aws:iam::444444444444:user/x"],
    ids=["role", "account", "root", "unlisted-account"],
)
def test_external_access_fires_when_a_principal_outside_the_organization_is_named(principal: str) -> None:
    """IAM Access Analyzer reports a secret shared outside its zone of trust, the organization
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html); an account
    the world does not list is outside."""
    got = _codes(_org_world(principal), "EXTERNAL_ACCESS")
    assert got == [(Severity.HIGH, SECRET_POLICY, SECRET)]


@pytest.mark.parametrize(
    ("principal", "accounts"),
    [(APP_ROLE, None), (B, None), (f"arn:aws:iam::{C}:role/PartnerRole", [{"id": A}, {"id": C}])],
    ids=["role-in-org", "account-in-org", "no-organization-known"],
)
def test_external_access_is_silent_inside_the_organization_or_without_one(
    principal: str, accounts: list[dict[str, Any]] | None
) -> None:
    """A grant to another account of the same organization stays inside the zone of trust; a
    world that names no organization gives no zone to compare with (a stated limit)."""
    assert _codes(_org_world(principal, accounts=accounts), "EXTERNAL_ACCESS") == []


def test_organization_guardrails_reports_the_partner_feed_as_external_access() -> None:
    """data/organization-guardrails.json shares shared/partner-feed with account 333333333333,
    outside o-exampleorg1: the RCP blocks the read today, the finding still reports the grant."""
    found = findings(load_scenario(ROOT / "data" / "organization-guardrails.json"))
    external = [(f.code, f.location) for f in found if f.code == "EXTERNAL_ACCESS"]
    assert external == [("EXTERNAL_ACCESS", "$.secrets[1].resource_policy.Statement[0]")]
    assert "arn:aws:iam::333333333333:role/PartnerRole" in found[0].message


# -- a dead cross-account grant on aws/secretsmanager when a role already serves the read


def _via_role_world(*, reader_reads: bool = True) -> World:
    """prod/legacy (A, aws/secretsmanager) names AppRole (B) in its secret policy; SecretReader (A)
    trusts AppRole and, unless ``reader_reads`` is False, may read the secret."""
    read = _doc(_read(SECRET))
    reader = {
        "arn": f"arn:aws:iam::{A}:role/SecretReader",
        "trust_policy": _doc({"Effect": "Allow", "Principal": {"AWS": APP_ROLE}, "Action": "sts:AssumeRole"}),
        "policies": [read] if reader_reads else [],
    }
    assume = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": reader["arn"]}
    app = {"arn": APP_ROLE, "trust_policy": None, "policies": [_doc(_read(SECRET), assume)]}
    policy = _doc(_allow({"AWS": APP_ROLE}, "secretsmanager:GetSecretValue"))
    return World.from_dict(
        {
            "accounts": [{"id": A}, {"id": B}],
            "principals": {"roles": [reader, app]},
            "secrets": [{"arn": SECRET, "kms_key": AWS_KEY, "resource_policy": policy}],
            "kms_keys": _keys(),
        }
    )


def test_a_dead_grant_on_aws_managed_key_is_to_be_removed_when_a_role_already_serves_the_read() -> None:
    """aws/secretsmanager never works across accounts
    (https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html),
    and a principal that assumes a role of the secret's account reads it as a same-account caller
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_aws-accounts.html):
    the secret policy's grant is dead, and the finding says to remove it, not to re-encrypt."""
    (finding,) = [
        f for f in findings(_via_role_world()) if f.code == "CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY"
    ]
    assert finding.hint.startswith("stop granting secretsmanager:GetSecretValue to the principals of other")
    assert "re-encrypt" not in finding.hint and "need no KMS key" not in finding.hint
    assert f"already reads it by assuming arn:aws:iam::{A}:role/SecretReader" in finding.message


def test_a_grant_on_aws_managed_key_still_asks_for_a_customer_managed_key_when_no_role_serves_it() -> None:
    """The same world where SecretReader may not read the secret: the only way for AppRole is
    the direct path, so the hint is the customer managed key."""
    (finding,) = [
        f
        for f in findings(_via_role_world(reader_reads=False))
        if f.code == "CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY"
    ]
    assert "customer managed key" in finding.hint and not finding.hint.startswith("stop granting")


def test_a_dead_grant_hint_keeps_the_actions_that_work_across_accounts() -> None:
    """DescribeSecret needs no KMS key, so it works across accounts even on aws/secretsmanager
    (https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html):
    only the read is dead, and the hint says the other actions work."""
    data = _via_role_world().to_dict()
    data["secrets"][0]["resource_policy"]["Statement"][0]["Action"] = [
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
    ]
    (finding,) = [
        f for f in findings(World.from_dict(data)) if f.code == "CROSS_ACCOUNT_GRANT_ON_AWS_MANAGED_KEY"
    ]
    assert finding.hint.startswith("stop granting secretsmanager:GetSecretValue ")
    assert "need no KMS key and work" in finding.hint
