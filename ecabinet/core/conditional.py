"""Conditional GET for the public answers (the public pages, feeds and sitemap, and the
open-data API). Every publication, withdrawal or expiry appends to the publication log,
so the log's size with the path and query names a version of any public answer: a repeat
visit costs one small query and a 304. Plain values in and out, so that both adapters
(``ecabinet.api`` and ``ecabinet.public``) build their answers from the same rule."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

Version = tuple[int, datetime | None]
"""The publication log's size and the time of its last entry."""


def check(
    request_headers: Mapping[str, str],
    target: str,
    version: Version,
    max_age: int = 60,
) -> tuple[bool, dict[str, str]]:
    """Whether the visitor's copy of ``target`` (path and query) is current at ``version``
    (If-None-Match, else If-Modified-Since: then the answer is a 304), and the headers an
    answer carries either way (ETag, Cache-Control, Last-Modified)."""
    size, changed = version
    key = f"{size}|{target}"
    etag = f'W/"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if changed is not None:
        headers["Last-Modified"] = format_datetime(changed, usegmt=True)
    match = request_headers.get("if-none-match")
    if match is not None:
        fresh = etag in (t.strip() for t in match.split(",")) or match.strip() == "*"
    else:
        fresh = changed is not None and _not_after(
            changed, request_headers.get("if-modified-since")
        )
    return fresh, headers


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
