"""The error a caller sees for a denied request, worded as AWS words it.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html (``User:
… is not authorized to perform: … on resource: …`` with ``with an explicit deny in a <type> policy``
or ``because no <type> policy allows the <action> action``),
https://repost.aws/knowledge-center/secrets-manager-cross-account-key (``Access to KMS is not
allowed`` when the KMS call Secrets Manager makes is denied),
https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html
(``PublicPolicyException``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import secretslab as sl
from secretslab.authorization import AccessDenied, access_denied

DATA = Path(__file__).resolve().parent.parent / "data"
APP = "arn:aws:sts::222222222222:assumed-role/AppRole/worker"
PROD = "arn:aws:secretsmanager:us-east-1:111111111111:secret"
GET = "secretsmanager:GetSecretValue"
ACCOUNT = "arn:aws:iam::111111111111"


def _decide(scenario: str, **request: Any) -> sl.Decision:
    return sl.authorize(sl.load_scenario(DATA / scenario), request)


def test_an_allowed_request_has_no_error() -> None:
    decision = _decide(
        "cross-account-read.json", principal=APP, action=GET, resource=f"{PROD}:prod/db-AbC123"
    )
    assert decision.allowed and decision.access_denied is None


def test_a_denied_kms_call_reads_as_secrets_managers_access_to_kms_is_not_allowed() -> None:
    decision = _decide(
        "cross-account-read.json", principal=APP, action=GET, resource=f"{PROD}:prod/legacy-Zx9Yw8"
    )
    error = decision.access_denied
    assert isinstance(error, AccessDenied)
    assert (error.code, error.operation, error.message) == (
        "AccessDeniedException",
        "GetSecretValue",
        "Access to KMS is not allowed",
    )
    assert error.call == (
        f"User: {APP} is not authorized to perform: kms:Decrypt on resource: "
        "arn:aws:kms:us-east-1:111111111111:key/aws-managed-secretsmanager-0001 "
        "because no resource-based policy allows the kms:Decrypt action"
    )
    assert str(error) == (
        "An error occurred (AccessDeniedException) when calling the GetSecretValue operation: "
        "Access to KMS is not allowed"
    )


def test_an_implicit_deny_names_the_policy_type_that_allows_nothing() -> None:
    describe = _decide(
        "identity-vs-resource.json",
        principal="arn:aws:sts::111111111111:assumed-role/app/i-0abc123",
        action="secretsmanager:DescribeSecret",
        resource=f"{PROD}:team/shared-config-Hc5Rn8",
    )
    assert describe.reason is sl.Reason.NO_APPLICABLE_ALLOW
    error = describe.access_denied
    assert error is not None and error.message == error.call
    assert error.message.endswith(
        "because no identity-based policy allows the secretsmanager:DescribeSecret action"
    )
    assert error.message.startswith(
        "User: arn:aws:sts::111111111111:assumed-role/app/i-0abc123 is not authorized to perform: "
        f"secretsmanager:DescribeSecret on resource: {PROD}:team/shared-config-Hc5Rn8"
    )


def test_a_permissions_boundary_and_an_rcp_are_named_as_aws_names_them() -> None:
    boundary = _decide(
        "organization-guardrails.json",
        principal=f"{ACCOUNT}:user/contractor",
        action=GET,
        resource=f"{PROD}:prod/db-AbC123",
    )
    assert boundary.reason is sl.Reason.PB_IMPLICIT_DENY and boundary.access_denied is not None
    assert boundary.access_denied.message.endswith(f"because no permissions boundary allows the {GET} action")
    partner = _decide(
        "organization-guardrails.json",
        principal="arn:aws:sts::333333333333:assumed-role/PartnerRole/feed-reader",
        action=GET,
        resource=f"{PROD}:shared/partner-feed-Fd2Pt6",
    )
    assert partner.reason is sl.Reason.EXPLICIT_DENY_RCP and partner.access_denied is not None
    assert partner.access_denied.message.endswith("with an explicit deny in a resource control policy")


def test_an_scp_deny_is_an_explicit_deny_in_a_service_control_policy() -> None:
    delete = _decide(
        "organization-guardrails.json",
        principal=f"{ACCOUNT}:user/prod-admin",
        action="secretsmanager:DeleteResourcePolicy",
        resource=f"{PROD}:prod/db-AbC123",
    )
    assert delete.reason is sl.Reason.EXPLICIT_DENY_SCP and delete.access_denied is not None
    assert delete.access_denied.operation == "DeleteResourcePolicy"
    assert delete.access_denied.message.endswith("with an explicit deny in a service control policy")


def test_block_public_policy_refuses_with_public_policy_exception() -> None:
    public = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": GET, "Resource": "*"}]}  # fmt: skip
    request = {
        "principal": "arn:aws:iam::111111111111:root",
        "action": "secretsmanager:PutResourcePolicy",
        "resource": f"{PROD}:team/db-Qm7Tx2",
        "parameters": {"ResourcePolicy": public, "BlockPublicPolicy": True},
    }
    world = sl.load_scenario(DATA / "identity-vs-resource.json")
    blocked = sl.authorize(world, request)
    assert blocked.reason is sl.Reason.PUBLIC_POLICY_BLOCKED
    error = access_denied(blocked)
    assert error is not None and error.code == "PublicPolicyException"
    assert "did not prevent broad access to the secret" in error.message
    stored = sl.authorize(world, {**request, "parameters": {"ResourcePolicy": public}})
    assert stored.allowed and stored.access_denied is None  # BlockPublicPolicy is false by default


def test_a_failed_assume_role_hop_is_sts_access_denied_without_context() -> None:
    world = sl.load_scenario(DATA / "identity-vs-resource.json")
    decision = sl.authorize(
        world,
        {
            "principal": f"{ACCOUNT}:user/bob",  # no identity policy allows sts:AssumeRole
            "assume_role_chain": [{"role_arn": f"{ACCOUNT}:role/app", "session_name": "bob"}],
            "action": GET,
            "resource": f"{PROD}:team/api-key-Lp3Vw9",
        },
    )
    error = decision.access_denied
    assert not decision.allowed and error is not None
    assert (error.code, error.operation) == ("AccessDenied", "AssumeRole")
    assert error.message == (
        f"User: {ACCOUNT}:user/bob is not authorized to perform: sts:AssumeRole "
        f"on resource: {ACCOUNT}:role/app"
    )
