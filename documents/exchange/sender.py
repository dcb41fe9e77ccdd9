"""Delivery of the exchange outbox: each due row is claimed, its bytes frozen on the
first attempt, signed with this deployment's key, pushed through the axis, and marked
delivered only once the peer's signed receipt checks out; a refusal keeps the peer's
reason, anything else waits and tries again (:mod:`documents.exchange.outbox`).

Run by each process's background task every ``ECABINET_EXCHANGE_SEND_SECONDS`` and by
``ecabinet exchange send-once``. Several processes may run it together: a row is held
by one of them at a time (a lease in the row), and the receiver drops a package it
already has, so a process killed mid-delivery causes one more attempt, never a second
document.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import anyio
import anyio.to_thread
from cryptography import x509
from sqlalchemy import Engine
from sqlmodel import Session

from documents import edxml
from documents.edxml_model import ResponseFor
from documents.edxml_status import StatusMessage, build_status
from documents.exchange import national_axis, relay_refusals
from documents.exchange import outbox as exchange_outbox
from documents.exchange import packages as exchange
from documents.exchange import peers as exchange_peers
from documents.exchange import recall as exchange_recall
from documents.exchange import relay as exchange_relay
from documents.exchange import signed_messages as exchange_signing
from documents.exchange.axis import Axis, PeerAxis, Refused, Unreachable
from documents.exchange.inbox import Envelope
from documents.exchange.models import ExchangeOutbox
from documents.models import Document
from documents.symbols import format_number_symbol
from ecabinet.core import errors
from ecabinet.core.agencies import Agency
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Peer, Settings
from ecabinet.core.storage import ObjectStore
from ecabinet.core.types import utcnow
from signing.pdfio import VN

log = logging.getLogger(__name__)


def send_once(
    engine: Engine,
    store: ObjectStore,
    settings: Settings,
    *,
    axis: Axis | None = None,
    now: datetime | None = None,
) -> int:
    """Attempt every row due now; the number delivered."""
    axis = axis or PeerAxis(timeout=settings.network_timeout * 3)
    moment = now or utcnow()
    with session_scope(engine, write=False) as session:
        ids = exchange_outbox.due(session, moment)
    return sum(_attempt(engine, store, settings, axis, row_id, moment) for row_id in ids)


async def run(
    engine: Engine,
    store: ObjectStore,
    settings: Settings,
    also: Sequence[Callable[[], object]] = (),
) -> None:
    """Deliver what is due every ``exchange_send_seconds``, until cancelled (each process
    runs it: rows are leased one at a time); ``also``: further steps of each round (the
    national axis's puller, decision 0034)."""
    while True:
        try:
            await anyio.to_thread.run_sync(lambda: send_once(engine, store, settings))
            for step in also:
                await anyio.to_thread.run_sync(step)
        except Exception:  # a database outage, say: log it and try again next round
            log.exception("exchange: delivery round failed")
        await anyio.sleep(settings.exchange_send_seconds)


def _attempt(
    engine: Engine,
    store: ObjectStore,
    settings: Settings,
    axis: Axis,
    row_id: int,
    now: datetime,
) -> bool:
    with session_scope(engine) as session:
        claimed = exchange_outbox.claim(session, row_id, now)
    if claimed is None:
        return False
    row = claimed
    try:
        if not row.package_sha256:
            with session_scope(engine) as session:
                data, key = _build(session, store, row)
                row = exchange_outbox.freeze(session, row_id, store.put_bytes(data).sha256, key)
        envelope = _envelope(store, settings, row)
        peer = exchange_peers.peer_for(settings, row.to_code)
        if peer is None:
            raise Unreachable(f"no peer configured for {row.to_code}")
        via, signer = national_axis.route(settings, peer, axis)
        send = via.send if row.kind == "document" else via.send_status
        answer = send(peer.url, envelope)
        receipt = _checked(settings, answer.receipt, answer.signature, envelope, peer, signer)
    except Refused as refusal:
        with session_scope(engine) as session:
            exchange_outbox.refused(session, row_id, refusal.code, refusal.vi, refusal.en)
        if row.relay_of is not None:  # tell the sender of what we relayed (0036)
            reason = f"{refusal.code}: {refusal.vi} / {refusal.en}"
            try:
                with session_scope(engine) as session:
                    relay_refusals.refuse_back(session, settings, store, row_id, reason)
            except errors.DomainError as exc:  # the refusal stays on our row, in the console
                log.warning("exchange: cannot tell the sender of row %s: %s", row_id, exc)
        return False
    except (Unreachable, errors.DomainError) as exc:
        log.info("exchange: outbox row %s not delivered: %s", row_id, exc)
        # Our own errors keep both languages: the clerk reads the reason in the console.
        reason = (
            f"{exc.code}: {exc.vi} / {exc.en}" if isinstance(exc, errors.DomainError) else str(exc)
        )
        with session_scope(engine) as session:
            exchange_outbox.retry_later(session, settings, row_id, reason)
        return False
    with session_scope(engine) as session:
        if receipt.relayed_by or row.relay_of is not None:  # decision 0036
            exchange_relay.recorded(session, row_id, answer.receipt, answer.signature, receipt)
            return True
        exchange_outbox.delivered(
            session,
            row_id,
            answer.receipt,
            answer.signature,
            reference=receipt.reference,
            received_at=_moment(receipt.received_at),
        )
    return True


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return utcnow()
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _envelope(store: ObjectStore, settings: Settings, row: ExchangeOutbox) -> Envelope:
    data = store.read_bytes(row.package_sha256)
    if row.forward_signature:  # relayed: the original sender's signature, unchanged (0036)
        return Envelope(
            row.kind,
            row.from_code,
            row.to_code,
            data,
            row.forward_signature,
            via=settings.exchange_relay,
        )
    signature = exchange_signing.sign(exchange_peers.own_key(settings), data)
    return Envelope(row.kind, row.from_code, row.to_code, data, signature)


def _checked(
    settings: Settings,
    receipt: bytes,
    signature: bytes,
    envelope: Envelope,
    peer: Peer,
    axis_signer: x509.Certificate | None,
) -> exchange_signing.Receipt:
    """The receipt must be signed by the national axis that carries the package
    (``axis_signer``, decision 0034), else by the peer or the relay at its address
    (decision 0036), and name this very package."""
    certificate = axis_signer or exchange_relay.receipt_certificate(settings, receipt, peer)
    exchange_signing.verify(receipt, signature, certificate)
    decoded = exchange_signing.Receipt.decode(receipt)
    expected = (envelope.package_id, envelope.from_code, envelope.to_code, envelope.kind)
    if (decoded.package_id, decoded.from_code, decoded.to_code, decoded.kind) != expected:
        raise Unreachable("the receipt names another package")
    return decoded


def _build(session: Session, store: ObjectStore, row: ExchangeOutbox) -> tuple[bytes, str]:
    """The bytes of the row's message and the DocumentId it concerns."""
    document = session.get(Document, row.document_id)
    assert document is not None
    if row.kind == "document":
        message = exchange.message_for(session, store, document)
        return edxml.build_document(message), message.document_id
    agency = session.get(Agency, document.agency_id)
    assert agency is not None and row.status_at is not None
    status = StatusMessage(
        response_for=ResponseFor(
            organ_id=exchange_recall.issuer_code(row),
            code=format_number_symbol(document.number, document.symbol),
            promulgation_date=document.issued_on or row.status_at.astimezone(VN).date(),
            document_id=row.document_key,
        ),
        sender=exchange.organ_of(agency),
        status_code=row.status_code,
        description=row.status_note,
        timestamp=row.status_at.astimezone(VN),
    )
    return build_status(status), row.document_key
