"""One contract, two backends: the local folder and a real S3 server (SeaweedFS)."""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc
import urllib.request
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import anyio.to_thread
import pytest

from ecabinet.core import errors
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore, blob_key, open_store
from ecabinet.core.storage_local import LocalStore
from ecabinet.core.storage_s3 import S3Store
from tests.support.s3server import S3Server

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    env = {"ECABINET_DATA_DIR": str(tmp_path)}
    if request.param == "s3":
        server: S3Server = request.getfixturevalue("s3_server")
        env["ECABINET_STORAGE_URL"] = server.storage_url(f"t-{uuid.uuid4().hex[:12]}")
    return open_store(Settings.from_env(env))


async def chunks(data: bytes, size: int = 65_537) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


async def collect(it: AsyncIterator[bytes]) -> bytes:
    return b"".join([c async for c in it])


def leftovers(store: ObjectStore) -> list[str]:
    """Temporary files or objects a failed write may have left."""
    if isinstance(store, LocalStore):
        return [p.name for p in store.tmp.iterdir()]
    assert isinstance(store, S3Store)
    return [
        o.object_name or ""
        for o in store.client.list_objects(store.bucket, prefix="tmp/", recursive=True)
    ]


def corrupt(store: ObjectStore, sha: str, data: bytes) -> None:
    if isinstance(store, LocalStore):
        path = store.root / blob_key(sha)
        os.chmod(path, 0o600)
        path.write_bytes(data)
    else:
        assert isinstance(store, S3Store)
        store.client.put_object(store.bucket, blob_key(sha), io.BytesIO(data), len(data))


async def test_round_trip_and_dedup(store: ObjectStore) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    info = await store.put_stream(chunks(data))
    assert info.sha256 == hashlib.sha256(data).hexdigest() and info.size == len(data)
    assert await collect(store.stream(info.sha256)) == data
    assert store.read_bytes(info.sha256) == data
    again = store.put_bytes(data)
    assert again == info and list(store.iter_keys()) == [info.sha256]
    assert store.stat(info.sha256) == info
    assert leftovers(store) == []


async def test_empty_blob(store: ObjectStore) -> None:
    info = await store.put_stream(chunks(b""))
    assert info.size == 0 and info.sha256 == hashlib.sha256(b"").hexdigest()
    assert await collect(store.stream(info.sha256)) == b""
    assert store.read_bytes(info.sha256) == b""


async def test_range_reads(store: ObjectStore) -> None:
    data = bytes(range(256)) * 4000
    sha = store.put_bytes(data).sha256
    assert await collect(store.stream(sha, start=0, end=0)) == data[:1]
    assert await collect(store.stream(sha, start=1000, end=99_999)) == data[1000:100_000]
    assert await collect(store.stream(sha, start=len(data) - 5)) == data[-5:]
    assert await collect(store.stream(sha, start=10, end=10**9)) == data[10:]
    with pytest.raises(errors.InvalidInput) as info:
        await collect(store.stream(sha, start=len(data)))
    assert info.value.code == "storage.bad_range"


async def test_missing_and_bad_keys(store: ObjectStore) -> None:
    sha = "0" * 64
    assert store.stat(sha) is None
    with pytest.raises(errors.NotFound):
        await collect(store.stream(sha))
    with pytest.raises(errors.NotFound):
        store.read_bytes(sha)
    for bad in ("../../etc/passwd", "A" * 64, "0" * 63):
        with pytest.raises(errors.InvalidInput):
            store.stat(bad)


async def test_corruption_is_detected(store: ObjectStore) -> None:
    data = os.urandom(700_000)
    sha = store.put_bytes(data).sha256
    tampered = bytearray(data)
    tampered[500_000] ^= 0xFF
    corrupt(store, sha, bytes(tampered))
    received = bytearray()
    with pytest.raises(errors.IntegrityFailure):
        async for chunk in store.stream(sha):
            received += chunk
    assert len(received) < len(data)  # the last chunk was held back
    with pytest.raises(errors.IntegrityFailure):
        store.read_bytes(sha)


async def test_size_limit_leaves_nothing(store: ObjectStore) -> None:
    with pytest.raises(errors.TooLarge) as info:
        await store.put_stream(chunks(os.urandom(3_000_000)), max_bytes=2_000_000)
    assert info.value.code == "upload.too_large"
    assert list(store.iter_keys()) == [] and leftovers(store) == []


async def test_client_gone_mid_stream_leaves_nothing(store: ObjectStore) -> None:
    async def broken() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield os.urandom(1024 * 1024)
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await store.put_stream(broken())
    assert list(store.iter_keys()) == [] and leftovers(store) == []


async def test_presigned_links(store: ObjectStore) -> None:
    data = b"%PDF-1.7 demo"
    sha = store.put_bytes(data).sha256
    url = store.presigned_url(
        sha,
        expires=timedelta(minutes=5),
        filename="Quyết định 12.pdf",
        content_type="application/pdf",
    )
    if isinstance(store, LocalStore):
        assert url is None
        return
    assert url is not None and url.startswith("http://127.0.0.1:")
    body, disposition = await anyio.to_thread.run_sync(_fetch, url)
    assert body == data
    assert "filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%2012.pdf" in disposition


async def test_readiness(store: ObjectStore) -> None:
    store.check()


async def test_memory_stays_flat(store: ObjectStore) -> None:
    total = 64 * 1024 * 1024
    block = os.urandom(256 * 1024)

    async def source() -> AsyncIterator[bytes]:
        for _ in range(total // len(block)):
            yield block

    tracemalloc.start()
    try:
        info = await store.put_stream(source())
        read = 0
        async for chunk in store.stream(info.sha256):
            read += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert read == total
    assert peak < 24 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"


@pytest.mark.s3
async def test_s3_server_dies_mid_upload(tmp_path: Path) -> None:
    server = S3Server(tmp_path / "s3")
    server.start()
    try:
        store = open_store(
            Settings.from_env(
                {
                    "ECABINET_DATA_DIR": str(tmp_path),
                    "ECABINET_STORAGE_URL": server.storage_url("dies"),
                }
            )
        )

        async def dying() -> AsyncIterator[bytes]:
            for i in range(80):
                if i == 20:
                    server.stop()
                yield os.urandom(1024 * 1024)

        with pytest.raises(errors.Unavailable) as info:
            await store.put_stream(dying())
        assert info.value.code == "storage.unavailable"
        with pytest.raises(errors.Unavailable):
            store.check()
        server.start()
        store.check()
        assert list(store.iter_keys()) == []
        assert store.read_bytes(store.put_bytes(b"back").sha256) == b"back"
    finally:
        server.stop()


def _fetch(url: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(url) as response:
        return response.read(), response.headers["Content-Disposition"]
