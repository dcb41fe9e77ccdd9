import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from ecabinet.demo.pdfs import demo_documents


@pytest.fixture(scope="module")
def decision() -> bytes:
    return demo_documents()[0].pdf()


def test_vietnamese_text_is_extractable(decision: bytes) -> None:
    text = PdfReader(io.BytesIO(decision)).pages[0].extract_text()
    for phrase in (
        "QUYẾT ĐỊNH",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 12/QĐ-UBND",
        "An Giang, ngày 05 tháng 3 năm 2026",
        "Nguyễn Thanh Bình",
        "Nơi nhận",
    ):
        assert phrase in text, phrase


def test_font_is_embedded(decision: bytes) -> None:
    page = PdfReader(io.BytesIO(decision)).pages[0]
    fonts = page["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor
        assert "/ToUnicode" in font


def test_output_is_deterministic() -> None:
    first, second = demo_documents()[2], demo_documents()[2]
    assert first.pdf() == second.pdf()
    assert first.number_symbol == "123/UBND-KT" and first.type_abbreviation == ""


def test_pdffonts_sees_embedded_subsets(decision: bytes, tmp_path) -> None:  # type: ignore[no-untyped-def]
    if shutil.which("pdffonts") is None:
        pytest.fail("pdffonts is missing: `make test` installs poppler-utils")
    path = tmp_path / "qd.pdf"
    path.write_bytes(decision)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = out.stdout.splitlines()[2:]
    assert rows and all(" yes yes yes " in row for row in rows), out.stdout
