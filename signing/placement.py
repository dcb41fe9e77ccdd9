"""Where Decree 30 signature appearances go on a page.

Boxes are ``(x1, y1, x2, y2)`` in PDF points, in the page's user space (origin bottom
left), as :attr:`signing.specs.FieldSpec.rect` wants them. "Top right" means as the page
is shown: a page with /Rotate is shown turned, and :func:`top_right_rect` accounts for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from signing.errors import BadPdf
from signing.pdfdraw import AppearanceError, Rect
from signing.pdfio import PYPDF_ERRORS, open_pdf
from signing.pngimage import load_png

MM = 72 / 25.4
"""Points per millimetre."""
SEAL_MM = (15.0, 80.0)
"""Seal sizes accepted (typical seals are 35 to 42 mm across)."""


@dataclass(frozen=True)
class PageBox:
    """A page's visible area (its CropBox) and how it is turned when shown."""

    box: Rect
    rotate: int = 0
    """0, 90, 180 or 270: degrees clockwise (/Rotate)."""

    @property
    def matrix(self) -> tuple[int, int, int, int]:
        """The form matrix (a b c d) that turns an appearance upright on this page."""
        return {0: (1, 0, 0, 1), 90: (0, 1, -1, 0), 180: (-1, 0, 0, -1), 270: (0, -1, 1, 0)}[
            self.rotate
        ]

    @property
    def shown_size(self) -> tuple[float, float]:
        x1, y1, x2, y2 = self.box
        w, h = x2 - x1, y2 - y1
        return (h, w) if self.rotate in (90, 270) else (w, h)

    def to_user(self, dx: float, dy: float) -> tuple[float, float]:
        """A point of the page as shown (origin bottom left) in user space."""
        x1, y1, x2, y2 = self.box
        return {
            0: (x1 + dx, y1 + dy),
            90: (x2 - dy, y1 + dx),
            180: (x2 - dx, y2 - dy),
            270: (x1 + dy, y2 - dx),
        }[self.rotate]


def page_box(data: bytes, page: int = 0) -> PageBox:
    """The visible box and rotation of page ``page`` (from 0) of the PDF ``data``."""
    reader = open_pdf(data)
    if not 0 <= page < len(reader.pages):
        raise BadPdf(
            "signature.bad_page",
            f"Tệp không có trang {page + 1}.",
            f"The file has no page {page + 1}.",
        )
    try:
        obj = reader.pages[page]
        box = cast(Any, obj.cropbox)
        rect = (float(box.left), float(box.bottom), float(box.right), float(box.top))
        rotate = int(cast(Any, obj.get("/Rotate", 0)) or 0) % 360
    except PYPDF_ERRORS:
        raise BadPdf(
            "pdf.bad_page", "Trang của tệp PDF bị hỏng.", "A page of the PDF is damaged."
        ) from None
    x1, y1, x2, y2 = rect
    return PageBox((min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)), rotate - rotate % 90)


def top_right_rect(
    page: PageBox, width: float, height: float, *, right: float = 15 * MM, top: float = 5 * MM
) -> Rect:
    """A ``width`` × ``height`` box (as shown) at the top right of ``page``, ``right`` and
    ``top`` points from the edges, in user space."""
    shown_w, shown_h = page.shown_size
    dx2, dy2 = shown_w - right, shown_h - top
    ax, ay = page.to_user(max(0.0, dx2 - width), max(0.0, dy2 - height))
    bx, by = page.to_user(dx2, dy2)
    return (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))


SEAL_IMAGE = ("Ảnh con dấu", "seal image")


def seal_size(image: bytes, size_mm: float | None = None) -> tuple[float, float]:
    """The seal's real size in points (width, height): ``size_mm`` across, or from the
    PNG's resolution (its pHYs chunk)."""
    png = load_png(image, SEAL_IMAGE)
    if size_mm is not None:
        width = size_mm * MM
    elif png.dpi is not None:
        width = png.width / png.dpi[0] * 72
    else:
        raise AppearanceError(
            "appearance.seal_size_unknown",
            "Ảnh con dấu không ghi độ phân giải (DPI): hãy cho biết đường kính con dấu (mm).",
            "The seal image has no resolution (DPI): give the seal's diameter in mm.",
        )
    low, high = SEAL_MM
    if not low <= width / MM <= high:
        raise AppearanceError(
            "appearance.seal_size",
            f"Con dấu rộng {width / MM:.0f} mm, ngoài khoảng {low:.0f}–{high:.0f} mm: kiểm tra"
            " độ phân giải của ảnh hoặc kích thước đã nhập.",
            f"The seal is {width / MM:.0f} mm across, outside {low:.0f}–{high:.0f} mm: check"
            " the image's resolution or the size given.",
        )
    return width, width * png.height / png.width


def seal_box(signer_image: Rect, size: tuple[float, float], cover: float = 1 / 3) -> Rect:
    """The seal image's box: over the left ``cover`` of the signer's signature image
    (its right edge there), centred on that image vertically (Decree 30, Appendix I)."""
    x1, y1, x2, y2 = signer_image
    width, height = size
    right = x1 + (x2 - x1) * cover
    middle = (y1 + y2) / 2
    return (right - width, middle - height / 2, right, middle + height / 2)
