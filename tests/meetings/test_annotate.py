"""Annotations burnt into a copy of a meeting document, checked as a reader sees them:
poppler renders the copy and the tests look at pixels at shown-page fractions."""

from __future__ import annotations

import hashlib
import io
import math
import shutil
import subprocess
import time
import unicodedata
from pathlib import Path
from typing import Any, cast

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, IndirectObject, NameObject, RectangleObject

from ecabinet.core.errors import InvalidInput
from ecabinet.meetings.annotate import (
    MAX_POINTS,
    Annotation,
    Highlight,
    Ink,
    Note,
    Point,
    burn_in,
    validate,
)
from signing.keys import load_pkcs12
from signing.pades import sign_pdf
from signing.specs import FieldSpec
from tests.support.credentials import PASSPHRASE, issuer
from tests.support.render import render

BLUE = "#1040C0"
RED = "#D01010"
TEXT = "Đề nghị bổ sung số liệu quý III"
Pixel = tuple[int, int, int]


def make_pdf(
    pages: int = 1,
    *,
    rotate: int = 0,
    media: tuple[float, float, float, float] = (0, 0, 595, 842),
    crop: tuple[float, float, float, float] | None = None,
    content: bytes = b"",
    shared_resources: bool = False,
) -> bytes:
    """A PDF of ``pages`` pages, each with ``content`` (as it comes, unbalanced or not)."""
    writer = PdfWriter()
    resources: IndirectObject | None = None
    for _ in range(pages):
        page = writer.add_blank_page(media[2] - media[0], media[3] - media[1])
        page[NameObject("/MediaBox")] = RectangleObject(media)
        if crop is not None:
            page[NameObject("/CropBox")] = RectangleObject(crop)
        if rotate:
            page.rotation = rotate
        stream = DecodedStreamObject()
        stream.set_data(content)
        page[NameObject("/Contents")] = writer._add_object(stream)
        if shared_resources:
            if resources is None:
                resources = writer._add_object(page["/Resources"])
            page[NameObject("/Resources")] = resources
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def diagonal(page: int = 0, color: str = BLUE) -> Ink:
    steps = 20
    points = tuple(Point(0.1 + 0.8 * i / steps, 0.1 + 0.8 * i / steps) for i in range(steps + 1))
    return Ink(page, points, color, 0.006)


def top_left_mark() -> Ink:
    """A short red stroke near the shown top left: tells every rotation apart."""
    return Ink(0, (Point(0.05, 0.05), Point(0.2, 0.05)), RED, 0.01)


def at(image: Image.Image, x: float, y: float, radius: int = 3) -> list[Pixel]:
    """The pixels around shown-page fraction (x, y)."""
    cx, cy = round(x * (image.width - 1)), round(y * (image.height - 1))
    return [
        image.getpixel((px, py))  # type: ignore[misc]
        for px in range(max(0, cx - radius), min(image.width, cx + radius + 1))
        for py in range(max(0, cy - radius), min(image.height, cy + radius + 1))
    ]


def blue(p: Pixel) -> bool:
    return p[2] > p[0] + 80 and p[2] > p[1] + 60


def red(p: Pixel) -> bool:
    return p[0] > p[1] + 80 and p[0] > p[2] + 80


def white(p: Pixel) -> bool:
    return min(p) > 245


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_ink_lands_where_it_was_drawn_on_the_shown_page(tmp_path: Path, rotate: int) -> None:
    source = make_pdf(rotate=rotate)
    image = render(tmp_path, burn_in(source, [diagonal(), top_left_mark()]))
    shown = (842, 595) if rotate in (90, 270) else (595, 842)
    assert abs(image.width - shown[0]) <= 1 and abs(image.height - shown[1]) <= 1
    for t in (0.15, 0.3, 0.5, 0.7, 0.85):
        assert any(blue(p) for p in at(image, t, t)), (rotate, t)
    for x, y in ((0.8, 0.2), (0.2, 0.8), (0.98, 0.02), (0.02, 0.98)):
        assert all(white(p) for p in at(image, x, y)), (rotate, x, y)
    assert any(red(p) for p in at(image, 0.12, 0.05))
    assert not any(red(p) for p in at(image, 0.88, 0.95, radius=8))


def test_crop_box_offsets_are_honoured(tmp_path: Path) -> None:
    source = make_pdf(media=(0, 0, 600, 800), crop=(100, 150, 500, 750))
    out = burn_in(source, [diagonal(), top_left_mark()])
    (tmp_path / "crop.pdf").write_bytes(out)
    # Viewers show the crop box; pdftoppm renders the media box unless told.
    subprocess.run(
        ["pdftoppm", "-r", "72", "-cropbox", "-png", "-singlefile", str(tmp_path / "crop.pdf"),
         str(tmp_path / "crop")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    image = Image.open(tmp_path / "crop.png").convert("RGB")
    assert (image.width, image.height) == (400, 600)
    assert all(any(blue(p) for p in at(image, t, t)) for t in (0.15, 0.5, 0.85))
    assert any(red(p) for p in at(image, 0.12, 0.05))
    assert all(white(p) for p in at(image, 0.8, 0.2))


def test_the_page_content_cannot_move_or_recolour_the_annotations(tmp_path: Path) -> None:
    # A page that scales, recolours and thickens without restoring its state.
    leaky = b"2 0 0 2 0 0 cm 0 1 0 RG 0 1 0 rg 20 w 10 10 m 30 30 l S"
    image = render(tmp_path, burn_in(make_pdf(content=leaky), [diagonal()]))
    assert all(any(blue(p) for p in at(image, t, t)) for t in (0.15, 0.5, 0.85))
    assert all(white(p) for p in at(image, 0.5, 0.3))


def test_a_highlight_tints_its_rectangle_and_keeps_the_text_dark(tmp_path: Path) -> None:
    # A black bar stands for a line of text under the marker (shown y 0.30 to 0.32).
    black_bar = b"0 g 100 572.6 300 16.8 re f"
    source = make_pdf(content=black_bar)
    marker = Highlight(0, ((0.1, 0.28, 0.8, 0.34), (0.1, 0.5, 0.5, 0.55)), "#FFD600")
    image = render(tmp_path, burn_in(source, [marker]))
    tinted = at(image, 0.7, 0.29, radius=2) + at(image, 0.3, 0.52, radius=2)
    assert all(p[0] > 240 and 150 < p[2] < 215 for p in tinted), tinted[:3]
    assert all(max(p) < 40 for p in at(image, 0.4, 0.31, radius=1))  # multiplied: still black
    assert all(white(p) for p in at(image, 0.7, 0.52) + at(image, 0.9, 0.3))


def test_a_note_shows_its_marker_and_its_vietnamese_text_can_be_extracted(
    tmp_path: Path,
) -> None:
    out = burn_in(make_pdf(rotate=90), [Note(0, Point(0.3, 0.4), TEXT, RED)])
    assert TEXT in PdfReader(io.BytesIO(out)).pages[0].extract_text()
    if shutil.which("pdftotext"):
        (tmp_path / "note.pdf").write_bytes(out)
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(tmp_path / "note.pdf"), "-"],
            check=True, capture_output=True, text=True, timeout=60,
        ).stdout  # fmt: skip
        assert TEXT in " ".join(text.split())
    image = render(tmp_path, out)
    assert any(red(p) for p in at(image, 0.3 + 6 / 842, 0.4 + 6 / 595, radius=2))
    # The box beside the marker holds dark text.
    box = at(image, 0.3 + 90 / 842, 0.4 + 10 / 595, radius=20)
    assert any(max(p) < 100 for p in box)


def test_a_long_note_near_the_edge_stays_on_the_page(tmp_path: Path) -> None:
    text = "\n".join(f"Dòng {i}: " + "ý kiến rất dài " * 8 for i in range(12))
    out = burn_in(make_pdf(), [Note(0, Point(1.0, 1.0), text, RED)])
    page_text = PdfReader(io.BytesIO(out)).pages[0].extract_text()
    assert "Dòng 0" in page_text and "Dòng 11" in page_text
    image = render(tmp_path, out)
    assert any(red(p) for p in at(image, 0.99, 0.99, radius=4))


def test_a_new_file_is_written_and_the_original_is_left_alone() -> None:
    source = make_pdf(pages=2, shared_resources=True)
    before = hashlib.sha256(source).hexdigest()
    out = burn_in(source, [Note(0, Point(0.5, 0.5), TEXT, BLUE)], title="Báo cáo quý III")
    assert hashlib.sha256(source).hexdigest() == before
    assert not out.startswith(source[:-64]) and out.count(b"%%EOF") == 1
    reader = PdfReader(io.BytesIO(out))
    assert reader.metadata is not None and reader.metadata.title == "Báo cáo quý III (có ghi chú)"
    # Page 2 shared its resources with page 1: it does not get the note font.
    assert "/ecNote" in cast(Any, reader.pages[0]["/Resources"])["/Font"]
    assert "/Font" not in cast(Any, reader.pages[1]["/Resources"])
    assert TEXT not in reader.pages[1].extract_text()


def test_the_title_names_the_member() -> None:
    out = burn_in(make_pdf(), [], title=" Tờ trình  số 12 ", member="Nguyễn Văn An")
    info = PdfReader(io.BytesIO(out)).metadata
    assert info is not None and info.title == "Tờ trình số 12 (ghi chú của Nguyễn Văn An)"


def test_a_signed_document_still_burns_in_and_the_copy_claims_no_signature(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    issued = issuer(tmp_path_factory).pkcs12("Trần Thị Bình")
    key = load_pkcs12(issued.data, PASSPHRASE)
    signed = sign_pdf(make_pdf(), key, FieldSpec("Người ký"))
    out = burn_in(signed, [diagonal()])
    reader = PdfReader(io.BytesIO(out))
    fields = reader.get_fields() or {}
    assert "Người ký" in fields and fields["Người ký"].get("/V") is None
    assert all(any(blue(p) for p in at(render(tmp_path, out), t, t)) for t in (0.2, 0.8))


def test_an_encrypted_or_unreadable_pdf_is_refused() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf())))
    writer.encrypt("mật khẩu")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    for data, reason in ((encrypted.getvalue(), "encrypted"), (b"%PDF-1.7\ngarbage", "unreadable")):
        with pytest.raises(InvalidInput) as caught:
            burn_in(data, [diagonal()])
        assert caught.value.code == "annotation.bad_pdf"
        assert caught.value.details["reason"] == reason


def test_burn_in_checks_each_annotation_against_the_document() -> None:
    with pytest.raises(InvalidInput) as caught:
        burn_in(make_pdf(pages=2), [diagonal(page=2)])
    assert caught.value.code == "annotation.bad_page"


def test_two_hundred_pages_with_a_thousand_annotations_take_under_two_seconds() -> None:
    source = make_pdf(pages=200, content=b"BT /F1 12 Tf 72 720 Td (Trang) Tj ET")
    annotations: list[Annotation] = []
    for i in range(1000):
        page, kind = i % 200, i % 4
        if kind in (0, 1):
            points = tuple(
                Point(0.5 + 0.4 * math.cos(k / 10), 0.5 + 0.4 * math.sin(k / 10))
                for k in range(100)
            )
            annotations.append(Ink(page, points, BLUE, 0.003))
        elif kind == 2:
            annotations.append(Highlight(page, ((0.1, 0.1, 0.9, 0.13),) * 3, "#FFD600"))
        else:
            annotations.append(Note(page, Point(0.2, 0.6), f"{TEXT} ({i})", RED))
    timings = []
    for _ in range(2):  # the better of two: the machine is shared
        start = time.perf_counter()
        out = burn_in(source, annotations)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 2.0, timings
    assert len(PdfReader(io.BytesIO(out)).pages) == 200


def _ink(**changes: object) -> Ink:
    values: dict[str, object] = {
        "page": 0,
        "points": (Point(0.1, 0.1), Point(0.2, 0.2)),
        "color": BLUE,
        "width": 0.005,
    }
    return Ink(**{**values, **changes})  # type: ignore[arg-type]


NAN, INF = float("nan"), float("inf")
INVALID: list[tuple[Annotation, str]] = [
    (_ink(color="blue"), "annotation.bad_color"),
    (_ink(color="#12345G"), "annotation.bad_color"),
    (Highlight(0, ((0, 0, 1, 1),), "#FFF"), "annotation.bad_color"),
    (_ink(points=(Point(0.5, 0.5),) * (MAX_POINTS + 1)), "annotation.too_many_points"),
    (_ink(points=(Point(0.5, 0.5),)), "annotation.too_few_points"),
    (_ink(points=(Point(0.1, 0.1), Point(1.01, 0.5))), "annotation.out_of_page"),
    (_ink(points=(Point(0.1, -0.2), Point(0.5, 0.5))), "annotation.out_of_page"),
    (Highlight(0, ((0.1, 0.1, 0.5, 1.5),), BLUE), "annotation.out_of_page"),
    (Note(0, Point(2, 0), "x", RED), "annotation.out_of_page"),
    (_ink(points=(Point(NAN, 0.1), Point(0.5, 0.5))), "annotation.not_a_number"),
    (Highlight(0, ((0.1, INF, 0.5, 0.2),), BLUE), "annotation.not_a_number"),
    (_ink(width=INF), "annotation.not_a_number"),
    (_ink(width=0.2), "annotation.bad_width"),
    (_ink(width=0.0001), "annotation.bad_width"),
    (Highlight(0, (), BLUE), "annotation.bad_rects"),
    (Highlight(0, ((0.1, 0.1, 0.2, 0.2),) * 201, BLUE), "annotation.bad_rects"),
    (Note(0, Point(0.5, 0.5), "", RED), "annotation.bad_text"),
    (Note(0, Point(0.5, 0.5), " \n\t ", RED), "annotation.bad_text"),
    (Note(0, Point(0.5, 0.5), "ý" * 2001, RED), "annotation.bad_text"),
    (Note(0, Point(0.5, 0.5), "có\x00ký tự điều khiển", RED), "annotation.bad_text"),
    (Note(0, Point(0.5, 0.5), "Đồng ý 👍", RED), "annotation.bad_text"),
    (_ink(page=3), "annotation.bad_page"),
    (_ink(page=-1), "annotation.bad_page"),
]


@pytest.mark.parametrize(("annotation", "code"), INVALID)
def test_validation_errors_have_stable_codes(annotation: Annotation, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate(annotation, 3)
    assert caught.value.code == code
    assert caught.value.vi and caught.value.en and caught.value.vi != caught.value.en


def test_valid_annotations_pass() -> None:
    validate(_ink(points=(Point(0, 0), Point(1, 1)), width=0.05, page=2), 3)
    validate(Highlight(0, ((0.9, 0.9, 0.1, 0.1),), "#ffeb3b"), 1)
    validate(Note(0, Point(1, 1), "a" * 2000, RED), 1)
    validate(Note(0, Point(0, 0), f"{TEXT}\r\n\tTổng: 1.234 tỷ đồng – “khẩn”", RED), 1)
    decomposed = unicodedata.normalize("NFD", TEXT)
    validate(Note(0, Point(0, 0), decomposed, RED), 1)
    spaced = "Ý kiến:\u00a0xem\u2003lại\u3000mục 2"  # spaces the font may not have
    notes = [Note(0, Point(0.1, 0.1), decomposed, RED), Note(0, Point(0.1, 0.5), spaced, RED)]
    text = PdfReader(io.BytesIO(burn_in(make_pdf(), notes))).pages[0].extract_text()
    assert TEXT in text and "Ý kiến: xem lại mục 2" in text
