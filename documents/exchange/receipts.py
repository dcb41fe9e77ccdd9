"""This deployment's signed receipt of a message (decision 0032): by its receiver, or by
an axis that carries it on (decision 0036)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from documents.exchange import peers as exchange_peers
from documents.exchange import signed_messages as exchange_signing
from documents.exchange.signed_messages import Receipt
from ecabinet.core.settings import Settings

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
