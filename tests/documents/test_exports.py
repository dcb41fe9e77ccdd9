"""Register exports read back with openpyxl and pypdf, as a user's program would."""

from __future__ import annotations

import io
import time
from datetime import date, datetime

import openpyxl
import pytest
from pypdf import PdfReader

from documents.export_pdf import register_pdf
from documents.export_rows import (
    INCOMING_COLUMNS,
    OUTGOING_COLUMNS,
    IncomingRow,
    OutgoingRow,
    RegisterSheet,
    cell_text,
)
from documents.export_xlsx import HEADER_ROW, register_xlsx

PRINTED = datetime(2026, 3, 5, 10, 30)
APPENDIX_IV_OUTGOING = [
    "Số, ký hiệu văn bản",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung văn bản",
    "Người ký",
    "Nơi nhận văn bản",
    "Đơn vị, người nhận bản lưu",
    "Số lượng bản",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
]
APPENDIX_IV_INCOMING = [
    "Ngày đến",
    "Số đến",
    "Tác giả",
    "Số, ký hiệu",
    "Ngày tháng",
    "Tên loại và trích yếu nội dung",
    "Đơn vị hoặc người nhận",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
]
INJECTIONS = ['=HYPERLINK("http://evil.example","bấm")', "+1+2", "-3+4", "@SUM(A1)", "\t=1"]


def outgoing(n: int) -> OutgoingRow:
    return OutgoingRow(
        number_symbol=f"{n}/QĐ-UBND",
        document_date=date(2026, 1, 1 + n % 28),
        type_and_abstract=f"Quyết định số {n} về việc phê duyệt kế hoạch đầu tư công trung "
        "hạn giai đoạn 2026–2030 của tỉnh, bổ sung danh mục dự án trọng điểm",
        signer="Nguyễn Thị Ánh Tuyết",
        recipients="Các sở, ban, ngành tỉnh; UBND các huyện, thị xã, thành phố",
        file_copy_holder="Văn thư; Phòng Tổng hợp",
        copies=3,
        sent_on=date(2026, 2, 1),
    )


def incoming(n: int, **changes: object) -> IncomingRow:
    values: dict[str, object] = {
        "arrival_date": date(2026, 1, 5),
        "arrival_number": n,
        "author": "Sở Tài chính",
        "number_symbol": f"{n}/STC-NS",
        "document_date": date(2026, 1, 3),
        "type_and_abstract": f"Công văn {n} về việc hướng dẫn quyết toán ngân sách năm 2025",
        "handler": "Phòng Kinh tế",
        "handed_over_on": None,
    }
    values.update(changes)
    return IncomingRow(**values)  # type: ignore[arg-type]


def sheet(direction: str, rows: list[IncomingRow] | list[OutgoingRow]) -> RegisterSheet:
    return RegisterSheet(
        agency_parent_name="Ủy ban nhân dân tỉnh Quảng Nam",
        agency_name="Văn phòng UBND tỉnh",
        register_name="Sổ văn bản " + ("đến" if direction == "incoming" else "đi") + " 2026",
        year=2026,
        direction=direction,  # type: ignore[arg-type]
        rows=rows,
        printed_at=PRINTED,
    )


def read_xlsx(data: bytes) -> openpyxl.worksheet.worksheet.Worksheet:
    return openpyxl.load_workbook(io.BytesIO(data)).active


def pdf_pages(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


# --- rows ---------------------------------------------------------------------------


def test_columns_are_the_appendix_iv_columns() -> None:
    assert [c.title for c in OUTGOING_COLUMNS] == APPENDIX_IV_OUTGOING
    assert [c.title for c in INCOMING_COLUMNS] == APPENDIX_IV_INCOMING
    assert len(outgoing(1).values()) == len(OUTGOING_COLUMNS)
    assert len(incoming(1).values()) == len(INCOMING_COLUMNS)


def test_rows_of_the_other_direction_are_refused() -> None:
    with pytest.raises(TypeError):
        sheet("incoming", [outgoing(1)])
    with pytest.raises(ValueError, match="direction"):
        sheet("sideways", [])


def test_cell_text_formats_dates_and_arrival_numbers() -> None:
    assert cell_text(date(2026, 3, 5), "date") == "05/03/2026"
    assert cell_text(7, "arrival_number") == "07" and cell_text(7, "number") == "7"
    assert cell_text(None, "text") == ""
    # Decomposed Vietnamese (as some Mac programs paste it) becomes precomposed.
    assert cell_text("Quye\u0302\u0301t", "text") == "Quyết"
    assert cell_text("a\x00b\x0bc", "text") == "abc"


# --- XLSX ---------------------------------------------------------------------------


def test_xlsx_outgoing_has_title_headers_and_rows_in_order() -> None:
    ws = read_xlsx(register_xlsx(sheet("outgoing", [outgoing(n) for n in (1, 2, 3)])))
    texts = [ws.cell(row, 1).value for row in range(1, HEADER_ROW)]
    assert texts[:5] == [
        "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM",
        "VĂN PHÒNG UBND TỈNH",
        "SỔ ĐĂNG KÝ VĂN BẢN ĐI",
        "Sổ văn bản đi 2026",
        "Năm 2026",
    ]
    assert [c.value for c in ws[HEADER_ROW]] == APPENDIX_IV_OUTGOING
    assert all(c.font.b and c.alignment.wrap_text and c.border.top.style for c in ws[HEADER_ROW])
    assert [ws.cell(HEADER_ROW + i, 1).value for i in (1, 2, 3)] == [
        "1/QĐ-UBND",
        "2/QĐ-UBND",
        "3/QĐ-UBND",
    ]
    first = [c.value for c in ws[HEADER_ROW + 1]]
    assert first[2] == outgoing(1).type_and_abstract and first[6] == 3
    date_cell = ws.cell(HEADER_ROW + 1, 2)
    assert date_cell.is_date and date_cell.value.date() == date(2026, 1, 2)
    assert date_cell.number_format == "dd/mm/yyyy"
    assert ws.max_row == HEADER_ROW + 3


def test_xlsx_incoming_numbers_dates_and_layout() -> None:
    rows = [incoming(n) for n in (1, 9, 10)]
    ws = read_xlsx(register_xlsx(sheet("incoming", rows)))
    assert ws.cell(3, 1).value == "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"
    assert [c.value for c in ws[HEADER_ROW]] == APPENDIX_IV_INCOMING
    numbers = [ws.cell(HEADER_ROW + i, 2) for i in (1, 2, 3)]
    assert [c.value for c in numbers] == [1, 9, 10]
    assert all(c.data_type == "n" and c.number_format == "00" for c in numbers)
    assert ws.cell(HEADER_ROW + 1, 1).value.date() == date(2026, 1, 5)
    assert ws.cell(HEADER_ROW + 1, 8).value is None  # not handed over yet
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.column_dimensions["F"].width > ws.column_dimensions["B"].width


@pytest.mark.parametrize("text", INJECTIONS)
def test_xlsx_formula_injection_stays_text(text: str) -> None:
    row = incoming(1, author=text, note=text, type_and_abstract="#N/A")
    ws = read_xlsx(register_xlsx(sheet("incoming", [row])))
    for column in (3, 10):
        cell = ws.cell(HEADER_ROW + 1, column)
        assert cell.value == text and cell.data_type == "s"
        assert cell.quotePrefix
    abstract = ws.cell(HEADER_ROW + 1, 6)
    assert abstract.value == "#N/A" and abstract.data_type == "s"


def test_xlsx_formula_injection_in_raw_xml_is_never_a_formula() -> None:
    import zipfile

    data = register_xlsx(sheet("incoming", [incoming(1, author=INJECTIONS[0])]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "HYPERLINK" in xml


def test_xlsx_empty_register_keeps_the_header() -> None:
    ws = read_xlsx(register_xlsx(sheet("outgoing", [])))
    assert [c.value for c in ws[HEADER_ROW]] == APPENDIX_IV_OUTGOING
    assert ws.max_row == HEADER_ROW


def test_xlsx_ten_thousand_rows() -> None:
    rows = [incoming(n) for n in range(1, 10_001)]
    started = time.monotonic()
    data = register_xlsx(sheet("incoming", rows))
    # Generous for a loaded two-core machine; the streamed writer takes about 2 s.
    assert time.monotonic() - started < 30
    ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    last = list(ws.iter_rows(min_row=HEADER_ROW + 10_000, values_only=True))
    assert last[0][1] == 10_000 and last[0][3] == "10000/STC-NS"


# --- PDF ----------------------------------------------------------------------------


def test_pdf_has_title_headers_and_vietnamese_text() -> None:
    pages = pdf_pages(register_pdf(sheet("outgoing", [outgoing(1)])))
    assert len(pages) == 1
    first = pages[0]
    for text in ("VĂN PHÒNG UBND TỈNH", "SỔ ĐĂNG KÝ VĂN BẢN ĐI", "Năm 2026", "Trang 1/1"):
        assert text in first
    assert outgoing(1).type_and_abstract in first
    assert "Nguyễn Thị Ánh Tuyết" in first and "02/01/2026" in first
    for title in APPENDIX_IV_OUTGOING:
        assert title in first


def test_pdf_long_register_repeats_the_header_and_grows() -> None:
    short = PdfReader(io.BytesIO(register_pdf(sheet("incoming", [incoming(1)]))))
    pages = pdf_pages(register_pdf(sheet("incoming", [incoming(n) for n in range(1, 61)])))
    assert len(short.pages) == 1 and len(pages) > 2
    for page_number, text in enumerate(pages, 1):
        assert f"Trang {page_number}/{len(pages)}" in text
        assert "Tên loại và trích yếu nội dung" in text and "Đơn vị hoặc người nhận" in text
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in pages[0] and "SỔ ĐĂNG KÝ" not in pages[1]
    assert "60/STC-NS" in pages[-1]


def test_pdf_wraps_long_text_and_cuts_a_cell_taller_than_a_page() -> None:
    long_word = "x" * 400
    symbol = "12345/UBND-KTTH-TCHC-NC"
    huge = " ".join(f"đoạn{n}" for n in range(3000))
    rows = [
        incoming(1, note=long_word),
        incoming(2, type_and_abstract=huge),
        incoming(3, number_symbol=symbol),
    ]
    pages = pdf_pages(register_pdf(sheet("incoming", rows)))
    joined = " ".join(pages)
    assert "đoạn0 đoạn1" in joined and "đoạn2999" not in joined and "…" in joined
    assert joined.count("x") >= 400  # broken across lines, never dropped
    # A symbol too wide for its column breaks after "/" or "-", never inside a part.
    assert "12345/ UBND-KTTH-" in joined or "12345/UBND- KTTH-" in joined
    assert "TCHC-NC" in joined.replace("TCHC- NC", "TCHC-NC")


def test_pdf_empty_register_is_valid_with_header() -> None:
    pages = pdf_pages(register_pdf(sheet("incoming", [])))
    assert len(pages) == 1
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in pages[0] and "Số đến" in pages[0]


def test_pdf_two_thousand_rows() -> None:
    rows = [outgoing(n) for n in range(1, 2001)]
    started = time.monotonic()
    data = register_pdf(sheet("outgoing", rows))
    assert time.monotonic() - started < 30  # about 1 s when the machine is idle
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 100
    assert "2000/QĐ-UBND" in reader.pages[-1].extract_text()
