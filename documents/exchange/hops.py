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
from documents.exchange.outbox import LEASE
from documents.exchange.proofs import ProofRef
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
    proof: ProofRef | None = None
    """The other system's signed words behind this hop (its receipt, its message)."""


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


def _status_hop(code: str, status: ExchangeInbox) -> Hop:
    """A status the peer reported, at the time it says it reached the step (never later
    than we received it: a clock ahead of ours cannot put a hop in the future), with its
    signed message as the proof when the message log holds it."""
    at = status.received_at
    if status.reported_at is not None:
        at = min(status.reported_at, status.received_at)
    proof = ProofRef("message", status.id) if status.id and status.message_sha256 else None
    return Hop(code, at, proof=proof)


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
    recalls = _recalls(session, document_id)
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
            proof = ProofRef("receipt", row.id) if row.id and row.receipt else None
            hops.append(Hop(StatusCode.arrived.value, arrived, proof=proof))
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
                hops.append(_status_hop(code, status))
        hops += recalls.get(row.to_code, [])
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


def _recalls(session: Session, document_id: int) -> dict[str, list[Hop]]:
    """Peer code → the hops of our recall of ``document_id`` (decision 0035): 13 when it
    was queued, with its reason, and 16 with the peer's reason if the peer refused it
    (an accepted recall comes back as the peer's status 15, an ordinary status)."""
    rows = session.exec(
        select(ExchangeOutbox).where(
            ExchangeOutbox.kind == "status",
            ExchangeOutbox.document_id == document_id,
            ExchangeOutbox.status_code == StatusCode.recall_requested.value,
        )
    ).all()
    out: dict[str, list[Hop]] = {}
    for row in rows:
        hops = out.setdefault(row.to_code, [])
        hops.append(Hop(StatusCode.recall_requested.value, row.created_at, row.status_note))
        if row.state == "refused":
            at = max(row.created_at, row.next_attempt_at - LEASE)  # when the answer came
            hops.append(Hop(StatusCode.recall_refused.value, at, row.last_error))
    return out
