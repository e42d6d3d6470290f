"""The access matrix of a world: the decision, with its reason code, for every principal ×
resource × action, as ``authorize`` makes it (KMS sub-requests included), printed as text or
written as JSON. Cells that provably share their decision are decided once (``compiled``); large
matrices are shared among forked worker processes, or by principal over any
``concurrent.futures.Executor`` (a process pool, a Dask cluster: ``secretslab.sharding``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..arn import short_arn
from ..authorization import authorize
from ..authorization.decision import Decision
from ..authorization.known import name_problems
from ..authorization.request import Request
from ..evaluation.memo import fewer_collections
from ..evaluation.results import Outcome, Reason
from ..limits import MAX_WORKERS
from ..problems import Problem, ProblemCode, request_error
from ..world import World
from .compiled import _Compiled
from .principals import DEFAULT_ACTIONS, world_principals

if TYPE_CHECKING:
    from concurrent.futures import Executor

#: one row of the matrix: (outcome, reason code, unknown) per resource × action
Row = list[tuple[str, str, bool]]


@dataclass(frozen=True, slots=True)
class Cell:
    """The decision for one principal, resource and action."""

    principal: str
    resource: str
    action: str
    outcome: Outcome
    reason: Reason
    unknown: bool = False  # the decision depends on data an import could not read

    @property
    def allowed(self) -> bool:
        """Whether the request is allowed (an explicit or implicit deny is not)."""
        return self.outcome is Outcome.ALLOW

    def decision(self, world: World) -> Decision:
        """The full decision behind the cell, as ``authorize`` makes it on ``world``."""
        return authorize(world, Request(self.principal, self.action, self.resource))


_KINDS: dict[tuple[str, str], tuple[Outcome, Reason]] = {}


def _cell(principal: str, resource: str, action: str, answer: tuple[str, str, bool]) -> Cell:
    outcome, code, unknown = answer
    kinds = _KINDS.get((outcome, code))
    if kinds is None:
        kinds = _KINDS[(outcome, code)] = (Outcome(outcome), Reason(code))
    return Cell(principal, resource, action, kinds[0], kinds[1], unknown)


@dataclass(frozen=True, slots=True)
class AccessMatrix:
    """Every cell of principals × resources × actions, with lookup by the three of them. The
    answers are held row by row; ``cells`` and ``cell`` build ``Cell`` values from them, and
    ``explain`` gives any cell's full decision."""

    principals: tuple[str, ...]
    resources: tuple[str, ...]
    actions: tuple[str, ...]
    #: per principal, (outcome, reason code, unknown) for each resource × action (resource-major)
    answers: tuple[tuple[tuple[str, str, bool], ...], ...]
    #: the world the matrix was computed on (for ``explain``)
    world: World | None = field(default=None, repr=False, compare=False)
    _positions: tuple[dict[str, int], dict[str, int], dict[str, int]] = field(
        init=False, repr=False, compare=False
    )
    _built: list[tuple[Cell, ...]] = field(default_factory=list, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        positions = tuple(
            {name: i for i, name in reversed(list(enumerate(names)))}
            for names in (self.principals, self.resources, self.actions)
        )
        object.__setattr__(self, "_positions", positions)

    @property
    def cells(self) -> tuple[Cell, ...]:
        """Every cell: principal-major, then resource, then action (built on first use)."""
        if not self._built:
            pairs = [(r, a) for r in self.resources for a in self.actions]
            self._built.append(
                tuple(
                    _cell(p, r, a, answer)
                    for p, row in zip(self.principals, self.answers, strict=True)
                    for (r, a), answer in zip(pairs, row, strict=True)
                )
            )
        return self._built[0]

    def cell(self, principal: str, resource: str, action: str) -> Cell:
        """The cell of one principal, resource and action; raises ``KeyError`` for one not in the matrix."""
        ps, rs, acts = self._positions
        try:
            i, j, k = ps[principal], rs[resource], acts[action]
        except KeyError:
            raise KeyError((principal, resource, action)) from None
        return _cell(principal, resource, action, self.answers[i][j * len(self.actions) + k])

    def explain(self, principal: str, resource: str, action: str) -> Decision:
        """The full decision of one cell, as ``authorize`` makes it (its steps, deciding statements
        and plan); raises ``KeyError`` for a cell not in the matrix."""
        self.cell(principal, resource, action)
        if self.world is None:
            raise ValueError("this matrix was built without its world: call authorize() instead")
        return authorize(self.world, Request(principal, action, resource))

    def rows(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per cell, in the order of ``cells``; ``unknown`` only where it is true."""
        pairs = [(r, a) for r in self.resources for a in self.actions]
        return [
            {
                "principal": p,
                "resource": r,
                "action": a,
                "outcome": o,
                "reason": c,
                **({"unknown": True} if u else {}),
            }
            for p, row in zip(self.principals, self.answers, strict=True)
            for (r, a), (o, c, u) in zip(pairs, row, strict=True)
        ]

    def to_dict(self) -> dict[str, Any]:
        """The matrix as JSON-ready data: its principals, resources, actions and ``rows``."""
        return {
            "principals": list(self.principals),
            "resources": list(self.resources),
            "actions": list(self.actions),
            "rows": self.rows(),
        }

    def to_json(self) -> str:
        """The matrix as one JSON document (``to_dict`` serialised)."""
        return json.dumps(self.to_dict())

    def to_text(self, paint: Callable[[str, Outcome], str] | None = None, width: int | None = None) -> str:
        """One line per principal × resource, one column per action (``LEGEND``: A = allow,
        D = explicit deny, . = implicit deny; ? = depends on data an import could not read);
        ``paint(mark, outcome)`` styles each centred mark (the CLI colours them on a terminal).
        When that table is wider than ``width`` (a terminal's columns), each principal heads its
        resources and the actions are numbered columns, with a key above them."""
        mark = {Outcome.ALLOW: "A", Outcome.EXPLICIT_DENY: "D", Outcome.IMPLICIT_DENY: "."}
        short = [a.partition(":")[2] for a in self.actions]
        pwidth = max((len(_short(p)) for p in self.principals), default=9)
        rwidth = max((len(_short(r)) for r in self.resources), default=8)
        lines = [f"{'principal':{pwidth}}  {'resource':{rwidth}}  " + "  ".join(short)]
        if width is not None and len(lines[0]) > width:
            return self._narrow_text(short, rwidth, mark, paint)
        for p in self.principals:
            for r in self.resources:
                marks = [
                    _painted(self.cell(p, r, a), mark, len(s), paint)
                    for a, s in zip(self.actions, short, strict=True)
                ]
                lines.append(f"{_short(p):{pwidth}}  {_short(r):{rwidth}}  " + "  ".join(marks))
        return "\n".join(lines)

    def _narrow_text(
        self,
        short: list[str],
        rwidth: int,
        mark: dict[Outcome, str],
        paint: Callable[[str, Outcome], str] | None,
    ) -> str:
        """The table for a narrow terminal: a principal per heading line, its resources under it,
        and a numbered column per action (the key first, one action a line)."""
        numbers = [str(i) for i in range(1, len(short) + 1)]
        column = max(2, *(len(n) for n in numbers)) if numbers else 2
        lines = [f"{n:>{len(numbers[-1])}} {name}" for n, name in zip(numbers, short, strict=True)]
        lines.append("principal")
        lines.append(f"  {'resource':{rwidth}}  " + "  ".join(n.center(column) for n in numbers))
        for p in self.principals:
            lines.append(_short(p))
            for r in self.resources:
                marks = [_painted(self.cell(p, r, a), mark, column, paint) for a in self.actions]
                lines.append(f"  {_short(r):{rwidth}}  " + "  ".join(marks))
        return "\n".join(line.rstrip() for line in lines)

    def __str__(self) -> str:
        return self.to_text()


#: what the marks of ``to_text`` mean, for a line under the table
LEGEND = "A allow   D explicit deny   . implicit deny   ? depends on data the import could not read"


def _painted(
    cell: Cell, marks: dict[Outcome, str], width: int, paint: Callable[[str, Outcome], str] | None
) -> str:
    text = _mark(cell, marks).center(width)
    if paint is None:
        return text
    stripped = text.strip()
    left = text.index(stripped)
    return text[:left] + paint(stripped, cell.outcome) + text[left + len(stripped) :]


def _mark(cell: Cell, marks: dict[Outcome, str]) -> str:
    return marks[cell.outcome] + ("?" if cell.unknown else "")


_short = short_arn


def access_matrix(
    world: World,
    *,
    actions: Sequence[str] = DEFAULT_ACTIONS,
    principals: Iterable[str] | None = None,
    resources: Iterable[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
) -> AccessMatrix:
    """The decision, with its reason, for every principal × resource × action (KMS sub-requests
    included, as ``authorize`` makes them). Defaults: every principal of the world, every secret.
    Raises ``UnknownNameError`` (with suggestions) for a principal, resource or action that does
    not exist.
    Large matrices are shared among ``workers`` processes (default: the CPUs, when the matrix
    has more than 20,000 cells and the platform can fork).

    ``executor``: any ``concurrent.futures.Executor`` (a ``ThreadPoolExecutor``, a
    ``ProcessPoolExecutor``, a Dask ``distributed.Client.get_executor()`` or the ``Client``
    itself) computes the rows instead, a few principals per task; the world is pickled once and
    reaches each worker process once (a Dask client scatters it to every worker), then tasks
    name it by a digest of its content. ``workers`` is then not used. ``progress(done, total)``
    counts principals as their rows come back."""
    ps = tuple(principals) if principals is not None else world_principals(world)
    rs = tuple(resources) if resources is not None else tuple(s.arn for s in world.secrets)
    acts = tuple(actions)
    problems = name_problems(world, ps, rs, acts)
    if problems:  # a name that does not exist is an error, not a row of denials (issue #9)
        raise request_error(problems, what="matrix")
    if executor is not None:
        rows: list[Row] | None = _sharded_rows(world, ps, rs, acts, executor, progress)
        return AccessMatrix(ps, rs, acts, tuple(tuple(row) for row in rows or ()), world)
    n = _worker_count(workers, len(ps) * len(rs) * len(acts))
    with fewer_collections():
        compiled = _Compiled(world, ps, rs, acts)
        rows = _parallel_rows(compiled, ps, n, progress) if n > 1 else None
        if rows is None:
            rows = []
            for i, p in enumerate(ps):
                rows.append(compiled.row(p))
                if progress:
                    progress(i + 1, len(ps))
    return AccessMatrix(ps, rs, acts, tuple(tuple(row) for row in rows), world)


def _rows(
    world: World, principals: tuple[str, ...], resources: tuple[str, ...], actions: tuple[str, ...]
) -> list[Row]:
    """The rows of ``principals``, each resource-major then action: the unit a pool or an
    executor computes (sharded by principal; see ``compiled`` for how cells share work)."""
    with fewer_collections():
        return _Compiled(world, principals, resources, actions).rows(principals)


def _row(world: World, principal: str, resources: tuple[str, ...], actions: tuple[str, ...]) -> Row:
    """One row decided cell by cell with ``authorize`` (what the compiled rows must equal)."""
    out = []
    with fewer_collections():
        for r in resources:
            for a in actions:
                d = authorize(world, Request(principal, a, r), plan=False)
                out.append((d.outcome.value, d.reason.value, d.unknown))
    return out


# -- the worker pool


def _worker_count(workers: int | None, cells: int) -> int:
    if workers is not None:
        if type(workers) is not int or not 1 <= workers <= MAX_WORKERS:
            given = str(workers) if type(workers) is int and abs(workers) < 10**12 else type(workers).__name__
            problem = Problem(
                ProblemCode.INVALID_FIELD,
                f"workers is a whole number of processes from 1 to {MAX_WORKERS}, not {given}; for "
                "more, give an executor (a process pool or a Dask cluster)",
                ("workers",),
            )
            raise request_error([problem], what="matrix")
        return workers
    import multiprocessing
    import os

    if cells < 20_000 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1, 8))


#: what the forked workers read: set just before the pool starts, so it is inherited, not pickled
_SHARED: _Compiled | None = None


def _worker_rows(principals: tuple[str, ...]) -> list[Row]:
    assert _SHARED is not None
    return _SHARED.rows(principals)


def _parallel_rows(
    compiled: _Compiled,
    ps: tuple[str, ...],
    n: int,
    progress: Callable[[int, int], None] | None,
) -> list[Row] | None:
    """Rows computed by ``n`` forked processes (the world and what the matrix compiled of it are
    inherited, not pickled); None if processes cannot be started here."""
    import multiprocessing

    global _SHARED
    size = max(1, min(32, -(-len(ps) // (4 * n))))  # a few chunks per worker: they finish together
    chunks = [ps[i : i + size] for i in range(0, len(ps), size)]
    _SHARED = compiled
    try:
        with multiprocessing.get_context("fork").Pool(n) as pool:
            rows: list[Row] = []
            for chunk in pool.imap(_worker_rows, chunks):
                rows.extend(chunk)
                if progress:
                    progress(len(rows), len(ps))
            return rows
    except OSError:
        return None
    finally:
        _SHARED = None


# -- any executor (secretslab.sharding): principals in chunks, the world shipped once per worker

#: cells one task computes at most (about a second of one core per-cell), unless a row is longer
TASK_CELLS = 20_000


def _shard_rows(
    world: World, columns: tuple[tuple[str, ...], tuple[str, ...]], principals: tuple[str, ...]
) -> list[Row]:
    """The rows of ``principals``, on a worker (a module-level function: workers import it)."""
    resources, actions = columns
    return _rows(world, principals, resources, actions)


def _sharded_rows(
    world: World,
    ps: tuple[str, ...],
    rs: tuple[str, ...],
    acts: tuple[str, ...],
    executor: Executor,
    progress: Callable[[int, int], None] | None,
) -> list[Row]:
    """Rows computed on ``executor``: chunks of principals small enough that every worker gets
    several (a slow chunk never leaves the others idle at the end) and progress moves."""
    from ..sharding import Shared, as_executor, digest, shard_map, worker_count  # only here

    executor = as_executor(executor)
    workers = worker_count(executor) or 2
    per_row = max(1, len(rs) * len(acts))
    size = max(1, min(-(-len(ps) // (4 * workers)), TASK_CELLS // per_row))
    chunks = [ps[i : i + size] for i in range(0, len(ps), size)]
    shared = (
        Shared("world:" + digest(world.to_dict()), world),
        Shared("columns:" + digest([rs, acts]), (rs, acts)),
    )
    finished = 0

    def done(index: int) -> None:
        nonlocal finished
        finished += len(chunks[index])
        if progress:
            progress(finished, len(ps))

    rows: list[Row] = []
    for chunk_rows in shard_map(executor, _shard_rows, shared, chunks, done=done):
        rows.extend(chunk_rows)
    return rows
