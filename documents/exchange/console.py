"""The exchange console: what this system's agencies have waiting for peers (the outbox)
and what peers delivered to them (the inbox), for the clerks and administrators of the
sending or receiving agency; a clerk sends a failed row again or cancels one.

Who sees a row: a clerk or administrator of the agency whose code sent it (outbox) or
received it (inbox), and, when the row is about a confidential document, only if the
document's access list names them (:func:`documents.access.open_or_listed`). A row
anyone else asks for does not exist for them (404), like a document they may not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from documents.access import open_or_listed
from documents.exchange import outbox as exchange_outbox
from documents.exchange.models import ExchangeInbox, ExchangeOutbox
from documents.models import Document, Recipient
from ecabinet.core import errors
from ecabinet.core.agencies import Agency, Role
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Subject

MAX_PAGE = 200
T = TypeVar("T")


class Stage(StrEnum):
    """Where an outbox row stands, as the console shows it (``pending`` and
    ``retrying`` are both the stored state ``pending``: before and after a failed
    attempt)."""

    pending = "pending"
    retrying = "retrying"
    failed = "failed"
    refused = "refused"
    delivered = "delivered"
    cancelled = "cancelled"
    relayed = "relayed"
    """Taken on by a relay (decision 0036): its receipt kept, the receiver's to come."""


def stage_of(row: ExchangeOutbox) -> Stage:
    if row.state == "pending":
        return Stage.retrying if row.attempts > 0 else Stage.pending
    return Stage(row.state)


@dataclass(frozen=True)
class OutboxItem:
    row: ExchangeOutbox
    document: Document | None
    """None for a message this deployment relays for others (decision 0036)."""
    recipient: Recipient | None

    @property
    def stage(self) -> Stage:
        return stage_of(self.row)


@dataclass(frozen=True)
class InboxItem:
    row: ExchangeInbox
    document: Document | None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int


def keeper_codes(session: Session, subject: Subject) -> list[str]:
    """The codes of the agencies where the subject is a clerk or an administrator."""
    ids = [
        agency
        for agency, roles in subject.roles.items()
        if Role.clerk in roles or Role.admin in roles
    ]
    if not ids:
        return []
    query = select(Agency.code).where(col(Agency.id).in_(ids), Agency.code != "")
    return sorted(session.exec(query))


def _require_keeper(session: Session, subject: Subject) -> list[str]:
    codes = keeper_codes(session, subject)
    if not codes:
        raise errors.PermissionDenied(
            "exchange.console_forbidden",
            "Chỉ văn thư và quản trị viên của cơ quan xem được hàng đợi liên thông.",
            "Only the agency's clerks and administrators may see the exchange queues.",
        )
    return codes


def parse_stage(raw: str | None) -> Stage | None:
    """The ``state`` filter of the outbox (422 for a value that is none of them)."""
    if not raw:
        return None
    try:
        return Stage(raw)
    except ValueError:
        raise errors.InvalidInput(
            "exchange.bad_state",
            f"Trạng thái “{raw[:40]}” không có; dùng một trong: {', '.join(Stage)}.",
            f"No state {raw[:40]!r}; use one of: {', '.join(Stage)}.",
            {"parameter": "state"},
        ) from None


def _stage_clause(stage: Stage) -> ColumnElement[bool]:
    if stage is Stage.pending:
        return and_(col(ExchangeOutbox.state) == "pending", col(ExchangeOutbox.attempts) == 0)
    if stage is Stage.retrying:
        return and_(col(ExchangeOutbox.state) == "pending", col(ExchangeOutbox.attempts) > 0)
    return col(ExchangeOutbox.state) == stage.value


def _outbox_seen(subject: Subject, codes: list[str], relay_code: str) -> ColumnElement[bool]:
    """Rows of the subject's agencies' documents (a confidential one only for its list),
    and, for the keepers of the agency that relays as the provincial axis, the messages
    it relays for others (which hold no document of ours)."""
    own = and_(
        col(ExchangeOutbox.from_code).in_(codes),
        col(Document.id).is_not(None),
        open_or_listed(subject),
    )
    if not relay_code or relay_code not in codes:
        return own
    return or_(own, col(ExchangeOutbox.relay_of).is_not(None))


_ROW_DOCUMENT = col(Document.id) == col(ExchangeOutbox.document_id)


def list_outbox(
    session: Session,
    subject: Subject,
    *,
    stage: Stage | None = None,
    limit: int = 50,
    offset: int = 0,
    relay_code: str = "",
) -> Page[OutboxItem]:
    """The outbox rows of the subject's agencies, newest first (403 for anyone who is no
    clerk or administrator anywhere); ``relay_code``: this deployment's code as the
    provincial axis, whose keepers also see what it relays."""
    codes = _require_keeper(session, subject)
    where = [_outbox_seen(subject, codes, relay_code)]
    if stage is not None:
        where.append(_stage_clause(stage))
    base = select(ExchangeOutbox, Document).outerjoin(Document, _ROW_DOCUMENT)
    rows = session.exec(
        base.where(*where)
        .order_by(col(ExchangeOutbox.created_at).desc(), col(ExchangeOutbox.id).desc())
        .limit(min(limit, MAX_PAGE))
        .offset(offset)
    ).all()
    count = (
        select(func.count())
        .select_from(ExchangeOutbox)
        .outerjoin(Document, _ROW_DOCUMENT)
        .where(*where)
    )
    total = session.exec(count).one()
    ids = [r.recipient_id for r, _ in rows if r.recipient_id is not None]
    recipients = (
        {r.id: r for r in session.exec(select(Recipient).where(col(Recipient.id).in_(ids)))}
        if ids
        else {}
    )
    items = [
        OutboxItem(row, document, recipients.get(row.recipient_id or 0)) for row, document in rows
    ]
    return Page(items, total)


def list_inbox(
    session: Session,
    subject: Subject,
    *,
    kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[InboxItem]:
    """What peers delivered to the subject's agencies, newest first (403 as above)."""
    codes = _require_keeper(session, subject)
    where = [
        col(ExchangeInbox.to_code).in_(codes),
        or_(col(Document.id).is_(None), open_or_listed(subject)),
    ]
    if kind:
        if kind not in ("document", "status"):
            raise errors.InvalidInput(
                "exchange.bad_kind",
                "Loại phải là document (văn bản) hoặc status (trạng thái).",
                "The kind must be document or status.",
                {"parameter": "kind"},
            )
        where.append(col(ExchangeInbox.kind) == kind)
    joined = col(Document.id) == col(ExchangeInbox.document_id)
    rows = session.exec(
        select(ExchangeInbox, Document)
        .outerjoin(Document, joined)
        .where(*where)
        .order_by(col(ExchangeInbox.received_at).desc(), col(ExchangeInbox.id).desc())
        .limit(min(limit, MAX_PAGE))
        .offset(offset)
    ).all()
    count = (
        select(func.count()).select_from(ExchangeInbox).outerjoin(Document, joined).where(*where)
    )
    return Page([InboxItem(r, d) for r, d in rows], session.exec(count).one())


def _own_row(session: Session, subject: Subject, row_id: int, relay_code: str) -> int:
    """The row, if the subject may act on it; 404 otherwise (as for one that is not)."""
    codes = keeper_codes(session, subject)
    found = (
        session.exec(
            select(ExchangeOutbox.id)
            .outerjoin(Document, _ROW_DOCUMENT)
            .where(col(ExchangeOutbox.id) == row_id, _outbox_seen(subject, codes, relay_code))
        ).first()
        if codes
        else None
    )
    if found is None:
        raise errors.NotFound.of("thư liên thông", "Exchange message", "exchange.row_not_found")
    return found


def retry(
    session: Session, actor: Actor, subject: Subject, row_id: int, relay_code: str = ""
) -> OutboxItem:
    """Send a failed or refused row again (:func:`documents.exchange.outbox.requeue`)."""
    row_id = _own_row(session, subject, row_id, relay_code)
    return _item(session, exchange_outbox.requeue(session, actor, row_id))


def cancel(
    session: Session, actor: Actor, subject: Subject, row_id: int, relay_code: str = ""
) -> OutboxItem:
    """Give up a row not delivered (:func:`documents.exchange.outbox.cancel`)."""
    row_id = _own_row(session, subject, row_id, relay_code)
    return _item(session, exchange_outbox.cancel(session, actor, row_id))


def _item(session: Session, row: ExchangeOutbox) -> OutboxItem:
    document = session.get(Document, row.document_id) if row.document_id else None
    recipient = session.get(Recipient, row.recipient_id) if row.recipient_id else None
    return OutboxItem(row, document, recipient)
