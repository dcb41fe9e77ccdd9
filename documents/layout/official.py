"""An administrative document laid out after Decree 30 (Appendix I): the header of
:mod:`.page`, the type name and abstract, the body, "Nơi nhận:" bottom left and the
signature block bottom right with room for the signature image between title and name.

The same inputs give the same bytes: the PDF creation date is taken from the date line
(or ``creation_date``), never from the clock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.text_region import TextColumns

from documents.layout.page import (
    BODY_LINE,
    BODY_SIZE,
    BOTTOM,
    LEFT,
    RIGHT,
    SIGN_SPACE,
    SIGN_W,
    SIGN_X,
    TEXT_W,
    TOP,
    Document,
    cell,
    centred_lines,
    date_from,
    draw_header,
    find_font_files,
    nfc,
    one_line,
    rule,
)

_ARTICLE_RE = re.compile(r"^(Điều\s+\d+[a-z]?\.)\s*(.*)$", re.DOTALL)
_ROMAN_HEADING_RE = re.compile(r"^[IVXL]+\.\s")


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
    draft: bool = False,
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

    ``draft``: the number and date are not known yet (a draft for the outgoing flow); their
    lines are form fields showing ``number_symbol`` ("/QĐ-UBND") and ``place_date`` ("An
    Giang, ngày … tháng … năm 2026") until issue fills them (decision 0015).
    """
    is_letter = type_name.strip().lower() in ("", "công văn")
    pdf = Document(footer=nfc(footer))
    pdf.set_creation_date(creation_date or date_from(place_date))
    pdf.set_title(one_line(f"{type_name} {number_symbol}"))
    pdf.set_subject(one_line(abstract))
    pdf.set_author(one_line(agency_name))
    pdf.set_creator("eCabinet")
    pdf.set_lang("vi-VN")
    for style, path in find_font_files().items():
        pdf.add_font("Doc", style, str(path))
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(True, margin=BOTTOM)
    pdf.add_page()

    pdf.slots = draw_header(
        pdf,
        agency_upper=agency_upper,
        agency_name=agency_name,
        number_symbol=number_symbol,
        place_date=place_date,
        abstract=abstract if is_letter else "",
        blank=draft,
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
    return pdf.pdf_bytes()


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
