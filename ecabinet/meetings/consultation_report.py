"""What a consultation's answers add up to: the tally, who answered what, the comments,
and the tally PDF (made on demand from the tables, so it always matches them).

The creator sees everything, names included, at any time after sending. A member sees
the counts once the consultation is closed, never who answered what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from ecabinet.core import errors
from ecabinet.core.agencies import Agency
from ecabinet.core.policy import Subject
from ecabinet.core.types import utcnow
from ecabinet.core.users import User
from ecabinet.meetings.consultation_access import ConsultationView, manages, require_manages
from ecabinet.meetings.consultation_models import ConsultationAnswer
from ecabinet.meetings.consultation_pdf import consultation_pdf, tally
from ecabinet.meetings.consultations import documents_of
from ecabinet.meetings.minutes_gather import place_of
from ecabinet.meetings.minutes_model import (
    ConsultationAnswer as Answer,
)
from ecabinet.meetings.minutes_model import (
    ConsultationData,
    ConsultationReply,
    Person,
)


@dataclass(frozen=True)
class Reply:
    """One person asked, with their answer if any."""

    user_id: int
    name: str
    title: str
    answer: Answer | None
    comment: str
    answered_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True)
class Results:
    asked: int
    agree: int
    disagree: int
    comment: int
    unanswered: int
    replies: tuple[Reply, ...] | None
    """Who answered what: for the creator only (None for members)."""


def replies(session: Session, view: ConsultationView) -> list[Reply]:
    """Every member, in the order they were named, with their answer."""
    answers = {
        a.user_id: a
        for a in session.exec(
            select(ConsultationAnswer).where(ConsultationAnswer.consultation_id == view.id)
        )
    }
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(view.member_ids)))}
    out = []
    for user_id in view.member_ids:
        user, given = users[user_id], answers.get(user_id)
        out.append(
            Reply(
                user_id=user_id,
                name=user.full_name,
                title=user.title,
                answer=_answer(given.answer) if given else None,
                comment=given.comment if given else "",
                answered_at=given.answered_at if given else None,
                updated_at=given.updated_at if given else None,
            )
        )
    return out


def _answer(value: str) -> Answer:
    if value == "agree":
        return "agree"
    if value == "disagree":
        return "disagree"
    return "comment"


def _printed(rows: list[Reply]) -> list[ConsultationReply]:
    return [ConsultationReply(r.name, r.title, r.answer, r.comment, r.updated_at) for r in rows]


def results(session: Session, subject: Subject, view: ConsultationView) -> Results | None:
    """The tally (and, for the creator, who answered what); None while a member may
    not see it yet (before the close)."""
    creator = manages(subject, view)
    if not creator and view.consultation.state != "closed":
        return None
    rows = replies(session, view)
    counts = tally(_printed(rows))
    return Results(
        asked=len(rows),
        agree=counts["agree"],
        disagree=counts["disagree"],
        comment=counts["comment"],
        unanswered=counts[None],
        replies=tuple(rows) if creator else None,
    )


def report_data(
    session: Session, view: ConsultationView, compiled_at: datetime
) -> ConsultationData:
    """What the tally PDF prints, compiled at ``compiled_at`` by the creator."""
    c = view.consultation
    agency = session.get(Agency, c.agency_id)
    creator = session.get(User, c.created_by)
    assert agency is not None and creator is not None and c.sent_at is not None
    return ConsultationData(
        agency_parent=agency.parent_name,
        agency_name=agency.name,
        number_symbol="",
        place=place_of(session, agency),
        title=c.title,
        question=c.question,
        documents=[d.title for d in documents_of(session, view.id)],
        sent_at=c.sent_at,
        deadline=c.deadline,
        compiled_at=compiled_at,
        replies=_printed(replies(session, view)),
        compiled_by=Person(creator.full_name, creator.title),
    )


def report_pdf(session: Session, subject: Subject, view: ConsultationView) -> bytes:
    """The tally PDF (tổng hợp phiếu lấy ý kiến) with names and comments: the creator's,
    once sent (409 for a draft)."""
    require_manages(subject, view)
    if view.consultation.sent_at is None:
        raise errors.Conflict(
            "consultation.not_sent",
            "Phiếu lấy ý kiến chưa được gửi: chưa có gì để tổng hợp.",
            "The consultation has not been sent: there is nothing to compile.",
        )
    return consultation_pdf(report_data(session, view, utcnow()))
