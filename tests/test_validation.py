"""Validation of user input, asserted by stable problem codes (``secretslab.problems.CODES``) and
JSON paths, never by wording: policy documents of every kind (semantics §3.2–3.12, AWS policy
grammar), worlds (§1.1), scenario files (§1) and requests (§1.2).

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html and
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import secretslab
from secretslab import (
    InvalidPolicyError,
    Policy,
    PolicyKind,
    Problem,
    Request,
    ScenarioError,
    Severity,
    World,
    authorize,
    check_policy,
    load_scenario,
    parse_policy,
)
from secretslab.problems import CODES

from .conftest import public_cases

ACCOUNT = "111111111111"
OTHER = "222222222222"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
GROUP = f"arn:aws:iam::{ACCOUNT}:group/devs"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/SecretReader"
SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db-AbC123"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/a1a1a1a1-0000-4000-8000-000000000001"
GET = "secretsmanager:GetSecretValue"

RESOURCE_BASED = [PolicyKind.RESOURCE, PolicyKind.KEY, PolicyKind.TRUST, PolicyKind.RCP]
IMPLICIT_PRINCIPAL = [PolicyKind.IDENTITY, PolicyKind.SCP, PolicyKind.BOUNDARY, PolicyKind.SESSION]


# -- helpers


def policy(*statements: dict[str, Any], version: str | None = "2012-10-17") -> dict[str, Any]:
    doc: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        doc["Version"] = version
    return doc


def allow(**extra: Any) -> dict[str, Any]:
    """An identity-policy statement that is valid on its own; ``extra`` overrides elements."""
    statement: dict[str, Any] = {"Effect": "Allow", "Action": GET, "Resource": "*"}
    statement.update(extra)
    return {k: v for k, v in statement.items() if v is not None}


def valid_for(kind: PolicyKind) -> dict[str, Any]:
    """A statement AWS accepts in a policy of ``kind`` (and that raises no warning)."""
    if kind is PolicyKind.TRUST:
        return {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": ROOT}}
    if kind is PolicyKind.RCP:
        return {
            "Effect": "Deny",
            "Action": "secretsmanager:*",
            "Resource": "*",
            "Principal": "*",
            "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-exampleorg1"}},
        }
    if kind in (PolicyKind.RESOURCE, PolicyKind.KEY):
        action = "kms:Decrypt" if kind is PolicyKind.KEY else GET
        return {"Effect": "Allow", "Action": action, "Resource": "*", "Principal": {"AWS": ROOT}}
    return allow()


def found(doc: Any, kind: PolicyKind | str = PolicyKind.IDENTITY) -> list[tuple[str, str]]:
    """(code, JSON path) of every problem, in check_policy's order."""
    return [(p.code, p.json_path) for p in check_policy(doc, kind)]


def codes(doc: Any, kind: PolicyKind | str = PolicyKind.IDENTITY) -> list[str]:
    return [p.code for p in check_policy(doc, kind)]


def only(doc: Any, kind: PolicyKind | str, code: str) -> Problem:
    """The single problem of ``doc``, which must have ``code``."""
    problems = check_policy(doc, kind)
    assert [p.code for p in problems] == [code], [str(p) for p in problems]
    return problems[0]


def base_world() -> dict[str, Any]:
    """A small valid world in the §1.1 format: a user in a group, a role, a secret and its key."""
    return {
        "accounts": [{"id": ACCOUNT, "name": "prod", "org_id": None, "org_path": []}],
        "principals": {
            "users": [
                {
                    "arn": ALICE,
                    "user_id": "AIDAEXAMPLEALICE",
                    "tags": {"team": "payments"},
                    "groups": [GROUP],
                    "policies": [policy(allow(Resource=SECRET))],
                    "permissions_boundary": None,
                }
            ],
            "groups": [{"arn": GROUP, "policies": []}],
            "roles": [
                {
                    "arn": ROLE,
                    "role_id": "AROAEXAMPLEREADER",
                    "tags": {},
                    "trust_policy": policy(valid_for(PolicyKind.TRUST)),
                    "policies": [policy(allow())],
                    "permissions_boundary": None,
                    "service_linked": False,
                }
            ],
            "sessions": [],
        },
        "secrets": [
            {
                "arn": SECRET,
                "name": "prod/db",
                "account": ACCOUNT,
                "region": "us-east-1",
                "kms_key": KEY,
                "tags": {},
                "resource_policy": None,
            }
        ],
        "kms_keys": [
            {
                "arn": KEY,
                "account": ACCOUNT,
                "region": "us-east-1",
                "manager": "AWS",
                "aliases": ["alias/aws/secretsmanager"],
                "tags": {},
            }
        ],
    }


def world_problems(data: Any) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as info:
        World.from_dict(data)
    return [(p.code, p.json_path) for p in info.value.problems]


# -- every kind accepts its own shape


@pytest.mark.parametrize("kind", list(PolicyKind))
def test_policy_has_no_problem_when_statement_suits_its_kind(kind: PolicyKind) -> None:
    """Each kind's minimal statement is accepted (semantics §3.2, §3.3, §3.7, §3.10, §3.12)."""
    doc = policy(valid_for(kind))
    assert check_policy(doc, kind) == ()
    assert isinstance(parse_policy(doc, kind), Policy)


@pytest.mark.parametrize("kind", list(PolicyKind))
def test_kind_given_as_string_is_the_enum_when_checking(kind: PolicyKind) -> None:
    """The kinds "identity" … "session" are the ``PolicyKind`` values (semantics §3.1)."""
    doc = policy(allow(Principal={"AWS": GROUP}, Sid="a b"))  # problems that depend on the kind
    assert check_policy(doc, kind.value) == check_policy(doc, kind)
    assert parse_policy(policy(valid_for(kind)), kind.value).kind is kind


def test_policy_kind_enum_lists_the_eight_kinds_when_iterated() -> None:
    """The policy types of semantics §3.1 (plus SCP/RCP of §3.9–3.10)."""
    assert [k.value for k in PolicyKind] == [
        "identity",
        "resource",
        "key",
        "trust",
        "scp",
        "rcp",
        "boundary",
        "session",
    ]


def test_unknown_kind_is_invalid_field_when_checking() -> None:
    """An unknown kind is reported, not raised (check_policy never raises)."""
    assert found(policy(allow()), "bucket") == [("INVALID_FIELD", "$")]
    with pytest.raises(InvalidPolicyError):
        parse_policy(policy(allow()), "bucket")


# -- Principal placement (§3.3)


@pytest.mark.parametrize("kind", IMPLICIT_PRINCIPAL)
@pytest.mark.parametrize("element", ["Principal", "NotPrincipal"])
def test_principal_is_rejected_when_kind_has_implicit_principal(kind: PolicyKind, element: str) -> None:
    """Identity, SCP, boundary and session policies take no Principal/NotPrincipal (semantics §3.3,
    §3.9; https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html)."""
    doc = policy(allow(**{element: {"AWS": ROOT}}))
    assert found(doc, kind) == [("PRINCIPAL_NOT_ALLOWED", f"$.Statement[0].{element}")]


@pytest.mark.parametrize("kind", RESOURCE_BASED)
def test_missing_principal_is_rejected_when_policy_is_resource_based(kind: PolicyKind) -> None:
    """Resource-based policies (secret, key, trust) and RCPs must name a Principal (semantics §3.3,
    §3.10)."""
    statement = {k: v for k, v in valid_for(kind).items() if k != "Principal"}
    assert ("MISSING_PRINCIPAL", "$.Statement[0]") in found(policy(statement), kind)
    assert "MISSING_PRINCIPAL" not in codes(policy(valid_for(kind)), kind)


def test_principal_and_not_principal_are_rejected_when_both_are_given() -> None:
    """A statement takes Principal or NotPrincipal, not both (semantics §3.3; AWS policy grammar)."""
    doc = policy(allow(Effect="Deny", Principal={"AWS": ROOT}, NotPrincipal={"AWS": ROOT}))
    assert ("PRINCIPAL_AND_NOT_PRINCIPAL", "$.Statement[0]") in found(doc, "resource")


# -- principals AWS does not store (§3.4)


def test_group_principal_is_rejected_when_secret_policy_names_a_group() -> None:
    """An IAM group is not a principal (semantics §2.6, §3.4(a))."""
    doc = policy(allow(Principal={"AWS": [ROOT, GROUP]}))
    problem = only(doc, "resource", "GROUP_PRINCIPAL")
    assert problem.json_path == "$.Statement[0].Principal.AWS[1]"
    assert problem.is_error and problem.hint


@pytest.mark.parametrize(
    "value, path",
    [
        ([f"arn:aws:iam::{OTHER}:role/app-*"], "$.Statement[0].Principal.AWS[0]"),
        (f"arn:aws:sts::{OTHER}:assumed-role/SecretReader/*", "$.Statement[0].Principal.AWS"),
    ],
)
def test_partial_wildcard_principal_is_rejected_when_secret_policy_uses_it(value: Any, path: str) -> None:
    """Only the whole value "*" may be a wildcard principal (semantics §3.4(b); Access Analyzer
    "Unsupported wildcard in principal")."""
    problem = only(policy(allow(Principal={"AWS": value})), "resource", "PARTIAL_WILDCARD_PRINCIPAL")
    assert problem.json_path == path and problem.severity is Severity.ERROR


@pytest.mark.parametrize("value", ["*", {"AWS": "*"}])
def test_whole_wildcard_principal_is_accepted_when_secret_policy_uses_it(value: Any) -> None:
    """ "*" and {"AWS": "*"} are the allowed wildcard principals (semantics §3.4); a bare "*" in a
    secret policy is only flagged as public (§3.11)."""
    assert codes(policy(allow(Principal=value)), "resource") == ["PUBLIC_POLICY"]


@pytest.mark.parametrize(
    "principal, path",
    [
        ({"AWS": "bob"}, "$.Statement[0].Principal.AWS"),
        ({"Aws": ACCOUNT}, "$.Statement[0].Principal.Aws"),
        ({"Service": "not a service"}, "$.Statement[0].Principal.Service"),
        (ROOT, "$.Statement[0].Principal"),
    ],
)
def test_invalid_principal_is_rejected_when_value_is_no_principal(principal: Any, path: str) -> None:
    """Principal values are "*", or {AWS|Service|Federated|CanonicalUser: ids} (semantics §3.4;
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html)."""
    assert found(policy(allow(Principal=principal)), "resource") == [("INVALID_PRINCIPAL", path)]


@pytest.mark.parametrize("kind", ["trust", "resource", "key"])
@pytest.mark.parametrize("value", ["AIDAJQABLZS4A3QDU576Q", "AROADBQP57FF2AEXAMPLE"])
def test_stale_unique_id_principal_is_a_warning_not_an_error(kind: str, value: str) -> None:
    """A deleted user's or role's unique id shown in a stored policy is valid: a warning at its
    path, so the policy (and its other statements) stays in force (semantics §2.7;
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html)."""
    action, resource = {"trust": ("sts:AssumeRole", None), "key": ("kms:Decrypt", "*")}.get(kind, (GET, "*"))
    doc = policy(allow(Principal={"AWS": [ROOT, value]}, Action=action, Resource=resource))
    problem = only(doc, kind, "STALE_PRINCIPAL_ID")
    assert problem.json_path == "$.Statement[0].Principal.AWS[1]"
    assert not problem.is_error and "stale principal id: the entity was deleted" in problem.message
    assert parse_policy(doc, kind).valid


def test_a_unique_id_of_another_kind_is_still_an_invalid_principal() -> None:
    """Only user (AIDA) and role (AROA) ids name principals; an access key id does not."""
    doc = policy(allow(Principal={"AWS": "AKIAIOSFODNN7EXAMPLE"}))
    assert only(doc, "resource", "INVALID_PRINCIPAL").is_error


def test_principal_type_has_a_hint_when_its_case_is_wrong() -> None:
    """The principal types are AWS, Service, Federated, CanonicalUser (semantics §3.4)."""
    problem = only(policy(allow(Principal={"Aws": ACCOUNT})), "resource", "INVALID_PRINCIPAL")
    assert problem.hint and "'AWS'" in problem.hint


# -- NotPrincipal (§3.5)


def test_not_principal_with_allow_is_rejected_when_in_secret_policy() -> None:
    """NotPrincipal is only supported with Deny (semantics §3.5;
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html)."""
    doc = policy(allow(NotPrincipal={"AWS": ROOT}))
    assert found(doc, "resource") == [("NOT_PRINCIPAL_WITH_ALLOW", "$.Statement[0].NotPrincipal")]
    assert check_policy(policy(allow(Effect="Deny", NotPrincipal={"AWS": ROOT})), "resource") == ()


@pytest.mark.parametrize("kind", [PolicyKind.TRUST, PolicyKind.RCP])
def test_not_principal_is_rejected_when_kind_does_not_support_it(kind: PolicyKind) -> None:
    """Trust policies (semantics §3.5, §3.12) and RCPs (§3.10) take no NotPrincipal, even with Deny."""
    statement = {k: v for k, v in valid_for(kind).items() if k != "Principal"}
    statement.update(Effect="Deny", NotPrincipal={"AWS": ROOT})
    assert ("NOT_PRINCIPAL_NOT_ALLOWED", "$.Statement[0].NotPrincipal") in found(policy(statement), kind)


# -- trust policies (§3.12)


@pytest.mark.parametrize("element", ["Resource", "NotResource"])
def test_resource_is_rejected_when_in_trust_policy(element: str) -> None:
    """A trust policy applies to its role and takes no Resource/NotResource (semantics §3.12)."""
    doc = policy({**valid_for(PolicyKind.TRUST), element: "*"})
    assert found(doc, "trust") == [("RESOURCE_NOT_ALLOWED", f"$.Statement[0].{element}")]


def test_wildcard_principal_is_a_warning_when_in_trust_policy() -> None:
    """Principal "*" in a trust policy is accepted with a warning (semantics §3.12, A20)."""
    doc = policy({**valid_for(PolicyKind.TRUST), "Principal": {"AWS": "*"}})
    problem = only(doc, "trust", "WILDCARD_PRINCIPAL_IN_TRUST")
    assert problem.severity is Severity.WARNING
    assert problem.json_path == "$.Statement[0].Principal.AWS"
    assert parse_policy(doc, "trust").valid  # a warning: the policy is still accepted


def test_bare_wildcard_principal_is_a_warning_when_in_trust_policy() -> None:
    """ "*" is equivalent to {"AWS": "*"} (semantics §3.4), so it warns too in a trust policy (§3.12)."""
    doc = policy({**valid_for(PolicyKind.TRUST), "Principal": "*"})
    assert "WILDCARD_PRINCIPAL_IN_TRUST" in codes(doc, "trust")


# -- key policies (§3.7)


def test_key_statement_without_resource_is_a_warning_when_in_key_policy() -> None:
    """A key-policy statement without Resource applies to nothing but the API accepts it (semantics
    §3.7; https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html)."""
    statement = {k: v for k, v in valid_for(PolicyKind.KEY).items() if k != "Resource"}
    problem = only(policy(statement), "key", "KEY_STATEMENT_WITHOUT_RESOURCE")
    assert problem.json_path == "$.Statement[0]" and not problem.is_error
    assert parse_policy(policy(statement), "key").valid


@pytest.mark.parametrize("kind", [PolicyKind.IDENTITY, PolicyKind.RESOURCE])
def test_missing_resource_is_an_error_when_policy_is_not_a_key_policy(kind: PolicyKind) -> None:
    """Resource/NotResource is required outside key and trust policies (semantics §3.2)."""
    statement = {k: v for k, v in valid_for(kind).items() if k != "Resource"}
    assert found(policy(statement), kind) == [("MISSING_RESOURCE", "$.Statement[0]")]


def test_sid_with_spaces_is_accepted_when_in_key_policy() -> None:
    """Key policy Sid may contain spaces (semantics §3.7)."""
    doc = policy({**valid_for(PolicyKind.KEY), "Sid": "Enable IAM User Permissions"})
    assert check_policy(doc, "key") == ()


@pytest.mark.parametrize("kind", [*IMPLICIT_PRINCIPAL, PolicyKind.TRUST, PolicyKind.RCP])
def test_sid_with_spaces_is_rejected_when_kind_allows_only_letters_and_digits(kind: PolicyKind) -> None:
    """IAM-family Sids allow only [A-Za-z0-9] (semantics §3.7 by contrast;
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html)."""
    doc = policy({**valid_for(kind), "Sid": "Read the secret"})
    assert found(doc, kind) == [("INVALID_SID", "$.Statement[0].Sid")]
    assert found(policy({**valid_for(kind), "Sid": "ReadTheSecret2"}), kind) == []


def test_duplicate_sid_is_rejected_when_identity_policy_repeats_it() -> None:
    """Sid values are unique within an IAM policy
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html)."""
    doc = policy(allow(Sid="Read"), allow(Sid="Other"), allow(Sid="Read"))
    assert found(doc) == [("DUPLICATE_SID", "$.Statement[2].Sid")]


# -- RCPs (§3.10)


def test_rcp_allow_is_rejected_when_custom_rcp_allows() -> None:
    """Custom RCPs are Deny-only; RCPFullAWSAccess is the only Allow (semantics §3.10;
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html)."""
    doc = policy({**valid_for(PolicyKind.RCP), "Effect": "Allow"})
    assert found(doc, "rcp") == [("RCP_ALLOW", "$.Statement[0].Effect")]


@pytest.mark.parametrize("principal", [{"AWS": ROOT}, {"AWS": ["*", ROOT]}, ACCOUNT])
def test_rcp_principal_is_rejected_when_not_the_wildcard(principal: Any) -> None:
    """RCPs take "Principal": "*" and narrow with conditions (semantics §3.10, [inferred])."""
    doc = policy({**valid_for(PolicyKind.RCP), "Principal": principal})
    assert ("RCP_PRINCIPAL", "$.Statement[0].Principal") in found(doc, "rcp")


def test_not_action_is_rejected_when_in_rcp() -> None:
    """RCPs do not support NotAction (semantics §3.10)."""
    statement = {k: v for k, v in valid_for(PolicyKind.RCP).items() if k != "Action"}
    statement["NotAction"] = "kms:*"
    assert found(policy(statement), "rcp") == [("ELEMENT_NOT_SUPPORTED", "$.Statement[0].NotAction")]


# -- elements, effects, actions, condition keys and operators (§3.2, §5)


def test_unknown_element_has_case_hint_when_element_is_lowercase() -> None:
    """Element names are case-sensitive (AWS policy grammar, semantics §3.2)."""
    doc = policy({"Effect": "Allow", "action": GET, "Resource": "*"})
    problems = check_policy(doc)
    assert [(p.code, p.json_path) for p in problems] == [
        ("UNKNOWN_ELEMENT", "$.Statement[0].action"),
        ("MISSING_ACTION", "$.Statement[0]"),
    ]
    assert "'Action'" in (problems[0].hint or "")


def test_unknown_top_level_element_is_rejected_when_misspelled() -> None:
    """A policy has Version, Id and Statement (AWS policy grammar)."""
    doc = {"Version": "2012-10-17", "Statements": [allow()]}
    problems = check_policy(doc)
    assert [(p.code, p.json_path) for p in problems] == [
        ("UNKNOWN_ELEMENT", "$.Statements"),
        ("MISSING_STATEMENT", "$"),
    ]
    assert "'Statement'" in (problems[0].hint or "")


def test_invalid_effect_has_hint_when_effect_is_lowercase() -> None:
    """Effect is exactly Allow or Deny (semantics §3.2)."""
    problem = only(policy(allow(Effect="allow")), "identity", "INVALID_EFFECT")
    assert problem.json_path == "$.Statement[0].Effect"
    assert "'Allow'" in (problem.hint or "")


def test_missing_effect_is_rejected_when_statement_has_none() -> None:
    """Effect is required (semantics §3.2)."""
    statement = allow()
    del statement["Effect"]
    assert found(policy(statement)) == [("MISSING_EFFECT", "$.Statement[0]")]


@pytest.mark.parametrize(
    "extra, code",
    [
        ({"NotAction": "kms:*"}, "ACTION_AND_NOT_ACTION"),
        ({"NotResource": "*"}, "RESOURCE_AND_NOT_RESOURCE"),
    ],
)
def test_both_forms_are_rejected_when_element_and_its_negation_are_given(
    extra: dict[str, Any], code: str
) -> None:
    """Exactly one of Action/NotAction and of Resource/NotResource (semantics §3.2)."""
    assert found(policy(allow(**extra))) == [(code, "$.Statement[0]")]


def test_unknown_operator_has_hint_when_operator_is_misspelled() -> None:
    """AWS rejects an unknown condition operator (semantics §5;
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)."""
    doc = policy(allow(Condition={"StringEqual": {"aws:username": "alice"}}))
    problem = only(doc, "identity", "UNKNOWN_OPERATOR")
    assert problem.json_path == "$.Statement[0].Condition.StringEqual"
    assert "StringEquals" in (problem.hint or "")


def test_unknown_action_has_hint_when_action_is_misspelled() -> None:
    """Access Analyzer reports an action the service does not have (semantics §4.1;
    access-analyzer-reference-policy-checks.html)."""
    doc = policy(allow(Action=["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValu"]))
    problem = only(doc, "identity", "UNKNOWN_ACTION")
    assert problem.json_path == "$.Statement[0].Action[1]" and not problem.is_error
    assert "secretsmanager:GetSecretValue" in (problem.hint or "")


@pytest.mark.parametrize(
    "action", ["secretsmanager:getsecretvalue", "secretsmanager:Get*", "*", "secretsmanager:*"]
)
def test_action_is_accepted_when_case_or_wildcard_differs(action: str) -> None:
    """Action names are case-insensitive and may use wildcards (semantics §4.1)."""
    assert check_policy(policy(allow(Action=action))) == ()


@pytest.mark.parametrize("action", ["GetSecretValue", "secretsmanager", "a:b:c"])
def test_invalid_action_is_rejected_when_not_service_colon_name(action: str) -> None:
    """An action is service:ActionName (semantics §4.1)."""
    assert found(policy(allow(Action=action))) == [("INVALID_ACTION", "$.Statement[0].Action")]


def test_invalid_resource_is_rejected_when_not_an_arn() -> None:
    """A resource is an ARN or * (semantics §2.1, §4.3)."""
    doc = policy(allow(Resource=["*", "prod/db"]))
    assert found(doc) == [("INVALID_RESOURCE", "$.Statement[0].Resource[1]")]


def test_unknown_condition_key_has_hint_when_key_is_misspelled() -> None:
    """Access Analyzer reports unknown global/service condition keys (semantics §7;
    access-analyzer-reference-policy-checks.html)."""
    doc = policy(allow(Condition={"StringEquals": {"aws:SourceVpcee": "vpce-1"}}))
    problem = only(doc, "identity", "UNKNOWN_CONDITION_KEY")
    assert problem.json_path == "$.Statement[0].Condition.StringEquals['aws:SourceVpcee']"
    assert "aws:SourceVpce" in (problem.hint or "")
    assert parse_policy(doc).valid  # a warning


# -- Version and policy variables (§3.6)


def test_variables_need_2012_when_version_is_2008() -> None:
    """${...} is literal text unless Version is 2012-10-17 (semantics §3.6;
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)."""
    doc = policy(
        allow(Resource=f"arn:aws:secretsmanager:*:{ACCOUNT}:secret:${{aws:username}}-*"), version="2008-10-17"
    )
    problem = only(doc, "identity", "VARIABLES_NEED_2012")
    assert problem.json_path == "$.Statement[0].Resource" and problem.severity is Severity.WARNING
    assert "2012-10-17" in (problem.hint or "")


def test_variable_is_accepted_when_version_is_2012() -> None:
    """Policy variables are substituted with Version 2012-10-17 (semantics §3.6)."""
    doc = policy(allow(Resource=f"arn:aws:secretsmanager:*:{ACCOUNT}:secret:${{aws:username}}-*"))
    assert check_policy(doc) == ()


def test_missing_version_is_a_warning_when_policy_has_no_version() -> None:
    """Without Version the policy is read as 2008-10-17 (semantics §3.6)."""
    problem = only(policy(allow(), version=None), "identity", "MISSING_VERSION")
    assert problem.json_path == "$" and not problem.is_error
    assert parse_policy(policy(allow(), version=None)).valid


def test_invalid_version_is_rejected_when_version_is_unknown() -> None:
    """Version is 2012-10-17 or 2008-10-17 (AWS policy grammar)."""
    assert found(policy(allow(), version="2012-10-18")) == [("INVALID_VERSION", "$.Version")]


# -- condition values (§5)


@pytest.mark.parametrize(
    "operator, key, value",
    [
        ("NumericLessThan", "aws:MultiFactorAuthAge", "an hour"),
        ("DateGreaterThan", "aws:CurrentTime", "yesterday"),
        ("DateLessThan", "aws:CurrentTime", "2020-13-45"),
        ("Bool", "aws:SecureTransport", "yes"),
        ("Bool", "aws:SecureTransport", 1),
        ("IpAddress", "aws:SourceIp", "not-an-ip"),
        ("IpAddress", "aws:SourceIp", "10.0.0.0/33"),
        ("Null", "aws:SourceVpce", "maybe"),
        ("StringEquals", "aws:username", {"nested": "object"}),
        ("StringEquals", "aws:username", None),
    ],
)
def test_invalid_condition_value_is_rejected_when_value_does_not_suit_operator(
    operator: str, key: str, value: Any
) -> None:
    """Numeric, Date, Bool, IpAddress and Null operators need values of their type (semantics §5;
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)."""
    doc = policy(allow(Condition={operator: {key: value}}))
    assert found(doc) == [("INVALID_CONDITION_VALUE", f"$.Statement[0].Condition.{operator}['{key}']")]


def test_invalid_condition_value_is_located_when_one_value_of_a_list_is_wrong() -> None:
    """Each value of a condition list is checked (semantics §5)."""
    doc = policy(allow(Condition={"NumericEquals": {"aws:MultiFactorAuthAge": [1, "x", 3]}}))
    assert found(doc) == [
        ("INVALID_CONDITION_VALUE", "$.Statement[0].Condition.NumericEquals['aws:MultiFactorAuthAge'][1]")
    ]


@pytest.mark.parametrize(
    "condition",
    [
        {"Bool": {"aws:SecureTransport": True}},
        {"Bool": {"aws:SecureTransport": "false"}},
        {"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}},
        {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
        {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}},
        {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
        {"Null": {"aws:SourceVpce": "true"}},
    ],
)
def test_condition_value_is_accepted_when_it_suits_operator(condition: dict[str, Any]) -> None:
    """JSON booleans and numbers, or their string forms, are valid values (semantics §5)."""
    assert check_policy(policy(allow(Condition=condition))) == ()


@pytest.mark.parametrize(
    "condition, path",
    [
        ([], "$.Statement[0].Condition"),
        ({"StringEquals": {}}, "$.Statement[0].Condition.StringEquals"),
        ({"StringEquals": "alice"}, "$.Statement[0].Condition.StringEquals"),
    ],
)
def test_invalid_condition_is_rejected_when_block_is_malformed(condition: Any, path: str) -> None:
    """A Condition maps operators to {key: value or [values]} (AWS policy grammar)."""
    assert found(policy(allow(Condition=condition))) == [("INVALID_CONDITION", path)]


# -- empty elements and wrong types


@pytest.mark.parametrize(
    "kind, doc, path",
    [
        ("identity", policy(allow(Action=[])), "$.Statement[0].Action"),
        ("identity", policy(allow(Resource=[])), "$.Statement[0].Resource"),
        ("identity", {"Version": "2012-10-17", "Statement": []}, "$.Statement"),
        (
            "identity",
            policy(allow(Condition={"StringEquals": {"aws:username": []}})),
            "$.Statement[0].Condition.StringEquals['aws:username']",
        ),
        ("resource", policy(allow(Principal={})), "$.Statement[0].Principal"),
        ("resource", policy(allow(Principal={"AWS": []})), "$.Statement[0].Principal.AWS"),
    ],
)
def test_empty_element_is_rejected_when_list_or_object_is_empty(
    kind: str, doc: dict[str, Any], path: str
) -> None:
    """Empty Action, Resource, Statement, condition values and principals are rejected (AWS policy
    grammar: each element holds at least one value)."""
    assert ("EMPTY_ELEMENT", path) in found(doc, kind)


@pytest.mark.parametrize(
    "doc, path",
    [
        (policy(allow(Action=5)), "$.Statement[0].Action"),
        (policy(allow(Action=[GET, 5])), "$.Statement[0].Action[1]"),
        (policy(allow(Sid=5)), "$.Statement[0].Sid"),
        ({"Version": "2012-10-17", "Statement": "x"}, "$.Statement"),
        ({"Version": "2012-10-17", "Id": 1, "Statement": [allow()]}, "$.Id"),
    ],
)
def test_invalid_type_is_rejected_when_element_has_wrong_json_type(doc: dict[str, Any], path: str) -> None:
    """Elements are strings or lists of strings (AWS policy grammar)."""
    assert found(doc) == [("INVALID_TYPE", path)]


def test_statement_is_rejected_when_it_is_not_an_object() -> None:
    """A statement is a JSON object (AWS policy grammar)."""
    assert found({"Version": "2012-10-17", "Statement": [allow(), "Allow"]}) == [
        ("NOT_AN_OBJECT", "$.Statement[1]")
    ]


# -- JSON text and non-object inputs


def test_duplicate_key_is_rejected_when_text_repeats_a_key() -> None:
    """A JSON object that names a key twice is ambiguous; AWS keeps only one (RFC 8259 §4)."""
    text = (
        '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Effect": "Deny", '
        '"Action": "*", "Resource": "*"}}'
    )
    assert codes(text) == ["DUPLICATE_KEY"]
    with pytest.raises(InvalidPolicyError):
        parse_policy(text)


def test_invalid_json_has_line_and_column_when_text_is_malformed() -> None:
    """Text that is not JSON is rejected with where it breaks (AWS: MalformedPolicyDocument)."""
    problem = only('{"Version": "2012-10-17",\n "Statement": [}', "identity", "INVALID_JSON")
    assert problem.json_path == "$"
    assert "line 2" in problem.message and "column" in problem.message


def test_text_is_parsed_when_it_is_valid_json() -> None:
    """JSON text and bytes are accepted as well as dicts."""
    text = json.dumps(policy(allow()))
    assert check_policy(text) == () and check_policy(text.encode()) == ()
    assert parse_policy(text).statements[0].effect.value == "Allow"


@pytest.mark.parametrize("doc", [[], [policy(allow())], 5, None, True, "[1]"])
def test_not_an_object_is_rejected_when_input_is_not_a_json_object(doc: Any) -> None:
    """A policy is a JSON object (AWS policy grammar); no input makes check_policy raise."""
    assert found(doc) == [("NOT_AN_OBJECT", "$")]
    with pytest.raises(InvalidPolicyError):
        parse_policy(doc)


def test_not_an_object_is_rejected_when_text_is_json_null() -> None:
    """The text "null" is no more a policy than the value None (AWS policy grammar)."""
    assert found("null") == [("NOT_AN_OBJECT", "$")]


# -- all problems at once; errors before warnings; the three doors


def test_check_policy_reports_every_error_when_policy_has_several() -> None:
    """Problems are collected, not raised one at a time (problems.py: collect, then raise)."""
    doc = policy(allow(Effect="allow"), allow(Principal={"AWS": ROOT}), allow(NotAction="kms:*"))
    assert found(doc) == [
        ("INVALID_EFFECT", "$.Statement[0].Effect"),
        ("PRINCIPAL_NOT_ALLOWED", "$.Statement[1].Principal"),
        ("ACTION_AND_NOT_ACTION", "$.Statement[2]"),
    ]


def test_check_policy_lists_errors_before_warnings_when_both_occur() -> None:
    """Errors make AWS reject the document; warnings are lint (problems.CODES), so errors come first."""
    doc = policy(allow(Action="secretsmanager:GetSecretValu"), allow(Effect="Permit"), version=None)
    problems = check_policy(doc)
    assert [p.code for p in problems] == ["INVALID_EFFECT", "MISSING_VERSION", "UNKNOWN_ACTION"]
    severities = [p.severity for p in problems]
    assert severities == sorted(severities, key=lambda s: s is Severity.WARNING)


def test_parse_policy_raises_with_check_policy_errors_when_policy_is_invalid() -> None:
    """parse_policy raises InvalidPolicyError (a ValueError) carrying every problem."""
    doc = policy(
        allow(Effect="allow"),
        allow(Action="secretsmanager:GetSecretValu"),
        allow(Principal={"AWS": ROOT}),
        version=None,
    )
    with pytest.raises(InvalidPolicyError) as info:
        parse_policy(doc)
    assert isinstance(info.value, ValueError)
    raised = [p for p in info.value.problems if p.is_error]
    assert raised == [p for p in check_policy(doc) if p.is_error]
    assert {p.code for p in raised} == {"INVALID_EFFECT", "PRINCIPAL_NOT_ALLOWED"}


def test_parse_policy_returns_policy_when_only_warnings() -> None:
    """Warnings do not make AWS reject a document, so parse_policy returns it (problems.CODES)."""
    doc = policy(allow(Action="secretsmanager:GetSecretValu"), version=None)
    parsed = parse_policy(doc)
    assert isinstance(parsed, Policy) and parsed.valid
    assert len(parsed.statements) == 1 and parsed.kind is PolicyKind.IDENTITY
    assert {p.code for p in parsed.problems} == {"MISSING_VERSION", "UNKNOWN_ACTION"}


def test_problem_to_dict_has_code_severity_path_message_when_serialised() -> None:
    """Problem.to_dict is the JSON shape the CLI and batch print."""
    problem = only(policy(allow(Effect="allow")), "identity", "INVALID_EFFECT")
    out = problem.to_dict()
    assert out["code"] == "INVALID_EFFECT" and out["severity"] == "error"
    assert out["path"] == "$.Statement[0].Effect" and out["message"]
    assert "'Allow'" in out["hint"] and "source" not in out
    without_hint = only(policy(allow(), version="1999-01-01"), "identity", "INVALID_VERSION").to_dict()
    assert set(without_hint) == {"code", "severity", "path", "message"}
    json.dumps(out)


def test_every_reported_code_is_in_the_catalogue_when_checking_many_policies() -> None:
    """Codes are stable and listed in CODES with their severity."""
    docs = [
        policy(allow(Effect="allow")),
        policy(allow(Principal="*"), version="2008-10-17"),
        '{"x": [}',
        policy({"Effect": "Allow", "action": "x"}),
    ]
    for doc in docs:
        for p in check_policy(doc, "resource"):
            assert p.code in CODES and p.severity is CODES[p.code][0]


# -- World.from_dict (§1.1)


def test_world_is_read_when_data_follows_the_format() -> None:
    """A world in the §1.1 format loads without problems (semantics §1.1)."""
    world = World.from_dict(base_world())
    assert world.problems == ()
    assert world.user(ALICE) is not None and world.role(ROLE) is not None


def test_unknown_field_has_path_and_hint_when_world_keys_are_misspelled() -> None:
    """Unknown keys in the world schema MUST be rejected (semantics §1)."""
    data = base_world()
    data["secretz"] = []
    data["accounts"][0]["nmae"] = "prod"
    data["principals"]["userz"] = []
    data["principals"]["users"][0]["polices"] = []
    data["kms_keys"][0]["aliasses"] = []
    with pytest.raises(ScenarioError) as info:
        World.from_dict(data)
    problems = {p.json_path: p for p in info.value.problems}
    assert set(problems) == {
        "$.secretz",
        "$.accounts[0].nmae",
        "$.principals.userz",
        "$.principals.users[0].polices",
        "$.kms_keys[0].aliasses",
    }
    assert all(p.code == "UNKNOWN_FIELD" for p in problems.values())
    assert "'policies'" in (problems["$.principals.users[0].polices"].hint or "")
    assert "'secrets'" in (problems["$.secretz"].hint or "")
    assert "'aliases'" in (problems["$.kms_keys[0].aliasses"].hint or "")


def test_unknown_field_is_rejected_when_organization_keys_are_misspelled() -> None:
    """Unknown keys MUST be rejected at every depth (semantics §1, §1.1 organization)."""
    data = base_world()
    data["organization"] = {
        "id": "o-exampleorg1",
        "root_id": "r-root",
        "rcpz": [],
        "scps": [{"name": "Deny", "attached_to": "r-root", "documnet": {}}],
    }
    got = world_problems(data)
    assert ("UNKNOWN_FIELD", "$.organization.rcpz") in got
    assert ("UNKNOWN_FIELD", "$.organization.scps[0].documnet") in got
    assert ("MISSING_FIELD", "$.organization.scps[0]") in got


def test_grants_in_listgrants_shape_are_read_and_anything_else_is_located() -> None:
    """``grants`` on a key take KMS ListGrants's shape, and are evaluated (semantics §9.10, revised
    2026-12; https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantListEntry.html): a field
    KMS never returns, an operation that is not a grant operation, a constraint that is not
    string to string, a grantee that is not a principal are errors at their JSON path."""
    data = base_world()
    grant = {
        "GrantId": "g1",
        "GranteePrincipal": ALICE,
        "Operations": ["Decrypt", "DescribeKey"],
        "Constraints": {"EncryptionContextSubset": {"team": "payments"}},
        "RetiringPrincipal": "arn:aws:iam::111111111111:root",
        "Name": "reader",
        "KeyId": data["kms_keys"][0]["arn"],
        "IssuingAccount": "arn:aws:iam::111111111111:root",
        "CreationDate": "2026-11-30T10:00:00Z",
    }
    data["kms_keys"][0]["grants"] = [grant]
    world = World.from_dict(data)
    assert world.problems == ()
    assert world.to_dict()["kms_keys"][0]["grants"] == [grant]  # written back as read
    data["kms_keys"][0]["grants"] = [
        {"grantee": ALICE},
        {"GrantId": "g2", "GranteePrincipal": "alice", "Operations": ["Decrypt"]},
        {"GrantId": "g3", "GranteePrincipal": ALICE, "Operations": ["Decrpyt"]},
        {
            "GrantId": "g4",
            "GranteePrincipal": ALICE,
            "Operations": ["Decrypt"],
            "Constraints": {"EncryptionContextEquals": {"a": 1}},
        },
        {
            "GrantId": "g5",
            "GranteePrincipal": ALICE,
            "Operations": ["Decrypt"],
            "Constraints": {"SourceArn": "x"},
        },
        {"GrantId": "g5", "GranteePrincipal": ALICE, "Operations": ["Decrypt"]},
        {"GrantId": "g5", "GranteePrincipal": ALICE, "Operations": ["Decrypt"]},
    ]
    got = world_problems(data)
    where = "$.kms_keys[0].grants"
    assert ("UNKNOWN_FIELD", f"{where}[0].grantee") in got
    assert ("MISSING_FIELD", f"{where}[0]") in got
    assert ("INVALID_FIELD", f"{where}[1].GranteePrincipal") in got
    assert ("INVALID_FIELD", f"{where}[2].Operations[0]") in got
    assert ("INVALID_FIELD", f"{where}[3].Constraints.EncryptionContextEquals") in got
    assert ("UNKNOWN_FIELD", f"{where}[4].Constraints.SourceArn") in got
    assert ("DUPLICATE_ENTITY", f"{where}[6].GrantId") in got


@pytest.mark.parametrize("where", ["user", "key", "account"])
def test_missing_field_is_rejected_when_required_field_is_absent(where: str) -> None:
    """Every entity needs its arn (accounts their id) (semantics §1.1)."""
    data = base_world()
    target, path = {
        "user": (data["principals"]["users"][0], "$.principals.users[0]"),
        "key": (data["kms_keys"][0], "$.kms_keys[0]"),
        "account": (data["accounts"][0], "$.accounts[0]"),
    }[where]
    target.pop("arn", None) or target.pop("id", None)
    assert ("MISSING_FIELD", path) in world_problems(data)


@pytest.mark.parametrize(
    "change, path",
    [
        (lambda w: w["accounts"][0].update(id=111111111111), "$.accounts[0].id"),
        (lambda w: w["accounts"][0].update(id="1111"), "$.accounts[0].id"),
        (lambda w: w["principals"]["users"][0].update(tags=["team"]), "$.principals.users[0].tags"),
        (lambda w: w["principals"]["users"][0].update(tags={"team": 5}), "$.principals.users[0].tags.team"),
        (lambda w: w["principals"]["users"][0].update(groups=GROUP), "$.principals.users[0].groups"),
        (
            lambda w: w["principals"]["roles"][0].update(service_linked="no"),
            "$.principals.roles[0].service_linked",
        ),
        (lambda w: w.update(secrets={}), "$.secrets"),
        (lambda w: w["kms_keys"][0].update(manager="ME"), "$.kms_keys[0].manager"),
        (lambda w: w["secrets"][0].update(account=OTHER), "$.secrets[0].account"),
        (lambda w: w["secrets"][0].update(versions=["AWSCURRENT"]), "$.secrets[0].versions"),
    ],
)
def test_invalid_field_is_rejected_when_world_value_has_wrong_type(change: Any, path: str) -> None:
    """Fields have the types and forms of semantics §1.1."""
    data = base_world()
    change(data)
    assert world_problems(data) == [("INVALID_FIELD", path)]


@pytest.mark.parametrize(
    "where, arn, path",
    [
        ("users", f"arn:aws:iam::{ACCOUNT}:role/alice", "$.principals.users[0].arn"),
        ("users", "alice", "$.principals.users[0].arn"),
        ("roles", f"arn:aws:iam:::{ACCOUNT}:role/R", "$.principals.roles[0].arn"),
        ("secrets", "arn:aws:secretsmanager:us-east-1:1111:secret:x", "$.secrets[0].arn"),
        ("kms_keys", "not-an-arn", "$.kms_keys[0].arn"),
    ],
)
def test_invalid_field_is_rejected_when_arn_is_malformed(where: str, arn: str, path: str) -> None:
    """Entity ARNs have the shapes of semantics §2.2."""
    data = base_world()
    entity = data[where][0] if where in data else data["principals"][where][0]
    entity["arn"] = arn
    assert ("INVALID_FIELD", path) in world_problems(data)


def test_unknown_reference_has_hint_when_world_names_missing_entities() -> None:
    """Groups, roles, keys and organization nodes named in the world must exist (semantics §1.1)."""
    data = base_world()
    data["principals"]["users"][0]["groups"] = [f"arn:aws:iam::{ACCOUNT}:group/devz"]
    data["principals"]["sessions"] = [{"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/Nope/session"}]
    data["secrets"][0]["kms_key"] = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/nope"
    data["organization"] = {
        "id": "o-exampleorg1",
        "root_id": "r-root",
        "scps": [{"name": "S", "attached_to": "ou-nope", "document": policy(allow())}],
    }
    with pytest.raises(ScenarioError) as info:
        World.from_dict(data)
    problems = {p.json_path: p for p in info.value.problems}
    assert set(problems) == {
        "$.principals.users[0].groups[0]",
        "$.principals.sessions[0].role",
        "$.secrets[0].kms_key",
        "$.organization.scps[0].attached_to",
    }
    assert all(p.code == "UNKNOWN_REFERENCE" for p in problems.values())
    assert GROUP in (problems["$.principals.users[0].groups[0]"].hint or "")


def test_duplicate_entity_is_rejected_when_two_entities_share_an_arn() -> None:
    """An ARN identifies one entity (semantics §2.1)."""
    data = base_world()
    data["principals"]["users"].append(copy.deepcopy(data["principals"]["users"][0]))
    data["secrets"].append(copy.deepcopy(data["secrets"][0]))
    assert world_problems(data) == [
        ("DUPLICATE_ENTITY", "$.principals.users[1]"),
        ("DUPLICATE_ENTITY", "$.secrets[1]"),
    ]


@pytest.mark.parametrize("data", [[], None, "world", 5])
def test_world_is_rejected_when_it_is_not_an_object(data: Any) -> None:
    """A world is a JSON object (semantics §1.1)."""
    assert world_problems(data) == [("INVALID_FIELD", "$")]


def test_scenario_error_lists_every_problem_when_world_has_several() -> None:
    """All schema problems are reported at once, in one ScenarioError (a ValueError)."""
    data = base_world()
    data["principals"]["users"][0]["polices"] = []
    data["accounts"][0]["id"] = "1111"
    data["secrets"][0]["kms_key"] = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/nope"
    data["kms_keys"][0]["manager"] = "ME"
    with pytest.raises(ValueError) as info:
        World.from_dict(data, source="w.json")
    error = info.value
    assert isinstance(error, ScenarioError)
    assert sorted(p.code for p in error.problems) == [
        "INVALID_FIELD",
        "INVALID_FIELD",
        "UNKNOWN_FIELD",
        "UNKNOWN_REFERENCE",
    ]
    assert all(p.source == "w.json" for p in error.problems)


def test_invalid_policy_is_kept_and_located_when_it_is_inside_the_world() -> None:
    """An invalid policy does not stop the world from loading: AWS would never have stored it, so
    it is treated as not attached and reported (semantics §3.4)."""
    data = base_world()
    data["secrets"][0]["resource_policy"] = policy(allow(Principal={"AWS": GROUP}))
    world = World.from_dict(data)
    assert [(p.code, p.json_path) for p in world.problems] == [
        ("GROUP_PRINCIPAL", "$.secrets[0].resource_policy.Statement[0].Principal.AWS")
    ]
    decision = authorize(world, {"principal": ALICE, "action": GET, "resource": SECRET}).to_dict()
    assert [v["error"] for v in decision["validation_errors"]] == ["MalformedPolicyDocument"]


def test_world_policies_are_checked_for_their_kind_when_placed_in_the_world() -> None:
    """Each place in the world holds one kind of policy (semantics §1.1, §3.3, §3.7, §3.10, §3.12)."""
    data = base_world()
    data["principals"]["users"][0]["policies"] = [policy(allow(Principal="*"))]
    data["principals"]["roles"][0]["trust_policy"] = policy({**valid_for(PolicyKind.TRUST), "Resource": "*"})
    data["principals"]["roles"][0]["permissions_boundary"] = policy(allow(Sid="a b"))
    data["kms_keys"][0]["key_policy"] = policy(
        {k: v for k, v in valid_for(PolicyKind.KEY).items() if k != "Resource"}
    )
    data["organization"] = {
        "id": "o-exampleorg1",
        "root_id": "r-root",
        "rcp_enabled": True,
        "scps": [
            {"name": "S", "attached_to": "r-root", "document": policy(allow(NotPrincipal={"AWS": ROOT}))}
        ],
        "rcps": [
            {
                "name": "R",
                "attached_to": ACCOUNT,
                "document": policy({**valid_for(PolicyKind.RCP), "Effect": "Allow"}),
            }
        ],
    }
    found_ = {(p.code, p.json_path) for p in World.from_dict(data).problems}
    assert found_ == {
        ("PRINCIPAL_NOT_ALLOWED", "$.principals.users[0].policies[0].Statement[0].Principal"),
        ("RESOURCE_NOT_ALLOWED", "$.principals.roles[0].trust_policy.Statement[0].Resource"),
        ("INVALID_SID", "$.principals.roles[0].permissions_boundary.Statement[0].Sid"),
        ("KEY_STATEMENT_WITHOUT_RESOURCE", "$.kms_keys[0].key_policy.Statement[0]"),
        ("PRINCIPAL_NOT_ALLOWED", "$.organization.scps[0].document.Statement[0].NotPrincipal"),
        ("RCP_ALLOW", "$.organization.rcps[0].document.Statement[0].Effect"),
    }


def test_round_trip_keeps_decisions_when_world_is_written_and_read_back() -> None:
    """World.to_dict writes the §1.1 format: reading it back decides every public case the same."""
    cases = public_cases()
    assert cases
    for case in cases:
        world = World.from_dict(case["world"])
        again = World.from_dict(json.loads(json.dumps(world.to_dict())))
        assert again.to_dict() == world.to_dict(), case["id"]
        before = authorize(world, case["request"]).to_dict()
        after = authorize(again, case["request"]).to_dict()
        assert after == before, case["id"]
        assert [p.to_dict() for p in again.problems] == [p.to_dict() for p in world.problems], case["id"]


# -- scenario files (§1)


def write(path: Path, data: Any) -> Path:
    if path.suffix in (".yaml", ".yml"):
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
    else:
        path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["world.json", "world.yaml", "world.yml"])
def test_load_scenario_reads_world_when_file_is_json_or_yaml(tmp_path: Path, name: str) -> None:
    """A scenario file is a §1.1 world in JSON or YAML (semantics §1)."""
    world = load_scenario(write(tmp_path / name, base_world()))
    assert isinstance(world, World) and world.user(ALICE) is not None
    assert world.to_dict() == World.from_dict(base_world()).to_dict()


@pytest.mark.parametrize("name", ["wrapped.json", "wrapped.yaml"])
def test_load_scenario_unwraps_world_when_file_has_description_and_expectations(
    tmp_path: Path, name: str
) -> None:
    """{"description", "world", "expectations"} wraps a world (semantics §1)."""
    data = {
        "description": "alice reads prod/db",
        "world": base_world(),
        "expectations": [{"request": {"principal": ALICE, "action": GET}, "decision": "allow"}],
    }
    world = load_scenario(write(tmp_path / name, data))
    assert world.description == "alice reads prod/db"
    assert world.secret(SECRET) is not None


def test_load_scenario_names_the_file_when_file_is_missing(tmp_path: Path) -> None:
    """An unreadable file is a ScenarioError naming it."""
    path = tmp_path / "absent.json"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [(p.code, p.source) for p in info.value.problems] == [("UNREADABLE_FILE", str(path))]


@pytest.mark.parametrize(
    "name, text",
    [
        ("bad.json", '{"accounts": [}'),
        ("bad.yaml", "accounts: [\n  - id: 1\n bad"),
        ("binary.json", b"\xff\xfe\x00"),
    ],
)
def test_load_scenario_reports_unreadable_file_when_text_does_not_parse(
    tmp_path: Path, name: str, text: str | bytes
) -> None:
    """Invalid JSON/YAML (or text that is not UTF-8) is UNREADABLE_FILE naming the file."""
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [(p.code, p.source) for p in info.value.problems] == [("UNREADABLE_FILE", str(path))]


def test_load_scenario_reports_unreadable_file_when_path_is_a_directory(tmp_path: Path) -> None:
    """A directory is not a scenario file."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path)
    assert [p.code for p in info.value.problems] == ["UNREADABLE_FILE"]


@pytest.mark.parametrize(
    "name, wrapped, path",
    [
        ("plain.json", False, "$.principals.users[0].polices"),
        ("plain.yaml", False, "$.principals.users[0].polices"),
        ("wrapped.json", True, "$.world.principals.users[0].polices"),
        ("wrapped.yml", True, "$.world.principals.users[0].polices"),
    ],
)
def test_load_scenario_locates_schema_error_in_file_when_world_is_invalid(
    tmp_path: Path, name: str, wrapped: bool, path: str
) -> None:
    """Schema problems carry the file name as ``source`` and their path in the file (semantics §1)."""
    data = base_world()
    data["principals"]["users"][0]["polices"] = []
    file = write(tmp_path / name, {"world": data} if wrapped else data)
    with pytest.raises(ScenarioError) as info:
        load_scenario(file)
    assert [(p.code, p.json_path, p.source) for p in info.value.problems] == [
        ("UNKNOWN_FIELD", path, str(file))
    ]


def test_load_scenario_rejects_unknown_wrapper_field_when_file_is_wrapped(tmp_path: Path) -> None:
    """The wrapper has no field beyond description, world, expectations (semantics §1)."""
    file = write(tmp_path / "w.json", {"world": base_world(), "expectation": []})
    with pytest.raises(ScenarioError) as info:
        load_scenario(file)
    assert [(p.code, p.json_path, p.source) for p in info.value.problems] == [
        ("UNKNOWN_FIELD", "$.expectation", str(file))
    ]


@pytest.mark.parametrize("content, path", [("[1, 2]", "$"), ("", "$"), ('{"world": null}', "$.world")])
def test_load_scenario_rejects_document_when_it_is_not_a_world_object(
    tmp_path: Path, content: str, path: str
) -> None:
    """A scenario document is a JSON object (semantics §1.1)."""
    file = tmp_path / "odd.yaml"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(file)
    assert [(p.code, p.json_path) for p in info.value.problems] == [("INVALID_FIELD", path)]


def test_load_scenario_keeps_invalid_policy_when_file_holds_one(tmp_path: Path) -> None:
    """An invalid policy is kept and reported, not raised (semantics §3.4)."""
    data = base_world()
    data["secrets"][0]["resource_policy"] = policy(allow(Principal={"AWS": GROUP}))
    world = load_scenario(write(tmp_path / "w.yaml", {"world": data}))
    assert [(p.code, p.json_path) for p in world.problems] == [
        ("GROUP_PRINCIPAL", "$.secrets[0].resource_policy.Statement[0].Principal.AWS")
    ]


def test_load_scenario_names_the_file_when_reporting_policy_problems(tmp_path: Path) -> None:
    """ "Every problem is reported with the file name and its JSON path" (scenario.py, semantics §1)."""
    data = base_world()
    data["secrets"][0]["resource_policy"] = policy(allow(Principal={"AWS": GROUP}))
    file = write(tmp_path / "w.json", data)
    assert [p.source for p in load_scenario(file).problems] == [str(file)]


# -- Request.from_dict (§1.2)


def test_request_is_read_when_it_follows_the_format() -> None:
    """A request in the §1.2 format, with an AssumeRole chain (semantics §1.2)."""
    request = Request.from_dict(
        {
            "principal": ALICE,
            "action": GET,
            "resource": SECRET,
            "context": {"aws:SourceVpce": "vpce-1", "aws:TagKeys": ["a", "b"]},
            "parameters": {"VersionStage": "AWSCURRENT"},
            "assume_role_chain": [
                {
                    "role_arn": ROLE,
                    "session_name": "alice",
                    "session_policies": [policy(allow())],
                    "session_tags": {"team": "x"},
                    "context": {"sts:ExternalId": "ext-123"},
                }
            ],
        }
    )
    assert request.action == GET and request.resource == SECRET
    assert [s.role_arn for s in request.assume_role_chain] == [ROLE]
    assert Request.from_dict({"principal": ALICE, "action": GET}).resource == "*"


def test_unknown_field_has_hint_when_request_keys_are_misspelled() -> None:
    """Unknown keys in the request schema MUST be rejected (semantics §1)."""
    with pytest.raises(ScenarioError) as info:
        Request.from_dict({"principal": ALICE, "action": GET, "resourse": SECRET, "contex": {}})
    problems = info.value.problems
    assert [(p.code, p.json_path) for p in problems] == [
        ("UNKNOWN_FIELD", "$.resourse"),
        ("UNKNOWN_FIELD", "$.contex"),
    ]
    assert "'resource'" in (problems[0].hint or "") and "'context'" in (problems[1].hint or "")


@pytest.mark.parametrize("action", ["GetSecretValue", "secretsmanager:Get:Value", 5, ""])
def test_invalid_field_is_rejected_when_request_action_is_malformed(action: Any) -> None:
    """The request action is service:ActionName (semantics §1.2)."""
    with pytest.raises(ScenarioError) as info:
        Request.from_dict({"principal": ALICE, "action": action})
    assert [(p.code, p.json_path) for p in info.value.problems] == [("INVALID_FIELD", "$.action")]


@pytest.mark.parametrize("action", [":GetSecretValue", "secretsmanager:", ":"])
def test_invalid_field_is_rejected_when_request_action_has_an_empty_part(action: str) -> None:
    """Neither part of service:ActionName may be empty (semantics §1.2)."""
    with pytest.raises(ScenarioError):
        Request.from_dict({"principal": ALICE, "action": action})


def test_missing_field_is_rejected_when_request_has_no_principal_or_action() -> None:
    """principal and action are required (semantics §1.2)."""
    with pytest.raises(ScenarioError) as info:
        Request.from_dict({"resource": SECRET})
    got = [(p.code, p.json_path) for p in info.value.problems]
    assert got.count(("MISSING_FIELD", "$")) == 2


def test_assume_role_chain_entries_are_rejected_when_malformed() -> None:
    """Each chain step is {role_arn, session_name, session_policies, session_tags, context}, the
    role an IAM role ARN and session policies valid session policies (semantics §1.2, §3.3)."""
    with pytest.raises(ScenarioError) as info:
        Request.from_dict(
            {
                "principal": ALICE,
                "action": GET,
                "assume_role_chain": [
                    {"role": ROLE},
                    {"role_arn": f"arn:aws:iam::{ACCOUNT}:user/alice"},
                    "SecretReader",
                    {
                        "role_arn": ROLE,
                        "session_policies": [policy(allow(Principal="*"))],
                        "session_tags": ["team"],
                        "context": "ext-123",
                    },
                ],
            }
        )
    got = [(p.code, p.json_path) for p in info.value.problems]
    assert got == [
        ("UNKNOWN_FIELD", "$.assume_role_chain[0].role"),
        ("MISSING_FIELD", "$.assume_role_chain[0]"),
        ("INVALID_FIELD", "$.assume_role_chain[0].role_arn"),
        ("INVALID_FIELD", "$.assume_role_chain[1].role_arn"),
        ("INVALID_FIELD", "$.assume_role_chain[2]"),
        ("INVALID_FIELD", "$.assume_role_chain[3].session_tags"),
        ("INVALID_FIELD", "$.assume_role_chain[3].context"),
    ]
    assert "'role_arn'" in (info.value.problems[0].hint or "")


def test_assume_role_is_refused_as_invalid_policy_when_a_session_policy_is_malformed() -> None:
    """An invalid session policy is part of the request, not of its format: STS refuses the
    AssumeRole call (MalformedPolicyDocument), so the decision is deny / INVALID_POLICY with the
    located problem (semantics §3.3, §12)."""
    from secretslab import World, authorize

    request = Request.from_dict(
        {
            "principal": ALICE,
            "action": GET,
            "resource": SECRET,
            "assume_role_chain": [{"role_arn": ROLE, "session_policies": [policy(allow(Principal="*"))]}],
        }
    )
    world = {  # the request names what exists (issue #9: an unknown principal or role is an error)
        "principals": {"users": [{"arn": ALICE}], "roles": [{"arn": ROLE}]},
        "secrets": [{"arn": SECRET, "name": "prod/db", "account": ACCOUNT, "region": "us-east-1"}],
    }
    decision = authorize(World.from_dict(world), request).to_dict()
    assert (decision["decision"], decision["reason"], decision["steps"]) == ("deny", "INVALID_POLICY", [])
    problems = decision["validation_errors"][0]["problems"]
    assert [p["code"] for p in problems] == ["PRINCIPAL_NOT_ALLOWED"]


@pytest.mark.parametrize(
    "data, path",
    [
        ({"principal": ALICE, "action": GET, "assume_role_chain": {"role_arn": ROLE}}, "$.assume_role_chain"),
        ({"principal": ALICE, "action": GET, "context": ["aws:SourceVpce"]}, "$.context"),
        (
            {"principal": ALICE, "action": GET, "context": {"aws:SourceVpce": {"v": 1}}},
            "$.context['aws:SourceVpce']",
        ),
        ({"principal": ALICE, "action": GET, "parameters": ["SecretString"]}, "$.parameters"),
        ({"principal": 5, "action": GET}, "$.principal"),
        ([ALICE, GET], "$"),
    ],
)
def test_invalid_field_is_rejected_when_request_value_has_wrong_type(data: Any, path: str) -> None:
    """Request fields have the types of semantics §1.2."""
    with pytest.raises(ScenarioError) as info:
        Request.from_dict(data)
    assert [(p.code, p.json_path) for p in info.value.problems] == [("INVALID_FIELD", path)]


def test_invalid_field_is_rejected_when_request_parameters_is_an_empty_list() -> None:
    """parameters is an object (semantics §1.2)."""
    with pytest.raises(ScenarioError):
        Request.from_dict({"principal": ALICE, "action": GET, "parameters": []})


def test_request_problems_name_the_source_when_one_is_given() -> None:
    """Request problems carry the file or line they came from."""
    with pytest.raises(ScenarioError) as info:
        Request.from_dict({"principal": ALICE, "action": "x"}, source="req.json")
    assert [p.source for p in info.value.problems] == ["req.json"]


def test_public_api_is_exported_when_imported_from_the_package() -> None:
    """The names used by these tests are the package's public API."""
    for name in (
        "check_policy",
        "parse_policy",
        "read_policy",
        "load_scenario",
        "World",
        "Request",
        "PolicyKind",
        "Problem",
        "ScenarioError",
        "InvalidPolicyError",
        "Severity",
    ):
        assert name in secretslab.__all__
