"""The S3 backend, through the ``minio`` SDK: MinIO, SeaweedFS, Garage or any S3 server.

Storage URLs: ``s3://host:port/bucket`` (plain HTTP), ``s3s://host:port/bucket`` or
``https://host/bucket`` (TLS); credentials in the URL (``s3://KEY:SECRET@host/bucket``,
percent-encoded) or from ``ECABINET_S3_ACCESS_KEY``/``ECABINET_S3_SECRET_KEY``; optional
``?region=xx``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import queue
import threading
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import anyio
import anyio.to_thread
import urllib3
from minio import Minio
from minio.commonconfig import ComposeSource, CopySource
from minio.error import S3Error
from minio.helpers import check_bucket_name

from ecabinet.core import errors
from ecabinet.core.settings import Settings, SettingsError
from ecabinet.core.storage import (
    BlobInfo,
    Hasher,
    Listed,
    blob_key,
    check_range,
    checked_read,
    content_disposition,
    corrupted,
    is_sha,
    missing,
    unavailable,
)

PART_SIZE = 5 * 1024 * 1024
"""Multipart part size: the S3 minimum. minio holds up to three copies of a part in memory
at a time (the part being sent, the next one read, a sliced copy), so this bounds an
upload's memory (~15 MiB + the queue) whatever the object's size."""
COPY_LIMIT = 5 * 1024**3
"""Above this, S3 cannot copy an object in one request: compose it from parts instead."""
FEED_SIZE = 256 * 1024
"""The request handler hands the uploader buffers of about this size ..."""
QUEUE_DEPTH = 4
"""... through a queue this deep (about 1 MiB waiting at most)."""
_EOF = b""
_NOT_FOUND = ("NoSuchKey", "NoSuchObject", "ResourceNotFound")


class _Aborted(Exception):
    """The other side gave up (client gone, size limit, upload failed): stop."""


class _QueueReader(io.RawIOBase):
    """The file-like object minio's ``put_object`` reads from, fed by the request handler
    through a small bounded queue: at most a few buffers wait, whatever the upload size."""

    def __init__(self) -> None:
        super().__init__()
        self.queue: queue.Queue[bytes] = queue.Queue(maxsize=QUEUE_DEPTH)
        self.pending = b""
        self.done = False
        self.aborted = threading.Event()  # set by the producer when it gives up
        self.consumer_dead = threading.Event()  # set when the upload has ended

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
        """From a worker thread: wait for room unless the upload has ended."""
        while True:
            if self.consumer_dead.is_set():
                raise _Aborted
            try:
                self.queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue


def http_client() -> urllib3.PoolManager:
    """Short connect timeout and few retries: a dead S3 server must turn into a 503
    quickly instead of minio's default retry loop holding the request."""
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=5, read=60),
        maxsize=16,
        retries=urllib3.Retry(
            total=2,
            connect=1,
            read=1,
            backoff_factor=0.2,
            status_forcelist=[500, 502, 503, 504],
        ),
    )


class S3Store:
    """Blobs as objects ``blobs/<sha[:2]>/<sha>`` in one bucket; uploads go to
    ``tmp/<uuid>`` first and are then copied to their key."""

    def __init__(self, client: Minio, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Store:
        """Build the client; create the bucket when missing. An unreachable server is not
        an error here (the app starts; ``check()`` and readiness report it)."""
        parts = urlsplit(settings.storage_url)
        bucket = parts.path.strip("/")
        try:
            check_bucket_name(bucket)
        except ValueError:
            raise SettingsError(
                "STORAGE_URL", f"{bucket!r} is not a bucket name (s3://host:port/bucket)"
            ) from None
        host = parts.hostname or ""
        host = f"[{host}]" if ":" in host else host  # IPv6 literal
        region = parse_qs(parts.query).get("region", [None])[0]
        client = Minio(
            f"{host}:{parts.port}" if parts.port else host,
            access_key=unquote(parts.username) if parts.username else settings.s3_access_key,
            secret_key=unquote(parts.password) if parts.password else settings.s3_secret_key,
            secure=parts.scheme in ("s3s", "https"),
            region=region,
            http_client=http_client(),
        )
        store = cls(client, bucket)
        try:
            if not client.bucket_exists(bucket):
                client.make_bucket(bucket)
        except Exception:  # noqa: S110 - start-up must not depend on S3: /readyz reports it
            pass
        return store

    # -- writing -------------------------------------------------------------------

    def _commit(self, tmp: str, info: BlobInfo) -> BlobInfo:
        """Copy the temporary object to its content key (unless the same blob is already
        there) and remove the temporary object."""
        key = blob_key(info.sha256)
        try:
            # Copied even when the blob is there already: the copy is its new last write,
            # from which the storage sweep's grace period runs (a server-side copy).
            if info.size > COPY_LIMIT:
                self.client.compose_object(self.bucket, key, [ComposeSource(self.bucket, tmp)])
            else:
                self.client.copy_object(self.bucket, key, CopySource(self.bucket, tmp))
        finally:
            self._remove_quietly(tmp)
        return info

    def _remove_quietly(self, key: str) -> None:
        # Best effort: with the server down this fails too; a sweep of tmp/ finishes it.
        with contextlib.suppress(Exception):
            self.client.remove_object(self.bucket, key)

    async def put_stream(
        self, chunks: AsyncIterator[bytes], *, max_bytes: int | None = None
    ) -> BlobInfo:
        tmp = f"tmp/{uuid.uuid4().hex}"
        reader = _QueueReader()
        hasher = Hasher(max_bytes)
        upload_failed: list[BaseException] = []
        produce_failed: list[Exception] = []
        # At most 10,000 parts: raise the part size only for huge limits.
        part_size = max(PART_SIZE, -(-(max_bytes or 0) // 10_000))

        def upload() -> None:  # in a worker thread
            try:
                self.client.put_object(
                    self.bucket,
                    tmp,
                    reader,  # type: ignore[arg-type]
                    length=-1,
                    part_size=part_size,
                    num_parallel_uploads=1,
                )
            except BaseException as exc:  # minio aborts its multipart upload first
                upload_failed.append(exc)
            finally:
                reader.consumer_dead.set()

        async def produce() -> None:
            finished = False
            try:
                pending: list[bytes] = []
                size = 0
                async for chunk in chunks:
                    hasher.add(chunk)
                    pending.append(chunk)
                    size += len(chunk)
                    if size >= FEED_SIZE:
                        await anyio.to_thread.run_sync(reader.feed, b"".join(pending))
                        pending, size = [], 0
                if size:
                    await anyio.to_thread.run_sync(reader.feed, b"".join(pending))
                await anyio.to_thread.run_sync(reader.feed, _EOF)
                finished = True
            except _Aborted:
                finished = True  # the upload ended early: its error is raised below
            except Exception as exc:  # client gone, size limit
                produce_failed.append(exc)
            finally:
                if not finished:  # also on cancellation: the uploader must stop waiting
                    reader.aborted.set()

        try:
            # Errors are collected rather than raised inside the task group, so callers see
            # the original exception and not an exception group.
            async with anyio.create_task_group() as tg:
                tg.start_soon(anyio.to_thread.run_sync, upload)
                await produce()
            if produce_failed:
                raise produce_failed[0]
            if upload_failed:
                raise unavailable() from upload_failed[0]
        except BaseException:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self._remove_quietly, tmp)
            raise
        try:
            return await anyio.to_thread.run_sync(self._commit, tmp, hasher.info())
        except errors.DomainError:
            raise
        except Exception as exc:
            raise unavailable() from exc

    def put_bytes(self, data: bytes) -> BlobInfo:
        info = BlobInfo(hashlib.sha256(data).hexdigest(), len(data))
        tmp = f"tmp/{uuid.uuid4().hex}"
        try:
            self.client.put_object(self.bucket, tmp, io.BytesIO(data), len(data))
            return self._commit(tmp, info)
        except errors.DomainError:
            self._remove_quietly(tmp)
            raise
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
    ) -> AsyncGenerator[bytes, None]:
        info = await anyio.to_thread.run_sync(self.stat, sha256)
        if info is None:
            raise missing(sha256)
        last = check_range(start, end, info.size)
        if last < start:  # an empty blob
            return
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
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise unavailable() from exc
        finally:
            response.close()
            response.release_conn()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise corrupted(sha256)
        return data

    def stat(self, sha256: str) -> BlobInfo | None:
        key = blob_key(sha256)
        try:
            found = self.client.stat_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in _NOT_FOUND:
                return None
            raise unavailable() from exc
        except Exception as exc:
            raise unavailable() from exc
        return BlobInfo(sha256, int(found.size or 0))

    def delete(self, sha256: str) -> None:
        key = blob_key(sha256)
        try:
            self.client.remove_object(self.bucket, key)
        except Exception as exc:
            raise unavailable() from exc

    def presigned_url(
        self, sha256: str, *, expires: timedelta, filename: str, content_type: str
    ) -> str | None:
        """Signed locally; only the first call per bucket may ask the server its region
        (``from_settings`` normally did already)."""
        key = blob_key(sha256)
        inline = content_type == "application/pdf"
        try:
            url: str = self.client.presigned_get_object(
                self.bucket,
                key,
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
            exists = self.client.bucket_exists(self.bucket)
        except Exception as exc:
            raise unavailable() from exc
        if not exists:
            raise unavailable()

    def iter_keys(self) -> Iterator[str]:
        try:
            for obj in self.client.list_objects(self.bucket, prefix="blobs/", recursive=True):
                name = (obj.object_name or "").rsplit("/", 1)[-1]
                if is_sha(name):
                    yield name
        except Exception as exc:
            raise unavailable() from exc

    def list_blobs(self) -> Iterator[Listed]:
        try:
            for obj in self.client.list_objects(self.bucket, prefix="blobs/", recursive=True):
                name = (obj.object_name or "").rsplit("/", 1)[-1]
                if is_sha(name):
                    yield Listed(name, int(obj.size or 0), obj.last_modified)
        except Exception as exc:
            raise unavailable() from exc

    def list_leftovers(self) -> Iterator[Listed]:
        try:
            for obj in self.client.list_objects(self.bucket, prefix="tmp/", recursive=True):
                name = obj.object_name or ""
                if name.startswith("tmp/") and not obj.is_dir:
                    yield Listed(name.removeprefix("tmp/"), int(obj.size or 0), obj.last_modified)
            yield from self._unfinished_uploads()
        except Exception as exc:
            raise unavailable() from exc

    def _unfinished_uploads(self) -> Iterator[Listed]:
        """ListMultipartUploads, page by page. minio has no public call for it (its
        ``put_object`` aborts its own uploads, but not when the process is killed)."""
        for prefix in ("tmp/", "blobs/"):  # our only keys; some servers want a prefix
            key_marker: str | None = None
            id_marker: str | None = None
            while True:
                page = self.client._list_multipart_uploads(
                    self.bucket,
                    prefix=prefix,
                    key_marker=key_marker,
                    upload_id_marker=id_marker,
                    max_uploads=1000,
                )
                for upload in page.uploads:
                    yield Listed(upload.object_name, 0, upload.initiated_time, upload.upload_id)
                if not page.is_truncated or not page.uploads:
                    break
                key_marker, id_marker = page.uploads[-1].object_name, page.uploads[-1].upload_id

    def remove_leftover(self, item: Listed) -> None:
        try:
            if item.upload_id is not None:
                self.client._abort_multipart_upload(self.bucket, item.name, item.upload_id)
            else:
                self.client.remove_object(self.bucket, "tmp/" + item.name)
        except S3Error as exc:
            if exc.code not in (*_NOT_FOUND, "NoSuchUpload"):
                raise unavailable() from exc
        except Exception as exc:
            raise unavailable() from exc


def _next_or_none(pieces: Iterator[bytes]) -> bytes | None:
    return next(pieces, None)
