"""In-app notifications at every hand-off, and the reminders of deadlines.

A notification is written in the same transaction as the step that causes it, so a step
that fails leaves none behind. Each hand-off of both flows notifies whom the document
now waits for (:func:`on_handoff`: review, approval, signature, issue, direction); a
leader's direction notifies each handler (a unit's members for a unit), a return
notifies the clerk, leader or drafter it goes back to, and a document sent inside the
system notifies the receiving agency's clerks. Meetings and consultations add theirs
with :func:`add_notice`. :func:`remind` adds "due soon" and "overdue" reminders for the
handlers of open documents, at most once per user, document, kind and deadline (a unique
index holds that even when two processes remind at once). E-mail and SMS leave later,
outside the step's transaction (``documents.notification_delivery``).

A confidential document's notification goes only to people on its access list, and its
title never carries the abstract (it may be e-mailed, through servers outside the
system); the title is written once, in Vietnamese and English.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import Column, Engine, Index, String, UniqueConstraint, func, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, col, select

from documents.export_rows import format_date
from documents.levels import Confidentiality, Urgency
from documents.models import Assignment, Document, DocumentAccess, DocumentEvent, Recipient
from documents.states import Flow, State
from documents.symbols import format_number_symbol
from ecabinet.core import errors
from ecabinet.core.agencies import Membership, Role
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.types import UTCDateTime, utcnow
from signing.pdfio import VN

log = logging.getLogger("ecabinet.notifications")

MAX_TITLE = 500
_REMINDERS = "kind IN ('due_soon', 'overdue')"


class Kind(StrEnum):
    assigned = "assigned"
    returned = "returned"
    due_soon = "due_soon"
    overdue = "overdue"
    arrived = "arrived"
    to_review = "to_review"
    """A draft submitted to the head of the drafting unit for its content."""
    to_approve = "to_approve"
    to_sign = "to_sign"
    to_issue = "to_issue"
    """Signed: the clerks number, seal and issue it."""
    to_direct = "to_direct"
    """An incoming document presented to a leader for direction."""
    invited = "invited"
    agenda_doc = "agenda_doc"
    """A document added to (or a new version in) the agenda of a meeting one attends."""
    consultation = "consultation"
    meeting_soon = "meeting_soon"
    """A meeting one attends starts within the hour."""
    recalled = "recalled"
    """The sender recalled an incoming document (over the exchange)."""


DOCUMENT_KINDS = frozenset(
    {
        Kind.to_review,
        Kind.to_approve,
        Kind.to_sign,
        Kind.to_issue,
        Kind.to_direct,
        Kind.arrived,
        Kind.assigned,
        Kind.returned,
        Kind.due_soon,
        Kind.overdue,
        Kind.recalled,
    }
)
SMS_KINDS = DOCUMENT_KINDS - {Kind.due_soon, Kind.overdue} | {Kind.meeting_soon}
"""Kinds that may go by SMS, and only when urgent (a hỏa tốc document, a meeting within
the hour): SMS costs money and interrupts."""


class Notification(SQLModel, table=True):
    """One notice to one user about one document."""

    __table_args__ = (
        Index(
            "uq_notification_reminder",
            "user_id",
            "document_id",
            "kind",
            "deadline",
            unique=True,
            sqlite_where=text(_REMINDERS),
            postgresql_where=text(_REMINDERS),
        ),
        Index("ix_notification_user_read", "user_id", "read_at"),
        UniqueConstraint("once_key", name="uq_notification_once_key"),
    )
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    kind: str = Field(sa_type=String(12))
    document_id: int | None = Field(default=None, foreign_key="document.id", index=True)
    """The document it is about; None for meetings and consultations (see ``link``)."""
    link: str = Field(default="", max_length=200)
    """Where the web app opens it (``/meetings/5``); "" for a document (``/documents/<id>``)."""
    urgent: bool = False
    """A hỏa tốc document or a meeting within the hour: may go by SMS."""
    once_key: str | None = Field(default=None, max_length=80)
    """Set for notices that must exist at most once (a meeting's one-hour notice)."""
    title_vi: str = Field(max_length=MAX_TITLE)
    title_en: str = Field(max_length=MAX_TITLE)
    deadline: date | None = None
    """The deadline a reminder is about (part of its once-only key)."""
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    read_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    emailed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


def _reference(d: Document) -> tuple[str, str]:
    """How a title names the document, in Vietnamese and English."""
    number = format_number_symbol(d.number, d.symbol) if d.number or d.symbol else ""
    if Confidentiality(d.confidentiality).restricted:
        return (f"văn bản mật {number}".strip(), f"confidential document {number}".strip())
    label = f"{number} — {d.abstract}" if number else d.abstract
    return label, label


_HANDOFF_TITLES = {
    Kind.to_review: ("Dự thảo chờ kiểm tra nội dung", "Draft submitted for your review"),
    Kind.to_approve: ("Dự thảo chờ đồng chí duyệt", "Draft awaiting your approval"),
    Kind.to_sign: ("Văn bản chờ đồng chí ký", "Document awaiting your signature"),
    Kind.to_issue: ("Văn bản đã ký, chờ cấp số và phát hành", "Signed, ready to issue"),
    Kind.to_direct: ("Văn bản đến chờ đồng chí cho ý kiến", "Incoming, awaiting your direction"),
}


def _titles(kind: Kind, d: Document, lead: bool = True) -> tuple[str, str]:
    vi, en = _reference(d)
    due_vi, due_en = format_date(d.deadline), d.deadline.isoformat() if d.deadline else ""
    if kind is Kind.assigned:
        vi = ("Giao chủ trì xử lý: " if lead else "Giao phối hợp xử lý: ") + vi
        en = ("Assigned to you to lead: " if lead else "Assigned to you to assist: ") + en
    elif kind is Kind.returned:
        vi, en = f"Văn bản bị trả lại: {vi}", f"Returned to you: {en}"
    elif kind is Kind.due_soon:
        vi, en = f"Sắp đến hạn xử lý ({due_vi}): {vi}", f"Due on {due_en}: {en}"
    elif kind is Kind.overdue:
        vi, en = f"Quá hạn xử lý (hạn {due_vi}): {vi}", f"Overdue since {due_en}: {en}"
    elif kind is Kind.recalled:
        sender = d.issuing_agency_name
        vi, en = f"Văn bản bị {sender} thu hồi: {vi}", f"Recalled by {sender}: {en}"
    elif kind in _HANDOFF_TITLES:
        head_vi, head_en = _HANDOFF_TITLES[kind]
        vi, en = f"{head_vi}: {vi}", f"{head_en}: {en}"
    else:
        sender = d.issuing_agency_name
        vi, en = f"Văn bản đến từ {sender}: {vi}", f"Document arrived from {sender}: {en}"
    return vi[:MAX_TITLE], en[:MAX_TITLE]


def _allowed(session: Session, d: Document, user_ids: Iterable[int]) -> list[int]:
    """The users who may see ``d`` among ``user_ids`` (the access list, if confidential)."""
    wanted = sorted(set(user_ids))
    if not Confidentiality(d.confidentiality).restricted:
        return wanted
    listed = set(
        session.exec(select(DocumentAccess.user_id).where(DocumentAccess.document_id == d.id))
    )
    return [u for u in wanted if u in listed]


def _add(
    session: Session, d: Document, kind: Kind, user_ids: Iterable[int], *, lead: bool = True
) -> None:
    assert d.id is not None
    title_vi, title_en = _titles(kind, d, lead)
    now = utcnow()
    urgent = d.urgency == Urgency.flash.value
    for user_id in _allowed(session, d, user_ids):
        session.add(
            Notification(
                user_id=user_id,
                kind=kind.value,
                document_id=d.id,
                title_vi=title_vi,
                title_en=title_en,
                urgent=urgent,
                created_at=now,
            )
        )
    session.flush()


def add_notice(
    session: Session,
    kind: Kind,
    user_ids: Iterable[int],
    *,
    title_vi: str,
    title_en: str,
    link: str,
    urgent: bool = False,
) -> None:
    """A notice that is not about a document (a meeting, a consultation), in the caller's
    transaction; the caller has checked that each user may see what ``link`` shows."""
    now = utcnow()
    for user_id in sorted(set(user_ids)):
        session.add(
            Notification(
                user_id=user_id,
                kind=kind.value,
                title_vi=title_vi[:MAX_TITLE],
                title_en=title_en[:MAX_TITLE],
                link=link,
                urgent=urgent,
                created_at=now,
            )
        )
    session.flush()


def _unit_members(session: Session, agency_id: int, unit_ids: Sequence[int]) -> set[int]:
    if not unit_ids:
        return set()
    return set(
        session.exec(
            select(Membership.user_id).where(
                Membership.agency_id == agency_id, col(Membership.unit_id).in_(unit_ids)
            )
        )
    )


def on_direct(session: Session, actor: Actor, document: Document) -> None:
    """Notify each handler of the direction just given (a unit's members for a unit)."""
    active = session.exec(
        select(Assignment).where(Assignment.document_id == document.id, col(Assignment.active))
    ).all()
    leads: set[int] = set()
    others: set[int] = set()
    for a in active:
        people = {a.user_id} if a.user_id is not None else set()
        people |= _unit_members(session, document.agency_id, [a.unit_id] if a.unit_id else [])
        (leads if a.lead else others).update(people)
    leads.discard(actor.user_id or 0)
    _add(session, document, Kind.assigned, leads, lead=True)
    _add(session, document, Kind.assigned, others - leads - {actor.user_id or 0}, lead=False)


def _last_actor(session: Session, document_id: int | None, action: str) -> int | None:
    return session.exec(
        select(DocumentEvent.user_id)
        .where(DocumentEvent.document_id == document_id, DocumentEvent.action == action)
        .order_by(col(DocumentEvent.id).desc())
    ).first()


def _leaders(session: Session, agency_id: int, unit_id: int | None) -> set[int]:
    """The leaders of the agency in ``unit_id`` (all its leaders when none is there)."""
    rows = session.exec(
        select(Membership.user_id, Membership.unit_id).where(
            Membership.agency_id == agency_id, Membership.role == Role.leader.value
        )
    ).all()
    in_unit = {u for u, unit in rows if unit is not None and unit == unit_id}
    return in_unit or {u for u, _ in rows}


def _clerks(session: Session, agency_id: int) -> set[int]:
    return set(
        session.exec(
            select(Membership.user_id).where(
                Membership.agency_id == agency_id, Membership.role == Role.clerk.value
            )
        )
    )


def on_handoff(session: Session, actor: Actor, document: Document, kind: Kind) -> None:
    """Notify whom the document waits for after a step of either flow: the head of the
    drafting unit (``to_review``), the leader named to approve, sign or direct, or the
    agency's clerks (``to_issue``). The one who took the step is not notified."""
    if kind is Kind.to_review:
        people = _leaders(session, document.agency_id, document.drafting_unit_id)
    elif kind is Kind.to_issue:
        people = _clerks(session, document.agency_id)
    else:
        people = {document.leader_id} if document.leader_id is not None else set()
    _add(session, document, kind, people - {actor.user_id or 0})


def on_return(session: Session, actor: Actor, document: Document) -> None:
    """Notify whom a returned document goes back to: the drafter of an outgoing draft,
    the clerk who presented an incoming one, or the leader who directed it."""
    if document.flow == Flow.outgoing.value:
        target = document.drafter_id
    elif document.state == State.registered.value:
        target = _last_actor(session, document.id, "present")
    else:
        target = _last_actor(session, document.id, "direct") or document.leader_id
    if target is not None and target != actor.user_id:
        _add(session, document, Kind.returned, [target])


def on_arrival(session: Session, recipients: Sequence[Recipient]) -> None:
    """Notify the clerks of each agency that has just received a document in the system."""
    for r in recipients:
        copy = session.get(Document, r.incoming_id) if r.incoming_id is not None else None
        if copy is None:
            continue
        _add(session, copy, Kind.arrived, _clerks(session, copy.agency_id))


def on_delivered(session: Session, document: Document) -> None:
    """Notify the clerks of the agency a document from another system was delivered to."""
    _add(session, document, Kind.arrived, _clerks(session, document.agency_id))


def on_recalled(session: Session, actor: Actor, document: Document) -> None:
    """Notify the agency's clerks, the leader it was presented to and its handlers that
    the sender recalled an incoming document."""
    handlers = session.exec(
        select(Assignment).where(Assignment.document_id == document.id, col(Assignment.active))
    ).all()
    people = _clerks(session, document.agency_id)
    people |= {document.leader_id} if document.leader_id is not None else set()
    for a in handlers:
        people |= {a.user_id} if a.user_id is not None else set()
        people |= _unit_members(session, document.agency_id, [a.unit_id] if a.unit_id else [])
    _add(session, document, Kind.recalled, people - {actor.user_id or 0})


def remind(engine: Engine, settings: Settings, today: date) -> int:
    """Add the due-soon and overdue reminders of ``today`` for the lead and co-handlers
    of open incoming documents; idempotent. Returns how many were added."""
    soon = today + timedelta(days=settings.due_soon_days)
    with session_scope(engine) as session:
        documents = session.exec(
            select(Document).where(
                Document.flow == Flow.incoming.value,
                col(Document.state).in_([s.value for s in State if s.open]),
                col(Document.deadline).is_not(None),
                col(Document.deadline) <= soon,
            )
        ).all()
        rows: list[dict[str, object]] = []
        for d in documents:
            assert d.deadline is not None
            kind = Kind.overdue if d.deadline < today else Kind.due_soon
            active = session.exec(
                select(Assignment).where(Assignment.document_id == d.id, col(Assignment.active))
            ).all()
            people = {a.user_id for a in active if a.user_id is not None}
            people |= _unit_members(
                session, d.agency_id, [a.unit_id for a in active if a.unit_id is not None]
            )
            already = set(
                session.exec(
                    select(Notification.user_id).where(
                        Notification.document_id == d.id,
                        Notification.kind == kind.value,
                        Notification.deadline == d.deadline,
                    )
                )
            )
            title_vi, title_en = _titles(kind, d)
            rows += [
                {
                    "user_id": user_id,
                    "kind": kind.value,
                    "document_id": d.id,
                    "title_vi": title_vi,
                    "title_en": title_en,
                    "deadline": d.deadline,
                    "link": "",
                    "urgent": d.urgency == Urgency.flash.value,
                    "created_at": utcnow(),
                }
                for user_id in _allowed(session, d, people)
                if user_id not in already
            ]
        if rows:
            _insert_once(session, rows)
    return len(rows)


def _insert_once(session: Session, rows: list[dict[str, object]]) -> None:
    # ON CONFLICT DO NOTHING: another process reminding at the same moment may have
    # added the same reminder since we looked; the unique index decides, quietly.
    table = Notification.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).on_conflict_do_nothing(
        index_elements=["user_id", "document_id", "kind", "deadline"],
        index_where=text(_REMINDERS),
    )
    session.execute(statement, rows)


def list_for(
    session: Session, user_id: int, *, unread_only: bool, limit: int = 100
) -> tuple[list[Notification], int]:
    """The user's newest notifications (only unread ones if asked) and their unread count."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(col(Notification.read_at).is_(None))
    rows = session.exec(
        query.order_by(col(Notification.id).desc()).limit(max(1, min(limit, 500)))
    ).all()
    unread = session.exec(
        select(func.count()).where(
            Notification.user_id == user_id, col(Notification.read_at).is_(None)
        )
    ).one()
    return list(rows), int(unread)


def mark_read(session: Session, user_id: int, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; another user's is not found (404)."""
    found = session.get(Notification, notification_id)
    if found is None or found.user_id != user_id:
        raise errors.NotFound.of("thông báo", "Notification", "notification.not_found")
    if found.read_at is None:
        found.read_at = utcnow()
        session.add(found)
    return found


def mark_all_read(session: Session, user_id: int) -> int:
    """Mark every unread notification of the user read; returns how many."""
    result = session.execute(
        update(Notification)
        .where(col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
        .values(read_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def vn_today() -> date:
    """Today in Vietnam (deadlines are Vietnam dates)."""
    return datetime.now(VN).date()
