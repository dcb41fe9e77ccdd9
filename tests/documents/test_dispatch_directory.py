"""Dispatch checks the codes of recipients outside the system against the agency
directory before anything is sent; the directory's API for the dispatch dialog and its
administrators."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from documents.models import Document, Recipient
from ecabinet.core.db import session_scope
from tests.documents.office import Office, office_app
from tests.support.credentials import Issuer


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine, ca: Issuer) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine, (ca.ca.root,)) as app:
        yield app


def _nothing_sent(engine: Engine, doc_id: int) -> None:
    with session_scope(engine) as session:
        assert session.exec(select(Recipient).where(Recipient.document_id == doc_id)).all() == []
        document = session.get(Document, doc_id)
        assert document is not None and document.state == "issued"


def _dispatch(office: Office, doc_id: int, *recipients: dict[str, object]) -> object:
    return office.post(
        "p.clerk", f"/api/v1/documents/{doc_id}/dispatch", json={"recipients": list(recipients)}
    )


def test_unknown_code_refused_before_anything_is_sent(
    office: Office, engine: Engine, ca: Issuer, pdf: bytes
) -> None:
    # The issue's case: a paper-only document "sent via edXML" to agency code xyz.
    paper_doc = office.issue_on_paper(None).json()["id"]
    r = _dispatch(office, paper_doc, {"method": "edxml", "name": "Nơi nào đó", "organ_id": "xyz"})
    assert r.status_code == 422, r.text  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert body["code"] == "dispatch.unknown_code" and body["details"]["unknown"] == ["XYZ"]
    assert "Chưa gửi gì" in body["message"]["vi"] and "Nothing was sent" in body["message"]["en"]
    _nothing_sent(engine, paper_doc)
    # A known code does not make a document without a file electronic.
    r = _dispatch(office, paper_doc, {"method": "edxml", "organ_id": "000.00.00.G09"})
    assert r.json()["code"] == "dispatch.no_file"  # type: ignore[attr-defined]
    _nothing_sent(engine, paper_doc)

    doc_id = office.issue_signed(ca, pdf)
    cases = [
        # one good recipient and one unknown: neither is sent
        (
            [
                {"method": "internal", "agency_id": office.agencies["d"].id},
                {"method": "edxml", "name": "Bộ Nội vụ", "organ_id": "000.00.00.G09"},
                {"method": "paper", "name": "Sở lạ", "organ_id": "000.00.77.H99"},
            ],
            "dispatch.unknown_code",
        ),
        ([{"method": "edxml", "name": "Bộ Nội vụ"}], "dispatch.code_required"),
        (
            [{"method": "edxml", "name": "Xã Giấy", "organ_id": "000.01.40.H98"}],
            "dispatch.not_electronic",
        ),
        ([{"method": "edxml", "name": "Bộ", "organ_id": "G09"}], "dispatch.unknown_code"),
    ]
    for recipients, code in cases:
        r = _dispatch(office, doc_id, *recipients)
        assert (r.status_code, r.json()["code"]) == (422, code), r.text  # type: ignore[attr-defined]
        _nothing_sent(engine, doc_id)
    # Known codes: by edXML (the name from the directory when none is typed), on paper to
    # a commune that only takes paper, on paper without a code, and inside the system.
    r = _dispatch(
        office,
        doc_id,
        {"method": "edxml", "organ_id": " 000.00.00.g09 "},
        {"method": "paper", "name": "UBND xã Giấy", "organ_id": "000.01.40.H98"},
        {"method": "paper", "name": "Lưu VT"},
        {"method": "internal", "agency_id": office.agencies["d"].id},
    )
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    got = [(x["method"], x["organ_id"], x["name"]) for x in r.json()["items"]]  # type: ignore[attr-defined]
    assert got == [
        ("edxml", "000.00.00.G09", "Bộ Nội vụ"),
        ("paper", "000.01.40.H98", "UBND xã Giấy"),
        ("paper", "", "Lưu VT"),
        ("internal", "000.00.10.H99", "Sở Khoa học và Công nghệ"),
    ]


def test_directory_api_search_and_import(office: Office) -> None:
    r = office.get("p.spec", "/api/v1/agency-directory?q=giay")
    assert r.status_code == 200
    assert [(e["code"], e["level"], e["electronic"]) for e in r.json()["items"]] == [
        ("000.01.40.H98", "commune", False)
    ]
    central = office.get("p.clerk", "/api/v1/agency-directory?level=central").json()["items"]
    assert [e["name"] for e in central] == ["Bộ Nội vụ", "Bộ Khoa học và Công nghệ"]
    assert central[0]["level_label"] == "Trung ương" and central[0]["agency_id"] is None
    for bad in ("level=quan", "limit=0", "limit=abc"):
        r = office.get("p.clerk", f"/api/v1/agency-directory?{bad}")
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["message"]["vi"] and r.json()["message"]["en"]

    csv = (
        "Mã định danh,Tên cơ quan,Cấp,Mã cấp trên\n"
        "000.00.10.H99,Sở Khoa học và Công nghệ,tỉnh,000.00.00.H99\n"
        "000.00.00.H99,Ủy ban nhân dân tỉnh Thử Nghiệm,tỉnh,\n"
    )
    url = "/api/v1/agency-directory/import"
    headers = {"Content-Type": "text/csv"}
    # Only the province's administrators import.
    r = office.post("p.clerk", url, content=csv.encode(), headers=headers)
    assert r.status_code == 403
    r = office.post("p.admin", url, content=csv.encode(), headers=headers)
    assert r.status_code == 200, r.text
    assert r.json() == {"created": 2, "updated": 0, "unchanged": 0}
    inside = office.get("p.clerk", "/api/v1/agency-directory?q=khoa hoc cong nghe").json()
    by_code = {e["code"]: e["agency_id"] for e in inside["items"]}
    assert by_code == {"000.00.10.H99": office.agencies["d"].id, "000.00.00.G17": None}

    bad = csv + "xyz,Nơi nào đó,xã,\n000.00.11.H99,Sở Mới,tỉnh,000.00.00.H77\n"
    r = office.post("p.admin", url, content=bad.encode(), headers=headers)
    assert r.status_code == 422
    problems = r.json()["details"]["problems"]
    assert [p["line"] for p in problems] == [4, 5]
    assert "XYZ" in problems[0]["en"] and "000.00.00.H77" in problems[1]["vi"]
    assert office.get("p.clerk", "/api/v1/agency-directory?q=so moi").json()["items"] == []
    r = office.post(
        "p.admin",
        url + "?format=json",
        content=b'{"code": "000.00.11.H99"}',
        headers={"Content-Type": "application/json"},
    )
    assert (r.status_code, r.json()["code"]) == (422, "agency_directory.invalid")
    r = office.post("p.admin", url + "?format=xls", content=b"x", headers=headers)
    assert (r.status_code, r.json()["code"]) == (422, "agency_directory.bad_format")
