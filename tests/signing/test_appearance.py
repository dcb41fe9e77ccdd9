"""Decree 30 appearances: signed files still verify, the page shows them where the decree
says, the Vietnamese text is embedded as an extractable subset, and bad input is refused."""

from __future__ import annotations

import io
import re
import shutil
import struct
import subprocess
import unicodedata
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from fontTools import subset as ft_subset
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject

from ecabinet.demo.ca import DemoCA
from ecabinet.demo.images import seal_png, signature_png
from signing import fonts
from signing.appearance import (
    MM,
    Appearance,
    AppearanceError,
    CopyForm,
    ImageError,
    PageBox,
    attachment_appearance,
    copy_appearance,
    page_box,
    seal_appearance,
    seal_box,
    seal_size,
    signer_appearance,
    signing_time,
    top_right_rect,
)
from signing.errors import SigningError
from signing.keys import PrivateKeySource
from signing.pades import sign_pdf
from signing.pdfio import VN
from signing.specs import FieldSpec
from signing.ttf_subset import subset
from tests.signing.checks import pdfsig, pyhanko_verdicts
from tests.signing.conftest import AGENCY, LEADER, write

AT = datetime(2026, 3, 5, 14, 2, 11, tzinfo=VN)
TITLE = "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
LEADER_BOX = (330.0, 70.0, 530.0, 190.0)
COPIER = "Văn phòng Ủy ban nhân dân tỉnh An Giang"
ISO_VN = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")


@pytest.fixture(scope="module")
def signature() -> bytes:
    return signature_png(LEADER.full_name)


@pytest.fixture(scope="module")
def seal() -> bytes:
    return seal_png(AGENCY.name)


@pytest.fixture(scope="module")
def leader_app(signature: bytes) -> Appearance:
    return signer_appearance(signature, title=TITLE, name=LEADER.full_name, rect=LEADER_BOX)


@pytest.fixture(scope="module")
def seal_app(seal: bytes, leader_app: Appearance) -> Appearance:
    assert leader_app.image_box is not None
    return seal_appearance(
        seal, agency=AGENCY.name, signed_at=AT, signer_image=leader_app.image_box
    )


@pytest.fixture(scope="module")
def signed(
    sample_pdf: bytes,
    leader_key: PrivateKeySource,
    seal_key: PrivateKeySource,
    leader_app: Appearance,
    seal_app: Appearance,
) -> bytes:
    spec = FieldSpec(name="Lãnh đạo", rect=leader_app.rect, appearance=leader_app, signed_at=AT)
    once = sign_pdf(sample_pdf, leader_key, spec)
    spec = FieldSpec(name="Cơ quan", rect=seal_app.rect, appearance=seal_app, signed_at=AT)
    return sign_pdf(once, seal_key, spec)


def _render(tmp_path: Path, data: bytes, name: str = "page") -> Image.Image:
    """Page 1 at 72 dpi (one pixel per point) by poppler."""
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: `make test` installs poppler-utils")
    path = write(tmp_path, f"{name}.pdf", data)
    subprocess.run(
        ["pdftoppm", "-r", "72", "-png", "-singlefile", "-f", "1", "-l", "1", str(path),
         str(tmp_path / name)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return Image.open(tmp_path / f"{name}.png").convert("RGB")


def _pixels(image: Image.Image, box: tuple[float, float, float, float]) -> list[Any]:
    """The pixels of a box given in points (origin bottom left) on a 72 dpi render."""
    x1, y1, x2, y2 = box
    h = image.height
    crop = image.crop((int(x1), int(h - y2), int(x2 + 0.999), int(h - y1 + 0.999)))
    return list(crop.get_flattened_data())


def _blue(p: Any) -> bool:
    return bool(p[2] > p[0] + 60 and p[2] > p[1] + 40)


def _red(p: Any) -> bool:
    return bool(p[0] > p[1] + 80 and p[0] > p[2] + 80)


def _dark(p: Any) -> bool:
    return bool(max(p) < 110)


def _widget(data: bytes, name: str) -> Any:
    reader = PdfReader(io.BytesIO(data))
    for annot in cast(Any, reader.pages[0]["/Annots"]):
        widget = annot.get_object()
        if widget.get("/T") == name:
            return widget
    raise AssertionError(f"no widget {name}")


def _shown_text(data: bytes, name: str) -> str:
    """pypdf's text of the widget's appearance (drawn on a page of its own)."""
    writer = PdfWriter(clone_from=io.BytesIO(data))
    form = next(
        a.get_object()["/AP"].raw_get("/N")
        for a in cast(Any, writer.pages[0]["/Annots"])
        if a.get_object().get("/T") == name
    )
    page = writer.add_blank_page(600, 600)
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/A"): form})}
    )
    content = StreamObject()
    content.set_data(b"/A Do")
    page[NameObject("/Contents")] = writer._add_object(content)
    return page.extract_text()


def _decoded_runs(data: bytes, name: str) -> list[str]:
    """Each text run of the appearance, decoded by hand through its ToUnicode CMap."""
    form = _widget(data, name)["/AP"]["/N"].get_object()
    fonts_used = form["/Resources"]["/Font"]
    maps = {}
    for key, ref in fonts_used.items():
        cmap = ref.get_object()["/ToUnicode"].get_object().get_data().decode()
        pairs = re.findall(r"<([0-9A-F]{4})> <([0-9A-F]+)>", cmap)
        maps[key[1:]] = {code: bytes.fromhex(u).decode("utf-16-be") for code, u in pairs}
    runs = []
    shown = re.compile(r"/(F\d+) [\d.]+ Tf [-\d. ]+ Td <([0-9A-F]*)> Tj")
    for font, hexed in shown.findall(form.get_data().decode()):
        runs.append("".join(maps[font][hexed[i : i + 4]] for i in range(0, len(hexed), 4)))
    return runs


# --- leader's signature and the seal over it -------------------------------------------


def test_both_signatures_verify(signed: bytes, tmp_path: Path, demo_ca: DemoCA) -> None:
    report = pdfsig(write(tmp_path, "signed.pdf", signed))
    assert report.count("Signature Validation: Signature is Valid.") == 2, report
    first, second = pyhanko_verdicts(signed, demo_ca.root)
    assert (first.intact, first.valid, first.trusted) == (True, True, True)
    assert (second.intact, second.valid, second.trusted) == (True, True, True)
    assert first.modification == "FORM_FILLING" and second.coverage == "ENTIRE_FILE"


def test_page_shows_blue_signature_and_red_seal_over_its_left_third(
    signed: bytes, sample_pdf: bytes, leader_app: Appearance, seal_app: Appearance, tmp_path: Path
) -> None:
    assert leader_app.image_box is not None and seal_app.image_box is not None
    before = _render(tmp_path, sample_pdf, "before")
    after = _render(tmp_path, signed, "after")
    image = leader_app.image_box
    third = image[0] + (image[2] - image[0]) / 3
    right_part = (third, image[1], image[2], image[3])  # not under the seal
    assert not any(map(_blue, _pixels(before, image)))
    assert sum(map(_blue, _pixels(after, right_part))) > 150
    assert not any(map(_red, _pixels(before, seal_app.image_box)))
    assert sum(map(_red, _pixels(after, seal_app.image_box))) > 1500
    # The seal is drawn over the left third of the signature image.
    left_part = (image[0], image[1], third, image[3])
    assert sum(map(_red, _pixels(after, left_part))) > 100
    # Transparency survived (the /SMask): the page shows through around the ink.
    assert sum(map(_blue, _pixels(after, image))) < 0.4 * len(_pixels(after, image))
    sx1, sy1, sx2, sy2 = seal_app.image_box
    for corner in ((sx1, sy1), (sx1, sy2 - 6), (sx2 - 6, sy1), (sx2 - 6, sy2 - 6)):
        assert not any(map(_red, _pixels(after, (*corner, corner[0] + 6, corner[1] + 6))))
    # Nothing of either outside their widgets.
    outside = (30.0, 300.0, 560.0, 600.0)
    assert not any(_blue(p) or _red(p) for p in _pixels(after, outside))


def test_seal_geometry(seal: bytes, leader_app: Appearance, seal_app: Appearance) -> None:
    assert leader_app.image_box is not None
    x1, y1, x2, y2 = leader_app.image_box
    assert LEADER_BOX[0] <= x1 < x2 <= LEADER_BOX[2] and LEADER_BOX[1] <= y1 < y2 <= LEADER_BOX[3]
    sx1, sy1, sx2, sy2 = seal_app.image_box or (0, 0, 0, 0)
    assert sx2 - sx1 == pytest.approx(40 * MM, abs=0.2)  # real size, from the PNG's DPI
    assert sx1 < x1 and sx2 == pytest.approx(x1 + (x2 - x1) / 3)
    assert sy1 < (y1 + y2) / 2 < sy2
    assert seal_app.rect[0] <= sx1 and seal_app.rect[3] >= sy2 and seal_app.rect[1] < sy1
    assert seal_size(seal, 36) == pytest.approx((36 * MM, 36 * MM))
    box = seal_box((100, 100, 190, 130), (110, 110), cover=1 / 3)
    assert box == pytest.approx((20, 60, 130, 170))


def test_signer_and_seal_text_is_vietnamese_and_extractable(signed: bytes) -> None:
    assert _decoded_runs(signed, "Lãnh đạo") == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", LEADER.full_name]
    assert _decoded_runs(signed, "Cơ quan") == [AGENCY.name, "2026-03-05T14:02:11+07:00"]
    lines = _shown_text(signed, "Lãnh đạo").split("\n")
    assert lines[:3] == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn Lãnh"]
    assert "Ủy ban nhân dân tỉnh Thử Nghiệm" in _shown_text(signed, "Cơ quan")


def test_fonts_are_embedded_subsets_with_unicode_maps(signed: bytes, tmp_path: Path) -> None:
    for name in ("Lãnh đạo", "Cơ quan"):
        form = _widget(signed, name)["/AP"]["/N"].get_object()
        for ref in form["/Resources"]["/Font"].values():
            font = ref.get_object()
            assert font["/Subtype"] == "/Type0" and "/ToUnicode" in font
            assert re.fullmatch(r"/[A-Z]{6}\+LiberationSerif(-Bold)?", str(font["/BaseFont"]))
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
            assert program["maxp"].numGlyphs < 60  # the original has 2602
    report = subprocess.run(
        ["pdffonts", str(write(tmp_path, "s.pdf", signed))],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rows = [row for row in report.splitlines() if "LiberationSerif" in row]
    assert len(rows) == 2 and all(" yes yes yes " in row for row in rows), report


def test_subset_glyphs_match_the_original() -> None:
    font = fonts.serif("B")
    text = "ỦY BAN Nguyễn Văn Lãnh Thử Nghiệm ỹỵỷ ĐƯỜNG 0123"
    program, new_ids = subset(font, font.glyphs(text))
    assert _file_checksum(program) == 0xB1B0AFBA  # head.checkSumAdjustment is right
    small = TTFont(io.BytesIO(program), checkChecksums=2)
    full = TTFont(str(font.path))
    assert len(new_ids) == small["maxp"].numGlyphs < 100
    full_glyphs, small_glyphs = full.getGlyphSet(), small.getGlyphSet()
    full_order, small_order = full.getGlyphOrder(), small.getGlyphOrder()
    for old, new in new_ids.items():
        pens = DecomposingRecordingPen(full_glyphs), DecomposingRecordingPen(small_glyphs)
        full_glyphs[full_order[old]].draw(pens[0])
        small_glyphs[small_order[new]].draw(pens[1])
        assert pens[0].value == pens[1].value, full_order[old]
        assert full_glyphs[full_order[old]].width == small_glyphs[small_order[new]].width


def _file_checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    words: tuple[int, ...] = struct.unpack(f">{len(data) // 4}I", data)
    return sum(words) & 0xFFFFFFFF


# --- attachments and copies -------------------------------------------------------------


def test_attachment_signature_top_right_text_only(
    sample_pdf: bytes, seal_key: PrivateKeySource, tmp_path: Path, demo_ca: DemoCA
) -> None:
    page = page_box(sample_pdf)
    app = attachment_appearance(number_symbol="12/QĐ-UBND", signed_at=AT, page=page)
    x1, _, x2, y2 = app.rect
    width, height = page.box[2], page.box[3]
    assert app.image_box is None
    assert width * 0.6 < x1 < x2 <= width - 14 * MM and height - 10 * MM < y2 <= height
    spec = FieldSpec(name="Đính kèm", rect=app.rect, appearance=app, signed_at=AT)
    signed = sign_pdf(sample_pdf, seal_key, spec)
    assert "Signature is Valid." in pdfsig(write(tmp_path, "a.pdf", signed))
    ((verdict),) = pyhanko_verdicts(signed, demo_ca.root)
    assert verdict.intact and verdict.valid
    before, after = _render(tmp_path, sample_pdf, "b"), _render(tmp_path, signed, "a")
    assert not any(map(_dark, _pixels(before, app.rect)))
    assert sum(map(_dark, _pixels(after, app.rect))) > 100
    assert not any(_blue(p) or _red(p) for p in _pixels(after, app.rect))  # black only
    number, moment = _decoded_runs(signed, "Đính kèm")
    assert number == "12/QĐ-UBND" and ISO_VN.match(moment) and moment == signing_time(AT)


@pytest.mark.parametrize("form", list(CopyForm))
def test_copy_signature(
    form: CopyForm, sample_pdf: bytes, seal_key: PrivateKeySource, tmp_path: Path
) -> None:
    page = page_box(sample_pdf)
    app = copy_appearance(form=form.value.lower(), agency=COPIER, signed_at=AT, page=page)
    assert app.rect[2] <= page.box[2] - 14 * MM and app.rect[3] > page.box[3] - 10 * MM
    spec = FieldSpec(name="Sao", rect=app.rect, appearance=app, signed_at=AT)
    signed = sign_pdf(sample_pdf, seal_key, spec)
    assert "Signature is Valid." in pdfsig(write(tmp_path, "c.pdf", signed))
    assert _decoded_runs(signed, "Sao") == [form.value, COPIER, "2026-03-05T14:02:11+07:00"]
    assert sum(map(_dark, _pixels(_render(tmp_path, signed), app.rect))) > 150


def test_rotated_page_gets_the_stamp_top_right_as_shown(
    sample_pdf: bytes, seal_key: PrivateKeySource, tmp_path: Path
) -> None:
    writer = PdfWriter(clone_from=io.BytesIO(sample_pdf))
    writer.pages[0].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    turned = out.getvalue()
    page = page_box(turned)
    assert page.rotate == 90
    app = attachment_appearance(number_symbol="12/QĐ-UBND", signed_at=AT, page=page)
    signed = sign_pdf(turned, seal_key, FieldSpec(name="A", rect=app.rect, appearance=app))
    shown = _render(tmp_path, signed)
    assert shown.width > shown.height  # landscape as shown
    w, h = app.rect[3] - app.rect[1], app.rect[2] - app.rect[0]  # as shown
    corner = shown.crop((int(shown.width - 15 * MM - w), int(5 * MM), shown.width, int(5 * MM + h)))
    assert sum(map(_dark, corner.get_flattened_data())) > 100
    assert _decoded_runs(signed, "A")[0] == "12/QĐ-UBND"


def test_signing_time_is_iso_8601_in_vietnam_time() -> None:
    assert signing_time(datetime(2026, 3, 5, 7, 2, 11, 999, tzinfo=UTC)) == (
        "2026-03-05T14:02:11+07:00"
    )
    assert signing_time(datetime(2026, 3, 5, 14, 2, 11)) == "2026-03-05T14:02:11+07:00"


def test_top_right_rect_on_a_plain_page() -> None:
    rect = top_right_rect(PageBox((0, 0, 595, 842)), 100, 30, right=40, top=10)
    assert rect == pytest.approx((455, 802, 555, 832))


# --- fonts ------------------------------------------------------------------------------


def test_liberation_without_vietnamese_falls_back_to_dejavu(tmp_path: Path) -> None:
    latin, dejavu = tmp_path / "latin", tmp_path / "dejavu"
    latin.mkdir()
    dejavu.mkdir()
    found = fonts.find_family((fonts.LIBERATION_SERIF,))
    for style in ("", "B"):  # Latin-only Liberation, like fonts-liberation 1.x
        font = TTFont(str(found[style]))
        subsetter = ft_subset.Subsetter()
        subsetter.populate(unicodes=range(0x20, 0x7F))
        subsetter.subset(font)
        font.save(str(latin / fonts.LIBERATION_SERIF.files[style]))
    for style in ("", "B"):
        path = fonts.find_family((fonts.DEJAVU_SERIF,))[style]
        shutil.copy(path, dejavu / path.name)
    assert fonts.find_family(fonts.SERIF_FAMILIES, [latin, dejavu])[""].parent == dejavu
    with pytest.raises(fonts.FontNotFound, match="fonts-liberation2"):
        fonts.find_family((fonts.LIBERATION_SERIF,), [latin])


def test_a_character_the_font_lacks_is_refused(signature: bytes) -> None:
    with pytest.raises(AppearanceError) as caught:
        signer_appearance(signature, title="CHỦ TỊCH", name="Nguyễn 漢", rect=LEADER_BOX)
    assert caught.value.code == "appearance.missing_glyph" and "U+6F22" in caught.value.en


# --- bad input --------------------------------------------------------------------------


def _png(mode: str, color: Any, **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (60, 30), color).save(out, "PNG", **save)
    return out.getvalue()


def _huge_png_header() -> bytes:
    """A PNG that claims 5000 × 5000 pixels (it would not decode: it is never tried)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", 5000, 5000, 8, 6, 0, 0, 0)
    idat = zlib.compress(b"\0" * 100)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("image", "code"),
    [
        (b"GIF89a\x01\x00\x01\x00", "image.not_png"),
        (b"", "image.not_png"),
        ("half", "image.corrupt"),
        ("bad-crc", "image.corrupt"),
        (_png("RGB", (0, 0, 200)), "image.opaque"),
        (_png("RGBA", (0, 0, 200, 255)), "image.opaque"),
        (_png("RGBA", (0, 0, 200, 0)), "image.blank"),
        (_huge_png_header(), "image.too_large"),
    ],
    ids=["gif", "empty", "truncated", "bad-crc", "rgb", "opaque-rgba", "invisible", "huge"],
)
def test_bad_images_are_refused_clearly(signature: bytes, image: bytes | str, code: str) -> None:
    if image == "half":
        image = signature[: len(signature) // 2]
    elif image == "bad-crc":
        broken = bytearray(signature)
        broken[100] ^= 0xFF  # inside the first IDAT
        image = bytes(broken)
    assert isinstance(image, bytes)
    with pytest.raises(ImageError) as caught:
        signer_appearance(image, title="CHỦ TỊCH", name="Nguyễn Văn Lãnh", rect=LEADER_BOX)
    _assert_bilingual(caught.value, code)


def test_a_png_with_a_transparent_colour_is_accepted() -> None:
    image = _png("RGB", (0, 0, 200), transparency=(255, 255, 255))
    with_hole = Image.open(io.BytesIO(image)).copy()
    with_hole.putpixel((0, 0), (255, 255, 255))
    out = io.BytesIO()
    with_hole.save(out, "PNG", transparency=(255, 255, 255))
    app = signer_appearance(out.getvalue(), title="CHỦ TỊCH", name="Lê Văn A", rect=LEADER_BOX)
    assert app.image_box is not None


A4 = PageBox((0, 0, 595, 842))
NEAR = (100.0, 100.0, 190.0, 130.0)


def _seal_at(dpi: int) -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(seal_png(AGENCY.name))).save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


BAD_INPUT: dict[str, tuple[Any, str]] = {
    "blank name": (
        lambda sig: signer_appearance(sig, title="CHỦ TỊCH", name=" \n ", rect=LEADER_BOX),
        "appearance.empty_text",
    ),
    "no title": (
        lambda sig: signer_appearance(sig, title="", name="Lê Văn A", rect=LEADER_BOX),
        "appearance.empty_text",
    ),
    "box too low": (
        lambda sig: signer_appearance(sig, title="CHỦ TỊCH", name="Lê A", rect=(0, 0, 80, 30)),
        "appearance.box_too_small",
    ),
    "empty box": (
        lambda sig: signer_appearance(sig, title="CHỦ TỊCH", name="Lê A", rect=(9, 9, 9, 9)),
        "appearance.box_too_small",
    ),
    "box too narrow": (
        lambda sig: signer_appearance(sig, title="CHỦ TỊCH", name="Lê A", rect=(0, 0, 20, 200)),
        "appearance.box_too_small",
    ),
    "blank agency": (
        lambda sig: seal_appearance(seal_png("X"), agency=" ", signed_at=AT, signer_image=NEAR),
        "appearance.empty_text",
    ),
    "seal size given too big": (
        lambda sig: seal_appearance(
            seal_png("X"), agency="UBND", signed_at=AT, signer_image=NEAR, size_mm=120
        ),
        "appearance.seal_size",
    ),
    "seal at 72 dpi is 166 mm": (
        lambda sig: seal_appearance(_seal_at(72), agency="UBND", signed_at=AT, signer_image=NEAR),
        "appearance.seal_size",
    ),
    "no number": (
        lambda sig: attachment_appearance(number_symbol="", signed_at=AT, page=A4),
        "appearance.empty_text",
    ),
    "unknown copy form": (
        lambda sig: copy_appearance(form="BẢN SAO", agency=COPIER, signed_at=AT, page=A4),
        "appearance.copy_form",
    ),
    "no copying agency": (
        lambda sig: copy_appearance(form=CopyForm.SAO_Y, agency="", signed_at=AT, page=A4),
        "appearance.empty_text",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_refused_clearly(signature: bytes, case: str) -> None:
    call, code = BAD_INPUT[case]
    with pytest.raises(AppearanceError) as caught:
        call(signature)
    _assert_bilingual(caught.value, code)


def test_a_seal_without_resolution_needs_its_size() -> None:
    image = Image.open(io.BytesIO(seal_png(AGENCY.name)))
    out = io.BytesIO()
    image.save(out, "PNG")  # no dpi: no pHYs chunk
    with pytest.raises(AppearanceError) as caught:
        seal_appearance(out.getvalue(), agency="UBND", signed_at=AT, signer_image=(0, 0, 90, 30))
    _assert_bilingual(caught.value, "appearance.seal_size_unknown")
    app = seal_appearance(
        out.getvalue(), agency="UBND", signed_at=AT, signer_image=(0, 0, 90, 30), size_mm=38
    )
    assert app.image_box is not None
    assert app.image_box[2] - app.image_box[0] == pytest.approx(38 * MM)


def _assert_bilingual(error: SigningError, code: str) -> None:
    assert isinstance(error, SigningError) and error.code == code
    assert error.vi and error.en and error.vi != error.en
    assert re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", error.vi)


# --- demo images ------------------------------------------------------------------------


def test_demo_images_are_deterministic_transparent_and_coloured() -> None:
    sig, other = signature_png(LEADER.full_name), signature_png("Trần Thị Mai")
    assert sig == signature_png(LEADER.full_name) and sig != other
    assert seal_png(AGENCY.name) == seal_png(AGENCY.name) != seal_png("Sở Tài chính")
    for data, is_ink in ((sig, _blue), (seal_png(AGENCY.name), _red)):
        image = Image.open(io.BytesIO(data))
        assert image.mode == "RGBA" and image.info["dpi"][0] == pytest.approx(300, abs=0.01)
        assert image.getpixel((0, 0))[3] == 0  # type: ignore[index]
        visible = [p for p in cast(Any, image.get_flattened_data()) if p[3] > 128]
        assert len(visible) > 2000 and all(is_ink(p) for p in visible)
    width, height = seal_size(seal_png(AGENCY.name))
    assert width / MM == pytest.approx(40, abs=0.1) and height == pytest.approx(width)


def test_decomposed_and_spread_out_text_is_shown_composed_on_one_line(
    signature: bytes, sample_pdf: bytes, leader_key: PrivateKeySource
) -> None:
    name = unicodedata.normalize("NFD", "  Nguyễn   Văn\nLãnh ")
    app = signer_appearance(signature, title="CHỦ TỊCH", name=name, rect=LEADER_BOX)
    spec = FieldSpec(name="S", rect=app.rect, appearance=app)
    assert _decoded_runs(sign_pdf(sample_pdf, leader_key, spec), "S") == [
        "CHỦ TỊCH",
        "Nguyễn Văn Lãnh",
    ]
    page = PageBox((0, 0, 595, 842))
    stamp = attachment_appearance(number_symbol="12/\nQĐ-UBND", signed_at=AT, page=page)
    spec = FieldSpec(name="A", rect=stamp.rect, appearance=stamp)
    assert _decoded_runs(sign_pdf(sample_pdf, leader_key, spec), "A")[0] == "12/ QĐ-UBND"
