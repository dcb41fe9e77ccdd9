"""Replacements over the exchange (decision 0035).

An outgoing document names the document it replaces (``Document.replaces_id``, Decree
30: an error of content is corrected by a replacement document). Its package says so
the way QCVN 102 foresees: TraceHeaderList/Bussiness with BussinessDocType 3 (replace),
the reason in BussinessDocReason and the replaced document's DocumentId, as the peer
received it, in Bussiness/DocumentId. The receiver links its new incoming document to
the one it received earlier from the same sender (``replaces_id``) and marks that one
replaced, in its timeline and the audit log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from documents import history
from documents.edxml_model import BusinessDocType, DocumentMessage, format_date
from documents.exchange.models import ExchangeInbox, ExchangeOutbox
from documents.models import Document
from documents.states import State
from documents.symbols import format_number_symbol
from ecabinet.core.agencies import Agency

CLOSED = frozenset({State.recalled.value, State.refused.value, State.replaced.value})

if TYPE_CHECKING:  # the inbox imports what imports this module
    from documents.exchange.inbox import Envelope


def fields_for(session: Session, document: Document) -> dict[str, Any]:
    """The DocumentMessage fields that say ``document`` replaces an earlier one (none
    for a document that replaces nothing)."""
    if document.replaces_id is None:
        return {}
    old = session.get(Document, document.replaces_id)
    if old is None or old.number is None or old.issued_on is None:
        return {}
    return {
        "business_doc_type": BusinessDocType.REPLACE,
        "business_reason": f"Thay thế văn bản số {format_number_symbol(old.number, old.symbol)}",
        "business_info": document_id_of(session, old),
    }


def document_id_of(session: Session, document: Document) -> str:
    """The DocumentId peers received ``document`` under: the one frozen in its outbox
    rows, else derived the way :class:`DocumentMessage` derives it."""
    sent = session.exec(
        select(ExchangeOutbox.document_key).where(
            ExchangeOutbox.kind == "document",
            ExchangeOutbox.document_id == document.id,
            ExchangeOutbox.document_key != "",
        )
    ).first()
    if sent:
        return sent
    agency = session.get(Agency, document.agency_id)
    assert agency is not None and document.issued_on is not None and document.number is not None
    number = f"{document.number:02d}/{document.symbol}"
    return f"{agency.code},{format_date(document.issued_on)},{number}"


def link(session: Session, envelope: Envelope, message: DocumentMessage) -> Document | None:
    """After the package of ``envelope`` was accepted (same transaction): if it replaces
    a document the same sender sent us, link the new incoming document to it and mark
    it replaced. The old document, or None."""
    if message.business_doc_type != BusinessDocType.REPLACE or not message.business_info:
        return None
    new_id = session.exec(
        select(ExchangeInbox.document_id).where(
            ExchangeInbox.package_id == envelope.package_id,
            ExchangeInbox.to_code == envelope.to_code,
        )
    ).first()
    old_id = session.exec(
        select(ExchangeInbox.document_id)
        .where(
            ExchangeInbox.kind == "document",
            ExchangeInbox.from_code == envelope.from_code,
            ExchangeInbox.to_code == envelope.to_code,
            ExchangeInbox.response_for == message.business_info[:255],
            col(ExchangeInbox.document_id).is_not(None),
        )
        .order_by(col(ExchangeInbox.id))
    ).first()
    new = session.get(Document, new_id) if new_id else None
    old = session.get(Document, old_id) if old_id else None
    if new is None or old is None or new.id == old.id:
        return None
    actor = envelope.actor()
    old_label = format_number_symbol(old.number, old.symbol) or f"#{old.id}"
    new_label = format_number_symbol(new.number, new.symbol) or f"#{new.id}"
    new.replaces_id = old.id
    history.log(
        session,
        actor,
        new,
        "exchange_replaces",
        note=message.business_reason[:2000],
        summary=f"thay thế / replaces {old_label} (#{old.id})",
    )
    if old.state not in CLOSED:
        before = old.state
        old.state = State.replaced.value
        history.log(
            session,
            actor,
            old,
            "exchange_replaced",
            from_state=before,
            note=message.business_reason[:2000],
            summary=f"thay thế bởi / replaced by {new_label} (#{new.id})",
        )
    return old
