"""edXML value objects (QCVN 102): organs, attachments, document messages; the errors
every part of the edXML code raises; and the values' text forms (dates, timestamps,
numbers, file names), which the objects check themselves against. No XML here."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ecabinet.core import errors

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
VIETNAM_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")

# OtherInfo/Priority values as labels. *Unverified*: the standard's value set for
# Priority is not confirmed here; keep it as data so it can be corrected in one place.
PRIORITY_LABELS: Mapping[int, str] = {0: "Thường", 1: "Khẩn", 2: "Thượng khẩn", 3: "Hỏa tốc"}


class BusinessDocType(enum.IntEnum):
    """TraceHeaderList/Bussiness/BussinessDocType: what the message does to a document."""

    NEW = 0
    RECALL = 1
    UPDATE = 2
    REPLACE = 3


# ---------------------------------------------------------------- errors


def fail(code: str, vi: str, en: str, element: str, **details: Any) -> errors.InvalidInput:
    """An ``InvalidInput`` naming the element at fault (a slash path without prefixes)."""
    return errors.InvalidInput(code, vi, en, {"element": element, **details})


def missing(element: str) -> errors.InvalidInput:
    return fail(
        "edxml.missing",
        f"Gói edXML thiếu phần tử bắt buộc {element}.",
        f"The edXML package lacks the required element {element}.",
        element,
    )


# ---------------------------------------------------------------- values <-> text


_INT = re.compile(r"[0-9]{1,9}")
_YMD = re.compile(r"([0-9]{4})[/-]([0-9]{2})[/-]([0-9]{2})")
_DMY = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")
_NAIVE_FORMATS = ("%Y/%m/%d %H:%M:%S", "%d/%m/%Y %H:%M:%S")


def format_date(value: dt.date) -> str:
    return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"


def format_timestamp(value: dt.datetime) -> str:
    return value.astimezone(VIETNAM_TZ).isoformat()


def require_aware(value: dt.datetime, element: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise fail(
            "edxml.bad_timestamp",
            f"Thời điểm {element} phải có múi giờ.",
            f"The time {element} must carry a time zone.",
            element,
        )


def bad_number(element: str) -> errors.InvalidInput:
    return fail(
        "edxml.bad_number",
        f"Phần tử {element} phải là số nguyên không âm hợp lệ.",
        f"The element {element} must be a valid non-negative integer.",
        element,
    )


def bad_attachment(element: str, reason: str, **details: Any) -> errors.InvalidInput:
    vi, en = _ATTACHMENT_REASONS[reason]
    return fail("edxml.bad_attachment", vi, en, element, reason=reason, **details)


_ATTACHMENT_REASONS = {
    "base64": ("Tệp đính kèm không giải mã được (base64).", "An attachment is not valid base64."),
    "empty": ("Tệp đính kèm rỗng.", "An attachment is empty."),
    "name": ("Tên tệp đính kèm không hợp lệ.", "An attachment's file name is not valid."),
    "unmatched": (
        "Danh mục tham chiếu một tệp đính kèm không có trong gói.",
        "The manifest references an attachment the package does not contain.",
    ),
    "duplicate": (
        "Hai tệp đính kèm trùng mã ContentId.",
        "Two attachments share the same ContentId.",
    ),
}


def parse_int(text: str, element: str) -> int:
    value = text.strip()
    if not _INT.fullmatch(value):
        raise bad_number(element)
    return int(value)


def parse_date(text: str, element: str) -> dt.date:
    """``yyyy/MM/dd`` as the standard writes it; ``yyyy-MM-dd`` and ``dd/MM/yyyy`` are
    also read because public senders use them (the year's position is unambiguous)."""
    value = text.strip()
    try:
        if m := _YMD.fullmatch(value):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.fullmatch(value):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        pass
    raise fail(
        "edxml.bad_date",
        f"Ngày trong {element} không hợp lệ (cần yyyy/MM/dd).",
        f"The date in {element} is not valid (expected yyyy/MM/dd).",
        element,
        value=value[:40],
    )


def parse_timestamp(text: str, element: str) -> dt.datetime:
    """ISO 8601 with any offset. A time without offset, ISO or one of the
    ``yyyy/MM/dd HH:mm:ss`` / ``dd/MM/yyyy HH:mm:ss`` forms public senders use, is
    read as Vietnam time (+07:00): an assumption, since those senders are in Vietnam."""
    value = text.strip()
    parsed: dt.datetime | None = None
    if len(value) <= 64:
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            for fmt in _NAIVE_FORMATS:
                try:
                    parsed = dt.datetime.strptime(value, fmt)  # naive: the zone is added below
                    break
                except ValueError:
                    continue
    if parsed is None:
        raise fail(
            "edxml.bad_timestamp",
            f"Thời điểm trong {element} không hợp lệ (cần ISO 8601).",
            f"The time in {element} is not valid (expected ISO 8601).",
            element,
            value=value[:40],
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=VIETNAM_TZ)
    return parsed


def parse_bool(text: str, element: str) -> bool:
    value = text.strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0", ""):
        return False
    raise fail(
        "edxml.bad_boolean",
        f"Phần tử {element} phải là true hoặc false.",
        f"The element {element} must be true or false.",
        element,
    )


def safe_file_name(name: str, element: str) -> str:
    """The last path component of ``name``; refuses what is left empty or a dot name."""
    last = re.split(r"[/\\]", name)[-1].strip()
    if last in ("", ".", ".."):
        raise bad_attachment(element, "name")
    return last


# ---------------------------------------------------------------- value objects


@dataclass(frozen=True, kw_only=True)
class Organ:
    """An agency as edXML describes it (From, To, Status/From)."""

    organ_id: str
    """Agency code (mã định danh), e.g. ``000.00.00.H01``."""
    name: str = ""
    """OrganName."""
    in_charge: str = ""
    """OrganizationInCharge: the superior body."""
    address: str = ""
    """OrganAdd."""
    email: str = ""
    """Email."""
    telephone: str = ""
    """Telephone."""
    fax: str = ""
    """Fax."""
    website: str = ""
    """Website."""


@dataclass(frozen=True, kw_only=True)
class ResponseFor:
    """A reference to an earlier document this message answers."""

    organ_id: str
    """Agency code of the earlier document's issuer."""
    code: str
    """Its number and symbol, e.g. ``12/QĐ-UBND``."""
    promulgation_date: dt.date
    """Its promulgation date."""
    document_id: str
    """Its DocumentId exactly as its sender wrote it."""


@dataclass(frozen=True, kw_only=True)
class Trace:
    """One TraceHeader: an agency the package passed through, and when."""

    organ_id: str
    """Agency code."""
    timestamp: dt.datetime
    """When it passed; must be timezone-aware."""

    def __post_init__(self) -> None:
        require_aware(self.timestamp, "TraceHeaderList/TraceHeader/Timestamp")


@dataclass(frozen=True, kw_only=True)
class Attachment:
    """One attached file: its bytes travel base64-encoded in AttachmentEncoded."""

    name: str
    """File name, one path component (AttachmentName)."""
    content_type: str
    """MIME type (ContentType)."""
    data: bytes
    """The file's bytes; never empty."""
    description: str = ""
    """Description."""
    content_id: str = field(default="", compare=False)
    """ContentId linking the manifest to the data; generated when building if empty,
    kept as received when parsing. Not part of equality: it is transport, not content."""

    def __post_init__(self) -> None:
        if not self.data:
            raise bad_attachment("AttachmentEncoded/Attachment", "empty", name=self.name)
        if not self.name or self.name != safe_file_name(self.name, "AttachmentName"):
            raise bad_attachment("AttachmentEncoded/Attachment/AttachmentName", "name")


@dataclass(frozen=True, kw_only=True)
class DocumentMessage:
    """An official document as exchanged in edXML (MessageHeader + trace + files)."""

    sender: Organ
    """From: the issuing agency."""
    recipients: tuple[Organ, ...]
    """To: at least one receiving agency."""
    code_number: str
    """Code/CodeNumber: the number, e.g. ``12``."""
    code_notation: str
    """Code/CodeNotation: the symbol, e.g. ``QĐ-UBND``."""
    promulgation_date: dt.date
    """PromulgationInfo/PromulgationDate."""
    subject: str
    """Subject: the abstract (trích yếu)."""
    attachments: tuple[Attachment, ...]
    """The files; at least one."""
    place: str = ""
    """PromulgationInfo/Place, e.g. ``An Giang``."""
    type_code: int = 1
    """DocumentType/Type. *Unverified* numbering; 1 is what public senders use for
    administrative documents."""
    type_detail: int = 0
    """DocumentType/TypeDetail."""
    type_name: str = ""
    """DocumentType/TypeName, e.g. ``Quyết định``."""
    content: str = ""
    """Content: optional summary text."""
    signer_competence: str = ""
    """SignerInfo/Competence, e.g. ``TM.``, ``KT.``."""
    signer_position: str = ""
    """SignerInfo/Position."""
    signer_name: str = ""
    """SignerInfo/FullName."""
    due_date: dt.date | None = None
    """DueDate: deadline for handling, if any."""
    to_places: tuple[str, ...] = ()
    """ToPlaces/Place: the "Nơi nhận" lines."""
    priority: int = 0
    """OtherInfo/Priority; see ``PRIORITY_LABELS`` (*unverified* values)."""
    sphere_of_promulgation: str = ""
    """OtherInfo/SphereOfPromulgation."""
    typer_notation: str = ""
    """OtherInfo/TyperNotation: initials of the typist."""
    promulgation_amount: int = 0
    """OtherInfo/PromulgationAmount: number of copies issued."""
    page_amount: int = 0
    """OtherInfo/PageAmount."""
    direction: bool = False
    """OtherInfo/Direction: whether the document is a direction (chỉ đạo)."""
    appendixes: tuple[str, ...] = ()
    """OtherInfo/Appendixes/Appendix: appendix titles."""
    steering_type: int = 0
    """SteeringType. *Unverified* value set; 0 is the common default."""
    business_doc_type: int = BusinessDocType.NEW
    """Bussiness/BussinessDocType: 0 new, 1 recall, 2 update, 3 replace."""
    business_reason: str = ""
    """Bussiness/BussinessDocReason: why a recall, update or replacement is made."""
    business_info: str = ""
    """Bussiness/DocumentId: the document the recall/update/replacement is about.
    *Unverified*: the standard's exact field for this."""
    response_for: tuple[ResponseFor, ...] = ()
    """ResponseFor: earlier documents this one answers."""
    trace: tuple[Trace, ...] = ()
    """TraceHeaderList/TraceHeader: the route so far."""
    declared_document_id: str = field(default="", compare=False)
    """The DocumentId element as received (senders do not all derive it the same
    way); status replies must echo it. Empty when building."""

    def __post_init__(self) -> None:
        if not self.recipients:
            raise missing("edXMLEnvelope/edXMLHeader/MessageHeader/To")
        if not self.attachments:
            raise missing("AttachmentEncoded/Attachment")
        if self.business_doc_type not in set(BusinessDocType):
            raise bad_number("edXMLEnvelope/edXMLHeader/TraceHeaderList/Bussiness/BussinessDocType")
        for name, element in _COUNTS.items():
            if not 0 <= getattr(self, name) <= 999_999_999:
                raise bad_number(f"edXMLEnvelope/edXMLHeader/MessageHeader/{element}")

    @property
    def document_id(self) -> str:
        """``{sender organ id},{yyyy/MM/dd},{number}/{symbol}`` as the standard derives it."""
        return (
            f"{self.sender.organ_id},{format_date(self.promulgation_date)},"
            f"{self.code_number}/{self.code_notation}"
        )


# Integer fields and their elements: written as plain digits, the only form read back.
_COUNTS = {
    "type_code": "DocumentType/Type",
    "type_detail": "DocumentType/TypeDetail",
    "priority": "OtherInfo/Priority",
    "promulgation_amount": "OtherInfo/PromulgationAmount",
    "page_amount": "OtherInfo/PageAmount",
    "steering_type": "SteeringType",
}
