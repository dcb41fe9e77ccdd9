"""The electronic outgoing flow end to end: the leader signs, the clerk numbers and seals,
dispatch inside the system with status flowing back, edXML out and in, recall; every
signature checked by poppler's pdfsig and by pyHanko."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine

from tests.documents.office import Office, office_app
from tests.signing.checks import pdfsig, pyhanko_verdicts
from tests.support.credentials import PIN, Issuer


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine, ca: Issuer) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine, (ca.ca.root,)) as app:
        yield app


def _issued(office: Office, ca: Issuer, pdf: bytes) -> tuple[int, str]:
    """Draft → review → approve → sign → issue; the document id and the leader's
    credential."""
    leader_cred = office.credential(ca, user_id=office.ids["p.leader"])
    office.credential(ca, agency_id=office.agencies["p"].id)
    office.as_("p.spec")
    doc_id = office.draft(pdf, urgency="urgent").json()["id"]
    assert office.step("p.spec", doc_id, "submit").status_code == 200
    assert (
        office.step("p.head", doc_id, "review", leader_id=office.ids["p.leader"]).status_code == 200
    )
    # A leader cannot sign what they have not approved.
    r = office.step("p.leader", doc_id, "sign", credential_id=leader_cred, pin=PIN)
    assert r.status_code == 409
    assert office.step("p.leader", doc_id, "approve").status_code == 200
    # Nobody signs with another's certificate.
    r = office.step("p.head", doc_id, "sign", credential_id=leader_cred, pin=PIN)
    assert r.status_code == 403
    r = office.step(
        "p.leader",
        doc_id,
        "sign",
        credential_id=leader_cred,
        page=-1,
        box=[330, 120, 530, 220],
        pin=PIN,
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "signed" and r.json()["signer_name"] == "Nguyễn Văn Chủ Tịch"
    r = office.step("p.clerk", doc_id, "issue", pin=PIN)
    assert r.status_code == 200, r.text
    assert r.json()["number_symbol"] == "01/QĐ-UBND"
    return doc_id, leader_cred


def test_sign_issue_dispatch_and_status_flow(
    office: Office, ca: Issuer, pdf: bytes, tmp_path: Path
) -> None:
    doc_id, _ = _issued(office, ca, pdf)
    # The leader's digital signature handed the document to the clerks to issue.
    handed = office.get("p.clerk", "/api/v1/notifications").json()["items"]
    assert [(n["kind"], n["document_id"]) for n in handed] == [("to_issue", doc_id)]
    detail = office.detail("p.clerk", doc_id).json()
    mains = [f for f in detail["files"] if f["kind"] == "main"]
    assert [f["version"] for f in mains] == [1, 2, 3] and [f["signed"] for f in mains] == [
        False,
        True,
        True,
    ]
    content = office.get(
        "p.clerk", f"/api/v1/documents/{doc_id}/files/{mains[-1]['id']}/content"
    ).content
    path = tmp_path / "issued.pdf"
    path.write_bytes(content)
    out = pdfsig(path)
    assert out.count("Signature is Valid") == 2, out
    assert [(v.intact, v.trusted) for v in pyhanko_verdicts(content, ca.ca.root)] == [
        (True, True)
    ] * 2
    report = office.get(
        "p.clerk", f"/api/v1/documents/{doc_id}/files/{mains[-1]['id']}/signatures"
    ).json()
    assert report["all_passed"] and len(report["signatures"]) == 2
    fields = PdfReader(io.BytesIO(content)).get_fields() or {}
    reasons = [f["/V"].get("/Reason") for f in fields.values() if f.get("/FT") == "/Sig"]
    assert reasons[-1] == "Số: 01/QĐ-UBND"  # the seal carries the number it was given

    r = office.post(
        "p.clerk",
        f"/api/v1/documents/{doc_id}/dispatch",
        json={
            "recipients": [
                {"method": "internal", "agency_id": office.agencies["d"].id},
                {"method": "edxml", "name": "Bộ Nội vụ", "organ_id": "000.00.00.G09"},
            ]
        },
    )
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["items"]] == ["01", ""]
    # Sending twice to the same agency is refused, and changes nothing.
    r = office.post(
        "p.clerk",
        f"/api/v1/documents/{doc_id}/dispatch",
        json={"recipients": [{"method": "internal", "agency_id": office.agencies["d"].id}]},
    )
    assert r.status_code == 409

    inbox = office.get("d.clerk", "/api/v1/documents?flow=incoming").json()
    assert inbox["total"] == 1
    arrived = inbox["items"][0]
    assert (
        arrived["number_symbol"],
        arrived["state"],
        arrived["signature_verdict"],
        arrived["urgency"],
    ) == ("01/QĐ-UBND", "received", "valid", "urgent")
    assert arrived["electronic"] and arrived["source"] == "internal"
    # The sender's clerk does not see the recipient's register.
    assert office.detail("p.clerk", arrived["id"]).status_code == 404

    assert office.step("d.clerk", arrived["id"], "register").status_code == 200
    status = office.detail("p.clerk", doc_id).json()["recipients"][0]
    assert (status["status"], status["status_label"]) == ("03", "Đã vào sổ")
    office.step("d.clerk", arrived["id"], "present", leader_id=office.ids["d.leader"])
    office.step(
        "d.leader",
        arrived["id"],
        "direct",
        direction="Giao phòng NV",
        lead={"unit_id": office.units["NV"].id},
    )
    assert office.detail("p.clerk", doc_id).json()["recipients"][0]["status"] == "04"
    office.step("d.spec", arrived["id"], "start")
    assert office.detail("p.clerk", doc_id).json()["recipients"][0]["status"] == "05"
    office.step("d.spec", arrived["id"], "complete", note="Đã triển khai")
    assert office.detail("p.clerk", doc_id).json()["recipients"][0]["status"] == "06"


def test_edxml_out_and_in(office: Office, ca: Issuer, pdf: bytes) -> None:
    doc_id, _ = _issued(office, ca, pdf)
    office.post(
        "p.clerk",
        f"/api/v1/documents/{doc_id}/dispatch",
        json={
            "recipients": [
                {"method": "edxml", "name": "Sở Khoa học và Công nghệ", "organ_id": "000.00.10.H99"}
            ]
        },
    )
    assert office.get("p.spec", f"/api/v1/documents/{doc_id}/edxml").status_code == 403
    r = office.get("p.clerk", f"/api/v1/documents/{doc_id}/edxml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    package = r.content
    assert b"http://www.mic.gov.vn/TBT/QCVN_102_2016" in package

    # The package read back by an agency it is addressed to: an incoming document whose
    # signatures were checked on receipt.
    url = f"/api/v1/documents/import-edxml?agency_id={office.agencies['d'].id}"
    r = office.post("d.clerk", url, content=package, headers={"Content-Type": "application/xml"})
    assert r.status_code == 201, r.text
    got = r.json()
    assert (got["number_symbol"], got["source"], got["signature_verdict"]) == (
        "01/QĐ-UBND",
        "edxml",
        "valid",
    )
    assert got["issuing_agency_code"] == "000.00.00.H99" and got["abstract"].startswith(
        "Quyết định"
    )
    # The same package imported again (issue 17: it made a second document): refused,
    # naming the first, nothing created.
    incoming = "/api/v1/documents?flow=incoming"
    count = office.get("d.clerk", incoming).json()["total"]
    r = office.post("d.clerk", url, content=package, headers={"Content-Type": "application/xml"})
    assert r.status_code == 409 and r.json()["code"] == "edxml.already_imported", r.text
    assert r.json()["details"]["document_id"] == got["id"] and r.json()["message"]["vi"]
    assert office.get("d.clerk", incoming).json()["total"] == count

    # Addressed elsewhere, malformed, wrong namespace, bad base64: clear 4xx, nothing stored.
    before = office.get("p.clerk", "/api/v1/documents?flow=incoming").json()["total"]
    purl = f"/api/v1/documents/import-edxml?agency_id={office.agencies['p'].id}"
    bad = [
        (package, "edxml.misaddressed"),
        (b"<edXML><broken", "edxml.malformed"),
        (package.replace(b"QCVN_102_2016", b"QCVN_999"), "edxml.namespace"),
    ]
    for body, code in bad:
        r = office.post("p.clerk", purl, content=body, headers={"Content-Type": "application/xml"})
        assert r.status_code == 422 and r.json()["code"] == code, (code, r.text)
        assert r.json()["message"]["vi"] and r.json()["message"]["en"]
    assert office.get("p.clerk", "/api/v1/documents?flow=incoming").json()["total"] == before


def test_recall_is_confirmed_by_the_recipient(office: Office, ca: Issuer, pdf: bytes) -> None:
    doc_id, _ = _issued(office, ca, pdf)
    office.post(
        "p.clerk",
        f"/api/v1/documents/{doc_id}/dispatch",
        json={"recipients": [{"method": "internal", "agency_id": office.agencies["d"].id}]},
    )
    copy_id = office.get("d.clerk", "/api/v1/documents?flow=incoming").json()["items"][0]["id"]
    office.step("d.clerk", copy_id, "register")
    r = office.step("p.clerk", doc_id, "recall", reason="Sai thể thức")
    assert r.json()["state"] == "recalled"
    assert office.detail("p.clerk", doc_id).json()["recipients"][0]["status"] == "13"
    assert office.detail("d.clerk", copy_id).json()["document"]["state"] == "recall_requested"
    r = office.step("d.clerk", copy_id, "recall-answer", accept=False, note="Đã triển khai")
    assert r.json()["state"] == "registered"
    assert office.detail("p.clerk", doc_id).json()["recipients"][0]["status"] == "16"
