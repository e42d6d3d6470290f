"""What changes between two worlds: every access gained or lost over the principals and secrets
of both, each with the statements responsible in the world that decides it (the what-if
analysis of an edit before it is made)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..authorization import authorize
from ..authorization.known import holds_principal
from ..authorization.request import Request
from ..evaluation.results import Outcome, Reason
from ..world import World
from .matrix import AccessMatrix, Cell, access_matrix
from .principals import DEFAULT_ACTIONS, world_principals


@dataclass(frozen=True, slots=True)
class Change:
    """An access gained or lost between two worlds, with the policies that decide it."""

    principal: str
    resource: str
    action: str
    gained: bool
    before: Reason
    after: Reason
    responsible: tuple[str, ...]  # deciding statements in the world where it is allowed/denied

    def to_dict(self) -> dict[str, Any]:
        """The change as JSON-ready data (``change`` is ``gained`` or ``lost``; reasons by code)."""
        return {
            "principal": self.principal,
            "resource": self.resource,
            "action": self.action,
            "change": "gained" if self.gained else "lost",
            "before": self.before.value,
            "after": self.after.value,
            "responsible": list(self.responsible),
        }

    def __str__(self) -> str:
        sign = "+" if self.gained else "-"
        why = "; ".join(self.responsible) or self.after.summary
        change = f"{self.before.value} -> {self.after.value}"
        return f"{sign} {self.principal} {self.action} {self.resource}: {change} ({why})"


@dataclass(frozen=True, slots=True)
class Diff:
    """The accesses gained and lost between two worlds, in the order of the access matrix."""

    changes: tuple[Change, ...]

    @property
    def gained(self) -> tuple[Change, ...]:
        """The accesses the second world allows and the first does not."""
        return tuple(c for c in self.changes if c.gained)

    @property
    def lost(self) -> tuple[Change, ...]:
        """The accesses the first world allows and the second does not."""
        return tuple(c for c in self.changes if not c.gained)

    def to_dict(self) -> dict[str, Any]:
        """The diff as JSON-ready data: the ``gained`` and the ``lost`` changes."""
        return {"gained": [c.to_dict() for c in self.gained], "lost": [c.to_dict() for c in self.lost]}

    def __str__(self) -> str:
        if not self.changes:
            return "no access changes"
        return "\n".join(str(c) for c in self.changes)


def diff(
    world_a: World,
    world_b: World,
    *,
    actions: Sequence[str] = DEFAULT_ACTIONS,
    progress: Callable[[int, int], None] | None = None,
    matrices: Sequence[AccessMatrix] = (),
) -> Diff:
    """Accesses gained and lost from ``world_a`` to ``world_b`` over the principals and secrets of
    both, each with the statements responsible in the world that decides it. ``matrices``: access
    matrices already computed (e.g. an app's matrix before and after an edit); one computed on
    ``world_a`` or ``world_b`` (``AccessMatrix.world``) that holds every cell needed is read
    instead of being computed again."""
    principals = tuple(dict.fromkeys([*world_principals(world_a), *world_principals(world_b)]))
    resources = tuple(dict.fromkeys([*(s.arn for s in world_a.secrets), *(s.arn for s in world_b.secrets)]))
    a = _cells(world_a, actions, principals, resources, progress, matrices)
    b = _cells(world_b, actions, principals, resources, None, matrices)
    changes = [
        _change(world_a, world_b, before, after)
        for before, after in zip(a, b, strict=True)
        if before.allowed != after.allowed
    ]
    return Diff(tuple(changes))


def _cells(
    world: World,
    actions: Sequence[str],
    principals: tuple[str, ...],
    resources: tuple[str, ...],
    progress: Callable[[int, int], None] | None,
    matrices: Sequence[AccessMatrix] = (),
) -> list[Cell]:
    """The cells of every principal × resource × action; where ``world`` does not hold the
    principal or the secret (it came or went between the worlds), an implicit deny. They are
    read from a matrix of ``matrices`` computed on ``world`` that holds them all, if any."""
    ps = tuple(p for p in principals if holds_principal(world, p))
    rs = tuple(r for r in resources if world.secret(r) is not None)
    held = next((m for m in matrices if m.world is world and _holds(m, ps, rs, actions)), None)
    if held is None:
        held = access_matrix(world, actions=actions, principals=ps, resources=rs, progress=progress)
    out = []
    for p in principals:
        for r in resources:
            for action in actions:
                try:
                    out.append(held.cell(p, r, action))
                except KeyError:
                    out.append(Cell(p, r, action, Outcome.IMPLICIT_DENY, Reason.NO_APPLICABLE_ALLOW))
    return out


def _holds(
    matrix: AccessMatrix, principals: Sequence[str], resources: Sequence[str], actions: Sequence[str]
) -> bool:
    return (
        set(principals) <= set(matrix.principals)
        and set(resources) <= set(matrix.resources)
        and set(actions) <= set(matrix.actions)
    )


def _change(world_a: World, world_b: World, before: Cell, after: Cell) -> Change:
    """The change of one cell, with what allows it now, or what denies it now and what allowed it."""
    request = Request(after.principal, after.action, after.resource)
    now = _responsible(world_b, request)
    if after.allowed:
        responsible = now
    else:
        was = _responsible(world_a, request)
        responsible = (*now, *(f"was allowed by {p}" for p in was))
    return Change(
        after.principal, after.resource, after.action, after.allowed, before.reason, after.reason, responsible
    )


def _responsible(world: World, request: Request) -> tuple[str, ...]:
    if not holds_principal(world, request.principal):
        return (f"{request.principal} is not in this world",)
    if world.secret(request.resource) is None:
        return (f"{request.resource} is not in this world",)
    decision = authorize(world, request)
    step = decision.failed_step or decision.main_step
    if step is None:
        return ()
    named = [str(d) for d in step.evaluation.deciding]
    return tuple(dict.fromkeys(named)) or (f"{step.action}: {step.evaluation.reason.summary}",)
