"""Work on a document that is not a step of its flow: notes and files on its timeline, and
giving it back with a reason (whose step depends on the flow and the state)."""

from __future__ import annotations

from sqlmodel import Session

from documents import history, incoming, outgoing
from documents.access import DocumentView, is_handler
from documents.files import FileKind, attach
from documents.incoming import _reason
from documents.models import Document, DocumentFile
from documents.states import Flow, State
from ecabinet.core import errors
from ecabinet.core.agencies import Role
from ecabinet.core.audit import Actor
from ecabinet.core.files import StoredFile
from ecabinet.core.policy import Action, Subject, authorize

CLOSED = frozenset({State.recalled, State.replaced, State.refused})


def _still_open(document: Document) -> None:
    if State(document.state) in CLOSED:
        raise errors.Conflict("document.closed", "Văn bản đã đóng.", "The document is closed.")


def add_note(
    session: Session, actor: Actor, subject: Subject, view: DocumentView, note: str
) -> None:
    """A handler's, leader's or drafter's note on the timeline (no change of state)."""
    document = view.document
    if not (
        is_handler(subject, view)
        or subject.has(Role.leader, document.agency_id)
        or subject.user_id == document.drafter_id
    ):
        authorize(subject, Action.update, view)
    _still_open(document)
    history.log(session, actor, document, "note", note=_reason(note, "nội dung ghi chú", "a note"))


def add_file(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: DocumentView,
    stored: StoredFile,
    kind: FileKind,
    note: str = "",
    pdf_text: str | None = None,
) -> DocumentFile:
    """A new version of a draft's main file (its drafter), or an attachment or result file
    (its drafter or handlers), on the timeline."""
    if kind is FileKind.main:
        return outgoing.add_version(session, actor, subject, view, stored, note, pdf_text=pdf_text)
    _still_open(view.document)
    authorize(subject, Action.update, view)
    row = attach(session, actor, view.document, stored, kind=kind, note=note)
    history.log(session, actor, view.document, f"file.{kind.value}", summary=stored.filename)
    return row


def give_back(
    session: Session, actor: Actor, subject: Subject, view: DocumentView, reason: str
) -> Document:
    """Return the document with a reason: a draft to its drafter, a presented document to
    the clerk, one being handled to the leader."""
    if view.document.flow == Flow.outgoing.value:
        return outgoing.return_draft(session, actor, subject, view, reason)
    if State(view.document.state) is State.presented:
        return incoming.return_to_clerk(session, actor, subject, view, reason)
    return incoming.return_to_leader(session, actor, subject, view, reason)
