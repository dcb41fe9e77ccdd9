"""The timed object store (ecabinet.core.storage_timed): each operation observed, the
store's own failures counted, and the store's behaviour unchanged."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ecabinet.core import errors, metrics
from ecabinet.core.storage import open_store, unavailable
from ecabinet.core.storage_timed import TimedStore, timed
from tests.conftest import make_settings


def _count(operation: str) -> float:
    for family in metrics.STORE_LATENCY.collect():
        for sample in family.samples:
            if sample.name.endswith("_count") and sample.labels["operation"] == operation:
                return sample.value
    return 0.0


def test_operations_are_timed_and_failures_counted(tmp_path: Path) -> None:
    inner = open_store(make_settings(tmp_path, f"sqlite:///{tmp_path / 'x.db'}"))
    store = timed(inner)
    assert timed(store) is store
    puts, reads = _count("put"), _count("read")
    info = store.put_bytes(b"hello")
    assert store.read_bytes(info.sha256) == b"hello"

    async def streamed() -> bytes:
        return b"".join([chunk async for chunk in store.stream(info.sha256)])

    assert asyncio.run(streamed()) == b"hello"
    with pytest.raises(errors.NotFound):
        store.read_bytes("0" * 64)  # the caller's problem: timed, not a store error
    assert (_count("put"), _count("read")) == (puts + 1, reads + 3)

    class Broken:
        def put_bytes(self, _data: bytes) -> object:
            raise unavailable()

    broken = TimedStore(Broken())  # type: ignore[arg-type]
    failures = metrics.STORE_ERRORS.labels("put")
    before = failures._value.get()
    with pytest.raises(errors.Unavailable):
        broken.put_bytes(b"x")
    assert failures._value.get() == before + 1
