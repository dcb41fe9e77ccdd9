"""Finding 15: text is normalised on input. NFC always (decomposed Vietnamese is stored
composed and found by search); bidirectional overrides and control characters are
stripped from names and file names (line breaks and tabs stay in multi-line text)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.documents.office import Office, office_app

RLO = "\u202e"


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


def nfd(value: str) -> str:
    return unicodedata.normalize("NFD", value)


def test_f15_a_name_with_an_override_is_stored_without_it(office: Office) -> None:
    r = office.post(
        "p.admin",
        "/api/v1/users",
        json={
            "username": "tran.b",
            "password": "Correct-horse-9",
            "full_name": f"Trần Văn {RLO}B\u200f\u0085\u0007",
            "title": "Chuyên\nviên",
        },
    )
    assert r.status_code == 201, r.text
    user = office.get("p.admin", f"/api/v1/users/{r.json()['id']}").json()
    assert user["full_name"] == "Trần Văn B"
    assert user["title"] == "Chuyên viên"


def test_f15_an_upload_file_name_is_stored_without_override(office: Office) -> None:
    name = f"hoa-don{RLO}fdp.exe"
    r = office.post(
        "p.clerk",
        "/api/v1/files",
        params={"agency_id": office.agencies["p"].id, "filename": name},
        content=b"%PDF-1.4 not really",
        headers={"Content-Type": "application/pdf"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == "hoa-donfdp.exe"


def test_f15_decomposed_vietnamese_is_stored_composed_and_found(office: Office) -> None:
    abstract = "Quyết định về việc thành lập Hội đồng thẩm định"
    r = office.draft(None, abstract=nfd(abstract) + "\nkèm\tphụ lục" + RLO)
    assert r.status_code == 201, r.text
    doc = office.detail("p.spec", r.json()["id"]).json()["document"]
    assert doc["abstract"] == abstract + "\nkèm\tphụ lục"
    found = office.get("p.spec", "/api/v1/documents", params={"q": "thẩm định"}).json()
    assert [d["id"] for d in found["items"]] == [r.json()["id"]]


def test_f15_a_name_that_is_only_controls_is_empty_and_refused(office: Office) -> None:
    r = office.post("p.admin", "/api/v1/tokens", json={"name": RLO + "\u2066"})
    assert r.status_code == 422, r.text


def test_f15_normalisers() -> None:
    from ecabinet.core import text

    assert text.line(nfd("Hòa\r\nBình\u061c")) == "Hòa Bình"
    assert text.text("a\r\nb\u0000c\u009fd\te") == "a\nbcd\te"
    assert text.refusal("ok") is None and text.refusal("a\x00") == "NUL"
