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
from collections.abc import Sequence

from documents.edxml_model import (
    DEFAULT_MAX_BYTES,
    NAMESPACE,
    PRIORITY_LABELS,
    Attachment,
    BusinessDocType,
    DocumentMessage,
    Organ,
    ResponseFor,
    Trace,
    bad_attachment,
    bad_number,
    format_date,
    format_timestamp,
    missing,
    parse_bool,
    parse_date,
    parse_int,
    safe_file_name,
)
from documents.edxml_xml import (
    ROOT_ATTRIBUTES,
    Node,
    Reader,
    organ_node,
    read_organ,
    read_response_for,
    read_root,
    response_for_node,
    serialize,
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
