"""Time parsing and validating policies (issue #12, item 1): ``read_policy`` on every policy
document of the first ``--lines`` requests of a batch, with the kind the batch reads it as, in one
process. Prints the statements read, the total time and the time per statement (median and best
of ``--repeat`` passes; each pass is a fresh process, so every cache of the parser starts empty
and warms up over the batch as it does in ``simulate``).

    python benchmarks/bench_parse.py [--lines 1000] [--repeat 5] [--batch unique|shared|both] [--loaded]
    python benchmarks/bench_parse.py --profile     # cProfile of one pass, by internal time

The documents are decoded (by orjson, as ``simulate`` decodes them) before the clock starts: the
time is ``read_policy`` alone (size and character checks, the statement walk, every lint check,
the compiled model). ``--loaded`` reads them with ``read_loaded_policy`` instead, the door for
documents orjson decoded, which spares the proof that a document is plain JSON.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from secretslab.evaluation.memo import fewer_collections
from secretslab.policy.model import PolicyKind
from secretslab.policy.parsing import read_loaded_policy, read_policy
from secretslab.services import rules_for

HERE = Path(__file__).resolve().parent
BATCHES = {"unique": HERE / "requests-unique.jsonl", "shared": HERE / "requests.jsonl"}


def documents(path: Path, lines: int) -> list[tuple[Any, PolicyKind]]:
    """Every policy document of the first ``lines`` requests, with the kind the batch reads it as."""
    out: list[tuple[Any, PolicyKind]] = []
    with path.open("rb") as stream:
        for number, line in enumerate(stream):
            if number >= lines:
                break
            raw = orjson.loads(line)
            out.extend((doc, PolicyKind.IDENTITY) for doc in raw.get("identity_policies") or ())
            for name, kind in (
                ("permissions_boundary", PolicyKind.BOUNDARY),
                ("session_policy", PolicyKind.SESSION),
            ):
                if raw.get(name) is not None:
                    out.append((raw[name], kind))
            if raw.get("resource_policy") is not None:
                rules = rules_for(raw["action"], raw["resource"])
                out.append(
                    (raw["resource_policy"], rules.resource_policy_kind if rules else PolicyKind.RESOURCE)
                )
            for name, kind in (("scps", PolicyKind.SCP), ("rcps", PolicyKind.RCP)):
                for level in raw.get(name) or ():
                    out.extend((doc, kind) for doc in level)
    return out


def one_pass(docs: list[tuple[Any, PolicyKind]], read: Any = read_policy) -> tuple[int, float]:
    """The statements read and the CPU seconds taken by one pass over ``docs``, with the garbage
    collector tuned as ``simulate`` tunes it."""
    gc.collect()
    statements = 0
    with fewer_collections():
        start = time.process_time()
        for doc, kind in docs:
            statements += len(read(doc, kind).statements)
        seconds = time.process_time() - start
    return statements, seconds


def measure(name: str, lines: int, loaded: bool = False) -> tuple[int, int, float]:
    """One pass in a fresh process: (documents, statements, seconds)."""
    command = [sys.executable, __file__, "--lines", str(lines), "--batch", name, "--one-pass"]
    command += ["--loaded"] if loaded else []
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout.split()
    return int(out[0]), int(out[1]), float(out[2])


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batch", choices=("unique", "shared", "both"), default="unique")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one pass")
    parser.add_argument(
        "--loaded", action="store_true", help="read with read_loaded_policy (documents orjson decoded)"
    )
    parser.add_argument("--one-pass", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    names = ("unique", "shared") if args.batch == "both" else (args.batch,)
    read = read_loaded_policy if args.loaded else read_policy
    for name in names:
        path = BATCHES[name]
        if not path.exists():
            print(f"{path} is missing: run benchmarks/generate_requests.py first", file=sys.stderr)
            return 1
        if args.one_pass or args.profile:
            docs = documents(path, args.lines)
            if args.profile:
                profile = cProfile.Profile()
                with fewer_collections():
                    profile.enable()
                    for doc, kind in docs:
                        read(doc, kind)
                    profile.disable()
                pstats.Stats(profile).sort_stats("tottime").print_stats(35)
            else:
                statements, seconds = one_pass(docs, read)
                print(len(docs), statements, seconds)
            continue
        runs = [measure(name, args.lines, args.loaded) for _ in range(args.repeat)]
        count, statements = runs[0][0], runs[0][1]
        times = sorted(r[2] for r in runs)
        median = statistics.median(times)
        label = f"{name} (loaded)" if args.loaded else name
        print(
            f"{label}: {count:,} documents, {statements:,} statements; total {median * 1000:.1f} ms "
            f"median of {args.repeat} (best {times[0] * 1000:.1f} ms); "
            f"{median / statements * 1e6:.2f} us/statement (best {times[0] / statements * 1e6:.2f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
