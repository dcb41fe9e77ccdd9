"""What a printed or exported register holds: its rows, columns and headings.

A register (sổ đăng ký văn bản) is printed with the columns of Appendix IV of Decree
30/2020/ND-CP. This module holds only plain values, so the PDF (:mod:`documents.export_pdf`)
and XLSX (:mod:`documents.export_xlsx`) writers share one column list and one way of
turning user text into cell text; neither writer knows the database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

Direction = Literal["incoming", "outgoing"]
CellValue = str | int | date | None
"""What one cell of a register row holds."""
ColumnKind = Literal["text", "date", "number", "arrival_number"]
"""``arrival_number`` is a number shown with at least two digits (``01``…``09``)."""


@dataclass(frozen=True)
class OutgoingRow:
    """One outgoing document as the outgoing register shows it (fields in column order)."""

    number_symbol: str
    """Số, ký hiệu văn bản (``12/QĐ-UBND``)."""
    document_date: date | None
    """Ngày tháng văn bản."""
    type_and_abstract: str
    """Tên loại và trích yếu nội dung văn bản."""
    signer: str
    """Người ký."""
    recipients: str
    """Nơi nhận văn bản."""
    file_copy_holder: str
    """Đơn vị, người nhận bản lưu."""
    copies: int | None
    """Số lượng bản."""
    sent_on: date | None
    """Ngày chuyển."""
    received_by: str = ""
    """Ký nhận: left blank for a handwritten signature on the paper copy."""
    note: str = ""
    """Ghi chú."""

    def values(self) -> tuple[CellValue, ...]:
        """The cells, in :data:`OUTGOING_COLUMNS` order."""
        return (
            self.number_symbol,
            self.document_date,
            self.type_and_abstract,
            self.signer,
            self.recipients,
            self.file_copy_holder,
            self.copies,
            self.sent_on,
            self.received_by,
            self.note,
        )


@dataclass(frozen=True)
class IncomingRow:
    """One incoming document as the incoming register shows it (fields in column order)."""

    arrival_date: date | None
    """Ngày đến."""
    arrival_number: int | None
    """Số đến."""
    author: str
    """Tác giả: the sending agency."""
    number_symbol: str
    """Số, ký hiệu."""
    document_date: date | None
    """Ngày tháng."""
    type_and_abstract: str
    """Tên loại và trích yếu nội dung."""
    handler: str
    """Đơn vị hoặc người nhận."""
    handed_over_on: date | None
    """Ngày chuyển."""
    received_by: str = ""
    """Ký nhận."""
    note: str = ""
    """Ghi chú."""

    def values(self) -> tuple[CellValue, ...]:
        """The cells, in :data:`INCOMING_COLUMNS` order."""
        return (
            self.arrival_date,
            self.arrival_number,
            self.author,
            self.number_symbol,
            self.document_date,
            self.type_and_abstract,
            self.handler,
            self.handed_over_on,
            self.received_by,
            self.note,
        )


@dataclass(frozen=True)
class Column:
    """A register column: its Appendix IV heading, relative width and kind of value."""

    title: str
    width: float
    """Width in characters of an XLSX column; the PDF shares the page in these ratios."""
    kind: ColumnKind


OUTGOING_COLUMNS: tuple[Column, ...] = (
    Column("Số, ký hiệu văn bản", 17, "text"),
    Column("Ngày tháng văn bản", 11, "date"),
    Column("Tên loại và trích yếu nội dung văn bản", 37, "text"),
    Column("Người ký", 16, "text"),
    Column("Nơi nhận văn bản", 22, "text"),
    Column("Đơn vị, người nhận bản lưu", 16, "text"),
    Column("Số lượng bản", 7, "number"),
    Column("Ngày chuyển", 11, "date"),
    Column("Ký nhận", 10, "text"),
    Column("Ghi chú", 12, "text"),
)
INCOMING_COLUMNS: tuple[Column, ...] = (
    Column("Ngày đến", 11, "date"),
    Column("Số đến", 7, "arrival_number"),
    Column("Tác giả", 18, "text"),
    Column("Số, ký hiệu", 17, "text"),
    Column("Ngày tháng", 11, "date"),
    Column("Tên loại và trích yếu nội dung", 39, "text"),
    Column("Đơn vị hoặc người nhận", 18, "text"),
    Column("Ngày chuyển", 11, "date"),
    Column("Ký nhận", 10, "text"),
    Column("Ghi chú", 12, "text"),
)


@dataclass(frozen=True)
class RegisterSheet:
    """A register ready to print: the agency, the register, the year and its rows."""

    agency_parent_name: str
    """Tên cơ quan, tổ chức chủ quản (may be empty for a top-level agency)."""
    agency_name: str
    """Tên cơ quan, tổ chức keeping the register."""
    register_name: str
    """The register's own name (several registers may exist per direction)."""
    year: int
    direction: Direction
    rows: Sequence[IncomingRow] | Sequence[OutgoingRow]
    """In register order; every row must match :attr:`direction`."""
    printed_at: datetime

    def __post_init__(self) -> None:
        # A mixed-up row would print under the wrong headings without any error.
        if self.direction not in ("incoming", "outgoing"):
            raise ValueError(f"direction must be incoming or outgoing, not {self.direction!r}")
        expected = IncomingRow if self.direction == "incoming" else OutgoingRow
        if any(not isinstance(row, expected) for row in self.rows):
            raise TypeError(
                f"every row of an {self.direction} register must be {expected.__name__}"
            )

    @property
    def columns(self) -> tuple[Column, ...]:
        """The Appendix IV columns of this register's direction."""
        return INCOMING_COLUMNS if self.direction == "incoming" else OUTGOING_COLUMNS

    @property
    def title(self) -> str:
        """``SỔ ĐĂNG KÝ VĂN BẢN ĐẾN`` or ``SỔ ĐĂNG KÝ VĂN BẢN ĐI``."""
        return "SỔ ĐĂNG KÝ VĂN BẢN " + ("ĐẾN" if self.direction == "incoming" else "ĐI")

    @property
    def year_line(self) -> str:
        return f"Năm {self.year}"

    @property
    def printed_line(self) -> str:
        return f"In lúc {self.printed_at:%H:%M} ngày {format_date(self.printed_at.date())}"

    def values(self) -> Iterator[tuple[CellValue, ...]]:
        """Each row's cells in column order."""
        for row in self.rows:
            yield row.values()


# Control characters other than tab, LF and CR are refused by XML 1.0 (hence by XLSX)
# and print as boxes in a PDF; user text pasted from other programs sometimes has them.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_CELL_CHARS = 32_767
"""Excel's limit on the characters of one cell."""


def clean_text(text: str) -> str:
    """User text fit for a cell: NFC (precomposed Vietnamese letters, which every font has),
    without control characters, at most :data:`MAX_CELL_CHARS` long."""
    text = _CONTROL_RE.sub("", unicodedata.normalize("NFC", text))
    return text[:MAX_CELL_CHARS]


def format_date(value: date | None) -> str:
    """``dd/mm/yyyy`` as Vietnamese administrative documents write dates; "" for none."""
    return "" if value is None else f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def cell_text(value: CellValue, kind: ColumnKind) -> str:
    """A cell as printed text: dates ``dd/mm/yyyy``, arrival numbers with two digits."""
    if value is None:
        return ""
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, int):
        return f"{value:02d}" if kind == "arrival_number" else str(value)
    return clean_text(value)
