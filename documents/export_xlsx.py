"""A register as an Excel workbook (XLSX), laid out like the paper register.

:func:`register_xlsx` promises: the agency names and the title block on top, then one
header row with exactly the Appendix IV column names (bold, wrapped, bordered, frozen and
repeated on every printed page), then one row per document in register order. Dates are
real date cells shown ``dd/mm/yyyy``; arrival numbers are numbers shown ``01``…``09``.
Text typed by users is always a string cell: a text such as ``=HYPERLINK(…)`` is never
written as a formula, and one starting with a formula character is quote-prefixed so
Excel keeps it as text even when the cell is edited. The workbook is streamed
(openpyxl's write-only mode), so a register of tens of thousands of rows stays cheap.
"""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from documents.export_rows import CellValue, Column, RegisterSheet, clean_text

HEADER_ROW = 7
"""The row of column headings; the title block fills the rows above it."""
DATE_FORMAT = "dd/mm/yyyy"
ARRIVAL_NUMBER_FORMAT = "00"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make Excel, LibreOffice or a CSV import read a text as a formula."""

_FONT = "Times New Roman"  # Decree 30 asks for it; Excel substitutes where it is missing
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE_TOP = Alignment(horizontal="center", vertical="top")
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_HEADING, _TEXT, _DATE = "Sổ - tiêu đề cột", "Sổ - chữ", "Sổ - ngày"
_NUMBER, _ARRIVAL_NUMBER = "Sổ - số", "Sổ - số đến"


def register_xlsx(sheet: RegisterSheet) -> bytes:
    """The register as the bytes of an ``.xlsx`` file with one worksheet."""
    book = Workbook(write_only=True)
    book.properties.creator = "eCabinet"
    book.properties.title = f"{sheet.title} {sheet.year}"
    book.properties.created = sheet.printed_at.replace(tzinfo=None)
    ws = book.create_sheet(title=("Sổ VB đến" if sheet.direction == "incoming" else "Sổ VB đi"))
    columns = sheet.columns
    last = get_column_letter(len(columns))

    # Write-only sheets write their views, columns and print setup before the first row,
    # so everything about the layout is set here, up front.
    for index, column in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.row_dimensions[HEADER_ROW].height = 45

    # Title block: agency names top-left (as on the paper cover), title centred.
    half = get_column_letter(max(1, len(columns) // 2 - 1))
    title_rows: list[tuple[str, Font, str]] = [
        (sheet.agency_parent_name.upper(), Font(name=_FONT, size=12), half),
        (sheet.agency_name.upper(), Font(name=_FONT, size=12, bold=True), half),
        (sheet.title, Font(name=_FONT, size=16, bold=True), last),
        (sheet.register_name, Font(name=_FONT, size=13, bold=True), last),
        (sheet.year_line, Font(name=_FONT, size=13), last),
        (sheet.printed_line, Font(name=_FONT, size=11, italic=True), last),
    ]
    for row_index, (text, font, end) in enumerate(title_rows, 1):
        ws.merged_cells.add(f"A{row_index}:{end}{row_index}")
        ws.append([_styled(_text_cell(ws, text), font, _CENTRE)])

    _add_styles(book)
    ws.append([_with_style(_text_cell(ws, c.title), _HEADING) for c in columns])
    for values in sheet.values():
        cells = zip(values, columns, strict=True)
        ws.append([_body_cell(ws, value, column) for value, column in cells])

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _add_styles(book: Workbook) -> None:
    # Named styles are registered once; giving 100,000 cells their own Font, Alignment and
    # Border objects costs seconds of hashing in openpyxl. They also show in Excel's list.
    text = Font(name=_FONT, size=11)
    styles = {
        _HEADING: (Font(name=_FONT, size=11, bold=True), _CENTRE, "General"),
        _TEXT: (text, Alignment(wrap_text=True, vertical="top"), "General"),
        _DATE: (text, _CENTRE_TOP, DATE_FORMAT),
        _NUMBER: (text, _CENTRE_TOP, "General"),
        _ARRIVAL_NUMBER: (text, _CENTRE_TOP, ARRIVAL_NUMBER_FORMAT),
    }
    for name, (font, alignment, number_format) in styles.items():
        style = NamedStyle(name=name, font=font, alignment=alignment, border=_BORDER)
        style.number_format = number_format
        book.add_named_style(style)


def _body_cell(ws: object, value: CellValue, column: Column) -> WriteOnlyCell:
    if isinstance(value, str):
        return _with_style(_text_cell(ws, value), _TEXT)
    # Empty cells get a style too, so the printed grid has no gaps.
    cell = WriteOnlyCell(ws, value=value)
    if value is None:
        return _with_style(cell, _TEXT)
    if isinstance(value, date):
        return _with_style(cell, _DATE)
    return _with_style(cell, _ARRIVAL_NUMBER if column.kind == "arrival_number" else _NUMBER)


def _text_cell(ws: object, text: str) -> WriteOnlyCell:
    """A cell that holds ``text`` as a string, whatever its first character."""
    text = clean_text(text)
    cell = WriteOnlyCell(ws, value=text)
    # openpyxl turns "=…" into a formula and "#N/A" into an error value; user text is
    # neither. quotePrefix also stops Excel from re-reading it as a formula on edit.
    cell.data_type = "s"
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True
    return cell


def _with_style(cell: WriteOnlyCell, name: str) -> WriteOnlyCell:
    quote_prefix = cell.quotePrefix
    cell.style = name  # replaces the whole style, quotePrefix included
    cell.quotePrefix = quote_prefix
    return cell


def _styled(cell: WriteOnlyCell, font: Font, alignment: Alignment) -> WriteOnlyCell:
    cell.font = font
    cell.alignment = alignment
    return cell
