"""Notifications about meetings and consultations, in the documents' notification list
(so they reach the same in-app list, e-mail and SMS, each by the user's choice).

The invitation goes when the meeting is scheduled; a document added to the agenda of a
scheduled or running meeting notifies those who attend; one hour before the start each
attendee (a deputy instead of the member they replace) gets an urgent notice, at most
once (a unique key), which may go by SMS; a consultation's sending, reminder and closing
notify its members.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Engine, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from documents.notifications import Kind, Notification, add_notice
from ecabinet.core.db import session_scope
from ecabinet.core.types import utcnow
from ecabinet.meetings.access import MeetingView
from ecabinet.meetings.consultation_access import ConsultationView
from ecabinet.meetings.models import Meeting, Participant
from ecabinet.meetings.states import MeetingState
from signing.pdfio import VN

SOON = timedelta(hours=1)


def _when(at: datetime) -> str:
    return at.astimezone(VN).strftime("%H:%M %d/%m/%Y")


def attendees(participants: Iterable[Participant]) -> set[int]:
    """Who will sit in the room: those who did not decline, a deputy for whom they send."""
    people: set[int] = set()
    for p in participants:
        if p.rsvp == "deputy" and p.deputy_id is not None:
            people.add(p.deputy_id)
        elif p.rsvp != "declined":
            people.add(p.user_id)
    return people


def on_schedule(session: Session, actor_id: int | None, view: MeetingView) -> None:
    """The invitation, to everyone invited but the organiser who sends it."""
    m = view.meeting
    add_notice(
        session,
        Kind.invited,
        {p.user_id for p in view.participants} - {actor_id or 0},
        title_vi=f"Mời họp lúc {_when(m.starts_at)}: {m.title}",
        title_en=f"Meeting invitation, {_when(m.starts_at)}: {m.title}",
        link=f"/meetings/{view.id}",
    )


def on_agenda_document(
    session: Session, actor_id: int | None, view: MeetingView, title: str, version: int
) -> None:
    """A new agenda document (or version), once the invitations are out."""
    if view.meeting.state not in (MeetingState.scheduled.value, MeetingState.in_progress.value):
        return
    what_vi = "Tài liệu họp mới" if version == 1 else f"Tài liệu họp cập nhật (bản {version})"
    what_en = "New meeting document" if version == 1 else f"Meeting document updated (v{version})"
    add_notice(
        session,
        Kind.agenda_doc,
        attendees(view.participants) - {actor_id or 0},
        title_vi=f"{what_vi} — {view.meeting.title}: {title}",
        title_en=f"{what_en} — {view.meeting.title}: {title}",
        link=f"/meetings/{view.id}",
    )


_CONSULTATION_VI = {"sent": "Phiếu lấy ý kiến", "reminder": "Nhắc trả lời phiếu lấy ý kiến"}
_CONSULTATION_EN = {"sent": "Consultation", "reminder": "Reminder: consultation"}


def on_consultation(
    session: Session, view: ConsultationView, user_ids: Iterable[int], kind: str
) -> None:
    """A consultation sent to its members, a reminder, or its closing."""
    c = view.consultation
    due = _when(c.deadline)
    head_vi = _CONSULTATION_VI.get(kind, "Đã kết thúc lấy ý kiến")
    head_en = _CONSULTATION_EN.get(kind, "Consultation closed")
    tail_vi = f" (hạn {due})" if kind != "closed" else ""
    tail_en = f" (due {due})" if kind != "closed" else ""
    add_notice(
        session,
        Kind.consultation,
        user_ids,
        title_vi=f"{head_vi}: {c.title}{tail_vi}",
        title_en=f"{head_en}: {c.title}{tail_en}",
        link=f"/consultations/{view.id}",
    )


def notify_soon(engine: Engine, now: datetime | None = None) -> int:
    """The urgent one-hour notice of each scheduled meeting starting within the hour,
    once per attendee even when two processes run it at once. Returns how many."""
    now = now or utcnow()
    with session_scope(engine) as session:
        meetings = session.exec(
            select(Meeting).where(
                Meeting.state == MeetingState.scheduled.value,
                col(Meeting.starts_at) > now,
                col(Meeting.starts_at) <= now + SOON,
            )
        ).all()
        rows: list[dict[str, object]] = []
        for m in meetings:
            seats = session.exec(select(Participant).where(Participant.meeting_id == m.id)).all()
            for user_id in sorted(attendees(seats)):
                rows.append(
                    {
                        "user_id": user_id,
                        "kind": Kind.meeting_soon.value,
                        "title_vi": f"Họp lúc {_when(m.starts_at)}: {m.title} ({m.place})"[:500],
                        "title_en": f"Meeting at {_when(m.starts_at)}: {m.title} ({m.place})"[:500],
                        "link": f"/meetings/{m.id}",
                        "urgent": True,
                        "once_key": f"meeting_soon:{m.id}:{user_id}:{m.starts_at:%Y%m%d%H%M}",
                        "created_at": now,
                    }
                )
        if not rows:
            return 0
        table = Notification.__table__  # type: ignore[attr-defined]
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(table)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["once_key"])
            .returning(text("1"))
        )
        return len(session.execute(statement).all())
