"""Reading and writing the XML of edXML packages: values to text and back, a small
writer, and a reader over defusedxml (no DTD, no entities) that turns every problem
into an ``edxml.*`` InvalidInput."""

from __future__ import annotations

import datetime as dt
import re
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from documents.edxml_model import (
    NAMESPACE,
    Organ,
    ResponseFor,
    fail,
    format_date,
    missing,
    parse_date,
    parse_int,
    parse_timestamp,
)

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
