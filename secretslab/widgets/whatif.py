"""The what-if explorer: what does not change while exploring a world (``whatif_base``: the
statements that can be switched off, the keys each secret can be moved to, the access matrix
before), the changes made (``WhatIfState``), the changed world (``changed_world``, edited
through ``World.with_policy``/``without_policy``; ``whatif_world`` is its dict) and
``render_whatif``, the accesses gained and lost for one action as a diff heatmap;
``WhatIfExplorer`` wires a checkbox per statement and a key chooser per secret to it.
AWS page: https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..analysis import AccessMatrix, access_matrix, diff
from ..authorization import authorize
from ..fixes import suggest_fixes
from ..policy.model import Policy, PolicyKind
from ..policy.refs import PolicyRef, Slot
from ..problems import PathPart
from ..world import World
from .app import App, ipywidgets
from .controls import button, checkbox, dropdown
from .playground import editable_policies
from .render import (
    GET_SECRET_VALUE,
    AfterFix,
    Drawing,
    Rendered,
    WorldSource,
    after_fix,
    as_world,
    edited,
    escape,
    fix_html,
    problems_html,
    short,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True, slots=True)
class StatementToggle:
    """One statement of a secret, key or identity policy, which the explorer can switch off."""

    key: str  # "<policy JSON path>#<index>", stable and unique
    label: str  # "secret policy of app/db · AppsRead"
    ref: PolicyRef  # the policy it is a statement of
    policy: tuple[PathPart, ...]  # where that policy sits in the §1.1 format
    index: int  # its position in the policy's Statement


@dataclass(frozen=True, slots=True)
class KeySwap:
    """The keys a secret can be switched to: its own first, then its customer managed key or
    ``aws/secretsmanager`` (for a secret on ``aws/secretsmanager``: the customer managed keys of
    its account and Region)."""

    secret: str
    label: str
    options: tuple[tuple[str, str], ...]  # (label, key ARN)


@dataclass(frozen=True, slots=True, eq=False)
class WhatIfBase:
    """What does not change while exploring a world: its statements, key choices and the access
    matrix before any change."""

    world: World
    action: str
    statements: tuple[StatementToggle, ...]
    swaps: tuple[KeySwap, ...]
    before: AccessMatrix


def whatif_base(world: WorldSource, action: str = GET_SECRET_VALUE) -> WhatIfBase:
    """What stays fixed while exploring ``world`` for ``action``: a toggle per statement of its
    identity, secret and customer managed key policies, a key choice per secret that can move to
    another key, and the access matrix before any change."""
    w = as_world(world)
    before = access_matrix(w, actions=(action,))
    return WhatIfBase(w, action, _toggles(w), _swaps(w), before)


def _toggles(world: World) -> tuple[StatementToggle, ...]:
    policies = dict(world.policies())
    toggles = []
    for slot in editable_policies(world):
        if slot.kind not in (PolicyKind.IDENTITY, PolicyKind.RESOURCE, PolicyKind.KEY):
            continue
        for i, statement in enumerate(_statements(_document(policies.get(slot.ref)))):
            sid = statement.get("Sid") if isinstance(statement, Mapping) else None
            name = f"{sid}" if sid else f"statement {i + 1}"
            label = f"{slot.label} · {name}"
            toggles.append(StatementToggle(f"{slot.json_path}#{i}", label, slot.ref, slot.path, i))
    return tuple(toggles)


def _swaps(world: World) -> tuple[KeySwap, ...]:
    swaps = []
    for secret in world.secrets:
        current = world.secret_key(secret)
        if current.aws_managed:
            others = [
                (f"{k.label} (customer managed)", k.arn)
                for k in world.keys
                if not k.aws_managed and (k.account, k.region) == (secret.account, secret.region)
            ]
        else:
            managed = world.aws_managed_key(secret.account, secret.region)
            others = [(f"{managed.label} (AWS managed)", managed.arn)]
        if others:
            kind = "AWS managed" if current.aws_managed else "customer managed"
            swaps.append(
                KeySwap(secret.arn, secret.name, ((f"{current.label} ({kind})", current.arn), *others))
            )
    return tuple(swaps)


@dataclass(frozen=True, slots=True)
class WhatIfState:
    """The changes made to a base world: statements switched off and secrets given another key."""

    base: WhatIfBase
    off: frozenset[str] = frozenset()  # StatementToggle.key of the statements switched off
    keys: tuple[tuple[str, str], ...] = ()  # (secret ARN, key ARN) of the secrets given another key


def whatif_world(state: WhatIfState) -> dict[str, Any]:
    """The changed world (``changed_world``) in the §1.1 format."""
    return changed_world(state).to_dict()


def changed_world(state: WhatIfState) -> World:
    """The base world with the statements switched off and the keys swapped. A secret policy left
    without statements is removed; an identity policy too; a key policy cannot be removed and AWS
    rejects an empty one (§3.2), so requests needing that key become INVALID_POLICY."""
    base = state.base
    policies = dict(base.world.policies())
    off: dict[PolicyRef, set[int]] = {}
    for toggle in base.statements:
        if toggle.key in state.off:
            off.setdefault(toggle.ref, set()).add(toggle.index)
    world, emptied = base.world, []
    for ref, indexes in off.items():
        doc = _document(policies.get(ref))
        kept = [s for i, s in enumerate(_statements(doc)) if i not in indexes]
        if kept or ref.slot is Slot.KEY:
            world = world.with_policy(ref, {**doc, "Statement": kept})
        else:
            emptied.append(ref)
    for ref in sorted(emptied, reverse=True):  # later list positions first: the others' indexes stay right
        world = world.without_policy(ref)
    for secret, key in state.keys:
        world = _with_key(world, secret, key)
    return edited(world)


def _document(policy: Policy | None) -> Any:
    return None if policy is None else policy.source


def _statements(doc: Any) -> list[Any]:
    raw = doc.get("Statement") if isinstance(doc, Mapping) else None
    return raw if isinstance(raw, list) else [raw] if isinstance(raw, Mapping) else []


def _with_key(world: World, secret_arn: str, key_arn: str) -> World:
    """``world`` with the secret encrypted under the key; ``aws/secretsmanager`` is added as AWS
    would create it when the world does not list it (§9.6)."""
    secret = world.secret(secret_arn)
    if secret is None:
        raise KeyError(f"{secret_arn} is not in the world")
    secrets = tuple(replace(s, kms_key=key_arn) if s.arn == secret.arn else s for s in world.secrets)
    keys = world.keys
    if all(k.arn != key_arn for k in keys):
        keys = (*keys, world.aws_managed_key(secret.account, secret.region))
    return replace(world, secrets=secrets, keys=keys)


def render_whatif(state: WhatIfState) -> Rendered:
    """The diff heatmap (before → after, for the base's action) and the accesses gained and lost."""
    return _render_whatif(state)


@lru_cache(maxsize=64)  # about 40 kB a render (its PNG; 0.7 MB more once its figure is asked for)
def _render_whatif(state: WhatIfState) -> Rendered:
    base = state.base
    after = changed_world(state)
    matrix = access_matrix(
        after, actions=(base.action,), principals=base.before.principals, resources=base.before.resources
    )
    changes = diff(base.world, after, actions=(base.action,), matrices=(base.before, matrix))

    def draw() -> Figure:
        from ..viz import diff_heatmap  # matplotlib, loaded with the first figure

        return diff_heatmap(base.before, matrix, action=base.action)

    drawing = Drawing(draw)
    edits = len(state.off) + len(state.keys)
    parts = [
        f"<p><b>{edits} change(s)</b> to the world: {len(changes.gained)} access(es) gained, "
        f"{len(changes.lost)} lost for <code>{escape(base.action)}</code>.</p>"
    ]
    for title, group, sign in (("Gained", changes.gained, "+"), ("Lost", changes.lost, "−")):
        if group:
            items = "".join(
                f"<li><b>{sign}</b> <code>{escape(short(c.principal))}</code> on "
                f"<code>{escape(short(c.resource))}</code>: "
                f"<code>{escape(c.before.value)}</code> → <code>{escape(c.after.value)}</code>"
                f" ({escape('; '.join(c.responsible))})</li>"
                for c in group
            )
            parts.append(f"<p><b>{title}</b></p><ul>{items}</ul>")
    invalid = [p for p in after.problems if p.is_error]
    if invalid:
        parts.append(problems_html(invalid, "AWS would reject these policies of the changed world"))
    return Rendered(
        "<div class='secretslab-whatif'>" + "".join(parts) + "</div>",
        drawing,
        drawing.png(),
        diff=changes,
        world=after,
        matrix=matrix,
    )


def render_whatif_fix(state: WhatIfState) -> AfterFix | None:
    """For the first access the changes take away (``render_whatif``'s ``diff.lost``): its
    access diagram in the changed world, the diagram after its smallest fix (``suggest_fixes``,
    ``apply_fix``) and HTML naming both; None when nothing is lost or no policy change can give
    it back. The explorer shows them beside its heatmap."""
    return _render_whatif_fix(state)


@lru_cache(maxsize=64)
def _render_whatif_fix(state: WhatIfState) -> AfterFix | None:
    from ..viz.names import short_arn

    rendered = _render_whatif(state)
    if rendered.diff is None or rendered.world is None or not rendered.diff.lost:
        return None
    lost, world = rendered.diff.lost[0], rendered.world
    request = {"principal": lost.principal, "action": state.base.action, "resource": lost.resource}
    fix = next(iter(suggest_fixes(world, request, limit=1)), None)
    if fix is None:
        return None
    decision = authorize(world, request)

    def draw_failing() -> Figure:
        from ..viz import access_diagram  # matplotlib, loaded with the first figure

        return access_diagram(decision, world, caption="Lost")

    fix_png = after_fix(world, fix).png()
    who, what = escape(short_arn(lost.principal)), escape(short_arn(lost.resource))
    more = len(rendered.diff.lost) - 1
    others = f" ({more} other access{'es' if more > 1 else ''} lost too)" if more else ""
    html = (
        f"<p><b>Lost:</b> <code>{who}</code> on <code>{what}</code>{others}. "
        f"<b>Smallest fix</b> (drawn beside the failing diagram):</p>{fix_html(fix)}"
    )
    return AfterFix(fix_png, Drawing(draw_failing).png(), html)


class WhatIfExplorer(App):
    """Switch statements off and swap keys; see which accesses are gained and lost."""

    def __init__(self, world: WorldSource, action: str = GET_SECRET_VALUE) -> None:
        super().__init__()
        w = ipywidgets()
        self.base = whatif_base(world, action)
        self.checkboxes: dict[str, Any] = {t.key: checkbox(t.label, True) for t in self.base.statements}
        self.keys: dict[str, Any] = {
            s.secret: dropdown(f"Key of {s.label}:", list(s.options), s.options[0][1])
            for s in self.base.swaps
        }
        self.reset = button("Back to the scenario")
        self.reset.on_click(self._reset)
        self._observe([*self.checkboxes.values(), *self.keys.values()])
        statements = w.VBox(
            [w.HTML("<b>Statements</b> (untick to switch one off)"), *self.checkboxes.values()]
        )
        self.widget = w.VBox(
            [statements, *self.keys.values(), self.reset, self.status, self.html, self.fix_html, self.figures]
        )
        self.refresh()

    def state(self) -> WhatIfState:
        """What the controls hold now: the statements switched off and the keys swapped."""
        off = frozenset(k for k, box in self.checkboxes.items() if not box.value)
        originals = {s.secret: s.options[0][1] for s in self.base.swaps}
        keys = tuple((arn, box.value) for arn, box in self.keys.items() if box.value != originals[arn])
        return WhatIfState(self.base, off, keys)

    def render(self) -> Rendered:
        """The accesses gained and lost when the switched-off statements are removed and the keys
        swapped (``render_whatif``)."""
        return render_whatif(self.state())

    def after_fix(self) -> AfterFix | None:
        """The first access lost, drawn, and the world after its smallest fix (``render_whatif_fix``)."""
        return render_whatif_fix(self.state())

    def _reset(self, button: Any = None) -> None:
        self._quiet = True
        try:
            for box in self.checkboxes.values():
                box.value = True
            for swap in self.base.swaps:
                self.keys[swap.secret].value = swap.options[0][1]
        finally:
            self._quiet = False
        self.refresh()
