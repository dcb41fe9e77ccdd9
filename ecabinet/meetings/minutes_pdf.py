"""The minutes of a meeting (biên bản họp) as a Decree 30 PDF, from what happened.

Pure: :class:`~ecabinet.meetings.minutes_model.MinutesData` in, PDF bytes and the two
signature boxes out; no database, no clock (the PDF's creation date is the meeting's
start), so the same data gives the same bytes. Sections: header, "BIÊN BẢN" and the
title, I. time and place, II. who attended, III. each agenda item (times, presenter,
documents, speakers, votes), IV. conclusions, then "THƯ KÝ" (left) and "CHỦ TRÌ"
(right) kept together on the last page with room for the signature images.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from fpdf import FPDF

from ecabinet.meetings.minutes_model import Attendee, ItemRecord, MinutesData, VoteRecord
from ecabinet.meetings.pdf_layout import (
    SIZE,
    SignatureBox,
    Signer,
    day_vi,
    heading,
    hhmm,
    line,
    official_document,
    paragraph,
    signature_block,
    table,
    title_block,
    vn,
)

KINDS = {
    "regular": "Họp thường kỳ",
    "extraordinary": "Họp bất thường",
    "thematic": "Họp chuyên đề",
    "working": "Họp làm việc",
}
"""The meeting kinds of ``Meeting.kind`` in Vietnamese; other values print as given."""
STATUS = {"present": "Có mặt", "online": "Trực tuyến", "absent": "Vắng mặt"}
SUB_INDENT = 6.0
"""Indent (mm) of the lines under an agenda item."""


@dataclass(frozen=True)
class RenderedMinutes:
    """The minutes' PDF and where each signature goes."""

    pdf: bytes
    secretary_box: SignatureBox
    """(page index, x1, y1, x2, y2) in points, origin bottom left: the secretary's
    signature image (left column)."""
    chair_box: SignatureBox
    """The same for the chair (right column)."""


def minutes_pdf(data: MinutesData) -> RenderedMinutes:
    """Render the minutes of ``data``; long minutes flow over several pages, and the
    signature block is never split. Raises ValueError for a naive datetime."""
    start = vn(data.started_at)
    pdf = official_document(
        title=f"Biên bản {data.number_symbol}".strip(),
        subject=data.title,
        agency_upper=data.agency_parent,
        agency_name=data.agency_name,
        number_symbol=data.number_symbol,
        place=data.place,
        dated=start,
    )
    title_block(pdf, "Biên bản", data.title)

    _time_and_place(pdf, data)
    _attendance(pdf, data)
    heading(pdf, "III. NỘI DUNG CUỘC HỌP")
    if not data.agenda:
        paragraph(pdf, [("I", "Cuộc họp không có nội dung nào trong chương trình.")])
    for item in data.agenda:
        _item(pdf, item, data)
    _conclusions(pdf, data)

    secretary, chair = signature_block(
        pdf,
        [Signer("Thư ký", data.secretary.name), Signer("Chủ trì", data.chair.name)],
    )
    assert secretary is not None and chair is not None
    return RenderedMinutes(bytes(pdf.output()), secretary, chair)


def _time_and_place(pdf: FPDF, data: MinutesData) -> None:
    start, end = vn(data.started_at), vn(data.ended_at)
    heading(pdf, "I. THỜI GIAN, ĐỊA ĐIỂM, HÌNH THỨC")
    ended = hhmm(end) if end.date() == start.date() else f"{hhmm(end)} ngày {day_vi(end)}"
    line(
        pdf,
        "Thời gian",
        f"bắt đầu lúc {hhmm(start)} ngày {day_vi(start)}, kết thúc lúc {ended}"
        " (giờ Việt Nam, UTC+07:00).",
    )
    if data.location.strip():
        line(pdf, "Địa điểm", data.location.strip() + ".")
    kind = KINDS.get(data.kind, data.kind).strip()
    if kind:
        line(pdf, "Loại cuộc họp", kind + ".")
    place, link = data.location.strip(), data.online_link.strip()
    form = "kết hợp trực tiếp và trực tuyến" if place and link else "trực tuyến" if link else ""
    line(pdf, "Hình thức", (form or "trực tiếp") + ", không giấy tờ trên hệ thống eCabinet.")
    if link:
        line(pdf, "Đường dẫn họp trực tuyến", link)


def _attendance(pdf: FPDF, data: MinutesData) -> None:
    heading(pdf, "II. THÀNH PHẦN THAM DỰ")
    line(pdf, "Chủ trì", _person(data.chair.name, data.chair.title))
    line(pdf, "Thư ký", _person(data.secretary.name, data.secretary.title))
    people = list(data.attendance)
    counts = Counter(a.status for a in people)
    present, online, absent = counts["present"], counts["online"], counts["absent"]
    line(
        pdf,
        "Số đại biểu được triệu tập",
        f"{len(people)}; có mặt {present + online} (trực tiếp {present}, trực tuyến "
        f"{online}); vắng mặt {absent}.",
    )
    if not people:
        return
    rows = [["STT", "Họ và tên", "Chức vụ", "Tham dự", "Ghi chú"]]
    rows += [[str(i), a.name, a.title, STATUS[a.status], _note(a)] for i, a in enumerate(people, 1)]
    table(pdf, (11, 42, 46, 24, 42), rows, centred=(0, 3))


def _note(attendee: Attendee) -> str:
    notes = []
    if attendee.deputy_for.strip():
        notes.append(f"Dự thay {attendee.deputy_for.strip()}")
    if attendee.status == "absent":
        notes.append(f"Lý do: {attendee.reason.strip()}" if attendee.reason.strip() else "")
    return "; ".join(n for n in notes if n)


def _item(pdf: FPDF, item: ItemRecord, data: MinutesData) -> None:
    if pdf.get_y() + 30 > pdf.page_break_trigger:
        pdf.add_page()  # an item's title never ends a page alone
    paragraph(pdf, [("B", f"{item.order}. {item.title.strip()}")], top=2.0)
    line(pdf, "Thời gian", _item_time(item, data), indent=SUB_INDENT)
    if item.presenter.strip():
        line(pdf, "Trình bày", item.presenter.strip() + ".", indent=SUB_INDENT)
    if item.documents:
        line(pdf, "Tài liệu", "", indent=SUB_INDENT)
        for title in item.documents:
            paragraph(pdf, [("", f"+ {title.strip()}")], indent=SUB_INDENT + 5)
    else:
        line(pdf, "Tài liệu", "không có.", indent=SUB_INDENT)
    if item.speakers:
        line(pdf, "Ý kiến phát biểu", "", indent=SUB_INDENT)
        for speaker in item.speakers:
            end = f" - {hhmm(speaker.ended_at)}" if speaker.ended_at is not None else ""
            turn = f"+ {speaker.name.strip()} ({hhmm(speaker.started_at)}{end})"
            paragraph(pdf, [("", turn)], indent=SUB_INDENT + 5)
    else:
        line(pdf, "Ý kiến phát biểu", "không có.", indent=SUB_INDENT)
    for number, vote in enumerate(item.votes, 1):
        _vote(pdf, vote, number if len(item.votes) > 1 else 0)


def _item_time(item: ItemRecord, data: MinutesData) -> str:
    planned = f"dự kiến {item.planned_minutes} phút"
    if item.started_at is None:
        return f"không thảo luận tại cuộc họp ({planned})."
    start = hhmm(item.started_at)
    if vn(item.started_at).date() != vn(data.started_at).date():
        start += f" ngày {day_vi(item.started_at)}"
    if item.ended_at is None:
        return f"từ {start} ({planned})."
    spent = round((item.ended_at - item.started_at).total_seconds() / 60)
    return f"{start} - {hhmm(item.ended_at)} ({planned}, thực tế {spent} phút)."


def _vote(pdf: FPDF, vote: VoteRecord, number: int) -> None:
    indent = SUB_INDENT
    label = f"Biểu quyết {number}" if number else "Biểu quyết"
    line(pdf, label, vote.question.strip(), indent=indent)
    sub = indent + 5
    form = "bỏ phiếu kín" if vote.secret else "biểu quyết công khai (ghi danh)"
    paragraph(pdf, [("", f"+ Hình thức: {form}; nguyên tắc: {vote.rule_label_vi}.")], indent=sub)
    quorum = "đủ" if vote.quorum_met else "không đủ"
    paragraph(
        pdf,
        [
            (
                "",
                f"+ Số thành viên có quyền biểu quyết: {vote.eligible}; số tham gia biểu "
                f"quyết: {vote.cast} ({quorum} số lượng theo quy định).",
            )
        ],
        indent=sub,
    )
    if vote.voided_reason is not None:
        counts = "không kiểm phiếu (không đủ số người giữ khóa giải mã)"
    else:
        counts = "; ".join(f"{label}: {count}" for label, count in vote.options) or "không có"
    paragraph(pdf, [("", f"+ Kết quả: {counts}.")], indent=sub)
    verdict = (
        vote.result_label_vi.strip()
        or {
            True: "Thông qua",
            False: "Không thông qua",
            None: "Không áp dụng",
        }[vote.passed]
    )
    paragraph(pdf, [("", "+ "), ("B", "Kết luận: "), ("B", verdict + ".")], indent=sub)
    if vote.record_hash:  # the published record anyone can check the count against
        paragraph(
            pdf,
            [("", f"+ Hồ sơ kiểm phiếu mã hóa, mã băm SHA-256: {vote.record_hash}.")],
            indent=sub,
        )
    # A secret ballot never names its voters, whatever the caller passed.
    if vote.secret or not vote.voters:
        return
    paragraph(pdf, [("", "+ Kết quả biểu quyết của từng thành viên:")], indent=sub)
    rows = [["STT", "Họ và tên", "Lựa chọn"]]
    rows += [[str(i), name, choice] for i, (name, choice) in enumerate(vote.voters, 1)]
    table(pdf, (11, 70, 60), rows, indent=sub, size=SIZE - 2)


def _conclusions(pdf: FPDF, data: MinutesData) -> None:
    heading(pdf, "IV. KẾT LUẬN")
    blocks = [b.strip() for b in data.conclusions.replace("\r\n", "\n").split("\n\n")]
    blocks = [b for b in blocks if b]
    if not blocks:
        paragraph(pdf, [("I", "Không có kết luận.")], first_line=10)
    for block in blocks:
        # A single newline inside a block is kept: secretaries type lists as "1. …\n2. …".
        for text in block.splitlines():
            if text.strip():
                paragraph(pdf, [("", text.strip())], first_line=10)
        pdf.ln(1.5)
    end = vn(data.ended_at)
    paragraph(
        pdf,
        [("", f"Cuộc họp kết thúc lúc {hhmm(end)} ngày {day_vi(end)}./.")],
        first_line=10,
        top=2.0,
    )


def _person(name: str, title: str) -> str:
    return f"{name.strip()}, {title.strip()}." if title.strip() else f"{name.strip()}."
