"""The parser's bounded memories: the compiled, validated form of policy elements (and of the
values checks are run on), kept by exactly what determines them, so that a policy whose statements
are new but whose elements repeat is read with a few dictionary lookups.

Every cache is bounded: when one is full it is emptied, so a stream of ever-new elements costs
bounded memory and no eviction bookkeeping. ``clear`` empties them all (tests compare a parse with
cold caches to one with warm caches).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

V = TypeVar("V")

_CLEARERS: list[Callable[[], None]] = []


class BoundedCache(dict[Any, V]):
    """A dictionary of at most ``size`` entries (read with ``get``), emptied when ``put`` would
    exceed it."""

    __slots__ = ("size",)

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size
        _CLEARERS.append(self.clear)

    def put(self, key: Any, value: V) -> V:
        """Remember ``value`` for ``key`` (emptying the cache first when it is full); returns it."""
        if len(self) >= self.size:
            self.clear()
        self[key] = value
        return value


def register(clear_function: Callable[[], None]) -> None:
    """Have ``clear`` also empty another cache (an ``lru_cache``'s ``cache_clear``)."""
    _CLEARERS.append(clear_function)


def clear() -> None:
    """Empty every cache of the policy reader."""
    for clear_function in _CLEARERS:
        clear_function()


__all__ = ["BoundedCache", "clear", "register"]
