"""Finding lines in a draft: where it prints its number and date lines (decision 0015),
and where its signer's signature image goes (:func:`signer_box`).

A draft laid out by the system declares its number and date fields itself
(:mod:`documents.layout.page`). A draft uploaded from a word processor prints them as
page text: "Số:     /QĐ-UBND" in the agency column and "An Giang, ngày … tháng … năm
2026" under the national motto. :func:`slots` reads the text runs of the first page with
their positions, joins the runs of one line, and lays an opaque field over each line it
recognises, a little wider than the printed text (a number is longer than its blank).
A line that is not found goes to the top right of the first page, where Decree 30 puts
the number of an attachment signed in a file of its own.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from signing import numbering
from signing.numbering import Slot
from signing.pdfdraw import Rect
from signing.pdfio import PYPDF_ERRORS, open_pdf
from signing.placement import MM, page_box, top_right_rect

NUMBER_LINE = re.compile(r"^\s*Số\s*:", re.IGNORECASE)
DATE_LINE = re.compile(r"ngày\b.*tháng\b.*năm\b", re.IGNORECASE)
HEAD = 0.4
"""The lines are looked for in the top part of the page (this share of its height)."""
EM = 0.55
"""Estimated advance of a character, in ems (the runs carry no widths)."""
FALLBACK_SIZE = 11.0
SIGN_W = 170.0
"""Width of the signature box the system chooses, in points (60 mm)."""


@dataclass
class _Line:
    x1: float
    x2: float
    y: float
    size: float
    text: str


def slots(data: bytes) -> list[Slot]:
    """Where to put the number and date fields on ``data`` (see the module's text)."""
    found: dict[str, Slot] = {}
    for line in _lines(data):
        text = unicodedata.normalize("NFC", line.text).strip()
        if numbering.NUMBER not in found and NUMBER_LINE.match(text):
            found[numbering.NUMBER] = _over(numbering.NUMBER, line, False, 2.5)
        elif numbering.DATE not in found and DATE_LINE.search(text):
            found[numbering.DATE] = _over(numbering.DATE, line, True, 1.0)
    for slot in _top_right(data):
        found.setdefault(slot.name, slot)
    return [found[numbering.NUMBER], found[numbering.DATE]]


def _over(name: str, line: _Line, italic: bool, spare: float) -> Slot:
    """An opaque field over ``line``, ``spare`` ems wider on each side; empty (the page's
    placeholder shows through) until it is filled."""
    pad = spare * line.size
    rect = (
        line.x1 - pad,
        line.y - 0.35 * line.size,
        line.x2 + pad,
        line.y + 1.05 * line.size,
    )
    return Slot(name, 0, rect, line.size, italic, "", opaque=True)


def _top_right(data: bytes) -> list[Slot]:
    page = page_box(data, 0)
    width, height = 80 * MM, 2 * 1.5 * FALLBACK_SIZE
    x1, y1, x2, y2 = top_right_rect(page, width, height)
    middle = (y1 + y2) / 2
    return [
        Slot(numbering.NUMBER, 0, (x1, middle, x2, y2), FALLBACK_SIZE, False, ""),
        Slot(numbering.DATE, 0, (x1, y1, x2, middle), FALLBACK_SIZE, True, ""),
    ]


def signer_box(data: bytes, name: str, width: float = SIGN_W) -> tuple[int, Rect] | None:
    """Where the signature image of ``name`` goes (Decree 30: between the signer's title and
    name, under the signing block): the page (from 0) and box, in the blank above the last
    line printing ``name`` and under the line above it; None when no page prints it."""
    wanted = _key(name)
    if not wanted:
        return None
    count = len(open_pdf(data).pages)
    for index in range(count - 1, -1, -1):
        lines = _lines(data, index, head=1.0)
        for i, line in enumerate(lines):
            if _key(line.text) != wanted:
                continue
            centre = (line.x1 + line.x2) / 2
            above = [
                other
                for other in lines[:i]
                if other.y > line.y
                and other.x1 < centre + width / 2
                and other.x2 > centre - width / 2
            ]
            ceiling = min((o.y - 0.3 * o.size for o in above), default=line.y + 110.0)
            bottom, top = line.y + 1.1 * line.size, ceiling - 2.0
            if top - bottom < 30.0:
                continue
            return index, (centre - width / 2, bottom, centre + width / 2, top)
    return None


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _lines(data: bytes, index: int = 0, head: float = HEAD) -> list[_Line]:
    """The text lines of the top ``head`` of page ``index``, top to bottom, each the runs of
    one baseline that follow each other (two columns on one baseline stay two lines)."""
    reader = open_pdf(data)
    page = reader.pages[index]
    top = float(page.mediabox.top)
    floor = top - head * float(page.mediabox.height)
    runs: list[_Line] = []

    def visit(text: str, cm: Any, tm: Any, _font: Any, size: float) -> None:
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1]) or 1.0
        real = float(size) * scale
        if y < floor or real <= 0:
            return
        for piece in text.splitlines():
            if piece.strip():
                width = len(piece) * real * EM
                runs.append(_Line(x, x + width, y, real, piece))

    try:
        page.extract_text(visitor_text=visit)
    except PYPDF_ERRORS:
        return []
    runs.sort(key=lambda r: (-round(r.y), r.x1))
    lines: list[_Line] = []
    for run in runs:
        last = lines[-1] if lines else None
        if (
            last is not None
            and abs(last.y - run.y) < 0.3 * run.size
            and run.x1 - last.x2 < 2 * run.size
        ):
            gap = " " if run.x1 - last.x2 > 0.15 * run.size else ""
            last.text += gap + run.text
            last.x2 = max(last.x2, run.x2)
            continue
        lines.append(_Line(run.x1, run.x2, run.y, run.size, run.text))
    return lines
