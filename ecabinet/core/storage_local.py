"""The local-folder backend (the embedded default)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

import anyio.to_thread

from ecabinet.core import errors
from ecabinet.core.storage import (
    BUFFER,
    BlobInfo,
    Hasher,
    blob_key,
    check_range,
    check_sha,
    checked_read,
    corrupted,
    missing,
)


class LocalStore:
    """Blobs as files under ``root/blobs``; temporary files under ``root/tmp`` (same disk,
    so the final move is an atomic rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"
        (root / "blobs").mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)

    @classmethod
    def from_url(cls, url: str) -> LocalStore:
        return cls(Path(unquote(urlsplit(url).path)))

    def _path(self, sha256: str) -> Path:
        return self.root / blob_key(sha256)

    def _commit(self, tmp: Path, info: BlobInfo) -> BlobInfo:
        final = self._path(info.sha256)
        if final.exists():
            tmp.unlink()
        else:
            final.parent.mkdir(exist_ok=True)
            os.chmod(tmp, 0o640)
            os.replace(tmp, final)
        return info

    async def put_stream(
        self, chunks: AsyncIterator[bytes], *, max_bytes: int | None = None
    ) -> BlobInfo:
        tmp = self.tmp / uuid.uuid4().hex
        hasher = Hasher(max_bytes)
        f = await anyio.to_thread.run_sync(open, tmp, "xb")
        try:
            buffer = bytearray()
            async for chunk in chunks:
                hasher.add(chunk)
                buffer += chunk
                if len(buffer) >= BUFFER:
                    await anyio.to_thread.run_sync(f.write, bytes(buffer))
                    buffer.clear()
            await anyio.to_thread.run_sync(_finish, f, bytes(buffer))
            return await anyio.to_thread.run_sync(self._commit, tmp, hasher.info())
        except BaseException:
            f.close()
            tmp.unlink(missing_ok=True)
            raise
        finally:
            f.close()

    def put_bytes(self, data: bytes) -> BlobInfo:
        tmp = self.tmp / uuid.uuid4().hex
        try:
            with open(tmp, "xb") as f:
                _finish(f, data)
            return self._commit(tmp, BlobInfo(hashlib.sha256(data).hexdigest(), len(data)))
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def stream(
        self, sha256: str, *, start: int = 0, end: int | None = None, chunk_size: int = 256 * 1024
    ) -> AsyncIterator[bytes]:
        path = self._path(sha256)
        return checked_read(sha256, start, end, self._read(path, sha256, start, end, chunk_size))

    async def _read(
        self, path: Path, sha256: str, start: int, end: int | None, chunk_size: int
    ) -> AsyncIterator[bytes]:
        try:
            f: BinaryIO = await anyio.to_thread.run_sync(open, path, "rb")
        except FileNotFoundError:
            raise missing(sha256) from None
        with f:
            size = os.fstat(f.fileno()).st_size
            if size == 0:
                check_range(start, end, size)
                return
            last = check_range(start, end, size)
            f.seek(start)
            remaining = last - start + 1
            while remaining > 0:
                chunk = await anyio.to_thread.run_sync(f.read, min(chunk_size, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                yield chunk

    def read_bytes(self, sha256: str) -> bytes:
        try:
            data = self._path(sha256).read_bytes()
        except FileNotFoundError:
            raise missing(sha256) from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise corrupted(sha256)
        return data

    def stat(self, sha256: str) -> BlobInfo | None:
        try:
            return BlobInfo(sha256, self._path(sha256).stat().st_size)
        except FileNotFoundError:
            return None

    def delete(self, sha256: str) -> None:
        self._path(sha256).unlink(missing_ok=True)

    def presigned_url(
        self, sha256: str, *, expires: timedelta, filename: str, content_type: str
    ) -> str | None:
        check_sha(sha256)
        return None

    def check(self) -> None:
        probe = self.tmp / f"ready-{uuid.uuid4().hex}"
        try:
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise errors.Unavailable(
                "storage.unavailable",
                "Thư mục lưu trữ tệp không ghi được.",
                "The storage folder is not writable.",
            ) from exc

    def iter_keys(self) -> Iterator[str]:
        for path in sorted((self.root / "blobs").glob("*/*")):
            with contextlib.suppress(errors.InvalidInput):
                check_sha(path.name)
                yield path.name


def _finish(f: BinaryIO, tail: bytes) -> None:
    if tail:
        f.write(tail)
    f.flush()
    os.fsync(f.fileno())
