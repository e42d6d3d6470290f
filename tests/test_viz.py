"""Figures are renderings of decisions and matrices (issue #4): each test draws from real
decisions of the data/ scenarios and checks the elements drawn, their colours by outcome, that
no two labels overlap (or leave the figure) once drawn on the Agg canvas, that a given Axes is
used, and that pyplot is never imported. Every figure is saved to /tmp/viz for a human to look at.
"""

from __future__ import annotations

import copy
import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.text import Text

import secretslab as sl
from secretslab import viz

from .conftest import ROOT

DATA = ROOT / "data"
OUT = Path("/tmp/viz")

ASSUME = "cross-account-assume-role.json"
CMK = "cross-account-cmk.json"
GUARDRAILS = "organization-guardrails.json"
IDENTITY = "identity-vs-resource.json"
PEOPLE = "people-come-and-go.json"


# -- helpers


def _world(name: str) -> sl.World:
    return sl.load_scenario(DATA / name)


def _expected(name: str, index: int) -> tuple[sl.World, sl.Decision, dict[str, Any]]:
    """A scenario's world, the decision on its ``index``-th expectation, and the expectation."""
    expectation = json.loads((DATA / name).read_text(encoding="utf-8"))["expectations"][index]
    world = _world(name)
    return world, sl.authorize(world, expectation["request"]), expectation


def _save(fig: Figure, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT / f"{name}.png", dpi=100)


def _texts(fig: Figure) -> list[Text]:
    """Every text that is drawn: texts, titles, legends, and tick and axis labels of shown axes."""
    found: list[Text] = [*fig.texts]
    for ax in fig.axes:
        found += [c for c in ax.get_children() if isinstance(c, Text)]  # texts and the three titles
        if ax.axison:
            found += [ax.xaxis.label, ax.yaxis.label]
            for axis, (lo, hi) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
                ticks = zip(axis.get_ticklocs(), axis.get_ticklabels(), strict=True)  # the shown ones
                found += [label for loc, label in ticks if min(lo, hi) <= loc <= max(lo, hi)]
        legend = ax.get_legend()
        if legend is not None:
            found += [*legend.get_texts(), legend.get_title()]
    return [t for t in found if t.get_visible() and t.get_text().strip()]


def _assert_readable(fig: Figure) -> None:
    """No two drawn texts overlap and none leaves the figure, on the Agg canvas at dpi 100."""
    FigureCanvasAgg(fig)
    fig.set_dpi(100)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in _texts(fig)]
    page = fig.bbox
    for text, box in boxes:
        assert box.x0 >= page.x0 - 1 and box.x1 <= page.x1 + 1, f"{text!r} is cut at the side"
        assert box.y0 >= page.y0 - 1 and box.y1 <= page.y1 + 1, f"{text!r} is cut at the top or bottom"
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        overlap = (
            min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0),
            min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0),
        )
        assert min(overlap) <= 0.5, f"{a!r} overlaps {b!r}"


def _by_gid(fig: Figure, prefix: str) -> list[Any]:
    return [a for ax in fig.axes for a in [*ax.patches, *ax.texts] if (a.get_gid() or "").startswith(prefix)]


def _colour(artist: Any) -> str:
    return to_hex(artist.get_edgecolor())


def _all_text(fig: Figure) -> str:
    return "\n".join(" ".join(t.get_text().split()) for t in _texts(fig))


def _legend_labels(fig: Figure) -> list[str]:
    legend = fig.axes[0].get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


# -- access diagram


def test_access_diagram_draws_one_arrow_per_step_with_its_reason_when_role_chain_allows() -> None:
    world, decision, _ = _expected(ASSUME, 0)
    assert decision.allowed and len(decision.steps) == 3  # AssumeRole, GetSecretValue, kms:Decrypt
    fig = viz.access_diagram(decision, world)
    _save(fig, "access-diagram-assume-role-allow")
    arrows = _by_gid(fig, "step:")
    assert len(arrows) == len(decision.steps)
    assert {_colour(a) for a in arrows} == {viz.ALLOW_COLOUR.lower()}
    text = _all_text(fig)
    for step in decision.steps:
        assert step.evaluation.reason.value in text
    assert "prod" in text and "111111111111" in text and "apps" in text and "222222222222" in text
    assert "SecretReader" in text and "app/legacy" in text and "aws/secretsmanager" in text
    assert _legend_labels(fig)[:3] == ["allow", "explicit deny", "implicit deny"]
    _assert_readable(fig)


def test_access_diagram_colours_the_failed_kms_step_as_implicit_deny_when_key_policy_lacks_grant() -> None:
    world, decision, expectation = _expected(CMK, 4)  # app/internal: secret grants, key does not
    assert expectation["reason"] == decision.reason.value == "XACCT_NO_RESOURCE_GRANT"
    fig = viz.access_diagram(decision, world)
    _save(fig, "access-diagram-cmk-kms-denied")
    arrows = {a.get_gid(): a for a in _by_gid(fig, "step:")}
    assert _colour(arrows["step:1"]) == viz.ALLOW_COLOUR.lower()
    assert _colour(arrows["step:2"]) == viz.IMPLICIT_DENY_COLOUR.lower()
    assert arrows["step:2"].get_linewidth() > arrows["step:1"].get_linewidth()  # the failed step
    labels = {t.get_gid(): t.get_text() for t in _by_gid(fig, "step-label:")}
    assert "Decrypt" in labels["step-label:2"] and "XACCT_NO_RESOURCE_GRANT" in labels["step-label:2"]
    _assert_readable(fig)


def test_access_diagram_colours_an_explicit_deny_and_keeps_one_lane_when_same_account() -> None:
    world, decision, _ = _expected(GUARDRAILS, 1)  # SCP denies DeleteResourcePolicy
    fig = viz.access_diagram(decision, world)
    _save(fig, "access-diagram-scp-explicit-deny")
    (arrow,) = _by_gid(fig, "step:")
    assert _colour(arrow) == viz.EXPLICIT_DENY_COLOUR.lower()
    assert "EXPLICIT_DENY_SCP" in _all_text(fig)
    lanes = [p for p in fig.axes[0].patches if p.get_zorder() == 0]
    assert len(lanes) == 1
    _assert_readable(fig)


def test_access_diagram_greys_what_was_not_reached_when_assume_role_fails() -> None:
    world, decision, _ = _expected(ASSUME, 4)  # carol: no identity policy to assume the role
    fig = viz.access_diagram(decision, world)
    _save(fig, "access-diagram-assume-role-denied")
    assert len(_by_gid(fig, "step:")) == 1
    unreached = _by_gid(fig, "aim:")
    assert len(unreached) == 2  # to the secret, then to its key
    nodes = {p.get_gid(): p for p in _by_gid(fig, "node:")}
    assert nodes[
        "node:arn:aws:secretsmanager:us-east-1:111111111111:secret:app/legacy-Zx9Yw8"
    ].get_linestyle() in (
        "--",
        "dashed",
    )
    assert "not reached" in _all_text(fig) and "not reached" in _legend_labels(fig)
    _assert_readable(fig)


def _key_change() -> tuple[sl.Decision, sl.World]:
    """UpdateSecret moving a secret to another key: two optional re-encryption steps (A7), the
    last one denied (no kms:Encrypt anywhere), while the request is allowed."""
    data = json.loads((DATA / "cross-account-read.json").read_text(encoding="utf-8"))["world"]
    data["principals"]["users"].append(
        {
            "arn": "arn:aws:iam::111111111111:user/ops",
            "policies": [
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["secretsmanager:*", "kms:Decrypt", "kms:GenerateDataKey"],
                            "Resource": "*",
                        }
                    ],
                }
            ],
        }
    )
    world = sl.World.from_dict(data)
    return sl.authorize(
        world,
        {
            "principal": "arn:aws:iam::111111111111:user/ops",
            "action": "secretsmanager:UpdateSecret",
            "resource": "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/legacy-Zx9Yw8",
            "parameters": {"KmsKeyId": "alias/prod-secrets"},
        },
    ), world


def test_access_diagram_dashes_optional_steps_and_stacks_two_keys_when_key_changes() -> None:
    decision, world = _key_change()
    assert decision.allowed and [s.optional for s in decision.steps] == [False, False, False, True, True]
    fig = viz.access_diagram(decision, world)
    _save(fig, "access-diagram-optional-steps")
    arrows = {a.get_gid(): a for a in _by_gid(fig, "step:")}
    assert len(arrows) == 5
    assert arrows["step:5"].get_linestyle() not in ("-", "solid")
    assert arrows["step:1"].get_linestyle() in ("-", "solid")
    assert _colour(arrows["step:5"]) == viz.IMPLICIT_DENY_COLOUR.lower()
    assert len([n for n in _by_gid(fig, "node:") if "kms" in n.get_gid()]) == 2
    assert "(optional)" in _all_text(fig)
    _assert_readable(fig)


def test_access_diagram_draws_three_lanes_when_caller_secret_and_key_span_accounts() -> None:
    world, decision, _ = _expected(GUARDRAILS, 10)  # sandbox role reads prod's partner feed
    fig = viz.access_diagram(decision, world)
    _save(fig, "access-diagram-organization-cross-account")
    text = _all_text(fig)
    assert "sandbox" in text and "prod" in text and "ALLOWED_CROSS_ACCOUNT" in text
    _assert_readable(fig)


def test_access_diagram_draws_no_arrow_when_sts_refuses_an_invalid_session_policy() -> None:
    world = _world(ASSUME)
    request = json.loads((DATA / ASSUME).read_text(encoding="utf-8"))["expectations"][0]["request"]
    request["assume_role_chain"][0]["session_policies"] = [{"Version": "2012-10-17", "Statement": [{}]}]
    decision = sl.authorize(world, request)
    assert decision.steps == () and decision.reason.value == "INVALID_POLICY"
    fig = viz.access_diagram(decision, world)
    _save(fig, "access-diagram-no-steps")
    assert not _by_gid(fig, "step:") and len(_by_gid(fig, "aim:")) == 3  # role, secret, key
    assert "INVALID_POLICY" in _all_text(fig)
    _assert_readable(fig)


def test_access_diagram_greys_the_resources_of_the_plans_unreached_calls_when_a_key_change_is_denied() -> (
    None
):
    world = _world(CMK)
    decision = sl.authorize(
        world,
        {
            "principal": "arn:aws:iam::222222222222:role/AppRole",
            "action": "secretsmanager:UpdateSecret",
            "resource": "arn:aws:secretsmanager:us-east-1:111111111111:secret:app/internal-In7Tr1",
            "parameters": {"KmsKeyId": "alias/app-aliased"},
        },
    )
    unreached = {p.resource for p in decision.unreached}
    assert len(decision.steps) == 1 and {a.split(":")[2] for a in unreached} == {"kms"}
    fig = viz.access_diagram(decision, world)
    _save(fig, "access-diagram-key-change-denied")
    aims = {a.get_gid().removeprefix("aim:") for a in _by_gid(fig, "aim:")}
    assert aims == unreached  # the new key and the old one, from the plan
    nodes = {p.get_gid().removeprefix("node:"): p for p in _by_gid(fig, "node:")}
    assert all(nodes[k].get_linestyle() in ("--", "dashed") for k in unreached)
    text = _all_text(fig)
    assert "app-aliased" in text and "prod-internal" in text
    _assert_readable(fig)


def test_access_diagram_uses_the_given_axes_and_names_accounts_by_id_without_a_world() -> None:
    _, decision, _ = _expected(CMK, 0)
    fig = Figure(figsize=(12, 5))
    ax = fig.add_subplot()
    assert viz.access_diagram(decision, ax=ax) is fig
    _save(fig, "access-diagram-given-axes-no-world")
    _assert_readable(fig)  # the figure grows to hold the drawing; text keeps viz.FONT_SIZE
    assert {t.get_fontsize() for t in _texts(fig)} == {viz.FONT_SIZE}
    assert len([p for p in ax.patches if (p.get_gid() or "").startswith("step:")]) == len(decision.steps)
    assert "111111111111" in _all_text(fig)


# -- evaluation flow


def _stage_patch(fig: Figure, key: str) -> Any:
    (patch,) = _by_gid(fig, f"stage:{key}")
    return patch


def test_evaluation_flow_quotes_the_deny_and_skips_to_the_decision_when_an_scp_denies() -> None:
    _, decision, _ = _expected(GUARDRAILS, 1)
    ev = decision.steps[0].evaluation
    fig = viz.evaluation_flow(ev)
    _save(fig, "evaluation-flow-scp-explicit-deny")
    assert _colour(_stage_patch(fig, "deny")) == viz.EXPLICIT_DENY_COLOUR.lower()
    (detail,) = _by_gid(fig, "stage-detail:deny")
    assert "Sid OnlySecurityAdminChangesSecretPolicies" in " ".join(detail.get_text().split())
    states = {s.key: s.state for s in viz.flow_stages(ev)}
    assert states["deny"] == "decided"
    assert all(
        states[k] == "not reached" for k in ("scp", "rcp", "resource", "identity", "boundary", "session")
    )
    assert _colour(_by_gid(fig, "flow:bypass")[0]) == viz.EXPLICIT_DENY_COLOUR.lower()
    connectors = [c for c in _by_gid(fig, "flow:") if c.get_gid() != "flow:bypass"]
    assert len(connectors) == 7 and viz.PATH_COLOUR.lower() not in {_colour(c) for c in connectors}
    assert "EXPLICIT_DENY_SCP" in _all_text(fig)
    _assert_readable(fig)


def test_evaluation_flow_decides_at_the_boundary_and_highlights_the_path_when_boundary_denies() -> None:
    _, decision, expectation = _expected(GUARDRAILS, 6)  # contractor: boundary lacks GetSecretValue
    assert expectation["reason"] == "PB_IMPLICIT_DENY"
    ev = decision.steps[0].evaluation
    fig = viz.evaluation_flow(ev)
    _save(fig, "evaluation-flow-boundary-implicit-deny")
    states = {s.key: s.state for s in viz.flow_stages(ev)}
    assert states["boundary"] == "decided" and states["session"] == "not reached"
    assert states["identity"] == "passed" and states["resource"] == "n/a"
    assert _colour(_stage_patch(fig, "boundary")) == viz.IMPLICIT_DENY_COLOUR.lower()
    assert _colour(_stage_patch(fig, "identity")) == viz.PATH_COLOUR.lower()
    on_path = [
        _colour(c) == viz.PATH_COLOUR.lower()
        for c in sorted(_by_gid(fig, "flow:"), key=lambda c: c.get_gid())
    ]
    assert on_path == [True] * 5 + [False, False, False]  # 0..4 blue; 5, 6 and the bypass not
    assert to_hex(_stage_patch(fig, "resource").get_facecolor()) != "#ffffff"  # greyed: no policy
    _assert_readable(fig)


def test_evaluation_flow_quotes_both_accounts_statements_when_cross_account_allows() -> None:
    _, decision, _ = _expected(CMK, 0)
    ev = decision.steps[0].evaluation
    fig = viz.evaluation_flow(ev)
    _save(fig, "evaluation-flow-cross-account-allow")
    stages = {s.key: s for s in viz.flow_stages(ev)}
    assert stages["resource"].state == stages["identity"].state == "decided"
    assert "Sid AppsRead" in stages["resource"].detail
    assert _colour(_stage_patch(fig, "resource")) == viz.ALLOW_COLOUR.lower()
    assert not _by_gid(fig, "flow:bypass")
    assert {_colour(c) for c in _by_gid(fig, "flow:")} == {viz.PATH_COLOUR.lower()}
    _assert_readable(fig)


def test_evaluation_flow_names_the_level_without_an_allow_when_an_allow_list_scp_denies() -> None:
    _, decision, expectation = _expected(GUARDRAILS, 9)
    assert expectation["reason"] == "SCP_IMPLICIT_DENY"
    ev = decision.steps[0].evaluation
    fig = viz.evaluation_flow(ev)
    _save(fig, "evaluation-flow-scp-implicit-deny")
    stages = {s.key: s for s in viz.flow_stages(ev)}
    assert stages["scp"].state == "decided" and "ou-sandbox" in stages["scp"].detail
    _assert_readable(fig)


def test_evaluation_flow_uses_the_given_axes() -> None:
    _, decision, _ = _expected(CMK, 4)
    fig = Figure(figsize=(7, 9))
    ax = fig.add_subplot()
    assert viz.evaluation_flow(decision.steps[-1].evaluation, ax=ax) is fig
    _save(fig, "evaluation-flow-given-axes")
    _assert_readable(fig)
    assert len([p for p in ax.patches if (p.get_gid() or "").startswith("stage:")]) == 8


def test_flow_stages_take_each_state_from_the_engines_record() -> None:
    for name, index in ((GUARDRAILS, 1), (GUARDRAILS, 6), (GUARDRAILS, 9), (CMK, 0), (CMK, 4), (ASSUME, 4)):
        _, decision, _ = _expected(name, index)
        for step in decision.steps:
            ev = step.evaluation
            stages = viz.flow_stages(ev)
            recorded = [r for r in ev.stages if r.stage is not sl.Stage.DECISION]
            assert [(s.key, s.title, s.state) for s in stages[:-1]] == [
                (r.stage.value, r.stage.heading, r.state.value) for r in recorded
            ]
            assert stages[-1].key == "decision" and stages[-1].state == "decided"


# -- heatmaps


def _cell_colour(fig: Figure, row: int, col: int) -> str:
    image = fig.axes[0].images[0]
    return to_hex(image.to_rgba(image.get_array()[row, col]))


def test_matrix_heatmap_colours_each_cell_by_outcome_with_short_labels() -> None:
    matrix = sl.access_matrix(_world(IDENTITY))
    fig = viz.matrix_heatmap(matrix, action="secretsmanager:GetSecretValue")
    _save(fig, "matrix-heatmap-identity-vs-resource")
    ax = fig.axes[0]
    assert ax.images[0].get_array().shape == (len(matrix.principals), len(matrix.resources))
    for i, p in enumerate(matrix.principals):
        for j, r in enumerate(matrix.resources):
            outcome = matrix.cell(p, r, "secretsmanager:GetSecretValue").outcome
            assert _cell_colour(fig, i, j) == viz.OUTCOME_COLOURS[outcome].lower()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["alice", "bob", "app"]
    assert "team/db" in [t.get_text() for t in ax.get_xticklabels()]
    assert _legend_labels(fig) == ["✓ allow", "– implicit deny", "✗ explicit deny"]
    _assert_readable(fig)


def test_matrix_heatmap_shows_explicit_denies_when_a_leaver_is_in_the_deny_group() -> None:
    matrix = sl.access_matrix(_world(PEOPLE))
    fig = viz.matrix_heatmap(matrix)
    _save(fig, "matrix-heatmap-people")
    erin = matrix.principals.index("arn:aws:iam::111111111111:user/erin")
    assert _cell_colour(fig, erin, 0) == viz.EXPLICIT_DENY_COLOUR.lower()
    _assert_readable(fig)


def test_matrix_heatmap_shows_principals_by_actions_when_one_resource() -> None:
    world = _world("secret-policy-many-principals.json")
    matrix = sl.access_matrix(world)
    assert len(matrix.resources) == 1
    fig = viz.matrix_heatmap(matrix)
    _save(fig, "matrix-heatmap-actions")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == [a.partition(":")[2] for a in matrix.actions]
    assert ax.images[0].get_array().shape == (len(matrix.principals), len(matrix.actions))
    _assert_readable(fig)


def test_matrix_heatmap_uses_the_given_axes_and_refuses_an_unknown_action() -> None:
    matrix = sl.access_matrix(_world(IDENTITY))
    fig = Figure(figsize=(8, 4), layout="constrained")  # keeps the legend beside the axes
    ax = fig.add_subplot()
    assert viz.matrix_heatmap(matrix, ax=ax) is fig and ax.images
    _save(fig, "matrix-heatmap-given-axes")
    _assert_readable(fig)
    with pytest.raises(ValueError, match="not an action"):
        viz.matrix_heatmap(matrix, action="secretsmanager:RotateSecret")


def _without_bob_in_secret_policy_and_with_bob_in_devs() -> sl.World:
    data = json.loads((DATA / IDENTITY).read_text(encoding="utf-8"))["world"]
    data = copy.deepcopy(data)
    users = {u["arn"].rsplit("/", 1)[-1]: u for u in data["principals"]["users"]}
    users["bob"]["groups"] = ["arn:aws:iam::111111111111:group/devs"]
    for secret in data["secrets"]:
        policy = secret.get("resource_policy")
        if policy:
            for statement in policy["Statement"]:
                principals = statement["Principal"]["AWS"]
                principals = [principals] if isinstance(principals, str) else principals
                statement["Principal"]["AWS"] = [p for p in principals if not p.endswith(":user/bob")]
    return sl.World.from_dict(data)


def test_diff_heatmap_marks_gained_and_lost_access_when_bob_moves_from_secret_policy_to_group() -> None:
    before, after = _world(IDENTITY), _without_bob_in_secret_policy_and_with_bob_in_devs()
    a, b = sl.access_matrix(before), sl.access_matrix(after)
    changes = sl.diff(before, after, actions=("secretsmanager:GetSecretValue",)).changes
    assert {c.gained for c in changes} == {True, False}
    fig = viz.diff_heatmap(a, b, action="secretsmanager:GetSecretValue")
    _save(fig, "diff-heatmap-bob-joins-devs")
    for change in changes:
        i, j = a.principals.index(change.principal), a.resources.index(change.resource)
        wanted = viz.DIFF_COLOURS["gained" if change.gained else "lost"]
        assert _cell_colour(fig, i, j) == wanted.lower()
    assert _cell_colour(fig, 0, 0) == viz.DIFF_COLOURS["unchanged (allowed)"].lower()  # alice, team/db
    assert _legend_labels(fig) == ["+ gained", "− lost", "✓ unchanged (allowed)", "unchanged (denied)"]
    gained = sum(c.gained for c in changes)
    assert f"{gained} gained, {len(changes) - gained} lost" in _all_text(fig)
    _assert_readable(fig)


def test_diff_heatmap_uses_the_given_axes() -> None:
    a = sl.access_matrix(_world(IDENTITY))
    fig = Figure(figsize=(8, 4), layout="constrained")
    ax = fig.add_subplot()
    assert viz.diff_heatmap(a, a, ax=ax) is fig
    _save(fig, "diff-heatmap-given-axes-no-change")
    _assert_readable(fig)
    assert "0 gained, 0 lost" in ax.get_title(loc="left")


# -- no pyplot


def test_no_figure_function_imports_pyplot() -> None:
    before = "matplotlib.pyplot" in sys.modules
    decision, world = _key_change()
    viz.access_diagram(decision, world)
    viz.evaluation_flow(decision.steps[0].evaluation)
    matrix = sl.access_matrix(_world(IDENTITY))
    viz.matrix_heatmap(matrix)
    viz.diff_heatmap(matrix, matrix)
    if not before:
        assert "matplotlib.pyplot" not in sys.modules
    # and in a fresh interpreter, whatever this test session has imported
    code = (
        "import sys, json, secretslab as sl\n"
        "assert 'matplotlib' not in sys.modules, 'import secretslab loads matplotlib'\n"
        "from secretslab import viz\n"
        f"w = sl.load_scenario({str(DATA / ASSUME)!r})\n"
        f"r = json.load(open({str(DATA / ASSUME)!r}))['expectations'][0]['request']\n"
        "d = sl.authorize(w, r)\n"
        "viz.access_diagram(d, w).savefig('/dev/null', format='png')\n"
        "viz.evaluation_flow(d.steps[0].evaluation)\n"
        "m = sl.access_matrix(w)\n"
        "viz.matrix_heatmap(m); viz.diff_heatmap(m, m)\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
