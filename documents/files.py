"""The files of a document: the main file with every version kept, attachments and the
handlers' result files. A stored file attached here is owned by the document, so only the
document's permissions open it (``StoredFile.owner``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, col, func, select

from documents.models import Document, DocumentFile
from ecabinet.core import errors
from ecabinet.core.audit import Actor
from ecabinet.core.files import StoredFile
from ecabinet.core.types import utcnow
from signing.validation import Report

PDF_MAGIC = b"%PDF-"


class FileKind(StrEnum):
    main = "main"
    attachment = "attachment"
    result = "result"
    copy = "copy"
    """An electronic copy (sao y, sao lục) the agency signed (ecabinet.signatures.copies)."""


@dataclass(frozen=True)
class Receipt:
    """What the signature check on receipt found for one file."""

    verdict: str
    report_json: str | None


def receipt_of(report: Report | None) -> Receipt:
    """valid / invalid / indeterminate / unsigned, and the report kept as JSON."""
    if report is None:
        return Receipt("", None)
    if not report.signatures:
        return Receipt("unsigned", report.to_json())
    indication = report.indication.value
    verdict = {"TOTAL-PASSED": "valid", "TOTAL-FAILED": "invalid"}.get(indication, "indeterminate")
    return Receipt(verdict, report.to_json())


def require_pdf(data: bytes, what: str = "main") -> None:
    """400 unless the bytes start like a PDF (the main file of a document is a PDF)."""
    if not data[:1024].lstrip().startswith(PDF_MAGIC):
        raise errors.InvalidInput(
            "document.not_pdf",
            "Tệp văn bản phải là PDF.",
            "The document's file must be a PDF.",
            {"file": what},
        )


def attach(
    session: Session,
    actor: Actor,
    document: Document,
    stored: StoredFile,
    *,
    kind: FileKind,
    slot: int | None = None,
    note: str = "",
    signed: bool = False,
    receipt: Receipt | None = None,
) -> DocumentFile:
    """Attach ``stored`` as the next version of (kind, slot); a new slot when None (a new
    attachment or result). The main file always has slot 0."""
    assert document.id is not None
    if stored.agency_id != document.agency_id:
        raise errors.InvalidInput(
            "document.file_agency",
            "Tệp thuộc cơ quan khác.",
            "The file belongs to another agency.",
        )
    if stored.owner is not None and stored.owner != "document":
        raise errors.Conflict("document.file_owned", "Tệp đã được dùng.", "File already in use.")
    if kind is FileKind.main:
        slot = 0
    elif slot is None:
        top = session.exec(
            select(func.max(DocumentFile.slot)).where(
                DocumentFile.document_id == document.id, DocumentFile.kind == kind.value
            )
        ).one()
        slot = int(top or 0) + 1
    version = session.exec(
        select(func.max(DocumentFile.version)).where(
            DocumentFile.document_id == document.id,
            DocumentFile.kind == kind.value,
            DocumentFile.slot == slot,
        )
    ).one()
    stored.owner = "document"
    session.add(stored)
    row = DocumentFile(
        document_id=document.id,
        file_id=stored.id,
        kind=kind.value,
        slot=slot,
        version=int(version or 0) + 1,
        note=note[:500],
        signed=signed,
        verdict=receipt.verdict if receipt else "",
        report_json=receipt.report_json if receipt else None,
        created_by=actor.user_id,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def files_of(session: Session, document_id: int) -> list[tuple[DocumentFile, StoredFile]]:
    """Every file of the document, every version, in a stable order."""
    rows = session.exec(
        select(DocumentFile, StoredFile)
        .join(StoredFile, col(StoredFile.id) == DocumentFile.file_id)
        .where(DocumentFile.document_id == document_id)
        .order_by(col(DocumentFile.kind), col(DocumentFile.slot), col(DocumentFile.version))
    )
    return [(f, s) for f, s in rows]


def current(
    session: Session, document_id: int, kind: FileKind, slot: int = 0
) -> DocumentFile | None:
    """The latest version of one file of the document."""
    return session.exec(
        select(DocumentFile)
        .where(
            DocumentFile.document_id == document_id,
            DocumentFile.kind == kind.value,
            DocumentFile.slot == slot,
        )
        .order_by(col(DocumentFile.version).desc())
    ).first()


def current_main(session: Session, document_id: int) -> tuple[DocumentFile, StoredFile] | None:
    row = current(session, document_id, FileKind.main)
    if row is None:
        return None
    stored = session.get(StoredFile, row.file_id)
    assert stored is not None
    return row, stored


def document_file(session: Session, document_id: int, file_row_id: int) -> DocumentFile:
    row = session.get(DocumentFile, file_row_id)
    if row is None or row.document_id != document_id:
        raise errors.NotFound.of("tệp của văn bản", "Document file", "document.file_not_found")
    return row
