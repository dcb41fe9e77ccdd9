"""How far each peer recipient of an outgoing document got, hop by hop, read from the
exchange's own rows: handed to the outbox (its row's creation), arrived (the time in the
peer's signed receipt), refused (with the peer's reason), then each status the peer
reported (the time this system received it, which its signed receipt in the inbox
proves). The document's timeline tells the same story in words; these are the facts
the recipient list shows next to each recipient."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from documents.exchange.console import Stage, stage_of
from documents.exchange.models import ExchangeInbox, ExchangeOutbox
from documents.exchange.signed_messages import Receipt
from documents.models import Recipient
from documents.status import StatusCode
from ecabinet.core import errors

QUEUED = "queued"
"""The hop of a package handed to the outbox (not an edXML code)."""
RELAYED = "relayed"
"""The hop of a package a relay took on (decision 0036): the note names the relay, the
time is the one in its signed receipt; arrival (01) comes later as the receiver's
status."""


@dataclass(frozen=True)
class Hop:
    code: str
    """``queued``, or the edXML status code (01 arrived, 02 refused, 03 registered…)."""
    at: datetime
    note: str = ""


@dataclass(frozen=True)
class Track:
    """A peer recipient's delivery: its outbox row's stage and the hops so far."""

    outbox_id: int
    stage: Stage
    attempts: int
    last_error: str
    next_attempt_at: datetime | None
    """When the sender tries next (a row waiting or retrying), else None."""
    hops: list[Hop] = field(default_factory=list)


def _receipt(data: bytes | None) -> Receipt | None:
    if not data:
        return None
    try:
        return Receipt.decode(data)
    except errors.DomainError:
        return None


def _moment(text: str, fallback: datetime) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return fallback
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def tracks_of(session: Session, document_id: int) -> dict[int, Track]:
    """Recipient id → its track, for the recipients of ``document_id`` sent to a peer."""
    rows = session.exec(
        select(ExchangeOutbox)
        .where(
            ExchangeOutbox.kind == "document",
            ExchangeOutbox.document_id == document_id,
            col(ExchangeOutbox.recipient_id).is_not(None),
        )
        .order_by(col(ExchangeOutbox.id))
    ).all()
    if not rows:
        return {}
    statuses = session.exec(
        select(ExchangeInbox)
        .where(ExchangeInbox.kind == "status", ExchangeInbox.document_id == document_id)
        .order_by(col(ExchangeInbox.received_at), col(ExchangeInbox.id))
    ).all()
    recipients = {
        r.id: r for r in session.exec(select(Recipient).where(Recipient.document_id == document_id))
    }
    tracks: dict[int, Track] = {}
    for row in rows:  # oldest first: a later row for the same recipient wins
        assert row.recipient_id is not None
        recipient = recipients.get(row.recipient_id)
        hops = [Hop(QUEUED, row.created_at)]
        receipt = _receipt(row.receipt)
        if receipt is not None and receipt.relayed_by:  # taken on by a relay (0036)
            relayed = _moment(receipt.received_at, row.created_at)
            hops.append(Hop(RELAYED, relayed, receipt.relayed_by))
        elif row.state == "delivered":
            at = row.delivered_at or row.created_at
            arrived = _moment(receipt.received_at, at) if receipt else at
            hops.append(Hop(StatusCode.arrived.value, arrived))
        if row.state == "refused":
            refused = StatusCode.refused.value
            at = row.created_at
            if recipient is not None and recipient.status == refused and recipient.status_at:
                at = recipient.status_at
            hops.append(Hop(refused, at, row.last_error))
        for status in statuses:
            if (status.from_code, status.to_code) == (row.to_code, row.from_code):
                reported = _receipt(status.receipt)
                code = reported.reference if reported else ""
                hops.append(Hop(code, status.received_at))
        waiting = row.state == "pending"
        tracks[row.recipient_id] = Track(
            outbox_id=row.id or 0,
            stage=stage_of(row),
            attempts=row.attempts,
            last_error=row.last_error,
            next_attempt_at=row.next_attempt_at if waiting else None,
            hops=sorted(hops, key=lambda h: h.at),
        )
    return tracks
