"""Consultations (phiếu lấy ý kiến) outside meetings: a question with PDF documents and a
deadline, put to members of the agency in writing.

A leader, secretary or clerk of the agency creates it (a draft, with its members),
attaches PDFs and sends it: the members are notified and may answer agree, disagree or
comment only, each with a comment, and change their answer until the deadline. The
creator closes it, or it closes by itself at the deadline (the first read or reminder
round after the deadline records the closing). Only the creator sees who answered what;
members see the tally once it is closed (:mod:`.consultation_report`). Members see a
consultation once it is sent; anybody else is told it does not exist. Every change is
audited; members hear of it through notices and their user rooms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from ecabinet.core import audit, errors
from ecabinet.core.agencies import Membership
from ecabinet.core.audit import Actor
from ecabinet.core.files import StoredFile
from ecabinet.core.policy import Action, Subject, authorize
from ecabinet.core.types import utcnow
from ecabinet.meetings import access, events, notices
from ecabinet.meetings.consultation_access import (
    ConsultationView,
    NewConsultation,
    load,
    require_manages,
    require_visible,
)
from ecabinet.meetings.consultation_models import (
    Consultation,
    ConsultationAnswer,
    ConsultationDocument,
    ConsultationMember,
    ConsultationNotice,
)
from ecabinet.meetings.service import require_pdf

ANSWERS = ("agree", "disagree", "comment")
"""Agree (đồng ý), disagree (không đồng ý), comment only (chỉ góp ý)."""
MAX_QUESTION = 5000
MAX_COMMENT = 5000
MAX_MEMBERS = 500
MAX_DOCUMENTS = 20
MAX_AHEAD = timedelta(days=366)
STATE_VI = {"draft": "Dự thảo", "open": "Đang lấy ý kiến", "closed": "Đã kết thúc"}


@dataclass(frozen=True)
class ConsultationFields:
    title: str
    question: str
    deadline: datetime
    member_ids: Sequence[int]
    meeting_id: int | None = None


@dataclass(frozen=True)
class Attachment:
    """A stored PDF to send with a consultation."""

    stored: StoredFile
    head: bytes
    """The file's first bytes (at least 1 KiB, or all of it): checked to be a PDF."""
    title: str = ""


def _bad(code: str, vi: str, en: str, details: dict[str, Any] | None = None) -> errors.InvalidInput:
    return errors.InvalidInput(f"consultation.{code}", vi, en, details)


def _check(session: Session, subject: Subject, agency_id: int, fields: ConsultationFields) -> None:
    now = utcnow()
    if not fields.title.strip() or len(fields.title) > 500:
        raise _bad(
            "bad_title",
            "Tên phiếu lấy ý kiến là bắt buộc, tối đa 500 ký tự.",
            "The title is required, at most 500 characters.",
        )
    if not fields.question.strip() or len(fields.question) > MAX_QUESTION:
        raise _bad(
            "bad_question",
            f"Nội dung xin ý kiến là bắt buộc, tối đa {MAX_QUESTION} ký tự.",
            f"The question is required, at most {MAX_QUESTION} characters.",
        )
    if fields.deadline.tzinfo is None:
        raise _bad("bad_deadline", "Hạn trả lời cần múi giờ.", "The deadline needs a time zone.")
    if fields.deadline <= now or fields.deadline > now + MAX_AHEAD:
        raise _bad(
            "bad_deadline",
            "Hạn trả lời phải ở tương lai, trong vòng một năm.",
            "The deadline must be in the future, within a year.",
        )
    members = list(dict.fromkeys(fields.member_ids))
    if not 1 <= len(members) <= MAX_MEMBERS:
        raise _bad(
            "bad_members",
            f"Cần từ 1 đến {MAX_MEMBERS} người được lấy ý kiến.",
            f"Name 1 to {MAX_MEMBERS} people to consult.",
        )
    inside = set(
        session.exec(
            select(Membership.user_id).where(
                Membership.agency_id == agency_id, col(Membership.user_id).in_(members)
            )
        )
    )
    outsiders = [m for m in members if m not in inside]
    if outsiders:
        raise _bad(
            "outsider",
            "Người được lấy ý kiến phải là người của cơ quan lấy ý kiến.",
            "Everyone consulted must belong to the consulting agency.",
            {"user_ids": outsiders},
        )
    if fields.meeting_id is not None:
        meeting = access.load(session, fields.meeting_id)
        access.require_visible(subject, meeting)
        if meeting.meeting.agency_id != agency_id:
            raise _bad(
                "bad_meeting",
                "Cuộc họp thuộc cơ quan khác.",
                "The meeting belongs to another agency.",
            )


def create(
    session: Session,
    actor: Actor,
    subject: Subject,
    *,
    agency_id: int,
    fields: ConsultationFields,
) -> Consultation:
    """A draft consultation with its members (people of the agency), by a leader,
    secretary or clerk of the agency. Nothing is stored when any input is refused."""
    authorize(subject, Action.create, NewConsultation(agency_id))
    _check(session, subject, agency_id, fields)
    consultation = Consultation(
        agency_id=agency_id,
        meeting_id=fields.meeting_id,
        title=fields.title.strip(),
        question=fields.question.strip(),
        deadline=fields.deadline,
        created_by=subject.user_id,
        created_at=utcnow(),
    )
    session.add(consultation)
    session.flush()
    assert consultation.id is not None
    for user_id in dict.fromkeys(fields.member_ids):
        session.add(ConsultationMember(consultation_id=consultation.id, user_id=user_id))
    session.flush()
    audit.record(
        session,
        actor,
        "consultation.create",
        "consultation",
        consultation.id,
        f"{consultation.title[:250]} ({len(set(fields.member_ids))} members, "
        f"deadline {consultation.deadline.isoformat()})",
    )
    return consultation


def _require_state(consultation: Consultation, *allowed: str) -> None:
    if consultation.state not in allowed:
        state = consultation.state
        raise errors.Conflict(
            "consultation.bad_state",
            f"Phiếu lấy ý kiến đang ở trạng thái “{STATE_VI[state]}”.",
            f"The consultation is {state}.",
            {"state": state},
        )


def documents_of(session: Session, consultation_id: int) -> list[ConsultationDocument]:
    return list(
        session.exec(
            select(ConsultationDocument)
            .where(ConsultationDocument.consultation_id == consultation_id)
            .order_by(col(ConsultationDocument.position))
        )
    )


def add_document(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: ConsultationView,
    *,
    stored: StoredFile,
    head: bytes,
    title: str,
) -> ConsultationDocument:
    """Attach an uploaded PDF (``head``: its first bytes) to a draft. The file is then
    owned by the consultation: only its creator and members read it, through its routes."""
    require_manages(subject, view)
    _require_state(view.consultation, "draft")
    require_pdf(head)
    if stored.owner is not None or stored.agency_id != view.consultation.agency_id:
        raise _bad(
            "bad_file",
            "Tệp không dùng được cho phiếu lấy ý kiến này.",
            "The file cannot be used for this consultation.",
        )
    rows = documents_of(session, view.id)
    if len(rows) >= MAX_DOCUMENTS:
        raise _bad(
            "too_many_documents",
            f"Tối đa {MAX_DOCUMENTS} tài liệu.",
            f"At most {MAX_DOCUMENTS} documents.",
        )
    stored.owner = "consultation"
    session.add(stored)
    doc = ConsultationDocument(
        consultation_id=view.id,
        file_id=stored.id,
        title=(title.strip() or stored.filename)[:500],
        position=max((r.position for r in rows), default=0) + 1,
        created_at=utcnow(),
    )
    session.add(doc)
    session.flush()
    audit.record(session, actor, "consultation.document", "consultation", view.id, doc.title[:300])
    return doc


def document_of(session: Session, view: ConsultationView, document_id: int) -> StoredFile:
    """The stored file of one of the consultation's documents."""
    doc = session.get(ConsultationDocument, document_id)
    if doc is None or doc.consultation_id != view.id:
        raise errors.NotFound.of("tài liệu", "Document", "consultation.document_not_found")
    stored = session.get(StoredFile, doc.file_id)
    assert stored is not None
    return stored


def notify(
    session: Session,
    view: ConsultationView,
    user_ids: Sequence[int],
    kind: str,
    now: datetime | None = None,
) -> None:
    """A notice of ``kind`` (sent, reminder, closed) to each, and a live note."""
    now = now or utcnow()
    for user_id in user_ids:
        session.add(
            ConsultationNotice(consultation_id=view.id, user_id=user_id, kind=kind, created_at=now)
        )
    session.flush()
    notices.on_consultation(session, view, user_ids, kind)
    c = view.consultation
    events.direct(
        session,
        list(user_ids),
        "consultation",
        {"consultation_id": view.id, "kind": kind, "title": c.title, "deadline": c.deadline},
    )


def _others(view: ConsultationView) -> list[int]:
    """The members to notify: all but the creator (who may have named themselves)."""
    return [m for m in view.member_ids if m != view.consultation.created_by]


def send(session: Session, actor: Actor, subject: Subject, view: ConsultationView) -> Consultation:
    """Open the consultation: members are notified and may answer until the deadline."""
    require_manages(subject, view)
    c = view.consultation
    _require_state(c, "draft")
    now = utcnow()
    if c.deadline <= now:
        raise _bad(
            "deadline_passed",
            "Hạn trả lời đã qua: hãy tạo phiếu mới với hạn khác.",
            "The deadline has passed: create a new consultation with another deadline.",
        )
    c.state, c.sent_at = "open", now
    session.add(c)
    session.flush()
    audit.record(
        session, actor, "consultation.send", "consultation", view.id, f"{len(view.member_ids)}"
    )
    notify(session, view, _others(view), "sent", now)
    return c


def answer(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: ConsultationView,
    *,
    answer: str,
    comment: str,
) -> ConsultationAnswer:
    """A member's answer (agree, disagree, or comment with a comment), or a change of it,
    before the deadline; 409 ``consultation.closed`` after. ``view`` comes from
    :func:`load` in this write transaction: its lock makes two answers of the same member
    one after the other (the second changes the first)."""
    require_visible(subject, view)
    if not view.is_member(subject.user_id):
        raise errors.PermissionDenied(
            "consultation.not_member",
            "Chỉ người được lấy ý kiến mới được trả lời.",
            "Only the people consulted may answer.",
        )
    now = utcnow()
    if view.consultation.state != "open" or past_deadline(view.consultation, now):
        raise errors.Conflict(
            "consultation.closed",
            "Đã hết hạn lấy ý kiến: không thể trả lời hoặc sửa ý kiến.",
            "The consultation is closed: answers can no longer be given or changed.",
        )
    if answer not in ANSWERS:
        raise _bad(
            "bad_answer",
            "Ý kiến phải là: đồng ý, không đồng ý hoặc chỉ góp ý.",
            "The answer must be agree, disagree or comment.",
            {"answers": list(ANSWERS)},
        )
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise _bad(
            "comment_too_long",
            f"Ý kiến góp ý tối đa {MAX_COMMENT} ký tự.",
            f"A comment has at most {MAX_COMMENT} characters.",
            {"limit": MAX_COMMENT},
        )
    if answer == "comment" and not comment:
        raise _bad(
            "comment_required",
            "Chọn “chỉ góp ý” thì cần nội dung góp ý.",
            "A comment-only answer needs a comment.",
        )
    row = session.exec(
        select(ConsultationAnswer).where(
            ConsultationAnswer.consultation_id == view.id,
            ConsultationAnswer.user_id == subject.user_id,
        )
    ).first()
    action = "consultation.answer_change" if row is not None else "consultation.answer"
    if row is None:
        row = ConsultationAnswer(
            consultation_id=view.id,
            user_id=subject.user_id,
            answer=answer,
            comment=comment,
            answered_at=now,
            updated_at=now,
        )
    else:
        row.answer, row.comment, row.updated_at = answer, comment, now
    session.add(row)
    session.flush()
    audit.record(
        session, actor, action, "consultation", view.id, f"{answer}, comment {len(comment)} chars"
    )
    answered = session.exec(
        select(func.count())
        .select_from(ConsultationAnswer)
        .where(ConsultationAnswer.consultation_id == view.id)
    ).one()
    events.direct(
        session,
        [view.consultation.created_by],
        "consultation",
        {"consultation_id": view.id, "kind": "answered", "answered": int(answered)},
    )
    return row


def _close(
    session: Session, actor: Actor, view: ConsultationView, by: int | None, now: datetime
) -> None:
    c = view.consultation
    c.state = "closed"
    c.closed_at = c.deadline if by is None else min(now, c.deadline)
    c.closed_by = by
    session.add(c)
    session.flush()
    audit.record(
        session,
        actor,
        "consultation.close",
        "consultation",
        view.id,
        "at the deadline" if by is None else "by its creator",
    )
    notify(session, view, _others(view), "closed", now)


def close(session: Session, actor: Actor, subject: Subject, view: ConsultationView) -> Consultation:
    """The creator ends the consultation before its deadline; members may see the tally."""
    require_manages(subject, view)
    _require_state(view.consultation, "open")
    _close(session, actor, view, subject.user_id, utcnow())
    return view.consultation


def past_deadline(c: Consultation, now: datetime | None = None) -> bool:
    """Whether answers are no longer taken: the deadline has come."""
    return (now or utcnow()) >= c.deadline


def expire(session: Session, view: ConsultationView, now: datetime | None = None) -> bool:
    """Close an open consultation whose deadline has passed (it ended then: the closing
    time is the deadline). Returns whether it was closed now."""
    c = view.consultation
    now = now or utcnow()
    if c.state != "open" or not past_deadline(c, now):
        return False
    _close(session, Actor.system("deadline"), view, None, now)
    return True


def my_answer(session: Session, view: ConsultationView, user_id: int) -> ConsultationAnswer | None:
    return session.exec(
        select(ConsultationAnswer).where(
            ConsultationAnswer.consultation_id == view.id, ConsultationAnswer.user_id == user_id
        )
    ).first()


def visible(session: Session, subject: Subject, consultation_id: int) -> ConsultationView:
    """The consultation if the subject may see it (closed first if its deadline passed)."""
    view = load(session, consultation_id)
    require_visible(subject, view)
    expire(session, view)
    return view


def open_consultation(
    session: Session,
    actor: Actor,
    subject: Subject,
    *,
    agency_id: int,
    fields: ConsultationFields,
    attachments: Sequence[Attachment] = (),
) -> ConsultationView:
    """Create, attach and send in one go (for the demo and scripts): the same rules and
    audit entries as the three steps over the API."""
    made = create(session, actor, subject, agency_id=agency_id, fields=fields)
    view = load(session, made.id or 0)
    for a in attachments:
        add_document(session, actor, subject, view, stored=a.stored, head=a.head, title=a.title)
    send(session, actor, subject, view)
    return view
