"""World id -> stand-in id: moto picks the ids of member accounts, KMS keys and IAM unique ids
itself, so seeding a world (or the demo) into the stand-in records each id it could not keep in a
``WorldMapping`` and rewrites names, ARNs and policy documents through it, whole ids only.
"""

from __future__ import annotations

import copy
import re
from typing import Any

__all__ = ["Table", "WorldMapping", "compile_table", "rewrite"]

#: a compiled translation table: one pattern matching every id, and what each id becomes
Table = tuple[re.Pattern[str], dict[str, str]] | None


class WorldMapping(dict[str, str]):
    """World id -> stand-in id, as ``seed_world`` created the world.

    Keys are account ids (every account of the world, most mapped to themselves), organization,
    root and OU ids, user and role unique ids, KMS key ARNs and key ids, secret version ids, and
    secret ARNs moto could not reproduce. ``translate`` rewrites any JSON-like value (ARNs,
    policy documents, names) from world ids to stand-in ids, ``untranslate`` back.

    ``skipped`` lists, one sentence each, what the stand-in does not hold as the world says
    (sessions, AWS managed key policies, grants, documents moto rejected...), and
    ``management_accounts`` the management account used for each organization id of the world.
    """

    def __init__(self) -> None:
        super().__init__()
        self.skipped: list[str] = []
        self.management_accounts: dict[str, str] = {}

    def translate(self, value: Any) -> Any:
        """``value`` with every world id that the stand-in changed replaced by its stand-in id (whole
        ids only; ``value`` itself is not changed)."""
        return rewrite(value, compile_table({k: v for k, v in self.items() if k != v}))

    def untranslate(self, value: Any) -> Any:
        """``value`` with every stand-in id replaced by its world id: ``translate`` undone."""
        return rewrite(value, compile_table({v: k for k, v in self.items() if k != v}))

    def reverse(self) -> dict[str, str]:
        """Stand-in id -> world id."""
        return {v: k for k, v in self.items()}


def compile_table(table: dict[str, str]) -> Table:
    """One pattern for every id of ``table`` (longest first), matching whole ids only."""
    if not table:
        return None
    alternatives = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_-])(?:{alternatives})(?![A-Za-z0-9_-])"), table


def rewrite(value: Any, compiled: Table) -> Any:
    """A copy of the JSON-like ``value`` with every id of ``compiled`` replaced (keys too)."""
    if compiled is None:
        return copy.deepcopy(value)
    pattern, table = compiled
    if isinstance(value, str):
        return pattern.sub(lambda m: table[m.group(0)], value)
    if isinstance(value, dict):
        return {rewrite(k, compiled): rewrite(v, compiled) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rewrite(v, compiled) for v in value]
    return value
