"""Number and date written at issue into a draft's own lines (decision 0015): form fields
declared in the draft, filled after the leader's signature and before the seal; both
signatures stay valid for pdfsig, pyHanko and our own validator."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import StreamObject

from ecabinet.demo.ca import DemoCA
from signing import locate, numbering
from signing.keys import PrivateKeySource
from signing.pades import sign_pdf
from signing.pdfio import VN
from signing.placement import MM
from signing.specs import FieldSpec
from signing.validation import Policy, validate_pdf
from tests.signing.checks import pdfsig, pyhanko_verdicts
from tests.signing.conftest import write
from tests.support.drafts import decision

AT = datetime(2026, 3, 5, 14, 2, 11, tzinfo=VN)


def draft() -> bytes:
    return decision()


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
    assert re.search(r"Số:\s+/QĐ-UBND", text), text
    assert re.search(r"An Giang, ngày\s+tháng\s+năm 2026", text), text


def test_issued_file_reads_its_number_and_date(issued: bytes, tmp_path: Path) -> None:
    text = pdftotext(tmp_path, issued)
    assert "Số: 13/QĐ-UBND" in text
    assert "An Giang, ngày 05 tháng 3 năm 2026" in text
    assert not re.search(r"Số:\s+/QĐ-UBND", text), text


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


def upload() -> bytes:
    """A draft as a word processor makes it: the placeholders printed as page text."""
    return decision(draft=False)


def test_an_upload_gets_opaque_fields_over_its_printed_placeholders(tmp_path: Path) -> None:
    data = upload()
    found = {s.name: s for s in locate.slots(data)}
    assert set(found) == {numbering.NUMBER, numbering.DATE}
    assert all(s.opaque and s.page == 0 for s in found.values())
    number, date = found[numbering.NUMBER], found[numbering.DATE]
    assert number.rect[2] < date.rect[2]  # agency column left, motto column right
    assert number.rect[1] > 841.89 - 100 * MM and date.rect[1] > 841.89 - 100 * MM
    assert not number.italic and date.italic
    declared = numbering.declare(data, list(found.values()))
    stamped = numbering.fill(
        declared,
        {numbering.NUMBER: "Số: 13/QĐ-UBND", numbering.DATE: "An Giang, ngày 05 tháng 3 năm 2026"},
    )
    text = pdftotext(tmp_path, stamped)
    assert "Số: 13/QĐ-UBND" in text  # the printed placeholder stays under it, painted over


def test_an_upload_without_placeholders_gets_them_top_right() -> None:
    writer = PdfWriter()
    writer.add_blank_page(595.28, 841.89)
    out = io.BytesIO()
    writer.write(out)
    found = locate.slots(out.getvalue())
    assert [s.name for s in found] == [numbering.NUMBER, numbering.DATE]
    for slot in found:
        assert not slot.opaque and slot.rect[2] <= 595.28 - 15 * MM + 0.01
        assert slot.rect[3] >= 841.89 - 5 * MM - 2 * 1.5 * 11 - 0.01


def _content_stamp(data: bytes) -> bytes:
    """The rejected alternative: the number drawn into page 1's content after signing."""
    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter(reader, incremental=True)
    page = writer.pages[0]
    extra = StreamObject()
    extra.set_data(b"BT /F1 11 Tf 100 760 Td (13) Tj ET")
    contents = page.get_contents()
    assert contents is not None
    contents.set_data(contents.get_data() + b"\n" + extra.get_data())
    page.replace_contents(contents)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_page_content_stamp_after_the_leader_would_be_flagged(
    leader_key: PrivateKeySource, demo_ca: DemoCA, tmp_path: Path
) -> None:
    """Why fields (decision 0015): page content added after the leader's signature is a
    modification pyHanko and our validator refuse, whatever pdfsig says of the bytes."""
    signed = sign_pdf(draft(), leader_key, FieldSpec(name="Lãnh đạo", signed_at=AT))
    stamped = _content_stamp(signed)
    (verdict,) = pyhanko_verdicts(stamped, demo_ca.root)
    assert verdict.intact and verdict.modification == "OTHER", verdict
    first = validate_pdf(stamped, Policy(anchors=[demo_ca.root])).signatures[0]
    assert not first.modifications_allowed
    report = pdfsig(write(tmp_path, "content.pdf", stamped))
    assert "Signature is Valid" in report and "Not total document signed" in report, report
