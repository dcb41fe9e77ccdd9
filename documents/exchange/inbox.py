"""The receiving side of the exchange: a signed package or status message from a peer is
authenticated, kept once by its package id, turned into an incoming document through the
one intake (or into a hop on the recipient of a document we sent), and answered with a
signed receipt. A duplicate gets the first receipt back and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, select

from documents import history, notifications
from documents.edxml_status import StatusMessage
from documents.exchange import outbox as exchange_outbox
from documents.exchange import peers as exchange_peers
from documents.exchange import receipts, relay_refusals
from documents.exchange import relay as exchange_relay
from documents.exchange import signed_messages as exchange_signing
from documents.exchange.models import ExchangeInbox, ExchangeOutbox
from documents.exchange.signed_messages import peer_actor, refused
from documents.intake import Arrival, register_arrival
from documents.models import Document, Recipient
from documents.status import STATUS_VI, StatusCode
from ecabinet.core import audit, errors
from ecabinet.core.agencies import Agency
from ecabinet.core.audit import Actor
from ecabinet.core.settings import Peer, Settings
from ecabinet.core.storage import ObjectStore
from ecabinet.core.types import utcnow


@dataclass(frozen=True)
class Envelope:
    """A message as it arrives: its bytes, who signs for it, and for whom it is."""

    kind: str
    """``document`` (an edXML package) or ``status`` (an edXML status message)."""
    from_code: str
    to_code: str
    data: bytes
    signature: bytes
    via: str = ""
    """The relay that carried it (``X-Exchange-Via``, decision 0036), if any: the
    receiver then reports its arrival back as a status 01 signed by itself."""

    @property
    def package_id(self) -> str:
        return exchange_signing.package_id(self.data)

    def actor(self) -> Actor:
        return peer_actor(self.from_code)


@dataclass(frozen=True)
class SignedReceipt:
    """A receipt and the receiver's signature over its bytes."""

    receipt: bytes
    signature: bytes


def known_sender(settings: Settings, from_code: str) -> Peer:
    """The configured peer a message claims to come from (403 for an unknown sender).
    Checked before the body is read, so a stranger's upload costs nothing."""
    peer = exchange_peers.peer_for(settings, from_code)
    if peer is None:
        raise errors.PermissionDenied(
            "exchange.unknown_peer",
            f"Cơ quan gửi {from_code} không phải hệ thống liên thông đã cấu hình.",
            f"The sender {from_code} is not a configured exchange peer.",
        )
    return peer


def authenticate(settings: Settings, envelope: Envelope) -> None:
    """Refuse unless the sender's code is a configured peer and the signature over the
    bytes is by that peer's certificate (403 for an unknown sender, 422 otherwise)."""
    peer = known_sender(settings, envelope.from_code)
    exchange_signing.verify(envelope.data, envelope.signature, exchange_peers.certificate(peer))


def answered(session: Session, envelope: Envelope) -> SignedReceipt | None:
    """The receipt already given for this package and recipient, if any."""
    row = session.exec(
        select(ExchangeInbox).where(
            ExchangeInbox.package_id == envelope.package_id,
            ExchangeInbox.to_code == envelope.to_code,
        )
    ).first()
    return SignedReceipt(row.receipt, row.receipt_signature) if row else None


def receiving_agency(session: Session, code: str) -> Agency:
    """The agency of this deployment that holds ``code`` (422 when none does)."""
    agency = session.exec(select(Agency).where(Agency.code == code)).first()
    if agency is None or agency.id is None:
        raise refused(
            "exchange.unknown_recipient",
            f"Hệ thống này không có cơ quan mã {code}.",
            f"This system holds no agency with code {code}.",
            to=code,
        )
    return agency


def check_sender(envelope: Envelope, organ_id: str) -> None:
    """The edXML From must be the agency that signed for the message."""
    if organ_id != envelope.from_code:
        raise refused(
            "exchange.sender_mismatch",
            f"Gói tin ghi nơi gửi {organ_id}, nhưng được ký cho {envelope.from_code}.",
            f"The package names {organ_id} as sender but is signed for {envelope.from_code}.",
        )


def log_message(store: ObjectStore, envelope: Envelope) -> str:
    """Keep the message's bytes as received (the message log); their key, which is the
    package id. Done before the row that refers to them is written."""
    return store.put_bytes(envelope.data).sha256


def keep(
    session: Session,
    settings: Settings,
    envelope: Envelope,
    document_id: int,
    response_for: str,
    reference: str,
    *,
    message_sha256: str = "",
    reported_at: datetime | None = None,
) -> SignedReceipt:
    row = receipts.keep_received(
        session,
        settings,
        envelope,
        message_sha256,
        document_id=document_id,
        response_for=response_for,
        reference=reference,
        reported_at=reported_at,
    )
    audit.record(
        session,
        envelope.actor(),
        f"exchange.received_{envelope.kind}",
        "exchange_inbox",
        row.id,
        f"{envelope.from_code} → {envelope.to_code} {envelope.package_id[:16]}",
    )
    return SignedReceipt(row.receipt, row.receipt_signature)


def accept_document(
    session: Session,
    settings: Settings,
    envelope: Envelope,
    arrival_for: Callable[[Session, int], Arrival],
    response_for: str,
    message_sha256: str = "",
) -> SignedReceipt:
    """Register the package's document for the receiving agency through the intake and
    keep the package id with the signed receipt, in one transaction."""
    agency = receiving_agency(session, envelope.to_code)
    assert agency.id is not None
    document = register_arrival(
        session, envelope.actor(), None, settings, arrival_for(session, agency.id)
    )
    assert document.id is not None
    notifications.on_delivered(session, document)
    kept = keep(
        session,
        settings,
        envelope,
        document.id,
        response_for,
        str(document.id),
        message_sha256=message_sha256,
    )
    if envelope.via:  # the sender only has the relay's receipt: tell it we have it (0036)
        exchange_outbox.report(session, envelope.actor(), document)
    return kept


def accept_status(
    session: Session,
    settings: Settings,
    envelope: Envelope,
    message: StatusMessage,
    message_sha256: str = "",
) -> SignedReceipt:
    """Record a status the recipient reports on a document we sent: the hop with its
    time on the recipient row, in the document's timeline and the audit log."""
    check_sender(envelope, message.sender.organ_id)
    sent = session.exec(
        select(ExchangeOutbox).where(
            ExchangeOutbox.kind == "document",
            ExchangeOutbox.to_code == envelope.from_code,
            ExchangeOutbox.from_code == envelope.to_code,
            ExchangeOutbox.document_key == message.response_for.document_id,
        )
    ).first()
    if sent is None and message.status_code == relay_refusals.REFUSED:
        onward = relay_refusals.refused_beyond(
            session,
            envelope.from_code,
            envelope.to_code,
            message.response_for.document_id,
            message.description[:2000],
        )
        if onward is not None and onward.document_id is not None:
            return keep(
                session,
                settings,
                envelope,
                onward.document_id,
                message.response_for.document_id,
                message.status_code,
                message_sha256=message_sha256,
                reported_at=min(message.timestamp.astimezone(UTC), utcnow()),
            )
    if sent is None or sent.recipient_id is None:
        raise refused(
            "exchange.unknown_document",
            "Không có văn bản đã gửi mà thông báo trạng thái này trả lời.",
            "No document we sent matches this status message.",
            response_for=message.response_for.document_id,
        )
    recipient = session.get(Recipient, sent.recipient_id)
    document = session.get(Document, sent.document_id)
    assert recipient is not None and document is not None and document.id is not None
    code = message.status_code
    label = STATUS_VI[StatusCode(code)] if code in set(StatusCode) else code
    at = message.timestamp.astimezone(UTC)
    if recipient.status_at is None or at >= recipient.status_at:
        recipient.status, recipient.status_at = code, at
        session.add(recipient)
    exchange_relay.arrived(session, envelope.actor(), sent, at)  # sent through a relay
    note = f"{recipient.name} ({recipient.organ_id}): {code} {label}"
    if message.description:
        note += f" — {message.description[:1000]}"
    history.log(
        session,
        envelope.actor(),
        document,
        "exchange_status",
        note=f"{note} ({message.timestamp.isoformat()})",
        summary=f"{envelope.from_code} {code}",
    )
    return keep(
        session,
        settings,
        envelope,
        document.id,
        message.response_for.document_id,
        code,
        message_sha256=message_sha256,
        reported_at=at,
    )
