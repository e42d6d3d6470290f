"""Apps that read well on a projector (issue #10 item 5): no control label is cut off, a disabled
control shows what is really there, every figure text has one size whatever the path, implicit
deny is neutral grey and explicit deny red in every figure, each hop names its principal, the
builder draws the world after the smallest fix beside the failing one, and fix suggestions carry
short ARNs. The apps are driven as a learner would, without a kernel."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import ipywidgets
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.text import Text

import secretslab as sl
from secretslab import viz
from secretslab import widgets as W
from secretslab.analysis import access_matrix
from secretslab.viz.names import short_arn, short_arns
from secretslab.widgets.controls import cut_labels, dropdown, toggle_buttons

DATA = Path(__file__).resolve().parent.parent / "data"
PNG = b"\x89PNG\r\n\x1a\n"
SCENARIOS = sorted(p.name for p in DATA.glob("*.json") if "expectations" in json.loads(p.read_text()))


# -- labels: every control of every app shows its whole label


def _apps() -> Iterator[tuple[str, Any]]:
    """Every app, in the states that change its controls' labels and options."""
    b = W.ScenarioBuilder()
    yield "builder", b
    b.key.value = "aws"  # the key policy control shows the AWS managed key's own policy
    yield "builder, AWS managed key", b
    b.path.value = "assume_role"  # the identity policy checkboxes name SecretReader
    yield "builder, assume role", b
    for name in ("cross-account-cmk.json", "identity-vs-resource.json", "organization-guardrails.json"):
        yield f"playground {name}", W.PolicyPlayground(DATA / name)
    for name in ("cross-account-cmk.json", "cross-account-aws-managed-key.json"):
        yield f"what-if {name}", W.WhatIfExplorer(DATA / name)


def test_no_control_of_any_app_cuts_its_label() -> None:
    """Descriptions as wide as their text, toggle buttons as wide as theirs, dropdowns, checkboxes
    and buttons within a width budget that holds their description and longest option."""
    checked = 0
    for name, app in _apps():
        assert cut_labels(app.widget) == [], name
        checked += sum(1 for c in W.controls.walk(app.widget) if getattr(c, "description", ""))
    assert checked > 40  # the walk reached the controls inside the boxes


def test_the_labels_the_issue_saw_cut_are_whole() -> None:
    """ "customer manag…", "AWS managed ke…", "assume role Secr…", "the consumer role App"."""
    b = W.ScenarioBuilder()
    assert b.key.style.button_width == "auto" and b.path.style.button_width == "auto"
    assert b.key.style.description_width == "initial"
    need = max(len(label) for label, _ in W.GRANT_OPTIONS) + len(b.secret_policy.description)
    assert float(b.secret_policy.layout.width.removesuffix("em")) >= 0.62 * need
    assert ("the consumer role AppRole", "role") in W.GRANT_OPTIONS


def test_cut_labels_names_a_control_left_at_ipywidgets_defaults() -> None:
    """The check can fail: ipywidgets' own widths cut these labels."""
    box = ipywidgets.VBox(
        [
            ipywidgets.ToggleButtons(
                options=["customer managed key alias/prod-db"], description="Secret's key:"
            ),
            ipywidgets.Dropdown(options=["the consumer role AppRole"], description="Secret policy grants:"),
            ipywidgets.Checkbox(description="SecretReader's trust policy trusts account 222222222222"),
            ipywidgets.Button(description="Back to the scenario"),
        ]
    )
    found = cut_labels(box)
    kinds = [f.split(" ", 1)[0] for f in found]
    assert sorted(set(kinds)) == ["Button", "Checkbox", "Dropdown", "ToggleButtons"], found
    assert kinds.count("ToggleButtons") == 2  # its description and its buttons
    assert cut_labels(ipywidgets.VBox([toggle_buttons("Secret's key:", W.KEY_OPTIONS, "cmk")])) == []
    narrow = dropdown("Policy:", ["short"])
    narrow.options = ["a much longer option than the width budget was made for"]
    assert cut_labels(narrow) != []


# -- a disabled control never shows a grant that does not exist


def test_disabled_key_policy_shows_the_aws_managed_keys_own_policy() -> None:
    """§9.6: aws/secretsmanager's policy is written by AWS (its own account, through Secrets
    Manager); the control never shows "the consumer role AppRole" for it."""
    b = W.ScenarioBuilder()
    b.key.value = "aws"
    assert b.key_policy.disabled and b.key_policy.value == "aws"
    shown = dict((v, k) for k, v in b.key_policy.options)[b.key_policy.value]
    assert "AppRole" not in shown and W.APPS not in shown and W.PROD in shown
    world = b.rendered.world if b.rendered else None
    assert world is not None and all(k.aws_managed for k in world.keys)
    assert b.choices.key_policy == "role"  # the learner's choice, kept
    b.key.value = "cmk"
    assert not b.key_policy.disabled and b.key_policy.value == "role"
    assert dict(W.GRANT_OPTIONS) == dict(b.key_policy.options)


def test_disabled_trust_checkbox_is_unticked_on_the_direct_path() -> None:
    """No SecretReader on the direct path, so no trust policy trusts anyone: the checkbox shows
    it unticked; the learner's tick comes back on the assume-role path."""
    b = W.ScenarioBuilder({"trust": True})
    assert b.trust.disabled and b.trust.value is False
    world = b.rendered.world if b.rendered else None
    assert world is not None and world.role(W.READER_ROLE) is None
    b.trust.value = True  # set on the disabled control: it still shows the real state
    assert b.trust.value is False and b.choices.trust is True
    b.path.value = "assume_role"
    assert not b.trust.disabled and b.trust.value is True and "trusts account" in b.trust.description
    b.trust.value = False
    b.path.value = "direct"
    b.path.value = "assume_role"
    assert b.trust.value is False and b.rendered is not None and b.rendered.decision is not None
    assert b.rendered.decision.reason.value == "TRUST_POLICY_NO_MATCH"


# -- figures: one text size, grey implicit deny, red explicit deny


def _decisions() -> Iterator[tuple[str, sl.Decision, sl.World]]:
    for choices in ({}, {"key": "aws"}, {"path": "assume_role"}, {"path": "assume_role", "trust": False}):
        r = W.render_builder(choices)
        assert r.decision is not None and r.world is not None
        yield f"builder {choices}", r.decision, r.world
    for name in SCENARIOS:
        world = sl.load_scenario(DATA / name)
        for i, expectation in enumerate(json.loads((DATA / name).read_text())["expectations"]):
            yield f"{name}[{i}]", sl.authorize(world, expectation["request"]), world


def _texts(fig: Figure) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _sizes(fig: Figure) -> set[float]:
    FigureCanvasAgg(fig).draw()  # tick labels exist once drawn
    return {t.get_fontsize() for t in _texts(fig)}


def test_every_figure_text_has_one_size_whatever_the_path() -> None:
    """Short and long paths, one to three lanes, allowed and denied: text is ``FONT_SIZE``; a
    longer path makes a wider figure instead."""
    widths: dict[int, list[float]] = {}
    for name, decision, world in _decisions():
        fig = viz.access_diagram(decision, world)
        assert _sizes(fig) == {viz.FONT_SIZE}, name
        widths.setdefault(len(decision.plan), []).append(fig.get_size_inches()[0])
        step = decision.failed_step or decision.main_step
        if step is not None:
            assert _sizes(viz.evaluation_flow(step.evaluation)) == {viz.FONT_SIZE}, name
    assert min(widths[3]) > min(widths[2])  # three calls: a wider figure, not smaller text
    world = sl.load_scenario(DATA / "cross-account-cmk.json")
    before = access_matrix(world, actions=(W.GET_SECRET_VALUE,))
    assert _sizes(viz.matrix_heatmap(before)) == {viz.FONT_SIZE}
    assert _sizes(viz.diff_heatmap(before, before)) == {viz.FONT_SIZE}


def test_a_figure_drawn_on_a_small_axes_grows_instead_of_shrinking_its_text() -> None:
    r = W.render_builder({"path": "assume_role"})
    assert r.decision is not None
    fig = Figure(figsize=(4, 2))
    viz.access_diagram(r.decision, r.world, ax=fig.add_subplot())
    assert fig.get_size_inches()[0] > 10 and _sizes(fig) == {viz.FONT_SIZE}


def _grey(colour: str) -> bool:
    r, g, b = to_rgb(colour)
    return max(r, g, b) - min(r, g, b) < 0.02


def test_implicit_deny_is_neutral_grey_and_explicit_deny_red() -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html:
    an implicit deny is the absence of an allow, an explicit deny a Deny statement."""
    assert _grey(viz.IMPLICIT_DENY_COLOUR)
    r, g, b = to_rgb(viz.EXPLICIT_DENY_COLOUR)
    assert r > 0.7 and r > 2 * b and r > 1.5 * g  # red, never grey
    assert viz.IMPLICIT_DENY_COLOUR.lower() != viz.NEUTRAL.lower()  # "not reached" is lighter
    outcomes: dict[str, set[str]] = {"implicit": set(), "explicit": set()}
    for _, decision, world in _decisions():
        fig = viz.access_diagram(decision, world)
        for number, step in enumerate(decision.steps, 1):
            (arrow,) = [p for p in fig.axes[0].patches if p.get_gid() == f"step:{number}"]
            kind = step.evaluation.outcome.value.split("_")[0].lower()
            if kind in outcomes:
                outcomes[kind].add(to_hex(arrow.get_edgecolor()))
        step = decision.failed_step
        if step is not None:
            flow = viz.evaluation_flow(step.evaluation)
            (box,) = [
                p for p in flow.axes[0].patches if p.get_gid() == f"stage:{step.evaluation.decided_at.value}"
            ]
            kind = step.evaluation.outcome.value.split("_")[0].lower()
            outcomes[kind].add(to_hex(box.get_edgecolor()))
    assert outcomes["implicit"] == {viz.IMPLICIT_DENY_COLOUR.lower()}
    assert outcomes["explicit"] == {viz.EXPLICIT_DENY_COLOUR.lower()}
    world = sl.load_scenario(DATA / "people-come-and-go.json")
    fig = viz.matrix_heatmap(access_matrix(world, actions=(W.GET_SECRET_VALUE,)))
    (image,) = fig.axes[0].findobj(AxesImage)
    colours = [to_hex(c) for c in image.get_cmap()([0, 1, 2])]  # allow, implicit, explicit
    assert colours[1] == viz.IMPLICIT_DENY_COLOUR.lower() and colours[2] == viz.EXPLICIT_DENY_COLOUR.lower()
    legend = fig.axes[0].get_legend()
    assert legend is not None
    patches = {
        t.get_text(): to_hex(h.get_facecolor())
        for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)
    }
    assert patches["– implicit deny"] == viz.IMPLICIT_DENY_COLOUR.lower()


# -- each hop labelled with its principal


def test_each_hop_of_the_access_diagram_names_its_principal() -> None:
    """§11: AssumeRole is made as AppRole's session, the read as SecretReader's session, and the
    KMS call by Secrets Manager for that session (§10, forward access sessions)."""
    r = W.render_builder({"path": "assume_role"})
    assert r.figure is not None
    labels = [t.get_text() for t in r.figure.axes[0].texts if (t.get_gid() or "").startswith("step-label:")]
    assert labels == [
        "1. AssumeRole\nas AppRole/app\nALLOWED_CROSS_ACCOUNT",
        "2. GetSecretValue\nas SecretReader/app\nALLOWED_IDENTITY",
        "3. Decrypt\nfor SecretReader/app\nALLOWED_IDENTITY",
    ]


# -- the world after the smallest fix, beside the failing one


def test_builder_draws_the_world_after_the_fix_beside_the_failing_diagram() -> None:
    """§9.6: with aws/secretsmanager the read fails at kms:Decrypt; after the fix (a customer
    managed key naming AppRole, AppRole allowed to use it) every hop is allowed."""
    assert W.render_after_fix({}) is None  # allowed: nothing to fix
    found = W.render_after_fix({"key": "aws"})
    assert found is not None
    figure, png = found
    assert png.startswith(PNG)
    text = "\n".join(t.get_text() for t in _texts(figure))
    assert "After the fix · AppRole/app: GetSecretValue on prod/db" in text
    assert "ALLOW · ALLOWED_CROSS_ACCOUNT" in text and "DENY" not in text
    b = W.ScenarioBuilder()
    assert b.fix_image.layout.display == "none" and b.image in b.figures.children
    b.key.value = "aws"
    assert b.fix_image.layout.display != "none" and bytes(b.fix_image.value) == png
    assert b.image.layout.max_width == "none"  # shown at its own size: its text is never scaled down
    b.key.value = "cmk"
    assert b.fix_image.layout.display == "none"
    assert b.failing_image.layout.display == "none"  # the builder's own figure is the failing one


def test_whatif_draws_the_lost_access_and_the_world_after_its_fix() -> None:
    """§8.7: switching off app/db's secret policy grant closes it to AppRole's session; the
    explorer draws that read failing and, beside it, the world with the smallest fix (a grant
    naming AppRole in the secret policy of app/db)."""
    wi = W.WhatIfExplorer(DATA / "cross-account-cmk.json")
    assert wi.fix_image.layout.display == "none" and wi.fix_html.value == ""
    toggle = next(t for t in wi.base.statements if t.label == "secret policy of app/db · AppsRead")
    wi.checkboxes[toggle.key].value = False
    after = W.render_whatif_fix(wi.state())
    assert after is not None and after.failing_png.startswith(PNG) and after.fix_png.startswith(PNG)
    assert bytes(wi.failing_image.value) == after.failing_png and bytes(wi.fix_image.value) == after.fix_png
    assert wi.failing_image.layout.display != "none" and wi.fix_image.layout.display != "none"
    assert "Lost:" in wi.fix_html.value and "secret policy of app/db" in wi.fix_html.value
    assert "arn:aws" not in wi.fix_html.value and "role/AppRole" in wi.fix_html.value
    wi.reset.click()
    assert wi.fix_image.layout.display == "none" and wi.failing_image.layout.display == "none"


# -- fix suggestions: short ARNs, single spaces


def test_short_arn_keeps_the_resource_type_and_drops_what_the_reader_knows() -> None:
    assert short_arn(W.SECRET) == "secret:prod/db"
    assert short_arn(W.CONSUMER_ROLE) == "role/AppRole"
    assert short_arn(W.CONSUMER) == "assumed-role/AppRole/app"
    assert short_arn(W.CMK) == "key/1234abcd…"
    assert short_arn(f"arn:aws:iam::{W.APPS}:root") == f"account {W.APPS}"
    assert short_arn("alias/aws/secretsmanager") == "alias/aws/secretsmanager"
    text = f"Allow role {W.CONSUMER_ROLE} (session {W.CONSUMER})  on {W.SECRET}."
    assert short_arns(text) == "Allow role/AppRole (session assumed-role/AppRole/app) on secret:prod/db."


@pytest.mark.parametrize(
    "choices", [{"key": "aws"}, {"path": "assume_role", "trust": False}, {"identity_decrypt": False}]
)
def test_builder_fix_suggestions_carry_short_arns_and_single_spaces(choices: dict[str, Any]) -> None:
    r = W.render_builder(choices)
    assert r.fix is not None and "arn:aws" in r.fix.description  # the package's own text: full ARNs
    shown = r.html[r.html.index("Smallest fix") : r.html.index("<details>")]
    assert "arn:aws" not in shown and "  " not in shown
    assert shown.count("<li>") == len(r.fix.changes)
    assert "role/AppRole" in shown or "assumed-role/AppRole/app" in shown


def test_after_fix_figures_follow_the_result_when_a_kernel_loop_runs() -> None:
    """In a kernel the observer returns with the result on screen; the "after the fix" diagram
    follows on the event loop, and a change made before it is drawn makes it stale."""

    async def learner() -> None:
        b = W.ScenarioBuilder()
        b.key.value = "aws"
        assert b.rendered is not None and b.rendered.fix is not None
        assert b.fix_image.layout.display == "none"  # not drawn yet: the observer has returned
        await asyncio.sleep(0)
        assert b.fix_image.layout.display != "none" and bytes(b.fix_image.value).startswith(PNG)
        b.key.value = "cmk"  # denied → allowed before the loop runs: nothing to fix
        b.key.value = "aws"
        b.path.value = "assume_role"
        await asyncio.sleep(0)
        assert b.fix_image.layout.display == "none"

    asyncio.run(learner())
