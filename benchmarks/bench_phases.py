"""Where a batch line's time goes: the phases of ``simulate``'s common path, per line, on one core.

For each batch (shared and unique policies) this reads the first ``--lines`` lines into memory and
runs them through a fresh ``Simulator`` as ``simulate`` does, timing each phase separately:

- **read**: ``Simulator.read``, the line reader (the policy fields found by their raw text) or,
  when it cannot, the whole line decoded by orjson;
- **request**: the engine's request (target, context, policies parsed once per distinct text),
  and the line reader learning the policy texts of a line it could not read;
- **evaluate**: the engine, with the memo the batch has built so far;
- **write**: the JSON line of the result.

It also prints two references that bound what any change to these phases can reach: **decode**,
orjson decoding each whole line (the fastest JSON reader available, and nothing else), and
**evaluate again**, the same requests evaluated a second time (every result remembered), plus the
whole-process start-up (``python -m secretslab simulate`` on an empty batch, median of 5). The
cyclic collector is off, as in the CLI. The time of a line in the CLI is about the sum of the four
phases; the start-up is paid once per process.

    python benchmarks/bench_phases.py [--lines 10000] [--batch shared|unique|both] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from secretslab.batch import Read, Simulator
from secretslab.evaluation.engine import evaluate

HERE = Path(__file__).resolve().parent
BATCHES = {"shared": HERE / "requests.jsonl", "unique": HERE / "requests-unique.jsonl"}
PHASES = ("read", "request", "evaluate", "write")


def phases(lines: list[bytes]) -> dict[str, float]:
    """Seconds spent in each phase over ``lines`` by one fresh simulator, and the references."""
    sim = Simulator()
    clock = time.perf_counter
    spent = dict.fromkeys((*PHASES, "decode", "evaluate again"), 0.0)
    requests = []
    for number, line in enumerate(lines, 1):
        start = clock()
        read = sim.read(line, "batch", number)
        if not isinstance(read, Read):
            raise SystemExit(f"line {number} cannot be read: {read}")
        raw, known, learn, loaded = read.raw, read.known, read.learn, read.loaded
        read_at = clock()
        request = sim.request(raw, "batch", number, known, learn, loaded=loaded)
        if learn:
            sim._raw.learn(line, learn)
        built = clock()
        evaluation = evaluate(request, sim.memo)
        decided = clock()
        orjson.dumps(
            {"id": raw.get("id"), "outcome": evaluation.outcome.value, "reason": evaluation.reason.value}
        )
        written = clock()
        spent["read"] += read_at - start
        spent["request"] += built - read_at
        spent["evaluate"] += decided - built
        spent["write"] += written - decided
        requests.append(request)
    start = clock()
    for line in lines:
        orjson.loads(line)
    spent["decode"] = clock() - start
    start = clock()
    for request in requests:
        evaluate(request, sim.memo)
    spent["evaluate again"] = clock() - start
    return spent


def start_up() -> float:
    """The median wall time of ``python -m secretslab simulate`` on a one-line batch, 5 runs."""
    with tempfile.TemporaryDirectory() as folder:
        empty = Path(folder) / "one.jsonl"
        empty.write_bytes(b"\n")
        times = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "secretslab", "simulate", str(empty)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    """Print the time of each phase per line, the median of ``--repeat`` passes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--batch", choices=("shared", "unique", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print(f"start-up (python -m secretslab simulate, one line): {start_up() * 1000:.0f} ms")
    gc.disable()
    for name in ("shared", "unique") if args.batch == "both" else (args.batch,):
        path = BATCHES[name]
        if not path.exists():
            print(f"{path} is missing: run benchmarks/bench_simulate.py first", file=sys.stderr)
            return 1
        with path.open("rb") as stream:
            lines = [line for _, line in zip(range(args.lines), stream, strict=False) if line.strip()]
        runs = [phases(lines) for _ in range(args.repeat)]
        per_line = {k: statistics.median(r[k] for r in runs) / len(lines) * 1e6 for k in runs[0]}
        total = sum(per_line[k] for k in PHASES)
        print(f"{name} ({len(lines):,} lines, median of {args.repeat}), microseconds per line:")
        for key in PHASES:
            print(f"  {key:<15}{per_line[key]:8.1f}  ({per_line[key] / total:4.0%})")
        print(f"  {'sum':<15}{total:8.1f}  = {1e6 / total:,.0f} lines/s before start-up")
        print(
            f"  references: decode {per_line['decode']:.1f}, evaluate again {per_line['evaluate again']:.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
