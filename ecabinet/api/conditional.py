"""Conditional GET for the public answers (pages, feeds, sitemap, open data). Every
publication, withdrawal or expiry appends to the publication log, so the log's size with
the path and query names a version of any public answer: a repeat visit costs one small
query and a 304."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from documents import public_queries


def check(
    request: Request, session: Session, max_age: int = 60
) -> tuple[Response | None, dict[str, str]]:
    """A 304 when the visitor's copy is current (If-None-Match, else If-Modified-Since);
    otherwise ``None`` and the headers a fresh answer carries."""
    size, changed = public_queries.version(session)
    key = f"{size}|{request.url.path}|{request.url.query}"
    etag = f'W/"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if changed is not None:
        headers["Last-Modified"] = format_datetime(changed, usegmt=True)
    match = request.headers.get("if-none-match")
    if match is not None:
        fresh = etag in (t.strip() for t in match.split(",")) or match.strip() == "*"
    else:
        fresh = changed is not None and _not_after(
            changed, request.headers.get("if-modified-since")
        )
    return (Response(status_code=304, headers=headers) if fresh else None), headers


def _not_after(changed: datetime, header: str | None) -> bool:
    if not header:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        return False
    return changed.replace(microsecond=0) <= since
