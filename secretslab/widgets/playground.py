"""The policy playground: every policy of a world that can be edited (``editable_policies``, as
``PolicySlot``s), the text typed for some of them and a request (``PlaygroundState``);
``render_playground`` decides the request in the world with the typed policies in effect, or
locates the problems of a typed policy (its JSON path, code and hint) and decides nothing;
``PolicyPlayground`` wires a text area, a policy chooser and the request controls to it.
AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..analysis import DEFAULT_ACTIONS, world_principals
from ..authorization import authorize
from ..authorization.explain import decision_html
from ..policy.model import PolicyKind
from ..policy.parsing import read_policy
from ..problems import PathPart, Problem, ScenarioError, json_path
from ..world import World
from .app import WIDE, App, ipywidgets
from .render import GET_SECRET_VALUE, RED, Rendered, WorldSource, as_world, escape, png, problems_html, short

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True, slots=True)
class PolicySlot:
    """A policy of a world that the playground can edit, and where it sits in the §1.1 format."""

    label: str  # "identity policy of role AppRole", "secret policy of app/db", "key policy of alias/x"
    path: tuple[PathPart, ...]
    kind: PolicyKind
    nullable: bool = False  # a secret may have no policy; a principal may have no identity policy

    @property
    def json_path(self) -> str:
        return json_path(self.path)


@lru_cache(maxsize=16)
def _world_data(world: World) -> dict[str, Any]:
    """The world's §1.1 dict, made once per world (``World`` hashes by identity). Shared: never mutate."""
    return world.to_dict()


def _numbered(what: str, index: int, count: int, owner: str) -> str:
    return f"{what} of {owner}" if count == 1 else f"{what} {index + 1} of {owner}"


@lru_cache(maxsize=16)
def editable_policies(world: World) -> tuple[PolicySlot, ...]:
    """Identity policies of users, groups and roles (a first one for a principal that has none),
    role trust policies, secret policies and customer managed key policies. The policy of an AWS
    managed key is written by AWS and cannot be changed (§9.6)."""
    data = _world_data(world)
    slots = []
    for collection in ("users", "groups", "roles"):
        for i, entity in enumerate(data.get("principals", {}).get(collection) or ()):
            owner = f"{collection[:-1]} {entity['arn'].rsplit('/', 1)[-1]}"
            base: tuple[PathPart, ...] = ("principals", collection, i)
            docs = entity.get("policies") or []
            slots += [
                PolicySlot(
                    _numbered("identity policy", j, len(docs), owner),
                    (*base, "policies", j),
                    PolicyKind.IDENTITY,
                )
                for j in range(len(docs))
            ]
            if not docs:
                slots.append(
                    PolicySlot(
                        f"identity policy of {owner} (none yet)",
                        (*base, "policies", 0),
                        PolicyKind.IDENTITY,
                        nullable=True,
                    )
                )
            if entity.get("trust_policy") is not None:
                slots.append(
                    PolicySlot(f"trust policy of {owner}", (*base, "trust_policy"), PolicyKind.TRUST)
                )
    for i, secret in enumerate(data.get("secrets") or ()):
        name = secret.get("name") or short(secret["arn"])
        slots.append(
            PolicySlot(
                f"secret policy of {name}",
                ("secrets", i, "resource_policy"),
                PolicyKind.RESOURCE,
                nullable=True,
            )
        )
    for i, key in enumerate(data.get("kms_keys") or ()):
        if key.get("manager") != "AWS":
            label = (key.get("aliases") or [short(key["arn"])])[0]
            slots.append(PolicySlot(f"key policy of {label}", ("kms_keys", i, "key_policy"), PolicyKind.KEY))
    return tuple(slots)


def _get(data: Any, path: Sequence[PathPart]) -> Any:
    for part in path:
        if isinstance(data, list):
            if not isinstance(part, int) or part >= len(data):
                return None
            data = data[part]
        elif isinstance(data, Mapping):
            data = data.get(part)
        else:
            return None
    return data


def _replaced(data: Any, path: Sequence[PathPart], value: Any) -> Any:
    """``data`` with ``value`` at ``path``, copying only the containers on the way (``data`` is
    shared). In a list, ``None`` removes the element and an index one past the end appends."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, list) and isinstance(head, int):
        out = list(data)
        if head < len(out):
            new = _replaced(out[head], rest, value)
            if new is None and not rest:
                del out[head]
            else:
                out[head] = new
        elif not (value is None and not rest):
            out.append(_replaced(None, rest, value))
        return out
    base = dict(data) if isinstance(data, Mapping) else {}
    base[str(head)] = _replaced(base.get(str(head)), rest, value)
    return base


def slot_text(world: World, slot: PolicySlot) -> str:
    """The policy's JSON as the world holds it (``null`` when there is none)."""
    return json.dumps(_get(_world_data(world), slot.path), indent=2)


def read_slot(slot: PolicySlot, text: str) -> tuple[Any, tuple[Problem, ...]]:
    """The document typed for ``slot`` and its problems (errors first), each located by its JSON
    path inside the document and named by the policy (``source``). ``null`` or nothing removes a
    nullable policy."""
    if slot.nullable and text.strip() in ("", "null"):
        return None, ()
    policy = read_policy(text, slot.kind)
    ordered = sorted(policy.problems, key=lambda p: not p.is_error)
    return policy.source, tuple(p.under(source=slot.label) for p in ordered)


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


@lru_cache(maxsize=64)  # about 0.7 MB a render (its figure)
def _render_playground(state: PlaygroundState) -> Rendered:
    from ..viz import access_diagram, evaluation_flow  # matplotlib, loaded with the first figure

    slots = {s.json_path: s for s in editable_policies(state.world)}
    data: Any = _world_data(state.world)
    problems: list[Problem] = []
    for where, text in state.edits:
        slot = slots.get(where)
        if slot is None:
            problems.append(
                Problem("UNKNOWN_REFERENCE", "the world has no editable policy here", source=where)
            )
            continue
        doc, found = read_slot(slot, text)
        problems += found
        if not any(p.is_error for p in found):
            data = _replaced(data, slot.path, doc)
    problems.sort(key=lambda p: not p.is_error)
    if any(p.is_error for p in problems):
        return Rendered(
            problems_html(problems, "Not evaluated: fix these problems first"), problems=tuple(problems)
        )
    request = {"principal": state.principal, "action": state.action, "resource": state.resource}
    try:
        world = World.from_dict(data)
        decision = authorize(world, request)
    except ScenarioError as exc:
        located = sorted((*problems, *exc.problems), key=lambda p: not p.is_error)
        return Rendered(problems_html(located, "Not evaluated"), problems=tuple(located))
    step = decision.failed_step or decision.main_step
    figure: Figure | None
    if state.figure == "diagram":
        figure = access_diagram(decision, world)
    else:
        figure = evaluation_flow(step.evaluation) if step is not None else None
    warnings = problems_html(problems, "Warnings (AWS accepts the policy)") if problems else ""
    return Rendered(
        warnings + decision_html(decision),
        figure,
        png(figure) if figure is not None else b"",
        decision,
        problems=tuple(problems),
        world=world,
    )


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
        self.policy = w.Dropdown(
            options=[(s.label, s.json_path) for s in self.slots],
            value=start.json_path,
            description="Policy:",
            style=WIDE,
            layout=w.Layout(width="auto"),
        )
        self.text = w.Textarea(
            value=slot_text(self.world, start),
            continuous_update=False,
            layout=w.Layout(width="100%", height="18em"),
        )
        self.reset = w.Button(description="Reset this policy")
        principals = world_principals(self.world)
        self.principal = w.Dropdown(
            options=[(short(p), p) for p in principals], description="Principal:", style=WIDE
        )
        self.action = w.Dropdown(
            options=list(DEFAULT_ACTIONS), value=GET_SECRET_VALUE, description="Action:", style=WIDE
        )
        self.secret = w.Dropdown(
            options=[(s.name, s.arn) for s in self.world.secrets], description="Secret:", style=WIDE
        )
        self.figure = w.ToggleButtons(options=FIGURE_OPTIONS, value="flow", description="Figure:", style=WIDE)
        self.policy.observe(self._switch, names="value")
        self.text.observe(self._typed, names="value")
        self.reset.on_click(self._reset)
        self._observe((self.principal, self.action, self.secret, self.figure))
        self.widget = w.VBox(
            [
                self.policy,
                self.text,
                self.reset,
                w.HBox([self.principal, self.action, self.secret]),
                self.figure,
                self.status,
                self.html,
                self.image,
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
        return self._slot(self.policy.value)

    def state(self) -> PlaygroundState:
        request = (self.principal.value, self.action.value, self.secret.value)
        return PlaygroundState(self.world, tuple(self.drafts.items()), *request, figure=self.figure.value)

    def render(self) -> Rendered:
        return render_playground(self.state())

    def _typed(self, change: Any = None) -> None:
        try:
            slot = self.current
            if self.text.value == slot_text(self.world, slot):
                self.drafts.pop(slot.json_path, None)
            else:
                self.drafts[slot.json_path] = self.text.value
        except Exception as exc:  # shown, not raised (observer)
            self.status.value = f"<p style='color:{RED}'>{escape(exc)}</p>"
            return
        self.refresh()

    def _switch(self, change: Any = None) -> None:
        try:
            slot = self.current
            self.text.value = self.drafts.get(slot.json_path, slot_text(self.world, slot))  # fires _typed
        except Exception as exc:  # shown, not raised (observer)
            self.status.value = f"<p style='color:{RED}'>{escape(exc)}</p>"

    def _reset(self, button: Any = None) -> None:
        self._quiet = True
        try:
            self.drafts.pop(self.current.json_path, None)
            self.text.value = slot_text(self.world, self.current)
        except Exception as exc:  # shown, not raised (observer)
            self.status.value = f"<p style='color:{RED}'>{escape(exc)}</p>"
        finally:
            self._quiet = False
        self.refresh()
