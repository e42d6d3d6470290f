"""The policy playground: every policy of a world that can be edited (``editable_policies``, as
``PolicySlot``s), the text typed for some of them and a request (``PlaygroundState``);
``render_playground`` decides the request in the world with the typed policies in effect, or
locates the problems of a typed policy (its JSON path, code and hint) and decides nothing;
``PolicyPlayground`` wires a text area, a policy chooser and the request controls to it.
AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..analysis import DEFAULT_ACTIONS, world_principals
from ..authorization import authorize
from ..authorization.explain import decision_html
from ..policy.model import Policy, PolicyKind
from ..policy.parsing import read_policy
from ..policy.refs import PolicyRef, Slot
from ..problems import PathPart, Problem, ProblemCode, ScenarioError, json_path
from ..world import World
from ..world.entities import Group, Role, User
from .app import App, ipywidgets
from .controls import button, dropdown, toggle_buttons
from .render import (
    GET_SECRET_VALUE,
    Drawing,
    Rendered,
    WorldSource,
    as_world,
    edited,
    problems_html,
    short,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True, slots=True)
class PolicySlot:
    """A place in a world that holds a policy the playground can edit: ``ref`` names it for
    ``World.policy``, ``with_policy`` and ``without_policy``; ``path`` is where it sits in the
    §1.1 format (the playground's choices and the edits of a ``PlaygroundState`` use its JSON path)."""

    label: str  # "identity policy of role AppRole", "secret policy of app/db", "key policy of alias/x"
    ref: PolicyRef
    path: tuple[PathPart, ...]
    nullable: bool = False  # a secret may have no policy; a principal may have no identity policy

    @property
    def kind(self) -> PolicyKind:
        """The policy language rules a document typed here follows."""
        return self.ref.kind

    @property
    def json_path(self) -> str:
        """The slot's place in the world format as a JSON path (``$.secrets[0].resource_policy``)."""
        return json_path(self.path)


@lru_cache(maxsize=16)  # per world: ``World`` hashes by identity
def editable_policies(world: World) -> tuple[PolicySlot, ...]:
    """Identity policies of users, groups and roles (a first one for a principal that has none),
    role trust policies, secret policies and customer managed key policies. The policy of an AWS
    managed key is written by AWS and cannot be changed (§9.6)."""
    slots: list[PolicySlot] = []
    for kind, principals in (("user", world.users), ("group", world.groups), ("role", world.roles)):
        for principal in principals:
            slots += _principal_slots(world, f"{kind} {principal.arn.rsplit('/', 1)[-1]}", principal)
    for secret in world.secrets:
        label = f"secret policy of {secret.name or short(secret.arn)}"
        slots.append(_slot(world, label, PolicyRef(Slot.SECRET, secret.arn), nullable=True))
    for key in world.keys:
        if not key.aws_managed:
            label = f"key policy of {key.aliases[0] if key.aliases else short(key.arn)}"
            slots.append(_slot(world, label, PolicyRef(Slot.KEY, key.arn)))
    return tuple(slots)


def _principal_slots(world: World, owner: str, principal: User | Group | Role) -> list[PolicySlot]:
    count = len(principal.policies)
    slots = [
        _slot(
            world, _numbered("identity policy", i, count, owner), PolicyRef(Slot.IDENTITY, principal.arn, i)
        )
        for i in range(count)
    ]
    if not count:  # index 0 of an empty list: a policy typed there is added
        first = PolicyRef(Slot.IDENTITY, principal.arn, 0)
        slots.append(_slot(world, f"identity policy of {owner} (none yet)", first, nullable=True))
    if isinstance(principal, Role) and principal.trust_policy is not None:
        slots.append(_slot(world, f"trust policy of {owner}", PolicyRef(Slot.TRUST, principal.arn)))
    return slots


def _slot(world: World, label: str, ref: PolicyRef, *, nullable: bool = False) -> PolicySlot:
    return PolicySlot(label, ref, world.policy_path(ref), nullable)


def _numbered(what: str, index: int, count: int, owner: str) -> str:
    return f"{what} of {owner}" if count == 1 else f"{what} {index + 1} of {owner}"


def slot_text(world: World, slot: PolicySlot) -> str:
    """The policy's document as the world holds it, as JSON (``null`` when there is none)."""
    policy = world.policy(slot.ref)
    return json.dumps(None if policy is None else policy.source, indent=2)


def read_slot(slot: PolicySlot, text: str) -> tuple[Any, tuple[Problem, ...]]:
    """The document typed for ``slot`` and its problems (errors first), each located by its JSON
    path inside the document and named by the policy (``source``). ``null`` or nothing removes a
    nullable policy."""
    policy, problems = _read(slot, text)
    return (None if policy is None else policy.source), problems


def _read(slot: PolicySlot, text: str) -> tuple[Policy | None, tuple[Problem, ...]]:
    if slot.nullable and text.strip() in ("", "null"):
        return None, ()
    policy = read_policy(text, slot.kind)
    ordered = sorted(policy.problems, key=lambda p: not p.is_error)
    return policy, tuple(p.under(source=slot.label) for p in ordered)


FIGURE_OPTIONS = (("evaluation flow", "flow"), ("access diagram", "diagram"))


@dataclass(frozen=True, slots=True)
class PlaygroundState:
    """A world, the text typed for some of its policies (by the slot's JSON path) and a request."""

    world: World
    edits: tuple[tuple[str, str], ...]
    principal: str
    action: str
    resource: str
    figure: str = "flow"  # "flow": the evaluation flow of the deciding step; "diagram": every hop


def render_playground(state: PlaygroundState) -> Rendered:
    """The request decided in the world with the typed policies; or, when a typed policy is not
    valid JSON or not a policy AWS would accept, its problems (nothing decided)."""
    return _render_playground(state)


@lru_cache(maxsize=64)  # about 40 kB a render (its PNG; 0.7 MB more once its figure is asked for)
def _render_playground(state: PlaygroundState) -> Rendered:
    world, problems = _edited(state)
    if any(p.is_error for p in problems):
        return Rendered(
            problems_html(problems, "Not evaluated: fix these problems first"), problems=tuple(problems)
        )
    request = {"principal": state.principal, "action": state.action, "resource": state.resource}
    try:
        decision = authorize(world, request)
    except ScenarioError as exc:
        located = sorted((*problems, *exc.problems), key=lambda p: not p.is_error)
        return Rendered(problems_html(located, "Not evaluated"), problems=tuple(located))
    step = decision.failed_step or decision.main_step

    def draw() -> Figure:
        from ..viz import access_diagram, evaluation_flow  # matplotlib, loaded with the first figure

        if step is None or state.figure == "diagram":
            return access_diagram(decision, world)
        return evaluation_flow(step.evaluation)

    drawing = Drawing(draw) if state.figure == "diagram" or step is not None else None
    warnings = problems_html(problems, "Warnings (AWS accepts the policy)") if problems else ""
    return Rendered(
        warnings + decision_html(decision),
        drawing,
        drawing.png() if drawing is not None else b"",
        decision,
        problems=tuple(problems),
        world=world,
    )


def _edited(state: PlaygroundState) -> tuple[World, list[Problem]]:
    """The world with every typed policy that has no error in its slot, and the problems of all
    of them (errors first)."""
    slots = {s.json_path: s for s in editable_policies(state.world)}
    world = state.world
    problems: list[Problem] = []
    for where, text in state.edits:
        slot = slots.get(where)
        if slot is None:
            problems.append(
                Problem(ProblemCode.UNKNOWN_REFERENCE, "the world has no editable policy here", source=where)
            )
            continue
        policy, found = _read(slot, text)
        problems += found
        if not any(p.is_error for p in found):
            world = _put(world, slot.ref, policy)
    problems.sort(key=lambda p: not p.is_error)
    return (world if world is state.world else edited(world)), problems


def _put(world: World, ref: PolicyRef, policy: Policy | None) -> World:
    """``world`` with ``policy`` in the slot ``ref`` names; None empties it (when it is not empty)."""
    if policy is not None:
        return world.with_policy(ref, policy)
    return world if world.policy(ref) is None else world.without_policy(ref)


class PolicyPlayground(App):
    """Edit one policy's JSON, pick a request, see the decision. The text typed for each policy
    is kept (switching policies and back restores it) and every typed policy is in effect."""

    def __init__(self, world: WorldSource, policy_path: str | None = None) -> None:
        super().__init__()
        w = ipywidgets()
        self.world = as_world(world)
        self.slots = editable_policies(self.world)
        if not self.slots:
            raise ValueError("the world has no policy the playground can edit")
        self.drafts: dict[str, str] = {}  # slot JSON path -> text typed, when it differs from the world's
        start = self._slot(policy_path) if policy_path is not None else self.slots[0]
        self.policy = dropdown("Policy:", [(s.label, s.json_path) for s in self.slots], start.json_path)
        self.text = w.Textarea(
            value=slot_text(self.world, start),
            continuous_update=False,
            layout=w.Layout(width="100%", height="18em"),
        )
        self.reset = button("Reset this policy")
        principals = world_principals(self.world)
        self.principal = dropdown("Principal:", [(short(p), p) for p in principals])
        self.action = dropdown("Action:", list(DEFAULT_ACTIONS), GET_SECRET_VALUE)
        self.secret = dropdown("Secret:", [(s.name, s.arn) for s in self.world.secrets])
        self.figure = toggle_buttons("Figure:", FIGURE_OPTIONS, "flow")
        self.policy.observe(self._switch, names="value")
        self.text.observe(self._typed, names="value")
        self.reset.on_click(self._reset)
        self._observe((self.principal, self.action, self.secret, self.figure))
        self.widget = w.VBox(
            [
                self.policy,
                self.text,
                self.reset,
                w.HBox([self.principal, self.action, self.secret], layout=w.Layout(flex_flow="row wrap")),
                self.figure,
                self.status,
                self.html,
                self.figures,
            ]
        )
        self.refresh()

    def _slot(self, ref: str) -> PolicySlot:
        """A slot by JSON path (``$.secrets[0].resource_policy``, ``$`` optional) or by label."""
        path = ref if ref.startswith("$") else f"$.{ref}"
        found = next((s for s in self.slots if ref in (s.label, s.json_path) or s.json_path == path), None)
        if found is None:
            raise ValueError(f"no editable policy {ref!r}; choose one of {[s.json_path for s in self.slots]}")
        return found

    @property
    def current(self) -> PolicySlot:
        """The slot being edited."""
        return self._slot(self.policy.value)

    def state(self) -> PlaygroundState:
        """What the controls hold now: the world, the drafts typed so far and the request."""
        request = (self.principal.value, self.action.value, self.secret.value)
        return PlaygroundState(self.world, tuple(self.drafts.items()), *request, figure=self.figure.value)

    def render(self) -> Rendered:
        """The request decided on the world with the drafts applied, or the problems of a draft AWS
        would not accept (``render_playground``)."""
        return render_playground(self.state())

    def _typed(self, change: Any = None) -> None:
        try:
            slot = self.current
            if self.text.value == slot_text(self.world, slot):
                self.drafts.pop(slot.json_path, None)
            else:
                self.drafts[slot.json_path] = self.text.value
        except Exception as exc:  # shown, not raised (observer)
            self.show_error(exc)
            return
        self.refresh()

    def _switch(self, change: Any = None) -> None:
        try:
            slot = self.current
            self.text.value = self.drafts.get(slot.json_path, slot_text(self.world, slot))  # fires _typed
        except Exception as exc:  # shown, not raised (observer)
            self.show_error(exc)

    def _reset(self, button: Any = None) -> None:
        self._quiet = True
        try:
            self.drafts.pop(self.current.json_path, None)
            self.text.value = slot_text(self.world, self.current)
        except Exception as exc:  # shown, not raised (observer)
            self.show_error(exc)
        finally:
            self._quiet = False
        self.refresh()
