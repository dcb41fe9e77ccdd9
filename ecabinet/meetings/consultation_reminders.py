"""Reminders before a consultation's deadline, and closing at the deadline, run by the
background reminder loop and by ``ecabinet remind``.

The rule: a member who has not answered gets one reminder (a notice) when the deadline
is 24 hours away (:data:`REMIND_BEFORE`). A consultation sent with less than 48 hours to
go reminds halfway between sending and the deadline instead, so that the reminder does
not follow the invitation at once. ``consultation_member.reminded_at`` is set by the
same statement that picks whom to remind, so two rounds (or two processes) never remind
anyone twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from ecabinet.core import audit
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.types import utcnow
from ecabinet.meetings.consultation_access import load
from ecabinet.meetings.consultation_models import (
    Consultation,
    ConsultationAnswer,
    ConsultationMember,
)
from ecabinet.meetings.consultations import expire, notify

REMIND_BEFORE = timedelta(hours=24)


def reminder_time(c: Consultation) -> datetime:
    """When the members who have not answered are reminded (see the module's rule)."""
    sent = c.sent_at or c.created_at
    return max(c.deadline - REMIND_BEFORE, sent + (c.deadline - sent) / 2)


def remind_due(session: Session, now: datetime) -> int:
    """Close the open consultations whose deadline has passed, and remind the members
    who have not answered those whose reminder time has come; each member once. Returns
    how many reminders were added."""
    due = session.exec(
        select(Consultation).where(
            Consultation.state == "open", col(Consultation.deadline) <= now + REMIND_BEFORE
        )
    ).all()
    added = 0
    for c in due:
        assert c.id is not None
        view = load(session, c.id)  # locked and read afresh: another round may have been first
        if c.state != "open" or expire(session, view, now) or reminder_time(c) > now:
            continue
        answered = select(ConsultationAnswer.user_id).where(
            ConsultationAnswer.consultation_id == c.id
        )
        reminded = list(
            session.execute(
                update(ConsultationMember)
                .where(
                    col(ConsultationMember.consultation_id) == c.id,
                    col(ConsultationMember.reminded_at).is_(None),
                    col(ConsultationMember.user_id) != c.created_by,
                    col(ConsultationMember.user_id).not_in(answered),
                )
                .values(reminded_at=now)
                .returning(col(ConsultationMember.user_id))
            ).scalars()
        )
        if not reminded:
            continue
        reminded.sort(key=view.member_ids.index)
        notify(session, view, reminded, "reminder", now)
        audit.record(
            session,
            Actor.system("reminders"),
            "consultation.remind",
            "consultation",
            c.id,
            f"{len(reminded)} member(s) not yet answered",
        )
        added += len(reminded)
    return added


def remind(engine: Engine) -> int:
    """One round now, in its own transaction (the reminder loop, ``ecabinet remind``)."""
    with session_scope(engine) as session:
        return remind_due(session, utcnow())
