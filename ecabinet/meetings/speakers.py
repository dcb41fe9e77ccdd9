"""Speakers (đăng ký phát biểu): a participant asks for the floor or withdraws; the chair
or the secretary grants it and ends it; start and end times are kept per agenda item."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, String
from sqlmodel import Field, Session, SQLModel, col, select

from ecabinet.core import audit, errors
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Subject
from ecabinet.core.types import UTCDateTime, utcnow
from ecabinet.meetings import access, events
from ecabinet.meetings.access import MeetingView
from ecabinet.meetings.states import MeetingState, require


class SpeakerRequest(SQLModel, table=True):
    __tablename__ = "speaker_request"
    __table_args__ = (Index("ix_speaker_request_meeting_state", "meeting_id", "state"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    item_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    user_id: int = Field(foreign_key="user.id")
    state: str = Field(default="waiting", sa_type=String(12))
    """waiting, speaking, done or withdrawn."""
    requested_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


def _running(view: MeetingView) -> None:
    require(view.meeting.state, MeetingState.in_progress)


def _mine(session: Session, view: MeetingView, user_id: int) -> SpeakerRequest | None:
    return session.exec(
        select(SpeakerRequest).where(
            SpeakerRequest.meeting_id == view.id,
            SpeakerRequest.user_id == user_id,
            col(SpeakerRequest.state).in_(("waiting", "speaking")),
        )
    ).first()


def _event(session: Session, view: MeetingView, kind: str, row: SpeakerRequest) -> None:
    events.record(
        session,
        view.id,
        kind,
        {"request_id": row.id, "user_id": row.user_id, "item_id": row.item_id, "state": row.state},
    )


def ask(session: Session, actor: Actor, subject: Subject, view: MeetingView) -> SpeakerRequest:
    """Join the queue for the item under discussion (once at a time)."""
    access.require_visible(subject, view)
    _running(view)
    if view.seat_of(subject.user_id) is None:
        raise errors.PermissionDenied(
            "meeting.not_invited",
            "Bạn không dự cuộc họp này.",
            "You do not take part in this meeting.",
        )
    if _mine(session, view, subject.user_id) is not None:
        raise errors.Conflict(
            "speaker.already_waiting",
            "Bạn đã đăng ký phát biểu.",
            "You have already asked for the floor.",
        )
    row = SpeakerRequest(
        meeting_id=view.id,
        item_id=view.meeting.current_item_id,
        user_id=subject.user_id,
        requested_at=utcnow(),
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "meeting.speaker_ask", "meeting", view.id, f"#{row.id}")
    _event(session, view, "speaker", row)
    return row


def withdraw(session: Session, actor: Actor, subject: Subject, view: MeetingView) -> SpeakerRequest:
    access.require_visible(subject, view)
    _running(view)
    row = _mine(session, view, subject.user_id)
    if row is None or row.state != "waiting":
        raise errors.Conflict(
            "speaker.not_waiting", "Bạn không có đăng ký đang chờ.", "You have no request waiting."
        )
    row.state = "withdrawn"
    row.ended_at = utcnow()
    session.add(row)
    session.flush()
    audit.record(session, actor, "meeting.speaker_withdraw", "meeting", view.id, f"#{row.id}")
    _event(session, view, "speaker", row)
    return row


def _request(session: Session, view: MeetingView, request_id: int) -> SpeakerRequest:
    row = session.get(SpeakerRequest, request_id)
    if row is None or row.meeting_id != view.id:
        raise errors.NotFound.of("đăng ký phát biểu", "Speaker request", "speaker.not_found")
    return row


def grant(
    session: Session, actor: Actor, subject: Subject, view: MeetingView, request_id: int
) -> SpeakerRequest:
    """Give the floor (the one speaking before, if any, stops)."""
    access.require_runs(subject, view)
    _running(view)
    row = _request(session, view, request_id)
    if row.state != "waiting":
        raise errors.Conflict(
            "speaker.not_waiting",
            "Đăng ký này không còn chờ.",
            "This request is no longer waiting.",
        )
    now = utcnow()
    for speaking in session.exec(
        select(SpeakerRequest).where(
            SpeakerRequest.meeting_id == view.id, SpeakerRequest.state == "speaking"
        )
    ):
        speaking.state, speaking.ended_at = "done", now
        session.add(speaking)
        _event(session, view, "speaker", speaking)
    row.state, row.started_at = "speaking", now
    row.item_id = view.meeting.current_item_id
    session.add(row)
    session.flush()
    audit.record(session, actor, "meeting.floor_grant", "meeting", view.id, f"#{row.id}")
    _event(session, view, "speaker", row)
    return row


def end_floor(
    session: Session, actor: Actor, subject: Subject, view: MeetingView, request_id: int
) -> SpeakerRequest:
    access.require_runs(subject, view)
    row = _request(session, view, request_id)
    if row.state != "speaking":
        raise errors.Conflict(
            "speaker.not_speaking",
            "Người này không đang phát biểu.",
            "This person does not have the floor.",
        )
    row.state, row.ended_at = "done", utcnow()
    session.add(row)
    session.flush()
    audit.record(session, actor, "meeting.floor_end", "meeting", view.id, f"#{row.id}")
    _event(session, view, "speaker", row)
    return row


def queue(session: Session, meeting_id: int) -> list[SpeakerRequest]:
    """Every request of the meeting in the order asked (the waiting ones are the queue)."""
    return list(
        session.exec(
            select(SpeakerRequest)
            .where(SpeakerRequest.meeting_id == meeting_id)
            .order_by(col(SpeakerRequest.id))
        )
    )
