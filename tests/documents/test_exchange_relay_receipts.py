"""A relay's receipt (decision 0036) is taken only from a relay configured at the address
the message went to; a receiver's receipt keeps the bytes it had before relays."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from documents.exchange import peers as exchange_peers
from documents.exchange import signed_messages as exchange_signing
from documents.exchange.axis import PeerAxis
from documents.exchange.inbox import Envelope, SignedReceipt
from documents.exchange.signed_messages import Receipt
from ecabinet.core.settings import Settings
from ecabinet.core.types import utcnow
from tests.support.exchange_pair import (
    Pair,
    dispatch_to_b,
    outbox_rows,
    received_docs,
    recipient_row,
    send_from_a,
)


@dataclasses.dataclass(frozen=True)
class _ClaimsToRelay(PeerAxis):
    """A receiver that answers with a receipt, signed by itself, claiming another code
    relayed the package."""

    signer: Settings | None = None
    relayed_by: str = "000.00.00.H01"

    def send(self, base_url: str, envelope: Envelope) -> SignedReceipt:
        answer = super().send(base_url, envelope)
        claimed = dataclasses.replace(Receipt.decode(answer.receipt), relayed_by=self.relayed_by)
        data = claimed.encode()
        assert self.signer is not None
        return SignedReceipt(data, exchange_signing.sign(exchange_peers.own_key(self.signer), data))


def test_a_relay_receipt_from_a_code_not_configured_there_is_no_hop(
    pair: Pair,
    pdf: bytes,
) -> None:
    pair.start_b()
    doc_id = dispatch_to_b(pair, pdf)
    assert send_from_a(pair, axis=_ClaimsToRelay(signer=pair.b.settings)) == 0
    [row] = outbox_rows(pair.a)
    assert (row.state, row.receipt) == ("pending", None)
    assert row.last_error.startswith("exchange.unknown_relay:")
    assert recipient_row(pair.a, doc_id).delivery == "pending"
    # The next attempt gets B's own receipt: delivered, one document.
    assert send_from_a(pair, now=utcnow() + timedelta(seconds=31)) == 1
    [row] = outbox_rows(pair.a)
    assert row.state == "delivered" and row.receipt is not None
    assert b"relayed_by" not in row.receipt  # a receiver's receipt, as before relays
    assert Receipt.decode(row.receipt).relayed_by == ""
    assert len(received_docs(pair.b)) == 1
