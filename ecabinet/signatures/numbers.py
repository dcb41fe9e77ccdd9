"""The number, symbol and date written into the document's own lines (decision 0015).

Before the leader signs, :func:`with_fields` gives the draft its number and date fields
(a draft laid out by the system has them; an upload gets them over its printed
placeholders, :mod:`signing.locate`). At issue, :func:`stamp` fills them with the
register's number and symbol and the date of issue, and the seal then signs the result:
form filling, which the leader's signature allows. A file that cannot take fields
(signed before it reached the leader, or signed by another route) keeps its lines as
they are; the number is then only in the seal's reason, as before.
"""

from __future__ import annotations

from datetime import date

from documents.layout.page import place_date_line
from signing import locate, numbering
from signing.fields import form_fields
from signing.pdfio import open_pdf


def with_fields(data: bytes) -> bytes:
    """``data`` with the number and date fields, or unchanged when it has them already or
    carries a signature (a field added after a signature would be flagged)."""
    reader = open_pdf(data)
    fields = list(form_fields(reader))
    names = {f.name for f in fields}
    if numbering.NUMBER in names or any(f.is_signature and f.is_signed for f in fields):
        return data
    return numbering.declare(data, locate.slots(data))


def date_line(place: str, day: date) -> str:
    """ "An Giang, ngày 05 tháng 3 năm 2026" (no place: "ngày 05 tháng 3 năm 2026")."""
    line = place_date_line(place.strip() or "-", day)
    return line.split(", ", 1)[1] if not place.strip() else line


def stamp(data: bytes, number_symbol: str, place: str, day: date) -> bytes:
    """``data`` with "Số: ``number_symbol``" and the date line filled in, when it has the
    fields; unchanged otherwise."""
    if numbering.declared(data) != {numbering.NUMBER, numbering.DATE}:
        return data
    return numbering.fill(
        data, {numbering.NUMBER: f"Số: {number_symbol}", numbering.DATE: date_line(place, day)}
    )
