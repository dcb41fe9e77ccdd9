"""This deployment's signed receipt of a message (decision 0032): by its receiver, or by
an axis that carries it on (decision 0036)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlmodel import Session

from documents.exchange import peers as exchange_peers
from documents.exchange import signed_messages as exchange_signing
from documents.exchange.models import ExchangeInbox
from documents.exchange.signed_messages import Receipt
from ecabinet.core.settings import Settings
from ecabinet.core.types import utcnow

if TYPE_CHECKING:  # the inbox imports the modules that import this one
    from documents.exchange.inbox import Envelope


def sign_receipt(
    settings: Settings,
    envelope: Envelope,
    now: datetime,
    *,
    reference: str = "",
    relayed_by: str = "",
) -> tuple[bytes, bytes]:
    """The receipt of ``envelope`` received ``now`` and its signature: ``reference`` says
    what the receiver made of it, ``relayed_by`` names an axis that carries it on."""
    receipt = Receipt(
        package_id=envelope.package_id,
        kind=envelope.kind,
        from_code=envelope.from_code,
        to_code=envelope.to_code,
        received_at=now.astimezone(UTC).isoformat(),
        reference=reference,
        relayed_by=relayed_by,
    ).encode()
    return receipt, exchange_signing.sign(exchange_peers.own_key(settings), receipt)


def keep_received(
    session: Session,
    settings: Settings,
    envelope: Envelope,
    message_sha256: str,
    *,
    document_id: int | None = None,
    response_for: str = "",
    reference: str = "",
    relayed_by: str = "",
    reported_at: datetime | None = None,
) -> ExchangeInbox:
    """Keep a received message once, with our signed receipt of it and, when its bytes
    are in the message log (``message_sha256``), its sender's signature. A concurrent
    duplicate fails at the flush, and the whole delivery with it."""
    now = utcnow()
    receipt, signature = sign_receipt(
        settings, envelope, now, reference=reference, relayed_by=relayed_by
    )
    row = ExchangeInbox(
        package_id=envelope.package_id,
        kind=envelope.kind,
        from_code=envelope.from_code,
        to_code=envelope.to_code,
        document_id=document_id,
        response_for=response_for[:255],
        received_at=now,
        receipt=receipt,
        receipt_signature=signature,
        message_sha256=message_sha256,
        message_signature=envelope.signature if message_sha256 else None,
        reported_at=reported_at,
    )
    session.add(row)
    session.flush()
    return row
