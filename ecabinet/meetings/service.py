"""Preparing a meeting: create it, invite people, build the agenda with its documents,
send the invitations (schedule) or cancel. Every change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from ecabinet.core import audit, errors
from ecabinet.core.agencies import Membership
from ecabinet.core.audit import Actor
from ecabinet.core.files import StoredFile
from ecabinet.core.policy import Action, Subject, authorize
from ecabinet.core.types import utcnow
from ecabinet.meetings import access, events, notices
from ecabinet.meetings.access import MeetingView, NewMeeting
from ecabinet.meetings.models import AgendaDocument, AgendaItem, Meeting, Participant
from ecabinet.meetings.states import MeetingState, move, require

KINDS = ("regular", "extraordinary", "thematic", "working")
QUORUM_RULES = ("majority", "two_thirds", "none")
MAX_PARTICIPANTS = 500
MAX_ITEMS = 100
PREPARING = (MeetingState.draft, MeetingState.scheduled)


@dataclass(frozen=True)
class MeetingFields:
    title: str
    starts_at: datetime
    chair_id: int
    secretary_id: int
    kind: str = "regular"
    place: str = ""
    online_link: str = ""
    quorum_rule: str = "majority"
    ends_at: datetime | None = None


def _member_of(session: Session, agency_id: int, user_id: int, who_vi: str) -> None:
    found = session.exec(
        select(Membership.id).where(
            Membership.user_id == user_id, Membership.agency_id == agency_id
        )
    ).first()
    if found is None:
        raise errors.InvalidInput(
            "meeting.outsider",
            f"{who_vi} phải là người của cơ quan tổ chức cuộc họp.",
            "This person must belong to the agency holding the meeting.",
            {"user_id": user_id},
        )


def _check(fields: MeetingFields) -> None:
    if not fields.title.strip() or len(fields.title) > 500:
        raise errors.InvalidInput(
            "meeting.bad_title",
            "Tên cuộc họp là bắt buộc, tối đa 500 ký tự.",
            "The title is required, at most 500 characters.",
        )
    if fields.kind not in KINDS or fields.quorum_rule not in QUORUM_RULES:
        raise errors.InvalidInput(
            "meeting.bad_kind",
            "Loại cuộc họp hoặc quy tắc túc số không hợp lệ.",
            "Unknown meeting kind or quorum rule.",
        )
    if fields.ends_at is not None and fields.ends_at <= fields.starts_at:
        raise errors.InvalidInput(
            "meeting.bad_time",
            "Giờ kết thúc phải sau giờ bắt đầu.",
            "The end must come after the start.",
        )
    if fields.online_link and not fields.online_link.startswith(("https://", "http://")):
        raise errors.InvalidInput(
            "meeting.bad_link",
            "Đường dẫn họp trực tuyến phải là địa chỉ http(s).",
            "The online link must be an http(s) address.",
        )


def create_meeting(
    session: Session, actor: Actor, subject: Subject, *, agency_id: int, fields: MeetingFields
) -> Meeting:
    """A draft meeting; its chair and secretary are its first participants."""
    authorize(subject, Action.create, NewMeeting(agency_id))
    _check(fields)
    _member_of(session, agency_id, fields.chair_id, "Người chủ trì")
    _member_of(session, agency_id, fields.secretary_id, "Thư ký")
    meeting = Meeting(
        agency_id=agency_id,
        title=fields.title.strip(),
        kind=fields.kind,
        starts_at=fields.starts_at,
        ends_at=fields.ends_at,
        place=fields.place.strip(),
        online_link=fields.online_link.strip(),
        chair_id=fields.chair_id,
        secretary_id=fields.secretary_id,
        quorum_rule=fields.quorum_rule,
        created_by=subject.user_id,
        created_at=utcnow(),
    )
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    session.add(
        Participant(meeting_id=meeting.id, user_id=fields.chair_id, role="chair", rsvp="accepted")
    )
    if fields.secretary_id != fields.chair_id:
        session.add(
            Participant(
                meeting_id=meeting.id,
                user_id=fields.secretary_id,
                role="secretary",
                rsvp="accepted",
            )
        )
    session.flush()
    audit.record(session, actor, "meeting.create", "meeting", meeting.id, meeting.title[:300])
    return meeting


def invite(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: MeetingView,
    *,
    user_id: int,
    role: str,
) -> Participant:
    """Invite a member (who counts for quorum and votes) or a guest."""
    access.require_organiser(subject, view)
    require(view.meeting.state, *PREPARING)
    if role not in ("member", "guest"):
        raise errors.InvalidInput("meeting.bad_role", "Vai trò không hợp lệ.", "Unknown role.")
    if any(p.user_id == user_id for p in view.participants):
        raise errors.Conflict(
            "meeting.already_invited",
            "Người này đã được mời.",
            "This person is already invited.",
            {"user_id": user_id},
        )
    if len(view.participants) >= MAX_PARTICIPANTS:
        raise errors.InvalidInput(
            "meeting.too_many", "Quá nhiều người dự.", "Too many participants."
        )
    if role == "member":
        _member_of(session, view.meeting.agency_id, user_id, "Thành viên")
    elif session.exec(select(Membership.id).where(Membership.user_id == user_id)).first() is None:
        raise errors.NotFound.of("người dùng", "User", "user.not_found")
    row = Participant(meeting_id=view.id, user_id=user_id, role=role)
    session.add(row)
    session.flush()
    audit.record(session, actor, "meeting.invite", "meeting", view.id, f"{role} user {user_id}")
    return row


def add_item(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: MeetingView,
    *,
    title: str,
    presenter_id: int | None,
    planned_minutes: int,
) -> AgendaItem:
    """Append an item to the agenda."""
    access.require_organiser(subject, view)
    require(view.meeting.state, *PREPARING)
    if not title.strip() or len(title) > 500 or not 1 <= planned_minutes <= 600:
        raise errors.InvalidInput(
            "meeting.bad_item",
            "Nội dung họp cần tên (tối đa 500 ký tự) và thời lượng 1–600 phút.",
            "An agenda item needs a title (at most 500 characters) and 1–600 minutes.",
        )
    if presenter_id is not None and all(p.user_id != presenter_id for p in view.participants):
        raise errors.InvalidInput(
            "meeting.presenter_not_invited",
            "Người trình bày phải được mời dự họp.",
            "The presenter must be invited.",
        )
    count = session.exec(
        select(func.count()).select_from(AgendaItem).where(AgendaItem.meeting_id == view.id)
    ).one()
    if count >= MAX_ITEMS:
        raise errors.InvalidInput(
            "meeting.too_many_items", "Quá nhiều nội dung họp.", "Too many agenda items."
        )
    item = AgendaItem(
        meeting_id=view.id,
        position=int(count) + 1,
        title=title.strip(),
        presenter_id=presenter_id,
        planned_minutes=planned_minutes,
    )
    session.add(item)
    session.flush()
    audit.record(session, actor, "meeting.agenda_add", "meeting", view.id, item.title[:300])
    return item


def items_of(session: Session, meeting_id: int) -> list[AgendaItem]:
    query = select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
    return list(session.exec(query.order_by(col(AgendaItem.position))))


def item_of(session: Session, view: MeetingView, item_id: int) -> AgendaItem:
    item = session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != view.id:
        raise errors.NotFound.of("nội dung họp", "Agenda item", "meeting.item_not_found")
    return item


def require_pdf(head: bytes) -> None:
    """422 unless the first bytes of a file are a PDF's (meeting documents are PDFs)."""
    if not head[:1024].lstrip().startswith(b"%PDF-"):
        raise errors.InvalidInput(
            "meeting.not_pdf", "Tài liệu họp phải là tệp PDF.", "A meeting document must be a PDF."
        )


def add_document(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: MeetingView,
    *,
    item_id: int,
    stored: StoredFile,
    title: str,
    slot: int | None = None,
) -> AgendaDocument:
    """A PDF for an agenda item; with ``slot`` a new version of that document (earlier
    versions stay). The file is then owned by the meeting (read through its routes)."""
    access.require_organiser(subject, view)
    require(view.meeting.state, *PREPARING, MeetingState.in_progress)
    item = item_of(session, view, item_id)
    if stored.owner is not None or stored.agency_id != view.meeting.agency_id:
        raise errors.InvalidInput(
            "meeting.bad_file",
            "Tệp không dùng được cho cuộc họp này.",
            "The file cannot be used for this meeting.",
        )
    rows = session.exec(select(AgendaDocument).where(AgendaDocument.item_id == item.id)).all()
    if slot is None:
        slot = max((r.slot for r in rows), default=0) + 1
    elif all(r.slot != slot for r in rows):
        raise errors.NotFound.of("tài liệu", "Document", "meeting.document_not_found")
    version = max((r.version for r in rows if r.slot == slot), default=0) + 1
    stored.owner = "meeting"
    session.add(stored)
    assert item.id is not None
    doc = AgendaDocument(
        item_id=item.id,
        file_id=stored.id,
        title=(title.strip() or stored.filename)[:500],
        slot=slot,
        version=version,
        created_at=utcnow(),
    )
    session.add(doc)
    session.flush()
    audit.record(
        session, actor, "meeting.document", "meeting", view.id, f"{doc.title[:200]} v{version}"
    )
    notices.on_agenda_document(session, actor.user_id, view, doc.title, version)
    if view.meeting.state == MeetingState.in_progress.value:
        events.record(
            session,
            view.id,
            "document",
            {"item_id": item.id, "document_id": doc.id, "title": doc.title, "version": version},
        )
    return doc


def documents_of(session: Session, meeting_id: int) -> list[AgendaDocument]:
    return list(
        session.exec(
            select(AgendaDocument)
            .join(AgendaItem, col(AgendaItem.id) == AgendaDocument.item_id)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(
                col(AgendaItem.position), col(AgendaDocument.slot), col(AgendaDocument.version)
            )
        )
    )


def _transition(session: Session, actor: Actor, view: MeetingView, action: str) -> Meeting:
    view.meeting.state = move(action, view.meeting.state).value
    session.add(view.meeting)
    session.flush()
    audit.record(session, actor, f"meeting.{action}", "meeting", view.id, view.meeting.state)
    return view.meeting


def schedule(session: Session, actor: Actor, subject: Subject, view: MeetingView) -> Meeting:
    """Send the invitations: members may now answer and read the documents."""
    access.require_organiser(subject, view)
    if not items_of(session, view.id):
        raise errors.InvalidInput(
            "meeting.no_agenda", "Cuộc họp chưa có nội dung.", "The meeting has no agenda yet."
        )
    meeting = _transition(session, actor, view, "schedule")
    notices.on_schedule(session, actor.user_id, view)
    return meeting


def cancel(session: Session, actor: Actor, subject: Subject, view: MeetingView) -> Meeting:
    access.require_organiser(subject, view)
    return _transition(session, actor, view, "cancel")


def my_meetings(session: Session, subject: Subject, limit: int = 100) -> list[Meeting]:
    """The meetings the user takes part in (invited, deputy, chair, secretary) or
    organised, soonest first."""
    me = subject.user_id
    seats = select(Participant.meeting_id).where(
        (col(Participant.user_id) == me) | (col(Participant.deputy_id) == me)
    )
    query = select(Meeting).where(col(Meeting.id).in_(seats) | (col(Meeting.created_by) == me))
    return list(session.exec(query.order_by(col(Meeting.starts_at).desc()).limit(limit)))
