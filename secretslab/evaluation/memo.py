"""What an evaluator remembers between requests, owned by whoever evaluates (a batch
``Simulator``, the authorizer of one world) and passed to the engine, never stored in the
policies: for each policy the statements an action selects, for each Resource element its match
on a resource, for each condition and statement its result by exactly what it depends on (the
request's values of the keys it reads, the resource, the caller), and each organization level's
result. Every request still gets its full explanation tree: results are reused, never skipped.
Bounded per entry; ``clear`` lets go of everything at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..policy.model import Condition, Policy, ResourceElement, Statement

# The remembered values are the results the layers above build (ElementResult, ConditionResult,
# StatementResult, LevelResult); they are typed where they are read, so this module stays below.

#: results remembered per policy element (batches repeat the same few values)
PER_ACTION, PER_RESOURCE, PER_CONDITION, PER_STATEMENT = 4096, 1024, 512, 1024
#: organization-level results remembered in all (each keyed by its level and request values)
LEVELS = 65536

LevelView = tuple[tuple[str, ...], bool, bool] | None  # see engine._level_view


class Memo:
    """Remembered results of pure functions of immutable policies (see the module docstring)."""

    __slots__ = ("conditions", "level_results", "level_views", "resources", "selected", "statements")

    def __init__(self) -> None:
        self.selected: dict[Policy, dict[str, tuple[Statement, ...]]] = {}
        self.resources: dict[ResourceElement, dict[str, Any]] = {}
        self.conditions: dict[Condition, dict[Any, Any]] = {}
        self.statements: dict[Statement, dict[Any, Any]] = {}
        self.level_views: dict[tuple[Any, str], LevelView] = {}
        self.level_results: dict[tuple[Any, ...], Any] = {}

    def statements_for(self, policy: Policy, action_lower: str) -> tuple[Statement, ...]:
        """The statements of ``policy`` whose Action/NotAction matches the action."""
        by_action = self.selected.get(policy)
        if by_action is None:
            by_action = self.selected[policy] = {}
        found = by_action.get(action_lower)
        if found is None:
            found = policy.statements_for(action_lower)
            if len(by_action) < PER_ACTION:
                by_action[action_lower] = found
        return found

    def clear(self) -> None:
        """Forget every remembered result at once; later requests compute them afresh."""
        for table in (
            self.selected,
            self.resources,
            self.conditions,
            self.statements,
            self.level_views,
            self.level_results,
        ):
            table.clear()
