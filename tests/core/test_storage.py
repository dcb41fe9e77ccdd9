"""One contract, two backends: the local folder and a real S3 server (SeaweedFS)."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tracemalloc
import urllib.request
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import anyio
import anyio.to_thread
import pytest

from ecabinet.core import errors
from ecabinet.core.settings import Settings, SettingsError
from ecabinet.core.storage import ObjectStore, blob_key, content_disposition, open_store
from ecabinet.core.storage_local import LocalStore
from ecabinet.core.storage_s3 import PART_SIZE, S3Store
from tests.support.s3server import S3Server

pytestmark = pytest.mark.anyio
MiB = 1024 * 1024


def settings_for(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env(
        {"ECABINET_DATA_DIR": str(tmp_path), **{f"ECABINET_{k}": v for k, v in env.items()}}
    )


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    """A fresh store per test: a new folder, or a new bucket on the shared S3 server."""
    if request.param == "s3":
        server: S3Server = request.getfixturevalue("s3_server")
        url = server.storage_url(f"t-{uuid.uuid4().hex[:12]}")
        return open_store(settings_for(tmp_path, STORAGE_URL=url))
    return open_store(settings_for(tmp_path))


async def chunks(data: bytes, size: int = 65_537) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


async def odd_chunks(data: bytes) -> AsyncIterator[bytes]:
    """Chunks of varied, odd sizes (1 byte up to ~1.3 MB), as a network would deliver."""
    sizes = [1, 7, 4093, 65_537, 1_300_001, 333, 999_999]
    i = n = 0
    while i < len(data):
        size = sizes[n % len(sizes)]
        yield data[i : i + size]
        i, n = i + size, n + 1


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
    """Overwrite a stored blob behind the store's back."""
    if isinstance(store, LocalStore):
        path = store.root / blob_key(sha)
        os.chmod(path, 0o600)
        path.write_bytes(data)
    else:
        assert isinstance(store, S3Store)
        store.client.put_object(store.bucket, blob_key(sha), io.BytesIO(data), len(data))


async def test_round_trip_and_dedup(store: ObjectStore) -> None:
    data = os.urandom(3 * MiB + 17)
    info = await store.put_stream(odd_chunks(data))
    assert info.sha256 == hashlib.sha256(data).hexdigest() and info.size == len(data)
    assert await collect(store.stream(info.sha256)) == data
    assert await collect(store.stream(info.sha256, chunk_size=100_003)) == data
    assert store.read_bytes(info.sha256) == data
    assert store.put_bytes(data) == info
    assert await store.put_stream(chunks(data)) == info
    assert list(store.iter_keys()) == [info.sha256]
    assert store.stat(info.sha256) == info
    assert leftovers(store) == []
    if isinstance(store, LocalStore):
        mode = stat.S_IMODE((store.root / blob_key(info.sha256)).stat().st_mode)
        assert mode & 0o007 == 0, oct(mode)


async def test_put_bytes_round_trip(store: ObjectStore) -> None:
    a, b = store.put_bytes(b"first"), store.put_bytes(b"second")
    assert a.size == 5 and a.sha256 == hashlib.sha256(b"first").hexdigest()
    assert sorted(store.iter_keys()) == sorted([a.sha256, b.sha256])
    assert await collect(store.stream(b.sha256)) == b"second"


async def test_empty_blob(store: ObjectStore) -> None:
    info = await store.put_stream(chunks(b""))
    assert info.size == 0 and info.sha256 == hashlib.sha256(b"").hexdigest()
    assert store.stat(info.sha256) == info
    assert await collect(store.stream(info.sha256)) == b""
    assert store.read_bytes(info.sha256) == b""
    with pytest.raises(errors.InvalidInput) as raised:
        await collect(store.stream(info.sha256, start=1))
    assert raised.value.code == "storage.bad_range"


async def test_range_reads(store: ObjectStore) -> None:
    data = bytes(range(256)) * 4000
    sha = store.put_bytes(data).sha256
    assert await collect(store.stream(sha, start=0, end=0)) == data[:1]
    assert await collect(store.stream(sha, start=1000, end=99_999)) == data[1000:100_000]
    assert await collect(store.stream(sha, start=len(data) - 5)) == data[-5:]
    assert await collect(store.stream(sha, start=len(data) - 1, end=len(data) - 1)) == data[-1:]
    assert await collect(store.stream(sha, start=10, end=10**9)) == data[10:]
    assert await collect(store.stream(sha, start=0, end=10**9)) == data
    for start, end in ((len(data), None), (len(data) + 10, None), (-1, None), (10, 5)):
        with pytest.raises(errors.InvalidInput) as raised:
            await collect(store.stream(sha, start=start, end=end))
        assert raised.value.code == "storage.bad_range"


async def test_missing_blob(store: ObjectStore) -> None:
    sha = "0" * 64
    assert store.stat(sha) is None
    with pytest.raises(errors.NotFound) as raised:
        await collect(store.stream(sha))
    assert raised.value.code == "storage.missing"
    with pytest.raises(errors.NotFound):
        await collect(store.stream(sha, start=3, end=9))
    with pytest.raises(errors.NotFound):
        store.read_bytes(sha)
    store.delete(sha)  # deleting what is not there is fine


async def test_bad_keys_are_refused(store: ObjectStore) -> None:
    bad_keys = ("../../etc/passwd", "A" * 64, "0" * 63, "0" * 65, "0" * 63 + "/", "", "g" * 64)
    calls: list[Callable[[str], object]] = [
        store.stat,
        store.read_bytes,
        store.delete,
        store.stream,
        lambda key: store.presigned_url(
            key, expires=timedelta(minutes=1), filename="a.pdf", content_type="application/pdf"
        ),
    ]
    for bad in bad_keys:
        for call in calls:
            with pytest.raises(errors.InvalidInput) as raised:
                call(bad)
            assert raised.value.code == "storage.bad_key"
            assert raised.value.vi and raised.value.en


async def test_delete(store: ObjectStore) -> None:
    keep, drop = store.put_bytes(b"keep"), store.put_bytes(b"drop")
    store.delete(drop.sha256)
    assert store.stat(drop.sha256) is None
    assert list(store.iter_keys()) == [keep.sha256]
    with pytest.raises(errors.NotFound):
        store.read_bytes(drop.sha256)
    assert store.read_bytes(keep.sha256) == b"keep"


async def test_corruption_is_detected(store: ObjectStore) -> None:
    data = os.urandom(700_000)
    sha = store.put_bytes(data).sha256
    tampered = bytearray(data)
    tampered[500_000] ^= 0xFF
    corrupt(store, sha, bytes(tampered))
    received = bytearray()
    with pytest.raises(errors.IntegrityFailure) as raised:
        async for chunk in store.stream(sha, chunk_size=64 * 1024):
            received += chunk
    assert raised.value.code == "storage.integrity"
    assert len(received) < len(data)  # the last chunk was held back
    assert bytes(received) == bytes(tampered[: len(received)])
    with pytest.raises(errors.IntegrityFailure):
        store.read_bytes(sha)
    # Range reads are not (cannot be) hash-checked.
    assert await collect(store.stream(sha, start=0, end=9)) == data[:10]


async def test_size_limit_leaves_nothing(store: ObjectStore) -> None:
    with pytest.raises(errors.TooLarge) as raised:
        await store.put_stream(chunks(os.urandom(7 * MiB)), max_bytes=6 * MiB)
    assert raised.value.code == "upload.too_large"
    assert raised.value.vi and raised.value.en
    assert list(store.iter_keys()) == [] and leftovers(store) == []
    exact = os.urandom(1000)
    assert (await store.put_stream(chunks(exact), max_bytes=1000)).size == 1000


async def test_client_gone_mid_stream_leaves_nothing(store: ObjectStore) -> None:
    async def broken() -> AsyncIterator[bytes]:
        for _ in range(7):  # past the first multipart part on S3
            yield os.urandom(MiB)
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await store.put_stream(broken())
    assert list(store.iter_keys()) == [] and leftovers(store) == []


async def test_cancelled_upload_leaves_nothing(store: ObjectStore) -> None:
    async def slow() -> AsyncIterator[bytes]:
        for _ in range(7):
            yield os.urandom(MiB)
        await anyio.sleep(30)
        yield b"never"

    with anyio.move_on_after(1) as scope:
        await store.put_stream(slow())
    assert scope.cancelled_caught
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
    body, headers = await anyio.to_thread.run_sync(_fetch, url)
    assert body == data
    disposition = headers["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert "filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%2012.pdf" in disposition
    assert 'filename="Quyet dinh 12.pdf"' in disposition
    assert headers["Content-Type"] == "application/pdf"


def test_content_disposition() -> None:
    header = content_disposition("Đề án số 5.docx", inline=False)
    assert header.startswith('attachment; filename="De an so 5.docx"; ')
    assert header.endswith("filename*=UTF-8''%C4%90%E1%BB%81%20%C3%A1n%20s%E1%BB%91%205.docx")
    nasty = content_disposition('a"b\\c\r\nSet-Cookie: x=1;.pdf', inline=True)
    assert "\r" not in nasty and "\n" not in nasty
    assert nasty.startswith('inline; filename="a_b_cSet-Cookie: x=1_.pdf"; ')
    assert 'filename="file"' in content_disposition("文書", inline=True)


async def test_readiness(store: ObjectStore) -> None:
    store.check()


async def test_local_store_broken_folder(tmp_path: Path) -> None:
    store = open_store(settings_for(tmp_path, STORAGE_URL=(tmp_path / "objects").as_uri()))
    assert isinstance(store, LocalStore) and (tmp_path / "objects" / "blobs").is_dir()
    store.check()
    store.tmp.rmdir()
    store.tmp.write_bytes(b"")  # a file where the folder should be (works even as root)
    with pytest.raises(errors.Unavailable) as raised:
        store.check()
    assert raised.value.code == "storage.unavailable" and raised.value.vi
    with pytest.raises(errors.Unavailable):
        await store.put_stream(chunks(b"data"))
    with pytest.raises(errors.Unavailable):
        store.put_bytes(b"data")


async def test_memory_stays_flat(store: ObjectStore) -> None:
    """64 MiB through put_stream and stream(): the peak stays a small constant (local: a
    buffer; S3: minio's few copies of one 5 MiB part), nothing accumulates."""
    total = 64 * MiB
    block = os.urandom(256 * 1024)

    async def source() -> AsyncIterator[bytes]:
        for _ in range(total // len(block)):
            yield block

    tracemalloc.start()
    try:
        info = await store.put_stream(source())
        _, upload_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        read = 0
        async for chunk in store.stream(info.sha256):
            read += len(chunk)
        _, download_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert read == total and info.size == total
    limit = 8 * MiB if isinstance(store, LocalStore) else 3 * PART_SIZE + 4 * MiB
    assert upload_peak < limit, f"upload peak {upload_peak / MiB:.1f} MiB"
    assert download_peak < 4 * MiB, f"download peak {download_peak / MiB:.1f} MiB"


@pytest.mark.s3
async def test_s3_credentials_from_settings(s3_server: S3Server, tmp_path: Path) -> None:
    url = f"s3://{s3_server.endpoint}/creds?region=us-east-1"
    store = open_store(
        settings_for(
            tmp_path,
            STORAGE_URL=url,
            S3_ACCESS_KEY=s3_server.access_key,
            S3_SECRET_KEY=s3_server.secret_key,
        )
    )
    store.check()
    assert store.read_bytes(store.put_bytes(b"x").sha256) == b"x"
    wrong = open_store(
        settings_for(tmp_path, STORAGE_URL=url, S3_ACCESS_KEY="nobody", S3_SECRET_KEY="nothing")
    )
    with pytest.raises(errors.Unavailable):
        wrong.check()
    with pytest.raises(SettingsError):
        open_store(settings_for(tmp_path, STORAGE_URL=f"s3://{s3_server.endpoint}/a/b"))


@pytest.mark.s3
async def test_s3_server_dies_mid_upload(tmp_path: Path) -> None:
    server = S3Server(tmp_path / "s3")  # its own server: the shared one stays up
    server.start()
    try:
        store = open_store(settings_for(tmp_path, STORAGE_URL=server.storage_url("dies")))
        before = store.put_bytes(b"before")

        async def dying() -> AsyncIterator[bytes]:
            for i in range(40):
                if i == 12:  # after two 5 MiB parts went out
                    await anyio.to_thread.run_sync(server.stop)
                yield os.urandom(MiB)

        with anyio.fail_after(45), pytest.raises(errors.Unavailable) as raised:
            await store.put_stream(dying())
        assert raised.value.code == "storage.unavailable"
        assert raised.value.vi and raised.value.en
        with anyio.fail_after(20):
            for call in (store.check, lambda: store.stat(before.sha256)):
                with pytest.raises(errors.Unavailable):
                    await anyio.to_thread.run_sync(call)
            with pytest.raises(errors.Unavailable):
                await collect(store.stream(before.sha256))

        server.start()
        store.check()
        assert list(store.iter_keys()) == [before.sha256]
        assert store.read_bytes(before.sha256) == b"before"
        data = os.urandom(6 * MiB)
        info = await store.put_stream(chunks(data))
        assert await collect(store.stream(info.sha256)) == data
    finally:
        server.stop()


def _fetch(url: str) -> tuple[bytes, dict[str, str]]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read(), dict(response.headers)
