"""Questions people ask of a whole world, answered with ``authorize``: every way a principal can
perform an action, directly or through chains of assumed roles (``paths``, semantics §1.2, §11),
who can perform it (``who``), the access matrix of principals × resources × actions (``matrix``),
what changes between two worlds (``changes``), whether a scenario's expectations hold
(``expectations``), and the access checks over every request
(``checks``: no new access, access not granted, no public access); ``principals`` says which
principals a world offers them, and ``assume`` which roles each may assume."""

from __future__ import annotations

from .changes import Change, Diff, diff
from .checks import (
    CheckResult,
    Scope,
    Witness,
    check_access_not_granted,
    check_no_new_access,
    check_no_public_access,
)
from .expectations import ExpectationResult, ExpectationRun, run_expectations
from .matrix import LEGEND, AccessMatrix, Cell, access_matrix
from .paths import AccessPath, AccessPaths, access_paths
from .principals import DEFAULT_ACTIONS, MAX_DEPTH, MAX_PATHS, session_of, world_principals
from .who import WhoCan, who_can

__all__ = [
    "DEFAULT_ACTIONS",
    "LEGEND",
    "MAX_DEPTH",
    "MAX_PATHS",
    "AccessMatrix",
    "AccessPath",
    "AccessPaths",
    "Cell",
    "Change",
    "CheckResult",
    "Diff",
    "ExpectationResult",
    "ExpectationRun",
    "Scope",
    "WhoCan",
    "Witness",
    "access_matrix",
    "access_paths",
    "check_access_not_granted",
    "check_no_new_access",
    "check_no_public_access",
    "diff",
    "run_expectations",
    "session_of",
    "who_can",
    "world_principals",
]
