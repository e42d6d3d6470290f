"""Notebooks 03-06: what their teaching cells show is checked here, not by ``assert`` lines in
the cells. Each notebook is executed once, fresh, as an attendee would run it, and its outputs
inspected: no exercise says "Right" (or shows its answer) before the attendee has worked on it, and
what the text claims is what the cells print. The same facts are checked through the package
directly, so a failure names the fact, not a cell.

AWS pages: https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html,
https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html,
https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html
"""

from __future__ import annotations

import os
from dataclasses import replace
from functools import cache
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

import secretslab as sl
from secretslab.exercises.common import NOT_YET, RIGHT
from secretslab.widgets import BuilderChoices, render_builder

from .conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
LATE = ("03-cross-account", "04-people-come-and-go", "05-what-if-analysis", "06-audit-an-account")
R = sl.Reason
GET, DESCRIBE = "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"


@cache
def _run(name: str) -> tuple[tuple[str, str], ...]:
    """Execute the notebook fresh in its folder; (source, text output) of each code cell."""
    path = NOTEBOOKS / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.km_kwargs = {"env": env}  # type: ignore[attr-defined]
    client.execute()
    return tuple(("".join(c.source), _text(c.outputs)) for c in nb.cells if c.cell_type == "code")


def _text(outputs: list[Any]) -> str:
    parts = []
    for out in outputs:
        if out.get("output_type") == "error":
            raise AssertionError(f"{out['ename']}: {out['evalue']}")
        parts.append(out.get("text") or out.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def _output(name: str, marker: str) -> str:
    """The output of the one code cell whose source contains ``marker``."""
    (found,) = [text for source, text in _run(name) if marker in source]
    return found


# -- no give-aways, no test-only asserts


@pytest.mark.parametrize("name", LATE)
def test_a_fresh_run_says_not_yet_and_never_right(name: str) -> None:
    """Issue #10 item 2: a fresh run never prints "Right" for an exercise not done, nor a "§" of
    a document attendees do not have; the exercise cell's own output starts with "Not yet"."""
    cells = _run(name)
    assert not any(RIGHT in text for _, text in cells)
    assert not any("§" in text for _, text in cells)  # outputs cite AWS pages too
    (exercise,) = [text for source, text in cells if "print(check_0" in source]
    assert exercise.startswith(NOT_YET)


@pytest.mark.parametrize("name", LATE)
def test_teaching_cells_hold_no_assert_and_no_section_sign(name: str) -> None:
    """Test-only asserts live here, and attendees get AWS links, not "§" of a document they lack."""
    text = (NOTEBOOKS / f"{name}.ipynb").read_text()
    nb = nbformat.reads(text, as_version=4)
    assert not [c for c in nb.cells if c.cell_type == "code" and "assert " in "".join(c.source)]
    assert "§" not in text


# -- 03: the two paths


def test_03_direct_path_is_two_hops_allowed_on_both_sides() -> None:
    cmk = render_builder(BuilderChoices(key="cmk", path="direct"))
    assert cmk.decision.reason == R.ALLOWED_CROSS_ACCOUNT
    assert [s.action for s in cmk.decision.steps] == [GET, "kms:Decrypt"]
    assert "ALLOWED_CROSS_ACCOUNT" in _output("03-cross-account", 'BuilderChoices(key="cmk", path="direct")')


def test_03_a_bare_name_from_another_account_is_refused_and_the_arn_reads() -> None:
    """GetSecretValue: "To retrieve a secret from another account, you must use an ARN"
    (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html)."""
    cmk = render_builder(BuilderChoices(key="cmk", path="direct"))
    caller = cmk.decision.request.principal
    with pytest.raises(sl.UnknownNameError, match="bare name resolves in the caller's own account"):
        sl.authorize(cmk.world, {"principal": caller, "action": GET, "resource": "prod/db"})
    arn = cmk.world.secrets[0].arn
    assert sl.authorize(cmk.world, {"principal": caller, "action": GET, "resource": arn}).allowed
    shown = _output("03-cross-account", '"resource": "prod/db"')
    assert "holds no secret named 'prod/db'" in shown and "by ARN: ALLOWED_CROSS_ACCOUNT" in shown


def test_03_role_path_is_a_same_account_read_with_no_secret_policy() -> None:
    role = render_builder(
        BuilderChoices(key="aws", path="assume_role", secret_policy="none", key_policy="none")
    )
    assert role.decision.allowed and role.decision.reason == R.ALLOWED_IDENTITY
    assert [s.action for s in role.decision.steps] == ["sts:AssumeRole", GET, "kms:Decrypt"]


def test_03_aws_managed_key_fails_the_decrypt_hop_on_caller_account() -> None:
    """aws/secretsmanager's key policy allows "*" only under kms:CallerAccount and kms:ViaService
    (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html)."""
    aws_key = render_builder(BuilderChoices(key="aws", path="direct"))
    first, second = aws_key.decision.steps
    assert first.allowed and not second.allowed
    assert (second.action, aws_key.decision.reason) == ("kms:Decrypt", R.XACCT_NO_RESOURCE_GRANT)
    key_policy = second.evaluation.policies_in(sl.PolicyRole.RESOURCE)[0]
    assert any("kms:CallerAccount" in (r.why_not or "") for r in key_policy.statements())
    assert [(c.action, c.account) for c in aws_key.fix.changes] == [
        ("use_customer_managed_key", "111111111111"),
        ("add_statement", "222222222222"),
    ]


def test_03_each_missing_piece_fails_its_own_hop() -> None:
    direct = BuilderChoices(key="cmk", path="direct")
    via_role = BuilderChoices(key="aws", path="assume_role", secret_policy="none", key_policy="none")
    expected = {
        replace(direct, secret_policy="none"): (GET, R.XACCT_NO_RESOURCE_GRANT),
        replace(direct, key_policy="none"): ("kms:Decrypt", R.XACCT_NO_RESOURCE_GRANT),
        replace(direct, identity_get=False): (GET, R.XACCT_NO_IDENTITY_GRANT),
        replace(direct, identity_decrypt=False): ("kms:Decrypt", R.XACCT_NO_IDENTITY_GRANT),
        replace(via_role, trust=False): ("sts:AssumeRole", R.TRUST_POLICY_NO_MATCH),
        replace(via_role, identity_get=False): (GET, R.NO_APPLICABLE_ALLOW),
    }
    for choices, (action, reason) in expected.items():
        decision = render_builder(choices).decision
        assert decision.failed_step is not None
        assert (decision.failed_step.action, decision.reason) == (action, reason), choices
    account = render_builder(replace(direct, secret_policy="account", key_policy="account"))
    assert account.decision.reason == R.ALLOWED_CROSS_ACCOUNT


# -- 04: people come and go

PEOPLE = ROOT / "data" / "people-come-and-go.json"
SECRET = "arn:aws:secretsmanager:us-east-1:111111111111:secret"
BY_GROUP, BY_LIST = f"{SECRET}:payments/db-Pm1Db4", f"{SECRET}:shared/payments-legacy-api-Lg8Ap2"


def _user(name: str) -> str:
    return f"arn:aws:iam::111111111111:user/{name}"


def test_04_the_group_follows_the_team_and_the_list_is_wrong_twice() -> None:
    world = sl.load_scenario(PEOPLE)
    readers = {
        s: {w.principal.rsplit("/", 1)[1] for w in sl.who_can(world, GET, s)} for s in (BY_GROUP, BY_LIST)
    }
    assert readers == {BY_GROUP: {"alice", "bob", "carol"}, BY_LIST: {"alice", "bob", "dave"}}
    dave = sl.authorize(world, {"principal": _user("dave"), "action": GET, "resource": BY_LIST})
    erin = sl.authorize(world, {"principal": _user("erin"), "action": GET, "resource": BY_LIST})
    assert dave.reason == R.ALLOWED_DIRECT_RBP and erin.reason == R.EXPLICIT_DENY_IDENTITY
    matrix = sl.access_matrix(world, actions=[GET, DESCRIBE])
    assert matrix.cell(_user("carol"), BY_LIST, GET).reason == R.NO_APPLICABLE_ALLOW
    assert matrix.cell(_user("erin"), BY_GROUP, GET).reason == R.EXPLICIT_DENY_IDENTITY


def test_04_replaying_the_history_measures_each_edit_and_what_lags() -> None:
    """The replay of the group edits from January gives back today's world, and the ledger
    printed is measured: one group edit per event, and the list lagging behind by dave (March),
    then dave and carol."""
    name = "04-people-come-and-go"
    assert _output(name, "january = edited(") == "replayed group edits vs today's world: no access changes\n"
    ledger = _output(name, "ledger = []").splitlines()
    assert ledger[1].startswith("March: dave leaves") and ledger[1].endswith("dave still reads")
    assert ledger[2].endswith("carol cannot read; dave still reads")
    assert "1 edit: 2 changed" in ledger[2] and "1 edit: 1 changed" in ledger[2]
    assert ledger[3].startswith("May: erin leaves") and "1 edit: 0 changed" in ledger[3]


def test_04_a_deleted_user_becomes_an_id_that_a_recreated_user_does_not_match() -> None:
    """When a user named in a resource-based policy is deleted, the policy shows its unique id;
    a user re-created with the same name has a new id and is not matched
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html)."""
    world = sl.load_scenario(PEOPLE)
    data = world.to_dict()
    dave_id = world.user(_user("dave")).user_id
    assert dave_id
    data["principals"]["users"] = [u for u in data["principals"]["users"] if u["arn"] != _user("dave")]
    statement = next(s for s in data["secrets"] if s["arn"] == BY_LIST)["resource_policy"]["Statement"][0]
    statement["Principal"]["AWS"] = [
        dave_id if p == _user("dave") else p for p in statement["Principal"]["AWS"]
    ]
    data["principals"]["users"].append(
        {"arn": _user("dave"), "user_id": "AIDAEXAMPLEDAVE00002", "groups": []}
    )
    recreated = sl.World.from_dict(data)
    decision = sl.authorize(recreated, {"principal": _user("dave"), "action": GET, "resource": BY_LIST})
    assert decision.reason == R.NO_APPLICABLE_ALLOW
    assert "stale principal id" in str(decision)
    shown = _output("04-people-come-and-go", "recreated = edited(deleted, new_dave)")
    assert "STALE_PRINCIPAL_ID" in shown and "NO_APPLICABLE_ALLOW" in shown


def test_04_the_exercise_is_on_the_june_world_whose_answer_the_notebook_never_prints() -> None:
    """The answer (the June team) appears in no output of a fresh run."""
    june = {"alice", "carol", "frank"}
    for _, text in _run("04-people-come-and-go"):
        assert str(sorted(june)) not in text
        assert "frank" not in text


# -- 05: what-if analysis

GUARDRAILS = ROOT / "data" / "organization-guardrails.json"
FEED = "arn:aws:secretsmanager:us-east-1:111111111111:secret:shared/partner-feed-Fd2Pt6"
PARTNER = "arn:aws:sts::333333333333:assumed-role/PartnerRole/session"


def test_05_only_the_rcp_keeps_the_partner_out() -> None:
    world = sl.load_scenario(GUARDRAILS)
    assert sl.access_matrix(world).cell(PARTNER, FEED, GET).reason == R.EXPLICIT_DENY_RCP
    data = world.to_dict()
    data["organization"]["rcps"] = []
    changes = sl.diff(world, sl.World.from_dict(data))
    assert [(c.principal, c.resource, c.action) for c in changes.gained] == [(PARTNER, FEED, GET)]
    assert not changes.lost


def test_05_findings_report_the_feed_shared_outside_the_organization() -> None:
    """Access Analyzer's zone of trust is the organization
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html)."""
    found = sl.findings(sl.load_scenario(GUARDRAILS))
    assert {f.code for f in found} == {"IDENTITY_READS_ALL_SECRETS", "EXTERNAL_ACCESS"}
    assert "EXTERNAL_ACCESS" in _output("05-what-if-analysis", "found = sl.findings(world)")


def test_05_the_two_guards_on_secret_policies() -> None:
    """Granting PutResourcePolicy to another account lets it rewrite the policy
    (https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html);
    BlockPublicPolicy refuses a public policy and is off by default
    (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html)."""
    name = "05-what-if-analysis"
    assert "CROSS_ACCOUNT_PUT_RESOURCE_POLICY" in _output(name, '"secretsmanager:PutResourcePolicy"]')
    blocked, stored = _output(name, '"BlockPublicPolicy": block').splitlines()
    assert blocked == "BlockPublicPolicy=True: deny PUBLIC_POLICY_BLOCKED"
    assert stored.startswith(
        "BlockPublicPolicy=False: allow ALLOWED_IDENTITY stored without BlockPublicPolicy"
    )


def test_05_the_create_secret_fix_names_the_secret_with_question_marks() -> None:
    shown = _output("05-what-if-analysis", '"action": "secretsmanager:CreateSecret"')
    assert shown.startswith("today: SCP_IMPLICIT_DENY")
    assert "sandbox/new-??????" in shown and "Sb9Nw3" not in shown.partition("\n")[2]
    verified = _output("05-what-if-analysis", "fixed = sl.apply_fix(world, best)")
    assert verified.startswith(
        "sandbox/new-Sb9Nw3: ALLOWED_IDENTITY\nsandbox/new-Qx7Lm2: ALLOWED_IDENTITY\nno access changes\n"
    )
    # over every request, the one new access is the CreateSecret the fix was for
    checked = verified.splitlines()[3:]
    assert checked[0].startswith("no new access: FAIL over ") and len(checked) == 2
    new = "sandbox/new in 222222222222 us-east-1 (a secret that does not exist yet)"
    assert f"may secretsmanager:CreateSecret on {new}" in checked[1]


def test_05_the_partner_fix_removes_the_rcp_deny_and_the_key_swap_moves_readers() -> None:
    from secretslab.widgets import WhatIfExplorer, WhatIfState, render_whatif

    world = sl.load_scenario(GUARDRAILS)
    partner = {"principal": "arn:aws:sts::333333333333:assumed-role/PartnerRole/feed-reader", "action": GET}
    assert sl.suggest_fixes(world, {**partner, "resource": FEED})[0].changes[0].action == "remove_statement"
    base = WhatIfExplorer(world).base
    feed_keys = next(swap for swap in base.swaps if swap.secret == FEED)
    aws_managed = next(arn for label, arn in feed_keys.options if "AWS managed" in label)
    swapped = render_whatif(WhatIfState(base, keys=((FEED, aws_managed),)))
    assert {c.principal.split(":")[5] for c in swapped.diff.gained} == {
        "user/prod-admin",
        "assumed-role/SecurityAdmin/session",
    }
    assert {c.principal.split(":")[5] for c in swapped.diff.lost} == {"assumed-role/SandboxDev/session"}
    assert swapped.diff.lost[0].after == R.XACCT_NO_RESOURCE_GRANT


def test_05_the_aws_managed_key_policy_shown_grants_star_under_caller_account_and_via_service() -> None:
    shown = _output("05-what-if-analysis", "world.secret_key(prod_db).key_policy")
    first = shown.splitlines()[0]
    assert "'*'" in first and "kms:CallerAccount" in first and "kms:ViaService" in first


# -- 06: audit of the stand-in


def test_06_the_import_reads_no_secret_value_and_the_direct_legacy_read_fails_on_kms() -> None:
    name = "06-audit-an-account"
    assert "secret values read: none" in _output(name, "snap = snapshot(")
    shown = _output(name, "direct = sl.authorize(world")
    assert shown.startswith("directly: deny XACCT_NO_RESOURCE_GRANT")
    assert ":assumed-role/AppRole/session via " in shown and ":role/SecretReader" in shown


def test_06_the_dead_grant_is_to_be_removed_and_removing_it_takes_nothing_away() -> None:
    name = "06-audit-an-account"
    found = _output(name, "found = sl.findings(world)")
    dead = next(line for line in found.splitlines() if "stop granting secretsmanager:GetSecretValue" in line)
    assert "re-encrypt" not in dead
    shown = _output(name, "without the dead grant").splitlines()
    assert shown[0] == "prod/legacy without the dead grant: no access changes"
    assert shown[1].startswith("no new access: PASS over ") and shown[2].startswith(
        "no new access: PASS over "
    )
    assert shown[3] == "its findings now: none"


def test_06_the_principal_the_exercise_asks_for_is_not_printed_before_it() -> None:
    """The other reader through SecretReader (ci-bot) never appears next to SecretReader in the
    outputs: who_can shows direct readers only, findings show their hints."""
    for source, text in _run("06-audit-an-account"):
        for line in text.splitlines():
            assert not ("ci-bot" in line and "SecretReader" in line), (source[:40], line)


def test_04_the_checker_takes_the_team_from_the_june_world_it_is_given() -> None:
    """The exercise passes the world of June (frank joined, bob left): the checker must read the
    team from the world it is given, not from the scenario file."""
    from secretslab.exercises import check_04

    data = sl.load_scenario(PEOPLE).to_dict()
    team = "arn:aws:iam::111111111111:group/payments-team"
    data["principals"]["users"].append(
        {"arn": _user("frank"), "user_id": "AIDAEXAMPLEFRANK0001", "groups": [team]}
    )
    next(u for u in data["principals"]["users"] if u["arn"] == _user("bob"))["groups"] = []
    june = sl.World.from_dict(data)
    assert check_04(["alice", "carol", "frank"], june).startswith(RIGHT)
    assert check_04(["alice", "bob", "carol"], june).startswith(NOT_YET)
