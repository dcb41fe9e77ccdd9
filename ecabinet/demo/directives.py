"""The demo's directive documents (văn bản chỉ đạo, điều hành) of the last three months,
each with a PDF of its own: drafted, approved, signed by the chairman, numbered and sealed
on its date, then published by the clerk under its sector, in the order they were issued.
One amends an earlier one, one replaces an earlier one (which the replacement's
publication marks expired), one is withdrawn with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine

from documents import publication, search
from documents.access import load_view
from documents.layout.official import make_official_document
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore
from ecabinet.demo import pdfs
from ecabinet.demo.documents import PROVINCE, as_user, draft_to, find_agency, sign_and_issue
from ecabinet.signatures.setup import SigningSetup
from signing.pdfio import VN

WITHDRAWN_REASON = (
    "Ban hành chưa đúng trình tự (chưa lấy ý kiến các sở, ngành); sẽ ban hành lại sau khi"
    " hoàn thiện hồ sơ."
)


@dataclass(frozen=True)
class Directive:
    key: str
    type_code: str
    type_name: str
    symbol: str
    unit: str
    sector: str
    days_ago: int
    abstract: str
    paragraphs: tuple[str, ...]
    amends: str = ""
    """The key of the directive it amends."""
    replaces: str = ""
    """The key of the directive it replaces."""
    withdrawn: bool = False


_BASIS = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
    "Xét đề nghị của Chánh Văn phòng Ủy ban nhân dân tỉnh.",
)

DIRECTIVES: tuple[Directive, ...] = (
    Directive(
        "bang-gia-dat",
        "QD",
        "Quyết định",
        "QĐ-UBND",
        "KT",
        "dat-dai",
        84,
        "Quyết định ban hành Bảng giá đất trên địa bàn tỉnh An Giang áp dụng từ năm 2027",
        (
            "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH AN GIANG",
            *_BASIS,
            "QUYẾT ĐỊNH:",
            "Điều 1. Ban hành kèm theo Quyết định này Bảng giá đất trên địa bàn tỉnh An Giang"
            " áp dụng từ ngày 01 tháng 01 năm 2027, gồm giá đất nông nghiệp, đất ở tại nông"
            " thôn, đất ở tại đô thị và đất thương mại, dịch vụ.",
            "Điều 2. Sở Nông nghiệp và Môi trường chủ trì hướng dẫn, theo dõi việc áp dụng;"
            " tổng hợp vướng mắc, báo cáo Ủy ban nhân dân tỉnh.",
            "Điều 3. Quyết định này có hiệu lực kể từ ngày ký./.",
        ),
    ),
    Directive(
        "ky-luat-tthc",
        "CT",
        "Chỉ thị",
        "CT-UBND",
        "TH",
        "cai-cach-hanh-chinh",
        76,
        "Chỉ thị về tăng cường kỷ luật, kỷ cương hành chính trong giải quyết thủ tục hành"
        " chính cho người dân, doanh nghiệp",
        (
            "Để chấn chỉnh tình trạng hồ sơ thủ tục hành chính giải quyết trễ hẹn, Chủ tịch Ủy"
            " ban nhân dân tỉnh chỉ thị:",
            "1. Thủ trưởng các sở, ban, ngành tỉnh công khai xin lỗi người dân đối với mọi hồ"
            " sơ trễ hẹn, nêu rõ lý do và thời hạn trả kết quả mới.",
            "2. Trung tâm Phục vụ hành chính công tỉnh báo cáo hằng tháng tỷ lệ hồ sơ đúng hạn"
            " của từng cơ quan./.",
        ),
    ),
    Directive(
        "tai-nguyen-nuoc",
        "QD",
        "Quyết định",
        "QĐ-UBND",
        "KT",
        "nong-nghiep-moi-truong",
        70,
        "Quyết định ban hành Quy chế phối hợp quản lý nhà nước về tài nguyên nước trên địa"
        " bàn tỉnh",
        (
            "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH AN GIANG",
            *_BASIS,
            "QUYẾT ĐỊNH:",
            "Điều 1. Ban hành kèm theo Quyết định này Quy chế phối hợp quản lý nhà nước về"
            " tài nguyên nước trên địa bàn tỉnh An Giang.",
            "Điều 2. Quyết định này có hiệu lực kể từ ngày ký./.",
        ),
    ),
    Directive(
        "sot-xuat-huyet",
        "KH",
        "Kế hoạch",
        "KH-UBND",
        "KT",
        "y-te",
        63,
        "Kế hoạch phòng, chống sốt xuất huyết trên địa bàn tỉnh năm 2027",
        (
            "I. MỤC ĐÍCH, YÊU CẦU",
            "Giảm số ca mắc và không để tử vong do sốt xuất huyết; phát hiện sớm, xử lý kịp"
            " thời ổ dịch tại cộng đồng.",
            "II. NHIỆM VỤ",
            "Sở Y tế chủ trì tổ chức chiến dịch diệt lăng quăng mỗi quý; Ủy ban nhân dân các"
            " xã, phường, đặc khu huy động người dân tham gia./.",
        ),
    ),
    Directive(
        "nam-hoc",
        "QD",
        "Quyết định",
        "QĐ-UBND",
        "KT",
        "giao-duc",
        56,
        "Quyết định phê duyệt Kế hoạch thời gian năm học 2026-2027 của giáo dục mầm non,"
        " giáo dục phổ thông và giáo dục thường xuyên",
        (
            "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH AN GIANG",
            *_BASIS,
            "QUYẾT ĐỊNH:",
            "Điều 1. Phê duyệt Kế hoạch thời gian năm học 2026-2027: tựu trường ngày 28 tháng"
            " 8 năm 2026; kết thúc năm học trước ngày 31 tháng 5 năm 2027.",
            "Điều 2. Sở Giáo dục và Đào tạo hướng dẫn các trường thực hiện./.",
        ),
    ),
    Directive(
        "sua-bang-gia-dat",
        "QD",
        "Quyết định",
        "QĐ-UBND",
        "KT",
        "dat-dai",
        42,
        "Quyết định sửa đổi, bổ sung một số điều của Quyết định ban hành Bảng giá đất trên"
        " địa bàn tỉnh An Giang áp dụng từ năm 2027",
        (
            "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH AN GIANG",
            *_BASIS,
            "QUYẾT ĐỊNH:",
            "Điều 1. Sửa đổi giá đất ở tại đô thị của các tuyến đường mới hoàn thành tại"
            " phường Long Xuyên và phường Châu Đốc theo Phụ lục kèm theo.",
            "Điều 2. Quyết định này có hiệu lực kể từ ngày ký./.",
        ),
        amends="bang-gia-dat",
    ),
    Directive(
        "han-man",
        "CT",
        "Chỉ thị",
        "CT-UBND",
        "TH",
        "nong-nghiep-moi-truong",
        35,
        "Chỉ thị về triển khai các biện pháp phòng, chống hạn hán, xâm nhập mặn mùa khô 2026-2027",
        (
            "Dự báo mùa khô 2026-2027 mặn xâm nhập sâu hơn trung bình nhiều năm. Chủ tịch Ủy"
            " ban nhân dân tỉnh chỉ thị:",
            "1. Sở Nông nghiệp và Môi trường theo dõi độ mặn hằng ngày, thông báo kịp thời"
            " lịch lấy nước cho sản xuất.",
            "2. Ủy ban nhân dân các xã, phường, đặc khu bảo đảm nước sinh hoạt cho người dân"
            " vùng bị ảnh hưởng./.",
        ),
    ),
    Directive(
        "giao-thong-trong-diem",
        "QD",
        "Quyết định",
        "QĐ-UBND",
        "KT",
        "giao-thong",
        28,
        "Quyết định phê duyệt danh mục công trình giao thông trọng điểm năm 2027",
        (
            "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH AN GIANG",
            *_BASIS,
            "QUYẾT ĐỊNH:",
            "Điều 1. Phê duyệt danh mục 12 công trình giao thông trọng điểm năm 2027 theo"
            " Phụ lục kèm theo.",
            "Điều 2. Quyết định này có hiệu lực kể từ ngày ký./.",
        ),
        withdrawn=True,
    ),
    Directive(
        "du-toan-ngan-sach",
        "QD",
        "Quyết định",
        "QĐ-UBND",
        "KT",
        "tai-chinh",
        21,
        "Quyết định giao dự toán thu ngân sách nhà nước, chi ngân sách địa phương năm 2027",
        (
            "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH AN GIANG",
            *_BASIS,
            "QUYẾT ĐỊNH:",
            "Điều 1. Giao dự toán thu ngân sách nhà nước trên địa bàn và chi ngân sách địa"
            " phương năm 2027 cho các sở, ban, ngành tỉnh và Ủy ban nhân dân các xã, phường,"
            " đặc khu theo các Phụ lục kèm theo.",
            "Điều 2. Sở Tài chính hướng dẫn, kiểm tra việc thực hiện./.",
        ),
    ),
    Directive(
        "tai-nguyen-nuoc-moi",
        "QD",
        "Quyết định",
        "QĐ-UBND",
        "KT",
        "nong-nghiep-moi-truong",
        12,
        "Quyết định ban hành Quy chế phối hợp quản lý nhà nước về tài nguyên nước trên địa"
        " bàn tỉnh (thay thế quyết định trước đây)",
        (
            "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH AN GIANG",
            *_BASIS,
            "QUYẾT ĐỊNH:",
            "Điều 1. Ban hành kèm theo Quyết định này Quy chế phối hợp quản lý nhà nước về"
            " tài nguyên nước trên địa bàn tỉnh An Giang, bổ sung trách nhiệm của các xã,"
            " phường, đặc khu sau sắp xếp đơn vị hành chính.",
            "Điều 2. Quyết định này có hiệu lực kể từ ngày ký và thay thế quyết định ban hành"
            " Quy chế trước đây./.",
        ),
        replaces="tai-nguyen-nuoc",
    ),
)


def _pdf(d: Directive, issued: date) -> bytes:
    return make_official_document(
        agency_upper="",
        agency_name="ỦY BAN NHÂN DÂN\nTỈNH AN GIANG",
        number_symbol=f"/{d.symbol}",
        place_date=f"An Giang, ngày      tháng      năm {issued.year}",
        type_name=d.type_name,
        abstract=d.abstract,
        paragraphs=list(d.paragraphs),
        signer_title="CHỦ TỊCH",
        signer_name=pdfs.CHU_TICH,
        recipients=["Như Điều 2", "TT. Tỉnh ủy, TT. HĐND tỉnh (để b/c)", "Lưu: VT, KT"],
        footer=pdfs.DEMO_FOOTER,
        creation_date=datetime.combine(issued, time(8), VN),
        draft=True,
    )


def seed_directives(engine: Engine, store: ObjectStore, settings: Settings, today: date) -> int:
    """Issue and publish :data:`DIRECTIVES` in date order; how many were published (none
    when the chairman has no demo certificate to sign with)."""
    setup = SigningSetup(settings)
    ids: dict[str, int] = {}
    for d in sorted(DIRECTIVES, key=lambda x: -x.days_ago):
        issued = today - timedelta(days=d.days_ago)
        data = _pdf(d, issued)
        blob = store.put_bytes(data)
        with session_scope(engine) as session:
            province = find_agency(session, PROVINCE)
            doc_id = draft_to(
                session,
                settings,
                province,
                d.type_code,
                d.unit,
                d.abstract,
                blob,
                f"{d.key}.pdf",
                replaces_id=ids.get(d.replaces),
                text=search.pdf_text(data),
            )
        if sign_and_issue(engine, store, setup, doc_id, issued_on=issued) is None:
            return 0
        with session_scope(engine) as session:
            clerk = as_user(session, "vanthu")
            amended = publication.of(session, ids[d.amends]) if d.amends else None
            publication.publish(
                session,
                clerk.actor,
                clerk.subject,
                load_view(session, doc_id),
                sector=d.sector,
                amends=[amended.slug] if amended else [],
            )
            if d.withdrawn:
                publication.end(
                    session,
                    clerk.actor,
                    clerk.subject,
                    load_view(session, doc_id),
                    how="withdraw",
                    on=issued + timedelta(days=3),
                    reason=WITHDRAWN_REASON,
                )
        ids[d.key] = doc_id
    return len(ids)
