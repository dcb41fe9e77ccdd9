"""A long meeting document for the demo: the draft scheme (đề án) on the province's digital
transformation 2026-2030, more than thirty A4 pages laid out after Decree 30, so that the
meeting room's reader is tried on what a province's meetings really bring (a tablet must
stay smooth on it). The figures are invented and derived from the names, so the same bytes
come out every time."""

from __future__ import annotations

import datetime as dt
import functools
import zlib

from documents.layout.official import make_official_document
from documents.layout.page import place_date_line
from ecabinet.demo.pdfs import DEMO_FOOTER

TITLE = "Đề án chuyển đổi số tỉnh An Giang giai đoạn 2026-2030"
FILENAME = "De-an-chuyen-doi-so-2026-2030.pdf"

# (sector, agency in charge, main systems, what people gain)
SECTORS = (
    (
        "y tế",
        "Sở Y tế",
        "hồ sơ sức khỏe điện tử, bệnh án điện tử và khám chữa bệnh từ xa",
        "người dân được khám, chữa bệnh thuận lợi, giảm thời gian chờ đợi tại cơ sở y tế",
    ),
    (
        "giáo dục và đào tạo",
        "Sở Giáo dục và Đào tạo",
        "học bạ số, sổ điểm điện tử, kho học liệu số dùng chung và tuyển sinh trực tuyến",
        "học sinh được học tập trên môi trường số, phụ huynh theo dõi kết quả học tập hằng ngày",
    ),
    (
        "nông nghiệp và môi trường",
        "Sở Nông nghiệp và Môi trường",
        "cơ sở dữ liệu đất đai, truy xuất nguồn gốc nông sản và quan trắc môi trường tự động",
        "nông dân tiếp cận thông tin thị trường, thời tiết, dịch bệnh kịp thời",
    ),
    (
        "xây dựng và giao thông",
        "Sở Xây dựng",
        "cấp phép xây dựng trực tuyến, bản đồ quy hoạch số và giám sát giao thông thông minh",
        "doanh nghiệp rút ngắn thời gian cấp phép, người dân tra cứu quy hoạch thuận tiện",
    ),
    (
        "du lịch",
        "Sở Văn hóa, Thể thao và Du lịch",
        "cổng du lịch thông minh, thuyết minh tự động tại điểm đến và vé điện tử",
        "du khách tìm hiểu, đặt dịch vụ và thanh toán không dùng tiền mặt",
    ),
    (
        "tài chính và đầu tư",
        "Sở Tài chính",
        "quản lý ngân sách, đầu tư công và đăng ký doanh nghiệp trên môi trường mạng",
        "nhà đầu tư nắm bắt thông tin, thủ tục minh bạch, giải ngân nhanh hơn",
    ),
    (
        "công thương",
        "Sở Công Thương",
        "sàn thương mại điện tử của tỉnh, quản lý thị trường và năng lượng số",
        "hợp tác xã và hộ kinh doanh đưa sản phẩm lên sàn, mở rộng thị trường",
    ),
    (
        "nội vụ",
        "Sở Nội vụ",
        "cơ sở dữ liệu cán bộ, công chức, viên chức và quản lý lao động, việc làm",
        "người lao động tìm việc, cơ quan quản lý nhân sự chính xác, kịp thời",
    ),
    (
        "tư pháp",
        "Sở Tư pháp",
        "hộ tịch điện tử, lý lịch tư pháp trực tuyến và cơ sở dữ liệu văn bản pháp luật",
        "người dân làm thủ tục hộ tịch, lý lịch tư pháp không phải đến trụ sở",
    ),
    (
        "khoa học và công nghệ",
        "Sở Khoa học và Công nghệ",
        "trung tâm dữ liệu của tỉnh, nền tảng tích hợp, chia sẻ dữ liệu và an toàn thông tin",
        "các hệ thống kết nối, chia sẻ dữ liệu, tránh yêu cầu người dân cung cấp lại giấy tờ",
    ),
    (
        "tài nguyên biển và hải đảo",
        "Sở Nông nghiệp và Môi trường",
        "giám sát tàu cá, quản lý vùng biển và cảnh báo thiên tai ven biển",
        "ngư dân được cảnh báo sớm, khai thác hải sản đúng quy định",
    ),
    (
        "an sinh xã hội",
        "Sở Y tế",
        "chi trả trợ cấp không dùng tiền mặt và quản lý đối tượng bảo trợ xã hội",
        "người hưởng chính sách nhận trợ cấp đầy đủ, đúng hạn qua tài khoản",
    ),
)

COMMUNES = (
    "phường Long Xuyên",
    "phường Bình Đức",
    "phường Mỹ Thới",
    "phường Châu Đốc",
    "phường Vĩnh Tế",
    "phường Tân Châu",
    "phường Long Phú",
    "phường Rạch Giá",
    "phường Vĩnh Thông",
    "phường Hà Tiên",
    "phường Tô Châu",
    "phường Chi Lăng",
    "phường Tịnh Biên",
    "phường Thới Sơn",
    "phường Long Châu",
    "đặc khu Phú Quốc",
    "đặc khu Kiên Hải",
    "đặc khu Thổ Châu",
    "xã Mỹ Hòa Hưng",
    "xã Óc Eo",
    "xã Thoại Sơn",
    "xã Tri Tôn",
    "xã Ba Chúc",
    "xã Cô Tô",
    "xã An Phú",
    "xã Khánh Bình",
    "xã Nhơn Hội",
    "xã Phú Tân",
    "xã Chợ Vàm",
    "xã Châu Phú",
    "xã Thạnh Mỹ Tây",
    "xã Chợ Mới",
    "xã Hội An",
    "xã Châu Thành",
    "xã Bình Hòa",
    "xã Hòn Đất",
    "xã Kiên Lương",
    "xã Giang Thành",
    "xã Gò Quao",
    "xã Vĩnh Thuận",
    "xã An Biên",
    "xã U Minh Thượng",
    "xã Giồng Riềng",
    "xã Tân Hiệp",
    "xã Bình Mỹ",
    "xã Vĩnh Hanh",
    "xã Cần Đăng",
    "xã Phú Hòa",
    "xã Vĩnh Gia",
    "xã Lạc Quới",
    "xã Long Kiến",
    "xã Mỹ Đức",
    "xã Hòa Lạc",
    "xã Thạnh Lộc",
    "xã Đông Thái",
    "xã Vân Khánh",
    "xã Tây Yên",
    "xã Sơn Kiên",
    "xã Bình Sơn",
    "xã Định Hòa",
    "xã Vĩnh Phong",
    "xã Ngọc Chúc",
    "xã Thạnh Đông",
    "xã Tân Hội",
)

YEARS = (2026, 2027, 2028, 2029, 2030)


def _n(seed: str, low: int, high: int) -> int:
    """A number in [low, high] that depends only on ``seed`` (the demo's invented figures)."""
    return low + zlib.crc32(seed.encode()) % (high - low + 1)


def _preamble() -> list[str]:
    return [
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
        "Căn cứ Luật Giao dịch điện tử ngày 22 tháng 6 năm 2023;",
        "Căn cứ Luật Dữ liệu ngày 30 tháng 11 năm 2024;",
        "Căn cứ Quyết định số 749/QĐ-TTg ngày 03 tháng 6 năm 2020 của Thủ tướng Chính phủ"
        " phê duyệt Chương trình Chuyển đổi số quốc gia đến năm 2025, định hướng đến năm 2030;",
        "Căn cứ Nghị quyết số 57-NQ/TW ngày 22 tháng 12 năm 2024 của Bộ Chính trị về đột phá"
        " phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia;",
        "I. SỰ CẦN THIẾT XÂY DỰNG ĐỀ ÁN",
        "Sau khi sắp xếp đơn vị hành chính năm 2025, tỉnh An Giang có diện tích tự nhiên lớn,"
        " địa bàn trải dài từ biên giới Tây Nam đến vùng biển, đảo Phú Quốc; dân cư phân bố"
        " không đều, nhiều xã vùng sâu, vùng biên giới và hải đảo. Việc chỉ đạo, điều hành"
        " trên địa bàn rộng đòi hỏi bộ máy chính quyền hoạt động thông suốt trên môi trường"
        " số, giảm việc đi lại, hội họp trực tiếp và bảo đảm thông tin đến người dân kịp thời.",
        "Những năm qua, công tác chuyển đổi số của hai tỉnh trước sắp xếp đã đạt nhiều kết quả:"
        " hệ thống quản lý văn bản và điều hành được triển khai đến cấp xã, văn bản điện tử có"
        " ký số chiếm tỷ lệ cao, phòng họp không giấy tờ được sử dụng tại Ủy ban nhân dân tỉnh."
        " Tuy nhiên, các hệ thống được đầu tư riêng lẻ, dữ liệu chưa được kết nối, chia sẻ,"
        " nhiều thủ tục hành chính vẫn yêu cầu người dân nộp giấy tờ đã có trong cơ sở dữ liệu"
        " của cơ quan nhà nước.",
        "Vì vậy, việc xây dựng Đề án chuyển đổi số tỉnh An Giang giai đoạn 2026-2030 là cần"
        " thiết, nhằm thống nhất các nền tảng dùng chung, hợp nhất dữ liệu của tỉnh mới, phát"
        " triển đồng bộ chính quyền số, kinh tế số và xã hội số, lấy người dân và doanh nghiệp"
        " làm trung tâm.",
    ]


def _status() -> list[str]:
    out = ["II. THỰC TRẠNG CHUYỂN ĐỔI SỐ TRÊN CÁC LĨNH VỰC"]
    for i, (sector, agency, systems, _) in enumerate(SECTORS, start=1):
        done = _n(sector + "done", 42, 78)
        online = _n(sector + "online", 35, 70)
        staff = _n(sector + "staff", 120, 960)
        out += [
            f"{i}. Lĩnh vực {sector}",
            f"a) Kết quả đạt được. {agency} đã triển khai một phần các hệ thống {systems};"
            f" đến hết năm 2025, khoảng {done}% đơn vị trực thuộc sử dụng phần mềm quản lý"
            f" chuyên ngành, {online}% thủ tục hành chính của lĩnh vực được cung cấp trực tuyến"
            f" toàn trình, {staff} cán bộ, công chức, viên chức được tập huấn kỹ năng số. Dữ liệu"
            " chuyên ngành từng bước được số hóa, phục vụ công tác quản lý và báo cáo định kỳ"
            " của tỉnh và của bộ, ngành Trung ương.",
            "b) Tồn tại, hạn chế. Hạ tầng kỹ thuật tại nhiều đơn vị cấp xã đã xuống cấp, đường"
            " truyền chưa ổn định, nhất là ở các xã biên giới và đặc khu; phần mềm của hai tỉnh"
            " trước sắp xếp chưa được hợp nhất, còn tình trạng nhập liệu hai lần; dữ liệu chưa"
            " đạt yêu cầu đúng, đủ, sạch, sống; tỷ lệ hồ sơ trực tuyến thực chất còn thấp so với"
            " số thủ tục được cung cấp; nhân lực chuyên trách công nghệ thông tin còn thiếu, chế"
            " độ đãi ngộ chưa đủ sức thu hút.",
            "c) Nguyên nhân. Nhận thức của một bộ phận cán bộ, người dân về chuyển đổi số chưa"
            " đầy đủ; kinh phí đầu tư còn phân tán, chưa tương xứng với yêu cầu; cơ chế chia sẻ"
            " dữ liệu giữa các cơ quan chưa hoàn thiện; việc sắp xếp tổ chức bộ máy trong năm"
            " 2025 làm thay đổi quy trình nghiệp vụ, cần thời gian để các hệ thống thích ứng.",
            f"d) Đánh giá chung. So với yêu cầu của Chương trình Chuyển đổi số quốc gia, lĩnh vực"
            f" {sector} đạt khoảng {_n(sector + 'score', 48, 81)}% khối lượng nhiệm vụ; các chỉ"
            " tiêu về dịch vụ công trực tuyến, số hóa hồ sơ và kết nối dữ liệu cần được ưu tiên"
            " trong giai đoạn tới; kinh nghiệm triển khai ở các đơn vị làm tốt cần được nhân"
            " rộng trên toàn tỉnh.",
        ]
    return out


def _goals() -> list[str]:
    out = [
        "III. QUAN ĐIỂM, MỤC TIÊU",
        "1. Quan điểm",
        "Chuyển đổi số là nhiệm vụ trọng tâm, xuyên suốt của cả hệ thống chính trị; người đứng"
        " đầu trực tiếp chỉ đạo và chịu trách nhiệm về kết quả chuyển đổi số của cơ quan, địa"
        " phương mình. Người dân và doanh nghiệp là trung tâm, là chủ thể của chuyển đổi số;"
        " dữ liệu là tài nguyên, được quản lý thống nhất, chia sẻ theo quy định; an toàn, an"
        " ninh mạng là yêu cầu xuyên suốt, không thể tách rời.",
        "2. Mục tiêu đến năm 2030",
        "Tỉnh An Giang thuộc nhóm các tỉnh dẫn đầu khu vực đồng bằng sông Cửu Long về chỉ số"
        " chuyển đổi số; chính quyền số vận hành dựa trên dữ liệu; kinh tế số chiếm tối thiểu"
        " 25% tổng sản phẩm trên địa bàn; 100% hồ sơ công việc tại cấp tỉnh, 90% tại cấp xã"
        " được xử lý trên môi trường mạng, trừ hồ sơ công việc thuộc phạm vi bí mật nhà nước.",
        "3. Mục tiêu cụ thể theo từng năm",
    ]
    for k, year in enumerate(YEARS):
        share = 60 + 8 * k
        out.append(
            f"Năm {year}: {share}% thủ tục hành chính đủ điều kiện được cung cấp trực tuyến toàn"
            f" trình; {min(100, 70 + 7 * k)}% văn bản trao đổi giữa các cơ quan hành chính dưới"
            f" dạng điện tử có ký số; {min(100, 55 + 10 * k)}% cuộc họp của Ủy ban nhân dân tỉnh"
            f" và các sở, ngành được tổ chức không giấy tờ; {40 + 10 * k}% người trưởng thành có"
            f" tài khoản định danh điện tử mức độ 2 sử dụng dịch vụ công trực tuyến; kinh tế số"
            f" chiếm {12 + 3 * k}% tổng sản phẩm trên địa bàn tỉnh."
        )
    return out


def _tasks() -> list[str]:
    out = ["IV. NHIỆM VỤ VÀ GIẢI PHÁP CHỦ YẾU"]
    for i, (sector, agency, systems, gain) in enumerate(SECTORS, start=1):
        budget = _n(sector + "budget", 18, 240)
        out += [
            f"{i}. Chuyển đổi số trong lĩnh vực {sector}",
            f"{agency} chủ trì hoàn thiện, hợp nhất các hệ thống {systems} của tỉnh sau sắp"
            " xếp; rà soát, chuẩn hóa quy trình nghiệp vụ trước khi số hóa, bảo đảm mỗi quy trình"
            " chỉ có một điểm nhập dữ liệu và dữ liệu được dùng lại cho các thủ tục liên quan.",
            "Xây dựng cơ sở dữ liệu chuyên ngành kết nối với Cơ sở dữ liệu quốc gia về dân cư"
            " qua nền tảng tích hợp, chia sẻ dữ liệu của tỉnh; công bố danh mục dữ liệu mở của"
            " ngành để doanh nghiệp, người dân khai thác, sử dụng; cập nhật dữ liệu thường xuyên,"
            " có phân công trách nhiệm cụ thể đến từng phòng, đơn vị.",
            f"Đẩy mạnh cung cấp dịch vụ trực tuyến để {gain}; tổ chức hướng dẫn tại bộ phận một"
            " cửa và qua tổ công nghệ số cộng đồng ở từng ấp, khu phố; đánh giá mức độ hài lòng"
            " của người dân sau mỗi lần sử dụng dịch vụ.",
            f"Kinh phí dự kiến cho lĩnh vực {sector} giai đoạn 2026-2030 khoảng {budget} tỷ đồng,"
            " bố trí từ ngân sách tỉnh, nguồn vốn các chương trình mục tiêu quốc gia và huy động"
            " doanh nghiệp tham gia theo hình thức thuê dịch vụ công nghệ thông tin.",
            "Bảo đảm an toàn thông tin theo cấp độ cho các hệ thống của ngành; giám sát an toàn"
            " thông tin tập trung tại Trung tâm giám sát, điều hành an toàn, an ninh mạng của"
            " tỉnh; diễn tập ứng cứu sự cố ít nhất một lần mỗi năm; sao lưu dữ liệu định kỳ,"
            " có phương án khôi phục khi xảy ra sự cố.",
            f"Bồi dưỡng kỹ năng số cho đội ngũ cán bộ, công chức, viên chức ngành {sector}; mỗi"
            " cơ quan, đơn vị có ít nhất một người phụ trách chuyển đổi số; đưa kết quả chuyển"
            " đổi số vào tiêu chí đánh giá, xếp loại tập thể và cá nhân hằng năm.",
        ]
    return out


def _communes() -> list[str]:
    out = [
        "V. CHỈ TIÊU GIAO CHO CÁC XÃ, PHƯỜNG, ĐẶC KHU",
        "Ủy ban nhân dân các xã, phường, đặc khu căn cứ chỉ tiêu dưới đây xây dựng kế hoạch"
        " hằng năm, bố trí nhân lực và kinh phí thực hiện; định kỳ hằng quý báo cáo kết quả về"
        " Sở Khoa học và Công nghệ để tổng hợp, báo cáo Ủy ban nhân dân tỉnh.",
    ]
    for i, name in enumerate(COMMUNES, start=1):
        teams = _n(name + "teams", 6, 38)
        cashless = _n(name + "cashless", 45, 85)
        out.append(
            f"{i}. {name[0].upper()}{name[1:]}: thành lập và duy trì {teams} tổ công nghệ số"
            f" cộng đồng; đến năm 2030, {cashless}% hộ gia đình sử dụng thanh toán không dùng"
            " tiền mặt, 100% hồ sơ công việc của Ủy ban nhân dân được xử lý trên môi trường"
            " mạng; hoàn thành số hóa sổ hộ tịch và hồ sơ địa chính lưu trữ tại địa phương"
            f" trước năm {2027 + i % 3}."
        )
    return out


PROJECT_KINDS = (
    ("Nâng cấp, hợp nhất hệ thống", "các phần mềm nghiệp vụ của hai tỉnh trước sắp xếp"),
    ("Xây dựng cơ sở dữ liệu", "dữ liệu chuyên ngành kết nối nền tảng dùng chung của tỉnh"),
    ("Thuê dịch vụ nền tảng", "dịch vụ trực tuyến cho người dân và doanh nghiệp"),
)


def _projects() -> list[str]:
    out = [
        "VII. DANH MỤC DỰ ÁN, NHIỆM VỤ ƯU TIÊN",
        "Các dự án dưới đây được ưu tiên bố trí vốn trong kế hoạch đầu tư công trung hạn"
        " giai đoạn 2026-2030; cơ quan chủ trì lập hồ sơ theo quy định về quản lý đầu tư ứng"
        " dụng công nghệ thông tin sử dụng ngân sách nhà nước.",
    ]
    number = 0
    for sector, agency, systems, _ in SECTORS:
        for kind, scope in PROJECT_KINDS:
            number += 1
            start = 2026 + _n(sector + kind, 0, 2)
            out.append(
                f"{number}. {kind} lĩnh vực {sector}: {scope}, gồm {systems}. Cơ quan chủ trì:"
                f" {agency}. Thời gian thực hiện: {start}-{start + _n(kind + sector, 1, 3)}."
                f" Tổng mức đầu tư dự kiến: {_n(sector + kind + 'v', 4, 96)} tỷ đồng. Kết quả:"
                " hệ thống vận hành ổn định, dữ liệu được kết nối với nền tảng tích hợp, chia"
                " sẻ dữ liệu của tỉnh và được cập nhật thường xuyên."
            )
    return out


def _execution() -> list[str]:
    out = ["VI. TỔ CHỨC THỰC HIỆN"]
    agencies = sorted({agency for _, agency, _, _ in SECTORS})
    for i, agency in enumerate(agencies, start=1):
        fields = ", ".join(s for s, a, _, _ in SECTORS if a == agency)
        out.append(
            f"{i}. {agency}: chủ trì triển khai các nhiệm vụ chuyển đổi số trong lĩnh vực"
            f" {fields}; xây dựng kế hoạch chi tiết hằng năm, dự toán kinh phí gửi Sở Tài chính"
            " thẩm định; phối hợp với Sở Khoa học và Công nghệ bảo đảm kết nối, chia sẻ dữ liệu"
            " và an toàn thông tin; báo cáo kết quả thực hiện trước ngày 15 tháng cuối quý."
        )
    out += [
        f"{len(agencies) + 1}. Văn phòng Ủy ban nhân dân tỉnh: theo dõi, đôn đốc việc thực hiện"
        " Đề án; vận hành hệ thống quản lý văn bản, điều hành và phòng họp không giấy tờ của"
        " Ủy ban nhân dân tỉnh; tham mưu tổ chức sơ kết vào năm 2028 và tổng kết vào năm 2030.",
        "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc hoặc cần sửa đổi, bổ sung nội"
        " dung Đề án, các cơ quan, đơn vị, địa phương kịp thời báo cáo Ủy ban nhân dân tỉnh"
        " (qua Sở Khoa học và Công nghệ) để xem xét, quyết định./.",
    ]
    return out


@functools.cache
def digital_transformation_scheme() -> bytes:
    """The draft scheme as an A4 PDF of more than thirty pages (same bytes every time)."""
    issued = dt.date(2026, 11, 20)
    return make_official_document(
        agency_upper="UBND TỈNH AN GIANG",
        agency_name="SỞ KHOA HỌC VÀ CÔNG NGHỆ",
        number_symbol="    /ĐA-SKHCN",
        place_date=place_date_line("An Giang", issued),
        type_name="Đề án",
        abstract="Chuyển đổi số tỉnh An Giang giai đoạn 2026-2030 (dự thảo trình phiên họp)",
        paragraphs=_preamble()
        + _status()
        + _goals()
        + _tasks()
        + _communes()
        + _projects()
        + _execution(),
        signer_title="KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
        signer_name="Lê Văn Hùng",
        recipients=["Ủy ban nhân dân tỉnh (để trình)", "Các sở, ban, ngành tỉnh", "Lưu: VT, CĐS"],
        footer=DEMO_FOOTER,
    )
