"""Number and date written at issue into a draft's own lines (decision 0015): form fields
declared in the draft, filled after the leader's signature and before the seal; both
signatures stay valid for pdfsig, pyHanko and our own validator."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from documents.layout.official import make_official_document
from ecabinet.demo.ca import DemoCA
from signing import numbering
from signing.keys import PrivateKeySource
from signing.pades import sign_pdf
from signing.pdfio import VN
from signing.specs import FieldSpec
from signing.validation import Policy, validate_pdf
from tests.signing.checks import pdfsig, pyhanko_verdicts
from tests.signing.conftest import write

AT = datetime(2026, 3, 5, 14, 2, 11, tzinfo=VN)


def draft() -> bytes:
    return make_official_document(
        agency_upper="",
        agency_name="ỦY BAN NHÂN DÂN\nTỈNH AN GIANG",
        number_symbol="/QĐ-UBND",
        place_date="An Giang, ngày      tháng      năm 2026",
        type_name="Quyết định",
        abstract="Về việc thành lập Tổ công tác",
        paragraphs=["QUYẾT ĐỊNH:", "Điều 1. Thành lập Tổ công tác./."],
        signer_title="CHỦ TỊCH",
        signer_name="Nguyễn Thanh Bình",
        recipients=["Như Điều 1", "Lưu: VT"],
        draft=True,
    )


def pdftotext(tmp_path: Path, data: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: `make test` installs poppler-utils")
    path = write(tmp_path, "doc.pdf", data)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, timeout=60
    )
    return out.stdout


@pytest.fixture(scope="module")
def issued(leader_key: PrivateKeySource, seal_key: PrivateKeySource) -> bytes:
    signed = sign_pdf(
        draft(), leader_key, FieldSpec(name="Lãnh đạo", rect=(330, 90, 530, 190), signed_at=AT)
    )
    stamped = numbering.fill(
        signed,
        {numbering.NUMBER: "Số: 13/QĐ-UBND", numbering.DATE: "An Giang, ngày 05 tháng 3 năm 2026"},
    )
    return sign_pdf(stamped, seal_key, FieldSpec(name="Cơ quan", signed_at=AT))


def test_a_draft_shows_its_blank_number_and_date_lines(tmp_path: Path) -> None:
    data = draft()
    assert numbering.declared(data) == {numbering.NUMBER, numbering.DATE}
    text = pdftotext(tmp_path, data)
    assert "Số: /QĐ-UBND" in text
    assert "An Giang, ngày" in text and "năm 2026" in text


def test_issued_file_reads_its_number_and_date(issued: bytes, tmp_path: Path) -> None:
    text = pdftotext(tmp_path, issued)
    assert "Số: 13/QĐ-UBND" in text
    assert "An Giang, ngày 05 tháng 3 năm 2026" in text
    assert "Số: /QĐ-UBND" not in text


def test_both_signatures_stay_valid(issued: bytes, tmp_path: Path, demo_ca: DemoCA) -> None:
    report = pdfsig(write(tmp_path, "issued.pdf", issued))
    assert report.count("Signature Validation: Signature is Valid.") == 2, report
    leader, seal = pyhanko_verdicts(issued, demo_ca.root)
    assert (leader.intact, leader.valid, leader.trusted) == (True, True, True)
    assert leader.modification == "FORM_FILLING", leader
    assert (seal.intact, seal.valid, seal.coverage) == (True, True, "ENTIRE_FILE")


def test_own_validator_calls_the_stamp_form_filling(issued: bytes, demo_ca: DemoCA) -> None:
    first = validate_pdf(issued, Policy(anchors=[demo_ca.root])).signatures[0]
    kinds = {c.kind for c in first.changes_after}
    assert "form_fill" in kinds and "page_content" not in kinds, first.changes_after
    assert first.modifications_allowed, first.changes_after


def test_filling_an_unknown_field_is_refused() -> None:
    from signing.errors import BadPdf

    with pytest.raises(BadPdf):
        numbering.fill(draft(), {"khong_co": "x"})
