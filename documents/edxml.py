"""edXML document packages (QCVN 102:2016/BTTTT): build and parse, nothing else.

A pure library: no database, no web, no clock. What it promises:

* ``build_document`` turns a :class:`DocumentMessage` into UTF-8 bytes with an XML
  declaration, laid out as the standard's ``edXML > edXMLEnvelope > edXMLHeader /
  edXMLBody`` followed by ``AttachmentEncoded``; ``parse_document`` reads such bytes
  back so that ``parse_document(build_document(m)) == m``.
* Parsing treats its input as hostile: size is checked before any parsing, DTDs and
  entities are refused (``defusedxml``), and every problem, whatever the bytes, is an
  :class:`ecabinet.core.errors.InvalidInput` with a stable ``edxml.*`` code, a message
  in Vietnamese and English, and the offending element in ``details["element"]``.
* Status messages (``edXML > ... > Status``) live in :mod:`documents.edxml_status`,
  which shares the value objects and the reading and writing helpers defined here.

The element names follow public implementations of the standard (VPCP/LGSP clients):
header elements carry the ``edXML:`` prefix, the ``AttachmentEncoded`` part is written
unprefixed in the default namespace, which is the same URI, because some receivers
look elements up by their literal name. Details that could not be verified against the
standard's text are marked *unverified* where they are decided.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

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


# ---------------------------------------------------------------- writing

# A node is (tag, text) or (tag, children); tags carry their prefix. Written by hand
# rather than with ElementTree so that prefixes are chosen here without touching
# ElementTree's process-wide namespace registry.
Node = tuple[str, "str | list[Node]"]

_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _escape(text: str, element: str) -> str:
    if _XML_INVALID.search(text):
        raise fail(
            "edxml.bad_text",
            f"Nội dung {element} chứa ký tự không được phép trong XML.",
            f"The text of {element} contains characters XML does not allow.",
            element,
        )
    # \r is written as a reference: a literal one would be normalised to \n on reading.
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def serialize(root: Node, root_attributes: str) -> bytes:
    """UTF-8 bytes with an XML declaration, one element per line, two-space indent."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']

    def write(node: Node, depth: int, attributes: str = "") -> None:
        tag, body = node
        pad = "  " * depth
        if isinstance(body, str):
            name = tag.split(":")[-1]
            out.append(f"{pad}<{tag}{attributes}>{_escape(body, name)}</{tag}>\n")
        elif not body:
            out.append(f"{pad}<{tag}{attributes}/>\n")
        else:
            out.append(f"{pad}<{tag}{attributes}>\n")
            for child in body:
                write(child, depth + 1)
            out.append(f"{pad}</{tag}>\n")

    write(root, 0, root_attributes)
    return "".join(out).encode("utf-8")


def organ_node(tag: str, organ: Organ) -> Node:
    p = "edXML:"
    return (
        p + tag,
        [
            (p + "OrganId", organ.organ_id),
            (p + "OrganizationInCharge", organ.in_charge),
            (p + "OrganName", organ.name),
            (p + "OrganAdd", organ.address),
            (p + "Email", organ.email),
            (p + "Telephone", organ.telephone),
            (p + "Fax", organ.fax),
            (p + "Website", organ.website),
        ],
    )


def response_for_node(ref: ResponseFor) -> Node:
    p = "edXML:"
    return (
        p + "ResponseFor",
        [
            (p + "OrganId", ref.organ_id),
            (p + "Code", ref.code),
            (p + "PromulgationDate", format_date(ref.promulgation_date)),
            (p + "DocumentId", ref.document_id),
        ],
    )


ROOT_ATTRIBUTES = f' xmlns="{NAMESPACE}" xmlns:edXML="{NAMESPACE}"'


# ---------------------------------------------------------------- reading


class Reader:
    """An element with its path, and lookups that accept the edXML namespace or none
    (some senders leave the attachment part unqualified); any other namespace, such
    as XML-DSig's ``Signature``, is simply not seen."""

    def __init__(self, element: Element, path: str) -> None:
        self.element = element
        self.path = path

    def _sub(self, name: str) -> str:
        return f"{self.path}/{name}" if self.path else name

    def all(self, *names: str) -> list[Reader]:
        wanted = {f"{{{NAMESPACE}}}{n}" for n in names} | set(names)
        return [
            Reader(child, self._sub(_local(child.tag)))
            for child in self.element
            if isinstance(child.tag, str) and child.tag in wanted
        ]

    def first(self, *names: str) -> Reader | None:
        found = self.all(*names)
        return found[0] if found else None

    def child(self, *names: str) -> Reader:
        found = self.first(*names)
        if found is None:
            raise missing(self._sub(names[0]))
        return found

    @property
    def text(self) -> str:
        return self.element.text or ""

    def opt(self, name: str, default: str = "") -> str:
        found = self.first(name)
        return found.text if found is not None else default

    def required_str(self, name: str) -> str:
        value = self.child(name).text.strip()
        if not value:
            raise missing(self._sub(name))
        return value

    def number(self, name: str, default: int = 0) -> int:
        found = self.first(name)
        if found is None or not found.text.strip():
            return default
        return parse_int(found.text, found.path)

    def date(self, name: str) -> dt.date:
        found = self.child(name)
        if not found.text.strip():
            raise missing(found.path)
        return parse_date(found.text, found.path)

    def timestamp(self, name: str) -> dt.datetime:
        found = self.child(name)
        if not found.text.strip():
            raise missing(found.path)
        return parse_timestamp(found.text, found.path)

    def strings(self, name: str) -> tuple[str, ...]:
        return tuple(r.text for r in self.all(name))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_root(data: bytes, max_bytes: int) -> Reader:
    """Size check, safe parse, root and namespace check; returns the edXML root."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise fail(
            "edxml.malformed",
            "Gói edXML phải là dữ liệu nhị phân.",
            "edXML must be bytes.",
            "edXML",
        )
    if len(data) > max_bytes:
        mib = max(1, max_bytes // (1024 * 1024))
        raise fail(
            "edxml.too_large",
            f"Gói edXML vượt quá giới hạn {mib} MiB.",
            f"The edXML package is over the {mib} MiB limit.",
            "edXML",
            limit_bytes=max_bytes,
        )
    try:
        root = SafeET.fromstring(bytes(data), forbid_dtd=True)
    except ParseError as exc:
        raise fail(
            "edxml.malformed",
            "Gói edXML không phải XML hợp lệ.",
            "The edXML package is not well-formed XML.",
            "edXML",
            position=list(getattr(exc, "position", ())),
        ) from None
    except DefusedXmlException:  # DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
        raise fail(
            "edxml.forbidden",
            "Gói edXML chứa DTD hoặc khai báo thực thể; không được chấp nhận.",
            "The edXML package contains a DTD or entity declarations, which are refused.",
            "edXML",
        ) from None
    except (LookupError, ValueError):  # an unknown or lying encoding declaration
        raise fail(
            "edxml.malformed",
            "Gói edXML có bảng mã không đọc được.",
            "The edXML package's character encoding cannot be read.",
            "edXML",
        ) from None
    tag = root.tag if isinstance(root.tag, str) else ""
    if _local(tag) != "edXML":
        raise fail(
            "edxml.wrong_root",
            "Phần tử gốc phải là edXML.",
            "The root element must be edXML.",
            _local(tag)[:80],
        )
    if tag != f"{{{NAMESPACE}}}edXML":
        raise fail(
            "edxml.namespace",
            f"Gói edXML phải dùng không gian tên {NAMESPACE}.",
            f"The edXML package must use the namespace {NAMESPACE}.",
            "edXML",
            namespace=tag[1:].split("}", 1)[0][:200] if tag.startswith("{") else "",
        )
    return Reader(root, "")


def read_organ(reader: Reader) -> Organ:
    return Organ(
        organ_id=reader.required_str("OrganId"),
        name=reader.opt("OrganName"),
        in_charge=reader.opt("OrganizationInCharge"),
        address=reader.opt("OrganAdd"),
        email=reader.opt("Email"),
        telephone=reader.opt("Telephone"),
        fax=reader.opt("Fax"),
        website=reader.opt("Website"),
    )


def read_response_for(reader: Reader) -> ResponseFor:
    return ResponseFor(
        organ_id=reader.required_str("OrganId"),
        code=reader.required_str("Code"),
        promulgation_date=reader.date("PromulgationDate"),
        document_id=reader.required_str("DocumentId"),
    )


# ---------------------------------------------------------------- documents


def build_document(message: DocumentMessage) -> bytes:
    """Serialize ``message`` as an edXML package: UTF-8 with an XML declaration, header,
    manifest and base64 attachments (one line each, since some receivers' decoders
    refuse line breaks). Content ids are the attachment's own when set, else ``cid:N``
    in order. No XML-DSig signature is produced. Raises ``InvalidInput`` for text XML
    cannot carry or duplicate content ids."""
    p = "edXML:"
    m = message
    header: list[Node] = [organ_node("From", m.sender)]
    header += [organ_node("To", r) for r in m.recipients]
    header += [
        (p + "Code", [(p + "CodeNumber", m.code_number), (p + "CodeNotation", m.code_notation)]),
        (
            p + "PromulgationInfo",
            [(p + "Place", m.place), (p + "PromulgationDate", format_date(m.promulgation_date))],
        ),
        (
            p + "DocumentType",
            [
                (p + "Type", str(m.type_code)),
                (p + "TypeDetail", str(m.type_detail)),
                (p + "TypeName", m.type_name),
            ],
        ),
        (p + "Subject", m.subject),
        (p + "Content", m.content),
        (
            p + "SignerInfo",
            [
                (p + "Competence", m.signer_competence),
                (p + "Position", m.signer_position),
                (p + "FullName", m.signer_name),
            ],
        ),
    ]
    if m.due_date is not None:
        header.append((p + "DueDate", format_date(m.due_date)))
    header += [
        (p + "ToPlaces", [(p + "Place", place) for place in m.to_places]),
        (
            p + "OtherInfo",
            [
                (p + "Priority", str(m.priority)),
                (p + "SphereOfPromulgation", m.sphere_of_promulgation),
                (p + "TyperNotation", m.typer_notation),
                (p + "PromulgationAmount", str(m.promulgation_amount)),
                (p + "PageAmount", str(m.page_amount)),
                (p + "Direction", "true" if m.direction else "false"),
                (p + "Appendixes", [(p + "Appendix", a) for a in m.appendixes]),
            ],
        ),
    ]
    header += [response_for_node(ref) for ref in m.response_for]
    header += [(p + "SteeringType", str(m.steering_type)), (p + "DocumentId", m.document_id)]

    traces: list[Node] = [
        (
            p + "TraceHeader",
            [(p + "OrganId", t.organ_id), (p + "Timestamp", format_timestamp(t.timestamp))],
        )
        for t in m.trace
    ]
    business: list[Node] = [
        (p + "BussinessDocType", str(int(m.business_doc_type))),
        (p + "BussinessDocReason", m.business_reason),
    ]
    if m.business_info:
        business.append((p + "DocumentId", m.business_info))
    traces.append((p + "Bussiness", business))

    ids = _content_ids(m.attachments)
    references: list[Node] = [
        (
            p + "Reference",
            [
                (p + "ContentId", cid),
                (p + "ContentType", a.content_type),
                (p + "AttachmentName", a.name),
                (p + "Description", a.description),
            ],
        )
        for cid, a in zip(ids, m.attachments, strict=True)
    ]
    encoded: list[Node] = [
        (
            "Attachment",
            [
                ("ContentId", cid),
                ("ContentType", a.content_type),
                ("AttachmentName", a.name),
                ("Description", a.description),
                ("ContentTransferEncoded", base64.b64encode(a.data).decode("ascii")),
            ],
        )
        for cid, a in zip(ids, m.attachments, strict=True)
    ]
    root: Node = (
        "edXML",
        [
            (
                p + "edXMLEnvelope",
                [
                    (
                        p + "edXMLHeader",
                        [(p + "MessageHeader", header), (p + "TraceHeaderList", traces)],
                    ),
                    (p + "edXMLBody", [(p + "edXMLManifest", references)]),
                ],
            ),
            ("AttachmentEncoded", encoded),
        ],
    )
    return serialize(root, ROOT_ATTRIBUTES)


def _content_ids(attachments: Sequence[Attachment]) -> list[str]:
    ids = [a.content_id or f"cid:{i}" for i, a in enumerate(attachments, start=1)]
    seen: set[str] = set()
    for cid in ids:
        key = _cid_key(cid)
        if key in seen:
            raise bad_attachment("AttachmentEncoded/Attachment/ContentId", "duplicate")
        seen.add(key)
    return ids


def _cid_key(content_id: str) -> str:
    # Receivers compare ids with and without the "cid:" scheme (MIME habit), so do we.
    value = content_id.strip()
    return value[4:] if value.lower().startswith("cid:") else value


def parse_document(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> DocumentMessage:
    """Read an edXML document package. Refuses, with ``InvalidInput`` and an
    ``edxml.*`` code, anything over ``max_bytes``, any DTD or entity, a wrong root or
    namespace, a missing From/To/Code/Subject/PromulgationDate or attachment, a bad
    date, number or boolean, undecodable or empty attachment data, a manifest entry
    without its data, and a file name left empty once reduced to its last path
    component. An XML-DSig ``Signature`` is ignored, not verified."""
    root = read_root(data, max_bytes)
    envelope = root.child("edXMLEnvelope")
    head = envelope.child("edXMLHeader").child("MessageHeader")
    recipients = tuple(read_organ(r) for r in head.all("To"))
    if not recipients:
        raise missing(f"{head.path}/To")
    code = head.child("Code")
    promulgation = head.child("PromulgationInfo")
    doc_type = head.first("DocumentType")
    signer = head.first("SignerInfo")
    other = head.first("OtherInfo")
    due = head.first("DueDate")
    places = head.first("ToPlaces")
    appendixes = other.first("Appendixes") if other else None
    subject = head.child("Subject")
    direction = other.first("Direction") if other else None

    trace_list = envelope.child("edXMLHeader").first("TraceHeaderList")
    traces: tuple[Trace, ...] = ()
    business_type, business_reason, business_info = 0, "", ""
    if trace_list is not None:
        traces = tuple(
            Trace(organ_id=t.required_str("OrganId"), timestamp=t.timestamp("Timestamp"))
            for t in trace_list.all("TraceHeader")
        )
        # Public implementations write both the standard's "Bussiness" and "Business".
        business = trace_list.first("Bussiness", "Business")
        if business is not None:
            kind = business.first("BussinessDocType", "BusinessDocType")
            if kind is not None and kind.text.strip():
                business_type = parse_int(kind.text, kind.path)
                if business_type not in set(BusinessDocType):
                    raise bad_number(kind.path)
            reason = business.first("BussinessDocReason", "BusinessDocReason")
            business_reason = reason.text if reason is not None else ""
            business_info = business.opt("DocumentId").strip()

    return DocumentMessage(
        sender=read_organ(head.child("From")),
        recipients=recipients,
        code_number=code.required_str("CodeNumber"),
        code_notation=code.opt("CodeNotation").strip(),
        place=promulgation.opt("Place"),
        promulgation_date=promulgation.date("PromulgationDate"),
        type_code=doc_type.number("Type", 1) if doc_type else 1,
        type_detail=doc_type.number("TypeDetail") if doc_type else 0,
        type_name=doc_type.opt("TypeName") if doc_type else "",
        subject=_non_empty(subject),
        content=head.opt("Content"),
        signer_competence=signer.opt("Competence") if signer else "",
        signer_position=signer.opt("Position") if signer else "",
        signer_name=signer.opt("FullName") if signer else "",
        due_date=parse_date(due.text, due.path) if due and due.text.strip() else None,
        to_places=places.strings("Place") if places else (),
        priority=other.number("Priority") if other else 0,
        sphere_of_promulgation=other.opt("SphereOfPromulgation") if other else "",
        typer_notation=other.opt("TyperNotation") if other else "",
        promulgation_amount=other.number("PromulgationAmount") if other else 0,
        page_amount=other.number("PageAmount") if other else 0,
        direction=parse_bool(direction.text, direction.path) if direction else False,
        appendixes=appendixes.strings("Appendix") if appendixes else (),
        steering_type=head.number("SteeringType"),
        business_doc_type=business_type,
        business_reason=business_reason,
        business_info=business_info,
        response_for=tuple(read_response_for(r) for r in head.all("ResponseFor")),
        trace=traces,
        attachments=_read_attachments(root, envelope),
        declared_document_id=head.opt("DocumentId").strip(),
    )


def _non_empty(reader: Reader) -> str:
    if not reader.text.strip():
        raise missing(reader.path)
    return reader.text


def _read_attachments(root: Reader, envelope: Reader) -> tuple[Attachment, ...]:
    body = envelope.first("edXMLBody")
    manifest = body.first("edXMLManifest") if body else None
    references = manifest.all("Reference") if manifest else []
    # Some senders put AttachmentEncoded inside the envelope rather than beside it.
    encoded = root.first("AttachmentEncoded") or envelope.first("AttachmentEncoded")
    items = encoded.all("Attachment") if encoded else []
    if not items:
        raise missing("AttachmentEncoded/Attachment")

    by_id: dict[str, Reader] = {}
    for ref in references:
        cid = ref.required_str("ContentId")
        by_id.setdefault(_cid_key(cid), ref)
    attachments: list[Attachment] = []
    seen: set[str] = set()
    for item in items:
        cid = item.required_str("ContentId")
        key = _cid_key(cid)
        if key in seen:
            raise bad_attachment(f"{item.path}/ContentId", "duplicate", content_id=cid[:80])
        seen.add(key)
        attachments.append(_read_attachment(item, by_id.get(key), cid))
    for key, ref in by_id.items():
        if key not in seen:
            raise bad_attachment(f"{ref.path}/ContentId", "unmatched", content_id=key[:80])
    return tuple(attachments)


def _read_attachment(item: Reader, ref: Reader | None, cid: str) -> Attachment:
    def pick(name: str) -> str:
        # The attachment's own element first, then the manifest's.
        own = item.opt(name).strip()
        return own or (ref.opt(name).strip() if ref else "")

    name_path = f"{item.path}/AttachmentName"
    raw_name = pick("AttachmentName")
    if not raw_name:
        raise bad_attachment(name_path, "name")
    payload = item.child("ContentTransferEncoded")
    compact = "".join(payload.text.split())
    try:
        data = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise bad_attachment(payload.path, "base64", content_id=cid[:80]) from None
    if not data:
        raise bad_attachment(payload.path, "empty", content_id=cid[:80])
    return Attachment(
        name=safe_file_name(raw_name, name_path),
        content_type=pick("ContentType") or "application/octet-stream",
        data=data,
        description=item.opt("Description") or (ref.opt("Description") if ref else ""),
        content_id=cid,
    )


__all__ = [
    "DEFAULT_MAX_BYTES",
    "NAMESPACE",
    "PRIORITY_LABELS",
    "Attachment",
    "BusinessDocType",
    "DocumentMessage",
    "Organ",
    "ResponseFor",
    "Trace",
    "build_document",
    "parse_document",
]
