"""A member's annotations drawn into a copy of a meeting document (pure: bytes in, bytes out).

Tablets record ink strokes, highlights and text notes against the page *as shown*
(after /Rotate), in fractions of its width and height from the top left, so they need
not know PDF points. :func:`burn_in` writes a new PDF (never an incremental update: the
meeting's signed original stays as it is in the store) where every annotation is part
of the page content, so any viewer and any printer shows it. :func:`validate` is the
one place that says what an annotation may hold: to be called when a tablet saves one,
and :func:`burn_in` calls it again.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.generic import IndirectObject

from ecabinet.core.errors import InvalidInput
from ecabinet.meetings import annotate_draw as draw
from ecabinet.meetings import annotate_pdf as pdf_page
from signing import fonts
from signing.errors import BadPdf
from signing.pdfio import PYPDF_ERRORS, open_pdf

MODULES = [__name__]  # what the sandbox preloads (as ecabinet.signatures.intake)
MAX_POINTS = 5000
MAX_RECTS = 200
MAX_TEXT = 2000
WIDTH_RANGE = (0.0005, 0.05)
"""Ink width, as a fraction of the shown page width (about 0.3 to 30 pt on A4)."""
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_ALLOWED_CONTROLS = frozenset("\r\n\t")


@dataclass(frozen=True)
class Point:
    """A position on the page as shown (after /Rotate)."""

    x: float
    """From the left edge: 0 at the left, 1 at the right."""
    y: float
    """From the top edge: 0 at the top, 1 at the bottom."""


@dataclass(frozen=True)
class Ink:
    """A freehand stroke (finger or stylus)."""

    page: int
    """Page index, from 0."""
    points: tuple[Point, ...]
    """The stroke's points in drawing order (2 to 5,000)."""
    color: str
    """``#RRGGBB``."""
    width: float
    """Line width as a fraction of the shown page width (0.0005 to 0.05)."""


@dataclass(frozen=True)
class Highlight:
    """Translucent marker over passages of text."""

    page: int
    """Page index, from 0."""
    rects: tuple[tuple[float, float, float, float], ...]
    """Boxes ``(x1, y1, x2, y2)`` in shown-page fractions (corners in any order), one per
    line of text (1 to 200)."""
    color: str
    """``#RRGGBB``; drawn at 35 % opacity, multiplied with the page."""


@dataclass(frozen=True)
class Note:
    """A text note: a small marker at ``at`` and the text in a box beside it."""

    page: int
    """Page index, from 0."""
    at: Point
    """The marker's top left corner."""
    text: str
    """1 to 2,000 characters (Vietnamese); line breaks are kept."""
    color: str
    """``#RRGGBB``: the marker and the box's border."""


Annotation = Ink | Highlight | Note


def _invalid(code: str, vi: str, en: str, **details: object) -> InvalidInput:
    return InvalidInput(f"annotation.{code}", vi, en, dict(details))


def _check_number(value: float, what: tuple[str, str]) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _invalid(
            "not_a_number",
            f"{what[0]} không phải là số hữu hạn.",
            f"The {what[1]} is not a finite number.",
        )


def _check_fraction(value: float, what: tuple[str, str]) -> None:
    _check_number(value, what)
    if not 0.0 <= value <= 1.0:
        raise _invalid(
            "out_of_page",
            f"{what[0]} nằm ngoài trang (phải từ 0 đến 1).",
            f"The {what[1]} is outside the page (it must be from 0 to 1).",
            value=value,
        )


def _check_point(point: Point) -> None:
    if not isinstance(point, Point):
        raise _invalid("bad_point", "Điểm không hợp lệ.", "Not a point.")
    _check_fraction(point.x, ("Tọa độ x", "x coordinate"))
    _check_fraction(point.y, ("Tọa độ y", "y coordinate"))


def _check_color(color: str) -> None:
    if not isinstance(color, str) or _COLOR.fullmatch(color) is None:
        raise _invalid(
            "bad_color",
            "Màu phải có dạng #RRGGBB (ví dụ #D32F2F).",
            "The colour must be #RRGGBB (for example #D32F2F).",
            color=str(color)[:20],
        )


def _check_text(text: str) -> None:
    if not isinstance(text, str):
        raise _invalid("bad_text", "Nội dung ghi chú không hợp lệ.", "The note's text is invalid.")
    text = _note_text(text)
    if not text.strip() or len(text) > MAX_TEXT:
        raise _invalid(
            "bad_text",
            f"Nội dung ghi chú phải có từ 1 đến {MAX_TEXT} ký tự.",
            f"The note's text must have 1 to {MAX_TEXT} characters.",
            length=len(text),
        )
    controls = [c for c in text if unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS]
    # What the note font cannot show is refused when the note is saved, rather than
    # drawn as empty boxes in every copy made later.
    missing = fonts.serif().missing("".join(text.split()))
    if controls or missing:
        shown = ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(controls + list(missing)))
        raise _invalid(
            "bad_text",
            f"Ghi chú có ký tự không hiển thị được ({shown}).",
            f"The note has characters that cannot be shown ({shown}).",
            characters=shown,
        )


def validate(annotation: Annotation, page_count: int) -> None:
    """Raise :class:`InvalidInput` (code ``annotation.*``) unless ``annotation`` can be
    drawn on a document of ``page_count`` pages."""
    if not isinstance(annotation, Ink | Highlight | Note):
        raise _invalid("bad_type", "Loại ghi chú không hợp lệ.", "Unknown kind of annotation.")
    page = annotation.page
    if isinstance(page, bool) or not isinstance(page, int) or not 0 <= page < page_count:
        raise _invalid(
            "bad_page",
            f"Tài liệu không có trang {page!r} (có {page_count} trang, đánh số từ 0).",
            f"The document has no page {page!r} ({page_count} pages, numbered from 0).",
            page_count=page_count,
        )
    _check_color(annotation.color)
    if isinstance(annotation, Ink):
        _check_ink(annotation)
    elif isinstance(annotation, Highlight):
        _check_highlight(annotation)
    else:
        _check_point(annotation.at)
        _check_text(annotation.text)


def _check_ink(ink: Ink) -> None:
    count = len(ink.points)
    if count > MAX_POINTS:
        raise _invalid(
            "too_many_points",
            f"Nét vẽ có {count} điểm, quá {MAX_POINTS} điểm cho phép.",
            f"The stroke has {count} points, over the {MAX_POINTS} allowed.",
            count=count,
            limit=MAX_POINTS,
        )
    if count < 2:
        raise _invalid(
            "too_few_points",
            "Nét vẽ cần ít nhất 2 điểm.",
            "A stroke needs at least 2 points.",
            count=count,
        )
    for point in ink.points:
        _check_point(point)
    _check_number(ink.width, ("Độ dày nét", "stroke width"))
    low, high = WIDTH_RANGE
    if not low <= ink.width <= high:
        raise _invalid(
            "bad_width",
            f"Độ dày nét phải từ {low} đến {high} chiều rộng trang.",
            f"The stroke width must be {low} to {high} of the page width.",
            width=ink.width,
        )


def _check_highlight(highlight: Highlight) -> None:
    count = len(highlight.rects)
    if not 1 <= count <= MAX_RECTS:
        raise _invalid(
            "bad_rects",
            f"Vùng tô sáng phải có từ 1 đến {MAX_RECTS} hình chữ nhật.",
            f"A highlight must have 1 to {MAX_RECTS} rectangles.",
            count=count,
        )
    for rect in highlight.rects:
        if len(rect) != 4:
            raise _invalid(
                "bad_rects",
                "Hình chữ nhật phải có 4 tọa độ (x1, y1, x2, y2).",
                "A rectangle needs 4 coordinates (x1, y1, x2, y2).",
            )
        for value in rect:
            _check_fraction(value, ("Tọa độ vùng tô sáng", "highlight coordinate"))


def burn_in(
    pdf: bytes, annotations: Sequence[Annotation], *, title: str = "", member: str = ""
) -> bytes:
    """A new PDF: ``pdf`` with ``annotations`` drawn into its pages' content.

    ``pdf`` is not changed. The copy is a whole new file, so a signature of ``pdf`` cannot
    hold in it: its signature fields are emptied (their visible stamps stay) rather than
    left for viewers to report as broken. With ``title``, the copy's /Info title is
    "``title`` (ghi chú của ``member``)". Raises :class:`InvalidInput`:
    ``annotation.bad_pdf`` for an unreadable or encrypted file, the codes of
    :func:`validate` for an annotation that does not fit it.
    """
    reader = _open(pdf)
    for annotation in annotations:
        validate(annotation, len(reader.pages))
    by_page: dict[int, list[Annotation]] = {}
    for annotation in annotations:
        by_page.setdefault(annotation.page, []).append(annotation)
    with _reading():
        writer = PdfWriter(clone_from=reader)
    texts = [_note_text(a.text) for a in annotations if isinstance(a, Note)]
    shared = _Shared(
        opener=writer._add_object(pdf_page.stream(b"q\n")),
        state=writer._add_object(draw.highlight_state()),
        font=draw.embed_font(writer, fonts.serif(), texts) if texts else None,
    )
    for index, items in sorted(by_page.items()):
        _draw_page(writer, index, items, shared)
    full_title = _title(title, member)
    out = io.BytesIO()
    with _reading():
        pdf_page.drop_signatures(writer)
        if full_title:
            writer.add_metadata({"/Title": full_title})
        writer.write(out)
    return out.getvalue()


@contextlib.contextmanager
def _reading() -> Iterator[None]:
    """Around what reads the document: a damaged file's errors become ``bad_pdf`` (and
    only there, so a bug of ours is not reported as the member's file being broken)."""
    try:
        yield
    except (*PYPDF_ERRORS, BadPdf):
        raise _bad_pdf() from None


def _open(pdf: bytes) -> PdfReader:
    try:
        return open_pdf(pdf)
    except BadPdf as exc:
        if exc.code == "pdf.encrypted":
            raise _invalid(
                "bad_pdf",
                "Tài liệu PDF đã mã hóa (có mật khẩu) nên không vẽ được ghi chú vào.",
                "The PDF is encrypted (password-protected): annotations cannot be drawn in.",
                reason="encrypted",
            ) from None
        raise _bad_pdf() from None


def _bad_pdf() -> InvalidInput:
    return _invalid(
        "bad_pdf",
        "Không đọc được tài liệu PDF để vẽ ghi chú vào.",
        "The PDF cannot be read to draw the annotations in.",
        reason="unreadable",
    )


def _note_text(text: str) -> str:
    """NFC (tablets may send decomposed letters), with every line break as ``\\n``."""
    return unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")


def _title(title: str, member: str) -> str:
    title, member = " ".join(title.split()), " ".join(member.split())
    if not title:
        return ""
    return f"{title} (ghi chú của {member})" if member else f"{title} (có ghi chú)"


@dataclass(frozen=True)
class _Shared:
    """Objects every annotated page refers to."""

    opener: IndirectObject
    """A stream holding ``q``: put before a page's own content."""
    state: IndirectObject
    """The highlights' ExtGState."""
    font: draw.NoteFont | None


def _draw_page(writer: PdfWriter, index: int, items: list[Annotation], shared: _Shared) -> None:
    """Wrap page ``index``'s content in q/Q (so its graphics state cannot reach ours) and
    append one stream drawing ``items`` in shown space, in the order given."""
    with _reading():
        page = writer.pages[index]
        frame = draw.Frame(pdf_page.page_box(page))
        state = font = ""
        if any(isinstance(item, Highlight) for item in items):
            state = pdf_page.add_resource(page, "/ExtGState", "ecMark", shared.state)
        if shared.font is not None and any(isinstance(item, Note) for item in items):
            font = pdf_page.add_resource(page, "/Font", "ecNote", shared.font.ref)
    ops = [b"\nQ\nq\n", frame.cm()]  # the newline: the old content may end without one
    for item in items:
        if isinstance(item, Ink):
            ops.append(draw.ink(frame, [(p.x, p.y) for p in item.points], item.color, item.width))
        elif isinstance(item, Highlight):
            ops.append(draw.highlight(frame, item.rects, item.color, state))
        else:
            assert shared.font is not None  # embedded whenever there is a note
            at = (item.at.x, item.at.y)
            ops.append(draw.note(frame, at, _note_text(item.text), item.color, shared.font, font))
    ops.append(b"Q\n")
    with _reading():
        pdf_page.wrap_and_append(writer, page, shared.opener, b"".join(ops))
