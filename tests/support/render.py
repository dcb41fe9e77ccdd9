"""Look at a page as a reader would: poppler renders it, tests count coloured pixels."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

Box = tuple[float, float, float, float]


def render(folder: Path, data: bytes, name: str = "page", page: int = 1) -> Image.Image:
    """Page ``page`` of the PDF ``data`` at 72 dpi (one pixel per point), by pdftoppm."""
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: `make test` installs poppler-utils")
    pdf = folder / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", "72", "-png", "-singlefile", "-f", str(page), "-l", str(page),
         str(pdf), str(folder / name)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return Image.open(folder / f"{name}.png").convert("RGB")


def count(image: Image.Image, box: Box, colour: str) -> int:
    """Pixels of ``colour`` (``blue``: signature ink, ``red``: seal ink) in ``box``, given
    in points with the origin at the bottom left, as PDF boxes are."""
    x1, y1, x2, y2 = box
    h = image.height
    crop = image.crop((round(x1), round(h - y2), round(x2), round(h - y1)))
    test = _blue if colour == "blue" else _red
    return sum(1 for p in crop.get_flattened_data() if test(p))


def _blue(p: tuple[int, int, int]) -> bool:
    return p[2] > p[0] + 60 and p[2] > p[1] + 40


def _red(p: tuple[int, int, int]) -> bool:
    return p[0] > p[1] + 80 and p[0] > p[2] + 80
