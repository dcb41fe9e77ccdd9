"""How many pages a meeting document version has, counted once and kept in SQL.

Every saved annotation is checked against its document's page count; reading the PDF
for each ink stroke would be far too slow, and a document version never changes (its
bytes are content-addressed), so the count is taken from the PDF the first time and
stored in ``document_page_count``.
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from ecabinet.core import errors
from ecabinet.core.files import StoredFile
from ecabinet.core.storage import ObjectStore
from ecabinet.meetings.annotation_models import DocumentPageCount
from ecabinet.meetings.models import AgendaDocument
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


def blob_to_count(session: Session, document: AgendaDocument) -> str | None:
    """The SHA-256 of the document's PDF when its pages are not counted yet, else None:
    lets a caller read and count it outside a write transaction."""
    assert document.id is not None
    if known(session, document.id) is not None:
        return None
    return blob_sha256(session, document)


def blob_sha256(session: Session, document: AgendaDocument) -> str:
    """The SHA-256 of the document's PDF in the object store."""
    stored = session.get(StoredFile, document.file_id)
    assert stored is not None  # the foreign key
    return stored.sha256


def resolve(
    session: Session,
    document: AgendaDocument,
    *,
    page_count: int | None = None,
    store: ObjectStore | None = None,
) -> int:
    """The document's page count: the stored one; else ``page_count`` (which the caller
    counted with :func:`count`) or the PDF read from ``store``, then stored."""
    assert document.id is not None
    pages = known(session, document.id)
    if pages is not None:
        return pages
    if page_count is None:
        sha256 = blob_to_count(session, document)
        if store is None or sha256 is None:
            raise errors.Unavailable(
                "annotation.pages_unknown",
                "Chưa đếm được số trang của tài liệu: hãy thử lại.",
                "The document's pages have not been counted yet: try again.",
            )
        page_count = count(store.read_bytes(sha256))
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
