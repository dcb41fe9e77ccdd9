"""Fonts with Vietnamese glyphs: where to find them, and their metrics.

One place finds font files for everything that draws text (signature appearances here,
the Decree 30 layout in ``documents.layout``). Fonts come from Debian packages
and are never committed: Liberation Serif 2 (``fonts-liberation2``; metric-compatible
with Times New Roman, which Decree 30 asks for) and DejaVu (``fonts-dejavu-core``).
Liberation 1.x (``fonts-liberation``) has the same file names but no Vietnamese letters,
so every file found is checked for the whole Vietnamese alphabet before it is used.

:class:`Font` holds what drawing and embedding need (code point to glyph, advance
widths, the raw tables); it is parsed once per file and cached.
"""

from __future__ import annotations

import functools
import io
import struct
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError  # type: ignore[import-untyped]

FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/liberation2"),  # Debian, Ubuntu: fonts-liberation2
    Path("/usr/share/fonts/truetype/liberation"),  # older Ubuntu; 1.x here lacks Vietnamese
    Path("/usr/share/fonts/liberation-serif"),  # Fedora
    Path("/usr/share/fonts/liberation"),  # Alpine, Arch
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian, Ubuntu: fonts-dejavu-core
    Path("/usr/share/fonts/dejavu"),  # Fedora, Alpine
    Path("/usr/share/fonts/TTF"),  # Arch
)
"""Folders searched for font files, in order."""


@dataclass(frozen=True)
class FontFamily:
    """A family's file names by style ("" regular, "B" bold, "I" italic, "BI")."""

    name: str
    package: str
    """The Debian package that installs it."""
    files: Mapping[str, str]


LIBERATION_SERIF = FontFamily(
    "Liberation Serif",
    "fonts-liberation2",
    {
        "": "LiberationSerif-Regular.ttf",
        "B": "LiberationSerif-Bold.ttf",
        "I": "LiberationSerif-Italic.ttf",
        "BI": "LiberationSerif-BoldItalic.ttf",
    },
)
DEJAVU_SERIF = FontFamily(
    "DejaVu Serif",
    "fonts-dejavu-core",
    {
        "": "DejaVuSerif.ttf",
        "B": "DejaVuSerif-Bold.ttf",
        "I": "DejaVuSerif-Italic.ttf",
        "BI": "DejaVuSerif-BoldItalic.ttf",
    },
)
DEJAVU_SANS = FontFamily(
    "DejaVu Sans",
    "fonts-dejavu-core",
    {
        "": "DejaVuSans.ttf",
        "B": "DejaVuSans-Bold.ttf",
        "I": "DejaVuSans-Oblique.ttf",
        "BI": "DejaVuSans-BoldOblique.ttf",
    },
)
SERIF_FAMILIES = (LIBERATION_SERIF, DEJAVU_SERIF)
"""For signature appearances: Times-like first, DejaVu Serif otherwise."""


def _vietnamese_letters() -> str:
    tones = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
    vowels = "aăâeêioôơuưy"
    letters = [unicodedata.normalize("NFC", v + t) for v in vowels for t in tones]
    text = "".join(letters) + "đ"
    return text + text.upper()


VIETNAMESE = _vietnamese_letters()
"""Every precomposed Vietnamese letter (NFC), lower and upper case."""


class FontNotFound(RuntimeError):
    """No usable font is installed: a deployment problem, not bad input."""


def find_family(
    families: Sequence[FontFamily] = SERIF_FAMILIES,
    folders: Sequence[Path] = FONT_DIRS,
    styles: Sequence[str] = ("", "B", "I", "BI"),
) -> dict[str, Path]:
    """The files of the first family found with Vietnamese glyphs, by style.

    Regular and bold are required; a missing italic falls back to the upright style.
    Only ``styles`` are looked for. Raises :class:`FontNotFound` naming the Debian
    packages when no family is complete.
    """
    for family in families:
        found: dict[str, Path] = {}
        for style, name in family.files.items():
            if style not in styles:
                continue
            path = next(
                (d / name for d in folders if (d / name).is_file() and covers(d / name)), None
            )
            if path is not None:
                found[style] = path
        if "" in found and "B" in found:
            found.setdefault("I", found[""])
            found.setdefault("BI", found["B"])
            return found
    packages = " ".join(dict.fromkeys(f.package for f in families))
    names = ", ".join(f.name for f in families)
    raise FontNotFound(
        f"Không tìm thấy phông chữ tiếng Việt ({names}) / no font with Vietnamese glyphs "
        f"({names}) found in {', '.join(str(d) for d in folders)}: install Debian's "
        f"{' or '.join(packages.split())} (apt-get install -y {packages.split()[0]})"
    )


@functools.lru_cache(maxsize=64)
def covers(path: Path, text: str = VIETNAMESE) -> bool:
    """Whether the font file has a glyph for every character of ``text``."""
    try:
        return load_font(path).missing(text) == ""
    except (OSError, TTLibError, KeyError, ValueError, struct.error):
        return False


@dataclass(frozen=True, eq=False)
class Font:
    """A TrueType (glyf) font: metrics in font units and the raw file."""

    path: Path
    data: bytes
    postscript_name: str
    units_per_em: int
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]
    italic_angle: float
    weight: int
    cmap: Mapping[int, int]
    """Code point → glyph id."""
    advances: tuple[int, ...]
    """Advance width of each glyph id."""
    tables: Mapping[str, tuple[int, int]]
    """Table tag → (offset, length) in :attr:`data`."""

    def missing(self, text: str) -> str:
        """The characters of ``text`` the font has no glyph for (each once, in order)."""
        return "".join(dict.fromkeys(c for c in text if ord(c) not in self.cmap))

    def glyphs(self, text: str) -> list[int]:
        """Glyph ids of ``text`` (missing characters must have been refused before)."""
        return [self.cmap[ord(c)] for c in text]

    def width(self, text: str, size: float) -> float:
        """Width of ``text`` at ``size`` points, in points (no kerning)."""
        units = sum(self.advances[g] for g in self.glyphs(text))
        return units * size / self.units_per_em

    def table(self, tag: str) -> bytes:
        offset, length = self.tables[tag]
        return self.data[offset : offset + length]


@functools.lru_cache(maxsize=16)
def load_font(path: Path) -> Font:
    """Parse a TrueType font file once (cached by path)."""
    data = path.read_bytes()
    tt = TTFont(io.BytesIO(data), lazy=True)
    if "glyf" not in tt or "loca" not in tt:
        raise TTLibError(f"{path} has no TrueType outlines (glyf)")
    head, hhea, os2, post = tt["head"], tt["hhea"], tt.get("OS/2"), tt["post"]
    order = {name: gid for gid, name in enumerate(tt.getGlyphOrder())}
    cmap = {code: order[name] for code, name in (tt.getBestCmap() or {}).items()}
    count = tt["maxp"].numGlyphs
    long_count = hhea.numberOfHMetrics
    offset, _ = _table_records(data)["hmtx"]
    longs = struct.unpack_from(f">{long_count * 2}H", data, offset)[0::2]
    advances = (*longs, *(longs[-1],) * (count - long_count))
    cap = getattr(os2, "sCapHeight", 0) if os2 is not None else 0
    return Font(
        path=path,
        data=data,
        postscript_name=str(tt["name"].getDebugName(6) or path.stem).replace(" ", ""),
        units_per_em=head.unitsPerEm,
        ascent=hhea.ascent,
        descent=hhea.descent,
        cap_height=cap or hhea.ascent,
        bbox=(head.xMin, head.yMin, head.xMax, head.yMax),
        italic_angle=float(post.italicAngle),
        weight=os2.usWeightClass if os2 is not None else 400,
        cmap=cmap,
        advances=advances,
        tables=_table_records(data),
    )


def _table_records(data: bytes) -> dict[str, tuple[int, int]]:
    (count,) = struct.unpack_from(">H", data, 4)
    records = {}
    for i in range(count):
        tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        records[tag.decode("latin-1")] = (offset, length)
    return records


def serif(style: str = "") -> Font:
    """The serif font for signature appearances in ``style`` ("", "B" or "I")."""
    return load_font(_serif_files()[style])


@functools.lru_cache(maxsize=1)
def _serif_files() -> dict[str, Path]:
    return find_family(SERIF_FAMILIES, FONT_DIRS, ("", "B", "I"))
