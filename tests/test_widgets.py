"""The notebook widgets without a kernel: set control values as a learner would, then check the
rendered decision (outcome and reason code), the HTML and the figure. Observers fire synchronously,
so each assignment to ``.value`` re-renders before the next line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.figure import Figure

from secretslab import World
from secretslab import widgets as W

DATA = Path(__file__).resolve().parent.parent / "data"
CMK_SCENARIO = DATA / "cross-account-cmk.json"
AWS_KEY_SCENARIO = DATA / "cross-account-aws-managed-key.json"
APP_ROLE_SESSION = "arn:aws:sts::222222222222:assumed-role/AppRole/session"
APP_DB = "arn:aws:secretsmanager:us-east-1:111111111111:secret:app/db-AbC123"
APP_LEGACY_NAME = "app/legacy"
TEAM_DB = "arn:aws:secretsmanager:us-east-1:111111111111:secret:team/db-Qm7Tx2"
PNG = b"\x89PNG\r\n\x1a\n"


def _has_png(rendered: W.Rendered) -> bool:
    return isinstance(rendered.figure, Figure) and rendered.png.startswith(PNG)


# -- the scenario builder: the four canonical set-ups (pure render function)


def test_builder_allows_cross_account_when_cmk_grants_and_identity_all_present() -> None:
    """§10.5, §8.7, §9.5: secret policy + identity policy for GetSecretValue, key policy + identity
    policy for the kms:Decrypt Secrets Manager makes: every hop is ALLOWED_CROSS_ACCOUNT."""
    r = W.render_builder(W.BuilderChoices())
    assert r.decision is not None and r.decision.allowed
    assert r.decision.reason.value == "ALLOWED_CROSS_ACCOUNT"
    assert [s.action for s in r.decision.steps] == ["secretsmanager:GetSecretValue", "kms:Decrypt"]
    assert all(s.evaluation.reason.value == "ALLOWED_CROSS_ACCOUNT" for s in r.decision.steps)
    assert r.fix is None
    assert "✓ allowed" in r.html and "ALLOWED_CROSS_ACCOUNT" in r.html and "Smallest fix" not in r.html
    assert _has_png(r)


def test_builder_denies_at_kms_decrypt_when_key_is_aws_managed() -> None:
    """§9.6: aws/secretsmanager's policy allows only its own account (kms:CallerAccount) and
    cannot be edited, so the KMS sub-request fails XACCT_NO_RESOURCE_GRANT; the smallest fix
    is a customer managed key."""
    r = W.render_builder({"key": "aws"})
    assert r.decision is not None and not r.decision.allowed
    assert r.decision.reason.value == "XACCT_NO_RESOURCE_GRANT"
    failed = r.decision.failed_step
    assert failed is not None and failed.action == "kms:Decrypt"
    assert r.fix is not None and r.fix.changes[0].action == "use_customer_managed_key"
    assert "customer managed key" in r.fix.description
    assert "Smallest fix" in r.html and "customer managed key" in r.html
    assert _has_png(r)


def test_builder_allows_when_assumed_role_trusts_consumer_account() -> None:
    """§10.6, §11.2: AppRole assumes SecretReader in prod (trust policy trusts account apps, and
    AppRole's identity policy allows sts:AssumeRole); the read is then same-account, so even
    aws/secretsmanager works (§9.6) and the secret needs no secret policy (§8.6 c)."""
    r = W.render_builder({"key": "aws", "secret_policy": "none", "path": "assume_role", "trust": True})
    assert r.decision is not None and r.decision.allowed
    actions = [s.action for s in r.decision.steps]
    assert actions == ["sts:AssumeRole", "secretsmanager:GetSecretValue", "kms:Decrypt"]
    assert r.decision.steps[0].evaluation.reason.value == "ALLOWED_CROSS_ACCOUNT"
    assert r.decision.reason.value == "ALLOWED_IDENTITY"
    assert _has_png(r)


def test_builder_denies_trust_policy_no_match_when_role_trusts_only_its_account() -> None:
    """§11.2: the trust policy must allow the caller (its ARN, role or account) explicitly; one
    trusting only prod leaves AppRole out, whatever AppRole's identity policy says."""
    r = W.render_builder({"path": "assume_role", "trust": False})
    assert r.decision is not None and not r.decision.allowed
    assert r.decision.reason.value == "TRUST_POLICY_NO_MATCH"
    assert [s.action for s in r.decision.steps] == ["sts:AssumeRole"]
    assert "not reached" in r.html  # the read and the decrypt never ran
    # the hops table lists what the decision planned but never reached, with who would have called
    assert [p.action for p in r.decision.unreached] == ["secretsmanager:GetSecretValue", "kms:Decrypt"]
    hops = r.html.split("</table>", 1)[0]
    assert hops.count(">not reached<") == 2
    assert hops.count("<code>assumed-role/SecretReader/app</code>") == 2
    assert "<code>secret:prod/db-AbC123</code>" in hops and "sts:AssumeRole on" in hops
    assert r.fix is not None and "trust policy" in r.fix.description


@pytest.mark.parametrize(
    ("choices", "reason", "failed_action"),
    [
        ({"secret_policy": "none"}, "XACCT_NO_RESOURCE_GRANT", "secretsmanager:GetSecretValue"),
        ({"identity_get": False}, "XACCT_NO_IDENTITY_GRANT", "secretsmanager:GetSecretValue"),
        ({"key_policy": "none"}, "XACCT_NO_RESOURCE_GRANT", "kms:Decrypt"),
        ({"identity_decrypt": False}, "XACCT_NO_IDENTITY_GRANT", "kms:Decrypt"),
        ({"secret_policy": "account", "key_policy": "account"}, "ALLOWED_CROSS_ACCOUNT", None),
    ],
)
def test_builder_needs_all_four_pieces_when_reading_across_accounts(
    choices: dict[str, Any], reason: str, failed_action: str | None
) -> None:
    """§10.5 (all four pieces), §8.8 (no resource policy: no cross-account grant), §9.5 (the key
    policy and the caller's IAM policy must both allow kms:Decrypt); §8.7: naming the consumer
    account in both resource policies is enough on the resource side."""
    r = W.render_builder(choices)
    assert r.decision is not None and r.decision.reason.value == reason
    failed = r.decision.failed_step
    assert (failed.action if failed else None) == failed_action


def test_build_world_makes_a_valid_world_when_any_choice_is_made() -> None:
    for choices in ({}, {"key": "aws"}, {"path": "assume_role", "trust": False, "identity_get": False}):
        data = W.build_world(choices)
        world = World.from_dict(json.loads(json.dumps(data)))
        assert not [p for p in world.problems if p.is_error]
        assert {a.id for a in world.accounts} == {"111111111111", "222222222222"}


def test_build_world_rejects_a_choice_when_its_value_is_unknown() -> None:
    with pytest.raises(ValueError, match="key_policy"):
        W.build_world({"key_policy": "everyone"})


def test_render_builder_renders_the_same_result_when_equal_choices_are_given_as_dict_or_choices() -> None:
    """§9.6 vs §10.6: the render depends on the choices alone, however they are given; other
    choices decide and draw another result."""
    as_dict = W.render_builder({"key": "aws"})
    W.clear_caches()  # decide and draw again rather than answer from memory
    as_choices = W.render_builder(W.BuilderChoices(key="aws"))
    assert as_choices is not as_dict
    assert as_dict.decision is not None and as_choices.decision is not None
    assert as_choices.decision.to_dict() == as_dict.decision.to_dict()
    assert as_choices.decision.reason.value == "XACCT_NO_RESOURCE_GRANT"
    assert as_choices.html == as_dict.html and as_choices.png == as_dict.png
    assert as_dict.fix is not None and as_choices.fix is not None
    assert as_choices.fix.to_dict() == as_dict.fix.to_dict()
    other = W.render_builder({"key": "aws", "path": "assume_role"})
    assert other.decision is not None and other.decision.allowed
    assert other.decision.to_dict() != as_dict.decision.to_dict()
    assert other.html != as_dict.html and other.png != as_dict.png


def test_render_builder_answers_from_memory_when_choices_repeat() -> None:
    """Renders are memoized on their state (the package's promise of an instant re-render when a
    learner flips a control back): equal choices, as a dict or as ``BuilderChoices``, give the
    remembered render until ``clear_caches``."""
    first = W.render_builder({"key": "aws"})
    assert W.render_builder(W.BuilderChoices(key="aws")) is first
    W.clear_caches()
    assert W.render_builder({"key": "aws"}) is not first


# -- the scenario builder widget


def test_builder_widget_rerenders_when_controls_change() -> None:
    """§9.6 then §10.6: switching to the AWS managed key denies at kms:Decrypt; going through an
    assumed role in prod allows again."""
    b = W.ScenarioBuilder()
    assert b.rendered is not None and b.rendered.decision is not None and b.rendered.decision.allowed
    assert bytes(b.image.value) == b.rendered.png and b.rendered.png.startswith(PNG)
    b.key.value = "aws"
    assert b.rendered.decision is not None and b.rendered.decision.reason.value == "XACCT_NO_RESOURCE_GRANT"
    assert b.key_policy.disabled  # aws/secretsmanager's policy cannot be edited
    assert "XACCT_NO_RESOURCE_GRANT" in b.html.value and "customer managed key" in b.html.value
    assert bytes(b.image.value) == b.rendered.png
    b.path.value = "assume_role"
    assert b.rendered.decision is not None and b.rendered.decision.allowed
    assert "SecretReader" in b.identity_get.description and not b.trust.disabled
    b.trust.value = False
    assert b.rendered.decision is not None and b.rendered.decision.reason.value == "TRUST_POLICY_NO_MATCH"
    assert b.choices == W.BuilderChoices(key="aws", path="assume_role", trust=False)


def test_builder_widget_keeps_last_result_when_rendering_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    b = W.ScenarioBuilder()
    good_html, good_png = b.html.value, b.image.value

    def broken(choices: W.BuilderChoices) -> W.Rendered:
        raise RuntimeError("boom")

    monkeypatch.setattr(W.builder, "_render_builder", broken)  # where render_builder finds it
    b.identity_get.value = False  # the observer must not raise
    assert "boom" in b.status.value and "last good" in b.status.value
    assert b.html.value == good_html and b.image.value == good_png


# -- the policy playground


def _playground(path: str = "$.secrets[0].resource_policy") -> W.PolicyPlayground:
    pg = W.PolicyPlayground(CMK_SCENARIO, path)
    pg.principal.value = APP_ROLE_SESSION
    pg.secret.value = APP_DB
    pg.action.value = "secretsmanager:GetSecretValue"
    return pg


def test_playground_decides_the_request_when_first_shown() -> None:
    """§8.7, §10.5: app/db has all four pieces for AppRole."""
    pg = _playground()
    r = pg.rendered
    assert r is not None and r.decision is not None and r.decision.reason.value == "ALLOWED_CROSS_ACCOUNT"
    assert json.loads(pg.text.value)["Statement"][0]["Sid"] == "AppsRead"
    assert "ALLOWED_CROSS_ACCOUNT" in pg.html.value and _has_png(r) and bytes(pg.image.value) == r.png


def test_playground_denies_when_the_secret_policy_is_removed() -> None:
    """§8.8: without a secret policy nothing in prod grants another account's principal."""
    pg = _playground()
    pg.text.value = "null"
    assert pg.rendered is not None and pg.rendered.decision is not None
    assert pg.rendered.decision.reason.value == "XACCT_NO_RESOURCE_GRANT"
    assert "XACCT_NO_RESOURCE_GRANT" in pg.html.value


def test_playground_shows_problem_and_keeps_last_result_when_json_is_invalid() -> None:
    pg = _playground()
    good, good_html, good_png = pg.last_good, pg.html.value, pg.image.value
    typed = '{"Version": "2012-10-17", "Statement": ['
    pg.text.value = typed
    assert pg.rendered is not None and not pg.rendered.ok and pg.rendered.decision is None
    assert [p.code for p in pg.rendered.problems] == ["INVALID_JSON"]
    assert "INVALID_JSON" in pg.status.value and "<code>$</code>" in pg.status.value
    assert "last good" in pg.status.value
    assert pg.last_good is good and pg.html.value == good_html and pg.image.value == good_png
    assert pg.text.value == typed  # the typed text is never lost


def test_playground_locates_the_element_when_the_policy_is_invalid() -> None:
    """§2.6, §3.4: an IAM group cannot be named in a secret policy (AWS rejects the policy)."""
    pg = _playground()
    good = pg.last_good
    doc = json.loads(pg.text.value)
    doc["Statement"][0]["Principal"] = {"AWS": "arn:aws:iam::222222222222:group/devs"}
    pg.text.value = json.dumps(doc, indent=2)
    assert pg.rendered is not None and not pg.rendered.ok
    problem = pg.rendered.problems[0]
    assert (problem.code, problem.json_path) == ("GROUP_PRINCIPAL", "$.Statement[0].Principal.AWS")
    assert "$.Statement[0].Principal.AWS" in pg.status.value and "GROUP_PRINCIPAL" in pg.status.value
    assert "hint:" in pg.status.value and "secret policy of app/db" in pg.status.value
    assert pg.last_good is good and '"group/devs"' not in pg.html.value


def test_playground_draws_every_hop_when_the_access_diagram_is_chosen() -> None:
    """§10.1: the KMS sub-request is a hop of its own; the flow shows the step that decided."""
    pg = _playground()
    flow = pg.rendered
    pg.figure.value = "diagram"
    r = pg.rendered
    assert flow is not None and r is not None and _has_png(r) and r.png != flow.png
    assert r.decision is not None and [s.action for s in r.decision.steps] == [
        "secretsmanager:GetSecretValue",
        "kms:Decrypt",
    ]
    assert bytes(pg.image.value) == r.png


def test_playground_rejects_principal_when_editing_an_identity_policy() -> None:
    """§3.3: identity-based policies have no Principal element."""
    pg = _playground("$.principals.roles[0].policies[0]")
    doc = json.loads(pg.text.value)
    doc["Statement"][0]["Principal"] = "*"
    pg.text.value = json.dumps(doc)
    assert pg.rendered is not None
    assert [(p.code, p.json_path) for p in pg.rendered.problems if p.is_error] == [
        ("PRINCIPAL_NOT_ALLOWED", "$.Statement[0].Principal")
    ]


def test_playground_evaluates_and_shows_hint_when_policy_has_only_warnings() -> None:
    """§8.7: a misspelt action in AppRole's identity policy matches nothing, so the principal side
    no longer allows GetSecretValue (XACCT_NO_IDENTITY_GRANT); the lint names the right action."""
    pg = _playground("identity policy of role AppRole")
    doc = json.loads(pg.text.value)
    doc["Statement"][0]["Action"] = "secretsmanager:GetSecretValu"
    pg.text.value = json.dumps(doc, indent=2)
    r = pg.rendered
    assert r is not None and r.ok and r.decision is not None
    assert r.decision.reason.value == "XACCT_NO_IDENTITY_GRANT"
    assert "UNKNOWN_ACTION" in pg.html.value and "GetSecretValue" in pg.html.value
    assert pg.status.value == ""


def test_playground_keeps_typed_text_and_its_effect_when_switching_policies() -> None:
    """§8.8: the removed secret policy stays removed while another policy is being edited."""
    pg = _playground()
    pg.text.value = "null"
    pg.policy.value = "$.kms_keys[0].key_policy"
    assert json.loads(pg.text.value)["Statement"][0]["Sid"] == "EnableIAMPolicies"
    assert pg.rendered is not None and pg.rendered.decision is not None
    assert pg.rendered.decision.reason.value == "XACCT_NO_RESOURCE_GRANT"
    pg.policy.value = "$.secrets[0].resource_policy"
    assert pg.text.value == "null"
    pg.reset.click()
    assert json.loads(pg.text.value)["Statement"][0]["Sid"] == "AppsRead"
    assert pg.rendered is not None and pg.rendered.decision is not None and pg.rendered.decision.allowed


def test_playground_redecides_when_the_request_controls_change() -> None:
    """§8.7: AppsAdmin's secretsmanager:* in apps grants nothing in prod without a prod grant;
    §10.2: DescribeSecret makes no KMS call, so app/internal's key policy does not matter."""
    pg = _playground()
    pg.principal.value = "arn:aws:sts::222222222222:assumed-role/AppsAdmin/session"
    assert pg.rendered is not None and pg.rendered.decision is not None
    assert pg.rendered.decision.reason.value == "XACCT_NO_RESOURCE_GRANT"
    pg.principal.value = APP_ROLE_SESSION
    pg.secret.value = "arn:aws:secretsmanager:us-east-1:111111111111:secret:app/internal-In7Tr1"
    assert pg.rendered.decision is not None and not pg.rendered.decision.allowed
    pg.action.value = "secretsmanager:DescribeSecret"
    assert pg.rendered.decision is not None and pg.rendered.decision.allowed


def test_playground_allows_when_a_first_identity_policy_is_typed_for_a_principal() -> None:
    """§8.6 (c): in the secret's own account an identity policy alone is enough (the secret has
    no resource policy); bob has none until one is typed."""
    pg = W.PolicyPlayground(DATA / "identity-vs-resource.json", "identity policy of user bob (none yet)")
    pg.principal.value = "arn:aws:iam::111111111111:user/bob"
    pg.secret.value = TEAM_DB
    assert pg.text.value == "null"
    assert pg.rendered is not None and pg.rendered.decision is not None
    assert pg.rendered.decision.reason.value == "NO_APPLICABLE_ALLOW"
    statement = {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": TEAM_DB}
    pg.text.value = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    assert pg.rendered.decision is not None and pg.rendered.decision.reason.value == "ALLOWED_IDENTITY"
    # the typed policy is in the slot the chooser names, in a new world; the scenario's is untouched
    ref = pg.current.ref
    edited = pg.rendered.world
    assert edited is not None and edited is not pg.world
    typed = edited.policy(ref)
    assert typed is not None and typed.source["Statement"] == [statement]
    assert pg.world.policy(ref) is None and edited.policy_path(ref) == pg.current.path


def test_playground_raises_when_the_policy_path_is_unknown() -> None:
    with pytest.raises(ValueError, match="no editable policy"):
        W.PolicyPlayground(CMK_SCENARIO, "$.secrets[99].resource_policy")


def test_playground_offers_no_key_policy_when_the_key_is_aws_managed() -> None:
    """§9.6: AWS writes aws/secretsmanager's key policy; nobody can edit it."""
    slots = W.editable_policies(W.as_world(AWS_KEY_SCENARIO))
    labels = [s.label for s in slots]
    assert "key policy of alias/prod-app" in labels
    assert not any("aws/secretsmanager" in label for label in labels)


# -- the what-if explorer


def _box(explorer: W.WhatIfExplorer, label: str) -> Any:
    return next(explorer.checkboxes[t.key] for t in explorer.base.statements if t.label == label)


def test_whatif_shows_no_change_when_nothing_is_toggled() -> None:
    wi = W.WhatIfExplorer(CMK_SCENARIO)
    world = json.loads(CMK_SCENARIO.read_text())["world"]
    docs = [
        *(p for r in world["principals"]["roles"] for p in r["policies"]),
        *(s["resource_policy"] for s in world["secrets"] if s["resource_policy"]),
        *(k["key_policy"] for k in world["kms_keys"] if k["manager"] == "CUSTOMER"),
    ]
    assert len(wi.checkboxes) == sum(len(d["Statement"]) for d in docs)  # one per statement
    r = wi.rendered
    assert r is not None and r.diff is not None and not r.diff.changes
    assert _has_png(r) and bytes(wi.image.value) == r.png
    assert "0 access(es) gained, 0 lost" in wi.html.value


def test_whatif_loses_access_when_a_secret_policy_statement_is_switched_off() -> None:
    """§8.7, §8.8: without its secret policy's grant, app/db is closed to AppRole."""
    wi = W.WhatIfExplorer(CMK_SCENARIO)
    _box(wi, "secret policy of app/db · AppsRead").value = False
    r = wi.rendered
    assert r is not None and r.diff is not None
    assert [(c.principal, c.resource, c.after.value) for c in r.diff.lost] == [
        (APP_ROLE_SESSION, APP_DB, "XACCT_NO_RESOURCE_GRANT")
    ]
    assert not r.diff.gained
    assert "Lost" in wi.html.value and "secret:app/db-AbC123" in wi.html.value
    assert r.matrix is not None and not r.matrix.cell(APP_ROLE_SESSION, APP_DB, W.GET_SECRET_VALUE).allowed


def test_whatif_loses_access_when_the_key_becomes_aws_managed() -> None:
    """§9.6: aws/secretsmanager never works across accounts."""
    wi = W.WhatIfExplorer(CMK_SCENARIO)
    swap = next(s for s in wi.base.swaps if s.secret == APP_DB)
    wi.keys[APP_DB].value = next(
        arn for label, arn in swap.options if label.startswith("alias/aws/secretsmanager")
    )
    r = wi.rendered
    assert r is not None and r.diff is not None
    assert [(c.resource, c.after.value) for c in r.diff.lost] == [(APP_DB, "XACCT_NO_RESOURCE_GRANT")]


def test_whatif_gains_access_when_the_key_becomes_customer_managed() -> None:
    """§9.5 vs §9.6: moving app/legacy to the customer managed key whose policy grants AppRole
    kms:Decrypt through Secrets Manager opens it to AppRole."""
    wi = W.WhatIfExplorer(AWS_KEY_SCENARIO)
    swap = next(s for s in wi.base.swaps if s.label == APP_LEGACY_NAME)
    assert swap.options[0][0].startswith("alias/aws/secretsmanager")
    wi.keys[swap.secret].value = swap.options[1][1]
    r = wi.rendered
    assert r is not None and r.diff is not None
    assert [(c.principal.rsplit("/", 2)[1], c.resource) for c in r.diff.gained] == [("AppRole", swap.secret)]
    assert "Gained" in wi.html.value


def test_whatif_reports_invalid_key_policy_when_all_its_statements_are_off() -> None:
    """§3.2, §9.1: a key policy cannot be empty; AWS would reject it, so the key serves no one."""
    wi = W.WhatIfExplorer(CMK_SCENARIO)
    _box(wi, "key policy of alias/prod-app · EnableIAMPolicies").value = False
    _box(wi, "key policy of alias/prod-app · AppsDecryptViaSecretsManager").value = False
    r = wi.rendered
    assert r is not None and r.diff is not None
    assert {c.after.value for c in r.diff.lost} == {"INVALID_POLICY"}
    assert "EMPTY_ELEMENT" in wi.html.value


def test_whatif_restores_the_scenario_when_reset_is_clicked() -> None:
    wi = W.WhatIfExplorer(CMK_SCENARIO)
    _box(wi, "identity policy of role AppRole · ReadProdAppSecrets").value = False
    assert wi.rendered is not None and wi.rendered.diff is not None and wi.rendered.diff.lost
    wi.reset.click()
    assert all(box.value for box in wi.checkboxes.values())
    assert wi.rendered.diff is not None and not wi.rendered.diff.changes


def test_whatif_edits_a_new_world_by_policy_reference() -> None:
    """§3.2: an emptied secret policy is removed; a key policy keeps its other statements."""
    base = W.whatif_base(CMK_SCENARIO)
    read = next(t for t in base.statements if t.label == "secret policy of app/db · AppsRead")
    enable, *rest = [t for t in base.statements if t.label.startswith("key policy of alias/prod-app ·")]
    state = W.WhatIfState(base, frozenset({read.key, enable.key}))
    after = W.changed_world(state)
    assert after.policy(read.ref) is None and base.world.policy(read.ref) is not None
    key_policy = after.policy(enable.ref)
    assert key_policy is not None
    assert [s["Sid"] for s in key_policy.source["Statement"]] == [t.label.rsplit(" · ", 1)[1] for t in rest]
    assert W.whatif_world(state) == after.to_dict()
    assert base.world.to_dict() == W.as_world(CMK_SCENARIO).to_dict()


def test_whatif_removes_every_emptied_identity_policy_when_a_principal_has_several() -> None:
    """Removing policy 1 of a list before policy 0 keeps each reference pointing at its policy."""
    bob = "arn:aws:iam::111111111111:user/bob"

    def allow(sid: str) -> dict[str, Any]:
        statement = {"Sid": sid, "Effect": "Allow", "Action": W.GET_SECRET_VALUE, "Resource": "*"}
        return {"Version": "2012-10-17", "Statement": [statement]}

    world = {
        "accounts": [{"id": "111111111111"}],
        "principals": {
            "users": [{"arn": bob, "policies": [allow("First"), allow("Second"), allow("Third")]}]
        },
        "secrets": [{"arn": TEAM_DB, "name": "team/db", "account": "111111111111", "region": "us-east-1"}],
    }
    base = W.whatif_base(world)
    off = frozenset(t.key for t in base.statements if not t.label.endswith("Second"))
    after = W.changed_world(W.WhatIfState(base, off))
    user = after.user(bob)
    assert user is not None and [p.source["Statement"][0]["Sid"] for p in user.policies] == ["Second"]


def test_render_whatif_is_pure_when_given_the_same_state() -> None:
    base = W.whatif_base(CMK_SCENARIO)
    toggle = base.statements[0]
    state = W.WhatIfState(base, frozenset({toggle.key}))
    assert W.render_whatif(state) is W.render_whatif(W.WhatIfState(base, frozenset({toggle.key})))
    assert base.world.to_dict() == W.as_world(CMK_SCENARIO).to_dict()  # the base world is untouched


def test_progress_bar_follows_done_and_total_and_turns_green_at_the_end() -> None:
    bar = W.ProgressBar("import")
    bar(1, 4)
    assert (bar.bar.value, bar.bar.max, bar.text.value) == (1, 4, "import: 1/4")
    assert bar.bar.bar_style == ""
    bar(4, 4)
    assert bar.bar.value == 4 and bar.bar.bar_style == "success"


def test_progress_bar_displays_a_static_copy_beside_the_live_bar() -> None:
    """Where widget JavaScript cannot load (a handout, the documentation site), the bar shows its
    label, not the widgets' repr."""
    bar = W.ProgressBar("import")
    bundle = bar._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == "import: starting"
    assert "secretslab-static" in bundle["text/html"] and "import: starting" in bundle["text/html"]
    assert "HBox" not in bundle["text/plain"] + bundle["text/html"]
