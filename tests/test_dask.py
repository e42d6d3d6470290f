"""The access matrix and the batch on a real Dask cluster (issue #12 item 3): a ``LocalCluster``
of two worker processes, one thread each, and its ``Client``. Marked ``dask``: run it alone with
``pytest -m dask`` (about 15 s on a quiet machine, most of it starting the cluster).
``distributed`` comes with the ``test`` extra."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from typing import Any

import pytest

import secretslab as sl
from secretslab import batch, sharding

from .conftest import ROOT
from .test_sharding import _batch

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate_org import generate

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.dask


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            worker_dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_matrix_on_a_dask_cluster_is_the_serial_matrix_with_the_world_shipped_once_per_worker(
    client: Any,
) -> None:
    data = generate(30, 12, 3)
    world = sl.World.from_dict(data)
    serial = sl.access_matrix(world, workers=1)
    seen: list[int] = []
    found = sl.access_matrix(world, executor=client.get_executor(), progress=lambda d, t: seen.append(d))
    assert found.rows() == serial.rows()
    assert seen[-1] == len(serial.principals)
    token = "world:" + sharding.digest(world.to_dict())
    loaded = client.run(sharding.loads, token)
    assert len(loaded) == 2 and set(loaded.values()) == {1}  # each worker loaded it once
    # again, with the Client itself and another world of the same content: never loaded again
    again = sl.access_matrix(sl.World.from_dict(data), executor=client)
    assert again.rows() == serial.rows()
    assert set(client.run(sharding.loads, token).values()) == {1}


def test_batch_on_a_dask_cluster_writes_the_serial_output_byte_for_byte(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _batch()
    expected, got = io.BytesIO(), io.BytesIO()
    counts = batch.simulate(io.BytesIO(data), expected, "b.jsonl")
    monkeypatch.setattr(batch, "BLOCK_LINES", 9)
    assert batch.simulate(io.BytesIO(data), got, "b.jsonl", executor=client.get_executor()) == counts
    assert got.getvalue() == expected.getvalue()
