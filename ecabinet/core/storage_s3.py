"""The S3 backend, through the ``minio`` SDK: MinIO, SeaweedFS or any S3 server."""

from __future__ import annotations

import contextlib
import hashlib
import io
import queue
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import anyio
import anyio.to_thread
import urllib3
from minio import Minio
from minio.commonconfig import ComposeSource, CopySource
from minio.error import S3Error

from ecabinet.core import errors
from ecabinet.core.settings import Settings
from ecabinet.core.storage import (
    BUFFER,
    BlobInfo,
    Hasher,
    blob_key,
    check_range,
    checked_read,
    content_disposition,
    corrupted,
    missing,
    unavailable,
)

PART_SIZE = 5 * 1024 * 1024  # the S3 minimum: memory per upload stays small
COPY_LIMIT = 5 * 1024**3
_EOF = b""
_NOT_FOUND = ("NoSuchKey", "NoSuchObject", "ResourceNotFound")


class _Aborted(Exception):
    """The producer gave up (client gone, size limit): stop the upload."""


class _QueueReader(io.RawIOBase):
    """A file-like object minio reads from, fed by the request handler through a small
    bounded queue, so at most a few buffers are in memory whatever the upload size."""

    def __init__(self) -> None:
        super().__init__()
        self.queue: queue.Queue[bytes] = queue.Queue(maxsize=4)
        self.pending = b""
        self.done = False
        self.aborted = threading.Event()
        self.consumer_dead = threading.Event()

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        want = size if size is not None and size >= 0 else PART_SIZE
        pieces: list[bytes] = []
        have = 0
        while have < want:
            if not self.pending:
                if self.done:
                    break
                item = self._next()
                if item == _EOF:
                    self.done = True
                    break
                self.pending = item
            take = want - have
            piece, self.pending = self.pending[:take], self.pending[take:]
            pieces.append(piece)
            have += len(piece)
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    def _next(self) -> bytes:
        while True:
            if self.aborted.is_set():
                raise _Aborted
            try:
                return self.queue.get(timeout=0.2)
            except queue.Empty:
                continue

    def feed(self, item: bytes) -> None:
        """Called from a worker thread: wait for room unless the uploader died."""
        while True:
            if self.consumer_dead.is_set():
                raise _Aborted
            try:
                self.queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue


class S3Store:
    """Blobs as objects ``blobs/<sha[:2]>/<sha>`` in one bucket; uploads go through
    ``tmp/<uuid>`` and are then copied to their key."""

    def __init__(self, client: Minio, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Store:
        parts = urlsplit(settings.storage_url)
        secure = parts.scheme in ("s3s", "https")
        query = parse_qs(parts.query)
        host = parts.hostname or ""
        endpoint = f"{host}:{parts.port}" if parts.port else host
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=5, read=60),
            maxsize=16,
            retries=urllib3.Retry(
                total=2,
                backoff_factor=0.2,
                connect=1,
                read=1,
                status_forcelist=[500, 502, 503, 504],
            ),
        )
        client = Minio(
            endpoint,
            access_key=unquote(parts.username) if parts.username else settings.s3_access_key,
            secret_key=unquote(parts.password) if parts.password else settings.s3_secret_key,
            secure=secure,
            region=query.get("region", [None])[0],
            http_client=http,
        )
        store = cls(client, parts.path.strip("/"))
        try:
            if not client.bucket_exists(store.bucket):
                client.make_bucket(store.bucket)
        except Exception:  # noqa: S110 - start-up must not depend on S3: /readyz reports it
            pass
        return store

    # -- writing -------------------------------------------------------------------

    def _commit(self, tmp: str, info: BlobInfo) -> BlobInfo:
        key = blob_key(info.sha256)
        try:
            if self.stat(info.sha256) is None:
                if info.size > COPY_LIMIT:
                    self.client.compose_object(self.bucket, key, [ComposeSource(self.bucket, tmp)])
                else:
                    self.client.copy_object(self.bucket, key, CopySource(self.bucket, tmp))
        finally:
            self._remove_quietly(tmp)
        return info

    def _remove_quietly(self, key: str) -> None:
        # Best effort: a sweep removes stray temporary objects.
        with contextlib.suppress(Exception):
            self.client.remove_object(self.bucket, key)

    async def put_stream(
        self, chunks: AsyncIterator[bytes], *, max_bytes: int | None = None
    ) -> BlobInfo:
        tmp = f"tmp/{uuid.uuid4().hex}"
        reader = _QueueReader()
        hasher = Hasher(max_bytes)
        upload_failed: list[BaseException] = []
        produce_failed: list[BaseException] = []
        part_size = max(PART_SIZE, -(-(max_bytes or 0) // 10_000))

        def upload() -> None:
            try:
                self.client.put_object(
                    self.bucket,
                    tmp,
                    reader,  # type: ignore[arg-type]
                    length=-1,
                    part_size=part_size,
                    num_parallel_uploads=1,
                )
            except BaseException as exc:
                upload_failed.append(exc)
                reader.consumer_dead.set()

        async def produce() -> None:
            try:
                buffer = bytearray()
                async for chunk in chunks:
                    hasher.add(chunk)
                    buffer += chunk
                    if len(buffer) >= BUFFER:
                        await anyio.to_thread.run_sync(reader.feed, bytes(buffer))
                        buffer.clear()
                if buffer:
                    await anyio.to_thread.run_sync(reader.feed, bytes(buffer))
                await anyio.to_thread.run_sync(reader.feed, _EOF)
            except _Aborted:
                pass  # the uploader died: reported below
            except BaseException as exc:  # client gone, size limit, cancellation
                reader.aborted.set()
                produce_failed.append(exc)

        # Errors are collected rather than raised inside the task group, so callers see
        # the original exception and not an exception group.
        async with anyio.create_task_group() as tg:
            tg.start_soon(anyio.to_thread.run_sync, upload)
            await produce()
        if produce_failed or upload_failed:
            await anyio.to_thread.run_sync(self._remove_quietly, tmp)
            if produce_failed:
                raise produce_failed[0]
            raise unavailable() from upload_failed[0]
        try:
            return await anyio.to_thread.run_sync(self._commit, tmp, hasher.info())
        except Exception as exc:
            raise unavailable() from exc

    def put_bytes(self, data: bytes) -> BlobInfo:
        info = BlobInfo(hashlib.sha256(data).hexdigest(), len(data))
        tmp = f"tmp/{uuid.uuid4().hex}"
        try:
            self.client.put_object(self.bucket, tmp, io.BytesIO(data), len(data))
            return self._commit(tmp, info)
        except Exception as exc:
            self._remove_quietly(tmp)
            raise unavailable() from exc

    # -- reading -------------------------------------------------------------------

    def stream(
        self, sha256: str, *, start: int = 0, end: int | None = None, chunk_size: int = 256 * 1024
    ) -> AsyncIterator[bytes]:
        key = blob_key(sha256)
        return checked_read(sha256, start, end, self._read(key, sha256, start, end, chunk_size))

    async def _read(
        self, key: str, sha256: str, start: int, end: int | None, chunk_size: int
    ) -> AsyncIterator[bytes]:
        info = await anyio.to_thread.run_sync(self.stat, sha256)
        if info is None:
            raise missing(sha256)
        if info.size == 0:
            check_range(start, end, 0)
            return
        last = check_range(start, end, info.size)
        response: Any = await anyio.to_thread.run_sync(self._get, key, sha256, start, last)
        try:
            pieces = response.stream(chunk_size)
            while True:
                chunk = await anyio.to_thread.run_sync(_next_or_none, pieces)
                if chunk is None:
                    return
                yield chunk
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise unavailable() from exc
        finally:
            response.close()
            response.release_conn()

    def _get(self, key: str, sha256: str, start: int = 0, last: int | None = None) -> Any:
        length = 0 if last is None else last - start + 1
        try:
            return self.client.get_object(self.bucket, key, offset=start, length=length)
        except S3Error as exc:
            if exc.code in _NOT_FOUND:
                raise missing(sha256) from None
            raise unavailable() from exc
        except Exception as exc:
            raise unavailable() from exc

    def read_bytes(self, sha256: str) -> bytes:
        response = self._get(blob_key(sha256), sha256)
        try:
            data: bytes = response.read()
        finally:
            response.close()
            response.release_conn()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise corrupted(sha256)
        return data

    def stat(self, sha256: str) -> BlobInfo | None:
        try:
            found = self.client.stat_object(self.bucket, blob_key(sha256))
        except S3Error as exc:
            if exc.code in _NOT_FOUND:
                return None
            raise unavailable() from exc
        except errors.DomainError:
            raise
        except Exception as exc:
            raise unavailable() from exc
        return BlobInfo(sha256, int(found.size or 0))

    def delete(self, sha256: str) -> None:
        try:
            self.client.remove_object(self.bucket, blob_key(sha256))
        except Exception as exc:
            raise unavailable() from exc

    def presigned_url(
        self, sha256: str, *, expires: timedelta, filename: str, content_type: str
    ) -> str | None:
        inline = content_type == "application/pdf"
        try:
            url: str = self.client.presigned_get_object(
                self.bucket,
                blob_key(sha256),
                expires=expires,
                response_headers={
                    "response-content-disposition": content_disposition(filename, inline),
                    "response-content-type": content_type,
                },
            )
        except Exception as exc:
            raise unavailable() from exc
        return url

    def check(self) -> None:
        try:
            if not self.client.bucket_exists(self.bucket):
                raise unavailable()
        except errors.DomainError:
            raise
        except Exception as exc:
            raise unavailable() from exc

    def iter_keys(self) -> Iterator[str]:
        try:
            for obj in self.client.list_objects(self.bucket, prefix="blobs/", recursive=True):
                name = (obj.object_name or "").rsplit("/", 1)[-1]
                if len(name) == 64:
                    yield name
        except Exception as exc:
            raise unavailable() from exc


def _next_or_none(pieces: Iterator[bytes]) -> bytes | None:
    return next(pieces, None)
