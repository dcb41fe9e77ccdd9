"""Bad input to the documents API: each a clear 4xx in Vietnamese and English, and nothing
stored before is changed. A forged or broken signature on an incoming file is kept and
flagged, never silently accepted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import Engine

from signing.keys import PrivateKeySource, load_pkcs12
from signing.pades import sign_pdf
from signing.specs import FieldSpec
from tests.documents.office import Office, office_app
from tests.support.credentials import PASSPHRASE, Issuer


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine, ca: Issuer) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine, (ca.ca.root,), max_upload_bytes="300K") as app:
        yield app


def _bilingual(r: Any, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code, body
    assert body["message"]["vi"] and body["message"]["en"]


def _count(office: Office) -> int:
    return int(office.get("p.clerk", "/api/v1/documents?limit=1").json()["total"])


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"abstract": ""}, "request.invalid"),
        ({"abstract": "x" * 2001}, "request.invalid"),
        ({"type_id": 9999}, "document.bad_type"),
        ({"type_id": "QĐ"}, "request.invalid"),
        ({"number_symbol": "QĐ-UBND"}, "document.bad_number_symbol"),
        ({"number_symbol": "0/QĐ-UBND"}, "document.bad_number_symbol"),
        ({"issued_on": "2026-02-30"}, "request.invalid"),
        ({"issued_on": "2026-11-02", "deadline": "2026-10-01"}, "document.bad_deadline"),
        ({"urgency": "very"}, "request.invalid"),
        ({"page_count": 0}, "request.invalid"),
        ({"unknown": 1}, "request.invalid"),
    ],
)
def test_wrong_metadata(office: Office, fields: dict[str, Any], code: str) -> None:
    _bilingual(office.receive(**fields), 422, code)
    assert _count(office) == 0


def test_files_that_are_not_pdfs_or_too_big(office: Office, pdf: bytes) -> None:
    r = office.receive(b"PK\x03\x04 not a pdf")
    _bilingual(r, 422, "document.not_pdf")
    big = office.post(
        "p.clerk",
        f"/api/v1/files?agency_id={office.agencies['p'].id}&filename=big.pdf",
        content=b"%PDF-1.4\n" + b"0" * 400_000,
        headers={"Content-Type": "application/pdf"},
    )
    assert big.status_code == 413
    # Someone else's upload cannot be taken as a main file.
    theirs = office.upload("p.spec", pdf)
    r = office.post(
        "p.clerk",
        "/api/v1/documents/incoming",
        json={
            "agency_id": office.agencies["p"].id,
            "type_id": office.types["CV"],
            "abstract": "x",
            "file_id": theirs,
        },
    )
    _bilingual(r, 422, "document.foreign_file")
    assert _count(office) == 0


def test_broken_and_forged_signatures_are_kept_and_flagged(
    office: Office, pdf: bytes, ca: Issuer
) -> None:
    key = load_pkcs12(ca.pkcs12("Người Ký Thật", use_rsa=True).data, PASSPHRASE)
    signed = sign_pdf(pdf, key, FieldSpec(name="Ký"))
    good = office.receive(signed, register_now=True).json()
    assert good["signature_verdict"] == "valid" and good["electronic"]

    # One byte changed inside the signed range: the signature no longer matches.
    at = signed.index(b"/MediaBox")
    broken = signed[:at] + b"/MediaBoy" + signed[at + 9 :]
    r = office.receive(broken, number_symbol="46/UBND-VP")
    assert r.status_code == 201
    flagged = office.detail("p.clerk", r.json()["id"]).json()
    assert flagged["document"]["signature_verdict"] == "invalid"
    assert not flagged["document"]["electronic"]
    assert "Chữ ký số không hợp lệ" in flagged["timeline"][0]["note"]
    assert flagged["files"][0]["verdict"] == "invalid"

    # A signature by a certificate nobody trusts (made up to look official): not valid.
    forged = sign_pdf(pdf, _self_signed("Nguyễn Văn Chủ Tịch"), FieldSpec(name="Ký"))
    r = office.receive(forged, number_symbol="47/UBND-VP")
    assert r.status_code == 201 and r.json()["signature_verdict"] == "indeterminate"
    assert _count(office) == 3


def _self_signed(name: str) -> PrivateKeySource:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return PrivateKeySource(key, cert, [])


def test_steps_out_of_order_and_outside_the_agency(office: Office) -> None:
    doc = office.receive().json()
    before = office.detail("p.clerk", doc["id"]).json()
    _bilingual(
        office.step("p.clerk", doc["id"], "present", leader_id=office.ids["p.leader"]),
        409,
        "document.bad_step",
    )
    _bilingual(
        office.step("p.clerk", doc["id"], "complete", note="x"), 403, "document.step_forbidden"
    )
    _bilingual(office.step("d.clerk", doc["id"], "register"), 404, "document.not_found")
    _bilingual(office.step("p.clerk", 999999, "register"), 404, "document.not_found")
    _bilingual(office.step("p.clerk", doc["id"], "direct", direction="x"), 422, "request.invalid")
    after = office.detail("p.clerk", doc["id"]).json()
    assert after == before
