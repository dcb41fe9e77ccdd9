"""The proof behind each hop: the other system's own signed words, kept as received.

Two kinds of proof back what the recipient list shows:

- ``receipt``: the receiver's signed receipt of a package we sent (on the outbox row):
  it names the package id (the SHA-256 of the bytes we sent) and the time it arrived;
- ``message``: a message a peer sent us (the message log of the inbox): a status about
  a document we sent (registered, assigned, completed, refused…) or the package that
  made an incoming document, with the sender's detached CMS signature over its bytes.

Each is given with the certificate pinned for the signer's code and whether the
signature checks against it now, so a clerk, an auditor or a court can check it again
with any CMS tool (``openssl cms -verify -binary -content data -inform DER``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from sqlmodel import Session, col, select

from documents.exchange import peers as exchange_peers
from documents.exchange import signed_messages as exchange_signing
from documents.exchange.models import ExchangeInbox, ExchangeOutbox
from ecabinet.core import errors
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore

KINDS = ("receipt", "message")


@dataclass(frozen=True)
class ProofRef:
    """Where a proof is: its kind and its row."""

    kind: str
    row_id: int

    @property
    def path(self) -> str:
        return f"{self.kind}/{self.row_id}"


@dataclass(frozen=True)
class ProofSummary:
    ref: ProofRef
    signed_by: str
    """The agency code that signed (the receiver of a package, the sender of a message)."""
    what: str
    """``receipt``, ``document`` (a package received) or ``status``."""
    at: datetime


@dataclass(frozen=True)
class Proof:
    summary: ProofSummary
    data: bytes
    """The signed bytes, exactly as signed."""
    signature: bytes
    """The detached CMS signature (DER)."""
    certificate: x509.Certificate | None
    """The certificate pinned for the signer's code today (None: no longer a peer)."""
    valid: bool
    problem: str
    """Why the signature does not check now (empty when it does)."""


def list_for(session: Session, document_id: int) -> list[ProofSummary]:
    """Every proof kept about ``document_id``, oldest first."""
    found: list[ProofSummary] = []
    for row in session.exec(
        select(ExchangeOutbox)
        .where(
            ExchangeOutbox.document_id == document_id,
            col(ExchangeOutbox.receipt).is_not(None),
        )
        .order_by(col(ExchangeOutbox.id))
    ):
        found.append(_receipt_summary(row))
    for inbox in session.exec(
        select(ExchangeInbox)
        .where(ExchangeInbox.document_id == document_id, ExchangeInbox.message_sha256 != "")
        .order_by(col(ExchangeInbox.id))
    ):
        found.append(_message_summary(inbox))
    return sorted(found, key=lambda p: p.at)


def _receipt_summary(row: ExchangeOutbox) -> ProofSummary:
    assert row.id is not None
    at = row.delivered_at or row.created_at
    return ProofSummary(ProofRef("receipt", row.id), row.to_code, "receipt", at)


def _message_summary(row: ExchangeInbox) -> ProofSummary:
    assert row.id is not None
    return ProofSummary(ProofRef("message", row.id), row.from_code, row.kind, row.received_at)


def load(
    session: Session, settings: Settings, store: ObjectStore, document_id: int, ref: ProofRef
) -> Proof:
    """One proof about ``document_id`` with its signature checked now (404 when there is
    no such proof about that document)."""
    if ref.kind == "receipt":
        row = session.get(ExchangeOutbox, ref.row_id)
        if row is None or row.document_id != document_id or not row.receipt:
            raise _not_found()
        return _checked(settings, _receipt_summary(row), row.receipt, row.receipt_signature)
    if ref.kind == "message":
        inbox = session.get(ExchangeInbox, ref.row_id)
        if inbox is None or inbox.document_id != document_id or not inbox.message_sha256:
            raise _not_found()
        data = store.read_bytes(inbox.message_sha256)
        return _checked(settings, _message_summary(inbox), data, inbox.message_signature)
    raise _not_found()


def _checked(
    settings: Settings, summary: ProofSummary, data: bytes, signature: bytes | None
) -> Proof:
    peer = exchange_peers.peer_for(settings, summary.signed_by)
    certificate = exchange_peers.certificate(peer) if peer else None
    problem = ""
    if not signature:
        problem = "no signature kept"
    elif certificate is None:
        problem = f"{summary.signed_by} is no longer a configured peer"
    else:
        try:
            exchange_signing.verify(data, signature, certificate)
        except errors.DomainError as exc:
            problem = f"{exc.code}: {exc.en}"
    return Proof(summary, data, signature or b"", certificate, not problem, problem)


def _not_found() -> errors.NotFound:
    return errors.NotFound(
        "exchange.proof_not_found",
        "Không có bằng chứng liên thông này cho văn bản.",
        "This document has no such exchange proof.",
    )
