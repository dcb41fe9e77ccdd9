"""The meeting work waiting for one person, one query per kind:

- ``rsvp``: invitations (member or guest seats) of scheduled or running meetings not yet
  answered;
- ``consultation``: open consultations they are asked in, before the deadline, with no
  answer of theirs yet;
- ``minutes``: the latest minutes of an ended meeting waiting for their signature (the
  secretary's first, then the chair's, as :func:`ecabinet.meetings.minutes.sign` asks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, col, select

from ecabinet.core.policy import Subject
from ecabinet.core.types import utcnow
from ecabinet.meetings.consultation_models import (
    Consultation,
    ConsultationAnswer,
    ConsultationMember,
)
from ecabinet.meetings.minutes_models import MinutesState, MinutesVersion
from ecabinet.meetings.models import Meeting, Participant
from ecabinet.meetings.states import MeetingState

MAX_ITEMS = 50


class MeetingWork(StrEnum):
    rsvp = "rsvp"
    consultation = "consultation"
    minutes = "minutes"


@dataclass(frozen=True)
class MeetingItem:
    """A meeting or a consultation waiting for the person."""

    id: int
    """The meeting's id (``rsvp``, ``minutes``) or the consultation's."""
    title: str
    at: datetime
    """When the meeting starts, or the consultation's deadline."""


@dataclass(frozen=True)
class MeetingQueue:
    kind: MeetingWork
    count: int
    items: list[MeetingItem]


def _queue(session: Session, kind: MeetingWork, query: object) -> MeetingQueue:
    rows = list(session.exec(query))  # type: ignore[call-overload]
    items = [MeetingItem(int(r[0]), str(r[1]), r[2]) for r in rows]
    return MeetingQueue(kind, len(items), items[:MAX_ITEMS])


def invitations(session: Session, subject: Subject) -> MeetingQueue:
    """Meetings whose invitation the subject has not answered."""
    query = (
        select(col(Meeting.id), col(Meeting.title), col(Meeting.starts_at))
        .join(Participant, col(Participant.meeting_id) == col(Meeting.id))
        .where(
            col(Participant.user_id) == subject.user_id,
            col(Participant.role).in_(["member", "guest"]),
            col(Participant.rsvp) == "pending",
            col(Meeting.state).in_([MeetingState.scheduled.value, MeetingState.in_progress.value]),
        )
        .order_by(col(Meeting.starts_at), col(Meeting.id))
    )
    return _queue(session, MeetingWork.rsvp, query)


def consultations(session: Session, subject: Subject, now: datetime | None = None) -> MeetingQueue:
    """Open consultations the subject is asked in and has not answered."""
    answered = exists().where(
        col(ConsultationAnswer.consultation_id) == col(Consultation.id),
        col(ConsultationAnswer.user_id) == subject.user_id,
    )
    query = (
        select(col(Consultation.id), col(Consultation.title), col(Consultation.deadline))
        .join(ConsultationMember, col(ConsultationMember.consultation_id) == col(Consultation.id))
        .where(
            col(ConsultationMember.user_id) == subject.user_id,
            col(Consultation.state) == "open",
            col(Consultation.deadline) > (now or utcnow()),
            ~answered,
        )
        .order_by(col(Consultation.deadline), col(Consultation.id))
    )
    return _queue(session, MeetingWork.consultation, query)


def minutes_to_sign(session: Session, subject: Subject) -> MeetingQueue:
    """Ended meetings whose latest minutes wait for the subject's signature."""
    latest = (
        select(func.max(MinutesVersion.version))
        .where(col(MinutesVersion.meeting_id) == col(Meeting.id))
        .correlate(Meeting)
        .scalar_subquery()
    )
    me = subject.user_id
    query = (
        select(col(Meeting.id), col(Meeting.title), col(Meeting.starts_at))
        .join(MinutesVersion, col(MinutesVersion.meeting_id) == col(Meeting.id))
        .where(
            col(Meeting.state) == MeetingState.ended.value,
            col(MinutesVersion.version) == latest,
            or_(
                and_(
                    col(MinutesVersion.state) == MinutesState.draft.value,
                    col(Meeting.secretary_id) == me,
                ),
                and_(
                    col(MinutesVersion.state) == MinutesState.signed_by_secretary.value,
                    col(Meeting.chair_id) == me,
                ),
            ),
        )
        .order_by(col(Meeting.starts_at), col(Meeting.id))
    )
    return _queue(session, MeetingWork.minutes, query)


def meeting_queues(session: Session, subject: Subject) -> list[MeetingQueue]:
    """Every kind of meeting work, invitations first."""
    return [
        invitations(session, subject),
        consultations(session, subject),
        minutes_to_sign(session, subject),
    ]
