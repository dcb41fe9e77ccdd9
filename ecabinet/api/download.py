"""Streaming a stored blob over HTTP: ranges, ETag, safe Content-Disposition.

A download completes or fails visibly. The store is asked for the first chunk before the
status line is sent, so a store that is away (or a blob that is missing) is a 503 (404)
with the usual JSON error; a store that fails later cuts the connection before the end
of the declared ``Content-Length``, so the client sees a short read, never a complete
looking 200.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Send

from ecabinet.core import errors
from ecabinet.core.files import StoredFile
from ecabinet.core.storage import ObjectStore, content_disposition, missing

log = logging.getLogger("ecabinet.http")

_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "text/plain"})


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """``(start, end)`` inclusive for one satisfiable range; ``None`` to send everything;
    ``"unsatisfiable"`` for a range past the end. Multi-range requests get everything."""
    if not header:
        return None
    match = _RANGE_RE.match(header.strip())
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        n = int(last)
        if n == 0:
            return "unsatisfiable"
        return (max(0, size - n), size - 1) if size else "unsatisfiable"
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        return "unsatisfiable"
    return (start, end)


async def file_response(
    request: Request, store: ObjectStore, stored: StoredFile, filename: str | None = None
) -> Response:
    """Stream a stored file under ``filename`` (else its own name) and its own type (see
    :func:`blob_response`)."""
    return await blob_response(
        request,
        store,
        sha256=stored.sha256,
        size=stored.size,
        content_type=stored.content_type,
        filename=filename or stored.filename,
    )


async def blob_response(
    request: Request,
    store: ObjectStore,
    *,
    sha256: str,
    size: int,
    content_type: str,
    filename: str,
) -> Response:
    """Stream a blob; supports ``Range`` and ``If-None-Match`` (the ETag is the SHA-256).
    Raises the store's error (503, 404) when it fails before the first byte."""
    inline = content_type in INLINE_TYPES
    headers = {
        "ETag": f'"{sha256}"',
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, max-age=0, must-revalidate",
        "Content-Disposition": content_disposition(filename, inline),
        "X-Content-Type-Options": "nosniff",
    }
    if content_type not in INLINE_TYPES:
        headers["Content-Security-Policy"] = "sandbox"
    if request.headers.get("if-none-match", "").strip() in (f'"{sha256}"', f'W/"{sha256}"'):
        return Response(status_code=304, headers=headers)
    wanted = parse_range(request.headers.get("range"), size)
    if wanted == "unsatisfiable":
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    if isinstance(wanted, tuple):
        start, end = wanted
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        headers["Content-Length"] = str(end - start + 1)
        body = await started(store.stream(sha256, start=start, end=end))
        return BlobStream(body, status_code=206, media_type=content_type, headers=headers)
    headers["Content-Length"] = str(size)
    if request.method == "HEAD":
        if await anyio.to_thread.run_sync(store.stat, sha256) is None:
            raise missing(sha256)
        return Response(status_code=200, media_type=content_type, headers=headers)
    body = await started(store.stream(sha256))
    return BlobStream(body, media_type=content_type, headers=headers)


async def started(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """``chunks`` with its first chunk already read: whatever the store raises on the way
    to it (unavailable, missing) is raised here, before a status line is sent."""
    source = aiter(chunks)
    try:
        first = await anext(source)
    except StopAsyncIteration:
        first = b""

    async def resumed() -> AsyncIterator[bytes]:
        if first:
            yield first
        async for chunk in source:
            yield chunk

    return resumed()


class BlobStream(StreamingResponse):
    """A blob's body. When the store fails after the status line was sent, the response
    ends without its last message: the server then closes the connection short of the
    ``Content-Length``, which every client reports as an incomplete body (one log line,
    no traceback)."""

    async def stream_response(self, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        try:
            async for chunk in self.body_iterator:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except errors.Unavailable as exc:
            errors.log_outage(log, "download cut short", exc)
            return
        except errors.IntegrityFailure as exc:
            log.error("download cut short: %s %s", exc.code, exc.details.get("sha256", ""))
            return
        await send({"type": "http.response.body", "body": b"", "more_body": False})
