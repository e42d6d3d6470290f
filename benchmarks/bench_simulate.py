"""Time ``python -m secretslab simulate`` on a generated batch, as a whole process.

For each pass (shared policies, then ``--unique-policies``) this generates the request file if
it is missing, runs the CLI once with its output kept in ``benchmarks/results*.jsonl`` and
checks that output (one line per request, in order, no errors), then times ``--repeat`` runs
with the output sent to /dev/null, pinned to one core with ``taskset -c 0`` when available, and
prints the best. Finally it checks that both passes reached the same decisions, since the
unique-policy batch differs from the shared one only in ways that cannot change a decision.

Run from the repository root::

    python benchmarks/bench_simulate.py [--repeat 3] [--count 10000] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:  # also importable when not run as a script
    sys.path.insert(0, str(HERE))

from generate_requests import write_requests  # noqa: E402

OUTCOMES = ("allow", "explicit_deny", "implicit_deny")


class BenchmarkError(Exception):
    """The CLI failed or its output does not answer the batch."""


@dataclass(frozen=True)
class Pass:
    label: str
    requests: Path
    results: Path
    unique: bool


PASSES = (
    Pass("shared policies", HERE / "requests.jsonl", HERE / "results.jsonl", unique=False),
    Pass(
        "unique policies",
        HERE / "requests-unique.jsonl",
        HERE / "results-unique.jsonl",
        unique=True,
    ),
)


def pin_to_one_core() -> list[str]:
    """``taskset -c 0`` when it exists and works here, else nothing."""
    taskset = shutil.which("taskset")
    if taskset is None:
        return []
    probe = subprocess.run([taskset, "-c", "0", "true"], capture_output=True, check=False)
    return [taskset, "-c", "0"] if probe.returncode == 0 else []


def ensure_requests(bench: Pass, count: int, seed: int, regenerate: bool) -> None:
    if regenerate or not bench.requests.exists():
        summary = write_requests(bench.requests, count, seed, bench.unique)
        print(f"generated: {summary.line(display(bench.requests))}")


def display(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def read_ids(requests: Path) -> list[str]:
    with requests.open(encoding="utf-8") as f:
        return [str(json.loads(line)["id"]) for line in f if line.strip()]


def run_cli(command: list[str], stdout: int | IO[Any]) -> float:
    """Run the CLI once from the repository root; wall-clock seconds."""
    start = time.perf_counter()
    proc = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        stderr = proc.stderr.decode(errors="replace")[-3000:]
        raise BenchmarkError(f"{' '.join(command)} exited with {proc.returncode}:\n{stderr}")
    if proc.stderr:
        lines = proc.stderr.decode(errors="replace").splitlines()
        print(f"  note: the CLI wrote {len(lines)} line(s) to stderr, first: {lines[0][:200]}")
    return elapsed


def parse_result(line: str, where: str) -> dict[str, Any]:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BenchmarkError(f"{where}: not JSON ({exc}): {line[:200]!r}") from exc
    if not isinstance(row, dict):
        raise BenchmarkError(f"{where}: not a JSON object: {line[:200]!r}")
    return row


def check_results(results: Path, ids: Sequence[str]) -> list[str]:
    """The outcome of each request, in order; raises unless every request has one."""
    outcomes: list[str] = []
    errors: list[str] = []
    with results.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            row = parse_result(line, f"{display(results)}:{n}")
            expected = ids[n - 1] if n <= len(ids) else None
            if row.get("id") != expected:
                raise BenchmarkError(
                    f"{display(results)}:{n}: id {row.get('id')!r}, "
                    f"expected {expected!r} (output out of order or extra)"
                )
            if "error" in row:
                errors.append(f"{row['id']}: {row['error']}")
            elif row.get("outcome") in OUTCOMES:
                outcomes.append(row["outcome"])
            else:
                raise BenchmarkError(f"{display(results)}:{n}: no valid outcome: {line[:200]!r}")
    if errors:
        shown = "\n  ".join(errors[:5])
        raise BenchmarkError(f"{len(errors)} of {len(ids)} requests answered with an error:\n  {shown}")
    if len(outcomes) != len(ids):
        raise BenchmarkError(f"{len(outcomes)} output lines for {len(ids)} requests")
    return outcomes


def shares(outcomes: Sequence[str]) -> str:
    counts = Counter(outcomes)
    total = max(len(outcomes), 1)
    return ", ".join(f"{o} {100 * counts[o] / total:.1f}%" for o in OUTCOMES)


def run_pass(bench: Pass, python: str, pin: list[str], repeat: int) -> list[str]:
    """Check the output once, then time ``repeat`` runs; the outcomes, in request order."""
    command = [*pin, python, "-m", "secretslab", "simulate", str(bench.requests)]
    ids = read_ids(bench.requests)
    with bench.results.open("wb") as out:
        run_cli(command, out)
    outcomes = check_results(bench.results, ids)
    best = min(run_cli(command, subprocess.DEVNULL) for _ in range(repeat))
    cores = "one core" if pin else "not pinned"
    print(
        f"{bench.label}: {len(ids)} requests in {best:.2f} s = {len(ids) / best:,.0f} "
        f"requests/s (best of {repeat}, {cores})"
    )
    print(f"  outcomes: {shares(outcomes)}")
    return outcomes


def compare_passes(shared: Sequence[str], unique: Sequence[str]) -> None:
    if len(shared) != len(unique):
        print("  (batches of different sizes: decisions not compared; use --regenerate)")
        return
    differ = [i for i, (a, b) in enumerate(zip(shared, unique, strict=True)) if a != b]
    if differ:
        first = ", ".join(f"line {i + 1}: {shared[i]} vs {unique[i]}" for i in differ[:5])
        raise BenchmarkError(
            f"{len(differ)} decisions differ between the shared and the "
            f"unique-policy batch (they must not): {first}"
        )
    print("  decisions identical in both passes")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per pass (default 3)")
    parser.add_argument(
        "--count", type=int, default=10_000, help="requests when generating a batch (default 10000)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed when generating (default 1)")
    parser.add_argument("--regenerate", action="store_true", help="regenerate the batches even if they exist")
    parser.add_argument("--skip-unique", action="store_true", help="time the shared-policy batch only")
    parser.add_argument(
        "--python", default=sys.executable, help="interpreter that runs the CLI (default: this one)"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def compile_bytecode(python: str) -> None:
    """Byte-compile the package first, as ``pip install`` does, so that no run pays for it
    (this machine sets PYTHONDONTWRITEBYTECODE, so an editable checkout has no .pyc files)."""
    subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "secretslab")], check=True)


HEAVY = ("matplotlib", "ipywidgets", "IPython", "boto3", "botocore")


def time_import(python: str, pin: list[str], repeat: int) -> None:
    """``import secretslab``: wall time above a bare interpreter, and no heavy module loaded."""
    probe = "import sys, secretslab; print(' '.join(sys.modules))"
    loaded = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True).stdout
    heavy = sorted({m.split(".")[0] for m in loaded.split()} & set(HEAVY))
    if heavy:
        raise BenchmarkError(f"import secretslab loads {', '.join(heavy)}")

    def best(code: str) -> float:
        runs = []
        for _ in range(max(repeat, 5)):
            start = time.perf_counter()
            subprocess.run([*pin, python, "-c", code], check=True)
            runs.append(time.perf_counter() - start)
        return min(runs)

    bare, full = best("pass"), best("import secretslab")
    used = best("import secretslab as sl; sl.World; sl.authorize; sl.parse_policy")
    print(
        f"import secretslab: {1000 * (full - bare):.0f} ms above a bare interpreter "
        f"({1000 * (used - bare):.0f} ms with World, authorize and parse_policy loaded); "
        f"no {', '.join(HEAVY)}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    pin = pin_to_one_core()
    compile_bytecode(args.python)
    pinned = f" (pinned: {' '.join([Path(pin[0]).name, *pin[1:]])})" if pin else ""
    print(f"timing: {args.python} -m secretslab simulate FILE > /dev/null{pinned}")
    passes = PASSES[:1] if args.skip_unique else PASSES
    decisions = []
    try:
        time_import(args.python, pin, args.repeat)
        for bench in passes:
            ensure_requests(bench, args.count, args.seed, args.regenerate)
            decisions.append(run_pass(bench, args.python, pin, args.repeat))
        if len(decisions) == 2:
            compare_passes(*decisions)
    except BenchmarkError as exc:
        print(f"BENCHMARK FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
