"""The access matrix and the batch on any ``concurrent.futures.Executor`` (issue #12 item 3):
the same answers as in one process, in order, the shared world loaded once per worker process
(``secretslab.sharding``). The Dask cluster test is tests/test_dask.py."""

from __future__ import annotations

import io
import json
import pickle
import sys
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import secretslab as sl
from secretslab import batch, sharding
from secretslab.analysis import matrix as matrix_module

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate_org import generate

GET = "secretsmanager:GetSecretValue"
USER = "arn:aws:iam::111111111111:user/alice"
SECRET = "arn:aws:secretsmanager:us-east-1:111111111111:secret:app/db-AbCdEf"
ALLOW_GET = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": GET, "Resource": "*"}]}


class PicklingExecutor(Executor):
    """An executor that runs each task here, at once, but only after pickling and unpickling it,
    as a remote worker would receive it: a worker process of its own, in effect, whose keeping
    (``sharding._kept``) a test can empty to stand for a restarted worker."""

    def __init__(self) -> None:
        self.sent: list[int] = []  # the pickled size of every task

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        data = pickle.dumps((fn, args, kwargs))
        self.sent.append(len(data))
        fn, args, kwargs = pickle.loads(data)
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


def _add(offset: int, scale: int, item: int) -> int:
    return offset + scale * item


def _fail_on_three(item: int) -> int:
    if item == 3:
        raise ValueError("three")
    return item


@pytest.fixture(scope="module")
def org() -> sl.World:
    return sl.World.from_dict(generate(30, 12, 3))


@pytest.fixture(scope="module")
def serial(org: sl.World) -> sl.AccessMatrix:
    return sl.access_matrix(org, workers=1)


@pytest.fixture(scope="module")
def processes() -> Iterator[ProcessPoolExecutor]:
    with ProcessPoolExecutor(2) as pool:
        yield pool


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[sharding.ShardMap[Any]]:
    """Every ``ShardMap`` the matrix and the batch start, to read its ``stats``."""
    runs: list[sharding.ShardMap[Any]] = []
    real = sharding.shard_map

    def spy(*args: Any, **kwargs: Any) -> sharding.ShardMap[Any]:
        runs.append(real(*args, **kwargs))
        return runs[-1]

    monkeypatch.setattr(sharding, "shard_map", spy)
    return runs


# -- the machinery


def test_results_come_in_item_order_whatever_order_tasks_finish() -> None:
    shared = [sharding.Shared(f"t:{uuid.uuid4()}", 10), sharding.Shared(f"t:{uuid.uuid4()}", 3)]
    with ThreadPoolExecutor(4) as pool:
        assert list(sharding.shard_map(pool, _add, shared, range(50), window=3)) == [
            10 + 3 * i for i in range(50)
        ]


def test_a_shared_value_is_pickled_once_and_sent_again_only_to_a_worker_that_lacks_it() -> None:
    big = sharding.Shared(f"t:{uuid.uuid4()}", list(range(50_000)))
    small = sharding.Shared(f"t:{uuid.uuid4()}", 2)
    pool = PicklingExecutor()
    run = sharding.shard_map(pool, _add, [small, big], range(10))
    with pytest.raises(TypeError):  # a list is not an int: the values reach fn in order
        list(run)
    run = sharding.shard_map(pool, _add, [small, sharding.Shared(f"t:{uuid.uuid4()}", 5)], range(10))
    assert list(run) == [2 + 5 * i for i in range(10)]
    # the first task carried the values (the executor does not say how many workers it has: one)
    assert run.stats.shipped == 2 and run.stats.misses == 0 and run.stats.tasks == 10
    assert list(run.stats.loads.values()) == [1]
    assert max(pool.sent[-9:]) < 1000  # the other tasks carried the tokens only

    # the same values again: the executor was sent them, so no task carries them...
    again = sharding.shard_map(pool, _add, [small, sharding.Shared(run_token := f"t:{uuid.uuid4()}", 5)], [1])
    assert list(again) == [7] and again.stats.shipped == 2  # (a new token: sent ahead)
    sharding._kept.clear()  # ...until the worker restarts and has lost them: it says so
    again = sharding.shard_map(pool, _add, [small, sharding.Shared(run_token, 5)], [1, 2])
    assert list(again) == [7, 12]
    # each task already in flight says so (at most a window of them), and goes again with both
    assert again.stats.misses == 2 and again.stats.shipped == 2 * 2
    assert sharding.loads(small.token) == 2  # loaded once before the restart, once after


class InlineExecutor(Executor):
    """An executor that runs each task here and at once, its arguments as they are (no pickling):
    neither a thread pool nor a remote worker."""

    def __init__(self) -> None:
        self.submitted = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted += 1
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def test_an_executor_running_tasks_in_this_process_gets_each_task_once() -> None:
    """The first task hands the values over unpickled; the tasks after it carry the tokens alone
    and find the values kept (they used to say "missing" and go a second time, every one)."""
    pool = InlineExecutor()
    shared = [sharding.Shared(f"t:{uuid.uuid4()}", 10), sharding.Shared(f"t:{uuid.uuid4()}", 3)]
    run = sharding.shard_map(pool, _add, shared, range(20))
    assert list(run) == [10 + 3 * i for i in range(20)]
    assert pool.submitted == 20 and run.stats.misses == 0 and run.stats.tasks == 20
    assert all(sharding.loads(s.token) == 0 for s in shared)  # never pickled


class _World(list[int]):
    """A shared value that can be weakly referenced (stands in for a world)."""


def _size_plus(world: list[int], item: int) -> int:
    return len(world) + item


def test_a_value_shared_with_tasks_run_in_this_process_is_let_go_with_the_run() -> None:
    """This process keeps what its tasks were handed only while the run lasts: the caller's world
    is not held after it (nor after the executor), and a later run hands it over again."""
    import gc
    import weakref

    pool = InlineExecutor()
    world = _World(range(1000))
    alive = weakref.ref(world)
    token = f"world:{uuid.uuid4()}"
    run = sharding.shard_map(pool, _size_plus, [sharding.Shared(token, world)], [1, 2])
    assert list(run) == [1001, 1002]
    assert token not in sharding._kept
    again = sharding.shard_map(pool, _size_plus, [sharding.Shared(token, world)], [3])
    assert list(again) == [1003] and again.stats.misses == 0 and again.stats.shipped == 1
    del world, run, again, pool
    gc.collect()
    assert alive() is None


def test_an_error_in_a_task_is_raised_to_the_caller_and_the_rest_is_cancelled() -> None:
    with ThreadPoolExecutor(2) as pool, pytest.raises(ValueError, match="three"):
        list(sharding.shard_map(pool, _fail_on_three, (), range(100), window=2))


def test_overlapping_runs_on_threads_restore_the_collector_thresholds() -> None:
    """Workers of a thread pool each run under ``fewer_collections``, entering and leaving in any
    order: the thresholds are those from before once the last one leaves."""
    import gc
    import threading

    from secretslab.evaluation.memo import fewer_collections

    before = gc.get_threshold()
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def a() -> None:
        with fewer_collections():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def b() -> None:
        a_in.wait(5)
        with fewer_collections():
            b_in.set()
            a_out.wait(5)
            assert gc.get_threshold() != before  # still lowered while b runs

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert gc.get_threshold() == before


def test_an_executor_is_required() -> None:
    with pytest.raises(TypeError, match=r"concurrent\.futures\.Executor"):
        sharding.shard_map(object(), _add, (), [1])  # type: ignore[arg-type]


def test_the_token_of_a_world_is_its_content() -> None:
    one, two = (sl.World.from_dict(generate(20, 6, seed)) for seed in (1, 1))
    assert sharding.digest(one.to_dict()) == sharding.digest(two.to_dict())
    assert sharding.digest(one.to_dict()) != sharding.digest(sl.World.from_dict(generate(20, 6, 2)).to_dict())
    assert sharding.digest({"id": 1 << 70}) != sharding.digest({"id": (1 << 70) + 1})  # beyond orjson


# -- the matrix


def test_matrix_on_a_thread_pool_is_the_serial_matrix(org: sl.World, serial: sl.AccessMatrix) -> None:
    seen: list[tuple[int, int]] = []
    with ThreadPoolExecutor(3) as pool:
        found = sl.access_matrix(org, executor=pool, progress=lambda d, t: seen.append((d, t)))
    assert found == serial and found.rows() == serial.rows()
    n = len(serial.principals)
    assert seen[-1] == (n, n) and [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_matrix_on_a_process_pool_is_the_serial_matrix_with_the_world_loaded_once_per_process(
    org: sl.World, serial: sl.AccessMatrix, processes: ProcessPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = _spy(monkeypatch)
    assert sl.access_matrix(org, executor=processes).rows() == serial.rows()
    stats = runs[-1].stats
    assert 1 <= len(stats.loads) <= 2 and set(stats.loads.values()) == {1}
    assert stats.tasks > 2 * len(stats.loads)  # several chunks each: shipped per worker, not per task
    assert stats.shipped == 2 * 2  # world and columns, ahead, to each of the two workers
    # the same world again (another object, the same content): nothing is shipped or loaded again
    again = sl.access_matrix(sl.World.from_dict(generate(30, 12, 3)), executor=processes)
    assert again.rows() == serial.rows()
    assert runs[-1].stats.shipped == 0 and set(runs[-1].stats.loads.values()) == {1}


def test_matrix_on_an_executor_names_unknown_principals_before_any_task(org: sl.World) -> None:
    pool = PicklingExecutor()
    with pytest.raises(sl.UnknownNameError):
        sl.access_matrix(org, principals=["arn:aws:iam::111111111111:user/nobody"], executor=pool)
    assert pool.sent == []


def test_matrix_tasks_are_chunks_of_principals(
    org: sl.World, serial: sl.AccessMatrix, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four chunks per worker (two when the executor does not say), of at most TASK_CELLS cells."""
    n = len(serial.principals)
    pool = PicklingExecutor()
    assert sl.access_matrix(org, executor=pool).rows() == serial.rows()
    assert len(pool.sent) == -(-n // -(-n // 8))
    monkeypatch.setattr(matrix_module, "TASK_CELLS", 2 * len(serial.resources) * len(serial.actions))
    pool = PicklingExecutor()
    assert sl.access_matrix(org, executor=pool).rows() == serial.rows()
    assert len(pool.sent) == -(-n // 2)


# -- the batch


def _line(ident: Any, **fields: Any) -> bytes:
    base = {"id": ident, "principal": USER, "action": GET, "resource": SECRET}
    return json.dumps({**base, **fields}).encode()


def _batch() -> bytes:
    """Lines of every kind: allowed, denied, errors of each sort, blanks, an id beyond 64 bits."""
    lines = []
    for i in range(120):
        kind = i % 8
        if kind == 0:
            lines.append(_line(i, identity_policies=[ALLOW_GET]))
        elif kind == 1:
            lines.append(_line(i))
        elif kind == 2:
            lines.append(b"{not json")
        elif kind == 3:
            lines.append(b"   ")
        elif kind == 4:
            lines.append(_line(i, action="secretsmanager:GetSecretVlue"))
        elif kind == 5:
            lines.append(_line((1 << 70) + i, identity_policies=[ALLOW_GET]))
        elif kind == 6:
            lines.append(b'{"id": "\\ud800", "principal": 1}')
        else:
            lines.append(_line(f"s{i}", identity_policies=[{"Statement": "nope"}]))
    lines.insert(50, b'{"id": 1, "x": "' + b"a" * (batch.MAX_LINE_BYTES + 10) + b'"}')
    return b"\n".join(lines) + b"\n\n"


def _simulated(data: bytes, executor: Executor | None) -> tuple[bytes, tuple[int, int]]:
    out = io.BytesIO()
    counts = batch.simulate(io.BytesIO(data), out, "b.jsonl", executor=executor)
    return out.getvalue(), counts


@pytest.mark.parametrize("kind", ["threads", "processes"])
def test_batch_on_an_executor_writes_the_serial_output_byte_for_byte(
    kind: str, processes: ProcessPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _batch()
    expected, counts = _simulated(data, None)
    assert counts[1] > 0 and b'"outcome":"allow"' in expected and b"b.jsonl:51" in expected
    monkeypatch.setattr(batch, "BLOCK_LINES", 7)  # many blocks, cut inside every kind of line
    runs = _spy(monkeypatch)
    if kind == "threads":
        with ThreadPoolExecutor(3) as pool:
            assert _simulated(data, pool) == (expected, counts)
    else:
        assert _simulated(data, processes) == (expected, counts)
    assert runs[-1].stats.tasks == -(-(data.count(b"\n") + 0) // 7)


def test_batch_blocks_end_at_a_size_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "BLOCK_BYTES", 1000)
    data = _batch()
    blocks = list(batch._blocks(io.BytesIO(data)))
    assert all(sum(len(line or b"") for line in lines[:-1]) < 1000 for _, lines in blocks)
    numbers = [first + i for first, lines in blocks for i in range(len(lines))]
    assert numbers == list(range(1, len(numbers) + 1))
    assert _simulated(data, PicklingExecutor()) == _simulated(data, None)


def test_an_empty_batch_on_an_executor_writes_nothing(tmp_path: Path) -> None:
    assert _simulated(b"", PicklingExecutor()) == (b"", (0, 0))
    assert _simulated(b"\n \n", PicklingExecutor()) == (b"", (0, 0))


# -- the command line: --jobs


def test_simulate_jobs_writes_the_output_of_one_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from secretslab.cli import EXIT_FAILED_LINES, main

    requests = tmp_path / "b.jsonl"
    requests.write_bytes(_batch())
    monkeypatch.setattr(batch, "BLOCK_LINES", 11)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert main(["simulate", str(requests), "-o", str(one)]) == EXIT_FAILED_LINES
    first = capsys.readouterr().err
    assert main(["simulate", str(requests), "-o", str(two), "--jobs", "2"]) == EXIT_FAILED_LINES
    assert capsys.readouterr().err == first  # "N of M lines had errors": the same counts
    assert two.read_bytes() == one.read_bytes()


@pytest.mark.parametrize("command", [["simulate"], ["matrix", "cross-account-assume-role"]])
def test_jobs_must_be_a_whole_number_of_at_least_one(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from secretslab.cli import EXIT_INPUT, main

    for bad, said in (("0", "at least 1"), ("two", "whole number")):
        with pytest.raises(SystemExit) as exit_:
            main([*command, "--jobs", bad])
        assert exit_.value.code == EXIT_INPUT
        err = capsys.readouterr().err
        assert said in err and "--jobs" in err and "Traceback" not in err


def test_matrix_jobs_gives_the_matrix_of_one_process(capsys: pytest.CaptureFixture[str]) -> None:
    from secretslab.cli import main

    scenario = str(ROOT / "data" / "cross-account-assume-role.json")
    assert main(["matrix", scenario, "--json", "--jobs", "1"]) == 0
    one = json.loads(capsys.readouterr().out)
    assert main(["matrix", scenario, "--json", "--jobs", "2"]) == 0
    assert json.loads(capsys.readouterr().out) == one and one["rows"]


@pytest.mark.parametrize("path", sorted((ROOT / "data").glob("*.json")), ids=lambda p: p.stem)
def test_every_bundled_world_pickles_for_a_process_pool(path: Path) -> None:
    # conditions compile to partials of module-level functions, not closures: a world of any
    # condition operator can be shipped to a worker process
    world = sl.load_scenario(path)
    again = pickle.loads(pickle.dumps(world))
    assert sl.access_matrix(again).answers == sl.access_matrix(world).answers


def test_matrix_with_every_condition_family_on_a_process_pool(processes: ProcessPoolExecutor) -> None:
    world = sl.load_scenario(ROOT / "data" / "organization-guardrails.json")
    assert sl.access_matrix(world, executor=processes).answers == sl.access_matrix(world).answers
