"""The tally of a consultation (tổng hợp phiếu lấy ý kiến) as a Decree 30 PDF.

Pure, like :mod:`ecabinet.meetings.minutes_pdf`: the question, its documents, when it
was sent and its deadline, how many were asked, the answers counted (agree, disagree,
comment only, not answered), who answered what and when, then every comment with its
author and time. The counts are computed from the replies, so they cannot disagree with
the list printed under them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from fpdf import FPDF

from ecabinet.meetings.minutes_model import (
    ConsultationAnswer,
    ConsultationData,
    ConsultationReply,
)
from ecabinet.meetings.pdf_layout import (
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

ANSWERS: dict[ConsultationAnswer | None, str] = {
    "agree": "Đồng ý",
    "disagree": "Không đồng ý",
    "comment": "Chỉ góp ý",
    None: "Chưa trả lời",
}
"""How each answer is printed (None: not answered)."""


def tally(replies: Sequence[ConsultationReply]) -> dict[ConsultationAnswer | None, int]:
    """Replies counted by answer, every answer present (zero when nobody gave it)."""
    counts = Counter(r.answer for r in replies)
    return {answer: counts[answer] for answer in ANSWERS}


def consultation_pdf(data: ConsultationData) -> bytes:
    """Render the tally of ``data``. Raises ValueError for a naive datetime."""
    compiled = vn(data.compiled_at)
    pdf = official_document(
        title=f"Tổng hợp ý kiến {data.number_symbol}".strip(),
        subject=data.title,
        agency_upper=data.agency_parent,
        agency_name=data.agency_name,
        number_symbol=data.number_symbol,
        place=data.place,
        dated=compiled,
    )
    title_block(pdf, "Tổng hợp phiếu lấy ý kiến", data.title)
    _request(pdf, data)
    replies = list(data.replies)
    _results(pdf, replies)
    _comments(pdf, replies)
    if data.compiled_by is not None:
        signature_block(pdf, [None, Signer("Người tổng hợp", data.compiled_by.name)])
    return bytes(pdf.output())


def _when(moment: datetime) -> str:
    return f"{hhmm(moment)} ngày {day_vi(moment)}"


def _request(pdf: FPDF, data: ConsultationData) -> None:
    heading(pdf, "I. NỘI DUNG LẤY Ý KIẾN")
    line(pdf, "Nội dung xin ý kiến", data.question.strip())
    if data.documents:
        line(pdf, "Tài liệu kèm theo", "")
        for title in data.documents:
            paragraph(pdf, [("", f"+ {title.strip()}")], indent=5)
    else:
        line(pdf, "Tài liệu kèm theo", "không có.")
    line(pdf, "Gửi lúc", _when(data.sent_at) + ".")
    line(pdf, "Hạn trả lời", _when(data.deadline) + ".")


def _results(pdf: FPDF, replies: list[ConsultationReply]) -> None:
    heading(pdf, "II. KẾT QUẢ")
    counts = tally(replies)
    line(pdf, "Số người được lấy ý kiến", f"{len(replies)}.")
    answered = len(replies) - counts[None]
    line(pdf, "Số người đã trả lời", f"{answered}.")
    for answer, label in ANSWERS.items():
        line(pdf, label, f"{counts[answer]}.", indent=5)
    if not replies:
        return
    rows = [["STT", "Họ và tên", "Chức vụ", "Ý kiến", "Thời điểm"]]
    for i, reply in enumerate(replies, 1):
        at = reply.answered_at
        when = f"{hhmm(at)} {day_vi(at)}" if at is not None and reply.answer else ""
        rows.append([str(i), reply.name, reply.title, ANSWERS[reply.answer], when])
    table(pdf, (11, 42, 46, 30, 36), rows, centred=(0, 3, 4))


def _comments(pdf: FPDF, replies: list[ConsultationReply]) -> None:
    heading(pdf, "III. Ý KIẾN GÓP Ý CỤ THỂ")
    commented = [r for r in replies if r.comment.strip()]
    if not commented:
        paragraph(pdf, [("I", "Không có ý kiến góp ý.")], first_line=10)
        return
    for number, reply in enumerate(commented, 1):
        at = reply.answered_at
        when = f" - {_when(at)}" if at is not None else ""
        title = f", {reply.title.strip()}" if reply.title.strip() else ""
        paragraph(
            pdf,
            [
                ("B", f"{number}. {reply.name.strip()}"),
                ("", f"{title} ({ANSWERS[reply.answer]}{when}):"),
            ],
            top=1.5,
        )
        for text in reply.comment.strip().splitlines():
            if text.strip():
                paragraph(pdf, [("I", text.strip())], indent=5, first_line=5)
