"""The signatures and document time-stamps inside a PDF, and what their CMS holds.

Read-only and tolerant: a damaged signature is still listed (with what could be read),
so that the validator can say what is wrong with it rather than stop.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, cast

from asn1crypto import cms
from cryptography import x509
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, read_object

from signing.fields import form_fields
from signing.pdfio import PYPDF_ERRORS

OID_SIGNATURE_TIME_STAMP = "1.2.840.113549.1.9.16.2.14"
_PDF_DATE = re.compile(
    r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+\-])?(\d{2})?'?(\d{2})?"
)


def parse_pdf_date(text: str) -> dt.datetime | None:
    """A PDF date string (``D:20260305140211+07'00'``) as an aware datetime, or None."""
    match = _PDF_DATE.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, sign, tzh, tzm = match.groups()
    try:
        tz = dt.UTC
        if sign in ("+", "-"):
            offset = dt.timedelta(hours=int(tzh or 0), minutes=int(tzm or 0))
            tz = dt.timezone(offset if sign == "+" else -offset)
        return dt.datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=tz,
        )
    except ValueError:
        return None


def der_prefix(blob: bytes) -> bytes:
    """The DER value at the start of ``blob`` without the zero padding after it."""
    if len(blob) < 2:
        return blob
    first = blob[1]
    if first < 0x80:
        return blob[: 2 + first]
    count = first & 0x7F
    length = int.from_bytes(blob[2 : 2 + count], "big")
    return blob[: 2 + count + length]


def to_x509(cert: Any) -> x509.Certificate | None:
    """An asn1crypto certificate as a cryptography one (None if it does not parse)."""
    try:
        return x509.load_der_x509_certificate(cert.dump())
    except ValueError:
        return None


@dataclass
class SignedData:
    """A parsed CMS SignedData with one signer (the PAdES case)."""

    content: Any
    """asn1crypto ``SignedData``."""
    signer_info: Any
    """asn1crypto ``SignerInfo``."""

    @cached_property
    def certificates(self) -> list[x509.Certificate]:
        out = []
        for choice in self.content["certificates"] or []:
            if choice.name == "certificate":
                cert = to_x509(choice.chosen)
                if cert is not None:
                    out.append(cert)
        return out

    @cached_property
    def signer_certificate(self) -> x509.Certificate | None:
        sid = self.signer_info["sid"]
        for cert in self.certificates:
            if sid.name == "issuer_and_serial_number":
                wanted = sid.chosen
                if (
                    cert.serial_number == wanted["serial_number"].native
                    and cert.issuer.public_bytes() == wanted["issuer"].dump()
                ):
                    return cert
            else:
                try:
                    ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
                except (x509.ExtensionNotFound, ValueError):
                    continue
                if ski.value.digest == sid.chosen.native:
                    return cert
        return None

    def signed_attribute(self, name: str) -> Any | None:
        for attr in self.signer_info["signed_attrs"] or []:
            if attr["type"].native == name:
                return attr["values"][0]
        return None

    def unsigned_attribute(self, oid: str) -> Any | None:
        for attr in self.signer_info["unsigned_attrs"] or []:
            if attr["type"].dotted == oid:
                return attr["values"][0]
        return None

    @cached_property
    def timestamp_token(self) -> SignedData | None:
        """The signature time-stamp token (PAdES B-T), if the signature carries one."""
        token = self.unsigned_attribute(OID_SIGNATURE_TIME_STAMP)
        if token is None:
            return None
        return read_signed_data(token.dump())

    @property
    def tst_info(self) -> Any:
        """The TSTInfo when this SignedData is a time-stamp token."""
        return self.content["encap_content_info"]["content"].parsed


def read_signed_data(blob: bytes) -> SignedData | None:
    """Parse a CMS ContentInfo(SignedData); None if it is not one with a single signer."""
    try:
        info = cms.ContentInfo.load(der_prefix(blob))
        if info["content_type"].native != "signed_data":
            return None
        content = info["content"]
        signers = content["signer_infos"]
        if len(signers) != 1:
            return None
        data = SignedData(content, signers[0])
        _ = data.signer_info["sid"].chosen  # force parsing of the parts we rely on
        _ = data.signer_info["signature"].native
        return data
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


@dataclass
class EmbeddedSignature:
    """One signature (or document time-stamp) field with its value."""

    field_name: str
    kind: str
    """``signature`` or ``timestamp`` (a /DocTimeStamp)."""
    dictionary: DictionaryObject
    byte_range: list[int]
    contents: bytes
    sub_filter: str
    field_value: DictionaryObject = field(repr=False, default_factory=DictionaryObject)

    @property
    def revision_end(self) -> int:
        """Where the revision this signature covers ends (file offset)."""
        if len(self.byte_range) != 4:
            return 0
        return self.byte_range[2] + self.byte_range[3]

    @property
    def claimed_time(self) -> dt.datetime | None:
        value = self.dictionary.get("/M")
        return parse_pdf_date(str(value)) if value is not None else None

    def text(self, key: str) -> str:
        value = self.dictionary.get(key)
        return str(value) if value is not None else ""

    @cached_property
    def signed_data(self) -> SignedData | None:
        return read_signed_data(self.contents)

    @property
    def lock_permission(self) -> int | None:
        """The /P of the field's /Lock dictionary (ISO 32000-2), if any."""
        lock = self.field_value.get("/Lock")
        if lock is None:
            return None
        value = cast(Any, lock.get_object()).get("/P")
        return int(value) if value is not None else None

    @property
    def docmdp_permission(self) -> int | None:
        """The /P of a DocMDP transform in the signature's /Reference, if any."""
        for ref in cast(list[Any], self.dictionary.get("/Reference") or []):
            ref = ref.get_object()
            if ref.get("/TransformMethod") == "/DocMDP":
                params = ref.get("/TransformParams")
                value = params.get_object().get("/P") if params is not None else None
                return int(value) if value is not None else 2
        return None


_OBJECT_START = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj\b\s*")
_HEX_CONTENTS = re.compile(rb"/Contents\s*<([0-9A-Fa-f\s]*)>")


def _quick_signature(
    reader: PdfReader, ref: IndirectObject, data: bytes
) -> tuple[DictionaryObject, bytes] | None:
    """The signature dictionary, its /Contents read straight from the bytes.

    pypdf decodes a hex string one character at a time, which was most of a validation's
    time. This path is taken only when the object sits where the cross-reference says and
    the /Contents it blanks is the dictionary's own (the parse of the rest must find it
    empty); anything else takes pypdf's way."""
    offset = reader.xref.get(ref.generation, {}).get(ref.idnum)
    head = _OBJECT_START.match(data, offset) if isinstance(offset, int) else None
    if head is None or int(head.group(1)) != ref.idnum:
        return None
    end = data.find(b"endobj", head.end())
    found = _HEX_CONTENTS.search(data, head.end(), end) if end > 0 else None
    if found is None:
        return None
    blanked = data[head.end() : found.start()] + b"/Contents <>" + data[found.end() : end]
    try:
        value = read_object(io.BytesIO(blanked), reader)
        contents = bytes.fromhex(found.group(1).decode("ascii"))
    except (*PYPDF_ERRORS, UnicodeDecodeError):
        return None
    if not isinstance(value, DictionaryObject):
        return None
    blank = value.get("/Contents")
    if blank is None or bytes(getattr(blank, "original_bytes", b"?")) != b"":
        return None
    return value, contents


def find_signatures(reader: PdfReader, data: bytes | None = None) -> list[EmbeddedSignature]:
    """Every signed signature field and document time-stamp, in file order. With
    ``data`` (the bytes ``reader`` reads), signature values are read faster."""
    found: list[EmbeddedSignature] = []
    for form_field in form_fields(reader):
        if not form_field.is_signature or not form_field.is_signed:
            continue
        try:
            raw_value = form_field.value.raw_get("/V")
            quick = (
                _quick_signature(reader, raw_value, data)
                if data is not None and isinstance(raw_value, IndirectObject)
                else None
            )
            if quick is not None:
                sig, contents = quick
            else:
                sig = cast(DictionaryObject, raw_value.get_object())
                raw = sig.get("/Contents")
                # pypdf may have decoded the hex string as text: its original bytes are DER.
                contents = bytes(getattr(raw, "original_bytes", None) or raw or b"")
            kind = "timestamp" if sig.get("/Type") == "/DocTimeStamp" else "signature"
            byte_range = [int(v) for v in cast(ArrayObject, sig.get("/ByteRange") or [])]
            sub_filter = str(sig.get("/SubFilter", ""))
        except (*PYPDF_ERRORS, OverflowError):
            continue
        found.append(
            EmbeddedSignature(
                form_field.name, kind, sig, byte_range, contents, sub_filter, form_field.value
            )
        )
    found.sort(key=lambda s: s.revision_end)
    return found
