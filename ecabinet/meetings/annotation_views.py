"""Reading annotations on meeting documents: what a member may see on a document
version, one of them (what a tablet fetches when the room's event names it), and a
member's own for their annotated copy; each as the API returns it (:func:`describe`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from ecabinet.core import errors
from ecabinet.core.policy import Subject
from ecabinet.core.users import User
from ecabinet.meetings import access, annotate, annotation_pages
from ecabinet.meetings.access import MeetingView
from ecabinet.meetings.annotation_input import from_json
from ecabinet.meetings.annotation_models import Annotation, AnnotationShare
from ecabinet.meetings.annotation_pages import document_of


@dataclass(frozen=True)
class Download:
    """What a member's annotated copy is made of."""

    sha256: str
    """The document version's PDF."""
    title: str
    member: str
    annotations: tuple[annotate.Annotation, ...]
    """The member's own annotations, oldest first (drawn in that order)."""

    @property
    def filename(self) -> str:
        """``<title> (ghi chú).pdf``."""
        title = " ".join(self.title.split())
        if title.lower().endswith(".pdf"):
            title = title[:-4].rstrip()
        return f"{title[:200] or 'tai-lieu'} (ghi chú).pdf"


def visible(
    session: Session, subject: Subject, view: MeetingView, document_id: int
) -> list[dict[str, Any]]:
    """The annotations of a document version the subject may see, oldest first: their
    own, those shared with everyone, those shared with them by name. Each is ``{id,
    meeting_id, document_id, client_id, page, kind, body, visibility, shared_with,
    author_id, author_name, created_at, updated_at}`` (times in ISO 8601)."""
    access.require_visible(subject, view)
    doc = document_of(session, view, document_id)
    me = subject.user_id
    mine_by_name = select(AnnotationShare.annotation_id).where(AnnotationShare.user_id == me)
    rows = session.exec(
        select(Annotation)
        .where(
            Annotation.document_id == doc.id,
            col(Annotation.deleted_at).is_(None),
            or_(
                col(Annotation.author_id) == me,
                col(Annotation.visibility) == "everyone",
                and_(
                    col(Annotation.visibility) == "named",
                    col(Annotation.id).in_(mine_by_name),
                ),
            ),
        )
        .order_by(col(Annotation.id))
    ).all()
    return describe(session, list(rows))


def one(session: Session, user_id: int, meeting_id: int, annotation_id: int) -> dict[str, Any]:
    """One annotation of the meeting the user may see now (as :func:`visible` lists it):
    what every tablet fetches when the room's event names a new revision, so only the
    user's own seat is read (:func:`~ecabinet.meetings.access.load_seat`), not the whole
    meeting nor their roles. A stranger to the meeting gets a 404 ``meeting.not_found``; a
    deleted annotation, or one they may not see, a 404 ``annotation.not_found``."""
    view = access.load_seat(session, meeting_id, user_id)
    access.require_takes_part(view, user_id)
    row = session.get(Annotation, annotation_id)
    if (
        row is None
        or row.meeting_id != view.id
        or row.deleted_at is not None
        or not sees(session, row, user_id)
    ):
        raise errors.NotFound.of("ghi chú", "Annotation", "annotation.not_found")
    return describe(session, [row])[0]


def for_download(
    session: Session, subject: Subject, view: MeetingView, document_id: int
) -> Download:
    """What the subject's annotated copy of a document version holds: their own
    annotations only, whatever their visibility. Colleagues' shared notes stay out on
    purpose: the copy is titled as the member's ("ghi chú của …") and may be printed or
    passed on, so it must not put others' words under their name."""
    access.require_visible(subject, view)
    doc = document_of(session, view, document_id)
    rows = session.exec(
        select(Annotation)
        .where(
            Annotation.document_id == doc.id,
            Annotation.author_id == subject.user_id,
            col(Annotation.deleted_at).is_(None),
        )
        .order_by(col(Annotation.id))
    ).all()
    sha256 = annotation_pages.blob_sha256(session, doc)
    return Download(
        sha256=sha256,
        title=doc.title,
        member=subject.user.full_name,
        annotations=tuple(from_json(r.kind, r.page, r.body) for r in rows),
    )


def sees(session: Session, row: Annotation, user_id: int) -> bool:
    if row.author_id == user_id:
        return True
    if row.deleted_at is not None:
        return False
    if row.visibility == "everyone":
        return True
    return session.get(AnnotationShare, (row.id, user_id)) is not None


def share_ids(session: Session, ids: list[int]) -> dict[int, frozenset[int]]:
    found: dict[int, set[int]] = {}
    for start in range(0, len(ids), 500):
        for share in session.exec(
            select(AnnotationShare).where(
                col(AnnotationShare.annotation_id).in_(ids[start : start + 500])
            )
        ):
            found.setdefault(share.annotation_id, set()).add(share.user_id)
    return {k: frozenset(v) for k, v in found.items()}


def describe(session: Session, rows: list[Annotation]) -> list[dict[str, Any]]:
    named = [r.id for r in rows if r.visibility == "named" and r.id is not None]
    shares = share_ids(session, named)
    authors = sorted({r.author_id for r in rows})
    names = dict(
        session.exec(select(User.id, User.full_name).where(col(User.id).in_(authors))).all()
    )
    return [
        {
            "id": r.id,
            "meeting_id": r.meeting_id,
            "document_id": r.document_id,
            "client_id": r.client_id,
            "page": r.page,
            "kind": r.kind,
            "body": json.loads(r.body),
            "visibility": r.visibility,
            "shared_with": sorted(shares.get(r.id or 0, frozenset())),
            "author_id": r.author_id,
            "author_name": names.get(r.author_id, ""),
            "revision": r.revision,
            "created_at": r.created_at.isoformat(),
            "updated_at": r.updated_at.isoformat(),
        }
        for r in rows
    ]
