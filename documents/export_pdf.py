"""A register printed as PDF, laid out like the paper register of Appendix IV.

:func:`register_pdf` promises an A4 landscape document: on the first page the agency
block top-left (parent agency, agency in bold) and the centred title, register name and
year; then a table with the Appendix IV columns whose header row is repeated on top of
every page, long texts wrapped within their column, and "Trang x/y" at the foot of each
page. Text is set in Liberation Serif (or DejaVu Serif), found through
:func:`signing.fonts.find_family`, embedded as a subset with its Unicode map so the
Vietnamese text can be searched and copied. A cell with more lines than fit on a page is
cut with "…" so that a row never spans pages; the XLSX export keeps whole texts.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from documents.export_rows import RegisterSheet, cell_text, clean_text
from signing.fonts import FONT_DIRS, SERIF_FAMILIES, find_family

FAMILY = "RegisterSerif"
_PAGES_ALIAS = "{ecabinet-pages}"  # unlikely in user text, which would otherwise be replaced
_MARGIN = 10.0
_BODY_SIZE = 10.0
_LINE_HEIGHT = 4.6
_PAD = 1.0


class _RegisterPdf(FPDF):
    """FPDF with the register's page footer."""

    def footer(self) -> None:
        self.set_y(-_MARGIN + 2)
        self.set_font(FAMILY, "", 9)
        self.cell(0, 4, f"Trang {self.page_no()}/{_PAGES_ALIAS}", align=Align.C)


def register_pdf(sheet: RegisterSheet) -> bytes:
    """The register as the bytes of a PDF file (A4 landscape).

    Raises :class:`signing.fonts.FontNotFound` when no font with Vietnamese letters is
    installed (a deployment problem: install Debian's fonts-liberation2).
    """
    pdf = _RegisterPdf(orientation="landscape", unit="mm", format="A4")
    pdf.alias_nb_pages(_PAGES_ALIAS)
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(auto=True, margin=_MARGIN + 4)
    regular, bold = _font_files()
    pdf.add_font(FAMILY, "", str(regular))
    pdf.add_font(FAMILY, "B", str(bold))
    pdf.set_title(f"{sheet.title} - {sheet.agency_name} - {sheet.year_line}")
    pdf.set_author(sheet.agency_name)
    pdf.set_creator("eCabinet")
    pdf.set_lang("vi")
    pdf.set_creation_date(sheet.printed_at)
    pdf.add_page()
    _cover(pdf, sheet)
    _table(pdf, sheet)
    return bytes(pdf.output())


@functools.lru_cache(maxsize=1)
def _font_files() -> tuple[Path, Path]:
    # Looked up once per process: the lookup checks every file for Vietnamese glyphs.
    files = find_family(SERIF_FAMILIES, FONT_DIRS, ("", "B"))
    return files[""], files["B"]


def _cover(pdf: FPDF, sheet: RegisterSheet) -> None:
    """The block the paper register has on its cover, above the table."""
    agency_width = 110.0
    pdf.set_font(FAMILY, "", 12)
    if sheet.agency_parent_name:
        pdf.multi_cell(
            agency_width, 5.5, clean_text(sheet.agency_parent_name).upper(), align=Align.C,
            new_x=XPos.LMARGIN, new_y=YPos.NEXT,
        )  # fmt: skip
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(
        agency_width, 5.5, clean_text(sheet.agency_name).upper(), align=Align.C,
        new_x=XPos.LMARGIN, new_y=YPos.NEXT,
    )  # fmt: skip
    # The short rule under the agency name, as on every administrative document.
    centre = pdf.l_margin + agency_width / 2
    pdf.line(centre - 15, pdf.get_y() + 0.8, centre + 15, pdf.get_y() + 0.8)
    pdf.ln(5)
    pdf.set_font(FAMILY, "B", 16)
    pdf.multi_cell(0, 8, sheet.title, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if sheet.register_name:
        pdf.set_font(FAMILY, "B", 13)
        pdf.multi_cell(
            0,
            6,
            clean_text(sheet.register_name),
            align=Align.C,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    pdf.set_font(FAMILY, "", 13)
    pdf.cell(0, 6, sheet.year_line, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 9)
    pdf.cell(0, 5, sheet.printed_line, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _table(pdf: FPDF, sheet: RegisterSheet) -> None:
    """Draw the table row by row, starting a page (with the heading) when a row won't fit.

    fpdf2's own table wraps text about a thousand times slower than needed (it measures
    the line so far after each character), which made a 2,000-row register take tens of
    seconds; here each distinct word is measured once and rows are drawn with plain
    rectangles and text runs.
    """
    columns = sheet.columns
    total = sum(c.width for c in columns)
    widths = [pdf.epw * c.width / total for c in columns]
    inner = [w - 2 * _PAD for w in widths]
    bottom = pdf.h - pdf.b_margin
    centred = [Align.C] * len(columns)
    aligns = [Align.L if c.kind == "text" else Align.C for c in columns]

    pdf.set_font(FAMILY, "B", _BODY_SIZE)
    bold = _Measure(pdf)
    heading = [bold.wrap(c.title, w) for c, w in zip(columns, inner, strict=True)]
    heading_height = max(len(lines) for lines in heading) * _LINE_HEIGHT + 2 * _PAD
    # A row never taller than an empty page under the heading: longer cells are cut.
    max_lines = int((bottom - pdf.t_margin - heading_height - 2 * _PAD) / _LINE_HEIGHT)

    _draw_row(pdf, heading, widths, centred, "B", heading_height, middle=True)
    pdf.set_font(FAMILY, "", _BODY_SIZE)
    regular = _Measure(pdf)
    for values in sheet.values():
        cells = [
            regular.cut(regular.wrap(cell_text(value, column.kind), width), width, max_lines)
            for value, column, width in zip(values, columns, inner, strict=True)
        ]
        # Two lines at least: the "Ký nhận" column is signed by hand on the paper copy.
        height = max(2, *(len(lines) for lines in cells)) * _LINE_HEIGHT + 2 * _PAD
        if pdf.get_y() + height > bottom:
            pdf.add_page()
            _draw_row(pdf, heading, widths, centred, "B", heading_height, middle=True)
        _draw_row(pdf, cells, widths, aligns, "", height, middle=False)


_BREAK_AFTER_RE = re.compile(r"[^/-]+[/-]*|[/-]+")
Line = tuple[str, float]
"""A wrapped line of text and its width in mm."""


class _Measure:
    """Word widths in the current font of ``pdf``, each distinct word measured once."""

    def __init__(self, pdf: FPDF) -> None:
        self._pdf = pdf
        self._widths: dict[str, float] = {}
        self.space = self.width(" ")

    def width(self, text: str) -> float:
        width = self._widths.get(text)
        if width is None:
            width = self._widths[text] = float(self._pdf.get_string_width(text))
        return width

    def wrap(self, text: str, available: float) -> list[Line]:
        """Greedy word wrap; a word wider than the column is broken (see :meth:`_pieces`)."""
        lines: list[Line] = []
        for paragraph in text.split("\n"):
            line, line_width = "", 0.0
            for word in paragraph.split():
                for index, piece in enumerate(self._pieces(word, available)):
                    width = self.width(piece)
                    # The rest of a broken word starts a line: no space goes inside a word.
                    if index == 0 and line and line_width + self.space + width <= available:
                        line, line_width = f"{line} {piece}", line_width + self.space + width
                    else:
                        if line:
                            lines.append((line, line_width))
                        line, line_width = piece, width
            if line:
                lines.append((line, line_width))
        return lines

    def _pieces(self, word: str, available: float) -> list[str]:
        """``word`` in pieces that fit: after a "/" or "-" where it can (a number and
        symbol such as ``999/UBND-KTTH`` stays readable), between letters otherwise."""
        if self.width(word) <= available:
            return [word]
        pieces = self._join(_BREAK_AFTER_RE.findall(word), available)
        return [p for piece in pieces for p in self._join(list(piece), available)]

    def _join(self, parts: list[str], available: float) -> list[str]:
        if self.width("".join(parts)) <= available:
            return ["".join(parts)]
        pieces, piece = [], ""
        for part in parts:
            if piece and self.width(piece + part) > available:
                pieces.append(piece)
                piece = ""
            piece += part
        return [*pieces, piece]

    def cut(self, lines: list[Line], available: float, max_lines: int) -> list[Line]:
        """At most ``max_lines`` lines, the last ending in "…" when text was dropped."""
        if len(lines) <= max_lines:
            return lines
        text = lines[max_lines - 1][0]
        while text and self.width(text + "…") > available:
            text = text[:-1]
        return [*lines[: max_lines - 1], (text + "…", self.width(text + "…"))]


def _draw_row(
    pdf: FPDF,
    cells: list[list[Line]],
    widths: list[float],
    aligns: list[Align],
    style: str,
    height: float,
    *,
    middle: bool,
) -> None:
    pdf.set_font(FAMILY, style, _BODY_SIZE)
    top, x = pdf.get_y(), pdf.l_margin
    # fpdf's cell() puts the baseline here; text() takes the baseline directly.
    baseline = 0.5 * _LINE_HEIGHT + 0.3 * pdf.font_size
    for lines, width, align in zip(cells, widths, aligns, strict=True):
        pdf.rect(x, top, width, height)
        y = top + _PAD
        if middle:
            y += (height - 2 * _PAD - len(lines) * _LINE_HEIGHT) / 2
        for text, text_width in lines:
            offset = (width - text_width) / 2 if align == Align.C else _PAD
            pdf.text(x + offset, y + baseline, text)
            y += _LINE_HEIGHT
        x += width
    pdf.set_xy(pdf.l_margin, top + height)
