"""The conclusion notice (thông báo kết luận): once the meeting has ended, its chair or
secretary turns the conclusions into an outgoing draft of the documents flow (type
"Thông báo"), which then goes through review, approval, signature, issue and
publication like any other. One notice per meeting, unless its document is gone."""

from __future__ import annotations

from sqlmodel import Session, col, select

from documents import outgoing, registers
from documents.access import NewDocument
from documents.fields import Fields
from documents.models import Document
from documents.states import Flow
from ecabinet.core import audit, errors, files
from ecabinet.core.agencies import Agency, Unit
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Action, Subject, can
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore
from ecabinet.core.types import utcnow
from ecabinet.core.users import User
from ecabinet.meetings import access
from ecabinet.meetings.access import MeetingView
from ecabinet.meetings.minutes import lock
from ecabinet.meetings.minutes_gather import attendance, place_of
from ecabinet.meetings.minutes_model import Person
from ecabinet.meetings.minutes_models import ConclusionNotice
from ecabinet.meetings.notice_pdf import NoticeData, notice_pdf, subject_line
from ecabinet.meetings.states import MeetingState, require

NOTICE_TYPE = "TB"
"""Code of "Thông báo" in ``documents/data/document_types.json``."""


def notice_of(session: Session, meeting_id: int) -> int | None:
    """The id of the meeting's conclusion notice document, while it exists."""
    row = session.get(ConclusionNotice, meeting_id)
    if row is None or row.document_id is None or session.get(Document, row.document_id) is None:
        return None
    return row.document_id


def _drafting_unit(session: Session, subject: Subject, agency_id: int) -> int | None:
    """The drafter's unit in the agency when they belong to exactly one (so the unit's
    specialists find the draft too), else none."""
    units = sorted(subject.units.get(agency_id, frozenset()))
    if len(units) != 1:
        return None
    unit = session.get(Unit, units[0])
    return units[0] if unit is not None and unit.agency_id == agency_id else None


def _data(session: Session, view: MeetingView, agency: Agency, symbol: str) -> NoticeData:
    meeting = view.meeting
    ids = sorted(
        {meeting.chair_id}
        | {p.user_id for p in view.participants}
        | {p.deputy_id for p in view.participants if p.deputy_id is not None}
    )
    rows = session.exec(select(User).where(col(User.id).in_(ids)))
    users = {u.id: u for u in rows if u.id is not None}
    chair = users[meeting.chair_id]
    present = [a.name for a in attendance(view, users) if a.status != "absent"]
    return NoticeData(
        agency_parent=agency.parent_name,
        agency_name=agency.name,
        symbol=symbol,
        place=place_of(session, agency),
        dated=utcnow(),
        meeting_title=meeting.title,
        chair=Person(chair.full_name, chair.title),
        started_at=meeting.started_at or meeting.starts_at,
        location=meeting.place,
        attendees=present,
        conclusions=meeting.conclusions,
    )


def conclusion_notice(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: MeetingView,
    store: ObjectStore,
    settings: Settings,
) -> int:
    """Draft the conclusion notice as an outgoing document of the meeting's agency, its
    PDF (made from the conclusions) as the main file; returns the document's id. The
    chair or the secretary, who must also be allowed to draft documents there."""
    access.require_runs(subject, view)
    meeting = lock(session, view)
    require(meeting.state, MeetingState.ended, MeetingState.minutes_signed)
    if not can(subject, Action.create, NewDocument(meeting.agency_id, Flow.outgoing)):
        raise errors.PermissionDenied(
            "minutes.notice_forbidden",
            "Bạn không có quyền soạn văn bản đi của cơ quan này nên không tạo được thông báo"
            " kết luận.",
            "You may not draft outgoing documents of this agency, so you cannot draft the"
            " conclusion notice.",
        )
    if not meeting.conclusions.strip():
        raise errors.Conflict(
            "minutes.no_conclusions",
            "Cuộc họp chưa có kết luận để thông báo.",
            "The meeting has no conclusions to announce yet.",
        )
    existing = notice_of(session, view.id)
    if existing is not None:
        raise errors.Conflict(
            "minutes.notice_exists",
            "Thông báo kết luận của cuộc họp này đã được tạo.",
            "The conclusion notice of this meeting has already been drafted.",
            {"document_id": existing},
        )
    kind = registers.type_by_code(session, NOTICE_TYPE)
    agency = session.get(Agency, meeting.agency_id)
    assert kind is not None and kind.id is not None and agency is not None
    data = _data(session, view, agency, f"{kind.abbreviation}-{agency.abbreviation}")
    # The blob first: a crash before the rows commit leaves an unreferenced blob only.
    blob = store.put_bytes(notice_pdf(data))
    stored = files.register_file(
        session,
        actor,
        blob=blob,
        filename=f"thong-bao-ket-luan-hop-{view.id}.pdf",
        content_type="application/pdf",
        agency_id=meeting.agency_id,
        action="file.generate",
        summary=f"thông báo kết luận / conclusion notice of meeting {view.id}",
    )
    line = subject_line(data)
    abstract = f"Thông báo {line[:1].lower()}{line[1:]}"[:2000]
    document = outgoing.create_draft(
        session,
        actor,
        subject,
        settings,
        agency_id=meeting.agency_id,
        fields=Fields(
            type_id=kind.id,
            abstract=abstract,
            place=data.place,
        ),
        drafting_unit_id=_drafting_unit(session, subject, meeting.agency_id),
        main=stored,
        pdf_text=f"{abstract}\n{meeting.conclusions}",
    )
    assert document.id is not None
    row = session.get(ConclusionNotice, view.id) or ConclusionNotice(
        meeting_id=view.id, created_at=utcnow(), created_by=subject.user_id
    )
    row.document_id = document.id
    row.created_at, row.created_by = utcnow(), subject.user_id
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "meeting.conclusion_notice",
        "meeting",
        view.id,
        f"văn bản / document {document.id}: {abstract[:150]}",
    )
    return document.id
