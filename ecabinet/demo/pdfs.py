"""Sample official documents as PDFs with Vietnamese text, laid out after Decree 30
(Appendix I): agency block and national motto at the top, number and date line, type
and abstract, body, recipients and signature block. The font (DejaVu, Debian's
fonts-dejavu-core) is embedded as a subset with a ToUnicode map, so the text can be
extracted and searched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)
FIXED_DATE = dt.datetime(2026, 3, 5, 8, 0, tzinfo=dt.UTC)


def find_vietnamese_font(bold: bool = False) -> Path:
    """DejaVu Serif (or Sans) from Debian's fonts-dejavu packages."""
    names = (
        ("DejaVuSerif-Bold.ttf", "DejaVuSans-Bold.ttf")
        if bold
        else ("DejaVuSerif.ttf", "DejaVuSans.ttf")
    )
    for folder in FONT_DIRS:
        for name in names:
            if (folder / name).exists():
                return folder / name
    raise RuntimeError(
        "No font with Vietnamese glyphs found: install Debian's fonts-dejavu-core "
        "(apt-get install fonts-dejavu-core)"
    )


def make_official_document(
    *,
    agency_upper: str,
    agency_name: str,
    number_symbol: str,
    place_date: str,
    type_name: str,
    abstract: str,
    paragraphs: list[str],
    signer_title: str,
    signer_name: str,
    recipients: list[str],
) -> bytes:
    """An A4 administrative document; the same inputs always give the same bytes."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(f"{type_name} {number_symbol}")
    pdf.set_author(agency_name)
    pdf.set_creator("eCabinet demo")
    pdf.add_font("Doc", "", str(find_vietnamese_font()))
    pdf.add_font("Doc", "B", str(find_vietnamese_font(bold=True)))
    pdf.set_margins(25, 20, 15)
    pdf.add_page()
    left_w, right_w = 70.0, 100.0
    top = pdf.get_y()
    # Top left: parent agency, issuing agency (bold), rule, number.
    if agency_upper:
        pdf.set_font("Doc", "", 11)
        _mc(pdf, left_w, 5, agency_upper.upper(), align="C")
    pdf.set_font("Doc", "B", 11)
    _mc(pdf, left_w, 5, agency_name.upper(), align="C")
    rule_y = pdf.get_y() + 0.5
    pdf.line(25 + left_w / 2 - 12, rule_y, 25 + left_w / 2 + 12, rule_y)
    pdf.set_y(rule_y + 2)
    pdf.set_font("Doc", "", 11)
    _mc(pdf, left_w, 5, f"Số: {number_symbol}", align="C")
    left_bottom = pdf.get_y()
    # Top right: national motto, rule, place and date (the italic style is approximated).
    pdf.set_xy(25 + left_w, top)
    pdf.set_font("Doc", "B", 11)
    _mc(pdf, right_w, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C")
    pdf.set_x(25 + left_w)
    pdf.set_x(25 + left_w)
    _mc(pdf, right_w, 5, "Độc lập - Tự do - Hạnh phúc", align="C")
    rule_y = pdf.get_y() + 0.5
    pdf.line(25 + left_w + right_w / 2 - 28, rule_y, 25 + left_w + right_w / 2 + 28, rule_y)
    pdf.set_xy(25 + left_w, rule_y + 2)
    pdf.set_font("Doc", "", 11)
    _mc(pdf, right_w, 5, place_date, align="C")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 10)
    # Type and abstract, centred.
    pdf.set_font("Doc", "B", 13)
    _mc(pdf, 0, 6, type_name.upper(), align="C")
    pdf.set_font("Doc", "B", 12)
    _mc(pdf, 0, 6, abstract, align="C")
    pdf.ln(6)
    pdf.set_font("Doc", "", 12)
    for paragraph in paragraphs:
        _mc(pdf, 0, 6.5, "    " + paragraph, align="J")
        pdf.ln(1.5)
    pdf.ln(6)
    # Recipients bottom left, signature block bottom right.
    block = pdf.get_y()
    pdf.set_font("Doc", "B", 10)
    _mc(pdf, 80, 5, "Nơi nhận:")
    pdf.set_font("Doc", "", 9)
    for recipient in recipients:
        _mc(pdf, 80, 4.5, f"- {recipient};")
    pdf.set_font("Doc", "B", 12)
    for i, line in enumerate(signer_title.upper().splitlines()):
        pdf.set_xy(25 + 85, block + 6 * i)
        _mc(pdf, 85, 6, line, align="C")
    pdf.set_xy(25 + 85, pdf.get_y() + 25)
    _mc(pdf, 85, 6, signer_name, align="C")
    return bytes(pdf.output())


def _mc(pdf: FPDF, w: float, h: float, text: str, align: str = "L") -> None:
    """A paragraph; afterwards the cursor is back at the left margin on the next line."""
    pdf.multi_cell(w, h, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


@dataclass(frozen=True)
class DemoDocument:
    filename: str
    title: str
    type_abbreviation: str
    number_symbol: str
    abstract: str
    pdf: Callable[[], bytes]


_UBND = ("UBND TỈNH AN GIANG", "ỦY BAN NHÂN DÂN TỈNH AN GIANG")


def _doc(
    filename: str,
    type_name: str,
    abbr: str,
    number: str,
    abstract: str,
    day: str,
    paragraphs: list[str],
    signer: tuple[str, str],
) -> DemoDocument:
    def render() -> bytes:
        return make_official_document(
            agency_upper="",
            agency_name=_UBND[1],
            number_symbol=number,
            place_date=f"An Giang, ngày {day} năm 2026",
            type_name=type_name,
            abstract=abstract,
            paragraphs=paragraphs,
            signer_title=signer[0],
            signer_name=signer[1],
            recipients=[
                "Như trên",
                "Thường trực Tỉnh ủy",
                "Chủ tịch, các PCT UBND tỉnh",
                "Các sở, ban, ngành tỉnh",
                "UBND các huyện, thị xã, thành phố",
                "Lưu: VT, KT",
            ],
        )

    return DemoDocument(filename, f"{type_name} {number}", abbr, number, abstract, render)


CHU_TICH = ("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "Trần Thị Mai")


def demo_documents() -> list[DemoDocument]:
    """Five plausible (invented) documents of the provincial People's Committee."""
    return [
        _doc(
            "QD-12-UBND-2026.pdf",
            "Quyết định",
            "QĐ",
            "12/QĐ-UBND",
            "Về việc phê duyệt Kế hoạch chuyển đổi số tỉnh An Giang năm 2026",
            "05 tháng 3",
            [
                "Căn cứ Luật Tổ chức chính quyền địa phương; căn cứ Nghị định số "
                "30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
                "Theo đề nghị của Giám đốc Sở Thông tin và Truyền thông.",
                "Điều 1. Phê duyệt Kế hoạch chuyển đổi số tỉnh An Giang năm 2026 kèm theo "
                "Quyết định này, với mục tiêu 100% văn bản giữa các cơ quan nhà nước được "
                "gửi, nhận dưới dạng điện tử và ký số.",
                "Điều 2. Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Ủy ban "
                "nhân dân tỉnh, Giám đốc các sở, ban, ngành tỉnh chịu trách nhiệm thi hành.",
            ],
            ("CHỦ TỊCH", "Nguyễn Thanh Bình"),
        ),
        _doc(
            "CT-03-UBND-2026.pdf",
            "Chỉ thị",
            "CT",
            "03/CT-UBND",
            "Về tăng cường sử dụng văn bản điện tử và chữ ký số trong cơ quan nhà nước",
            "12 tháng 3",
            [
                "Thời gian qua, việc gửi, nhận văn bản điện tử trên địa bàn tỉnh đã đạt "
                "nhiều kết quả; tuy nhiên vẫn còn tình trạng gửi kèm bản giấy.",
                "Chủ tịch Ủy ban nhân dân tỉnh yêu cầu thủ trưởng các cơ quan, đơn vị ký số "
                "toàn bộ văn bản đi, trừ văn bản mật theo quy định.",
            ],
            CHU_TICH,
        ),
        _doc(
            "CV-123-UBND-KT-2026.pdf",
            "Công văn",
            "",
            "123/UBND-KT",
            "V/v triển khai họp không giấy tờ eCabinet",
            "18 tháng 3",
            [
                "Ủy ban nhân dân tỉnh đề nghị các sở, ban, ngành chuẩn bị tài liệu họp dưới "
                "dạng điện tử, gửi kèm giấy mời chậm nhất 03 ngày làm việc trước cuộc họp.",
                "Đại biểu sử dụng máy tính bảng để theo dõi chương trình họp, đăng ký phát "
                "biểu và biểu quyết trực tiếp trên hệ thống.",
            ],
            CHU_TICH,
        ),
        _doc(
            "KH-45-UBND-2026.pdf",
            "Kế hoạch",
            "KH",
            "45/KH-UBND",
            "Triển khai Đề án phát triển ứng dụng dữ liệu dân cư năm 2026",
            "25 tháng 3",
            [
                "Mục đích: khai thác hiệu quả Cơ sở dữ liệu quốc gia về dân cư phục vụ giải "
                "quyết thủ tục hành chính, giảm giấy tờ cho người dân và doanh nghiệp.",
                "Các sở, ngành và Ủy ban nhân dân cấp huyện báo cáo kết quả thực hiện trước "
                "ngày 15 hằng tháng.",
            ],
            CHU_TICH,
        ),
        _doc(
            "TB-67-UBND-2026.pdf",
            "Thông báo",
            "TB",
            "67/TB-UBND",
            "Kết luận của Chủ tịch Ủy ban nhân dân tỉnh tại cuộc họp thành viên tháng 3",
            "31 tháng 3",
            [
                "Ngày 28 tháng 3 năm 2026, Chủ tịch Ủy ban nhân dân tỉnh chủ trì cuộc họp "
                "thành viên Ủy ban nhân dân tỉnh thường kỳ tháng 3.",
                "Chủ tịch kết luận: giao Sở Tài chính tham mưu phân bổ vốn đầu tư công, hoàn "
                "thành trước ngày 15 tháng 4 năm 2026.",
            ],
            ("TL. CHỦ TỊCH\nCHÁNH VĂN PHÒNG", "Phạm Minh Tuấn"),
        ),
    ]
