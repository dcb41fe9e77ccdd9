"""Content-stream operators for annotations burnt into a page, and the note font.

Everything here draws in *shown space*: points with the origin at the bottom left of the
page as a viewer shows it (after /Rotate, inside the visible box). :class:`Frame` gives
the one ``cm`` that maps shown space to the page's user space, so strokes, boxes and
upright note text need no per-point rotation. The note font is embedded once per
document with :class:`signing.pdfdraw.Canvas` (the same subset, widths and ToUnicode as
signature appearances) and shared by every page.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    PdfObject,
    read_object,
)

from signing.fonts import Font
from signing.pdfdraw import Canvas
from signing.placement import PageBox
from signing.ttf_subset import subset

RGB = tuple[float, float, float]
HIGHLIGHT_ALPHA = 0.35
NOTE_MARKER = 14.0
"""The note marker's side, in points."""
NOTE_SIZES = (9.0, 8.0, 7.0, 6.0, 5.0)
"""Note text sizes tried in turn until the box fits on the page."""
_MARGIN = 4.0
_PAD = 4.0
_LEADING = 1.25
_INK_TEXT: RGB = (0.1, 0.1, 0.1)
_ELLIPSIS = "…"


def rgb(color: str) -> RGB:
    """``#RRGGBB`` as three fractions."""
    return (int(color[1:3], 16) / 255, int(color[3:5], 16) / 255, int(color[5:7], 16) / 255)


def _n(value: float) -> str:
    """A PDF number with two decimals (1/7200 inch is finer than any tablet)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _color(color: RGB, op: str) -> str:
    return f"{_n(color[0])} {_n(color[1])} {_n(color[2])} {op}"


@dataclass(frozen=True)
class Frame:
    """A page as shown: its size in points and the way back to user space."""

    page: PageBox

    @property
    def width(self) -> float:
        return self.page.shown_size[0]

    @property
    def height(self) -> float:
        return self.page.shown_size[1]

    def cm(self) -> bytes:
        """The ``cm`` operator that makes shown space the current coordinate system."""
        a, b, c, d = self.page.matrix
        e, f = self.page.to_user(0.0, 0.0)
        return f"{a} {b} {c} {d} {_n(e)} {_n(f)} cm\n".encode()

    def point(self, x: float, y: float) -> tuple[float, float]:
        """Shown-page fractions (from the top left) in shown-space points."""
        return x * self.width, (1.0 - y) * self.height


def ink(frame: Frame, points: Iterable[tuple[float, float]], color: str, width: float) -> bytes:
    """A stroked polyline with round caps and joins; ``width`` is a fraction of the
    shown page width."""
    coords = [frame.point(x, y) for x, y in points]
    path = [f"{_n(coords[0][0])} {_n(coords[0][1])} m"]
    path += [f"{_n(x)} {_n(y)} l" for x, y in coords[1:]]
    return (
        f"q {_color(rgb(color), 'RG')} {_n(width * frame.width)} w 1 J 1 j\n"
        + "\n".join(path)
        + "\nS Q\n"
    ).encode()


def highlight(
    frame: Frame, rects: Iterable[tuple[float, float, float, float]], color: str, state: str
) -> bytes:
    """Filled boxes under the ExtGState named ``state`` (see :func:`highlight_state`)."""
    boxes = []
    for x1, y1, x2, y2 in rects:
        ax, ay = frame.point(min(x1, x2), max(y1, y2))
        bx, by = frame.point(max(x1, x2), min(y1, y2))
        boxes.append(f"{_n(ax)} {_n(ay)} {_n(bx - ax)} {_n(by - ay)} re")
    return (f"q /{state} gs {_color(rgb(color), 'rg')}\n" + "\n".join(boxes) + "\nf Q\n").encode()


def highlight_state() -> DictionaryObject:
    """Translucent fill, multiplied with the page so the text underneath stays black."""
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/ExtGState"),
            NameObject("/ca"): FloatObject(HIGHLIGHT_ALPHA),
            NameObject("/BM"): NameObject("/Multiply"),
        }
    )


@dataclass(frozen=True)
class NoteFont:
    """The embedded note font: the Type0 font object and the subset's glyph ids."""

    font: Font
    ref: IndirectObject
    new_ids: dict[int, int]
    """Original glyph id → glyph id in the subset (the code written in ``Tj``)."""

    def hex(self, text: str) -> str:
        return "".join(f"{self.new_ids[g]:04X}" for g in self.font.glyphs(text))


def embed_font(writer: PdfWriter, font: Font, texts: Iterable[str]) -> NoteFont:
    """Embed a subset of ``font`` with the characters of ``texts`` (and an ellipsis)."""
    # Whitespace only separates words (see wrap): the one space drawn is U+0020.
    chars = "".join(sorted({c for c in "".join(texts) if not c.isspace()} | {_ELLIPSIS, " "}))
    canvas = Canvas(1.0, 1.0)
    canvas.text(font, 1.0, 0.0, 0.0, chars)
    items = canvas.finish().bodies(1)
    # Item 0 is the form XObject (not needed); items 1… are the Type0 font and what it
    # refers to, each only to later ones, so adding them last-first fixes every reference.
    # pypdf wants a document to parse references against (any will do: they are relinked).
    added: dict[int, IndirectObject] = {}
    for number in range(len(items), 1, -1):
        obj = read_object(io.BytesIO(items[number - 1]), cast(Any, writer))
        added[number] = writer._add_object(_relink(obj, added))
    _, new_ids = subset(font, font.glyphs(chars))  # the same glyphs: the same numbering
    return NoteFont(font, added[2], new_ids)


def _relink(obj: PdfObject, refs: dict[int, IndirectObject]) -> PdfObject:
    if isinstance(obj, IndirectObject):
        return refs[obj.idnum]
    if isinstance(obj, DictionaryObject):  # stream objects too
        for key, value in list(obj.items()):
            obj[key] = _relink(value, refs)
    elif isinstance(obj, ArrayObject):
        for i, value in enumerate(obj):
            obj[i] = _relink(value, refs)
    return obj


def note(
    frame: Frame, at: tuple[float, float], text: str, color: str, font: NoteFont, name: str
) -> bytes:
    """A marker with its top left at ``at`` (fractions) and ``text`` wrapped in a
    box beside it, kept on the page; the font is the page resource ``name``."""
    w, h = frame.width, frame.height
    side = min(NOTE_MARKER, w / 4, h / 4)
    mx, my = frame.point(*at)
    mx, top = min(max(mx, 0.0), w - side), max(min(my, h), side)
    ink_rgb = rgb(color)
    ops = [
        f"q {_color(ink_rgb, 'rg')} 0.2 0.2 0.2 RG 0.5 w",
        f"{_n(mx)} {_n(top - side)} {_n(side)} {_n(side)} re B",
        "1 1 1 RG 1 w",  # three "lines of text" on the marker
        *(
            f"{_n(mx + side * 0.2)} {_n(top - side * k)} m {_n(mx + side * 0.8)}"
            f" {_n(top - side * k)} l S"
            for k in (0.3, 0.5, 0.7)
        ),
        "Q",
    ]
    size, box_w, lines = _layout(font.font, text, w, h)
    box_h = 2 * _PAD + len(lines) * size * _LEADING
    bx = mx + side + 3
    if bx + box_w > w - _MARGIN:
        bx = mx - 3 - box_w
    bx = min(max(bx, _MARGIN), w - _MARGIN - box_w)
    box_top = min(max(top, _MARGIN + box_h), h - _MARGIN)
    tint = tuple(1 - 0.1 * (1 - c) for c in ink_rgb)
    ops += [
        f"q {_color((tint[0], tint[1], tint[2]), 'rg')} {_color(ink_rgb, 'RG')} 0.8 w",
        f"{_n(bx)} {_n(box_top - box_h)} {_n(box_w)} {_n(box_h)} re B Q",
        f"q BT /{name} {_n(size)} Tf {_n(size * _LEADING)} TL {_color(_INK_TEXT, 'rg')}",
        f"{_n(bx + _PAD)} {_n(box_top - _PAD - size * _ascent(font.font))} Td",
    ]
    ops += [f"<{font.hex(line)}> Tj T*" for line in lines]
    ops.append("ET Q\n")
    return "\n".join(ops).encode()


def _ascent(font: Font) -> float:
    return font.ascent / font.units_per_em


def _layout(font: Font, text: str, page_w: float, page_h: float) -> tuple[float, float, list[str]]:
    """Text size, box width and lines: the largest size whose box fits the page height,
    first in a narrow box, then as wide as the page; cut with "…" if nothing fits."""
    narrow = min(max(page_w * 0.4, 120.0), 220.0, page_w - 2 * _MARGIN)
    room = page_h - 2 * _MARGIN - 2 * _PAD
    for box_w in (narrow, page_w - 2 * _MARGIN):
        for size in NOTE_SIZES:
            lines = wrap(font, size, text, box_w - 2 * _PAD)
            if len(lines) * size * _LEADING <= room:
                used = max(font.width(line, size) for line in lines) + 2 * _PAD
                return size, min(box_w, used), lines
    keep = max(1, int(room // (size * _LEADING)))
    return size, box_w, [*lines[: keep - 1], _ELLIPSIS]


def wrap(font: Font, size: float, text: str, width: float) -> list[str]:
    """Greedy word wrap of each line of ``text`` to ``width`` points; a word wider than
    that is cut between characters (a long link must not run off the page)."""
    advance = {c: font.width(c, size) for c in set(text) if not c.isspace()}
    space = font.width(" ", size)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, line_w = "", 0.0
        for word in paragraph.split():
            word_w = sum(advance[c] for c in word)
            if line and line_w + space + word_w <= width:
                line, line_w = f"{line} {word}", line_w + space + word_w
                continue
            if line:
                lines.append(line)
            line, line_w = "", 0.0
            for piece in _cut(word, advance, width):
                if line:
                    lines.append(line)
                line, line_w = piece, sum(advance[c] for c in piece)
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _cut(word: str, advance: dict[str, float], width: float) -> Sequence[str]:
    pieces, piece, piece_w = [], "", 0.0
    for char in word:
        if piece and piece_w + advance[char] > width:
            pieces.append(piece)
            piece, piece_w = "", 0.0
        piece, piece_w = piece + char, piece_w + advance[char]
    pieces.append(piece)
    return pieces
