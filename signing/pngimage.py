"""PNG images for appearances: checked, decoded once, and encoded for PDF.

Decree 30 wants the signature and the seal as PNG with a transparent background, so a
file that is not a PNG, cannot be decoded, or has no transparent pixel is refused with a
clear :class:`~signing.pdfdraw.ImageError` (an opaque image would hide the text under
it, and the seal would hide the signature). The colour is not checked.

For PDF the image is split into RGB and alpha (the /SMask) and each is encoded by
Pillow's PNG encoder, whose IDAT data PDF reads as is (FlateDecode with PNG predictors).
Images larger than needed for 300 dpi at their drawn size are scaled down first.
"""

from __future__ import annotations

import functools
import io
import struct
import zlib
from dataclasses import dataclass

from PIL import Image

from signing.pdfdraw import ImageError, PdfImage

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PIXELS = 16_000_000
"""Larger images are refused before decoding (a 4000 × 4000 seal is already plenty)."""
MAX_DPI = 300.0


@dataclass(frozen=True, eq=False)
class Png:
    """A decoded PNG with transparency (RGBA) and its resolution, if the file has one."""

    image: Image.Image
    dpi: tuple[float, float] | None

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height


@functools.lru_cache(maxsize=8)
def load_png(data: bytes, what: tuple[str, str]) -> Png:
    """Check and decode ``data``; ``what`` names the image in errors (Vietnamese, English).

    Cached: the same seal or signature image is decoded once.
    """
    vi, en = what
    if not data.startswith(PNG_SIGNATURE):
        raise ImageError(
            "image.not_png",
            f"{vi} phải là tệp PNG.",
            f"The {en} must be a PNG file.",
        )
    try:
        # The size is checked from the header, before anything is decoded (Pillow's own
        # bomb check only warns below 179 million pixels).
        image = Image.open(io.BytesIO(data), formats=["PNG"])
        if image.width * image.height > MAX_PIXELS:
            raise ImageError(
                "image.too_large",
                f"{vi} quá lớn ({image.width} × {image.height} điểm ảnh).",
                f"The {en} is too large ({image.width} × {image.height} pixels).",
            )
        image.load()
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        rgba = image.convert("RGBA")
    except ImageError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error,
            Image.DecompressionBombError, Image.DecompressionBombWarning):  # fmt: skip
        raise ImageError(
            "image.corrupt",
            f"{vi} bị hỏng hoặc không đọc được.",
            f"The {en} is damaged or cannot be read.",
        ) from None
    lowest, highest = rgba.getchannel("A").getextrema()
    if not has_alpha or lowest == 255:
        raise ImageError(
            "image.opaque",
            f"{vi} phải có nền trong suốt (PNG có kênh alpha).",
            f"The {en} must have a transparent background (a PNG with alpha).",
        )
    if highest == 0:
        raise ImageError(
            "image.blank",
            f"{vi} trong suốt hoàn toàn, không có nội dung.",
            f"The {en} is fully transparent: there is nothing to show.",
        )
    dpi = image.info.get("dpi")
    if isinstance(dpi, tuple) and len(dpi) == 2 and all(float(v) > 1 for v in dpi):
        return Png(rgba, (float(dpi[0]), float(dpi[1])))
    return Png(rgba, None)


def pdf_image(png: Png, width_pt: float, height_pt: float) -> PdfImage:
    """``png`` encoded for drawing at ``width_pt`` × ``height_pt`` points."""
    scale = min(1.0, width_pt / 72 * MAX_DPI / png.width, height_pt / 72 * MAX_DPI / png.height)
    return _encode(png, max(1, round(png.width * scale)), max(1, round(png.height * scale)))


@functools.lru_cache(maxsize=16)
def _encode(png: Png, width: int, height: int) -> PdfImage:
    image = png.image
    if (width, height) != image.size:
        # Pillow premultiplies alpha while resampling RGBA, so edges keep their colour.
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    return PdfImage(width, height, _idat(image.convert("RGB")), _idat(image.getchannel("A")))


def _idat(image: Image.Image) -> bytes:
    """The zlib stream of a PNG encoding of ``image`` (its IDAT chunks joined)."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=6)
    data = buffer.getvalue()
    out = bytearray()
    at = len(PNG_SIGNATURE)
    while at < len(data):
        length, kind = struct.unpack_from(">I4s", data, at)
        if kind == b"IDAT":
            out += data[at + 8 : at + 8 + length]
        at += 12 + length
    return bytes(out)
