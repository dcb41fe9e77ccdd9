"""A document's timeline: every step and note, written with its audit entry in the same
transaction (so the timeline and the chained audit log never disagree)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from documents.access import visible_clause
from documents.levels import Confidentiality
from documents.models import Document, DocumentEvent, DocumentFile
from ecabinet.core import audit
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Subject
from ecabinet.core.types import utcnow
from ecabinet.core.users import User


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
    if Confidentiality(document.confidentiality).restricted:
        # The audit log is read by administrators who need not be on the access list: it
        # names the step only; the abstract and the note stay in the timeline above.
        summary, note = "", ""
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


def withheld(session: Session, subject: Subject, entries: Sequence[audit.AuditEntry]) -> set[int]:
    """The ``seq`` of each entry about a document ``subject`` may not see (by the rules of
    :mod:`documents.access`, a confidential document's access list included), or about a
    file of such a document (its name says as much as the abstract): an audit view shows
    such an entry without its summary. Entries written before summaries left out the
    abstract of a confidential document are covered the same way."""
    documents = {
        e.seq: int(e.object_id)
        for e in entries
        if e.object_type == "document" and e.object_id.isdigit() and len(e.object_id) < 19
    }
    files = {e.seq: e.object_id for e in entries if e.object_type == "file"}
    holders: dict[str, set[int]] = {}
    if files:
        links = select(col(DocumentFile.file_id), col(DocumentFile.document_id)).where(
            col(DocumentFile.file_id).in_(set(files.values()))
        )
        for file_id, document_id in session.exec(links):
            holders.setdefault(file_id, set()).add(document_id)
    ids = set(documents.values()).union(*holders.values())
    if not ids:
        return set()
    seen = set(
        session.exec(
            select(col(Document.id)).where(col(Document.id).in_(ids), visible_clause(subject))
        )
    )
    hidden = {seq for seq, doc_id in documents.items() if doc_id not in seen}
    return hidden | {seq for seq, f in files.items() if not holders.get(f, set()) <= seen}


@dataclass(frozen=True)
class Entry:
    """A timeline event with who took it as people know them: full name and title (the
    event keeps the login name it was written with; a system step has no user)."""

    event: DocumentEvent
    actor_name: str
    actor_title: str


def timeline(session: Session, document_id: int) -> list[Entry]:
    query = (
        select(DocumentEvent, User)
        .join(User, col(User.id) == col(DocumentEvent.user_id), isouter=True)
        .where(DocumentEvent.document_id == document_id)
        .order_by(col(DocumentEvent.id))
    )
    return [
        Entry(e, u.full_name, u.title) if u is not None else Entry(e, e.actor_name, "")
        for e, u in session.exec(query)
    ]
