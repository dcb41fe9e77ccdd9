"""edXML exchange with agencies outside the system (QCVN 102): the package of an issued
outgoing document, and an incoming document read from a package.

:mod:`documents.edxml` builds and parses the bytes; this module maps them to and from
documents. An imported package must be addressed to the receiving agency (Decree 30,
Article 20: misaddressed documents are returned), its first PDF is the main file and the
rest are attachments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from documents import edxml, registers
from documents.edxml import Attachment, DocumentMessage, Organ
from documents.exchange import replacement as exchange_replacement
from documents.fields import MAX_ABSTRACT, MAX_PAGES, Fields
from documents.files import FileKind, files_of
from documents.levels import Urgency
from documents.models import Document, DocumentType, Recipient
from documents.states import Flow, State
from documents.symbols import format_number_symbol
from ecabinet.core import errors, text
from ecabinet.core.agencies import Agency, Role
from ecabinet.core.files import StoredFile
from ecabinet.core.policy import Subject
from ecabinet.core.storage import ObjectStore
from signing.pdfio import VN

_PRIORITY = {Urgency.normal: 0, Urgency.urgent: 1, Urgency.very_urgent: 2, Urgency.flash: 3}
_URGENCY = {v: k for k, v in _PRIORITY.items()}
PDF = "application/pdf"


def organ_of(agency: Agency) -> Organ:
    return Organ(
        organ_id=agency.code, name=agency.name, address=agency.address, in_charge=agency.parent_name
    )


def message_for(session: Session, store: ObjectStore, document: Document) -> DocumentMessage:
    """The edXML message of an issued outgoing document, to its recipients outside."""
    assert document.id is not None
    if document.flow != Flow.outgoing.value or document.state not in (
        State.issued.value,
        State.dispatched.value,
    ):
        raise errors.Conflict(
            "edxml.not_issued",
            "Chỉ văn bản đã phát hành mới đóng gói edXML được.",
            "Only an issued document can be packaged as edXML.",
        )
    agency = session.get(Agency, document.agency_id)
    type_row = session.get(DocumentType, document.type_id)
    assert agency is not None and type_row is not None and document.number is not None
    outside = session.exec(
        select(Recipient).where(Recipient.document_id == document.id, Recipient.method == "edxml")
    ).all()
    recipients = tuple(Organ(organ_id=r.organ_id or "", name=r.name) for r in outside) or (
        Organ(organ_id="", name=document.recipients_text[:255] or "Nơi nhận"),
    )
    latest: dict[tuple[str, int], tuple[int, StoredFile]] = {}
    for row, stored in files_of(session, document.id):
        if row.kind in (FileKind.main.value, FileKind.attachment.value):
            latest[(row.kind, row.slot)] = (row.version, stored)
    attachments = tuple(
        Attachment(
            name=stored.filename,
            content_type=stored.content_type,
            data=store.read_bytes(stored.sha256),
            description="Văn bản chính" if kind == FileKind.main.value else "Phụ lục",
        )
        for (kind, _), (_, stored) in sorted(
            latest.items(), key=lambda i: (i[0][0] != "main", i[0][1])
        )
    )
    if not attachments:
        raise errors.InvalidInput(
            "edxml.no_file", "Văn bản không có tệp để gửi.", "The document has no file to send."
        )
    assert document.issued_on is not None
    return DocumentMessage(
        sender=organ_of(agency),
        recipients=recipients,
        code_number=f"{document.number:02d}",
        code_notation=document.symbol,
        promulgation_date=document.issued_on,
        place=document.place,
        type_name=type_row.name,
        subject=document.abstract,
        signer_competence=document.signing_form,
        signer_position=document.signer_title,
        signer_name=document.signer_name,
        due_date=document.deadline,
        to_places=tuple(r.name for r in outside),
        priority=_PRIORITY[Urgency(document.urgency)],
        page_amount=document.page_count or 0,
        promulgation_amount=document.copies or 0,
        trace=(edxml.Trace(organ_id=agency.code, timestamp=datetime.now(VN)),),
        attachments=attachments,
        **exchange_replacement.fields_for(session, document),
    )


def package_for(
    session: Session, store: ObjectStore, subject: Subject, document: Document
) -> tuple[bytes, str]:
    """The edXML package of an issued document and its file name; for the issuing
    agency's clerks only (they dispatch it)."""
    if not subject.has(Role.clerk, document.agency_id):
        raise errors.PermissionDenied(
            "edxml.clerk_only", "Chỉ văn thư tải gói edXML.", "Only a clerk downloads edXML."
        )
    return edxml.build_document(message_for(session, store, document)), package_name(document)


def package_name(document: Document) -> str:
    label = format_number_symbol(document.number, document.symbol).replace("/", "_")
    return f"{label}.edxml.xml"


@dataclass(frozen=True)
class Imported:
    """A parsed package, checked against the receiving agency, ready to store."""

    message: DocumentMessage
    main: Attachment
    others: tuple[Attachment, ...]


def check_import(agency: Agency, message: DocumentMessage) -> Imported:
    """Refuse a package addressed elsewhere or without a PDF main file."""
    if not any(r.organ_id == agency.code for r in message.recipients):
        raise errors.InvalidInput(
            "edxml.misaddressed",
            f"Gói edXML không gửi cho {agency.name} ({agency.code}).",
            f"The edXML package is not addressed to {agency.name} ({agency.code}).",
            {"to": [r.organ_id for r in message.recipients]},
        )
    pdfs = [a for a in message.attachments if a.data[:1024].lstrip().startswith(b"%PDF-")]
    if not pdfs:
        raise errors.InvalidInput(
            "edxml.no_pdf",
            "Gói edXML không có tệp PDF văn bản.",
            "The edXML package holds no PDF document.",
        )
    main = pdfs[0]
    return Imported(message, main, tuple(a for a in message.attachments if a is not main))


def fields_of(session: Session, message: DocumentMessage) -> Fields:
    """The register fields an imported package gives (its type found by name, else by
    the abbreviation in the symbol, else công văn)."""
    types = list(session.exec(select(DocumentType)))
    wanted = message.type_name.strip().lower()
    prefix = message.code_notation.split("-", 1)[0]
    found = next((t for t in types if t.name.lower() == wanted), None) or next(
        (t for t in types if t.abbreviation and t.abbreviation == prefix), None
    )
    if found is None:
        found = registers.type_by_code(session, "CV")
    assert found is not None and found.id is not None
    code = message.code_number.strip()
    number = int(code) if code.isascii() and code.isdigit() and len(code) <= 9 else None
    line = text.line
    # A package is outside input like a request body: the same normalisation, and numbers
    # that fit the registers (a larger one would not fit the database's integer).
    return Fields(
        type_id=found.id,
        abstract=text.text(message.subject)[:MAX_ABSTRACT] or "(không có trích yếu)",
        issued_on=message.promulgation_date,
        number=number if number is not None and 1 <= number <= registers.MAX_NUMBER else None,
        symbol=line(message.code_notation)[:60],
        issuing_agency_name=line(message.sender.name)[:255],
        issuing_agency_code=line(message.sender.organ_id)[:32],
        signer_name=line(message.signer_name)[:255],
        signer_title=line(message.signer_position)[:255],
        signing_form=line(message.signer_competence)[:8],
        urgency=_URGENCY.get(message.priority, Urgency.normal),
        page_count=message.page_amount if 0 < (message.page_amount or 0) <= MAX_PAGES else None,
        deadline=message.due_date,
        place=line(message.place)[:80],
    )
