"""Time a read-only import of the embedded AWS stand-in (issue #5: "note how long an import of the
stand-in takes and how many API calls it makes").

The stand-in is started and seeded once (``seed_demo``: management, prod and apps accounts); then
the management account's credentials import all three accounts, assuming
OrganizationAccountAccessRole into prod and apps, as ``secretslab import --role-arn`` does. Each
run uses a fresh boto3 session (cold: botocore loads its service models) and the same session
again (warm). Loopback only; no credentials other than the stand-in's dummy keys.

    python benchmarks/bench_import.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter

from secretslab.aws import READ_OPERATIONS, StandIn, seed_demo, snapshot
from secretslab.aws.standin import ACCESS_ROLE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with StandIn() as standin:
        started = time.perf_counter()
        demo = seed_demo(standin)
        seeded = time.perf_counter() - started
        roles = [f"arn:aws:iam::{demo['accounts'][n]}:role/{ACCESS_ROLE}" for n in ("prod", "apps")]

        def run(session: object) -> tuple[float, list[str]]:
            started = time.perf_counter()
            snap = snapshot(
                sessions=[session], session=session, role_arns=roles, endpoint_url=standin.endpoint_url
            )
            return time.perf_counter() - started, list(snap.operations)

        cold, warm = [], []
        operations: list[str] = []
        for _ in range(args.repeat):
            session = standin.session()
            seconds, operations = run(session)
            cold.append(seconds)
            warm.append(run(session)[0])
    print(f"stand-in seeded in {seeded:.2f} s")
    outside = sorted(set(operations) - READ_OPERATIONS)
    reads = "all on the read-only allow-list" if not outside else f"NOT on the allow-list: {outside}"
    print(f"import of 3 accounts, 1 Region: {len(operations)} API calls, {reads}")
    print(f"  fresh boto3 session: median {statistics.median(cold):.2f} s over {args.repeat} runs")
    print(f"  warm session:        median {statistics.median(warm):.2f} s over {args.repeat} runs")
    for operation, count in sorted(Counter(operations).items(), key=lambda item: (-item[1], item[0])):
        print(f"  {count:3} {operation}")


if __name__ == "__main__":
    main()
