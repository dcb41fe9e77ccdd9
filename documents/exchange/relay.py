"""The provincial axis (decision 0036): a deployment with ``ECABINET_EXCHANGE_RELAY`` set
takes a message for an agency it does not hold but that a configured peer holds, keeps
it once in its inbox, queues it in its outbox to that peer (the bytes and the original
sender's signature unchanged: a relay never signs someone else's message) and answers
with its own signed receipt that says *relayed*, not *delivered*.

The sender's side: a relay's receipt (checked against the relay's own certificate, the
relay being a configured peer at the same address) makes the outbox row *relayed*; the
recipient is delivered only when the final receiver's status 01, signed by it and
carried back the same way, arrives (:func:`arrived`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from cryptography import x509
from sqlmodel import Session, col, select

from documents import edxml, edxml_status, history
from documents.exchange import peers as exchange_peers
from documents.exchange import receipts
from documents.exchange.models import ExchangeInbox, ExchangeOutbox
from documents.exchange.signed_messages import Receipt, peer_actor, refused
from documents.models import Document, Recipient
from ecabinet.core import audit
from ecabinet.core.agencies import Agency
from ecabinet.core.audit import Actor
from ecabinet.core.settings import Peer, Settings
from ecabinet.core.types import utcnow

if TYPE_CHECKING:
    from documents.exchange.inbox import Envelope

RELAYED = "relayed"
"""The state of an outbox row (and the delivery of its recipient) whose message a relay
took on: the relay's receipt is kept, the final receiver's is still to come."""
RELAY = Actor.system("exchange-relay")


def relays(settings: Settings, to_code: str) -> bool:
    """Whether this deployment relays messages for ``to_code`` (if it does not hold it)."""
    return bool(settings.exchange_relay) and exchange_peers.peer_for(settings, to_code) is not None


def holds(session: Session, code: str) -> bool:
    return session.exec(select(Agency.id).where(Agency.code == code)).first() is not None


def check(settings: Settings, envelope: Envelope) -> None:
    """What the final receiver would refuse anyway and a relay can tell at once, so the
    reason goes back to the sender in the answer: an edXML that does not parse, a From
    that is not the signing code, a package not addressed to the code it is sent to, a
    package without a PDF. (The PDFs' signatures and the registration stay the
    receiver's: a refusal there lands on the relay's outbox row.)"""
    limit = settings.max_upload_bytes
    if envelope.kind == "status":
        sender = edxml_status.parse_status(envelope.data, max_bytes=limit).sender.organ_id
    else:
        message = edxml.parse_document(envelope.data, max_bytes=limit)
        sender = message.sender.organ_id
        if not any(r.organ_id == envelope.to_code for r in message.recipients):
            raise refused(
                "edxml.misaddressed",
                f"Gói edXML không gửi cho cơ quan mã {envelope.to_code}.",
                f"The edXML package is not addressed to agency {envelope.to_code}.",
                to=[r.organ_id for r in message.recipients],
            )
        if not any(a.data[:1024].lstrip().startswith(b"%PDF-") for a in message.attachments):
            raise refused(
                "edxml.no_pdf",
                "Gói edXML không có tệp PDF văn bản.",
                "The edXML package holds no PDF document.",
            )
    if sender != envelope.from_code:
        raise refused(
            "exchange.sender_mismatch",
            f"Gói tin ghi nơi gửi {sender}, nhưng được ký cho {envelope.from_code}.",
            f"The package names {sender} as sender but is signed for {envelope.from_code}.",
        )


def accept(
    session: Session, settings: Settings, envelope: Envelope, message_sha256: str
) -> tuple[bytes, bytes]:
    """Keep the (authenticated) message once, queue it to the peer holding its recipient
    in the same transaction, and sign a receipt saying it was relayed: (receipt,
    signature)."""
    # A concurrent duplicate fails in keep_received, before anything is queued; the
    # message log was written before this transaction.
    inbox = receipts.keep_received(
        session, settings, envelope, message_sha256, relayed_by=settings.exchange_relay
    )
    now = inbox.received_at
    what = f"{envelope.kind} {envelope.from_code} → {envelope.to_code} {envelope.package_id[:16]}"
    audit.record(
        session, envelope.actor(), "exchange.received_to_relay", "exchange_inbox", inbox.id, what
    )
    row = ExchangeOutbox(
        kind=envelope.kind,
        from_code=envelope.from_code,
        to_code=envelope.to_code,
        package_sha256=message_sha256,
        forward_signature=envelope.signature,
        relay_of=inbox.id,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(session, RELAY, "exchange.queued", "exchange_outbox", row.id, f"relay {what}")
    return inbox.receipt, inbox.receipt_signature


def receipt_certificate(settings: Settings, receipt: bytes, peer: Peer) -> x509.Certificate:
    """The certificate a receipt from ``peer``'s address must be signed with: the
    relay's, for a relay's receipt (the relay a configured peer at that very address),
    else the peer's own."""
    relayed_by = Receipt.decode(receipt).relayed_by
    if not relayed_by:
        return exchange_peers.certificate(peer)
    relay = exchange_peers.peer_for(settings, relayed_by)
    if relay is None or relay.url != peer.url:
        raise refused(
            "exchange.unknown_relay",
            f"Biên nhận chuyển tiếp của {relayed_by}, không phải trục đã cấu hình tại {peer.url}.",
            f"A relay receipt from {relayed_by}, not a relay configured at {peer.url}.",
        )
    return exchange_peers.certificate(relay)


def recorded(
    session: Session, row_id: int, receipt: bytes, signature: bytes, decoded: Receipt
) -> ExchangeOutbox:
    """A verified receipt for a row of the relay kind: taken on by a relay (the row and
    its recipient *relayed*), or a relayed message delivered to the next hop."""
    row = session.get(ExchangeOutbox, row_id)
    assert row is not None
    row.receipt, row.receipt_signature, row.last_error = receipt, signature, ""
    what = f"{row.kind} {row.from_code} → {row.to_code}"
    if not decoded.relayed_by:  # a message we relayed, now in the next hop's hands
        row.state, row.delivered_at = "delivered", utcnow()
        session.add(row)
        audit.record(
            session, RELAY, "exchange.delivered", "exchange_outbox", row.id, f"relay {what}"
        )
        return row
    row.state = RELAYED
    session.add(row)
    audit.record(
        session,
        RELAY,
        "exchange.relayed",
        "exchange_outbox",
        row.id,
        f"{what} via {decoded.relayed_by}",
    )
    recipient = session.get(Recipient, row.recipient_id) if row.recipient_id else None
    if recipient is not None:
        recipient.delivery = RELAYED
        session.add(recipient)
        _timeline(
            session,
            row,
            f"{recipient.name} ({recipient.organ_id}): đã chuyển qua trục {decoded.relayed_by}"
            f" lúc {decoded.received_at} / relayed by {decoded.relayed_by}",
        )
    _arrived_before(session, row)
    return row


def _arrived_before(session: Session, row: ExchangeOutbox) -> None:
    """The final receiver's status can overtake the relay's receipt (the sender died
    before it kept the receipt and hears the status before it sends again): a status
    from that receiver already kept for this package makes the row delivered now."""
    first = session.exec(
        select(ExchangeInbox)
        .where(
            ExchangeInbox.kind == "status",
            ExchangeInbox.from_code == row.to_code,
            ExchangeInbox.to_code == row.from_code,
            ExchangeInbox.response_for == row.document_key,
        )
        .order_by(col(ExchangeInbox.id))
    ).first()
    if first is not None and row.document_key:
        at = first.reported_at or first.received_at
        arrived(session, peer_actor(row.to_code), row, at)


def arrived(session: Session, actor: Actor, sent: ExchangeOutbox, at: datetime) -> None:
    """The final receiver's status (signed by it) came back for a row a relay took on:
    the recipient is delivered now."""
    if sent.state != RELAYED:
        return
    now = utcnow()
    sent.state, sent.delivered_at = "delivered", now
    session.add(sent)
    what = f"{sent.kind} {sent.from_code} → {sent.to_code} (document {sent.document_id})"
    audit.record(session, actor, "exchange.delivered", "exchange_outbox", sent.id, what)
    recipient = session.get(Recipient, sent.recipient_id) if sent.recipient_id else None
    if recipient is not None:
        recipient.delivery, recipient.delivered_at = "delivered", now
        session.add(recipient)
        _timeline(
            session,
            sent,
            f"{recipient.name} ({recipient.organ_id}): đã nhận (qua trục) — {at.isoformat()}",
            actor,
        )


def _timeline(session: Session, row: ExchangeOutbox, note: str, actor: Actor = RELAY) -> None:
    if row.kind != "document" or row.document_id is None:
        return
    document = session.get(Document, row.document_id)
    if document is not None:
        history.log(session, actor, document, "exchange_delivery", note=note[:4000])
