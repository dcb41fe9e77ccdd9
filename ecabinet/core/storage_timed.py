"""The object store, timed: every call of the :class:`~ecabinet.core.storage.ObjectStore`
protocol observed in ``ecabinet_store_operation_duration_seconds`` by operation, and its
failures of the store itself (:class:`~ecabinet.core.errors.Unavailable`) counted.

A stream is timed from the call to its last chunk (or its failure); a missing blob or a
bad range is the caller's problem, not the store's, and is not counted as an error.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from typing import TypeVar

from ecabinet.core import errors, metrics
from ecabinet.core.storage import BlobInfo, Listed, ObjectStore

T = TypeVar("T")


class TimedStore:
    """An :class:`ObjectStore` that times the one it wraps (:func:`timed`)."""

    def __init__(self, inner: ObjectStore) -> None:
        self.inner = inner

    def _call(self, operation: str, fn: Callable[[], T]) -> T:
        start = time.perf_counter()
        try:
            return fn()
        except errors.Unavailable:
            metrics.STORE_ERRORS.labels(operation).inc()
            raise
        finally:
            metrics.STORE_LATENCY.labels(operation).observe(time.perf_counter() - start)

    async def put_stream(
        self, chunks: AsyncIterator[bytes], *, max_bytes: int | None = None
    ) -> BlobInfo:
        start = time.perf_counter()
        try:
            return await self.inner.put_stream(chunks, max_bytes=max_bytes)
        except errors.Unavailable:
            metrics.STORE_ERRORS.labels("put").inc()
            raise
        finally:
            metrics.STORE_LATENCY.labels("put").observe(time.perf_counter() - start)

    def put_bytes(self, data: bytes) -> BlobInfo:
        return self._call("put", lambda: self.inner.put_bytes(data))

    def stream(
        self, sha256: str, *, start: int = 0, end: int | None = None, chunk_size: int = 256 * 1024
    ) -> AsyncIterator[bytes]:
        source = self.inner.stream(sha256, start=start, end=end, chunk_size=chunk_size)
        return _timed_stream(source)

    def read_bytes(self, sha256: str) -> bytes:
        return self._call("read", lambda: self.inner.read_bytes(sha256))

    def stat(self, sha256: str) -> BlobInfo | None:
        return self._call("stat", lambda: self.inner.stat(sha256))

    def delete(self, sha256: str) -> None:
        self._call("delete", lambda: self.inner.delete(sha256))

    def presigned_url(
        self, sha256: str, *, expires: timedelta, filename: str, content_type: str
    ) -> str | None:
        return self._call(
            "presign",
            lambda: self.inner.presigned_url(
                sha256, expires=expires, filename=filename, content_type=content_type
            ),
        )

    def check(self) -> None:
        self._call("check", self.inner.check)

    def iter_keys(self) -> Iterator[str]:
        return self.inner.iter_keys()

    def list_blobs(self) -> Iterator[Listed]:
        return self.inner.list_blobs()

    def list_leftovers(self) -> Iterator[Listed]:
        return self.inner.list_leftovers()

    def remove_leftover(self, item: Listed) -> None:
        self._call("delete", lambda: self.inner.remove_leftover(item))


async def _timed_stream(source: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    start = time.perf_counter()
    try:
        async for chunk in source:
            yield chunk
    except errors.Unavailable:
        metrics.STORE_ERRORS.labels("read").inc()
        raise
    finally:
        close = getattr(source, "aclose", None)
        if close is not None:
            await close()
        metrics.STORE_LATENCY.labels("read").observe(time.perf_counter() - start)


def timed(store: ObjectStore) -> ObjectStore:
    """``store``, timed (once: a timed store is returned as it is)."""
    return store if isinstance(store, TimedStore) else TimedStore(store)
