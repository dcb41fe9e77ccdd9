"""Sample PDFs: Vietnamese text survives extraction, fonts are embedded, output is stable."""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from documents.layout.official import make_official_document
from documents.layout.page import find_font_files, find_vietnamese_font
from ecabinet.demo.pdfs import DemoDocument, demo_documents

DOCS = demo_documents()


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    return {doc.filename: doc.pdf() for doc in DOCS}


def _doc(prefix: str) -> DemoDocument:
    return next(d for d in DOCS if d.filename.startswith(prefix))


def _text(pdf: bytes) -> str:
    """All text, whitespace collapsed (justified lines come out with extra spaces)."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _sample(**changes: Any) -> bytes:
    fields: dict[str, Any] = {
        "agency_upper": "UBND TỈNH AN GIANG",
        "agency_name": "Sở Thông tin và Truyền thông",
        "number_symbol": "07/TB-STTTT",
        "place_date": "An Giang, ngày 09 tháng 01 năm 2026",
        "type_name": "Thông báo",
        "abstract": "Lịch họp giao ban tháng 01 năm 2026",
        "paragraphs": ["Sở Thông tin và Truyền thông thông báo lịch họp giao ban./."],
        "signer_title": "GIÁM ĐỐC",
        "signer_name": "Đặng Quốc Việt",
        "recipients": ["Các phòng thuộc Sở", "Lưu: VT"],
    }
    fields.update(changes)
    return make_official_document(**fields)


def test_decision_text_is_extractable_with_diacritics(rendered: dict[str, bytes]) -> None:
    text = _text(rendered["QD-12-UBND-2026.pdf"])
    for phrase in (
        "ỦY BAN NHÂN DÂN TỈNH AN GIANG",
        "Số: 12/QĐ-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "An Giang, ngày 05 tháng 3 năm 2026",
        "QUYẾT ĐỊNH",
        "Về việc phê duyệt Kế hoạch chuyển đổi số tỉnh An Giang năm 2026",
        "Quyết định này",
        "Nghị định số 30/2020/NĐ-CP",
        "Điều 1.",
        "Nơi nhận:",
        "- Lưu: VT, KT.",
        "CHỦ TỊCH",
        "Nguyễn Thanh Bình",
    ):
        assert phrase in text, phrase
    assert unicodedata.is_normalized("NFC", text)


def test_every_sample_is_a_plausible_document(rendered: dict[str, bytes]) -> None:
    assert len(DOCS) >= 5
    assert len({d.filename for d in DOCS}) == len(DOCS)
    for doc in DOCS:
        assert doc.filename.isascii() and doc.filename.endswith(".pdf"), doc.filename
        assert doc.issued.year == 2026
        reader = PdfReader(io.BytesIO(rendered[doc.filename]))
        assert reader.metadata is not None
        assert reader.metadata.title == f"{doc.type_name} {doc.number_symbol}"
        assert reader.metadata.author == doc.agency_name
        assert reader.metadata.creation_date is not None
        assert reader.metadata.creation_date.date() == doc.issued
        box = reader.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
        text = _text(rendered[doc.filename])
        for phrase in (
            f"Số: {doc.number_symbol}",
            doc.abstract,
            doc.signer_name,
            "Độc lập - Tự do - Hạnh phúc",
            f"An Giang, ngày {doc.issued.day:02d} tháng",
        ):
            assert phrase in text, (doc.filename, phrase)
        if doc.type_abbreviation:
            assert doc.number_symbol.split("/")[1].startswith(doc.type_abbreviation + "-")
            assert doc.type_name.upper() in text


def test_a_cong_van_has_no_type_name_and_is_addressed(rendered: dict[str, bytes]) -> None:
    doc = _doc("CV-")
    assert doc.number_symbol == "123/UBND-KT" and doc.type_abbreviation == ""
    text = _text(rendered[doc.filename])
    assert "CÔNG VĂN" not in text
    assert "V/v triển khai họp không giấy tờ eCabinet" in text
    assert "Kính gửi:" in text and "Ủy ban nhân dân các xã, phường, đặc khu." in text
    assert "KT. CHỦ TỊCH PHÓ CHỦ TỊCH" in text


def test_parent_agency_line(rendered: dict[str, bytes]) -> None:
    text = _text(rendered[_doc("TB-").filename])
    assert "UBND TỈNH AN GIANG VĂN PHÒNG" in text
    assert "Số: 67/TB-VPUBND" in text


def test_fonts_are_embedded_subsets_with_unicode_maps(rendered: dict[str, bytes]) -> None:
    for name, pdf in rendered.items():
        for page in PdfReader(io.BytesIO(pdf)).pages:
            resources: Any = page["/Resources"]
            fonts = resources["/Font"]
            assert fonts, name
            for ref in fonts.values():
                font = ref.get_object()
                assert font["/Subtype"] == "/Type0" and "/ToUnicode" in font, name
                descendant = font["/DescendantFonts"][0].get_object()
                descriptor = descendant["/FontDescriptor"].get_object()
                assert "/FontFile2" in descriptor, name
                assert str(font["/BaseFont"])[7] == "+", font["/BaseFont"]  # subset tag


def test_output_is_deterministic(rendered: dict[str, bytes]) -> None:
    for doc in demo_documents():
        assert doc.pdf() == rendered[doc.filename], doc.filename
    assert len(set(rendered.values())) == len(rendered)


def test_decomposed_input_is_normalised() -> None:
    nfd = unicodedata.normalize("NFD", "Lịch họp giao ban tháng 01 năm 2026")
    text = _text(_sample(abstract=nfd))
    assert "Lịch họp giao ban tháng 01 năm 2026" in text
    assert "SỞ THÔNG TIN VÀ TRUYỀN THÔNG" in text


def test_a_long_document_keeps_the_signature_block_together() -> None:
    body = [
        f"Điều {i}. " + "Nội dung quy định chi tiết của điều khoản này. " * 6 for i in range(1, 16)
    ]
    pdf = _sample(paragraphs=body)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    assert " ".join(reader.pages[1].extract_text().split()).startswith("2 ")
    last = " ".join(reader.pages[-1].extract_text().split())
    assert "GIÁM ĐỐC" in last and "Đặng Quốc Việt" in last and "Nơi nhận:" in last


def test_missing_fonts_name_the_debian_package(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="fonts-dejavu-core"):
        find_vietnamese_font([tmp_path])
    real = find_vietnamese_font()
    assert real.name in ("DejaVuSerif.ttf", "DejaVuSans.ttf")
    # Only the two upright files (fonts-dejavu-core): italics fall back to upright.
    bold = real.with_name(real.name.replace(".ttf", "-Bold.ttf"))
    for path in (real, bold):
        shutil.copy(path, tmp_path / path.name)
    files = find_font_files([tmp_path])
    assert files == {
        "": tmp_path / real.name,
        "B": tmp_path / bold.name,
        "I": tmp_path / real.name,
        "BI": tmp_path / bold.name,
    }


def test_poppler_sees_embedded_fonts_and_renders(
    rendered: dict[str, bytes], tmp_path: Path
) -> None:
    for tool in ("pdffonts", "pdftoppm"):
        if shutil.which(tool) is None:
            pytest.fail(
                f"{tool} is missing: install poppler-utils (`apt-get install -y poppler-utils`;"
                " `make test` does it)"
            )
    path = tmp_path / "qd.pdf"
    path.write_bytes(rendered["QD-12-UBND-2026.pdf"])
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = out.stdout.splitlines()[2:]
    assert rows and all(" yes yes yes " in row for row in rows), out.stdout
    assert out.stderr == ""
    png = subprocess.run(
        ["pdftoppm", "-r", "30", "-png", "-singlefile", str(path), str(tmp_path / "page")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert png.stderr == ""
    assert (tmp_path / "page.png").read_bytes().startswith(b"\x89PNG")
