"""What an evaluator remembers between requests, owned by whoever evaluates (a batch
``Simulator``, the authorizer of one world) and passed to the engine, never stored in the
policies: for each policy the statements an action selects, for each Resource element its match
on a resource, for each condition and statement its result by exactly what it depends on (the
request's values of the keys it reads, the resource, the caller), and each organization level's
result, and each policy's result by what its selected statements depend on. Every request
still gets its full explanation tree: results are reused, never skipped.
Bounded per entry; ``clear`` lets go of everything at once.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..policy.model import ActionElement, Policy, ResourceElement, Statement

# The remembered values are the results the layers above build (ElementResult, ConditionResult,
# StatementResult, LevelResult); they are typed where they are read, so this module stays below.

#: entries each table holds before it starts afresh (a batch of ever-new values stays bounded)
LIMIT = 1 << 18

LevelView = tuple[tuple[str, ...], bool, bool] | None  # see engine._level_view
#: a policy's statements an action selects, the context keys they read, whether they depend on
#: the resource, whether on the caller (see engine._policy_view)
PolicyView = tuple["tuple[Statement, ...]", tuple[str, ...], bool, bool]


class Memo:
    """Remembered results of pure functions of immutable policies (see the module docstring).
    Each table is one flat dict keyed by the policy element and what its result depends on."""

    __slots__ = (
        "actions",
        "conditions",
        "level_results",
        "level_views",
        "policy_results",
        "policy_views",
        "resources",
        "selected",
        "statements",
    )

    def __init__(self) -> None:
        self.actions: dict[tuple[ActionElement, str], bool] = {}
        self.selected: dict[tuple[Policy, str], tuple[Statement, ...]] = {}
        self.resources: dict[tuple[ResourceElement, str], Any] = {}
        self.conditions: dict[tuple[Any, ...], Any] = {}  # (condition, values of its keys)
        self.statements: dict[tuple[Any, ...], Any] = {}  # (statement, resource, caller, values)
        self.level_views: dict[tuple[Any, str], LevelView] = {}
        self.level_results: dict[tuple[Any, ...], Any] = {}
        self.policy_views: dict[tuple[Policy, str], PolicyView] = {}
        self.policy_results: dict[tuple[Any, ...], Any] = {}  # (policy as attached, what it depends on)

    def statements_for(self, policy: Policy, action_lower: str) -> tuple[Statement, ...]:
        """The statements of ``policy`` whose Action/NotAction matches the action (policies share
        equal Action elements, so each element's answer is remembered too)."""
        key = (policy, action_lower)
        found = self.selected.get(key)
        if found is None:
            found = tuple(s for s in policy.statements if self.action_matches(s.action, action_lower))
            remember(self.selected, key, found)
        return found

    def action_matches(self, element: ActionElement, action_lower: str) -> bool:
        """Whether an Action/NotAction element matches the action (remembered by element)."""
        key = (element, action_lower)
        found = self.actions.get(key)
        if found is None:
            found = element.matches(action_lower)
            remember(self.actions, key, found)
        return found

    def clear(self) -> None:
        """Forget every remembered result at once; later requests compute them afresh."""
        for table in (
            self.actions,
            self.selected,
            self.resources,
            self.conditions,
            self.statements,
            self.level_views,
            self.level_results,
            self.policy_views,
            self.policy_results,
        ):
            table.clear()


def remember(table: dict[Any, Any], key: Any, value: Any) -> None:
    """``table[key] = value``, starting the table afresh when it is full."""
    if len(table) >= LIMIT:
        table.clear()
    table[key] = value


_gc_lock = threading.Lock()
_gc_saved: list[tuple[int, ...]] = []  # the thresholds before the first of the runs still going


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while deciding many requests: parsed policies
    and remembered results live long, so each collection scans far more than it frees (it
    doubles a batch's throughput). The thresholds are restored when the last run still going
    ends: runs on several threads (a thread pool as the executor of a matrix) overlap."""
    with _gc_lock:
        if not _gc_saved:
            _gc_saved.append(gc.get_threshold())
            gc.set_threshold(50_000, 20, 100)
        else:
            _gc_saved.append(_gc_saved[0])
    try:
        yield
    finally:
        with _gc_lock:
            thresholds = _gc_saved.pop()
            if not _gc_saved:
                gc.set_threshold(*thresholds)
