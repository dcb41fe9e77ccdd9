"""How many pages a meeting document version has, counted once and kept in SQL.

Every saved annotation is checked against its document's page count; reading the PDF
for each ink stroke would be far too slow, and a document version never changes (its
bytes are content-addressed), so the count is taken from the PDF the first time and
stored in ``document_page_count``.

The PDF came from a user: it is counted by :func:`count_unknown`, in the sandbox and
before the save's write transaction, whichever way the annotation arrives (HTTP or
Socket.IO); the save (:func:`resolve`) never reads a PDF.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from ecabinet.core import errors, sandbox
from ecabinet.core.db import session_scope
from ecabinet.core.files import StoredFile
from ecabinet.core.storage import ObjectStore
from ecabinet.meetings import access
from ecabinet.meetings.access import MeetingView
from ecabinet.meetings.annotation_models import DocumentPageCount
from ecabinet.meetings.models import AgendaDocument, AgendaItem
from signing.errors import BadPdf
from signing.pdfio import PYPDF_ERRORS, open_pdf


def count(pdf: bytes) -> int:
    """The number of pages of ``pdf``; 422 ``annotation.bad_pdf`` when it cannot be read
    (an encrypted PDF cannot have annotations drawn in either)."""
    try:
        pages = len(open_pdf(pdf).pages)
    except (BadPdf, *PYPDF_ERRORS):
        pages = 0
    if pages < 1:
        raise errors.InvalidInput(
            "annotation.bad_pdf",
            "Không đọc được tài liệu PDF này (hoặc tài liệu có mật khẩu) nên không ghi chú được.",
            "This PDF cannot be read (or is password-protected): it cannot be annotated.",
        )
    return pages


def known(session: Session, document_id: int) -> int | None:
    row = session.get(DocumentPageCount, document_id)
    return None if row is None else row.pages


def document_of(session: Session, view: MeetingView, document_id: int) -> AgendaDocument:
    """A document version of this meeting (404 otherwise)."""
    doc = session.exec(
        select(AgendaDocument)
        .join(AgendaItem, col(AgendaItem.id) == AgendaDocument.item_id)
        .where(AgendaDocument.id == document_id, AgendaItem.meeting_id == view.id)
    ).first()
    if doc is None:
        raise errors.NotFound.of("tài liệu", "Document", "meeting.document_not_found")
    return doc


def count_unknown(
    engine: Engine,
    store: ObjectStore,
    budget: sandbox.Budget,
    *,
    user_id: int,
    meeting_id: int,
    document_id: int,
) -> int | None:
    """The step before a save's write transaction: the pages of the document version
    when they are not counted yet, counted in the sandbox under ``budget`` (in a short
    read transaction of its own, then none: the PDF is read and parsed outside any);
    hand the answer to the save (``page_count=``), which stores it.

    None when the count is known already (one read by key: the usual case), or when the
    user may not annotate this document (not in the meeting, a document of another
    meeting: the save refuses it with its own answer, so the order of refusals stays the
    save's). Raises what :func:`count` raises (422 ``annotation.bad_pdf``) and the
    sandbox's 422 ``pdf.too_costly``. Blocks: call it from a worker thread."""
    with session_scope(engine, write=False) as session:
        if known(session, document_id) is not None:
            return None
        try:
            view = access.load_seat(session, meeting_id, user_id)
            access.require_takes_part(view, user_id)
            sha256 = blob_sha256(session, document_of(session, view, document_id))
        except errors.NotFound:
            return None
    return sandbox.run(budget, count, store.read_bytes(sha256))


def blob_sha256(session: Session, document: AgendaDocument) -> str:
    """The SHA-256 of the document's PDF in the object store."""
    stored = session.get(StoredFile, document.file_id)
    assert stored is not None  # the foreign key
    return stored.sha256


def resolve(session: Session, document: AgendaDocument, *, page_count: int | None = None) -> int:
    """The document's page count: the stored one, else ``page_count`` (which the caller
    counted with :func:`count_unknown` before the transaction), then stored; else 503
    ``annotation.pages_unknown`` (the PDF is never read here)."""
    assert document.id is not None
    pages = known(session, document.id)
    if pages is not None:
        return pages
    if page_count is None:
        raise errors.Unavailable(
            "annotation.pages_unknown",
            "Chưa đếm được số trang của tài liệu: hãy thử lại.",
            "The document's pages have not been counted yet: try again.",
        )
    _remember(session, document.id, page_count)
    return page_count


def _remember(session: Session, document_id: int, pages: int) -> None:
    """Store the count once, whichever of several concurrent writers gets there first."""
    values = {"document_id": document_id, "pages": pages}
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            postgresql.insert(DocumentPageCount).values(**values).on_conflict_do_nothing()
        )
    else:
        session.execute(sqlite.insert(DocumentPageCount).values(**values).on_conflict_do_nothing())
