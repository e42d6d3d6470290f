"""Notebooks 00, 01, 02 and 07 run top to bottom and show what they claim: each is executed once
here and its outputs inspected, so the teaching cells carry no ``assert``. A fresh run never says
``Right`` for an exercise, and no notebook cites "§" of a document attendees do not have.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
(the order of the evaluation stages), https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
(access denied messages), https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html
(the PutResourcePolicy warning), https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html
(BlockPublicPolicy), https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_examples.html
(the AWS-service exception of an RCP), https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
(session policies).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator

import pytest

import secretslab as sl
from secretslab.policy import PolicyRef, Slot

from .conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
EARLY = ("00-first-request", "01-identity-vs-resource", "02-how-aws-decides", "07-policy-playground")
GET = "secretsmanager:GetSecretValue"
SECRET = "arn:aws:secretsmanager:us-east-1:111111111111:secret"
DEV = "arn:aws:iam::111111111111"


def _cells(name: str) -> list[dict]:  # type: ignore[type-arg]
    cells: list[dict] = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text())["cells"]  # type: ignore[type-arg]
    return cells


def _run(name: str) -> list[str]:
    """The text each code cell of the notebook shows (stdout, and the plain text of its results),
    in order; an error fails the test."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    shown = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        parts = []
        for output in cell.outputs:
            if output.output_type == "stream":
                parts.append(output.text)
            elif "data" in output:
                parts.append(output.data.get("text/plain", ""))
                parts.append(output.data.get("text/html", ""))
        shown.append("".join(parts))
    return shown


@pytest.fixture(scope="module")
def ran() -> Iterator[dict[str, list[str]]]:
    """Every early notebook executed once, with this worktree's package first on the kernel's path."""
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), before) if p)
    try:
        yield {name: _run(name) for name in EARLY}
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before


# -- conventions


@pytest.mark.parametrize("name", EARLY)
def test_no_teaching_cell_asserts(name: str) -> None:
    for cell in _cells(name):
        if cell["cell_type"] == "code":
            lines = "".join(cell["source"]).splitlines()
            assert not [line for line in lines if line.lstrip().startswith("assert ")], name


@pytest.mark.parametrize("name", EARLY)
def test_no_section_signs_and_aws_pages_are_linked(name: str) -> None:
    text = "".join("".join(c["source"]) for c in _cells(name))
    assert "§" not in text
    assert "](https://docs.aws.amazon.com/" in text


@pytest.mark.parametrize("name", EARLY)
def test_a_fresh_run_never_says_right(ran: dict[str, list[str]], name: str) -> None:
    assert not [out for out in ran[name] if re.search(r"(^|\n)\s*Right\b", out)]


# -- 00


def test_00_shows_the_two_reads_the_error_text_and_an_open_exercise(ran: dict[str, list[str]]) -> None:
    out = ran["00-first-request"]
    world = sl.load_scenario(ROOT / "data" / "cross-account-read.json")
    reader = "arn:aws:sts::222222222222:assumed-role/AppRole/worker"
    db = sl.authorize(world, {"principal": reader, "action": GET, "resource": f"{SECRET}:prod/db-AbC123"})
    legacy = sl.authorize(
        world, {"principal": reader, "action": GET, "resource": f"{SECRET}:prod/legacy-Zx9Yw8"}
    )
    assert db.allowed and db.reason is sl.Reason.ALLOWED_CROSS_ACCOUNT
    assert not legacy.allowed and [s.action for s in legacy.steps] == [GET, "kms:Decrypt"]
    assert "ALLOWED_CROSS_ACCOUNT" in out[1]
    assert "XACCT_NO_RESOURCE_GRANT" in out[2]
    assert "when calling the GetSecretValue operation: Access to KMS is not allowed" in out[3]
    assert "because no resource-based policy allows the kms:Decrypt action" in out[3]
    assert out[-1].startswith("Not yet")


def test_00_exercise_cell_starts_from_a_placeholder() -> None:
    source = "".join(_cells("00-first-request")[-1]["source"])
    assert 'answer = "..."' in source and "check_00(answer, world)" in source


# -- 01


def test_01_facts_the_notebook_shows(ran: dict[str, list[str]]) -> None:
    out = ran["01-identity-vs-resource"]
    text = "\n".join(out)
    assert "PRINCIPAL_NOT_ALLOWED" in text and "MISSING_PRINCIPAL" in text
    assert re.search(r"team/db\s+allow\s+ALLOWED_IDENTITY", text)
    assert re.search(r"team/api-key\s+allow\s+ALLOWED_IDENTITY", text)
    assert re.search(r"team/shared-config\s+deny\s+NO_APPLICABLE_ALLOW", text)
    assert "user/bob (ALLOWED_DIRECT_RBP)" in text and "assumed-role/app/session (ALLOWED_ROLE_RBP)" in text
    assert "identity policy of group devs, Sid ReadTeamSecrets" in text
    assert "$.Statement[0].Principal.AWS[1]: error GROUP_PRINCIPAL" in text
    assert "INVALID_POLICY" in text
    assert re.search(r"alice team/new\s+allow\s+ALLOWED_IDENTITY", text)
    assert re.search(r"bob team/new\s+deny", text) and re.search(r"alice prod/new\s+deny", text)
    assert "resource-based policies looked at: ()" in text
    assert "DIFFERS" not in text and "holds" in text
    assert out[-1].startswith("Not yet")


def test_01_the_matrix_and_the_describe_call_through_the_package() -> None:
    world = sl.load_scenario(ROOT / "data" / "identity-vs-resource.json")
    alice = f"{DEV}:user/alice"
    matrix = sl.access_matrix(world, actions=[GET])
    cells = [
        f"{SECRET}:team/db-Qm7Tx2",
        f"{SECRET}:team/api-key-Lp3Vw9",
        f"{SECRET}:team/shared-config-Hc5Rn8",
    ]
    assert [matrix.cell(alice, s, GET).allowed for s in cells] == [True, True, False]
    app = "arn:aws:sts::111111111111:assumed-role/app/i-0abc123"
    describe = sl.authorize(
        world, {"principal": app, "action": "secretsmanager:DescribeSecret", "resource": cells[2]}
    )
    assert describe.reason is sl.Reason.NO_APPLICABLE_ALLOW


def test_01_put_resource_policy_escalates_and_block_public_policy_refuses(ran: dict[str, list[str]]) -> None:
    text = "\n".join(ran["01-identity-vs-resource"])
    # whoever may PutResourcePolicy takes the secret over: after its own policy, app may delete it
    assert "PutResourcePolicy: allow ALLOWED_ROLE_RBP" in text
    assert re.search(
        r"secretsmanager:DeleteSecret\s+before: \[\]\s+after: \['assumed-role/app/session'\]", text
    )
    # BlockPublicPolicy: false by default (stored, with a note), true refuses with PublicPolicyException
    assert "BlockPublicPolicy=False: allow" in text and "stored without BlockPublicPolicy" in text
    assert "BlockPublicPolicy=True: deny PUBLIC_POLICY_BLOCKED" in text
    assert "(PublicPolicyException) when calling the PutResourcePolicy operation" in text


# -- 02


def test_02_shows_the_stages_in_aws_order(ran: dict[str, list[str]]) -> None:
    flow = ran["02-how-aws-decides"][1]
    titles = [
        "Explicit deny",
        "Resource control policies",
        "Service control policies",
        "Resource-based policy",
        "Identity-based policies",
        "Permissions boundary",
        "Session policies",
        "Decision: ALLOW",
    ]
    positions = [flow.index(t) for t in titles]
    assert positions == sorted(positions)
    assert re.search(r"Identity-based policies\s+decided", flow)


def test_02_facts_the_notebook_shows(ran: dict[str, list[str]]) -> None:
    text = "\n".join(ran["02-how-aws-decides"])
    assert "EXPLICIT_DENY_SCP - SCP DenyPolicyChanges at ou-prod" in text
    assert "with an explicit deny in a service control policy" in text
    assert "EXPLICIT_DENY_IDENTITY" in text
    assert "EXPLICIT_DENY_RCP - RCP DenyOutsideOrg at r-root" in text
    assert "with an explicit deny in a resource control policy" in text
    assert re.search(r"r-root\s+allows\nou-sandbox\s+no SCP allows it\n222222222222\s+allows", text)
    assert re.search(r"org-admin force-deletes\s+allow", text)
    assert re.search(r"prod-admin force-deletes\s+deny\s+EXPLICIT_DENY_SCP", text)
    assert "GetSecretValue: deny PB_IMPLICIT_DENY" in text and "DescribeSecret: allow" in text
    assert "because no permissions boundary allows" in text
    assert "DIFFERS" not in text and "holds" in text
    assert "wrong endpoint: deny" in text and "no endpoint:    allow" in text
    assert re.search(r"no Tags\s+allow", text)


def test_02_the_rcp_carries_the_aws_service_exception_and_shows_why(ran: dict[str, list[str]]) -> None:
    world = sl.load_scenario(ROOT / "data" / "organization-guardrails.json")
    rcp = world.policy(PolicyRef(Slot.RCP, "r-root", 0))
    assert rcp is not None
    condition = rcp.source["Statement"][0]["Condition"]
    assert condition["BoolIfExists"] == {"aws:PrincipalIsAWSService": "false"}
    text = "\n".join(ran["02-how-aws-decides"])
    assert "the partner's role: the Deny applies" in text
    assert "an AWS service principal: the Deny does not apply" in text
    # negated operators are shown after IfExists is taught, and before the RCP's conditions are read
    cells = ["".join(c["source"]) for c in _cells("02-how-aws-decides")]
    taught = next(i for i, c in enumerate(cells) if c.startswith("### `…IfExists`"))
    first_use = next(i for i, c in enumerate(cells) if "evaluate_condition(" in c or ".conditions[0]" in c)
    assert taught < first_use


def test_02_shows_a_session_policy_capping_a_session(ran: dict[str, list[str]]) -> None:
    text = "\n".join(ran["02-how-aws-decides"])
    assert re.search(r"team/api-key-Lp3Vw9\s+no session policy\s+allow", text)
    assert re.search(r"team/api-key-Lp3Vw9\s+only DescribeSecret\s+deny\s+SESSION_POLICY_IMPLICIT_DENY", text)
    assert re.search(r"team/shared-config-Hc5Rn8\s+no session policy\s+allow\s+ALLOWED_ROLE_RBP", text)
    assert re.search(
        r"team/shared-config-Hc5Rn8\s+only DescribeSecret\s+deny\s+SESSION_POLICY_IMPLICIT_DENY", text
    )
    assert "because no session policy allows the secretsmanager:GetSecretValue action" in text
    assert '"session_policies"' in "".join("".join(c["source"]) for c in _cells("02-how-aws-decides"))


def test_02_exercise_gives_nothing_away(ran: dict[str, list[str]]) -> None:
    out = ran["02-how-aws-decides"]
    assert "Null" not in "\n".join(out)  # the fix (a Null check) is never printed before the exercise
    assert out[-1].startswith("Not yet")


def _markdown(name: str) -> str:
    return "".join("".join(c["source"]) for c in _cells(name) if c["cell_type"] == "markdown")


def test_02_says_the_order_of_the_stages_matters() -> None:
    # "the order of the policies affects how they are evaluated", and a same-account
    # resource-based policy naming a user ARN is not limited by a permissions boundary:
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    text = " ".join(_markdown("02-how-aws-decides").split())
    assert "same in any order" not in text
    assert "The order matters" in text and "permissions boundary and session policies" in text
    assert (
        "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)" in text
    )


def test_02_the_package_lets_a_resource_policy_naming_a_user_pass_its_boundary() -> None:
    # the claim of the flow's text, decided by the package: the boundary allows nothing, the user
    # has no identity policy, the secret policy names the user's ARN -> allowed
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
    secret = f"{SECRET}:team/db-AbC123"
    user = f"{DEV}:user/bounded"
    world = sl.World.from_dict(
        {
            "accounts": [{"id": "111111111111", "name": "dev"}],
            "principals": {
                "users": [
                    {
                        "arn": user,
                        "policies": [],
                        "permissions_boundary": {
                            "Version": "2012-10-17",
                            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
                        },
                    }
                ]
            },
            "secrets": [
                {
                    "arn": secret,
                    "resource_policy": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Principal": {"AWS": user}, "Action": GET, "Resource": "*"}
                        ],
                    },
                }
            ],
        }
    )
    decision = sl.authorize(world, {"principal": user, "action": GET, "resource": secret})
    assert decision.allowed, decision.reason


def test_01_exercise_names_the_check_the_checker_uses() -> None:
    text = " ".join(_markdown("01-identity-vs-resource").split())
    assert "sl.diff" not in text
    assert "`sl.check_no_new_access`" in text and "secrets that do not exist yet included" in text


def test_02_exercise_says_what_the_checker_asks() -> None:
    text = " ".join(_markdown("02-how-aws-decides").split())
    assert "near misses such as `Team` and `teamowner`" in text and "case sensitive" in text
