"""Limits on what one member writes and keeps on one meeting document version,
whatever device, socket or process the writes come from.

The counts live in one ``annotation_quota`` row per member and document, locked and
updated in the transaction of the save that they count: two tablets saving at once
queue on the row, and a refused save changes nothing (its transaction rolls back).
Re-sending what is already saved writes nothing and is not counted; deleting frees
what the annotation kept.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from ecabinet.core import errors
from ecabinet.core.db import writing
from ecabinet.core.types import utcnow
from ecabinet.meetings.annotation_models import AnnotationQuota

WINDOW = timedelta(minutes=1)
WRITES_PER_MINUTE = 240
"""Creations and changes per member and document a minute: a quick hand draws a stroke
every second or two; a tablet re-sending one annotation over and over is stopped."""
BYTES_PER_MINUTE = 4_000_000
"""Bytes of annotation bodies written per member and document a minute (a full-size
stroke is about 120 kB: some thirty of them)."""
STORED_BYTES = 8_000_000
"""Bytes a member keeps on one document version (2,000 strokes of 4 kB)."""


def charge(
    session: Session, document_id: int, author_id: int, *, written: int, kept_delta: int
) -> None:
    """Count a write of ``written`` bytes that changes what the member keeps by
    ``kept_delta`` (``written=0``: a delete, which only frees). Raises, and counts
    nothing, when a limit would be passed: 429 ``annotation.rate_limited`` for the
    minute's writes or bytes, 409 ``annotation.quota_full`` for what is kept."""
    row = _locked(session, document_id, author_id)
    now = utcnow()
    if now - row.window_start >= WINDOW:
        row.window_start, row.writes, row.written_bytes = now, 0, 0
    kept = max(0, row.stored_bytes + kept_delta)
    if written:
        if row.writes + 1 > WRITES_PER_MINUTE or row.written_bytes + written > BYTES_PER_MINUTE:
            wait = int((row.window_start + WINDOW - now).total_seconds()) + 1
            raise errors.RateLimited(
                "annotation.rate_limited",
                f"Bạn ghi chú trên tài liệu này quá nhanh; vui lòng thử lại sau {wait} giây.",
                f"Too many annotation changes on this document; try again in {wait} s.",
                {"retry_after": wait},
            )
        if kept_delta > 0 and kept > STORED_BYTES:
            raise errors.Conflict(
                "annotation.quota_full",
                f"Ghi chú của bạn trên tài liệu này đã đến giới hạn ({STORED_BYTES // 1_000_000}"
                " MB); hãy xóa bớt ghi chú cũ.",
                f"Your annotations on this document reached the limit"
                f" ({STORED_BYTES // 1_000_000} MB); delete some first.",
                {"stored_bytes": row.stored_bytes, "limit_bytes": STORED_BYTES},
            )
        row.writes += 1
        row.written_bytes += written
    row.stored_bytes = kept
    session.add(row)
    session.flush()


def _locked(session: Session, document_id: int, author_id: int) -> AnnotationQuota:
    """The member's row for the document, locked until the transaction ends (made the
    first time, with what they already keep counted by the migration or zero)."""
    key = (document_id, author_id)
    lock = True if writing(session) else None
    row = session.get(AnnotationQuota, key, with_for_update=lock)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            session.add(
                AnnotationQuota(document_id=document_id, author_id=author_id, window_start=utcnow())
            )
            session.flush()
    except IntegrityError:  # another device of the member made it first
        pass
    row = session.get(AnnotationQuota, key, with_for_update=lock, populate_existing=True)
    assert row is not None
    return row
