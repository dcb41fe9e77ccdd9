"""Adding a signature field to a PDF as an incremental update.

The original bytes are kept as they are (earlier signatures stay valid); after them come
the new objects (signature dictionary, field/widget, appearance), new versions of the
page and of the catalog (or of the AcroForm), and a cross-reference section of the same
kind as the file's own (table or stream) pointing back with /Prev.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, cast

from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, NumberObject

from signing.errors import BadPdf, not_a_pdf

BYTE_RANGE_PLACEHOLDER = b"[0 0000000000 0000000000 0000000000]"
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF", re.S)
_OBJ_HEADER = re.compile(rb"\s*\d+\s+\d+\s+obj")
VN = timezone(timedelta(hours=7))


@dataclass(frozen=True)
class FieldSpec:
    """Where and how the signature field goes."""

    name: str
    """Field name (/T); unique in the document."""
    page: int = 0
    """Page index, from 0."""
    rect: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    """Widget rectangle in PDF points; all zero for an invisible signature."""
    signed_at: datetime = field(default_factory=lambda: datetime.now(VN))
    """Claimed signing time, written to /M."""
    signer_name: str = ""
    reason: str = ""
    location: str = ""
    contents_size: int = 12_000
    """Bytes reserved for the CMS blob (the hex placeholder is twice this)."""
    appearance: bytes | None = None
    """A ready form XObject body (dictionary + stream) for the widget, or None."""


@dataclass
class Prepared:
    """The original bytes (never copied) and the appended update with its placeholder.

    Offsets (``byte_range``, ``contents_start``, ``contents_end``) count from the start of
    the whole file, as the PDF's /ByteRange does.
    """

    head: bytes
    tail: bytearray
    byte_range: list[int]
    contents_start: int
    contents_end: int

    def covered(self) -> list[bytes | memoryview]:
        """The pieces the signature covers, in order (everything but the placeholder)."""
        base = len(self.head)
        tail = memoryview(self.tail)
        return [self.head, tail[: self.contents_start - base], tail[self.contents_end - base :]]

    def embed(self, cms_der: bytes) -> bytes:
        """Write the CMS into the placeholder and return the whole signed file."""
        hex_blob = cms_der.hex().upper().encode()
        room = self.contents_end - self.contents_start - 2
        if len(hex_blob) > room:
            raise BadPdf(
                "signature.too_big",
                "Chữ ký lớn hơn chỗ dành sẵn trong tệp.",
                "The signature is larger than the space reserved for it.",
            )
        at = self.contents_start - len(self.head) + 1
        self.tail[at : at + len(hex_blob)] = hex_blob
        return self.head + self.tail


def pdf_date(moment: datetime) -> bytes:
    """``D:YYYYMMDDHHmmSS+07'00'`` as a PDF literal string."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=VN)
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hh, mm = divmod(abs(minutes), 60)
    return f"(D:{moment:%Y%m%d%H%M%S}{sign}{hh:02d}'{mm:02d}')".encode()


def pdf_text(text: str) -> bytes:
    """A text string: UTF-16BE with a BOM, as a hex string (safe for any character)."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def _serialize(obj: Any) -> bytes:
    buffer = io.BytesIO()
    obj.write_to_stream(buffer)
    return buffer.getvalue()


class _BytesView(io.RawIOBase):
    """A read-only, seekable stream over bytes that never copies them (``io.BytesIO``
    does, as soon as a reader asks for its buffer)."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._view = memoryview(data)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: Any) -> int:
        chunk = self._view[self._pos : self._pos + len(buffer)]
        buffer[: len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)


def open_pdf(data: bytes) -> PdfReader:
    """Read a PDF for signing; refuse what we cannot sign safely, with a clear error."""
    if data[:1024].lstrip()[:5] != b"%PDF-":
        raise not_a_pdf("no %PDF header")
    try:
        reader = PdfReader(io.BufferedReader(_BytesView(data)), strict=False)
        if reader.is_encrypted:
            raise BadPdf(
                "pdf.encrypted",
                "Tệp PDF đã mã hóa: hãy gỡ mật khẩu trước khi ký.",
                "The PDF is encrypted: remove its password before signing.",
            )
        _ = reader.trailer["/Root"]
        _ = len(reader.pages)
    except BadPdf:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise not_a_pdf(type(exc).__name__) from None
    return reader


def _startxref(data: bytes) -> int:
    matches = list(_STARTXREF.finditer(data[-4096:]))
    if not matches:
        raise not_a_pdf("no startxref")
    offset = int(matches[-1].group(1))
    head = data[offset : offset + 32]
    if not (head.startswith(b"xref") or _OBJ_HEADER.match(head)):
        raise BadPdf(
            "pdf.broken_xref",
            "Bảng tham chiếu chéo (xref) của tệp PDF bị hỏng: hãy lưu lại tệp bằng phần mềm PDF"
            " rồi ký.",
            "The PDF's cross-reference table is broken: re-save the file with a PDF tool, then"
            " sign.",
        )
    return offset


def field_names(reader: PdfReader) -> set[str]:
    fields = reader.get_fields() or {}
    return set(fields)


def prepare(data: bytes, spec: FieldSpec) -> Prepared:
    """Append the signature field with an empty /Contents placeholder."""
    reader = open_pdf(data)
    if spec.name in field_names(reader):
        raise BadPdf(
            "signature.field_exists",
            f"Tệp đã có trường chữ ký tên “{spec.name}”.",
            f"The file already has a signature field named {spec.name!r}.",
        )
    if not 0 <= spec.page < len(reader.pages):
        raise BadPdf(
            "signature.bad_page",
            f"Tệp không có trang {spec.page + 1}.",
            f"The file has no page {spec.page + 1}.",
        )
    prev = _startxref(data)
    trailer = reader.trailer
    size = int(cast(Any, trailer["/Size"]))
    root_ref = trailer.raw_get("/Root")
    if not isinstance(root_ref, IndirectObject):
        raise not_a_pdf("catalog is not an indirect object")
    page = reader.pages[spec.page]
    page_ref = page.indirect_reference
    if page_ref is None:
        raise not_a_pdf("page is not an indirect object")

    sig_num, widget_num = size, size + 1
    next_num = size + 2
    ap_num = None
    if spec.appearance is not None:
        ap_num, next_num = next_num, next_num + 1

    objects: list[tuple[int, int, bytes]] = []
    # The signature dictionary with its placeholders.
    sig = bytearray(b"<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/ByteRange ")
    sig += BYTE_RANGE_PLACEHOLDER + b"/Contents <" + b"0" * (spec.contents_size * 2) + b">"
    sig += b"/M" + pdf_date(spec.signed_at)
    for key, value in (
        ("Name", spec.signer_name),
        ("Reason", spec.reason),
        ("Location", spec.location),
    ):
        if value:
            sig += f"/{key}".encode() + pdf_text(value)
    sig += b">>"
    objects.append((sig_num, 0, bytes(sig)))

    rect = " ".join(f"{v:.2f}" for v in spec.rect).encode()
    widget = (
        b"<</Type/Annot/Subtype/Widget/FT/Sig/F 132/T"
        + pdf_text(spec.name)
        + b"/V "
        + f"{sig_num} 0 R".encode()
        + b"/P "
        + f"{page_ref.idnum} {page_ref.generation} R".encode()
        + b"/Rect["
        + rect
        + b"]"
        + (f"/AP<</N {ap_num} 0 R>>".encode() if ap_num is not None else b"")
        + b">>"
    )
    objects.append((widget_num, 0, widget))
    if ap_num is not None and spec.appearance is not None:
        objects.append((ap_num, 0, spec.appearance))

    # The page gets the widget in /Annots (in place when /Annots is its own object).
    widget_ref = IndirectObject(widget_num, 0, reader)
    new_page = DictionaryObject(page)
    if _append(new_page, "/Annots", widget_ref, objects):
        objects.append((page_ref.idnum, page_ref.generation, _serialize(new_page)))

    # The AcroForm lists the field and says the file holds signatures (SigFlags 3).
    catalog = cast(DictionaryObject, reader.trailer["/Root"])
    form_raw = catalog.raw_get("/AcroForm") if "/AcroForm" in catalog else None
    form = (
        DictionaryObject(cast(Any, form_raw.get_object()))
        if form_raw is not None
        else DictionaryObject()
    )
    _append(form, "/Fields", widget_ref, objects)
    form[NameObject("/SigFlags")] = NumberObject(3)
    if isinstance(form_raw, IndirectObject):
        objects.append((form_raw.idnum, form_raw.generation, _serialize(form)))
    else:
        new_catalog = DictionaryObject(catalog)
        new_catalog[NameObject("/AcroForm")] = form
        objects.append((root_ref.idnum, root_ref.generation, _serialize(new_catalog)))

    base = len(data)
    out = bytearray(b"" if data.endswith((b"\n", b"\r")) else b"\n")
    offsets: dict[int, tuple[int, int]] = {}
    for num, gen, body in objects:
        offsets[num] = (base + len(out), gen)
        out += f"{num} {gen} obj\n".encode() + body + b"\nendobj\n"
    id_raw = trailer.get("/ID")
    id_bytes = _serialize(id_raw) if id_raw is not None else b""
    info = trailer.raw_get("/Info") if "/Info" in trailer else None
    info_bytes = (b"/Info " + _serialize(info)) if isinstance(info, IndirectObject) else b""
    root_bytes = f"/Root {root_ref.idnum} {root_ref.generation} R".encode()
    is_table = data[prev : prev + 4] == b"xref"
    if is_table:
        _write_table(
            out, base, offsets, max(size, next_num), prev, root_bytes, info_bytes, id_bytes
        )
    else:
        _write_stream(out, base, offsets, next_num, prev, root_bytes, info_bytes, id_bytes)

    sig_at = offsets[sig_num][0] - base
    start = out.index(b"/Contents <", sig_at) + len(b"/Contents ")
    end = out.index(b">", start) + 1
    byte_range = [0, base + start, base + end, len(out) - end]
    br_at = out.index(BYTE_RANGE_PLACEHOLDER, sig_at)
    filled = "[0 {:010d} {:010d} {:010d}]".format(*byte_range[1:]).encode()
    out[br_at : br_at + len(BYTE_RANGE_PLACEHOLDER)] = filled
    return Prepared(data, out, byte_range, base + start, base + end)


def _append(
    owner: DictionaryObject,
    key: str,
    ref: IndirectObject,
    objects: list[tuple[int, int, bytes]],
) -> bool:
    """Add ``ref`` to the array ``owner[key]``. An array that is an object of its own gets
    a new version in ``objects`` (False: the owner is unchanged); an inline or missing one
    is replaced in ``owner`` (True: the caller must write the owner)."""
    raw = owner.raw_get(key) if key in owner else None
    if isinstance(raw, IndirectObject):
        array = ArrayObject(cast(Any, raw.get_object()))
        array.append(ref)
        objects.append((raw.idnum, raw.generation, _serialize(array)))
        return False
    owner[NameObject(key)] = ArrayObject([*(cast(Any, raw) or []), ref])
    return True


def _groups(numbers: list[int]) -> list[list[int]]:
    groups: list[list[int]] = []
    for n in sorted(numbers):
        if groups and n == groups[-1][-1] + 1:
            groups[-1].append(n)
        else:
            groups.append([n])
    return groups


def _write_table(
    out: bytearray,
    base: int,
    offsets: dict[int, tuple[int, int]],
    size: int,
    prev: int,
    root: bytes,
    info: bytes,
    file_id: bytes,
) -> None:
    xref_at = base + len(out)
    out += b"xref\n"
    for group in _groups(list(offsets)):
        out += f"{group[0]} {len(group)}\n".encode()
        for n in group:
            offset, gen = offsets[n]
            out += f"{offset:010d} {gen:05d} n\r\n".encode()
    out += b"trailer\n<</Size " + str(size).encode() + b" " + root + info
    if file_id:
        out += b"/ID " + file_id
    out += f"/Prev {prev}>>\nstartxref\n{xref_at}\n%%EOF\n".encode()


def _write_stream(
    out: bytearray,
    base: int,
    offsets: dict[int, tuple[int, int]],
    xref_num: int,
    prev: int,
    root: bytes,
    info: bytes,
    file_id: bytes,
) -> None:
    xref_at = base + len(out)
    entries = dict(offsets)
    entries[xref_num] = (xref_at, 0)
    rows = bytearray()
    index: list[int] = []
    for group in _groups(list(entries)):
        index += [group[0], len(group)]
        for n in group:
            offset, gen = entries[n]
            rows += bytes([1]) + offset.to_bytes(4, "big") + gen.to_bytes(2, "big")
    body = zlib.compress(bytes(rows))
    head = (
        (
            f"{xref_num} 0 obj\n<</Type/XRef/Size {xref_num + 1}/W[1 4 2]"
            f"/Index[{' '.join(map(str, index))}]/Filter/FlateDecode/Length {len(body)}"
            f"/Prev {prev}"
        ).encode()
        + root
        + info
    )
    if file_id:
        head += b"/ID " + file_id
    out += head + b">>\nstream\n" + body + b"\nendstream\nendobj\n"
    out += f"startxref\n{xref_at}\n%%EOF\n".encode()
