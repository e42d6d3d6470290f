"""Time ``secretslab.access_matrix`` on the synthetic organisation of ``generate_org.py``: 500
principals × 200 secrets × 4 actions = 400,000 decisions, KMS sub-requests included (issue #3).

    python benchmarks/bench_matrix.py [--principals 500] [--secrets 200] [--repeat 3]
        [--executor none|thread|process|dask] [--workers N]

``--executor none`` (the default) is ``access_matrix``'s own forked pool (``--workers`` processes,
default 1: one core, the issue #12 target); the others pass ``executor=``: a ``ThreadPoolExecutor`` or
``ProcessPoolExecutor`` of ``--workers``, or a Dask ``LocalCluster`` of ``--workers`` processes
with one thread each (needs ``distributed``; the cluster starts before the clock does, and the
first run includes shipping the world to every worker).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_org import generate  # noqa: E402

import secretslab as sl  # noqa: E402


@contextmanager
def executor_for(kind: str, workers: int) -> Iterator[Executor | None]:
    """The executor ``--executor`` names, shut down after the runs."""
    if kind == "none":
        yield None
    elif kind == "thread":
        with ThreadPoolExecutor(workers) as pool:
            yield pool
    elif kind == "process":
        with ProcessPoolExecutor(workers) as pool:
            yield pool
    else:
        import distributed

        with (
            distributed.LocalCluster(
                n_workers=workers, processes=True, threads_per_worker=1, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client.get_executor()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--principals", type=int, default=500)
    parser.add_argument("--secrets", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--executor", choices=["none", "thread", "process", "dask"], default="none")
    parser.add_argument("--workers", type=int, default=1, help="processes (default 1: one core)")
    args = parser.parse_args()
    data = generate(args.principals, args.secrets, args.seed)
    workers = args.workers
    times = []
    with executor_for(args.executor, workers) as executor:
        for _ in range(args.repeat):
            world = sl.World.from_dict(data)  # a fresh world: nothing remembered from the last run
            start = time.perf_counter()
            if executor is None:
                matrix = sl.access_matrix(world, workers=args.workers)
            else:
                matrix = sl.access_matrix(world, executor=executor)
            times.append(time.perf_counter() - start)
    best = min(times)
    n = len(matrix.cells)
    shares = Counter(c.outcome.value for c in matrix.cells)
    print(
        f"{len(matrix.principals)} principals x {len(matrix.resources)} secrets x {len(matrix.actions)} "
        f"actions = {n:,} decisions in {best:.2f} s = {n / best:,.0f} decisions/s (best of {args.repeat}; "
        f"executor {args.executor}, {workers} workers)"
    )
    print("  runs: " + ", ".join(f"{t:.2f} s" for t in times))
    print("  outcomes: " + ", ".join(f"{k} {100 * v / n:.1f}%" for k, v in sorted(shares.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
