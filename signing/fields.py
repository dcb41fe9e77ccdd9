"""Adding a signature (or document time-stamp) field with a placeholder for its contents.

The update holds the signature dictionary with a zero-filled /Contents of the reserved
size and a /ByteRange covering everything else, the field and its widget (or the
existing empty field it fills), the widget's appearance, and the new versions of the page
and the form. :class:`Prepared` then writes the CMS (or time-stamp token) into the hole.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from pypdf import PdfReader
from pypdf.generic import (
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    read_object,
)

from signing.errors import BadPdf, not_a_pdf
from signing.pdfio import open_pdf, pdf_date, pdf_text
from signing.specs import FieldSpec
from signing.update import Update

BYTE_RANGE_PLACEHOLDER = b"[0 0000000000 0000000000 0000000000]"


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

    def embed(self, blob: bytes) -> bytes:
        """Write the CMS (or token) into the placeholder and return the whole signed file."""
        hex_blob = blob.hex().upper().encode()
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


@dataclass(frozen=True)
class FormField:
    """A form field found in the document, with its fully qualified name."""

    name: str
    ref: IndirectObject | None
    value: DictionaryObject

    @property
    def is_signature(self) -> bool:
        return self.value.get("/FT") == "/Sig" or (
            "/Parent" in self.value and cast(Any, self.value["/Parent"]).get("/FT") == "/Sig"
        )

    @property
    def is_signed(self) -> bool:
        return "/V" in self.value


def form_fields(reader: PdfReader) -> Iterator[FormField]:
    """Every terminal field of the AcroForm, depth first, with qualified names."""
    catalog = cast(DictionaryObject, reader.trailer["/Root"])
    form = catalog.get("/AcroForm")
    if form is None:
        return
    fields = cast(Any, form.get_object()).get("/Fields")
    seen: set[int] = set()

    def walk(items: Any, parent: str) -> Iterator[FormField]:
        for raw in cast(list[Any], items.get_object() if items is not None else []):
            ref = raw if isinstance(raw, IndirectObject) else None
            if ref is not None:
                if ref.idnum in seen:
                    continue  # a cycle or a field listed twice
                seen.add(ref.idnum)
            value = raw.get_object()
            if not isinstance(value, DictionaryObject):
                continue
            part = str(value.get("/T", ""))
            name = f"{parent}.{part}" if parent and part else (part or parent)
            kids = value.get("/Kids")
            field_kids = [k for k in cast(list[Any], kids or []) if "/T" in k.get_object()]
            if field_kids:
                yield from walk(kids, name)
            else:
                yield FormField(name, ref, value)

    yield from walk(fields, "")


def prepare(data: bytes, spec: FieldSpec) -> Prepared:
    """Append the signature field with an empty /Contents placeholder."""
    reader = open_pdf(data)
    fields = {f.name: f for f in form_fields(reader)}
    existing = fields.get(spec.name)
    if existing is not None and (not existing.is_signature or existing.is_signed):
        raise BadPdf(
            "signature.field_exists",
            f"Tệp đã có trường “{spec.name}”"
            + (" đã được ký." if existing.is_signed else " không phải trường chữ ký."),
            f"The file already has a field named {spec.name!r}"
            + (" that is signed." if existing.is_signed else " that is not a signature field."),
        )
    if not 0 <= spec.page < len(reader.pages):
        raise BadPdf(
            "signature.bad_page",
            f"Tệp không có trang {spec.page + 1}.",
            f"The file has no page {spec.page + 1}.",
        )
    signed_before = any(f.is_signature and f.is_signed for f in fields.values())
    update = Update(data, reader)
    sig_num = update.allocate()
    update.put(
        sig_num, _signature_dictionary(spec, certifying=bool(spec.certify) and not signed_before)
    )
    ap_ref = None
    if spec.appearance is not None:
        first = update.allocate()
        bodies = spec.appearance(first)
        update.put(first, bodies[0])
        for body in bodies[1:]:
            update.add(body)
        ap_ref = first

    if existing is not None:
        _fill_existing(update, existing, sig_num, ap_ref, spec, signed_before)
    else:
        _add_field(update, spec, sig_num, ap_ref, signed_before)

    out, offsets = update.build()
    base = len(data)
    sig_at = offsets[sig_num] - base
    start = out.index(b"/Contents <", sig_at) + len(b"/Contents ")
    end = out.index(b">", start) + 1
    byte_range = [0, base + start, base + end, len(out) - end]
    br_at = out.index(BYTE_RANGE_PLACEHOLDER, sig_at)
    filled = "[0 {:010d} {:010d} {:010d}]".format(*byte_range[1:]).encode()
    out[br_at : br_at + len(BYTE_RANGE_PLACEHOLDER)] = filled
    return Prepared(data, out, byte_range, base + start, base + end)


def _signature_dictionary(spec: FieldSpec, *, certifying: bool) -> bytes:
    placeholder = BYTE_RANGE_PLACEHOLDER + b"/Contents <" + b"0" * (spec.contents_size * 2) + b">"
    if spec.timestamp:
        return (
            b"<</Type/DocTimeStamp/Filter/Adobe.PPKLite/SubFilter/ETSI.RFC3161/ByteRange "
            + placeholder
            + b">>"
        )
    sig = bytearray(b"<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/ByteRange ")
    sig += placeholder + b"/M" + pdf_date(spec.signed_at)
    for key, value in (
        ("Name", spec.signer_name),
        ("Reason", spec.reason),
        ("Location", spec.location),
    ):
        if value:
            sig += f"/{key}".encode() + pdf_text(value)
    if spec.certify:
        method = b"/DocMDP" if certifying else b"/FieldMDP"
        params = f"/P {int(spec.certify)}".encode() if certifying else b"/Action/All"
        sig += (
            b"/Reference[<</Type/SigRef/TransformMethod"
            + method
            + b"/TransformParams<</Type/TransformParams"
            + params
            + b"/V/1.2>>>>]"
        )
    sig += b">>"
    return bytes(sig)


def _lock(spec: FieldSpec, signed_before: bool) -> bytes:
    """The field's /Lock dictionary, or nothing.

    After earlier signatures a certifying signature cannot be a certification (that must
    be the first signature, ISO 32000): the field's lock carries the permission instead
    (/P of SigFieldLock, ISO 32000-2 12.7.5.5).
    """
    if spec.certify and signed_before:
        return f"<</Type/SigFieldLock/Action/All/P {int(spec.certify)}>>".encode()
    return b""


def _add_field(
    update: Update, spec: FieldSpec, sig_num: int, ap_num: int | None, signed_before: bool
) -> None:
    reader = update.reader
    page = reader.pages[spec.page]
    page_ref = page.indirect_reference
    if page_ref is None:
        raise not_a_pdf("page is not an indirect object")
    rect = " ".join(f"{v:.2f}" for v in spec.rect).encode()
    widget_num = update.add(
        b"<</Type/Annot/Subtype/Widget/FT/Sig/F 132/T"
        + pdf_text(spec.name)
        + f"/V {sig_num} 0 R/P {page_ref.idnum} {page_ref.generation} R".encode()
        + b"/Rect["
        + rect
        + b"]"
        + (f"/AP<</N {ap_num} 0 R>>".encode() if ap_num is not None else b"")
        + (b"/Lock" + _lock(spec, signed_before) if spec.certify and signed_before else b"")
        + b">>"
    )
    widget_ref = update.ref(widget_num)
    # The page gets the widget in /Annots (in place when /Annots is its own object).
    new_page = DictionaryObject(page)
    if update.append_to_array(new_page, "/Annots", widget_ref):
        update.replace(page_ref, new_page)
    _update_form(update, spec, sig_num, signed_before, new_field=widget_ref)


def _fill_existing(
    update: Update,
    existing: FormField,
    sig_num: int,
    ap_num: int | None,
    spec: FieldSpec,
    signed_before: bool,
) -> None:
    if existing.ref is None:
        raise not_a_pdf("the signature field is not an indirect object")
    field = DictionaryObject(existing.value)
    field[NameObject("/V")] = IndirectObject(sig_num, 0, update.reader)
    if spec.certify and signed_before and "/Lock" not in field:
        field[NameObject("/Lock")] = _parse_dict(_lock(spec, signed_before))
    widget_kids = cast(list[Any], field.get("/Kids") or [])
    if ap_num is not None:
        if field.get("/Subtype") == "/Widget" or not widget_kids:
            field[NameObject("/AP")] = _parse_dict(f"<</N {ap_num} 0 R>>".encode(), update.reader)
        else:
            kid_ref = widget_kids[0]
            kid = DictionaryObject(kid_ref.get_object())
            kid[NameObject("/AP")] = _parse_dict(f"<</N {ap_num} 0 R>>".encode(), update.reader)
            update.replace(kid_ref, kid)
    update.replace(existing.ref, field)
    _update_form(update, spec, sig_num, signed_before, new_field=None)


def _parse_dict(text: bytes, reader: PdfReader | None = None) -> DictionaryObject:
    return cast(DictionaryObject, read_object(io.BytesIO(text), cast(Any, reader)))


def _update_form(
    update: Update,
    spec: FieldSpec,
    sig_num: int,
    signed_before: bool,
    new_field: IndirectObject | None,
) -> None:
    """The AcroForm lists the new field and says the file holds signatures (SigFlags 3);
    a certification signature is named in the catalog's /Perms."""
    catalog = update.catalog
    new_catalog = DictionaryObject(catalog)
    catalog_changed = False
    form_raw = catalog.raw_get("/AcroForm") if "/AcroForm" in catalog else None
    form = (
        DictionaryObject(cast(Any, form_raw.get_object()))
        if form_raw is not None
        else DictionaryObject()
    )
    if new_field is not None:
        update.append_to_array(form, "/Fields", new_field)
    form[NameObject("/SigFlags")] = NumberObject(3)
    if isinstance(form_raw, IndirectObject):
        update.replace(form_raw, form)
    else:
        new_catalog[NameObject("/AcroForm")] = form
        catalog_changed = True
    if spec.certify and not signed_before and not spec.timestamp:
        new_catalog[NameObject("/Perms")] = _parse_dict(
            f"<</DocMDP {sig_num} 0 R>>".encode(), update.reader
        )
        catalog_changed = True
    if catalog_changed:
        update.replace(update.root_ref, new_catalog)
