"""The object store: one interface, two backends (a local folder, or S3 through ``minio``).

Blobs are content-addressed: the key of a blob is ``blobs/<sha[:2]>/<sha>``. Writes
stream to a temporary object while hashing and then move to the blob's key, so memory
stays flat whatever the size and a failed upload leaves nothing behind. Full reads hash
while streaming and hold back the last chunk until the hash is checked, so a corrupted
blob ends in an error instead of being served as if intact. Range reads (PDF viewers ask
for byte ranges) are not hash-checked.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import unicodedata
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import quote

from ecabinet.core import errors
from ecabinet.core.settings import Settings

_SHA_RE = re.compile(r"[0-9a-f]{64}")
BUFFER = 1024 * 1024
"""Local writes are buffered to this size before they go to disk."""


@dataclass(frozen=True)
class BlobInfo:
    """What the store knows of a blob."""

    sha256: str
    """Lower-case hex SHA-256 of the content: the blob's identity."""
    size: int
    """Length in bytes."""


@dataclass(frozen=True)
class Listed:
    """An object the store lists for the storage sweep."""

    name: str
    """A blob's SHA-256, a temporary upload's name, or an unfinished multipart upload's key."""
    size: int
    """Length in bytes (0 for a multipart upload: its parts are not counted)."""
    modified: datetime | None
    """Last written (a multipart upload: started), aware UTC; ``None`` when unknown."""
    upload_id: str | None = None
    """Set for an unfinished S3 multipart upload."""


class ObjectStore(Protocol):
    """What every backend offers.

    ``put_stream`` and ``stream`` are async and run their blocking I/O in worker threads.
    The other methods are plain blocking calls (S3: a network round trip): from async code
    call them through ``anyio.to_thread.run_sync``. Every method taking a ``sha256`` refuses
    anything but 64 lower-case hex digits with ``InvalidInput("storage.bad_key")``.
    """

    async def put_stream(
        self, chunks: AsyncIterator[bytes], *, max_bytes: int | None = None
    ) -> BlobInfo:
        """Store a stream with flat memory; raise TooLarge past ``max_bytes``, Unavailable
        when the backend fails, or whatever the iterator raised (client gone). On any
        failure nothing is left behind (S3: best effort)."""
        ...

    def put_bytes(self, data: bytes) -> BlobInfo:
        """Store bytes already in memory (CLI, demo seeding)."""
        ...

    def stream(
        self, sha256: str, *, start: int = 0, end: int | None = None, chunk_size: int = 256 * 1024
    ) -> AsyncIterator[bytes]:
        """Yield the blob, or bytes ``start``..``end`` (inclusive, clipped to the size).

        A full read is hash-checked: the last chunk is held back until the SHA-256 matches,
        else IntegrityFailure. Range reads are *not* checked (only the whole blob can be).
        NotFound when missing and InvalidInput("storage.bad_range") for a start past the
        end are raised on the first iteration; a bad ``sha256`` is refused at the call."""
        ...

    def read_bytes(self, sha256: str) -> bytes:
        """The whole blob, hash-checked (IntegrityFailure, NotFound)."""
        ...

    def stat(self, sha256: str) -> BlobInfo | None:
        """Size of a stored blob; ``None`` when absent."""
        ...

    def delete(self, sha256: str) -> None:
        """Remove a blob; no error when it is already gone."""
        ...

    def presigned_url(
        self, sha256: str, *, expires: timedelta, filename: str, content_type: str
    ) -> str | None:
        """A time-limited direct download address (with Content-Disposition and
        Content-Type), or ``None`` when the backend has none (local folder)."""
        ...

    def check(self) -> None:
        """Readiness: raise Unavailable when the backend cannot be reached."""
        ...

    def iter_keys(self) -> Iterator[str]:
        """Every stored blob's SHA-256 (for a sweep of unreferenced blobs)."""
        ...

    def list_blobs(self) -> Iterator[Listed]:
        """Every stored blob with its size and when it was last written (storing a blob
        that is already there counts as writing it, so the sweep's grace period runs from
        the last upload of the content)."""
        ...

    def list_leftovers(self) -> Iterator[Listed]:
        """What failed uploads left: temporary objects (``tmp/``) and, on S3, unfinished
        multipart uploads."""
        ...

    def remove_leftover(self, item: Listed) -> None:
        """Delete a temporary object or abort a multipart upload (no error when gone)."""
        ...


def open_store(settings: Settings) -> ObjectStore:
    """The store the settings describe; creates the folder or the bucket when missing."""
    if settings.storage_url.startswith("file:"):
        from ecabinet.core.storage_local import LocalStore

        return LocalStore.from_url(settings.storage_url)
    from ecabinet.core.storage_s3 import S3Store

    return S3Store.from_settings(settings)


def blob_key(sha256: str) -> str:
    check_sha(sha256)
    return f"blobs/{sha256[:2]}/{sha256}"


def is_sha(name: object) -> bool:
    """64 lower-case hex digits: a blob key, and nothing that could be a path trick."""
    return isinstance(name, str) and _SHA_RE.fullmatch(name) is not None


def check_sha(sha256: str) -> None:
    if not is_sha(sha256):
        raise errors.InvalidInput(
            "storage.bad_key",
            "Mã băm SHA-256 của tệp không hợp lệ.",
            "Not a valid SHA-256 blob key.",
        )


def check_range(start: int, end: int | None, size: int) -> int:
    """Validate a read range (``end`` inclusive, clipped to the blob) against the blob size;
    return the inclusive end (``-1`` for a full read of an empty blob)."""
    if start < 0 or (end is not None and end < start) or (start > 0 and start >= size):
        raise errors.InvalidInput(
            "storage.bad_range",
            "Khoảng byte yêu cầu nằm ngoài tệp.",
            "The requested byte range is outside the file.",
            {"start": start, "end": end, "size": size},
        )
    last = size - 1
    return last if end is None else min(end, last)


def missing(sha256: str) -> errors.NotFound:
    return errors.NotFound(
        "storage.missing",
        "Không tìm thấy nội dung tệp trong kho lưu trữ.",
        "The file's content is missing from the store.",
        {"sha256": sha256},
    )


def corrupted(sha256: str) -> errors.IntegrityFailure:
    return errors.IntegrityFailure(
        "storage.integrity",
        "Nội dung tệp trong kho đã bị thay đổi (sai mã băm SHA-256).",
        "The stored file no longer matches its SHA-256.",
        {"sha256": sha256},
    )


def unavailable() -> errors.Unavailable:
    return errors.Unavailable(
        "storage.unavailable",
        "Kho lưu trữ tệp tạm thời không truy cập được. Vui lòng thử lại sau.",
        "The file store cannot be reached right now. Try again later.",
        {"service": "storage", "retry_after": errors.RETRY_AFTER},
    )


class Hasher:
    """Counts and hashes a stream; enforces the size limit as it goes."""

    def __init__(self, max_bytes: int | None) -> None:
        self.sha = hashlib.sha256()
        self.size = 0
        self.max_bytes = max_bytes

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.max_bytes is not None and self.size > self.max_bytes:
            raise errors.too_large(self.max_bytes)
        self.sha.update(chunk)

    def info(self) -> BlobInfo:
        return BlobInfo(self.sha.hexdigest(), self.size)


def checked_read(
    sha256: str, start: int, end: int | None, raw: AsyncGenerator[bytes, None]
) -> AsyncIterator[bytes]:
    """A full read is hash-checked; a range read cannot be and is passed through as is."""
    return verified(sha256, raw) if start == 0 and end is None else raw


async def verified(sha256: str, chunks: AsyncGenerator[bytes, None]) -> AsyncIterator[bytes]:
    """Pass a full read through, holding back the last chunk until the hash matches.

    A mismatch raises :class:`errors.IntegrityFailure` instead of sending the last chunk, so
    an HTTP client sees a truncated body (shorter than Content-Length), never a wrong one.
    """
    digest = hashlib.sha256()
    held: bytes | None = None
    async with contextlib.aclosing(chunks) as source:
        async for chunk in source:
            if not chunk:
                continue
            digest.update(chunk)
            if held is not None:
                yield held
            held = chunk
    if digest.hexdigest() != sha256:
        raise corrupted(sha256)
    if held is not None:
        yield held


def content_disposition(filename: str, inline: bool) -> str:
    """RFC 6266 header: an ASCII ``filename`` fallback (Vietnamese letters without their
    marks) and the exact UTF-8 name in ``filename*`` (RFC 8187). Control characters (CR/LF:
    header injection), quotes and backslashes never reach the header."""
    name = "".join(ch for ch in filename if ch.isprintable()).strip() or "file"
    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = plain.encode("ascii", "ignore").decode()
    ascii_name = re.sub(r'["\\%;]', "_", ascii_name).strip() or "file"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
