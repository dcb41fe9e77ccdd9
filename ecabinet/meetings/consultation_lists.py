"""Someone's consultations and their consultation notices."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from ecabinet.core.policy import Subject
from ecabinet.core.types import utcnow
from ecabinet.meetings.consultation_access import ConsultationView, load
from ecabinet.meetings.consultation_models import (
    Consultation,
    ConsultationAnswer,
    ConsultationMember,
    ConsultationNotice,
)
from ecabinet.meetings.consultations import expire, past_deadline


@dataclass(frozen=True)
class Listed:
    """One line of someone's list of consultations."""

    consultation: Consultation
    created_by_me: bool
    my_answer: str | None
    asked: int
    answered: int | None
    """How many answered: for the creator only."""


def mine(session: Session, subject: Subject, limit: int = 100) -> list[Listed]:
    """The consultations the user created or was sent, newest first (those whose deadline
    has passed are closed on the way)."""
    me = subject.user_id
    asked_me = select(ConsultationMember.consultation_id).where(ConsultationMember.user_id == me)
    rows = list(
        session.exec(
            select(Consultation)
            .where(
                (col(Consultation.created_by) == me)
                | (col(Consultation.id).in_(asked_me) & (col(Consultation.state) != "draft"))
            )
            .order_by(col(Consultation.created_at).desc(), col(Consultation.id).desc())
            .limit(limit)
        )
    )
    ids = [c.id for c in rows]
    for c in rows:
        if c.state == "open" and past_deadline(c):
            expire(session, load(session, c.id or 0))
    asked = dict(
        session.exec(
            select(ConsultationMember.consultation_id, func.count())
            .where(col(ConsultationMember.consultation_id).in_(ids))
            .group_by(col(ConsultationMember.consultation_id))
        ).all()
    )
    answered = dict(
        session.exec(
            select(ConsultationAnswer.consultation_id, func.count())
            .where(col(ConsultationAnswer.consultation_id).in_(ids))
            .group_by(col(ConsultationAnswer.consultation_id))
        ).all()
    )
    own = dict(
        session.exec(
            select(ConsultationAnswer.consultation_id, ConsultationAnswer.answer).where(
                col(ConsultationAnswer.consultation_id).in_(ids), ConsultationAnswer.user_id == me
            )
        ).all()
    )
    return [
        Listed(
            c,
            c.created_by == me,
            own.get(c.id or 0),
            int(asked.get(c.id or 0, 0)),
            int(answered.get(c.id or 0, 0)) if c.created_by == me else None,
        )
        for c in rows
    ]


def notices_for(
    session: Session, user_id: int, *, unread_only: bool, limit: int = 100
) -> tuple[list[tuple[ConsultationNotice, Consultation]], int]:
    """The user's newest consultation notices with their consultation, and how many are
    unread."""
    query = (
        select(ConsultationNotice, Consultation)
        .join(Consultation, col(Consultation.id) == col(ConsultationNotice.consultation_id))
        .where(ConsultationNotice.user_id == user_id)
    )
    if unread_only:
        query = query.where(col(ConsultationNotice.read_at).is_(None))
    rows = session.exec(
        query.order_by(col(ConsultationNotice.id).desc()).limit(max(1, min(limit, 500)))
    ).all()
    unread = session.exec(
        select(func.count())
        .select_from(ConsultationNotice)
        .where(ConsultationNotice.user_id == user_id, col(ConsultationNotice.read_at).is_(None))
    ).one()
    return [(n, c) for n, c in rows], int(unread)


def mark_read(session: Session, view: ConsultationView, user_id: int) -> int:
    """Mark the user's notices about this consultation read (they opened it)."""
    rows = session.exec(
        select(ConsultationNotice).where(
            ConsultationNotice.consultation_id == view.id,
            ConsultationNotice.user_id == user_id,
            col(ConsultationNotice.read_at).is_(None),
        )
    ).all()
    now = utcnow()
    for row in rows:
        row.read_at = now
        session.add(row)
    session.flush()
    return len(rows)
