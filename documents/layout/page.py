"""The Decree 30 page (Nghị định 30/2020/NĐ-CP, Appendix I): geometry, fonts and the pieces
every official document the system lays out is made of.

Agency block top left (parent agency, issuing agency in bold, a short rule, number and
symbol), national motto top right (with a rule under "Độc lập - Tự do - Hạnh phúc") and the
italic place and date line; centred lines, rules and paragraphs. Used by the official
documents of :mod:`.official`, the minutes, conclusion notices and consultation tallies
(:mod:`ecabinet.meetings.pdf_layout`) and the demo's sample documents.

Decree 30 asks for Times New Roman; the nearest font every Debian machine has is DejaVu
Serif (DejaVu Sans otherwise) from ``fonts-dejavu-core``, embedded as a subset with a
ToUnicode map, so the text can be extracted and searched. DejaVu is wider than Times, so
the point sizes are a little smaller than the decree's. Italics come from
``fonts-dejavu-extra`` when it is installed and are upright otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from signing import fonts, numbering
from signing.numbering import DATE, NUMBER, Slot
from signing.placement import MM

FONT_DIRS: tuple[Path, ...] = fonts.FONT_DIRS
"""Folders searched for the fonts, in order (shared with signature appearances)."""
FONT_FAMILIES: tuple[fonts.FontFamily, ...] = (fonts.DEJAVU_SERIF, fonts.DEJAVU_SANS)
"""Font families in order of preference."""
VN_TZ = dt.timezone(dt.timedelta(hours=7))
FIXED_DATE = dt.datetime(2026, 1, 1, 8, 0, tzinfo=VN_TZ)
"""Creation date when the date line holds no date."""
# Page geometry (mm), after Decree 30 Appendix I: margins top 20-25, bottom 20-25,
# left 30-35, right 15-20.
LEFT, RIGHT, TOP, BOTTOM = 30.0, 15.0, 20.0, 20.0
TEXT_W = 210.0 - LEFT - RIGHT
HEAD_LEFT_W = 68.0  # agency block
HEAD_RIGHT_W = TEXT_W - HEAD_LEFT_W  # national motto block
SIGN_X = LEFT + 72.0  # signature block, right of "Nơi nhận"
SIGN_W = LEFT + TEXT_W - SIGN_X
SIGN_SPACE = 28.0  # room for the signature image (and the seal over its left third)
BODY_SIZE, BODY_LINE = 12.0, 1.3  # points, line height as a multiple of the size
PAGE_H = 297.0
LINE_H = 6.0  # a number or date line left to a form field
STAMP_SIZE = 13.0  # points: Decree 30 sets the number and the date line in 13-14 pt
_DATE_RE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")


def find_font_files(folders: Sequence[Path] = FONT_DIRS) -> dict[str, Path]:
    """The files of the first DejaVu family found, by fpdf style ("", "B", "I", "BI").

    Regular and bold are required; a missing italic falls back to the upright style.
    Raises :class:`RuntimeError` naming the Debian package when no family is complete.
    """
    return fonts.find_family(FONT_FAMILIES, folders)


def find_vietnamese_font(folders: Sequence[Path] = FONT_DIRS) -> Path:
    """The regular-weight font file used for documents (DejaVu Serif, else DejaVu Sans)."""
    return find_font_files(folders)[""]


def draw_header(
    pdf: FPDF,
    *,
    agency_upper: str,
    agency_name: str,
    number_symbol: str,
    place_date: str,
    abstract: str = "",
    blank: bool = False,
) -> list[Slot]:
    """The Decree 30 header on the current page of ``pdf`` (font "Doc" registered).

    Agency block on the left (parent agency, issuing agency in bold, a short rule, the
    number and symbol, then ``abstract`` for a công văn); national motto and the italic
    place and date line on the right. Leaves y 8 mm under the lower of the two blocks.
    ``blank``: a draft, whose number and date lines are left to the form fields of
    :mod:`signing.numbering` (filled at issue); returns their slots, showing
    ``number_symbol`` and ``place_date`` until then (no slots when not ``blank``).
    """
    slots: list[Slot] = []
    # Top left: parent agency, issuing agency (bold), short rule, number and symbol.
    top = pdf.get_y()
    pdf.set_font("Doc", "", 11)
    widths = []
    if agency_upper.strip():
        widths += centred_lines(pdf, LEFT, HEAD_LEFT_W, 5.0, nfc(agency_upper).upper())
    pdf.set_font("Doc", "B", 11)
    widths += centred_lines(pdf, LEFT, HEAD_LEFT_W, 5.0, nfc(agency_name).upper())
    rule_w = max(20.0, min(max(widths) * 0.45, HEAD_LEFT_W * 0.5))
    rule(pdf, LEFT + HEAD_LEFT_W / 2, pdf.get_y() + 1.2, rule_w)
    pdf.set_y(pdf.get_y() + 3.5)
    pdf.set_font("Doc", "", 11)
    if blank:
        slots.append(_slot(pdf, NUMBER, LEFT, HEAD_LEFT_W, f"Số: {nfc(number_symbol)}", False))
    else:
        centred_lines(pdf, LEFT, HEAD_LEFT_W, 5.5, f"Số: {nfc(number_symbol)}")
    if abstract:
        pdf.set_font("Doc", "", 10.5)
        centred_lines(pdf, LEFT, HEAD_LEFT_W, 5.0, nfc(abstract))
    left_bottom = pdf.get_y()

    # Top right: national motto, rule under the slogan, place and date in italic.
    right = LEFT + HEAD_LEFT_W
    pdf.set_xy(right, top)
    pdf.set_font("Doc", "B", 10.5)
    centred_lines(pdf, right, HEAD_RIGHT_W, 5.0, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    pdf.set_font("Doc", "B", 11.5)
    (slogan,) = centred_lines(pdf, right, HEAD_RIGHT_W, 5.5, "Độc lập - Tự do - Hạnh phúc")
    rule(pdf, right + HEAD_RIGHT_W / 2, pdf.get_y() + 1.0, slogan)
    pdf.set_y(pdf.get_y() + 4.5)
    pdf.set_font("Doc", "I", 11.5)
    if blank:
        slots.append(_slot(pdf, DATE, right, HEAD_RIGHT_W, nfc(place_date), True))
    else:
        centred_lines(pdf, right, HEAD_RIGHT_W, 5.5, nfc(place_date))
    pdf.set_y(max(left_bottom, pdf.get_y()) + 8)
    return slots


def _slot(pdf: FPDF, name: str, x: float, w: float, text: str, italic: bool) -> Slot:
    """A line of the header left to a form field; y moves on past it."""
    top = pdf.get_y()
    pdf.set_y(top + LINE_H)
    page = pdf.page_no() - 1
    rect = (x * MM, (PAGE_H - top - LINE_H) * MM, (x + w) * MM, (PAGE_H - top) * MM)
    return Slot(name, page, rect, STAMP_SIZE, italic, text)


class Document(FPDF):
    """A4 in millimetres; page numbers from page 2 (top centre), an optional footer."""

    def __init__(self, footer: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer
        self.slots: list[Slot] = []
        """The number and date lines left to form fields (a draft, :func:`draw_header`)."""

    def pdf_bytes(self) -> bytes:
        """The PDF, with the number and date fields of :attr:`slots` declared."""
        data = bytes(self.output())
        return numbering.declare(data, self.slots) if self.slots else data

    def header(self) -> None:
        if self.page_no() > 1:
            self.set_font("Doc", "", 11)
            self.set_xy(LEFT, 10)
            self.cell(TEXT_W, 5, str(self.page_no()), align="C")
            self.set_xy(LEFT, TOP)

    def footer(self) -> None:
        if self.footer_text:
            self.set_y(-12)
            self.set_font("Doc", "I", 7.5)
            self.set_text_color(110)
            self.cell(0, 4, self.footer_text, align="C")
            self.set_text_color(0)


def nfc(text: str) -> str:
    """Precomposed Vietnamese letters: DejaVu has a glyph for each, and search needs one form."""
    return unicodedata.normalize("NFC", text)


def one_line(text: str) -> str:
    return " ".join(nfc(text).split())


def blank_date_line(place: str, year: int) -> str:
    """ "An Giang, ngày      tháng      năm 2026": a draft's date line, filled at issue."""
    return f"{nfc(place)}, ngày      tháng      năm {year}"


def place_date_line(place: str, day: dt.date) -> str:
    """ "An Giang, ngày 05 tháng 3 năm 2026": Decree 30 writes the day and the months 1
    and 2 with a leading zero (so "tháng 01" cannot be misread), months 3 to 12 without."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{nfc(place)}, ngày {day.day:02d} tháng {month} năm {day.year}"


def date_from(place_date: str) -> dt.datetime:
    """08:00 Vietnam time on the date in "An Giang, ngày 05 tháng 3 năm 2026"."""
    match = _DATE_RE.search(nfc(place_date))
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return dt.datetime(year, month, day, 8, 0, tzinfo=VN_TZ)
        except ValueError:
            pass
    return FIXED_DATE


def cell(pdf: FPDF, w: float, h: float, text: str, align: str) -> None:
    """A paragraph of width ``w`` from the current x; then the left margin, next line."""
    pdf.multi_cell(w, h, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def centred_lines(pdf: FPDF, x: float, w: float, h: float, text: str) -> list[float]:
    """Centre ``text`` in the column [x, x + w]; too long, it is split on two balanced lines.

    Returns the width of each printed line.
    """
    lines: list[str] = []
    for part in text.splitlines() or [""]:
        lines += _balanced(pdf, part.strip(), w)
    for line in lines:
        pdf.set_x(x)
        pdf.cell(w, h, line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return [pdf.get_string_width(line) for line in lines]


def _balanced(pdf: FPDF, text: str, w: float) -> list[str]:
    if pdf.get_string_width(text) <= w:
        return [text]
    words = text.split()
    best: list[str] | None = None
    for i in range(1, len(words)):
        first, second = " ".join(words[:i]), " ".join(words[i:])
        widest = max(pdf.get_string_width(first), pdf.get_string_width(second))
        if widest <= w and (best is None or widest < max(map(pdf.get_string_width, best))):
            best = [first, second]
    if best is not None:
        return best
    lines = pdf.multi_cell(w, 5, text, dry_run=True, output="LINES")
    assert isinstance(lines, list)
    return [str(line) for line in lines]


def rule(pdf: FPDF, centre: float, y: float, width: float) -> None:
    """A horizontal rule ``width`` long centred on ``centre`` at height ``y``."""
    pdf.set_line_width(0.3)
    pdf.line(centre - width / 2, y, centre + width / 2, y)
