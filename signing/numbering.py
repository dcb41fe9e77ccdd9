"""The number and date lines of an official document as form fields (decision 0015).

Decree 30 has the system write the number, symbol and date when the document is issued,
after the competent person signed it and before the agency's seal. Page content written
after a signature is a change no validator allows, but filling in a form field is (DocMDP
level 2, which an approval signature leaves open: poppler's ``pdfsig``, pyHanko and
:mod:`signing.validation.changes` agree). So a draft carries two read-only text fields,
:data:`NUMBER` over its "Số: …/QĐ-UBND" line and :data:`DATE` over its place and date
line, declared before the leader signs (:func:`declare`); at issue :func:`fill` writes
their values and appearances in an incremental update, and the seal then signs over it.

A field's appearance shows its whole line, centred in the field's box, in the Times-like
serif of the signature appearances; an *opaque* field, once it shows text, paints white
under it, to hide a placeholder the page itself prints (an uploaded draft:
:mod:`signing.locate`); empty, it lets that placeholder show.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    TextStringObject,
)

from signing.errors import BadPdf, not_a_pdf
from signing.fields import form_fields
from signing.fonts import serif
from signing.pdfdraw import Canvas, Rect, check_glyphs
from signing.pdfio import open_pdf, pdf_text
from signing.update import Update

NUMBER = "so_ky_hieu"
"""The field of the "Số: 12/QĐ-UBND" line."""
DATE = "ngay_ban_hanh"
"""The field of the "An Giang, ngày 05 tháng 3 năm 2026" line."""
MIN_SIZE = 6.0
"""Smallest font size a line is shrunk to so that it fits its box."""


@dataclass(frozen=True)
class Slot:
    """Where one line goes and how it looks."""

    name: str
    """:data:`NUMBER` or :data:`DATE`."""
    page: int
    """Page index, from 0."""
    rect: Rect
    """The field's box in points (x1, y1, x2, y2), origin bottom left."""
    size: float
    """Font size in points (shrunk when the text is wider than the box)."""
    italic: bool
    """Decree 30 sets the date line in italics, the number upright."""
    text: str
    """What the field shows until it is filled (the placeholder line)."""
    opaque: bool = False
    """Paint the box white first (hides what the page prints under the field)."""


def _draw(update: Update, slot: Slot, text: str) -> int:
    """Write the appearance of ``slot`` showing ``text``; the number of its form XObject."""
    font = serif("I" if slot.italic else "")
    line = unicodedata.normalize("NFC", " ".join(text.splitlines()).strip())
    check_glyphs(font, [line])
    x1, y1, x2, y2 = slot.rect
    width, height = x2 - x1, y2 - y1
    size = slot.size
    if line and font.width(line, size) > width - 2:
        size = max(MIN_SIZE, size * (width - 2) / font.width(line, size))
    canvas = Canvas(width, height)
    if slot.opaque and line:
        canvas.fill((0.0, 0.0, width, height), (1.0, 1.0, 1.0))
    if line:
        ascent, descent = font.ascent / font.units_per_em, font.descent / font.units_per_em
        baseline = (height - size * (ascent - descent)) / 2 - size * descent
        canvas.text(font, size, (width - font.width(line, size)) / 2, baseline, line)
    first = update.allocate()
    bodies = canvas.finish().bodies(first)
    update.put(first, bodies[0])
    for body in bodies[1:]:
        update.add(body)
    return first


def declared(data: bytes) -> set[str]:
    """The names of the number and date fields ``data`` carries."""
    return {f.name for f in form_fields(open_pdf(data)) if f.name in (NUMBER, DATE)}


def declare(data: bytes, slots: Sequence[Slot]) -> bytes:
    """``data`` with a read-only text field per slot, showing the slot's placeholder text,
    in an incremental update (earlier signatures, if any, are left intact)."""
    reader = open_pdf(data)
    names = {f.name for f in form_fields(reader)}
    update = Update(data, reader)
    new_fields: list[IndirectObject] = []
    by_page: dict[int, list[IndirectObject]] = {}
    for slot in slots:
        if slot.name in names:
            raise BadPdf(
                "numbering.field_exists",
                f"Tệp đã có trường “{slot.name}”.",
                f"The file already has a field named {slot.name!r}.",
            )
        if not 0 <= slot.page < len(reader.pages):
            raise BadPdf(
                "signature.bad_page",
                f"Tệp không có trang {slot.page + 1}.",
                f"The file has no page {slot.page + 1}.",
            )
        page = reader.pages[slot.page]
        page_ref = page.indirect_reference
        if page_ref is None:
            raise not_a_pdf("page is not an indirect object")
        ap = _draw(update, slot, slot.text)
        rect = " ".join(f"{v:.2f}" for v in slot.rect)
        style = f"/Italic {str(slot.italic).lower()}/Opaque {str(slot.opaque).lower()}"
        num = update.add(
            b"<</Type/Annot/Subtype/Widget/FT/Tx/Ff 1/F 4/T"
            + pdf_text(slot.name)
            + b"/V"
            + pdf_text(slot.text)
            + f"/DA(/Helv {slot.size:.2f} Tf 0 g)/Q 1/P {page_ref.idnum} {page_ref.generation} R"
            f"/Rect[{rect}]/AP<</N {ap} 0 R>>/ECabinet<<{style}>>>>".encode()
        )
        ref = update.ref(num)
        new_fields.append(ref)
        by_page.setdefault(slot.page, []).append(ref)
    for index, refs in by_page.items():
        _annotate(update, reader.pages[index], refs)
    _list_fields(update, new_fields)
    out, _offsets = update.build()
    return data + bytes(out)


def _annotate(update: Update, page: Any, refs: list[IndirectObject]) -> None:
    """``page`` lists the widgets ``refs`` in its /Annots."""
    page_ref = page.indirect_reference
    raw = page.raw_get("/Annots") if "/Annots" in page else None
    annots = ArrayObject([*cast(Any, raw.get_object() if raw is not None else []), *refs])
    if isinstance(raw, IndirectObject):
        update.replace(raw, annots)
        return
    new_page = DictionaryObject(page)
    new_page[NameObject("/Annots")] = annots
    update.replace(page_ref, new_page)


def _list_fields(update: Update, refs: list[IndirectObject]) -> None:
    """The AcroForm lists the new fields (a form is created when there is none)."""
    catalog = update.catalog
    form_raw = catalog.raw_get("/AcroForm") if "/AcroForm" in catalog else None
    form = (
        DictionaryObject(cast(Any, form_raw.get_object()))
        if form_raw is not None
        else DictionaryObject()
    )
    for ref in refs:
        update.append_to_array(form, "/Fields", ref)
    if "/DR" not in form:
        form[NameObject("/DR")] = _helvetica(update)
    if isinstance(form_raw, IndirectObject):
        update.replace(form_raw, form)
    else:
        new_catalog = DictionaryObject(catalog)
        new_catalog[NameObject("/AcroForm")] = form
        update.replace(update.root_ref, new_catalog)


def _helvetica(update: Update) -> DictionaryObject:
    """Default resources naming the font of the fields' /DA (viewers that redraw a field
    want it; the appearances themselves embed a Vietnamese font)."""
    font = update.add(b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>")
    fonts = DictionaryObject({NameObject("/Helv"): update.ref(font)})
    return DictionaryObject({NameObject("/Font"): fonts})


def fill(data: bytes, values: Mapping[str, str]) -> bytes:
    """``data`` with the fields named in ``values`` showing their value, in an
    incremental update that only sets each field's /V and /AP (form filling)."""
    reader = open_pdf(data)
    fields = {f.name: f for f in form_fields(reader)}
    update = Update(data, reader)
    for name, text in values.items():
        field = fields.get(name)
        if field is None or field.ref is None or field.value.get("/FT") != "/Tx":
            raise BadPdf(
                "numbering.no_field",
                f"Tệp không có trường “{name}” để ghi số và ngày.",
                f"The file has no text field {name!r} for the number and date.",
            )
        value = field.value
        style = cast(Any, value.get("/ECabinet") or {})
        box = [float(v) for v in cast(Any, value["/Rect"])]
        slot = Slot(
            name,
            0,
            (min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3])),
            _size(str(value.get("/DA", ""))),
            _flag(style, "/Italic"),
            text,
            _flag(style, "/Opaque"),
        )
        ap = _draw(update, slot, text)
        new = DictionaryObject(value)
        new[NameObject("/V")] = _text_object(text)
        new[NameObject("/AP")] = DictionaryObject({NameObject("/N"): update.ref(ap)})
        update.replace(field.ref, new)
    out, _offsets = update.build()
    return data + bytes(out)


def _flag(style: Any, key: str) -> bool:
    """A boolean of the field's /ECabinet style (pypdf's BooleanObject is always truthy)."""
    value = style.get(key)
    return bool(getattr(value, "value", value))


def _size(da: str) -> float:
    """The font size of a /DA string ("/Helv 11 Tf 0 g"), 11 when it has none."""
    parts = da.split()
    for i, part in enumerate(parts):
        if part == "Tf" and i > 0:
            try:
                return float(parts[i - 1]) or 11.0
            except ValueError:
                break
    return 11.0


def _text_object(text: str) -> TextStringObject:
    return TextStringObject(unicodedata.normalize("NFC", text))
