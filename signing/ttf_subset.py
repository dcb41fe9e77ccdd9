"""A TrueType subset for PDF embedding (ISO 32000-1 9.9, OpenType 'glyf').

Keeps the glyphs asked for, the components of composite glyphs (Vietnamese letters are
mostly a base letter plus marks), and ``.notdef``; renumbers them from 0 in the original
order and rewrites composite references. The result holds only the tables a PDF
CIDFontType2 needs (head, hhea, maxp, hmtx, loca, glyf and the hinting programs cvt,
fpgm, prep, kept so small text is still hinted). No cmap: the PDF maps character codes
to glyphs itself (/CIDToGIDMap /Identity).

Written against the specification rather than with fontTools' subsetter, which takes
about 25 ms per font (it parses and rebuilds every table); this takes well under 1 ms.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

from signing.fonts import Font

_ARG_WORDS = 0x0001
_HAVE_SCALE = 0x0008
_MORE = 0x0020
_XY_SCALE = 0x0040
_TWO_BY_TWO = 0x0080
_KEPT = ("cvt ", "fpgm", "prep")


def subset(font: Font, glyphs: Iterable[int]) -> tuple[bytes, dict[int, int]]:
    """The subset font file and the map from original to new glyph ids."""
    loca = _loca(font)
    glyf = font.table("glyf")
    wanted = {0, *glyphs}
    todo = list(wanted)
    while todo:  # close over composite components
        for component, _ in _components(_glyph(glyf, loca, todo.pop())):
            if component not in wanted:
                wanted.add(component)
                todo.append(component)
    order = sorted(wanted)
    new_id = {old: new for new, old in enumerate(order)}

    new_glyf = bytearray()
    offsets = []
    for old in order:
        offsets.append(len(new_glyf))
        data = bytearray(_glyph(glyf, loca, old))
        for component, at in _components(bytes(data)):
            struct.pack_into(">H", data, at, new_id[component])
        new_glyf += data + b"\0" * (-len(data) % 4)
    offsets.append(len(new_glyf))

    hmtx = _hmtx(font)
    head = bytearray(font.table("head"))
    struct.pack_into(">I", head, 8, 0)  # checkSumAdjustment, set at the end
    struct.pack_into(">h", head, 50, 1)  # long loca offsets
    hhea = bytearray(font.table("hhea"))
    struct.pack_into(">H", hhea, 34, len(order))  # numberOfHMetrics
    maxp = bytearray(font.table("maxp"))
    struct.pack_into(">H", maxp, 4, len(order))  # numGlyphs
    tables = {
        "glyf": bytes(new_glyf),
        "head": bytes(head),
        "hhea": bytes(hhea),
        "hmtx": b"".join(struct.pack(">Hh", *hmtx[g]) for g in order),
        "loca": struct.pack(f">{len(offsets)}I", *offsets),
        "maxp": bytes(maxp),
    }
    tables.update({tag: font.table(tag) for tag in _KEPT if tag in font.tables})
    return _assemble(tables), new_id


def _loca(font: Font) -> tuple[int, ...]:
    raw = font.table("loca")
    (long_format,) = struct.unpack_from(">h", font.table("head"), 50)
    if long_format:
        return struct.unpack(f">{len(raw) // 4}I", raw)
    return tuple(2 * v for v in struct.unpack(f">{len(raw) // 2}H", raw))


def _glyph(glyf: bytes, loca: tuple[int, ...], gid: int) -> bytes:
    return glyf[loca[gid] : loca[gid + 1]]


def _components(data: bytes) -> list[tuple[int, int]]:
    """(glyph id, offset of that id in ``data``) for each component of a composite."""
    if len(data) < 10 or struct.unpack_from(">h", data, 0)[0] >= 0:
        return []
    found = []
    at = 10
    while True:
        flags, gid = struct.unpack_from(">HH", data, at)
        found.append((gid, at + 2))
        at += 4 + (4 if flags & _ARG_WORDS else 2)
        if flags & _HAVE_SCALE:
            at += 2
        elif flags & _XY_SCALE:
            at += 4
        elif flags & _TWO_BY_TWO:
            at += 8
        if not flags & _MORE:
            return found


def _hmtx(font: Font) -> list[tuple[int, int]]:
    """(advance, left side bearing) per original glyph id."""
    raw = font.table("hmtx")
    (long_count,) = struct.unpack_from(">H", font.table("hhea"), 34)
    longs = list(struct.iter_unpack(">Hh", raw[: 4 * long_count]))
    rest = len(font.advances) - long_count
    bearings = struct.unpack_from(f">{rest}h", raw, 4 * long_count) if rest else ()
    return longs + [(longs[-1][0], b) for b in bearings]


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    words: tuple[int, ...] = struct.unpack(f">{len(padded) // 4}I", padded)
    return sum(words) & 0xFFFFFFFF


def _assemble(tables: dict[str, bytes]) -> bytes:
    """An sfnt file: offset table, table directory (sorted tags), 4-byte aligned tables."""
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    out = bytearray(
        struct.pack(
            ">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1, (count - power) * 16
        )
    )
    body = bytearray()
    head_at = 0
    start = 12 + 16 * count
    for tag in tags:
        data = tables[tag]
        if tag == "head":
            head_at = start + len(body)
        out += struct.pack(
            ">4sIII", tag.encode("latin-1"), _checksum(data), start + len(body), len(data)
        )
        body += data + b"\0" * (-len(data) % 4)
    out += body
    struct.pack_into(">I", out, head_at + 8, (0xB1B0AFBA - _checksum(bytes(out))) & 0xFFFFFFFF)
    return bytes(out)
