"""Demo signature and seal images, drawn with Pillow.

Decree 30 wants the signer's signature as a blue PNG and the agency's seal as a red PNG,
both with a transparent background, the seal at its real size. These are invented and
obviously synthetic: a cursive-looking scribble seeded by the person's name, and a round
seal with the agency name around the ring and a star in the middle. The same name gives
the same bytes. Both carry their resolution (pHYs), so the seal is 40 mm across.

Shapes are drawn white on a large grey-scale mask, scaled down (anti-aliasing), and used
as the alpha of a flat colour: edges keep the ink's colour, with no dark fringe.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import math
import random
import unicodedata

from PIL import Image, ImageChops, ImageDraw, ImageFont

from signing.fonts import DEJAVU_SANS, DEJAVU_SERIF, LIBERATION_SERIF, find_family

SIGNATURE_BLUE = (24, 50, 165)
SEAL_RED = (214, 28, 36)
DPI = 300
_OVERSAMPLE = 3


def signature_png(name: str, *, width_mm: float = 50.0, dpi: int = DPI) -> bytes:
    """A blue, handwritten-looking signature for ``name`` (2.5:1, transparent)."""
    seed = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    rng = random.Random(seed)  # noqa: S311 - a drawing, not a secret
    width = round(width_mm / 25.4 * dpi)
    height = round(width / 2.5)
    big_w, big_h = width * _OVERSAMPLE, height * _OVERSAMPLE
    mask = Image.new("L", (big_w, big_h), 0)
    draw = ImageDraw.Draw(mask)
    pen = big_h * 0.022

    # A tall initial, a run of loops of varying size (a prolate cycloid, some dipping
    # under the line), a swash back under the name; all slanted to the right.
    points: list[tuple[float, float]] = []
    base = big_h * 0.6
    for i in range(50):
        t = i / 49
        points.append((big_w * (0.06 + 0.07 * t), base - big_h * 0.5 * math.sin(math.pi * t)))
    x = points[-1][0]
    loops = rng.randint(5, 8)
    for k in range(loops):
        step = big_w * rng.uniform(0.06, 0.12) / (2 * math.pi)
        lift = big_h * rng.choice((0.16, 0.22, 0.3, 0.42))
        dip = big_h * (rng.uniform(0.15, 0.3) if rng.random() < 0.3 else 0.0)
        for i in range(48):
            t = i / 48 * 2 * math.pi
            y = base - lift * (1 - math.cos(t)) / 2
            if dip and t > math.pi:
                y += dip * math.sin(t - math.pi) * (1 if k % 2 else 0.6)
            points.append((x + step * (t - 1.7 * math.sin(t)), y))
        x += step * 2 * math.pi
    end_x, end_y = points[-1]
    for i in range(1, 61):
        t = i / 60
        points.append(
            (
                end_x + big_w * 0.05 * math.sin(math.pi * t) - (end_x - big_w * 0.12) * t**1.5,
                end_y + big_h * (0.25 * math.sin(math.pi * t * 0.9) + 0.06 * t),
            )
        )
    points = [(px + (base - py) * 0.28, py) for px, py in points]
    for i, (a, b) in enumerate(itertools.pairwise(points)):
        w = pen * (0.85 + 0.3 * math.sin(i / 23 + rng.random() * 0.3))
        draw.line([a, b], fill=255, width=max(1, round(w)))
        r = w / 2
        draw.ellipse([b[0] - r, b[1] - r, b[0] + r, b[1] + r], fill=255)
    return _ink(mask, (width, height), SIGNATURE_BLUE, dpi)


def seal_png(agency: str, *, diameter_mm: float = 40.0, dpi: int = DPI) -> bytes:
    """A round red seal of ``diameter_mm``: two rings, the agency name (upper case)
    around the ring, an inner circle and a five-pointed star."""
    size = round(diameter_mm / 25.4 * dpi)
    big = size * _OVERSAMPLE
    centre = big / 2
    radius = big / 2 * 0.98
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    for r, w in ((radius, 0.05), (radius * 0.89, 0.012), (radius * 0.6, 0.02)):
        draw.ellipse(
            [centre - r, centre - r, centre + r, centre + r], outline=255, width=round(radius * w)
        )
    star = [
        (
            centre + radius * (0.34 if i % 2 == 0 else 0.14) * math.sin(math.pi * i / 5),
            centre - radius * (0.34 if i % 2 == 0 else 0.14) * math.cos(math.pi * i / 5),
        )
        for i in range(10)
    ]
    draw.polygon(star, fill=255)
    _ring_text(mask, unicodedata.normalize("NFC", agency).upper(), centre, radius * 0.745)
    return _ink(mask, (size, size), SEAL_RED, dpi)


def _ring_text(mask: Image.Image, text: str, centre: float, radius: float) -> None:
    """``text`` clockwise around a circle, centred at the top, each letter upright to
    the ring; the size shrinks until it spans at most 330 degrees."""
    path = find_family((DEJAVU_SANS, LIBERATION_SERIF, DEJAVU_SERIF))["B"]
    size = radius * 0.22
    while True:
        font = ImageFont.truetype(str(path), round(size))
        widths = [font.getlength(c) for c in text]
        gap = size * 0.12
        span = (sum(widths) + gap * (len(text) - 1)) / radius
        if span <= math.radians(330) or size < 8:
            break
        size *= 0.93
    angle = -span / 2
    cell = round(size * 2.4)
    for char, w in zip(text, widths, strict=True):
        middle = angle + w / 2 / radius
        angle += (w + gap) / radius
        if not char.strip():
            continue
        glyph = Image.new("L", (cell, cell), 0)
        ImageDraw.Draw(glyph).text((cell / 2, cell / 2), char, fill=255, font=font, anchor="mm")
        glyph = glyph.rotate(-math.degrees(middle), resample=Image.Resampling.BICUBIC)
        x = centre + radius * math.sin(middle) - cell / 2
        y = centre - radius * math.cos(middle) - cell / 2
        box = (round(x), round(y), round(x) + cell, round(y) + cell)
        mask.paste(ImageChops.lighter(mask.crop(box), glyph), box)


def _ink(mask: Image.Image, size: tuple[int, int], color: tuple[int, int, int], dpi: int) -> bytes:
    """A flat ``color`` with ``mask`` (scaled to ``size``) as alpha, as PNG bytes."""
    image = Image.new("RGBA", size, (*color, 0))
    image.putalpha(mask.resize(size, Image.Resampling.LANCZOS))
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()
