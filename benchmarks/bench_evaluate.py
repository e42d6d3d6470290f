"""Time the engine's evaluate step alone on a batch file, per request.

The first ``--count`` lines are made into engine requests first (``Simulator.request``, as
``simulate`` does), then each repeat evaluates them in order with the simulator's memo, inside
``memo.fewer_collections()`` as a batch runs; the time is the process's CPU time (less sensitive
to other work on the machine than wall time). ``--no-gc`` turns the cyclic collector off while
evaluating, to tell the engine's own work from the collections its allocations cause. Each
repeat starts from a fresh simulator, so the memo warms up as in a real run.

Run from the repository root::

    taskset -c 0 python benchmarks/bench_evaluate.py benchmarks/requests.jsonl [--count 5000]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import statistics
import time
from pathlib import Path

import orjson

from secretslab.batch import Simulator
from secretslab.evaluation.engine import evaluate
from secretslab.evaluation.memo import fewer_collections


def one_run(lines: list[bytes], source: str, collect: bool) -> float:
    """Microseconds of CPU time per request to evaluate ``lines`` with a fresh simulator."""
    simulator = Simulator()
    requests = [simulator.request(orjson.loads(line), source, n) for n, line in enumerate(lines, 1)]
    memo = simulator.memo
    gc.collect()
    if not collect:
        gc.disable()
    try:
        with fewer_collections():
            start = time.process_time()
            for request in requests:
                evaluate(request, memo)
            spent = time.process_time() - start
    finally:
        gc.enable()
    return spent / len(requests) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("batch", type=Path)
    parser.add_argument("--count", type=int, default=5000, help="lines to evaluate (default 5000)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-gc", action="store_true", help="cyclic collector off while evaluating")
    args = parser.parse_args()
    with args.batch.open("rb") as f:
        lines = [line for line in itertools.islice(f, args.count) if line.strip()]
    runs = [one_run(lines, str(args.batch), not args.no_gc) for _ in range(args.repeat)]
    shown = " ".join(f"{r:.1f}" for r in runs)
    print(f"{args.batch.name}: evaluate {statistics.median(runs):.1f} us/request (median; runs {shown})")


if __name__ == "__main__":
    main()
