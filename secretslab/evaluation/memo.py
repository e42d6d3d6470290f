"""What an evaluator remembers between requests, owned by whoever evaluates (a batch
``Simulator``, the authorizer of one world) and passed to the engine, never stored in the
policies: for each policy the statements an action selects (its plan), for each Resource and
Principal element its match on a resource and a caller, for each plan how a resource and a
caller meet its statements (what they decide, and what they leave open to conditions), for each
condition its result by the request's values of the keys it reads, and for each of those
partial results the statement results by the values of the keys its open statements read.
Every request still gets its full explanation tree: results are reused, never skipped; only
the wrapping of a policy's statement results in its label and role is new for each request.
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


class Memo:
    """Remembered results of pure functions of immutable policies (see the module docstring).
    Each table is one flat dict keyed by the policy element and what its result depends on."""

    __slots__ = (
        "actions",
        "conditions",
        "cores",
        "partials",
        "patterns",
        "plans",
        "principals",
        "resources",
    )

    def __init__(self) -> None:
        self.actions: dict[tuple[ActionElement, str], bool] = {}
        self.resources: dict[tuple[ResourceElement, str], Any] = {}
        self.patterns: dict[tuple[Any, str], bool] = {}  # (wildcard Resource pattern, resource)
        self.principals: dict[tuple[Any, ...], Any] = {}  # (Principal element, caller, effect)
        self.conditions: dict[tuple[Any, ...], Any] = {}  # (condition, values of its keys)
        self.plans: dict[tuple[Policy, str, bool], Any] = {}  # (policy, action, Resource optional)
        self.partials: dict[tuple[Any, ...], Any] = {}  # (plan, resource, caller)
        self.cores: dict[tuple[Any, ...], Any] = {}  # (partial, values of the keys it reads)

    def statements_for(self, policy: Policy, action_lower: str) -> tuple[Statement, ...]:
        """The statements of ``policy`` whose Action/NotAction matches the action (policies share
        equal Action elements, so each element's answer is remembered)."""
        return tuple(s for s in policy.statements if self.action_matches(s.action, action_lower))

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
            self.resources,
            self.patterns,
            self.principals,
            self.conditions,
            self.plans,
            self.partials,
            self.cores,
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
