"""A document's timeline: every step and note, written with its audit entry in the same
transaction (so the timeline and the chained audit log never disagree)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from documents.models import Document, DocumentEvent
from ecabinet.core import audit
from ecabinet.core.audit import Actor
from ecabinet.core.types import utcnow


def log(
    session: Session,
    actor: Actor,
    document: Document,
    action: str,
    *,
    from_state: str = "",
    note: str = "",
    summary: str = "",
) -> DocumentEvent:
    """Add ``action`` to the document's timeline and ``document.<action>`` to the audit log."""
    assert document.id is not None
    document.updated_at = utcnow()
    session.add(document)
    event = DocumentEvent(
        document_id=document.id,
        at=document.updated_at,
        user_id=actor.user_id,
        actor_name=actor.name[:255],
        action=action,
        from_state=from_state,
        to_state=document.state,
        note=note,
    )
    session.add(event)
    session.flush()
    text = summary or (f"{from_state} → {document.state}" if from_state else document.state)
    audit.record(
        session,
        actor,
        f"document.{action}",
        "document",
        document.id,
        text + (f" — {note[:300]}" if note else ""),
    )
    return event


def timeline(session: Session, document_id: int) -> list[DocumentEvent]:
    query = select(DocumentEvent).where(DocumentEvent.document_id == document_id)
    return list(session.exec(query.order_by(col(DocumentEvent.id))))
