"""The conclusion notice (thông báo kết luận) of a meeting as a Decree 30 PDF draft.

Pure, like :mod:`.minutes_pdf`: the header with the number and date lines left to form
fields (the documents flow fills them at issue, decision 0015), "THÔNG BÁO" and the
title, one paragraph saying who chaired which meeting when and where, the conclusions
as typed by the secretary, the closing line, then "Nơi nhận" on the left and the chair's
signature block on the right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF

from documents.layout.page import TEXT_W, cell, nfc
from ecabinet.meetings.minutes_model import Person
from ecabinet.meetings.pdf_layout import (
    A4_H,
    BOX_H,
    PT,
    SIGN_SPACE,
    SignatureBox,
    Signer,
    day_vi,
    hhmm,
    official_document,
    paragraph,
    signature_block,
    title_block,
    vn,
)


@dataclass(frozen=True)
class NoticeData:
    """Everything the notice prints."""

    agency_parent: str
    agency_name: str
    symbol: str
    """"TB-UBND": printed after a blank number ("Số:      /TB-UBND")."""
    place: str
    dated: datetime
    """The draft's date (the date line); aware."""
    meeting_title: str
    chair: Person
    started_at: datetime
    location: str
    attendees: Sequence[str]
    """Names of those who attended (the chair and the secretary apart)."""
    conclusions: str
    recipients: Sequence[str] = ("Như thành phần dự họp", "Lưu: VT")


def subject_line(data: NoticeData) -> str:
    """The notice's title, also its abstract (trích yếu)."""
    who = ", ".join(x for x in (data.chair.name.strip(), data.chair.title.strip()) if x)
    return f"Kết luận của đồng chí {who} tại cuộc họp {data.meeting_title.strip()}"


def notice_pdf(data: NoticeData) -> bytes:
    """Render the notice. Raises ValueError for a naive datetime."""
    dated = vn(data.dated)
    title = subject_line(data)
    pdf = official_document(
        title="Thông báo kết luận",
        subject=title,
        agency_upper=data.agency_parent,
        agency_name=data.agency_name,
        number_symbol=f"/{data.symbol}",
        place=data.place,
        dated=dated,
        blank=True,
    )
    title_block(pdf, "Thông báo", title)
    _opening(pdf, data)
    blocks = [b.strip() for b in data.conclusions.replace("\r\n", "\n").split("\n\n")]
    for block in (b for b in blocks if b):
        for text in block.splitlines():
            if text.strip():
                paragraph(pdf, [("", text.strip())], first_line=10)
        pdf.ln(1.5)
    paragraph(
        pdf,
        [("", f"{data.agency_name.strip()} thông báo để các cơ quan, đơn vị biết, thực hiện./.")],
        first_line=10,
        top=2.0,
    )
    _, box = signature_block(pdf, [None, Signer(data.chair.title or "Chủ trì", data.chair.name)])
    assert box is not None
    _recipients(pdf, data.recipients, box)
    return pdf.pdf_bytes()


def _opening(pdf: FPDF, data: NoticeData) -> None:
    start = vn(data.started_at)
    where = f", tại {data.location.strip()}" if data.location.strip() else ""
    who = ", ".join(x for x in (data.chair.name.strip(), data.chair.title.strip()) if x)
    attended = (
        f" Tham dự cuộc họp có: {'; '.join(n.strip() for n in data.attendees)}."
        if data.attendees
        else ""
    )
    text = (
        f"Vào lúc {hhmm(start)} ngày {day_vi(start)}{where}, đồng chí {who} đã chủ trì cuộc"
        f" họp {data.meeting_title.strip()}.{attended} Sau khi nghe báo cáo và ý kiến của"
        " các thành viên dự họp, đồng chí chủ trì kết luận như sau:"
    )
    paragraph(pdf, [("", text)], first_line=10)
    pdf.ln(1.5)


def _recipients(pdf: FPDF, recipients: Sequence[str], box: SignatureBox) -> None:
    """ "Nơi nhận:" in the left column, level with the signer's heading (Decree 30)."""
    bottom = pdf.get_y()
    _, _, _, _, box_top = box
    pdf.set_y(A4_H - box_top / PT - (SIGN_SPACE - BOX_H) / 2 - 7.0)
    pdf.set_font("Doc", "BI", 11)
    cell(pdf, TEXT_W / 2 - 4, 5.5, "Nơi nhận:", "L")
    pdf.set_font("Doc", "", 9.5)
    for i, name in enumerate(recipients):
        end = "." if i == len(recipients) - 1 else ";"
        cell(pdf, TEXT_W / 2 - 4, 4.6, f"- {nfc(name).rstrip(';.')}{end}", "L")
    pdf.set_y(max(bottom, pdf.get_y()))
