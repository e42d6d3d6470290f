"""Exercise 00: name a piece missing from the implicit deny of AppRole's cross-account read of
prod/legacy. Either piece is right, and the answer explains both.

AWS pages: https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html
(cross-account access needs the secret policy, the identity policy and a customer managed key whose
key policy allows the other account; aws/secretsmanager cannot be used across accounts),
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
(both accounts must allow).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import secretslab as sl
from secretslab.exercises import NOT_YET, RIGHT, check_00

SCENARIO = Path(__file__).resolve().parent.parent / "data" / "cross-account-read.json"


@pytest.fixture(scope="module")
def world() -> sl.World:
    return sl.load_scenario(SCENARIO)


@pytest.mark.parametrize(
    "answer",
    [
        "key policy of alias/aws/secretsmanager",
        "identity policy of role AppRole",
        "Key policy",
        "  identity   POLICY ",
        "the key policy",
        "identity-based policy of role AppRole",
        "resource-based policy",  # the key policy is the resource-based policy of kms:Decrypt
    ],
)
def test_either_missing_piece_is_right_and_both_are_explained(world: sl.World, answer: str) -> None:
    message = check_00(answer, world)
    assert message.startswith(RIGHT)
    # the key's side: with only the identity statement added, the key policy still grants nothing
    assert "XACCT_NO_RESOURCE_GRANT at kms:Decrypt" in message
    # the caller's side: with only a key policy granting AppRole, the identity policy allows nothing
    assert "XACCT_NO_IDENTITY_GRANT at kms:Decrypt" in message
    # both at once: the customer managed key of prod/db
    assert "ALLOW ALLOWED_CROSS_ACCOUNT" in message


def test_the_placeholder_is_not_yet(world: sl.World) -> None:
    assert check_00("...", world).startswith(NOT_YET)
    assert check_00("", world).startswith(NOT_YET)


def test_the_secret_policy_is_not_missing_it_already_grants(world: sl.World) -> None:
    message = check_00("secret policy of prod/legacy", world)
    assert message.startswith(NOT_YET)
    assert "Sid AppsRead" in message and "kms:Decrypt" in message


def test_a_statement_sid_or_an_unknown_policy_is_not_yet(world: sl.World) -> None:
    sid = (
        "Allow access through AWS Secrets Manager for all principals in the account that are "
        "authorized to use AWS Secrets Manager"
    )
    assert check_00(sid, world).startswith(NOT_YET)
    assert check_00("service control policy", world).startswith(NOT_YET)


def test_the_checker_never_raises_and_asks_for_the_world(world: sl.World) -> None:
    assert check_00(42, world).startswith(NOT_YET)
    assert check_00({"policy": "key"}, world).startswith(NOT_YET)
    assert "cross-account-read.json" in check_00("key policy")


def test_the_checker_leaves_the_world_unchanged(world: sl.World) -> None:
    before = sl.World.from_dict(world.to_dict())
    check_00("key policy", world)
    request = {
        "principal": "arn:aws:sts::222222222222:assumed-role/AppRole/worker",
        "action": "secretsmanager:GetSecretValue",
        "resource": "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/legacy-Zx9Yw8",
    }
    assert sl.authorize(world, request).to_dict() == sl.authorize(before, request).to_dict()
    assert world.to_dict() == before.to_dict()


def test_a_world_where_the_read_works_is_not_the_notebooks(world: sl.World) -> None:
    data = world.to_dict()
    legacy = next(s for s in data["secrets"] if s["name"] == "prod/legacy")
    legacy["kms_key"] = next(s for s in data["secrets"] if s["name"] == "prod/db")["kms_key"]
    fixed = sl.World.from_dict(data)
    assert check_00("key policy", fixed).startswith(NOT_YET)
