"""The register fields a user gives for a document, checked before anything is stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from documents.levels import Confidentiality, Urgency
from documents.models import Document
from documents.registers import get_type
from ecabinet.core import errors
from ecabinet.core.settings import Settings

MAX_ABSTRACT = 2000
MAX_PAGES = 100_000
"""The largest page count a document may give (a request body or an edXML package)."""


@dataclass(frozen=True)
class Fields:
    """Metadata of Appendix IV; the API model fills it, services check it."""

    type_id: int
    abstract: str
    issued_on: date | None = None
    number: int | None = None
    """Incoming: the sender's number. Outgoing: given by the system at issue."""
    symbol: str = ""
    issuing_agency_name: str = ""
    issuing_agency_code: str = ""
    signer_name: str = ""
    signer_title: str = ""
    signing_form: str = ""
    recipients_text: str = ""
    confidentiality: Confidentiality = Confidentiality.none
    urgency: Urgency = Urgency.normal
    page_count: int | None = None
    copies: int | None = None
    deadline: date | None = None
    place: str = ""
    access: tuple[int, ...] = field(default=())
    """User ids of the access list (confidential documents only)."""


def check(session: Session, settings: Settings, fields: Fields) -> None:
    """400 on a missing abstract, an unknown type, a confidential document where the
    settings keep them out, or an access list on a document that is not confidential."""
    get_type(session, fields.type_id)
    if not fields.abstract.strip() or len(fields.abstract) > MAX_ABSTRACT:
        raise errors.InvalidInput(
            "document.bad_abstract",
            f"Trích yếu là bắt buộc, tối đa {MAX_ABSTRACT} ký tự.",
            f"The abstract is required, at most {MAX_ABSTRACT} characters.",
        )
    if fields.confidentiality.restricted and not settings.confidential_documents:
        raise errors.InvalidInput(
            "document.confidential_off",
            "Hệ thống không được cấu hình để lưu văn bản mật.",
            "This system is not set up to hold confidential documents.",
        )
    if fields.access and not fields.confidentiality.restricted:
        raise errors.InvalidInput(
            "document.access_not_confidential",
            "Chỉ văn bản mật mới có danh sách người được xem.",
            "Only a confidential document has an access list.",
        )
    if fields.deadline and fields.issued_on and fields.deadline < fields.issued_on:
        raise errors.InvalidInput(
            "document.bad_deadline",
            "Hạn xử lý không được trước ngày văn bản.",
            "The deadline cannot be before the document's date.",
        )


def apply(document: Document, fields: Fields) -> None:
    """Copy the fields onto the document (the access list is kept apart)."""
    document.type_id = fields.type_id
    document.abstract = fields.abstract.strip()
    document.issued_on = fields.issued_on
    document.number = fields.number
    document.symbol = fields.symbol
    document.issuing_agency_name = fields.issuing_agency_name.strip()
    document.issuing_agency_code = fields.issuing_agency_code.strip()
    document.signer_name = fields.signer_name.strip()
    document.signer_title = fields.signer_title.strip()
    document.signing_form = fields.signing_form.strip()
    document.recipients_text = fields.recipients_text.strip()
    document.confidentiality = fields.confidentiality.value
    document.urgency = fields.urgency.value
    document.urgency_rank = fields.urgency.rank
    document.page_count = fields.page_count
    document.copies = fields.copies
    document.deadline = fields.deadline
    document.place = fields.place.strip()
