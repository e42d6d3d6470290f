"""Work shared out over any ``concurrent.futures.Executor``: a thread or process pool, or a Dask
cluster (``distributed.Client.get_executor()``, or the ``Client`` itself), in order and with
large shared values (a world) shipped once per worker process rather than once per task.

``shard_map(executor, fn, shared, items)`` yields ``fn(*values, item)`` for every item, in the
order of ``items``, where ``values`` are the ``Shared`` values. Each shared value has a token (a
digest of its content, see ``digest``) and every worker process keeps the values it has received
by token (``loads``): a task carries only the tokens, and a worker that lacks a value answers
"missing" at once and gets the task again with the pickled value attached. The first tasks
carry the values ahead of asking, one per worker the executor says it has. A thread pool gets
the values themselves (nothing is pickled); a Dask client gets them by ``scatter`` to every
worker (``broadcast=True``), which its tasks then read where they run.

Nothing here knows of worlds or requests: ``analysis.matrix`` and ``batch`` say what is shared
and what a task computes.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import socket
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import orjson

T = TypeVar("T")
R = TypeVar("R")

#: shared values a worker process keeps (two jobs' worth of a world and its columns); older go first
KEPT = 4


def digest(data: Any) -> str:
    """A token for JSON-like ``data``: the SHA-256 of its canonical JSON (keys sorted), so equal
    content gives the same token in every process and across calls."""
    try:
        text = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):  # an integer beyond 64 bits: the slower writer
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=repr).encode()
    return hashlib.sha256(text).hexdigest()


@dataclass(frozen=True, slots=True)
class Shared:
    """A value every task of a ``shard_map`` reads, named by ``token``: equal tokens must mean
    equal values (a worker that holds a token's value is never sent it again)."""

    token: str
    value: Any = field(repr=False, compare=False)


@dataclass(slots=True)
class Stats:
    """What a ``shard_map`` did: tasks run, tasks sent again to a worker that lacked a shared
    value (``misses``), pickled shared values sent (``shipped``), and per worker (host:pid) how
    many times at most it loaded one shared value (1 when each value reached it once; 0 when it
    had them already, or read them in this process)."""

    tasks: int = 0
    misses: int = 0
    shipped: int = 0
    loads: dict[str, int] = field(default_factory=dict)


# -- the worker side


_lock = threading.Lock()
_kept: OrderedDict[str, Any] = OrderedDict()
_loads: dict[str, int] = {}
_ABSENT = object()


def loads(token: str) -> int:
    """How many times this process has loaded (unpickled) the shared value ``token``."""
    return _loads.get(token, 0)


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"  # by pid, not cached: a forked child is another


def _unpack(token: str, data: bytes) -> _Cargo:
    """Unpickling a shared value (``_Cargo``) in a worker: the value this process keeps for the
    token, loaded from ``data`` only the first time, in a cargo again (Dask copies a scattered
    value from worker to worker by pickling what the first one holds)."""
    with _lock:
        value = _kept.get(token, _ABSENT)
        if value is _ABSENT:
            value = pickle.loads(data)
            _loads[token] = _loads.get(token, 0) + 1
        _keep(token, value)
    return _Cargo(token, value)


def _keep(token: str, value: Any) -> None:
    """Keep ``value`` for ``token`` (the most recent ``KEPT``); the caller holds ``_lock``."""
    _kept[token] = value
    _kept.move_to_end(token)
    while len(_kept) > KEPT:
        _kept.popitem(last=False)


class _Cargo:
    """A shared value travelling with a task: pickled once however many tasks carry it, and
    unpickled into the receiving process's keeping (``_unpack``). ``keep``: a task that gets it
    unpickled (an executor running tasks in the caller's process) keeps it too, since the tasks
    after it carry the token alone (a thread pool's tasks all carry the value: not kept)."""

    __slots__ = ("_data", "keep", "token", "value")

    def __init__(self, token: str, value: Any, *, keep: bool = False) -> None:
        self.token = token
        self.value = value
        self.keep = keep
        self._data: bytes | None = None

    def __reduce__(self) -> tuple[Callable[[str, bytes], _Cargo], tuple[str, bytes]]:
        if self._data is None:
            self._data = pickle.dumps(self.value, protocol=pickle.HIGHEST_PROTOCOL)
        return _unpack, (self.token, self._data)


@dataclass(frozen=True, slots=True)
class _Missing:
    worker: str


@dataclass(frozen=True, slots=True)
class _Done:
    value: Any
    worker: str
    loads: int


def _task(
    fn: Callable[..., Any], shared: tuple[tuple[str, _Cargo | None], ...], item: Any
) -> _Done | _Missing:
    """Run on a worker: ``fn(*values, item)`` with the shared values, from the task (a cargo,
    scattered or not) or from what the process keeps."""
    values = []
    for token, carried in shared:
        if carried is None:
            with _lock:
                value = _kept.get(token, _ABSENT)
            if value is _ABSENT:
                return _Missing(_worker())
        else:
            value = carried.value
            if carried.keep:
                with _lock:
                    _keep(token, value)
        values.append(value)
    return _Done(fn(*values, item), _worker(), max((_loads.get(token, 0) for token, _ in shared), default=0))


# -- the caller's side


def worker_count(executor: Executor) -> int | None:
    """How many tasks ``executor`` runs at once, when it says (pools, Dask clients); else None."""
    client = _dask_client(executor)
    if client is not None:
        threads: int = sum(client.nthreads().values())
        return max(1, threads)
    count = getattr(executor, "_max_workers", None)
    return count if isinstance(count, int) and count > 0 else None


def as_executor(executor: Any) -> Executor:
    """``executor`` as a ``concurrent.futures.Executor``: a Dask ``Client`` gives its own
    (``get_executor()``); anything else must be one already."""
    if isinstance(executor, Executor):
        return executor
    get = getattr(executor, "get_executor", None)
    if callable(get) and type(executor).__module__.startswith("distributed"):
        found = get()
        if isinstance(found, Executor):
            return found
    raise TypeError(
        f"executor must be a concurrent.futures.Executor (or a Dask distributed Client), "
        f"not {type(executor).__name__}"
    )


def _dask_client(executor: Executor) -> Any:
    """The Dask client behind a ``ClientExecutor``, or None for any other executor."""
    if not type(executor).__module__.startswith("distributed"):
        return None
    client = getattr(executor, "_client", None)
    return client if hasattr(client, "scatter") else None


#: the tokens each executor has been sent before: its workers keep them, so a later run sends them
#: only to a worker that says it lacks them (a new or restarted one)
_sent: weakref.WeakKeyDictionary[Executor, set[str]] = weakref.WeakKeyDictionary()


def _sent_to(executor: Executor) -> set[str]:
    try:
        return _sent.setdefault(executor, set())
    except TypeError:  # an executor that cannot be weakly referenced: remember nothing
        return set()


class ShardMap(Generic[R]):
    """The results of ``shard_map``, in item order, as they come (``stats`` fills as it runs)."""

    def __init__(self, results: Iterator[R], stats: Stats) -> None:
        self._results = results
        self.stats = stats

    def __iter__(self) -> Iterator[R]:
        return self._results


def shard_map(
    executor: Executor,
    fn: Callable[..., R],
    shared: Sequence[Shared],
    items: Iterable[T],
    *,
    window: int | None = None,
    done: Callable[[int], None] | None = None,
) -> ShardMap[R]:
    """``fn(*shared values, item)`` for every item, run on ``executor`` and yielded in the order
    of ``items``. ``fn`` must be a module-level function (workers import it by name) and the
    items picklable for a process pool or a cluster. At most ``window`` tasks (default: twice the
    workers) are in flight, and at most four windows of items read ahead of the results
    yielded, so a long stream of items is never held whole. ``done(i)`` is called as item ``i``
    completes, in any order (for progress). An exception raised by ``fn`` is raised here, and
    the tasks still waiting are cancelled."""
    executor = as_executor(executor)
    stats = Stats()
    return ShardMap(_run(executor, fn, tuple(shared), iter(items), window, done, stats), stats)


def _run(
    executor: Executor,
    fn: Callable[..., R],
    shared: tuple[Shared, ...],
    items: Iterator[T],
    window: int | None,
    done: Callable[[int], None] | None,
    stats: Stats,
) -> Iterator[R]:
    workers = worker_count(executor)
    width = max(1, window or 2 * (workers or 2))
    client = _dask_client(executor)
    scattered: list[Any] = []
    if isinstance(executor, ThreadPoolExecutor):  # one process: the values themselves, never pickled
        always: tuple[tuple[str, Any], ...] | None = tuple(
            (s.token, _Cargo(s.token, s.value)) for s in shared
        )
    elif client is not None and shared:  # every Dask worker gets each value once, ahead of the tasks
        scattered = [client.scatter(_Cargo(s.token, s.value), broadcast=True, hash=False) for s in shared]
        always = tuple((s.token, f) for s, f in zip(shared, scattered, strict=True))
        # not pure: Dask would otherwise hash every task's arguments to name it
        executor = client.get_executor(**{**getattr(executor, "_kwargs", {}), "pure": False})
        stats.shipped = len(shared) * (workers or 1)
    else:
        always = None if shared else ()
    bare = tuple((s.token, None) for s in shared)
    cargo = tuple((s.token, _Cargo(s.token, s.value, keep=True)) for s in shared)
    sent = _sent_to(executor)
    # tasks that carry the values before any worker says it lacks them (none if sent before)
    ahead = 0 if all(s.token in sent for s in shared) else workers or 1
    sent.update(s.token for s in shared)

    pending: dict[Future[Any], tuple[int, T]] = {}
    ready: dict[int, R] = {}
    read = yielded = 0
    exhausted = False

    def submit(index: int, item: T, carry: bool) -> None:
        args = always if always is not None else (cargo if carry else bare)
        if always is None and carry:
            stats.shipped += len(shared)
        pending[executor.submit(_task, fn, args, item)] = (index, item)

    try:
        while True:
            while not exhausted and len(pending) < width and read - yielded < 4 * width:
                try:
                    item = next(items)
                except StopIteration:
                    exhausted = True
                    break
                submit(read, item, ahead > 0)
                ahead -= 1
                read += 1
            if not pending:
                break
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                index, item = pending.pop(future)
                outcome = future.result()
                if isinstance(outcome, _Missing):  # that worker lacks a value: send it this time
                    stats.misses += 1
                    submit(index, item, True)
                    continue
                stats.tasks += 1
                stats.loads[outcome.worker] = max(stats.loads.get(outcome.worker, 0), outcome.loads)
                ready[index] = outcome.value
                if done is not None:
                    done(index)
            while yielded in ready:
                yield ready.pop(yielded)
                yielded += 1
    finally:
        for future in pending:
            future.cancel()
        if scattered:
            client.cancel(scattered)
        if always is None:
            _let_go(shared, sent)


def _let_go(shared: tuple[Shared, ...], sent: set[str]) -> None:
    """After a run whose tasks ran in this process and were handed the values themselves (kept,
    never unpickled here): this process keeps them no longer, as the caller's world is the
    caller's to keep or drop; a later run hands them over again."""
    with _lock:
        for s in shared:
            if s.token in _kept and not _loads.get(s.token):
                del _kept[s.token]
                sent.discard(s.token)
