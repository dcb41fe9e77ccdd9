"""Layout pieces shared by the minutes and the consultation tally.

Both are Decree 30 documents built with the demo's building blocks
(:mod:`documents.layout.page`: page geometry, header, centred lines, rules), in Liberation
Serif (metric-compatible with the Times New Roman the decree asks for) when installed,
DejaVu otherwise. Times are printed in Vietnam time (+07:00) whatever zone they come in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import Align
from fpdf.fonts import FontFace

from documents.layout.page import (
    BOTTOM,
    LEFT,
    RIGHT,
    TEXT_W,
    TOP,
    VN_TZ,
    Document,
    blank_date_line,
    centred_lines,
    draw_header,
    nfc,
    place_date_line,
    rule,
)
from signing import fonts

SIZE = 13.0
"""Body size in points (Decree 30: 13-14 in Times New Roman)."""
LINE = 1.25
"""Line height as a multiple of the size."""
SIGN_SPACE = 32.0
"""Millimetres left blank under each signer's heading for the signature image."""
BOX_W, BOX_H = 60.0, 30.0
"""Size of a signature box (mm), centred in the blank space."""
PT = 72 / 25.4
"""Points per millimetre."""
A4_H = 297.0

FAMILIES = (fonts.LIBERATION_SERIF, fonts.DEJAVU_SERIF, fonts.DEJAVU_SANS)

SignatureBox = tuple[int, float, float, float, float]
"""(page index from 0, x1, y1, x2, y2) in PDF points, origin bottom left, as
:attr:`signing.specs.FieldSpec` wants them."""


@dataclass(frozen=True)
class Signer:
    """One column of a signature block."""

    heading: str
    """Printed in bold capitals ("THƯ KÝ", "CHỦ TRÌ")."""
    name: str


def new_document(*, title: str, subject: str, author: str, created: dt.datetime) -> Document:
    """An empty A4 document with font "Doc" registered and the first page added; the
    creation date is ``created`` (never the clock), so the same input gives the same bytes."""
    pdf = Document(footer="")
    pdf.set_creation_date(created)
    pdf.set_title(_one_line(title))
    pdf.set_subject(_one_line(subject))
    pdf.set_author(_one_line(author))
    pdf.set_creator("eCabinet")
    pdf.set_lang("vi-VN")
    for style, path in fonts.find_family(FAMILIES).items():
        pdf.add_font("Doc", style, str(path))
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(True, margin=BOTTOM)
    pdf.add_page()
    return pdf


def official_document(
    *,
    title: str,
    subject: str,
    agency_upper: str,
    agency_name: str,
    number_symbol: str,
    place: str,
    dated: dt.datetime,
    blank: bool = False,
) -> Document:
    """:func:`new_document` with the Decree 30 header (agencies, number, place and date)
    drawn, dated ``dated`` (Vietnam time). ``blank``: a draft of the outgoing flow, whose
    number and date lines are form fields filled at issue (decision 0015; the date line
    then shows only ``dated``'s year until then): finish it with ``pdf_bytes()``."""
    pdf = new_document(title=title, subject=subject, author=agency_name, created=dated)
    pdf.slots = draw_header(
        pdf,
        agency_upper=agency_upper,
        agency_name=agency_name,
        number_symbol=number_symbol,
        place_date=(
            blank_date_line(place, dated.year) if blank else place_date_line(place, dated.date())
        ),
        blank=blank,
    )
    return pdf


def vn(moment: dt.datetime) -> dt.datetime:
    """``moment`` in Vietnam time; a naive datetime is refused rather than guessed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: give a zone (UTC from the tables)")
    return moment.astimezone(VN_TZ)


def hhmm(moment: dt.datetime) -> str:
    """ "08:30" in Vietnam time."""
    return vn(moment).strftime("%H:%M")


def day_vi(moment: dt.datetime) -> str:
    """ "28/03/2026" (the Vietnam date)."""
    return vn(moment).strftime("%d/%m/%Y")


def title_block(pdf: FPDF, type_name: str, title: str) -> None:
    """The document type in bold capitals, the title under it, a short rule."""
    pdf.set_font("Doc", "B", 14)
    centred_lines(pdf, LEFT, TEXT_W, 7.0, nfc(type_name).upper())
    pdf.set_font("Doc", "B", SIZE)
    widths = centred_lines(pdf, LEFT, TEXT_W, 6.5, nfc(title))
    rule(pdf, LEFT + TEXT_W / 2, pdf.get_y() + 1.5, max(25.0, max(widths) * 0.3))
    pdf.ln(7)


def heading(pdf: FPDF, text: str) -> None:
    """A section heading ("I. THÀNH PHẦN THAM DỰ"), kept with at least two lines after it."""
    if pdf.get_y() + 25 > pdf.page_break_trigger:
        pdf.add_page()
    paragraph(pdf, [("B", text)], top=2.5)


def paragraph(
    pdf: FPDF,
    runs: Sequence[tuple[str, str]],
    *,
    indent: float = 0.0,
    first_line: float = 0.0,
    align: str = "J",
    top: float = 0.0,
) -> None:
    """A paragraph of (style, text) runs, ``indent`` mm from the left margin; it flows
    over page breaks."""
    # A text region starts at the current x when it lies inside the column: put x on the
    # margin, or the previous region's indent would carry over.
    pdf.set_x(LEFT)
    region = pdf.text_columns(
        text_align=Align.coerce(align), line_height=LINE, l_margin=LEFT + indent
    )
    with (
        region as cols,
        cols.paragraph(first_line_indent=first_line, top_margin=top, bottom_margin=1.0) as par,
    ):
        for style, text in runs:
            pdf.set_font("Doc", style, SIZE)
            par.write(nfc(text))
    pdf.set_x(LEFT)
    pdf.set_font("Doc", "", SIZE)


def line(pdf: FPDF, label: str, value: str, *, indent: float = 0.0) -> None:
    """ "- Label: value" with the label in bold (no label: a plain dash item)."""
    runs = [("", "- ")]
    if label:
        runs.append(("B", f"{label}: "))
    runs.append(("", value))
    paragraph(pdf, runs, indent=indent)


def table(
    pdf: FPDF,
    widths: Sequence[float],
    rows: Sequence[Sequence[str]],
    *,
    indent: float = 0.0,
    size: float = 11.0,
    centred: Sequence[int] = (0,),
) -> None:
    """A bordered table: ``rows[0]`` is the heading row (bold, repeated on each page);
    columns listed in ``centred`` are centred, the others on the left."""
    pdf.set_font("Doc", "", size)
    pdf.set_left_margin(LEFT + indent)
    aligns = tuple("C" if i in centred else "L" for i in range(len(widths)))
    with pdf.table(
        col_widths=tuple(widths),
        width=sum(widths),
        align=Align.L,
        text_align=aligns,
        line_height=size * 0.5,
        padding=(0.8, 1.2),
        headings_style=FontFace(emphasis="BOLD"),
    ) as grid:
        for values in rows:
            row = grid.row()
            for value in values:
                row.cell(nfc(value))
    pdf.set_left_margin(LEFT)
    pdf.ln(2)
    pdf.set_font("Doc", "", SIZE)


def signature_block(pdf: FPDF, signers: Sequence[Signer | None]) -> list[SignatureBox | None]:
    """Signers side by side (one column each, ``None`` for an empty column), headings on
    top, names ``SIGN_SPACE`` mm lower; the whole block on one page (a new page when it
    does not fit). Returns each signer's signature box, in the order given."""
    columns = len(signers)
    width = TEXT_W / columns
    need = 7.0 * 2 + SIGN_SPACE + 12.0
    pdf.ln(6)
    if pdf.get_y() + need > pdf.page_break_trigger:
        pdf.add_page()
    top = pdf.get_y()
    page = pdf.page_no() - 1
    boxes: list[SignatureBox | None] = []
    for i, signer in enumerate(signers):
        if signer is None:
            boxes.append(None)
            continue
        x = LEFT + i * width
        pdf.set_xy(x, top)
        pdf.set_font("Doc", "B", SIZE)
        centred_lines(pdf, x, width, 7.0, nfc(signer.heading).upper())
        space = pdf.get_y()
        pdf.set_y(space + SIGN_SPACE)
        centred_lines(pdf, x, width, 7.0, nfc(signer.name))
        centre = x + width / 2
        box_top = space + (SIGN_SPACE - BOX_H) / 2
        boxes.append(
            _points(page, centre - BOX_W / 2, box_top, centre + BOX_W / 2, box_top + BOX_H)
        )
    return boxes


def _points(page: int, x1: float, top: float, x2: float, bottom: float) -> SignatureBox:
    """A box given in millimetres from the top left, in points from the bottom left."""
    return (
        page,
        round(x1 * PT, 2),
        round((A4_H - bottom) * PT, 2),
        round(x2 * PT, 2),
        round((A4_H - top) * PT, 2),
    )


def _one_line(text: str) -> str:
    return " ".join(nfc(text).split())
