"""Streaming a stored blob over HTTP: ranges, ETag, safe Content-Disposition."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ecabinet.core.files import StoredFile
from ecabinet.core.storage import ObjectStore, content_disposition

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


def file_response(
    request: Request, store: ObjectStore, stored: StoredFile, filename: str | None = None
) -> Response:
    """Stream a stored file under ``filename`` (else its own name) and its own type (see
    :func:`blob_response`)."""
    return blob_response(
        request,
        store,
        sha256=stored.sha256,
        size=stored.size,
        content_type=stored.content_type,
        filename=filename or stored.filename,
    )


def blob_response(
    request: Request,
    store: ObjectStore,
    *,
    sha256: str,
    size: int,
    content_type: str,
    filename: str,
) -> Response:
    """Stream a blob; supports ``Range`` and ``If-None-Match`` (the ETag is the SHA-256)."""
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
        body = store.stream(sha256, start=start, end=end)
        return StreamingResponse(body, status_code=206, media_type=content_type, headers=headers)
    headers["Content-Length"] = str(size)
    if request.method == "HEAD":
        return Response(status_code=200, media_type=content_type, headers=headers)
    return StreamingResponse(store.stream(sha256), media_type=content_type, headers=headers)
