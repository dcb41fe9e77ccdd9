"""Annotations on meeting documents (ghi chú): save and delete (reading them is
:mod:`ecabinet.meetings.annotation_views`, re-exported here).

A participant annotates one version of a meeting document. An annotation is seen by its
author only (``me``), by the author and named colleagues of the same meeting (``named``),
or by everyone who sees the meeting (``everyone``). Saving is an upsert on the tablet's
``client_id`` so that an offline tablet may send the same thing again; a deleted
annotation stays deleted whatever is re-sent later. Each change is audited (ids and
kind, never the body) and told to the tablets that may show it: a numbered meeting event
for ``everyone``, carrying a reference (id and revision, never the ink: the tablet
fetches the annotation, so the event log does not grow by a copy of the ink at every
change), and a direct message (not replayed) to the author's and named colleagues'
devices otherwise, carrying the annotation as the API returns it; only to people who
take part in the meeting now. Each member's writes and what they keep on a document
are limited (:mod:`ecabinet.meetings.annotation_quota`).

HTTP and Socket.IO share :func:`save_from_payload` and :func:`delete_from_payload`,
which check a raw dict with :mod:`ecabinet.meetings.annotation_input`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ecabinet.core import audit, errors
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Subject
from ecabinet.core.types import utcnow
from ecabinet.meetings import access, annotate, annotation_pages, annotation_quota, events
from ecabinet.meetings.access import MeetingView
from ecabinet.meetings.annotation_input import (
    MAX_BODY_BYTES,
    AnnotationIn,
    DeleteIn,
    body_json,
    parse,
    parse_delete,
    to_annotation,
    too_large,
)
from ecabinet.meetings.annotation_models import Annotation, AnnotationShare
from ecabinet.meetings.annotation_pages import document_of
from ecabinet.meetings.annotation_views import (
    Download,
    describe,
    for_download,
    one,
    sees,
    share_ids,
    visible,
)
from ecabinet.meetings.states import MeetingState, require

__all__ = [
    "MAX_PER_DOCUMENT",
    "REFERENCE",
    "AnnotationIn",
    "DeleteIn",
    "Download",
    "Saved",
    "delete_annotation",
    "delete_from_payload",
    "document_of",
    "for_download",
    "one",
    "parse",
    "save",
    "save_from_payload",
    "visible",
]

MAX_PER_DOCUMENT = 2000
"""Annotations one author may have on one document version."""
WRITABLE = tuple(s for s in MeetingState if s is not MeetingState.cancelled)
REFERENCE = (
    "id",
    "meeting_id",
    "document_id",
    "client_id",
    "author_id",
    "page",
    "kind",
    "visibility",
    "revision",
    "updated_at",
)
"""What the meeting's numbered ``annotation`` event says of an annotation: which one and
which revision, never its content (fetch it: ``GET …/annotations/{id}``)."""


@dataclass(frozen=True)
class Saved:
    annotation: dict[str, Any]
    """As the API returns it (see :func:`visible`)."""
    created: bool
    """False for an update, or a re-send of what was already saved."""


@dataclass(frozen=True)
class _Audience:
    visibility: str
    people: frozenset[int]
    """The author and the named colleagues."""


def save_from_payload(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: MeetingView,
    payload: object,
    *,
    page_count: int | None = None,
) -> dict[str, Any]:
    """Check a tablet's dict (``{meeting_id, document_id, client_id, page, kind, body,
    visibility, shared_with}``) and :func:`save` it; returns the annotation as the API
    does. ``page_count``: as :func:`save` takes it."""
    return save(session, actor, subject, view, parse(payload), page_count=page_count).annotation


def delete_from_payload(
    session: Session, actor: Actor, subject: Subject, view: MeetingView, payload: object
) -> dict[str, Any]:
    """Check a tablet's dict (``{meeting_id, id}`` or ``{meeting_id, client_id}``) and
    :func:`delete_annotation`; returns what :func:`delete_annotation` returns."""
    data = parse_delete(payload)
    _same_meeting(view, data.meeting_id)
    return delete_annotation(
        session, actor, subject, view, annotation_id=data.id, client_id=data.client_id
    )


def save(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: MeetingView,
    data: AnnotationIn,
    *,
    page_count: int | None = None,
) -> Saved:
    """Create the subject's annotation, or update the one with the same ``client_id``.
    The first annotation of a document needs its pages, counted before this transaction
    (:func:`~ecabinet.meetings.annotation_pages.count_unknown`) and given as
    ``page_count``; without them it is a 503 ``annotation.pages_unknown``.

    Refuses (nothing stored): strangers to the meeting (404), a document of another
    meeting (404), what :func:`~ecabinet.meetings.annotate.validate` refuses (422
    ``annotation.*``: too many points, bad colour, no such page...), named colleagues
    who do not take part in the meeting (422 ``annotation.not_participant``), a
    ``client_id`` already used for another document or kind or for a deleted annotation
    (409), more than :data:`MAX_PER_DOCUMENT` annotations (409 ``annotation.too_many``),
    what :func:`~ecabinet.meetings.annotation_quota.charge` refuses (429
    ``annotation.rate_limited``, 409 ``annotation.quota_full``).
    Sending the same thing again changes nothing, tells nobody and is not counted.
    """
    access.require_visible(subject, view)
    _same_meeting(view, data.meeting_id)
    require(view.meeting.state, *WRITABLE)
    doc = document_of(session, view, data.document_id)
    assert doc.id is not None
    shape = to_annotation(data)
    pages = annotation_pages.resolve(session, doc, page_count=page_count)
    annotate.validate(shape, pages)
    body = body_json(shape)
    size = len(body.encode())
    if size > MAX_BODY_BYTES:
        raise too_large(size)
    shares = _shares(view, subject.user_id, data)
    row = _mine(session, subject.user_id, data.client_id)
    if row is None:
        row = _create(session, subject, view, doc.id, data, body, shares, size)
        if row is not None:
            after = _Audience(row.visibility, shares | {subject.user_id})
            audit.record(session, actor, "annotation.create", "annotation", row.id, _summary(row))
            out = describe(session, [row])[0]
            _announce(session, view, out, None, after)
            return Saved(out, created=True)
        # Another request made it first (the same tablet, retrying): update that one.
        row = _mine(session, subject.user_id, data.client_id)
        assert row is not None
    return _update(session, actor, view, row, doc.id, data, body, shares, size)


def _create(
    session: Session,
    subject: Subject,
    view: MeetingView,
    document_id: int,
    data: AnnotationIn,
    body: str,
    shares: frozenset[int],
    size: int,
) -> Annotation | None:
    """The new row, or None when the same author and ``client_id`` won a race."""
    count = session.exec(
        select(func.count())
        .select_from(Annotation)
        .where(
            Annotation.document_id == document_id,
            Annotation.author_id == subject.user_id,
            col(Annotation.deleted_at).is_(None),
        )
    ).one()
    if count >= MAX_PER_DOCUMENT:
        raise errors.Conflict(
            "annotation.too_many",
            f"Bạn đã có {count} ghi chú trên tài liệu này (tối đa {MAX_PER_DOCUMENT}).",
            f"You have {count} annotations on this document (at most {MAX_PER_DOCUMENT}).",
            {"count": int(count), "limit": MAX_PER_DOCUMENT},
        )
    annotation_quota.charge(session, document_id, subject.user_id, written=size, kept_delta=size)
    now = utcnow()
    row = Annotation(
        meeting_id=view.id,
        document_id=document_id,
        author_id=subject.user_id,
        client_id=data.client_id,
        kind=data.kind,
        page=data.page,
        body=body,
        visibility=data.visibility,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    assert row.id is not None
    session.add_all(AnnotationShare(annotation_id=row.id, user_id=u) for u in sorted(shares))
    session.flush()
    return row


def _update(
    session: Session,
    actor: Actor,
    view: MeetingView,
    row: Annotation,
    document_id: int,
    data: AnnotationIn,
    body: str,
    shares: frozenset[int],
    size: int,
) -> Saved:
    assert row.id is not None
    if row.deleted_at is not None:
        raise errors.Conflict(
            "annotation.deleted",
            "Ghi chú này đã bị xóa.",
            "This annotation has been deleted.",
            {"id": row.id, "client_id": row.client_id},
        )
    if (row.document_id, row.kind) != (document_id, data.kind):
        raise errors.Conflict(
            "annotation.client_id_reused",
            "Mã ghi chú (client_id) đã dùng cho một ghi chú khác.",
            "This client_id belongs to another annotation.",
            {"id": row.id, "document_id": row.document_id, "kind": row.kind},
        )
    old_shares = share_ids(session, [row.id]).get(row.id, frozenset())
    if (row.page, row.body, row.visibility, old_shares) == (
        data.page,
        body,
        data.visibility,
        shares,
    ):
        return Saved(describe(session, [row])[0], created=False)
    before = _Audience(row.visibility, old_shares | {row.author_id})
    kept = size - len(row.body.encode())
    annotation_quota.charge(session, document_id, row.author_id, written=size, kept_delta=kept)
    row.page, row.body, row.visibility = data.page, body, data.visibility
    row.revision += 1
    row.updated_at = utcnow()
    session.add(row)
    if old_shares != shares:
        session.execute(delete(AnnotationShare).where(col(AnnotationShare.annotation_id) == row.id))
        session.add_all(AnnotationShare(annotation_id=row.id, user_id=u) for u in sorted(shares))
    session.flush()
    audit.record(session, actor, "annotation.update", "annotation", row.id, _summary(row))
    out = describe(session, [row])[0]
    _announce(session, view, out, before, _Audience(row.visibility, shares | {row.author_id}))
    return Saved(out, created=False)


def delete_annotation(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: MeetingView,
    *,
    annotation_id: int | None = None,
    client_id: str | None = None,
) -> dict[str, Any]:
    """Delete one of the subject's annotations (by ``annotation_id``, or by their own
    ``client_id``); returns ``{id, meeting_id, document_id, client_id, author_id}``.
    Only the author may (403 for others who see it, 404 for others who do not); deleting
    it again changes nothing."""
    access.require_visible(subject, view)
    require(view.meeting.state, *WRITABLE)
    me = subject.user_id
    if annotation_id is not None:
        row = session.get(Annotation, annotation_id)
    else:
        row = _mine(session, me, (client_id or "").lower())
    if row is None or row.meeting_id != view.id or not sees(session, row, me):
        raise errors.NotFound.of("ghi chú", "Annotation", "annotation.not_found")
    assert row.id is not None
    gone = {
        "id": row.id,
        "meeting_id": row.meeting_id,
        "document_id": row.document_id,
        "client_id": row.client_id,
        "author_id": row.author_id,
    }
    if row.author_id != me:
        raise errors.PermissionDenied(
            "annotation.not_author",
            "Chỉ người viết mới được xóa ghi chú này.",
            "Only its author may delete this annotation.",
        )
    if row.deleted_at is not None:
        return gone
    shares = share_ids(session, [row.id]).get(row.id, frozenset())
    freed = -len(row.body.encode())
    annotation_quota.charge(session, row.document_id, me, written=0, kept_delta=freed)
    row.deleted_at = row.updated_at = utcnow()
    row.body = "{}"  # the tombstone keeps no content
    session.add(row)
    session.execute(delete(AnnotationShare).where(col(AnnotationShare.annotation_id) == row.id))
    session.flush()
    audit.record(session, actor, "annotation.delete", "annotation", row.id, _summary(row))
    if row.visibility == "everyone":
        events.record(session, view.id, "annotation_deleted", gone)
    else:
        _direct(session, view, shares | {me}, "annotation_deleted", gone)
    return gone


def _same_meeting(view: MeetingView, meeting_id: int | None) -> None:
    if meeting_id is not None and meeting_id != view.id:
        raise errors.InvalidInput(
            "annotation.wrong_meeting",
            "Ghi chú gửi kèm mã cuộc họp khác.",
            "The annotation names another meeting.",
            {"meeting_id": meeting_id},
        )


def _shares(view: MeetingView, author_id: int, data: AnnotationIn) -> frozenset[int]:
    """The named colleagues (the author is not one), all of them in the meeting."""
    if data.visibility != "named":
        if data.shared_with:
            raise errors.InvalidInput(
                "annotation.bad_share",
                "Chỉ ghi chú chia sẻ với người được chọn (named) mới có danh sách người nhận.",
                "Only an annotation shared with named colleagues (named) lists people.",
            )
        return frozenset()
    people = frozenset(data.shared_with) - {author_id}
    if not people:
        raise errors.InvalidInput(
            "annotation.no_colleague",
            "Hãy chọn ít nhất một người để chia sẻ ghi chú.",
            "Choose at least one colleague to share the annotation with.",
        )
    outsiders = sorted(u for u in people if not access.takes_part(view, u))
    if outsiders:
        raise errors.InvalidInput(
            "annotation.not_participant",
            "Chỉ chia sẻ ghi chú được với người dự cuộc họp này.",
            "Annotations can be shared only with people taking part in this meeting.",
            {"user_ids": outsiders},
        )
    return people


def _mine(session: Session, author_id: int, client_id: str) -> Annotation | None:
    return session.exec(
        select(Annotation).where(
            Annotation.author_id == author_id, Annotation.client_id == client_id
        )
    ).first()


def _announce(
    session: Session,
    view: MeetingView,
    out: dict[str, Any],
    before: _Audience | None,
    after: _Audience,
) -> None:
    """Tell whoever may now see the annotation, and whoever no longer may (first, so a
    tablet that still may see it gets the removal before the new version). The room's
    numbered event is a reference (:data:`REFERENCE`): the tablets fetch the content."""
    if before is not None:
        gone = {k: out[k] for k in ("id", "meeting_id", "document_id", "client_id", "author_id")}
        if before.visibility == "everyone" and after.visibility != "everyone":
            events.record(session, view.id, "annotation_deleted", gone)
        elif before.visibility != "everyone" and after.visibility != "everyone":
            lost = before.people - after.people
            if lost:
                _direct(session, view, lost, "annotation_deleted", gone)
    if after.visibility == "everyone":
        events.record(session, view.id, "annotation", {k: out[k] for k in REFERENCE})
    else:
        _direct(session, view, after.people, "annotation", out)


def _direct(
    session: Session, view: MeetingView, people: frozenset[int], kind: str, data: dict[str, Any]
) -> None:
    """A direct message to those of ``people`` who still take part in the meeting (a
    colleague named earlier may have been removed since)."""
    present = sorted(u for u in people if access.takes_part(view, u))
    if present:
        events.direct(session, present, kind, data)


def _summary(row: Annotation) -> str:
    return (
        f"{row.kind} meeting {row.meeting_id} document {row.document_id} page {row.page}"
        f" {row.visibility} client {row.client_id}"
    )
