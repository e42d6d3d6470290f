"""Questions people ask of a whole world, answered with ``authorize``: every way a principal can
perform an action, directly or through chains of assumed roles (``paths``, semantics §1.2, §11),
who can perform it (``who``), the access matrix of principals × resources × actions (``matrix``),
and what changes between two worlds (``changes``); ``principals`` says which principals a world
offers them, and ``assume`` which roles each may assume."""

from __future__ import annotations

from .changes import Change, Diff, diff
from .matrix import AccessMatrix, Cell, access_matrix
from .paths import AccessPath, AccessPaths, access_paths
from .principals import DEFAULT_ACTIONS, MAX_DEPTH, MAX_PATHS, session_of, world_principals
from .who import WhoCan, who_can

__all__ = [
    "DEFAULT_ACTIONS",
    "MAX_DEPTH",
    "MAX_PATHS",
    "AccessMatrix",
    "AccessPath",
    "AccessPaths",
    "Cell",
    "Change",
    "Diff",
    "WhoCan",
    "access_matrix",
    "access_paths",
    "diff",
    "session_of",
    "who_can",
    "world_principals",
]
