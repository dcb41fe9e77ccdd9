"""Issue writes the register's number, symbol and date into the document's own lines
(decision 0015): ``pdftotext`` of the issued file reads them, and both the leader's
signature and the seal stay valid for pdfsig and pyHanko."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine

from tests.documents.office import Office, office_app
from tests.signing.checks import pdfsig, pyhanko_verdicts
from tests.support.credentials import PIN, Issuer
from tests.support.drafts import decision


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine, ca: Issuer) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine, (ca.ca.root,)) as app:
        yield app


def _pdf(draft: bool) -> bytes:
    """A draft from the system's layout (``draft``: fields) or as an upload prints it."""
    return decision(
        draft=draft,
        agency_name="ỦY BAN NHÂN DÂN\nTỈNH THỬ NGHIỆM",
        place_date="Thử Nghiệm, ngày      tháng      năm 2026",
        signer_name="Nguyễn Văn Chủ Tịch",
    )


def _text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: `make test` installs poppler-utils")
    run = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True)
    return " ".join(run.stdout.split())


@pytest.mark.parametrize("draft", [True, False], ids=["layout", "upload"])
def test_issued_file_carries_the_register_number_and_date(
    office: Office, ca: Issuer, tmp_path: Path, draft: bool
) -> None:
    leader = office.credential(ca, user_id=office.ids["p.leader"])
    office.credential(ca, agency_id=office.agencies["p"].id)
    doc_id = office.draft(_pdf(draft), place="Thử Nghiệm").json()["id"]
    office.approved(doc_id)
    place = office.get("p.leader", f"/api/v1/documents/{doc_id}/signature-place").json()
    assert place["page"] == place["pages"] == 1 and place["box"] is not None, place
    for who, step, body in [
        ("p.leader", "sign", {"credential_id": leader, "pin": PIN}),
        ("p.clerk", "issue", {"pin": PIN, "number": 13, "issued_on": "2026-03-05"}),
    ]:
        r = office.step(who, doc_id, step, **body)
        assert r.status_code == 200, (step, r.text)
    assert r.json()["number_symbol"] == "13/QĐ-UBND"
    content = office.main_content("p.clerk", doc_id)
    path = tmp_path / "issued.pdf"
    path.write_bytes(content)
    text = _text(path)
    assert "Số: 13/QĐ-UBND" in text, text
    assert "Thử Nghiệm, ngày 05 tháng 3 năm 2026" in text, text
    if draft:  # the layout's lines are the fields themselves: no placeholder left
        assert not re.search(r"Số:\s*/QĐ-UBND", text), text
    report = pdfsig(path)
    assert report.count("Signature Validation: Signature is Valid.") == 2, report
    verdicts = pyhanko_verdicts(content, ca.ca.root)
    assert [(v.intact, v.valid, v.trusted) for v in verdicts] == [(True, True, True)] * 2
    assert verdicts[0].modification == "FORM_FILLING", verdicts
    assert verdicts[1].coverage == "ENTIRE_FILE"
    widgets = [
        [float(v) for v in a.get_object()["/Rect"]]
        for a in PdfReader(io.BytesIO(content)).pages[0].get("/Annots", [])
        if a.get_object().get("/FT") == "/Sig"
    ]
    assert widgets[0] == pytest.approx(place["box"], abs=0.01)  # the leader, where found
    last = [f for f in office.detail("p.clerk", doc_id).json()["files"] if f["kind"] == "main"]
    url = f"/api/v1/documents/{doc_id}/files/{last[-1]['id']}/signatures"
    checked = office.get("p.clerk", url).json()
    assert checked["all_passed"], checked
