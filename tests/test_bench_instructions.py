"""The helpers of benchmarks/bench_instructions.py (issue #12): the budget a throughput target
leaves per line, the batch subsets, and running another commit's package. valgrind is not run
here (a count takes a minute); the script itself is the check of that part."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_instructions as bi


def test_a_target_leaves_the_instructions_of_a_second_less_the_start_up_shared_by_the_lines() -> None:
    # 6 G instructions/s and 5,000 req/s: 10,000 lines take 2 s, 12 G instructions, of which
    # the start-up takes 0.5 G: 1.15 M per line
    count = bi.Count("x", lines=600, per_line=3_000_000, start_up=500_000_000, rate=6e9)
    assert count.budget(5_000) == 1_150_000
    assert count.budget(25_000) == 190_000


def test_the_subset_of_a_batch_is_its_first_lines_whole(tmp_path: Path) -> None:
    source = tmp_path / "batch.jsonl"
    source.write_bytes(b'{"id":1}\n{"id":2}\n{"id":3}\n')
    assert bi.head(source, 2, tmp_path / "two.jsonl").read_bytes() == b'{"id":1}\n{"id":2}\n'
    with pytest.raises(bi.BenchmarkError, match="missing"):
        bi.head(tmp_path / "none.jsonl", 2, tmp_path / "out.jsonl")


def test_another_commit_runs_from_its_own_extracted_package(tmp_path: Path) -> None:
    into = tmp_path / "against"
    into.mkdir()
    package = bi.checkout("HEAD", into)
    assert (package / "secretslab" / "__init__.py").is_file()
    env = bi.environment(package, tmp_path)
    assert env["PYTHONPATH"].split(":")[0] == str(package)
    with pytest.raises(bi.BenchmarkError, match="git archive"):
        bi.checkout("no-such-revision", into)


def test_a_path_that_does_not_provide_the_package_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()  # secretslab is then found elsewhere (the installed one): not what was asked
    with pytest.raises(bi.BenchmarkError, match="did not take"):
        bi.environment(empty, tmp_path)
