"""The demo's sample official documents, laid out by :mod:`documents.layout.official`.

Five plausible, invented documents of the provincial People's Committee (2026), each with
a footer saying it has no legal value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from documents.layout.official import make_official_document
from documents.layout.page import place_date_line

DEMO_FOOTER = (
    "Văn bản mẫu của bản trình diễn eCabinet, không có giá trị pháp lý"
    " / eCabinet demo sample, no legal value"
)


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
