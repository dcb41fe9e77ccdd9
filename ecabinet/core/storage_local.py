"""The local-folder backend (the embedded default): ``file:///abs/path``."""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO, TypeVar
from urllib.parse import unquote, urlsplit

import anyio.to_thread

from ecabinet.core import errors
from ecabinet.core.storage import (
    BUFFER,
    BlobInfo,
    Hasher,
    Listed,
    blob_key,
    check_range,
    check_sha,
    checked_read,
    corrupted,
    is_sha,
    missing,
)

FILE_MODE = 0o640
_T = TypeVar("_T")


class LocalStore:
    """Blobs as files ``root/blobs/<sha[:2]>/<sha>``; temporary files under ``root/tmp``
    (same file system, so the final move is an atomic rename)."""

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

    # -- writing -------------------------------------------------------------------

    def _commit(self, tmp: Path, info: BlobInfo) -> BlobInfo:
        """Move a finished temporary file to its content key; if the blob is already there
        just drop the temporary file. A stored file of the wrong size (truncated) is
        replaced."""
        final = self._path(info.sha256)
        try:
            present = final.stat().st_size == info.size
        except FileNotFoundError:
            present = False
        if present:
            tmp.unlink()
            os.utime(final)  # written again: the storage sweep's grace period starts over
        else:
            final.parent.mkdir(exist_ok=True)
            os.chmod(tmp, FILE_MODE)
            os.replace(tmp, final)
        return info

    async def put_stream(
        self, chunks: AsyncIterator[bytes], *, max_bytes: int | None = None
    ) -> BlobInfo:
        tmp = self.tmp / uuid.uuid4().hex
        hasher = Hasher(max_bytes)
        f: BinaryIO = await _disk(open, tmp, "xb")
        try:
            with f:
                buffer = bytearray()
                async for chunk in chunks:  # errors from here (client gone) pass unchanged
                    hasher.add(chunk)
                    buffer += chunk
                    if len(buffer) >= BUFFER:
                        await _disk(f.write, buffer)
                        buffer.clear()
                await _disk(_finish, f, buffer)
            return await _disk(self._commit, tmp, hasher.info())
        except BaseException:
            _remove(tmp)
            raise

    def put_bytes(self, data: bytes) -> BlobInfo:
        tmp = self.tmp / uuid.uuid4().hex
        try:
            with open(tmp, "xb") as f:
                _finish(f, data)
            return self._commit(tmp, BlobInfo(hashlib.sha256(data).hexdigest(), len(data)))
        except OSError as exc:
            raise _unavailable() from exc
        finally:
            _remove(tmp)  # gone already unless something failed

    # -- reading -------------------------------------------------------------------

    def stream(
        self, sha256: str, *, start: int = 0, end: int | None = None, chunk_size: int = 256 * 1024
    ) -> AsyncIterator[bytes]:
        path = self._path(sha256)
        return checked_read(sha256, start, end, self._read(path, sha256, start, end, chunk_size))

    async def _read(
        self, path: Path, sha256: str, start: int, end: int | None, chunk_size: int
    ) -> AsyncGenerator[bytes, None]:
        try:
            f: BinaryIO = await _disk(open, path, "rb")
        except errors.Unavailable as exc:
            if isinstance(exc.__cause__, FileNotFoundError):
                raise missing(sha256) from None
            raise
        with f:
            last = check_range(start, end, os.fstat(f.fileno()).st_size)
            f.seek(start)
            remaining = last - start + 1
            while remaining > 0:
                chunk = await _disk(f.read, min(chunk_size, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                yield chunk

    def read_bytes(self, sha256: str) -> bytes:
        path = self._path(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise missing(sha256) from None
        except OSError as exc:
            raise _unavailable() from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise corrupted(sha256)
        return data

    def stat(self, sha256: str) -> BlobInfo | None:
        path = self._path(sha256)
        try:
            return BlobInfo(sha256, path.stat().st_size)
        except FileNotFoundError:
            return None

    def delete(self, sha256: str) -> None:
        self._path(sha256).unlink(missing_ok=True)

    def presigned_url(
        self, sha256: str, *, expires: timedelta, filename: str, content_type: str
    ) -> str | None:
        check_sha(sha256)
        return None  # the app serves local blobs itself

    def check(self) -> None:
        """The folder is there and writable."""
        probe = self.tmp / f"ready-{uuid.uuid4().hex}"
        try:
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise _unavailable() from exc

    def iter_keys(self) -> Iterator[str]:
        """Streams the listing: one prefix folder (1/256 of the blobs) at a time."""
        blobs = self.root / "blobs"
        for prefix in sorted(os.listdir(blobs)):
            if len(prefix) != 2 or not (blobs / prefix).is_dir():
                continue
            for name in sorted(os.listdir(blobs / prefix)):
                if name.startswith(prefix) and is_sha(name):
                    yield name

    def list_blobs(self) -> Iterator[Listed]:
        blobs = self.root / "blobs"
        for sha256 in self.iter_keys():
            found = _listed(blobs / sha256[:2] / sha256, sha256)
            if found is not None:
                yield found

    def list_leftovers(self) -> Iterator[Listed]:
        for name in sorted(os.listdir(self.tmp)):
            found = _listed(self.tmp / name, name)
            if found is not None:
                yield found

    def remove_leftover(self, item: Listed) -> None:
        if "/" in item.name or item.name in ("", ".", ".."):
            raise ValueError(f"not a temporary upload: {item.name!r}")
        _remove(self.tmp / item.name)


def _listed(path: Path, name: str) -> Listed | None:
    try:
        found = path.stat()
    except FileNotFoundError:  # removed since the listing
        return None
    return Listed(name, found.st_size, datetime.fromtimestamp(found.st_mtime, UTC))


async def _disk(func: Callable[..., _T], *args: object) -> _T:
    """Run a blocking file operation in a worker thread; a failing disk is Unavailable."""
    try:
        return await anyio.to_thread.run_sync(func, *args)
    except OSError as exc:
        raise _unavailable() from exc


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def _finish(f: BinaryIO, tail: bytes | bytearray) -> None:
    if tail:
        f.write(tail)
    f.flush()
    os.fsync(f.fileno())


def _unavailable() -> errors.Unavailable:
    return errors.Unavailable(
        "storage.unavailable",
        "Không đọc hoặc ghi được thư mục lưu trữ tệp trên máy chủ.",
        "The storage folder cannot be read or written.",
    )
