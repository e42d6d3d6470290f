"""Count the CPU instructions ``python -m secretslab simulate`` spends per batch line (issue #12,
item 1), and what the throughput targets leave per line on this machine.

Wall time on a shared machine drifts by 2x from hour to hour; an instruction count does not (the
same binary, input and environment give the same count, whatever else runs). For each batch this
counts, under ``valgrind --tool=callgrind``, the whole ``simulate`` process on the first lines of
the batch, less the same process on an empty batch (the start-up), divided by the lines. It then
times the same command natively (best of ``--repeat``, pinned to one core when ``taskset``
works) to learn how many instructions per second this machine runs this code at, and turns each
target (requests per second, whole process, 10,000 lines as in ``bench_simulate.py``) into a
budget of instructions per line, start-up paid once per process.

``--against REV`` counts the same for another commit of this repository (extracted with ``git
archive`` into a temporary folder and put first on ``PYTHONPATH``), for a before/after pair.

    python benchmarks/bench_instructions.py [--fresh-lines 600] [--shared-lines 3000] [--against REV]

Needs valgrind (Debian's ``valgrind``); about a minute per batch and commit.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:  # also importable when not run as a script
    sys.path.insert(0, str(HERE))

from bench_simulate import pin_to_one_core  # noqa: E402

BATCHES = {"fresh": HERE / "requests-unique.jsonl", "shared": HERE / "requests.jsonl"}
TARGETS = {"fresh": 5_000, "shared": 25_000}  # requests per second, issue #12 item 1
BATCH_LINES = 10_000  # the batch the targets are for (bench_simulate.py's)
_COLLECTED = re.compile(rb"Collected : ([0-9]+)")  # callgrind's summary line (our own tool's output)


class BenchmarkError(Exception):
    """A tool is missing or a run failed."""


@dataclass(frozen=True)
class Count:
    label: str
    lines: int
    per_line: int  # instructions per line, start-up excluded
    start_up: int  # instructions of the process on an empty batch
    rate: float  # instructions per second of the counted command, run natively

    def budget(self, target: int) -> int:
        """Instructions per line a ``target`` requests/s leaves over a 10,000-line batch."""
        whole = self.rate * BATCH_LINES / target
        return int((whole - self.start_up) / BATCH_LINES)


def simulate_command(batch: Path) -> list[str]:
    return [sys.executable, "-m", "secretslab", "simulate", str(batch)]


def instructions(command: Sequence[str], env: dict[str, str]) -> int:
    """The instructions callgrind counts for ``command`` (its output is dropped)."""
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        env=env,
        cwd=Path(command[-1]).parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    found = _COLLECTED.search(run.stderr)
    if run.returncode != 0 or found is None:
        tail = run.stderr.decode(errors="replace")[-400:]
        raise BenchmarkError(f"callgrind run failed ({run.returncode}): {tail}")
    return int(found.group(1))


def seconds(command: Sequence[str], env: dict[str, str], repeat: int) -> float:
    """The best wall time of ``command`` over ``repeat`` native runs, on one core."""
    pinned = [*pin_to_one_core(), *command]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(pinned, env=env, cwd=Path(command[-1]).parent, stdout=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def count(label: str, batch: Path, empty: Path, env: dict[str, str], repeat: int) -> Count:
    lines = sum(1 for line in batch.read_bytes().splitlines() if line.strip())
    whole = instructions(simulate_command(batch), env)
    start_up = instructions(simulate_command(empty), env)
    rate = whole / seconds(simulate_command(batch), env, repeat)
    return Count(label, lines, (whole - start_up) // lines, start_up, rate)


def head(source: Path, lines: int, into: Path) -> Path:
    """The first ``lines`` lines of ``source``, written to ``into``."""
    if not source.exists():
        raise BenchmarkError(f"{source} is missing: run benchmarks/bench_simulate.py once to generate it")
    taken = []
    with source.open("rb") as stream:
        for line in stream:
            taken.append(line)
            if len(taken) >= lines:
                break
    into.write_bytes(b"".join(taken))
    return into


def checkout(rev: str, into: Path) -> Path:
    """The package of commit ``rev`` extracted into ``into`` (nothing of the work tree changes)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", rev, "secretslab"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise BenchmarkError(f"git archive {rev} failed: {archive.stderr.decode(errors='replace').strip()}")
    tar = into / "package.tar"
    tar.write_bytes(archive.stdout)
    with tarfile.open(tar) as unpacked:
        unpacked.extractall(into, filter="data")
    return into


def environment(pythonpath: Path, cwd: Path) -> dict[str, str]:
    """The environment that runs the package found in ``pythonpath`` (checked), from ``cwd``
    (``python -m`` puts its working folder first on the path)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath), env.get("PYTHONPATH")]))
    probe = subprocess.run(
        [sys.executable, "-c", "import secretslab; print(secretslab.__file__)"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    if not Path(probe.stdout.strip()).is_relative_to(pythonpath):
        raise BenchmarkError(f"PYTHONPATH did not take: secretslab came from {probe.stdout.strip()}")
    return env


def report(counts: Sequence[Count], batch: str) -> None:
    target = TARGETS[batch]
    for c in counts:
        budget = c.budget(target)
        print(
            f"  {c.label:<10} {c.per_line / 1e6:7.3f} M instructions/line over {c.lines:,} lines; "
            f"start-up {c.start_up / 1e6:,.0f} M; rate {c.rate / 1e9:.2f} G/s; "
            f"{target:,} req/s leaves {budget / 1e6:.3f} M/line ({c.per_line / budget:.2f}x over)"
        )
    if len(counts) == 2:
        print(f"  ratio {counts[0].label}/{counts[1].label}: {counts[0].per_line / counts[1].per_line:.3f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fresh-lines", type=int, default=600, help="lines of the fresh-policy batch")
    parser.add_argument("--shared-lines", type=int, default=3000, help="lines of the shared-policy batch")
    parser.add_argument("--against", metavar="REV", help="also count this commit, for a before/after pair")
    parser.add_argument("--repeat", type=int, default=3, help="native runs timed for the rate")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            empty = work / "empty.jsonl"
            empty.write_bytes(b"")
            envs = [("this tree", environment(ROOT, work))]
            if args.against:
                against = (work / "against").resolve()
                against.mkdir()
                envs.append((args.against[:10], environment(checkout(args.against, against), work)))
            for batch, lines in (("fresh", args.fresh_lines), ("shared", args.shared_lines)):
                subset = head(BATCHES[batch], lines, work / f"{batch}.jsonl")
                print(f"{batch} batch ({BATCHES[batch].name}, first {lines:,} lines):", flush=True)
                report([count(label, subset, empty, env, args.repeat) for label, env in envs], batch)
    except (BenchmarkError, subprocess.CalledProcessError, OSError) as exc:
        print(f"bench_instructions: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
