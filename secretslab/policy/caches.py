"""The parser's bounded memories: the compiled, validated form of policy elements (and of the
values checks are run on), kept by exactly what determines them, so that a policy whose statements
are new but whose elements repeat is read with a few dictionary lookups.

Every cache is bounded. A ``BoundedCache`` keeps two generations: when the recent one is full it
becomes the old one (the one before is dropped), and an old entry read again moves back, so a
stream of ever-new elements costs bounded memory and no per-entry bookkeeping while the elements
in use stay (emptying everything at once made a batch of fresh policies compile its common
elements again after each clear). ``clear`` empties them all (tests compare a parse with cold
caches to one with warm caches).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

V = TypeVar("V")

_CLEARERS: list[Callable[[], None]] = []


class BoundedCache(dict[Any, V]):
    """A dictionary of at most ``size`` recent entries, read with ``get``, and of the ``size``
    entries before them, read with ``recall`` after ``get`` missed (a value is never None).
    ``put`` makes the recent entries the old ones when it would pass ``size``."""

    __slots__ = ("old", "size")

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size
        self.old: dict[Any, V] = {}
        _CLEARERS.append(self.clear)

    def recall(self, key: Any) -> V | None:
        """The value an older generation holds for ``key``, moved back among the recent ones;
        None when there is none."""
        value = self.old.pop(key, None)
        if value is not None:
            self.put(key, value)
        return value

    def put(self, key: Any, value: V) -> V:
        """Remember ``value`` for ``key`` among the recent entries (which become the old ones
        first when there are ``size`` of them); returns it."""
        if len(self) >= self.size:
            self.old = dict(self)
            dict.clear(self)
        self[key] = value
        return value

    def clear(self) -> None:
        """Forget every entry, of both generations."""
        dict.clear(self)
        self.old = {}


def register(clear_function: Callable[[], None]) -> None:
    """Have ``clear`` also empty another cache (an ``lru_cache``'s ``cache_clear``)."""
    _CLEARERS.append(clear_function)


def clear() -> None:
    """Empty every cache of the policy reader."""
    for clear_function in _CLEARERS:
        clear_function()


__all__ = ["BoundedCache", "clear", "register"]
