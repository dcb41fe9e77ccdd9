"""Sample official documents as PDFs with Vietnamese text.

The layout follows Decree 30/2020/ND-CP, Appendix I, roughly: agency block top left
(parent agency, issuing agency in bold, a short rule, number and symbol), national motto
top right (with a rule under "Độc lập - Tự do - Hạnh phúc") and the italic place and date
line; the type name and abstract centred; the body; "Nơi nhận:" bottom left and the
signature block bottom right, with room for the signature image between title and name.

Decree 30 asks for Times New Roman; the nearest font every Debian machine has is DejaVu
Serif (DejaVu Sans otherwise) from ``fonts-dejavu-core``, embedded as a subset with a
ToUnicode map, so the text can be extracted and searched. DejaVu is wider than Times, so
the point sizes are a little smaller than the decree's. Italics come from
``fonts-dejavu-extra`` when it is installed and are upright otherwise.

The same inputs give the same bytes: the PDF creation date is taken from the date line
(or ``creation_date``), never from the clock.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.text_region import TextColumns

from signing import fonts

FONT_DIRS: tuple[Path, ...] = fonts.FONT_DIRS
"""Folders searched for the fonts, in order (shared with signature appearances)."""
FONT_FAMILIES: tuple[fonts.FontFamily, ...] = (fonts.DEJAVU_SERIF, fonts.DEJAVU_SANS)
"""Font families in order of preference."""
VN_TZ = dt.timezone(dt.timedelta(hours=7))
FIXED_DATE = dt.datetime(2026, 1, 1, 8, 0, tzinfo=VN_TZ)
"""Creation date when the date line holds no date."""
DEMO_FOOTER = (
    "Văn bản mẫu của bản trình diễn eCabinet, không có giá trị pháp lý"
    " / eCabinet demo sample, no legal value"
)

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
_DATE_RE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")
_ARTICLE_RE = re.compile(r"^(Điều\s+\d+[a-z]?\.)\s*(.*)$", re.DOTALL)
_ROMAN_HEADING_RE = re.compile(r"^[IVXL]+\.\s")


def find_font_files(folders: Sequence[Path] = FONT_DIRS) -> dict[str, Path]:
    """The files of the first DejaVu family found, by fpdf style ("", "B", "I", "BI").

    Regular and bold are required; a missing italic falls back to the upright style.
    Raises :class:`RuntimeError` naming the Debian package when no family is complete.
    """
    return fonts.find_family(FONT_FAMILIES, folders)


def find_vietnamese_font(folders: Sequence[Path] = FONT_DIRS) -> Path:
    """The regular-weight font file used for documents (DejaVu Serif, else DejaVu Sans)."""
    return find_font_files(folders)[""]


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
    addressees: Sequence[str] = (),
    footer: str = "",
    creation_date: dt.datetime | None = None,
) -> bytes:
    """An A4 administrative document laid out after Decree 30; same inputs, same bytes.

    ``agency_upper`` is the parent agency (empty for none), ``agency_name`` the issuing
    agency; both are printed in upper case and wrapped on two balanced lines when long
    (or where they hold a newline). A ``type_name`` of "Công văn" (or empty) prints no
    type name: the abstract ("V/v …") goes under the number, and ``addressees`` under
    the header as "Kính gửi:". ``signer_title`` may hold several lines ("KT. CHỦ TỊCH\\n
    PHÓ CHỦ TỊCH"). ``recipients`` get ";" and the last one "." as in the decree.

    Paragraphs are justified with a first-line indent; a few forms are recognised:
    a paragraph in capitals is a bold heading (centred, e.g. "QUYẾT ĐỊNH:", or on the
    left when it starts with a Roman numeral, e.g. "I. MỤC ĐÍCH, YÊU CẦU"); "Căn cứ …"
    and "Theo đề nghị …" are italic; the "Điều 1." of an article is bold.
    """
    is_letter = type_name.strip().lower() in ("", "công văn")
    pdf = Document(footer=nfc(footer))
    pdf.set_creation_date(creation_date or _date_from(place_date))
    pdf.set_title(_one_line(f"{type_name} {number_symbol}"))
    pdf.set_subject(_one_line(abstract))
    pdf.set_author(_one_line(agency_name))
    pdf.set_creator("eCabinet")
    pdf.set_lang("vi-VN")
    for style, path in find_font_files().items():
        pdf.add_font("Doc", style, str(path))
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(True, margin=BOTTOM)
    pdf.add_page()

    draw_header(
        pdf,
        agency_upper=agency_upper,
        agency_name=agency_name,
        number_symbol=number_symbol,
        place_date=place_date,
        abstract=abstract if is_letter else "",
    )

    # Type name and abstract, centred; or "Kính gửi:" for a công văn.
    if not is_letter:
        pdf.set_font("Doc", "B", 13)
        cell(pdf, TEXT_W, 6.5, nfc(type_name).upper(), "C")
        pdf.set_font("Doc", "B", 12)
        cell(pdf, TEXT_W, 6.0, nfc(abstract), "C")
        width = min(pdf.get_string_width(nfc(abstract)), TEXT_W) * 0.3
        rule(pdf, LEFT + TEXT_W / 2, pdf.get_y() + 1.6, max(width, 25.0))
        pdf.ln(6)
    if addressees:
        _addressees(pdf, [nfc(a) for a in addressees])

    # Body.
    pdf.set_font("Doc", "", BODY_SIZE)
    with pdf.text_columns(text_align="J", line_height=BODY_LINE) as cols:
        for text in paragraphs:
            _paragraph(pdf, cols, nfc(text).strip())
    pdf.ln(4)

    # "Nơi nhận:" bottom left, signature block bottom right, kept together on one page.
    titles = [nfc(t).strip().upper() for t in signer_title.splitlines() if t.strip()]
    need = 6.0 * len(titles) + SIGN_SPACE + 8
    if pdf.get_y() + need > pdf.page_break_trigger:
        pdf.add_page()
    block = pdf.get_y()
    pdf.set_font("Doc", "BI", 11)
    cell(pdf, SIGN_X - LEFT, 5.5, "Nơi nhận:", "L")
    pdf.set_font("Doc", "", 9.5)
    for i, recipient in enumerate(recipients):
        end = "." if i == len(recipients) - 1 else ";"
        cell(pdf, SIGN_X - LEFT - 2, 4.6, f"- {nfc(recipient).rstrip(';.')}{end}", "L")
    recipients_bottom = pdf.get_y()
    pdf.set_xy(SIGN_X, block)
    pdf.set_font("Doc", "B", 12)
    for line in titles:
        centred_lines(pdf, SIGN_X, SIGN_W, 6.0, line)
    pdf.set_y(pdf.get_y() + SIGN_SPACE)
    centred_lines(pdf, SIGN_X, SIGN_W, 6.0, nfc(signer_name))
    pdf.set_y(max(recipients_bottom, pdf.get_y()))
    return bytes(pdf.output())


def draw_header(
    pdf: FPDF,
    *,
    agency_upper: str,
    agency_name: str,
    number_symbol: str,
    place_date: str,
    abstract: str = "",
) -> None:
    """The Decree 30 header on the current page of ``pdf`` (font "Doc" registered).

    Agency block on the left (parent agency, issuing agency in bold, a short rule, the
    number and symbol, then ``abstract`` for a công văn); national motto and the italic
    place and date line on the right. Leaves y 8 mm under the lower of the two blocks.
    """
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
    centred_lines(pdf, right, HEAD_RIGHT_W, 5.5, nfc(place_date))
    pdf.set_y(max(left_bottom, pdf.get_y()) + 8)


class Document(FPDF):
    """A4 in millimetres; page numbers from page 2 (top centre), an optional footer."""

    def __init__(self, footer: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer

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


def _one_line(text: str) -> str:
    return " ".join(nfc(text).split())


def place_date_line(place: str, day: dt.date) -> str:
    """ "An Giang, ngày 05 tháng 3 năm 2026": Decree 30 writes the day and the months 1
    and 2 with a leading zero (so "tháng 01" cannot be misread), months 3 to 12 without."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{nfc(place)}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _date_from(place_date: str) -> dt.datetime:
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


def _addressees(pdf: FPDF, addressees: list[str]) -> None:
    """ "Kính gửi: X." on one centred line, or a list of "- X;" under "Kính gửi:"."""
    pdf.set_font("Doc", "", 12.5)
    if len(addressees) == 1:
        cell(pdf, TEXT_W, 6.5, f"Kính gửi: {addressees[0].rstrip('.;')}.", "C")
    else:
        x = LEFT + 30
        label = "Kính gửi: "
        indent = pdf.get_string_width(label)
        for i, name in enumerate(addressees):
            end = "." if i == len(addressees) - 1 else ";"
            pdf.set_x(x)
            pdf.cell(indent, 6.5, label if i == 0 else "")
            pdf.multi_cell(
                TEXT_W - 30 - indent,
                6.5,
                f"- {name.rstrip('.;')}{end}",
                align="L",
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
    pdf.ln(4)


def _paragraph(pdf: FPDF, cols: TextColumns, text: str) -> None:
    """One body paragraph in the text columns ``cols`` (see :func:`make_official_document`)."""
    letters = [c for c in text if c.isalpha()]
    heading = bool(letters) and text == text.upper()
    article = _ARTICLE_RE.match(text)
    italic = text.startswith(("Căn cứ", "Theo đề nghị"))
    if heading:
        align, indent = (Align.L, 10.0) if _ROMAN_HEADING_RE.match(text) else (Align.C, 0.0)
    else:
        align, indent = Align.J, 10.0
    top = 2.5 if heading else 0.8
    with cols.paragraph(
        text_align=align, first_line_indent=indent, top_margin=top, bottom_margin=1.2
    ) as par:
        if heading:
            pdf.set_font("Doc", "B", BODY_SIZE)
            par.write(text)
        elif article:
            pdf.set_font("Doc", "B", BODY_SIZE)
            par.write(article.group(1) + " ")
            pdf.set_font("Doc", "", BODY_SIZE)
            par.write(article.group(2))
        else:
            pdf.set_font("Doc", "I" if italic else "", BODY_SIZE)
            par.write(text)
    pdf.set_font("Doc", "", BODY_SIZE)


@dataclass(frozen=True)
class DemoDocument:
    """A sample document and how to render it (``pdf()`` gives the same bytes every time)."""

    filename: str
    """ASCII file name, e.g. ``QD-12-UBND-2026.pdf``."""
    title: str
    type_abbreviation: str
    """Decree 30 abbreviation (``QĐ``, ``CT``…); empty for a công văn."""
    number_symbol: str
    abstract: str
    pdf: Callable[[], bytes]
    type_name: str
    issued: dt.date
    agency_name: str
    """Issuing agency as printed (upper case)."""
    signer_title: str
    signer_name: str


_UBND = ("", "ỦY BAN NHÂN DÂN\nTỈNH AN GIANG")
_VP = ("UBND TỈNH AN GIANG", "VĂN PHÒNG")


def _doc(
    filename: str,
    agency: tuple[str, str],
    type_name: str,
    abbreviation: str,
    number_symbol: str,
    issued: dt.date,
    abstract: str,
    paragraphs: list[str],
    signer: tuple[str, str],
    recipients: list[str],
    addressees: Sequence[str] = (),
) -> DemoDocument:
    place_date = place_date_line("An Giang", issued)

    def render() -> bytes:
        return make_official_document(
            agency_upper=agency[0],
            agency_name=agency[1],
            number_symbol=number_symbol,
            place_date=place_date,
            type_name=type_name,
            abstract=abstract,
            paragraphs=paragraphs,
            signer_title=signer[0],
            signer_name=signer[1],
            recipients=recipients,
            addressees=addressees,
            footer=DEMO_FOOTER,
        )

    return DemoDocument(
        filename=filename,
        title=f"{type_name} {number_symbol}",
        type_abbreviation=abbreviation,
        number_symbol=number_symbol,
        abstract=abstract,
        pdf=render,
        type_name=type_name,
        issued=issued,
        agency_name=agency[1].replace("\n", " "),
        signer_title=signer[0].replace("\n", " "),
        signer_name=signer[1],
    )


# Signers: the demo province's leaders (see ecabinet.demo.seed).
CHU_TICH = "Nguyễn Thanh Bình"
PHO_CHU_TICH = "Trần Thị Mai"
CHANH_VAN_PHONG = "Phạm Minh Tuấn"


def demo_documents() -> list[DemoDocument]:
    """Five plausible, invented documents of the provincial People's Committee (2026)."""
    return [
        _doc(
            "QD-12-UBND-2026.pdf",
            _UBND,
            "Quyết định",
            "QĐ",
            "12/QĐ-UBND",
            dt.date(2026, 3, 5),
            "Về việc phê duyệt Kế hoạch chuyển đổi số tỉnh An Giang năm 2026",
            [
                "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH AN GIANG",
                "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
                "Căn cứ Luật Giao dịch điện tử ngày 22 tháng 6 năm 2023;",
                "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về "
                "công tác văn thư;",
                "Theo đề nghị của Giám đốc Sở Khoa học và Công nghệ tại Tờ trình số "
                "25/TTr-SKHCN ngày 02 tháng 3 năm 2026.",
                "QUYẾT ĐỊNH:",
                "Điều 1. Phê duyệt Kế hoạch chuyển đổi số tỉnh An Giang năm 2026 kèm theo "
                "Quyết định này, với các mục tiêu chủ yếu: 100% văn bản trao đổi giữa các cơ "
                "quan hành chính nhà nước trên địa bàn tỉnh được gửi, nhận dưới dạng điện tử "
                "và ký số, trừ văn bản mật theo quy định; 100% cuộc họp của Ủy ban nhân dân "
                "tỉnh được tổ chức theo hình thức không giấy tờ; tối thiểu 80% hồ sơ công việc "
                "tại cấp tỉnh và 60% tại cấp xã được xử lý trên môi trường mạng.",
                "Điều 2. Giao Sở Khoa học và Công nghệ chủ trì, phối hợp với các sở, ban, ngành "
                "tỉnh và Ủy ban nhân dân các xã, phường, đặc khu tổ chức triển khai Kế hoạch; "
                "định kỳ hằng quý tổng hợp, báo cáo kết quả thực hiện về Ủy ban nhân dân tỉnh.",
                "Điều 3. Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Ủy ban nhân "
                "dân tỉnh, Giám đốc Sở Khoa học và Công nghệ, Thủ trưởng các sở, ban, ngành "
                "tỉnh, Chủ tịch Ủy ban nhân dân các xã, phường, đặc khu và các cơ quan, đơn vị "
                "có liên quan chịu trách nhiệm thi hành Quyết định này./.",
            ],
            ("CHỦ TỊCH", CHU_TICH),
            [
                "Như Điều 3",
                "Bộ Khoa học và Công nghệ (để b/c)",
                "TT. Tỉnh ủy, TT. HĐND tỉnh (để b/c)",
                "CT, các PCT UBND tỉnh",
                "Lưu: VT, KT",
            ],
        ),
        _doc(
            "CT-03-UBND-2026.pdf",
            _UBND,
            "Chỉ thị",
            "CT",
            "03/CT-UBND",
            dt.date(2026, 3, 12),
            "Về tăng cường sử dụng văn bản điện tử và chữ ký số trong hoạt động của các cơ "
            "quan nhà nước trên địa bàn tỉnh",
            [
                "Thời gian qua, việc gửi, nhận văn bản điện tử và sử dụng chữ ký số trên địa "
                "bàn tỉnh đã đạt nhiều kết quả tích cực, góp phần giảm thời gian, chi phí và "
                "nâng cao hiệu quả chỉ đạo, điều hành. Tuy nhiên, một số cơ quan, đơn vị vẫn "
                "gửi kèm bản giấy đối với văn bản đã ký số, chưa ký số văn bản đi bằng chữ ký "
                "số của cơ quan, tổ chức hoặc chưa kiểm tra tính xác thực của văn bản đến.",
                "Để khắc phục tình trạng trên, Chủ tịch Ủy ban nhân dân tỉnh chỉ thị:",
                "1. Thủ trưởng các sở, ban, ngành tỉnh, Chủ tịch Ủy ban nhân dân các xã, "
                "phường, đặc khu ký số toàn bộ văn bản đi theo Nghị định số 30/2020/NĐ-CP của "
                "Chính phủ; không gửi kèm bản giấy, trừ văn bản mật và các trường hợp pháp "
                "luật có quy định khác.",
                "2. Văn thư cơ quan kiểm tra tính xác thực, toàn vẹn của văn bản điện tử đến "
                "trước khi đăng ký; trả lại văn bản không hợp lệ ngay trong ngày.",
                "3. Sở Khoa học và Công nghệ bảo đảm hạ tầng, hướng dẫn cấp chứng thư chữ ký "
                "số chuyên dùng công vụ theo Nghị định số 68/2024/NĐ-CP của Chính phủ; tổng "
                "hợp kết quả thực hiện Chỉ thị này, báo cáo Ủy ban nhân dân tỉnh trước ngày "
                "15 tháng 12 năm 2026./.",
            ],
            ("CHỦ TỊCH", CHU_TICH),
            [
                "Văn phòng Chính phủ (để b/c)",
                "TT. Tỉnh ủy, TT. HĐND tỉnh (để b/c)",
                "CT, các PCT UBND tỉnh",
                "Các sở, ban, ngành tỉnh",
                "UBND các xã, phường, đặc khu",
                "Lưu: VT, KT",
            ],
        ),
        _doc(
            "CV-123-UBND-KT-2026.pdf",
            _UBND,
            "Công văn",
            "",
            "123/UBND-KT",
            dt.date(2026, 3, 18),
            "V/v triển khai họp không giấy tờ eCabinet",
            [
                "Thực hiện Quyết định số 12/QĐ-UBND ngày 05 tháng 3 năm 2026 của Chủ tịch Ủy "
                "ban nhân dân tỉnh phê duyệt Kế hoạch chuyển đổi số tỉnh An Giang năm 2026, "
                "Ủy ban nhân dân tỉnh đề nghị các cơ quan, đơn vị thực hiện các nội dung sau:",
                "1. Từ ngày 01 tháng 4 năm 2026, tài liệu các cuộc họp của Ủy ban nhân dân "
                "tỉnh được gửi trên hệ thống eCabinet chậm nhất 03 ngày làm việc trước cuộc "
                "họp; không in, gửi tài liệu giấy.",
                "2. Đại biểu sử dụng máy tính bảng hoặc máy tính cá nhân để theo dõi chương "
                "trình họp, đăng ký phát biểu và biểu quyết trực tiếp trên hệ thống.",
                "3. Các cơ quan, đơn vị cử cán bộ đầu mối, gửi danh sách về Văn phòng Ủy ban "
                "nhân dân tỉnh trước ngày 25 tháng 3 năm 2026 để được cấp tài khoản và tập "
                "huấn sử dụng.",
                "Đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực hiện./.",
            ],
            ("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", PHO_CHU_TICH),
            ["Như trên", "CT, các PCT UBND tỉnh", "Lưu: VT, KT"],
            addressees=["Các sở, ban, ngành tỉnh", "Ủy ban nhân dân các xã, phường, đặc khu"],
        ),
        _doc(
            "KH-45-UBND-2026.pdf",
            _UBND,
            "Kế hoạch",
            "KH",
            "45/KH-UBND",
            dt.date(2026, 3, 25),
            "Triển khai ứng dụng dữ liệu dân cư, định danh và xác thực điện tử trên địa bàn "
            "tỉnh năm 2026",
            [
                "I. MỤC ĐÍCH, YÊU CẦU",
                "1. Khai thác hiệu quả Cơ sở dữ liệu quốc gia về dân cư phục vụ giải quyết thủ "
                "tục hành chính, giảm giấy tờ cho người dân và doanh nghiệp.",
                "2. Bảo đảm an toàn, bảo mật thông tin cá nhân trong quá trình kết nối, chia "
                "sẻ dữ liệu giữa các hệ thống thông tin của tỉnh.",
                "II. NHIỆM VỤ, GIẢI PHÁP",
                "1. Kết nối Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh với Cơ "
                "sở dữ liệu quốc gia về dân cư; hoàn thành trong quý II năm 2026.",
                "2. Tuyên truyền, hướng dẫn người dân sử dụng tài khoản định danh điện tử khi "
                "thực hiện dịch vụ công trực tuyến.",
                "III. TỔ CHỨC THỰC HIỆN",
                "Công an tỉnh chủ trì, phối hợp với Sở Khoa học và Công nghệ theo dõi, đôn đốc "
                "thực hiện Kế hoạch. Các sở, ban, ngành tỉnh và Ủy ban nhân dân các xã, phường, "
                "đặc khu báo cáo kết quả thực hiện trước ngày 15 hằng tháng./.",
            ],
            ("TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", PHO_CHU_TICH),
            [
                "TT. Tỉnh ủy, TT. HĐND tỉnh (để b/c)",
                "CT, các PCT UBND tỉnh",
                "Công an tỉnh",
                "Các sở, ban, ngành tỉnh",
                "UBND các xã, phường, đặc khu",
                "Lưu: VT, KT",
            ],
        ),
        _doc(
            "TB-67-VPUBND-2026.pdf",
            _VP,
            "Thông báo",
            "TB",
            "67/TB-VPUBND",
            dt.date(2026, 3, 31),
            "Kết luận của Chủ tịch Ủy ban nhân dân tỉnh tại cuộc họp thành viên Ủy ban nhân "
            "dân tỉnh thường kỳ tháng 3 năm 2026",
            [
                "Ngày 28 tháng 3 năm 2026, Chủ tịch Ủy ban nhân dân tỉnh chủ trì cuộc họp "
                "thành viên Ủy ban nhân dân tỉnh thường kỳ tháng 3 năm 2026 theo hình thức "
                "không giấy tờ trên hệ thống eCabinet. Sau khi nghe báo cáo và ý kiến của các "
                "đại biểu, Chủ tịch Ủy ban nhân dân tỉnh kết luận như sau:",
                "1. Giao Sở Tài chính chủ trì, phối hợp với các sở, ngành liên quan tham mưu "
                "phân bổ chi tiết kế hoạch vốn đầu tư công năm 2026, trình Ủy ban nhân dân tỉnh "
                "trước ngày 15 tháng 4 năm 2026.",
                "2. Giao Sở Khoa học và Công nghệ hoàn thành việc cấp chứng thư chữ ký số cho "
                "lãnh đạo các cơ quan, đơn vị còn thiếu trong tháng 4 năm 2026.",
                "Văn phòng Ủy ban nhân dân tỉnh thông báo để các cơ quan, đơn vị biết, thực "
                "hiện./.",
            ],
            ("CHÁNH VĂN PHÒNG", CHANH_VAN_PHONG),
            [
                "CT, các PCT UBND tỉnh",
                "Sở Tài chính, Sở KH&CN",
                "Các thành viên UBND tỉnh",
                "Lưu: VT, TH",
            ],
        ),
    ]
