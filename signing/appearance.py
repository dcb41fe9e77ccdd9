"""Decree 30 signature appearances (Article 5 and Appendix I of Decree 30/2020/ND-CP).

Four builders, each returning an :class:`Appearance`: a :data:`~signing.specs.
AppearanceBuilder` that also knows its box on the page, so a caller writes
``FieldSpec(name=…, rect=app.rect, appearance=app)``:

- :func:`signature_image_appearance`: the competent person's handwritten signature (blue
  PNG, transparent background) alone, in the blank the page leaves between the printed
  title and name (what the app uses: the page prints both already);
- :func:`signer_appearance`: the same image with the title and name drawn around it, for a
  page that prints neither (the command line);
- :func:`seal_appearance`: the agency's seal (red PNG) at its real size over the left
  third of that signature image, with the agency name and signing time in small text;
- :func:`attachment_appearance`: an attachment in its own file, top right of page 1, no
  image: number and symbol, signing time (ISO 8601, +07:00), Times-like 10 pt, black;
- :func:`copy_appearance`: an electronic copy ("SAO Y", "SAO LỤC", "TRÍCH SAO"), the
  copying agency and the signing time, same place and style.

Why draw the form ourselves rather than render a page with fpdf2 and move its content
into the appearance: an appearance needs a handful of operators (text runs, two images),
and owning them gives exactly the objects the builder contract asks for, numbered from
``n``, with no PDF to parse and renumber. It is also fast: fonts are parsed once and
subset in well under a millisecond (:mod:`signing.ttf_subset`), images are decoded once
(:mod:`signing.pngimage`), so building a visible appearance costs a few milliseconds.
Text is not kerned; Vietnamese needs no shaping once in NFC (precomposed letters).
All texts are checked against the font first: a missing glyph is an error, never a box.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from signing.fonts import Font, serif
from signing.pdfdraw import (
    BLACK,
    AppearanceError,
    Canvas,
    ImageError,
    Objects,
    Rect,
    check_glyphs,
)
from signing.pdfio import VN
from signing.placement import (
    MM,
    SEAL_IMAGE,
    PageBox,
    page_box,
    seal_box,
    seal_size,
    top_right_rect,
)
from signing.pngimage import load_png, pdf_image

__all__ = [
    "MM",
    "Appearance",
    "AppearanceError",
    "CopyForm",
    "ImageError",
    "PageBox",
    "attachment_appearance",
    "copy_appearance",
    "page_box",
    "seal_appearance",
    "seal_box",
    "seal_size",
    "signature_image_appearance",
    "signer_appearance",
    "signing_time",
    "top_right_rect",
]

SIGNATURE_IMAGE = ("Ảnh chữ ký", "signature image")
PAD = 2.0
"""Points between a box's edge and what is drawn in it."""
LEADING = 1.2
"""Line height as a multiple of the font size."""


@dataclass(frozen=True, eq=False)
class Appearance:
    """A built appearance: call it with the first object number for the bodies."""

    rect: Rect
    """The widget's box on the page, for :attr:`~signing.specs.FieldSpec.rect`."""
    image_box: Rect | None
    """Where the image is drawn on the page (None without an image)."""
    objects: Objects

    def __call__(self, first: int) -> list[bytes]:
        return self.objects.bodies(first)


class CopyForm(StrEnum):
    """Forms of an electronic copy (Decree 30, Article 25)."""

    SAO_Y = "SAO Y"
    SAO_LUC = "SAO LỤC"
    TRICH_SAO = "TRÍCH SAO"


def signing_time(moment: datetime) -> str:
    """ISO 8601 in Vietnam time, to the second: ``2026-03-05T14:02:11+07:00``.

    A naive ``moment`` is taken as Vietnam time (as :func:`signing.pdfio.pdf_date` does).
    """
    aware = moment if moment.tzinfo else moment.replace(tzinfo=VN)
    return aware.astimezone(VN).replace(microsecond=0).isoformat()


def signer_appearance(
    image: bytes, *, title: str, name: str, rect: Rect, size: float = 11.0
) -> Appearance:
    """The signer's signature in ``rect``: ``title`` (one or more lines, bold) at the
    top, ``name`` (bold) at the bottom, the signature image centred between them as
    large as fits. Text too wide for the box is set smaller (down to 5 pt)."""
    titles = _lines(title, ("Chức vụ người ký", "signer's title"))
    full_name = " ".join(_lines(name, ("Họ tên người ký", "signer's name")))
    png = load_png(image, SIGNATURE_IMAGE)
    bold = serif("B")
    check_glyphs(bold, [*titles, full_name])
    x1, y1, x2, y2 = rect
    width, height = x2 - x1, y2 - y1
    if width < 12 + 2 * PAD or height < 12 + 2 * PAD:
        raise _too_small(rect)
    size = _fitting_size(bold, size, [*titles, full_name], width - 2 * PAD)
    lead = size * LEADING
    canvas = Canvas(width, height)
    top = height - PAD - size * bold.ascent / bold.units_per_em
    for i, line in enumerate(titles):
        canvas.text(bold, size, (width - bold.width(line, size)) / 2, top - i * lead, line)
    bottom = PAD - size * bold.descent / bold.units_per_em
    canvas.text(bold, size, (width - bold.width(full_name, size)) / 2, bottom, full_name)
    low, high = PAD + lead + PAD, height - PAD - len(titles) * lead - PAD
    if high - low < 12:
        raise _too_small(rect)
    scale = min((width - 2 * PAD) / png.width, (high - low) / png.height)
    w, h = png.width * scale, png.height * scale
    box = ((width - w) / 2, low + (high - low - h) / 2)
    canvas.image(pdf_image(png, w, h), (box[0], box[1], box[0] + w, box[1] + h))
    on_page = (x1 + box[0], y1 + box[1], x1 + box[0] + w, y1 + box[1] + h)
    return Appearance(rect, on_page, canvas.finish())


def signature_image_appearance(image: bytes, *, rect: Rect) -> Appearance:
    """The signer's signature image alone, centred in ``rect`` and as large as fits: the
    box the page leaves between the printed title and name (Decree 30, Appendix I), so
    neither is printed again."""
    png = load_png(image, SIGNATURE_IMAGE)
    x1, y1, x2, y2 = rect
    width, height = x2 - x1, y2 - y1
    if width < 12 + 2 * PAD or height < 12 + 2 * PAD:
        raise _too_small(rect)
    scale = min((width - 2 * PAD) / png.width, (height - 2 * PAD) / png.height)
    w, h = png.width * scale, png.height * scale
    box = ((width - w) / 2, (height - h) / 2)
    canvas = Canvas(width, height)
    canvas.image(pdf_image(png, w, h), (box[0], box[1], box[0] + w, box[1] + h))
    on_page = (x1 + box[0], y1 + box[1], x1 + box[0] + w, y1 + box[1] + h)
    return Appearance(rect, on_page, canvas.finish())


def seal_appearance(
    image: bytes,
    *,
    agency: str,
    signed_at: datetime,
    signer_image: Rect,
    size_mm: float | None = None,
    text_size: float = 6.5,
) -> Appearance:
    """The agency's seal at its real size (``size_mm`` across, or from the PNG's DPI)
    over the left third of ``signer_image`` (:attr:`Appearance.image_box` of the
    signer's appearance), with ``agency`` and the signing time in small text under it.
    ``signed_at`` should be the :attr:`~signing.specs.FieldSpec.signed_at` of the field."""
    agency_name = " ".join(_lines(agency, ("Tên cơ quan", "agency name")))
    png = load_png(image, SEAL_IMAGE)
    seal = seal_box(signer_image, seal_size(image, size_mm))
    regular = serif()
    check_glyphs(regular, [agency_name])
    seal_w = seal[2] - seal[0]
    lines = [*_wrap(regular, text_size, agency_name, max(seal_w, 40 * MM)), signing_time(signed_at)]
    lead = text_size * LEADING
    text_w = max(regular.width(line, text_size) for line in lines)
    centre = (seal[0] + seal[2]) / 2
    rect = (
        min(seal[0], centre - text_w / 2 - PAD),
        seal[1] - len(lines) * lead - PAD,
        max(seal[2], centre + text_w / 2 + PAD),
        seal[3],
    )
    canvas = Canvas(rect[2] - rect[0], rect[3] - rect[1])
    canvas.image(
        pdf_image(png, seal_w, seal[3] - seal[1]),
        (seal[0] - rect[0], seal[1] - rect[1], seal[2] - rect[0], seal[3] - rect[1]),
    )
    for i, line in enumerate(lines):
        x = centre - rect[0] - regular.width(line, text_size) / 2
        y = seal[1] - rect[1] - (i + 1) * lead + (lead - text_size) / 2 + 0.25 * text_size
        canvas.text(regular, text_size, x, y, line)
    return Appearance(rect, seal, canvas.finish())


def attachment_appearance(
    *, number_symbol: str, signed_at: datetime, page: PageBox, size: float = 10.0
) -> Appearance:
    """The agency's signature on an attachment in its own file: top right of ``page``
    (see :func:`page_box`), no image, the number and symbol (as given, e.g.
    ``12/QĐ-UBND``) and the signing time (``signed_at``, as in the field's /M)."""
    number = " ".join(_lines(number_symbol, ("Số và ký hiệu văn bản", "number and symbol")))
    return _text_stamp([number, signing_time(signed_at)], page, size)


def copy_appearance(
    *, form: CopyForm | str, agency: str, signed_at: datetime, page: PageBox, size: float = 10.0
) -> Appearance:
    """The copying agency's signature on an electronic copy: top right of ``page``, no
    image, the copy form, the agency name and the signing time."""
    try:
        copy_form = CopyForm(unicodedata.normalize("NFC", str(form)).strip().upper())
    except ValueError:
        raise AppearanceError(
            "appearance.copy_form",
            f"Hình thức sao “{form}” không hợp lệ: chỉ có SAO Y, SAO LỤC, TRÍCH SAO.",
            f"Unknown copy form {str(form)!r}: it must be SAO Y, SAO LỤC or TRÍCH SAO.",
        ) from None
    agency_name = " ".join(_lines(agency, ("Tên cơ quan sao", "copying agency name")))
    check_glyphs(serif(), [agency_name])
    lines = [copy_form.value, *_wrap(serif(), size, agency_name, 75 * MM)]
    return _text_stamp([*lines, signing_time(signed_at)], page, size)


def _text_stamp(lines: list[str], page: PageBox, size: float) -> Appearance:
    """Lines of upright black text in a box at the top right of the page."""
    font = serif()
    check_glyphs(font, lines)
    lead = size * LEADING
    width = max(font.width(line, size) for line in lines) + 2 * PAD
    height = len(lines) * lead + 2 * PAD
    canvas = Canvas(width, height, page.matrix)
    for i, line in enumerate(lines):
        y = height - PAD - (i + 1) * lead + (lead - size) / 2 + 0.25 * size
        canvas.text(font, size, PAD, y, line, BLACK)
    return Appearance(top_right_rect(page, width, height), None, canvas.finish())


def _lines(text: str, what: tuple[str, str]) -> list[str]:
    """``text`` in NFC, one entry per non-empty line, spaces collapsed; never empty."""
    lines = [" ".join(line.split()) for line in unicodedata.normalize("NFC", text).splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise AppearanceError(
            "appearance.empty_text",
            f"{what[0]} không được để trống.",
            f"The {what[1]} must not be empty.",
        )
    return lines


def _wrap(font: Font, size: float, text: str, width: float) -> list[str]:
    """Greedy word wrap to ``width`` points (a word longer than that stays whole)."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _fitting_size(font: Font, size: float, lines: list[str], width: float) -> float:
    """``size``, or smaller so that every line fits in ``width``; at least 5 pt."""
    for line in lines:
        wide = font.width(line, 1.0)
        if wide * size > width:
            size = width / wide
    if size < 5:
        raise AppearanceError(
            "appearance.box_too_small",
            "Ô chữ ký quá hẹp cho chức vụ và họ tên người ký.",
            "The signature box is too narrow for the signer's title and name.",
        )
    return size


def _too_small(rect: Rect) -> AppearanceError:
    size = f"{(rect[2] - rect[0]) / MM:.0f} × {(rect[3] - rect[1]) / MM:.0f} mm"
    return AppearanceError(
        "appearance.box_too_small",
        f"Ô chữ ký ({size}) quá nhỏ để đặt ảnh chữ ký giữa chức vụ và họ tên.",
        f"The signature box ({size}) is too small for the image between title and name.",
    )
