"""Minutes and consultation tally PDFs: Vietnamese text survives extraction, counts and
times are right, secret ballots name nobody, long minutes keep the signature block whole
on the last page, and the returned boxes take two valid signatures."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from ecabinet.meetings.consultation_pdf import consultation_pdf
from ecabinet.meetings.minutes_model import (
    Attendee,
    ConsultationData,
    ConsultationReply,
    ItemRecord,
    MinutesData,
    Person,
    SpeakerRecord,
    VoteRecord,
)
from ecabinet.meetings.minutes_pdf import RenderedMinutes, minutes_pdf
from signing.keys import load_pkcs12
from signing.pades import sign_pdf
from signing.pdfio import VN
from signing.specs import FieldSpec
from tests.signing.checks import pdfsig
from tests.support.credentials import PASSPHRASE, Issuer

CHAIR = Person("Nguyễn Thanh Bình", "Chủ tịch UBND tỉnh")
SECRETARY = Person("Phạm Minh Tuấn", "Chánh Văn phòng UBND tỉnh")
RULE = "Quá nửa số thành viên có mặt"


def utc(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 3, 28, hour, minute, tzinfo=dt.UTC)


NAMED = VoteRecord(
    question="Thông qua kế hoạch vốn đầu tư công năm 2026",
    secret=False,
    rule_label_vi=RULE,
    options=[("Tán thành", 2), ("Không tán thành", 0), ("Không biểu quyết", 1)],
    eligible=4,
    cast=3,
    quorum_met=True,
    passed=True,
    result_label_vi="Thông qua",
    voters=[
        ("Trần Thị Mai", "Tán thành"),
        ("Võ Thị Hồng", "Tán thành"),
        ("Đặng Quốc Khánh", "Không biểu quyết"),
    ],
)
SECRET = VoteRecord(
    question="Giới thiệu nhân sự Phó Giám đốc Sở Tài chính",
    secret=True,
    rule_label_vi=RULE,
    options=[("Đồng ý", 2), ("Không đồng ý", 1)],
    eligible=4,
    cast=3,
    quorum_met=True,
    passed=True,
    result_label_vi="Thông qua",
    voters=[("Lý Thị Bí Mật", "Đồng ý")],  # a buggy caller: must still print no names
)
ATTENDANCE = [
    Attendee("Trần Thị Mai", "Phó Chủ tịch UBND tỉnh", "present", ""),
    Attendee("Võ Thị Hồng", "Phó Giám đốc Sở Tài chính", "online", "", "Lê Văn Hùng"),
    Attendee("Lê Văn Hùng", "Giám đốc Sở Tài chính", "absent", "Đi công tác Hà Nội"),
    Attendee("Đặng Quốc Khánh", "Giám đốc Sở Xây dựng", "present", ""),
    Attendee("Huỳnh Ngọc Ánh", "Giám đốc Sở Y tế", "absent", "Ốm"),
]


def item(order: int, votes: list[VoteRecord] | None = None, speak: bool = True) -> ItemRecord:
    return ItemRecord(
        order=order,
        title=f"Tờ trình số {order} về điều chỉnh quy hoạch đô thị Long Xuyên",
        presenter="Giám đốc Sở Xây dựng",
        planned_minutes=20,
        started_at=utc(1, 30),
        ended_at=utc(1, 55),
        documents=[f"Tờ trình {order}/TTr-SXD", "Dự thảo Quyết định"],
        speakers=[SpeakerRecord("Trần Thị Mai", utc(1, 30), utc(1, 42))] if speak else [],
        votes=votes or [],
    )


MINUTES = MinutesData(
    agency_parent="",
    agency_name="ỦY BAN NHÂN DÂN\nTỈNH AN GIANG",
    number_symbol="15/BB-UBND",
    place="An Giang",
    title="Cuộc họp thành viên Ủy ban nhân dân tỉnh thường kỳ tháng 3 năm 2026",
    kind="regular",
    started_at=utc(1, 0),
    ended_at=utc(4, 15),
    location="Phòng họp số 1, trụ sở Ủy ban nhân dân tỉnh",
    online_link="https://hop.angiang.gov.vn/p/thuong-ky",
    chair=CHAIR,
    secretary=SECRETARY,
    attendance=ATTENDANCE,
    agenda=[item(1, [NAMED]), item(2, [SECRET])],
    conclusions="1. Giao Sở Tài chính hoàn thiện kế hoạch.\n2. Giao Sở Xây dựng rà soát.\n\n"
    "Các sở, ngành khẩn trương thực hiện, báo cáo trước ngày 15 tháng 4 năm 2026.",
)


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text, whitespace collapsed (justified lines carry extra spaces)."""
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def text(pdf: bytes) -> str:
    return " ".join(pages_text(pdf))


@pytest.fixture(scope="module")
def minutes() -> RenderedMinutes:
    return minutes_pdf(MINUTES)


@pytest.fixture(scope="module")
def long_minutes() -> RenderedMinutes:
    return minutes_pdf(replace(MINUTES, agenda=[item(i, [NAMED]) for i in range(1, 31)]))


def test_vietnamese_headings_and_names_extract_in_nfc(minutes: RenderedMinutes) -> None:
    found = text(minutes.pdf)
    assert found == unicodedata.normalize("NFC", found)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN",
        "Số: 15/BB-UBND",
        "An Giang, ngày 28 tháng 3 năm 2026",
        "BIÊN BẢN",
        "Cuộc họp thành viên Ủy ban nhân dân tỉnh thường kỳ tháng 3 năm 2026",
        "THÀNH PHẦN THAM DỰ",
        "NỘI DUNG CUỘC HỌP",
        "KẾT LUẬN",
        "Họp thường kỳ",
        "Đặng Quốc Khánh",
        "Huỳnh Ngọc Ánh",
        "Dự thay Lê Văn Hùng",
        "Lý do: Đi công tác Hà Nội",
        "Giao Sở Xây dựng rà soát",
        "THƯ KÝ",
        "CHỦ TRÌ",
    ):
        assert expected in found, expected


def test_pdftotext_reads_the_same(minutes: RenderedMinutes, tmp_path: Path) -> None:
    path = tmp_path / "bb.pdf"
    path.write_bytes(minutes.pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "BIÊN BẢN" in out and "Nguyễn Thanh Bình" in out and "Phạm Minh Tuấn" in out


def test_attendance_counts(minutes: RenderedMinutes) -> None:
    assert (
        "Số đại biểu được triệu tập: 5; có mặt 3 (trực tiếp 2, trực tuyến 1); vắng mặt 2."
        in text(minutes.pdf)
    )


def test_times_shown_in_vietnam_time(minutes: RenderedMinutes) -> None:
    found = text(minutes.pdf)
    assert "Trần Thị Mai (08:30 - 08:42)" in found  # 01:30Z
    assert "bắt đầu lúc 08:00 ngày 28/03/2026, kết thúc lúc 11:15" in found
    assert "08:30 - 08:55 (dự kiến 20 phút, thực tế 25 phút)" in found
    assert "01:30" not in found


def test_named_vote_names_voters_and_secret_vote_none(minutes: RenderedMinutes) -> None:
    found = text(minutes.pdf)
    named, secret = found.split("Giới thiệu nhân sự", 1)
    assert "Thông qua kế hoạch vốn đầu tư công năm 2026" in named
    assert "Tán thành: 2; Không tán thành: 0; Không biểu quyết: 1" in named
    assert re.search(r"1 Trần Thị Mai Tán thành 2 Võ Thị Hồng Tán thành", named)
    assert "Đặng Quốc Khánh Không biểu quyết" in named
    assert "bỏ phiếu kín" in secret and RULE in secret
    assert "Đồng ý: 2; Không đồng ý: 1" in secret
    assert "Lý Thị Bí Mật" not in found
    assert "từng thành viên" not in secret.split("IV. KẾT LUẬN")[0]


def test_long_minutes_flow_and_signature_block_on_last_page(
    long_minutes: RenderedMinutes,
) -> None:
    pages = pages_text(long_minutes.pdf)
    assert len(pages) > 3
    last = len(pages) - 1
    assert long_minutes.secretary_box[0] == last and long_minutes.chair_box[0] == last
    for name in ("THƯ KÝ", "CHỦ TRÌ", CHAIR.name, SECRETARY.name):
        assert name in pages[last]
    for heading in ("THƯ KÝ", "CHỦ TRÌ"):  # the names also appear in "II." on page 1
        assert all(heading not in page for page in pages[:last])
    assert "30. Tờ trình số 30" in " ".join(pages)


def test_boxes_inside_page_apart_and_above_names(
    long_minutes: RenderedMinutes, tmp_path: Path
) -> None:
    _, sx1, sy1, sx2, sy2 = long_minutes.secretary_box
    _, cx1, cy1, cx2, cy2 = long_minutes.chair_box
    width, height = 595.28, 841.89
    for x1, y1, x2, y2 in ((sx1, sy1, sx2, sy2), (cx1, cy1, cx2, cy2)):
        assert 0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height
        assert 80 <= y2 - y1 <= 90  # about 30 mm
    assert sx2 <= cx1  # secretary on the left, chair on the right, not overlapping

    # Each name is centred under its box, below it and close (poppler: origin top left).
    path = tmp_path / "long.pdf"
    path.write_bytes(long_minutes.pdf)
    last = long_minutes.chair_box[0] + 1
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(last), "-l", str(last), str(path), "-"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    words = [
        (float(a), float(b), float(c), float(d), w)
        for a, b, c, d, w in re.findall(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)<', html
        )
    ]
    for person, (x1, y1, x2, _) in (
        (SECRETARY, (sx1, sy1, sx2, sy2)),
        (CHAIR, (cx1, cy1, cx2, cy2)),
    ):
        first = person.name.split()[0]
        hits = [w for w in words if w[4] == first and x1 <= w[0] <= x2]
        assert hits, person.name
        top_of_name = height - hits[-1][1]
        assert 0 < y1 - top_of_name < 30


def test_empty_lists_render() -> None:
    bare = replace(
        MINUTES,
        number_symbol="",
        online_link="",
        attendance=[],
        agenda=[item(1, speak=False), replace(item(2), documents=[], started_at=None)],
        conclusions="",
    )
    found = text(minutes_pdf(bare).pdf)
    assert "Ý kiến phát biểu: không có" in found
    assert "Tài liệu: không có" in found
    assert "không thảo luận tại cuộc họp" in found
    assert "Biểu quyết" not in found
    assert "Không có kết luận" in found
    empty = text(minutes_pdf(replace(bare, agenda=[])).pdf)
    assert "không có nội dung nào" in empty and "THƯ KÝ" in empty


def test_same_data_same_bytes(minutes: RenderedMinutes) -> None:
    assert minutes_pdf(MINUTES) == minutes


def test_naive_datetime_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        minutes_pdf(replace(MINUTES, started_at=dt.datetime(2026, 3, 28, 8, 0)))


def test_sign_at_the_boxes_secretary_then_chair(
    minutes: RenderedMinutes, ca: Issuer, tmp_path: Path
) -> None:
    data = minutes.pdf
    for field, box, who in (
        ("ThuKy", minutes.secretary_box, SECRETARY),
        ("ChuTri", minutes.chair_box, CHAIR),
    ):
        key = load_pkcs12(ca.pkcs12(who.name, use_rsa=True).data, PASSPHRASE)
        page, *rect = box
        spec = FieldSpec(
            name=field,
            page=page,
            rect=(rect[0], rect[1], rect[2], rect[3]),
            signed_at=dt.datetime(2026, 3, 28, 11, 30, tzinfo=VN),
            signer_name=who.name,
        )
        data = sign_pdf(data, key, spec)
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    report = pdfsig(path)
    assert report.count("Signature Validation: Signature is Valid.") == 2, report


# --- consultation tally ------------------------------------------------------------------

CONSULTATION = ConsultationData(
    agency_parent="UBND TỈNH AN GIANG",
    agency_name="VĂN PHÒNG",
    number_symbol="",
    place="An Giang",
    title="Lấy ý kiến thành viên UBND tỉnh về dự thảo Quyết định ban hành Quy chế",
    question="Đồng ý ban hành Quy chế làm việc của Ủy ban nhân dân tỉnh?",
    documents=["Dự thảo Quy chế làm việc", "Tờ trình số 12/TTr-VP"],
    sent_at=utc(2, 0),
    deadline=dt.datetime(2026, 3, 30, 10, 0, tzinfo=dt.UTC),
    compiled_at=dt.datetime(2026, 3, 30, 10, 5, tzinfo=dt.UTC),
    replies=[
        ConsultationReply("Trần Thị Mai", "Phó Chủ tịch", "agree", "", utc(3, 0)),
        ConsultationReply(
            "Võ Thị Hồng", "Giám đốc Sở Tư pháp", "agree", "Sửa Điều 5: thêm hạn.", utc(1, 30)
        ),
        ConsultationReply("Đặng Quốc Khánh", "Giám đốc Sở Xây dựng", "disagree", "Chưa rõ."),
        ConsultationReply("Huỳnh Ngọc Ánh", "Giám đốc Sở Y tế", "comment", "Bổ sung y tế."),
        ConsultationReply("Lê Văn Hùng", "Giám đốc Sở Tài chính", None),
        ConsultationReply("Ngô Đức Lợi", "Giám đốc Sở Nội vụ", None),
    ],
    compiled_by=SECRETARY,
)


def test_consultation_tally_counts_and_comments() -> None:
    found = text(consultation_pdf(CONSULTATION))
    assert found == unicodedata.normalize("NFC", found)
    for expected in (
        "TỔNG HỢP PHIẾU LẤY Ý KIẾN",
        "Đồng ý ban hành Quy chế làm việc của Ủy ban nhân dân tỉnh?",
        "Dự thảo Quy chế làm việc",
        "Hạn trả lời: 17:00 ngày 30/03/2026",
        "Số người được lấy ý kiến: 6.",
        "Số người đã trả lời: 4.",
        "Đồng ý: 2.",
        "Không đồng ý: 1.",
        "Chỉ góp ý: 1.",
        "Chưa trả lời: 2.",
        "Võ Thị Hồng, Giám đốc Sở Tư pháp (Đồng ý - 08:30 ngày 28/03/2026): Sửa Điều 5",
        "Đặng Quốc Khánh, Giám đốc Sở Xây dựng (Không đồng ý): Chưa rõ.",
        "Huỳnh Ngọc Ánh",
        "NGƯỜI TỔNG HỢP",
        SECRETARY.name,
    ):
        assert expected in found, expected


def test_consultation_with_nothing_renders() -> None:
    empty = replace(CONSULTATION, documents=[], replies=[], compiled_by=None)
    found = text(consultation_pdf(empty))
    assert "Số người được lấy ý kiến: 0." in found
    assert "Không có ý kiến góp ý." in found and "Tài liệu kèm theo: không có." in found
    assert "NGƯỜI TỔNG HỢP" not in found
