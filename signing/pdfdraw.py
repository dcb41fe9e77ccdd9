"""Drawing a signature appearance: a form XObject with text and images, as PDF objects.

:class:`Canvas` records text runs and images in the form's coordinates (points, origin
bottom left), then :meth:`Canvas.finish` writes the objects: the form first, then per
font a Type0 font over a CIDFontType2 with a subset of the TrueType file (/FontFile2)
and a ToUnicode CMap, then per image an RGB image with its alpha as /SMask. References
between them are relative (``{r[i]}`` in each dictionary) until the object numbers are
known (:meth:`Objects.bodies`).
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field

from signing.errors import SigningError
from signing.fonts import Font
from signing.ttf_subset import subset

Rect = tuple[float, float, float, float]
Color = tuple[float, float, float]
BLACK: Color = (0.0, 0.0, 0.0)


class AppearanceError(SigningError):
    """The appearance cannot be drawn from what was given (text, box, font)."""


class ImageError(AppearanceError):
    """The image is not a usable PNG."""


@dataclass(frozen=True, eq=False)
class PdfImage:
    """An image ready for PDF: zlib data with PNG predictors (as in a PNG's IDAT)."""

    width: int
    height: int
    rgb: bytes
    alpha: bytes


@dataclass(frozen=True)
class Obj:
    """One object: its dictionary (relative references as ``{r[i]}``) and its stream."""

    head: str
    stream: bytes | None = None

    def body(self, refs: list[str]) -> bytes:
        head = self.head.format(r=refs).encode("latin-1")
        if self.stream is None:
            return head
        return head + b"\nstream\n" + self.stream + b"\nendstream"


@dataclass(frozen=True)
class Objects:
    """The appearance's objects; the first is the form XObject."""

    items: tuple[Obj, ...]

    def bodies(self, first: int) -> list[bytes]:
        """Bodies for object numbers ``first``, ``first + 1``, …"""
        refs = [f"{first + i} 0 R" for i in range(len(self.items))]
        return [item.body(refs) for item in self.items]


@dataclass(frozen=True)
class _Text:
    font: Font
    size: float
    x: float
    y: float
    text: str
    color: Color


@dataclass
class _FontUse:
    name: str
    glyphs: dict[int, str] = field(default_factory=dict)
    """Glyph id → the character it stands for (the first seen)."""


class Canvas:
    """A form XObject of ``width`` × ``height`` points being drawn; ``matrix`` (a b c d)
    turns it (for a page shown rotated)."""

    def __init__(
        self, width: float, height: float, matrix: tuple[int, int, int, int] = (1, 0, 0, 1)
    ) -> None:
        self.width = width
        self.height = height
        self.matrix = matrix
        self._ops: list[_Text | bytes] = []
        self._fonts: dict[Font, _FontUse] = {}
        self._images: list[PdfImage] = []

    def text(
        self, font: Font, size: float, x: float, y: float, text: str, color: Color = BLACK
    ) -> None:
        """``text`` on one line, its baseline starting at (x, y)."""
        check_glyphs(font, [text])
        use = self._fonts.setdefault(font, _FontUse(f"F{len(self._fonts) + 1}"))
        for char, gid in zip(text, font.glyphs(text), strict=True):
            use.glyphs.setdefault(gid, char)
        self._ops.append(_Text(font, size, x, y, text, color))

    def fill(self, box: Rect, color: Color) -> None:
        """Paint ``box`` (x1, y1, x2, y2) in ``color``."""
        x1, y1, x2, y2 = box
        self._ops.append(
            f"q {' '.join(map(_n, color))} rg {_n(x1)} {_n(y1)} {_n(x2 - x1)} {_n(y2 - y1)}"
            " re f Q\n".encode()
        )

    def image(self, image: PdfImage, box: Rect) -> None:
        """``image`` stretched over ``box`` (x1, y1, x2, y2)."""
        self._images.append(image)
        x1, y1, x2, y2 = box
        self._ops.append(
            f"q {_n(x2 - x1)} 0 0 {_n(y2 - y1)} {_n(x1)} {_n(y1)} cm"
            f" /Im{len(self._images)} Do Q\n".encode()
        )

    def finish(self) -> Objects:
        """The form XObject and its resources."""
        items: list[Obj] = [Obj("")]  # the form, written last (it names the others)
        new_ids: dict[Font, dict[int, int]] = {}
        font_refs = []
        for font, use in self._fonts.items():
            font_refs.append(f"/{use.name} {{r[{len(items)}]}}")
            objs, new_ids[font] = _font_objects(font, use, len(items))
            items += objs
        image_refs = []
        for i, image in enumerate(self._images, start=1):
            image_refs.append(f"/Im{i} {{r[{len(items)}]}}")
            items += _image_objects(image, len(items))
        content = bytearray()
        for op in self._ops:
            if isinstance(op, bytes):
                content += op
                continue
            ids = new_ids[op.font]
            hexed = "".join(f"{ids[g]:04X}" for g in op.font.glyphs(op.text))
            content += (
                f"q {' '.join(map(_n, op.color))} rg BT /{self._fonts[op.font].name}"
                f" {_n(op.size)} Tf {_n(op.x)} {_n(op.y)} Td <{hexed}> Tj ET Q\n"
            ).encode()
        resources = ""
        if font_refs:
            resources += f"/Font<<{''.join(font_refs)}>>"
        if image_refs:
            resources += f"/XObject<<{''.join(image_refs)}>>"
        stream = zlib.compress(bytes(content))
        matrix = "" if self.matrix == (1, 0, 0, 1) else f"/Matrix[{_ints(self.matrix)} 0 0]"
        items[0] = Obj(
            f"<</Type/XObject/Subtype/Form/BBox[0 0 {_n(self.width)} {_n(self.height)}]{matrix}"
            f"/Resources<<{resources}>>/Filter/FlateDecode/Length {len(stream)}>>",
            stream,
        )
        return Objects(tuple(items))


def check_glyphs(font: Font, texts: list[str]) -> None:
    """Refuse text the font cannot show (rather than draw empty boxes)."""
    missing = font.missing("".join(texts))
    if missing:
        shown = ", ".join(f"“{c}” (U+{ord(c):04X})" for c in missing)
        raise AppearanceError(
            "appearance.missing_glyph",
            f"Phông chữ {font.postscript_name} không có ký tự {shown}.",
            f"The font {font.postscript_name} has no glyph for {shown}.",
        )


def _n(value: float) -> str:
    """A PDF number: at most three decimals, no exponent, no "-0"."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _ints(values: tuple[int, ...]) -> str:
    return " ".join(map(str, values))


def _font_objects(font: Font, use: _FontUse, at: int) -> tuple[list[Obj], dict[int, int]]:
    """Type0 font (index ``at``), CIDFontType2, descriptor, FontFile2, ToUnicode."""
    program, new_ids = subset(font, use.glyphs)
    by_new = sorted((new, old) for old, new in new_ids.items())
    scale = 1000 / font.units_per_em
    widths = " ".join(str(round(font.advances[old] * scale)) for _, old in by_new)
    digest = hashlib.sha256(font.postscript_name.encode() + bytes(str(by_new), "ascii"))
    tag = "".join(chr(65 + b % 26) for b in digest.digest()[:6])
    base = f"{tag}+{font.postscript_name}"
    bbox = " ".join(str(round(v * scale)) for v in font.bbox)
    flags = 4 | 2 | (1 << 18 if font.weight >= 600 else 0)  # symbolic, serif, force bold
    cmap = _to_unicode({new_ids[gid]: char for gid, char in use.glyphs.items()})
    packed = zlib.compress(program)
    packed_cmap = zlib.compress(cmap)
    return [
        Obj(
            f"<</Type/Font/Subtype/Type0/BaseFont/{base}/Encoding/Identity-H"
            f"/DescendantFonts[{{r[{at + 1}]}}]/ToUnicode {{r[{at + 4}]}}>>"
        ),
        Obj(
            f"<</Type/Font/Subtype/CIDFontType2/BaseFont/{base}"
            "/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>"
            f"/FontDescriptor {{r[{at + 2}]}}/W[0[{widths}]]/CIDToGIDMap/Identity>>"
        ),
        Obj(
            f"<</Type/FontDescriptor/FontName/{base}/Flags {flags}/FontBBox[{bbox}]"
            f"/ItalicAngle {_n(font.italic_angle)}/Ascent {round(font.ascent * scale)}"
            f"/Descent {round(font.descent * scale)}/CapHeight {round(font.cap_height * scale)}"
            f"/StemV {80 if font.weight < 600 else 140}/FontFile2 {{r[{at + 3}]}}>>"
        ),
        Obj(
            f"<</Length {len(packed)}/Length1 {len(program)}/Filter/FlateDecode>>",
            packed,
        ),
        Obj(f"<</Length {len(packed_cmap)}/Filter/FlateDecode>>", packed_cmap),
    ], new_ids


def _to_unicode(chars: dict[int, str]) -> bytes:
    """A ToUnicode CMap from 2-byte codes (new glyph ids) to UTF-16BE."""
    lines = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def",
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    pairs = sorted(chars.items())
    for start in range(0, len(pairs), 100):  # at most 100 entries per block
        block = pairs[start : start + 100]
        lines.append(f"{len(block)} beginbfchar")
        lines += [
            f"<{code:04X}> <{char.encode('utf-16-be').hex().upper()}>" for code, char in block
        ]
        lines.append("endbfchar")
    lines.append("endcmap CMapName currentdict /CMap defineresource pop end end")
    return "\n".join(lines).encode("ascii")


def _image_objects(image: PdfImage, at: int) -> list[Obj]:
    """The RGB image (index ``at``) and its soft mask."""

    def head(space: str, colors: int, data: bytes, extra: str = "") -> str:
        return (
            f"<</Type/XObject/Subtype/Image/Width {image.width}/Height {image.height}"
            f"/ColorSpace/{space}/BitsPerComponent 8{extra}/Filter/FlateDecode"
            f"/DecodeParms<</Predictor 15/Colors {colors}/BitsPerComponent 8"
            f"/Columns {image.width}>>/Length {len(data)}>>"
        )

    return [
        Obj(head("DeviceRGB", 3, image.rgb, f"/SMask {{r[{at + 1}]}}"), image.rgb),
        Obj(head("DeviceGray", 1, image.alpha), image.alpha),
    ]
