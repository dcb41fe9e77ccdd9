"""Running the meeting: start, move the agenda (the chair or the secretary), end. Each
change is stored as a numbered event for the tablets."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from ecabinet.core import audit, errors
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Subject
from ecabinet.core.types import utcnow
from ecabinet.meetings import access, events
from ecabinet.meetings.access import MeetingView
from ecabinet.meetings.attendance import quorum
from ecabinet.meetings.models import Meeting, MeetingEvent
from ecabinet.meetings.service import documents_of, item_of, items_of
from ecabinet.meetings.states import MeetingState, move, require


def start(session: Session, actor: Actor, subject: Subject, view: MeetingView) -> Meeting:
    """Open the meeting on its first agenda item."""
    access.require_runs(subject, view)
    meeting = view.meeting
    meeting.state = move("start", meeting.state).value
    meeting.started_at = utcnow()
    items = items_of(session, view.id)
    if items:
        meeting.current_item_id = items[0].id
        items[0].started_at = meeting.started_at
        session.add(items[0])
    session.add(meeting)
    session.flush()
    audit.record(session, actor, "meeting.start", "meeting", view.id, meeting.title[:200])
    events.record(
        session,
        view.id,
        "started",
        {
            "item_id": meeting.current_item_id,
            "quorum": quorum(view).as_dict(),
        },
    )
    return meeting


def move_agenda(
    session: Session, actor: Actor, subject: Subject, view: MeetingView, item_id: int
) -> Meeting:
    """Move the meeting to another agenda item: the previous one ends, this one starts."""
    access.require_runs(subject, view)
    require(view.meeting.state, MeetingState.in_progress)
    item = item_of(session, view, item_id)
    meeting = view.meeting
    if meeting.current_item_id == item.id:
        raise errors.Conflict(
            "meeting.same_item",
            "Cuộc họp đang ở nội dung này.",
            "The meeting is already on this item.",
        )
    now = utcnow()
    if meeting.current_item_id is not None:
        current = item_of(session, view, meeting.current_item_id)
        current.ended_at = now
        session.add(current)
    item.started_at = item.started_at or now
    item.ended_at = None
    meeting.current_item_id = item.id
    session.add(item)
    session.add(meeting)
    session.flush()
    audit.record(session, actor, "meeting.agenda_move", "meeting", view.id, item.title[:200])
    events.record(
        session,
        view.id,
        "agenda",
        {"item_id": item.id, "position": item.position, "title": item.title},
    )
    return meeting


def end(
    session: Session, actor: Actor, subject: Subject, view: MeetingView, conclusions: str = ""
) -> Meeting:
    """Close the meeting; the item under discussion ends with it."""
    access.require_runs(subject, view)
    meeting = view.meeting
    meeting.state = move("end", meeting.state).value
    meeting.ended_at = utcnow()
    if meeting.current_item_id is not None:
        current = item_of(session, view, meeting.current_item_id)
        current.ended_at = meeting.ended_at
        session.add(current)
    if conclusions:
        meeting.conclusions = conclusions[:20000]
    session.add(meeting)
    session.flush()
    audit.record(session, actor, "meeting.end", "meeting", view.id, meeting.title[:200])
    events.record(session, view.id, "ended", {})
    return meeting


MAX_PAGE = 100_000


def present(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: MeetingView,
    document_id: int,
    page: int,
) -> dict[str, Any]:
    """Show a page of a meeting document to everyone following the presenter: the chair,
    the secretary, or the presenter of the item under discussion."""
    meeting = view.meeting
    current = item_of(session, view, meeting.current_item_id) if meeting.current_item_id else None
    presenter = current is not None and current.presenter_id == subject.user_id
    access.require(
        subject,
        view,
        access.runs(subject, view) or presenter,
        "người chủ trì, thư ký hoặc người trình bày",
        "the chair, the secretary or the presenter",
    )
    require(meeting.state, MeetingState.in_progress)
    if not any(d.id == document_id for d in documents_of(session, view.id)):
        raise errors.NotFound.of("tài liệu", "Document", "meeting.document_not_found")
    if not 1 <= page <= MAX_PAGE:
        raise errors.InvalidInput(
            "meeting.bad_page", "Số trang không hợp lệ.", "The page number is out of range."
        )
    shown = {"user_id": subject.user_id, "document_id": document_id, "page": page}
    audit.record(
        session, actor, "meeting.present", "meeting", view.id, f"document {document_id} p.{page}"
    )
    events.record(session, view.id, "present", shown)
    return shown


# Events after which nobody presents until the next page is shown (a tablet replaying the
# events forgets the presenter's page on each of them: meetings/room.ts).
_PRESENTING_ENDS = ("agenda", "started", "ended")


def presenting(session: Session, meeting_id: int) -> dict[str, Any] | None:
    """The page last shown by the presenter (what a tablet in follow mode displays), unless
    the agenda moved on since."""
    last = session.exec(
        select(MeetingEvent)
        .where(
            MeetingEvent.meeting_id == meeting_id,
            col(MeetingEvent.kind).in_(("present", *_PRESENTING_ENDS)),
        )
        .order_by(col(MeetingEvent.seq).desc())
        .limit(1)
    ).first()
    return events.as_message(last)["data"] if last is not None and last.kind == "present" else None
