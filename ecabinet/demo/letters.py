"""One PDF per demo document, agreeing with its register entry: the received documents
print their sender, number and symbol, date and abstract; the province's outgoing drafts
print their type and abstract, with the number and date lines left blank for issue
(form fields filled by the issue step, decision 0015)."""

from __future__ import annotations

import datetime as dt

from documents.layout.official import make_official_document
from documents.layout.page import place_date_line
from ecabinet.demo.pdfs import CHU_TICH, DEMO_FOOTER
from signing.pdfio import VN

_BODY = (
    "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về đẩy mạnh chuyển đổi số trong hoạt động"
    " của các cơ quan nhà nước, cơ quan xin trình bày nội dung như trích yếu nêu trên.",
    "Đề nghị các cơ quan, đơn vị liên quan phối hợp thực hiện, báo cáo kết quả đúng thời hạn./.",
)


def _letter(type_name: str) -> bool:
    return type_name.strip().lower() in ("", "công văn")


def incoming_pdf(
    *, sender: str, number_symbol: str, type_name: str, abstract: str, issued: dt.date
) -> bytes:
    """A received document as its sender issued it."""
    parent = "UBND TỈNH AN GIANG" if sender.startswith("Sở ") else ""
    return make_official_document(
        agency_upper=parent,
        agency_name=sender,
        number_symbol=number_symbol,
        place_date=place_date_line("An Giang", issued),
        type_name=type_name,
        abstract=abstract,
        paragraphs=list(_BODY),
        signer_title="KT. THỦ TRƯỞNG CƠ QUAN\nPHÓ THỦ TRƯỞNG",
        signer_name="Lê Văn Minh",
        recipients=["Ủy ban nhân dân tỉnh An Giang", "Lưu: VT"],
        addressees=("Ủy ban nhân dân tỉnh An Giang",) if _letter(type_name) else (),
        footer=DEMO_FOOTER,
        creation_date=dt.datetime.combine(issued, dt.time(8), VN),
    )


def draft_pdf(*, type_name: str, symbol: str, abstract: str, year: int) -> bytes:
    """An outgoing draft of the province, its number and date left to the issue step."""
    return make_official_document(
        agency_upper="",
        agency_name="ỦY BAN NHÂN DÂN\nTỈNH AN GIANG",
        number_symbol=f"/{symbol}",
        place_date=f"An Giang, ngày      tháng      năm {year}",
        type_name=type_name,
        abstract=abstract,
        paragraphs=list(_BODY),
        signer_title="CHỦ TỊCH",
        signer_name=CHU_TICH,
        recipients=["Như trên", "Lưu: VT, KT"],
        addressees=("Các sở, ban, ngành tỉnh",) if _letter(type_name) else (),
        footer=DEMO_FOOTER,
        creation_date=dt.datetime(year, 1, 1, 8, tzinfo=VN),
        draft=True,
    )
