"""The sending side's ledger: what must reach a peer, and how far it got.

A row is added in the transaction of the step that calls for it (a dispatch to a peer's
agency, a step on a document a peer sent us), so nothing is lost between the step and
the delivery. :mod:`documents.exchange.sender` delivers due rows; each change of a row's
state is one short transaction here, with its audit entry. A recipient is *delivered*
only when the peer's signed receipt has been verified.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from documents import history, status
from documents.exchange.models import ExchangeInbox, ExchangeOutbox
from documents.models import Document, Recipient
from documents.states import State
from ecabinet.core import audit, errors
from ecabinet.core.audit import Actor
from ecabinet.core.settings import Settings
from ecabinet.core.types import utcnow

SENDER = Actor.system("exchange-sender")
CANCELLED = "cancelled"
RETRYABLE = frozenset({"failed", "refused"})
CANCELLABLE = frozenset({"pending", "failed", "refused"})
LEASE = timedelta(minutes=2)
"""How long a process holds a row it is delivering; a process that dies mid-delivery
leaves the row due again after this (the receiver drops the duplicate)."""


def enqueue_document(
    session: Session, actor: Actor, document: Document, recipient: Recipient, from_code: str
) -> ExchangeOutbox:
    """Queue the package of ``document`` for ``recipient`` (a peer's agency)."""
    assert document.id is not None and recipient.id is not None
    now = utcnow()
    row = ExchangeOutbox(
        kind="document",
        from_code=from_code,
        to_code=recipient.organ_id,
        document_id=document.id,
        recipient_id=recipient.id,
        next_attempt_at=now,
        created_at=now,
    )
    recipient.delivery = "pending"
    session.add(recipient)
    session.add(row)
    session.flush()
    audit.record(session, actor, "exchange.queued", "exchange_outbox", row.id, _what(row))
    return row


def report(session: Session, actor: Actor, document: Document, note: str = "") -> None:
    """After a step on a document a peer sent us, queue its new edXML status for the
    sender (once per status code)."""
    if document.source != "exchange" or document.id is None:
        return
    code = status.code_of(State(document.state))
    if code is None:
        return
    inbox = session.exec(
        select(ExchangeInbox).where(
            ExchangeInbox.kind == "document", ExchangeInbox.document_id == document.id
        )
    ).first()
    if inbox is None:
        return
    reported = session.exec(
        select(ExchangeOutbox.id).where(
            ExchangeOutbox.kind == "status",
            ExchangeOutbox.document_id == document.id,
            ExchangeOutbox.status_code == code.value,
        )
    ).first()
    if reported is not None:
        return
    now = utcnow()
    row = ExchangeOutbox(
        kind="status",
        from_code=inbox.to_code,
        to_code=inbox.from_code,
        document_id=document.id,
        document_key=inbox.response_for,
        status_code=code.value,
        status_note=note[:2000],
        status_at=now,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "exchange.queued", "exchange_outbox", row.id, _what(row))


def _what(row: ExchangeOutbox) -> str:
    code = f" {row.status_code}" if row.kind == "status" else ""
    return f"{row.kind}{code} {row.from_code} → {row.to_code} (document {row.document_id})"


def due(session: Session, now: datetime, limit: int = 100) -> list[int]:
    """Ids of rows waiting for an attempt, oldest first."""
    query = (
        select(ExchangeOutbox.id)
        .where(ExchangeOutbox.state == "pending", col(ExchangeOutbox.next_attempt_at) <= now)
        .order_by(col(ExchangeOutbox.next_attempt_at), col(ExchangeOutbox.id))
        .limit(limit)
    )
    return [i for i in session.exec(query) if i is not None]


def claim(session: Session, row_id: int, now: datetime) -> ExchangeOutbox | None:
    """Take the row for one attempt (None if another process took it first): its next
    attempt moves past the lease and its attempt count goes up, both in the database,
    so a restart neither forgets nor repeats the count."""
    taken = session.execute(
        update(ExchangeOutbox)
        .where(
            col(ExchangeOutbox.id) == row_id,
            col(ExchangeOutbox.state) == "pending",
            col(ExchangeOutbox.next_attempt_at) <= now,
        )
        .values(next_attempt_at=now + LEASE, attempts=col(ExchangeOutbox.attempts) + 1)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(ExchangeOutbox, row_id, populate_existing=True)


def freeze(session: Session, row_id: int, sha256: str, document_key: str) -> ExchangeOutbox:
    """Fix the bytes every attempt of the row sends (the first writer wins)."""
    session.execute(
        update(ExchangeOutbox)
        .where(col(ExchangeOutbox.id) == row_id, col(ExchangeOutbox.package_sha256) == "")
        .values(package_sha256=sha256, document_key=document_key[:255])
    )
    row = session.get(ExchangeOutbox, row_id, populate_existing=True)
    assert row is not None
    return row


def delivered(
    session: Session,
    row_id: int,
    receipt: bytes,
    signature: bytes,
    *,
    reference: str,
    received_at: datetime,
) -> ExchangeOutbox:
    """The peer's receipt is verified: the row is done, the recipient sent and arrived
    (at the time the peer's receipt gives, on the peer's clock like its later hops)."""
    row = session.get(ExchangeOutbox, row_id)
    assert row is not None
    now = utcnow()
    row.state, row.delivered_at, row.last_error = "delivered", now, ""
    row.receipt, row.receipt_signature = receipt, signature
    session.add(row)
    audit.record(session, SENDER, "exchange.delivered", "exchange_outbox", row.id, _what(row))
    recipient = session.get(Recipient, row.recipient_id) if row.recipient_id else None
    if recipient is not None:
        recipient.delivery, recipient.delivered_at = "delivered", now
        if recipient.status in ("", status.StatusCode.refused.value):  # a retried refusal
            recipient.status = status.StatusCode.arrived.value
            recipient.status_at = received_at
        session.add(recipient)
        _timeline(session, row, f"{recipient.name} ({recipient.organ_id}): đã nhận — {reference}")
    return row


def refused(session: Session, row_id: int, code: str, vi: str, en: str) -> ExchangeOutbox:
    """The peer refused the message with a reason: kept on the row and the recipient."""
    row = session.get(ExchangeOutbox, row_id)
    assert row is not None
    row.last_error = f"{code}: {vi} / {en}"[:4000]
    session.add(row)
    audit.record(
        session, SENDER, "exchange.refused", "exchange_outbox", row.id, f"{_what(row)} {code}"
    )
    if row.state == CANCELLED:  # cancelled while in flight: the reason is kept, no more
        return row
    row.state = "refused"
    recipient = session.get(Recipient, row.recipient_id) if row.recipient_id else None
    if recipient is not None:
        recipient.delivery = "refused"
        recipient.status, recipient.status_at = status.StatusCode.refused.value, utcnow()
        session.add(recipient)
        _timeline(session, row, f"{recipient.name} ({recipient.organ_id}) từ chối: {vi} / {en}")
    return row


def retry_later(session: Session, settings: Settings, row_id: int, error: str) -> ExchangeOutbox:
    """The attempt failed on the way (peer away, bad answer): wait longer each time
    (exponential backoff kept in the row), or give up after the last attempt."""
    row = session.get(ExchangeOutbox, row_id)
    assert row is not None
    now = utcnow()
    row.last_error = error[:4000]
    if row.state == CANCELLED:  # cancelled while in flight: no further attempt
        session.add(row)
        return row
    if row.attempts >= settings.exchange_max_attempts:
        row.state = "failed"
        recipient = session.get(Recipient, row.recipient_id) if row.recipient_id else None
        if recipient is not None:
            recipient.delivery = "failed"
            session.add(recipient)
        action = "exchange.failed"
    else:
        wait = settings.exchange_retry_seconds * 2 ** max(row.attempts - 1, 0)
        row.next_attempt_at = now + timedelta(
            seconds=min(wait, settings.exchange_retry_max_seconds)
        )
        action = "exchange.retry"
    session.add(row)
    audit.record(
        session, SENDER, action, "exchange_outbox", row.id, f"{_what(row)} #{row.attempts}"
    )
    return row


def requeue(session: Session, actor: Actor, row_id: int) -> ExchangeOutbox:
    """A clerk sends a failed or refused row again: due now, the same frozen bytes (the
    same package id) and its attempts kept, so one more failure ends it again (409 for
    a row in another state)."""
    now = utcnow()
    _change(session, row_id, RETRYABLE, {"state": "pending", "next_attempt_at": now})
    row = session.get(ExchangeOutbox, row_id, populate_existing=True)
    assert row is not None
    audit.record(session, actor, "exchange.requeued", "exchange_outbox", row.id, _what(row))
    recipient = session.get(Recipient, row.recipient_id) if row.recipient_id else None
    if recipient is not None:
        recipient.delivery = "pending"
        session.add(recipient)
        _timeline(
            session, row, f"{recipient.name} ({recipient.organ_id}): gửi lại / sent again", actor
        )
    return row


def cancel(session: Session, actor: Actor, row_id: int) -> ExchangeOutbox:
    """A clerk gives up a row not delivered: the sender never picks it again and the
    recipient shows it cancelled (409 for a delivered or already cancelled row). If an
    attempt was in flight and the peer's receipt comes back, the row is delivered all
    the same: the receipt is the truth."""
    _change(session, row_id, CANCELLABLE, {"state": CANCELLED})
    row = session.get(ExchangeOutbox, row_id, populate_existing=True)
    assert row is not None
    audit.record(session, actor, "exchange.cancelled", "exchange_outbox", row.id, _what(row))
    recipient = session.get(Recipient, row.recipient_id) if row.recipient_id else None
    if recipient is not None:
        recipient.delivery = CANCELLED
        session.add(recipient)
        _timeline(
            session, row, f"{recipient.name} ({recipient.organ_id}): hủy gửi / cancelled", actor
        )
    return row


def _change(
    session: Session, row_id: int, allowed: frozenset[str], values: dict[str, object]
) -> None:
    """Change the row only from an ``allowed`` state, in one conditional update (a
    sender finishing an attempt at the same moment cannot be overwritten unseen)."""
    changed = session.execute(
        update(ExchangeOutbox)
        .where(col(ExchangeOutbox.id) == row_id, col(ExchangeOutbox.state).in_(allowed))
        .values(**values)
    )
    if changed.rowcount == 1:  # type: ignore[attr-defined]
        return
    row = session.get(ExchangeOutbox, row_id)
    state = row.state if row is not None else ""
    raise errors.Conflict(
        "exchange.wrong_state",
        f"Không thể thực hiện với thư đang ở trạng thái “{STATE_VI.get(state, state)}”.",
        f"Not possible for a message in the state {state!r}.",
        {"state": state},
    )


STATE_VI = {
    "pending": "chờ gửi",
    "delivered": "đã gửi đến nơi",
    "refused": "bị từ chối",
    "failed": "gửi lỗi",
    CANCELLED: "đã hủy",
}


def _timeline(session: Session, row: ExchangeOutbox, note: str, actor: Actor = SENDER) -> None:
    if row.kind != "document":
        return
    document = session.get(Document, row.document_id)
    if document is not None:
        history.log(session, actor, document, "exchange_delivery", note=note[:4000])
