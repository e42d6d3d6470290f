"""Time ``secretslab.access_matrix`` on the synthetic organisation of ``generate_org.py``: 500
principals × 200 secrets × 4 actions = 400,000 decisions, KMS sub-requests included (issue #3).

    python benchmarks/bench_matrix.py [--principals 500] [--secrets 200] [--repeat 3] [--workers 1]

``--workers 1`` (the default) measures one core; ``--workers 2`` forks two processes.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_org import generate  # noqa: E402

import secretslab as sl  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--principals", type=int, default=500)
    parser.add_argument("--secrets", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="processes (default 1: one core)")
    args = parser.parse_args()
    data = generate(args.principals, args.secrets, args.seed)
    best = float("inf")
    for _ in range(args.repeat):
        world = sl.World.from_dict(data)  # a fresh world: nothing remembered from the last run
        start = time.perf_counter()
        matrix = sl.access_matrix(world, workers=args.workers)
        best = min(best, time.perf_counter() - start)
    n = len(matrix.cells)
    shares = Counter(c.outcome.value for c in matrix.cells)
    print(
        f"{len(matrix.principals)} principals x {len(matrix.resources)} secrets x {len(matrix.actions)} "
        f"actions = {n:,} decisions in {best:.2f} s = {n / best:,.0f} decisions/s "
        f"(best of {args.repeat}, {args.workers} worker{'s' if args.workers != 1 else ''})"
    )
    print("  outcomes: " + ", ".join(f"{k} {100 * v / n:.1f}%" for k, v in sorted(shares.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
