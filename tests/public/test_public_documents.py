"""Published documents as open data, without login: only what was published (not a draft,
not an issued document nobody published), the filters and the Vietnamese folding of the
search, stable addresses, the PDF exactly as published, and 304s for repeat visits."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.documents.office import Office, office_app
from tests.public.test_public_log_api import _published


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


def test_only_what_was_published_and_cheap_repeat_visits(office: Office, pdf: bytes) -> None:
    copies = [pdf + f"\n% bản {n}\n".encode() for n in range(4)]
    ids = [
        _published(office, copies[n], f"Quyết định về việc đầu tư công trình số {n}")
        for n in range(3)
    ]
    r = office.step("p.clerk", ids[2], "withdraw", reason="Ban hành không đúng thẩm quyền")
    assert r.status_code == 200
    office.issue_on_paper(copies[3], abstract="Quyết định chưa công khai")
    office.draft(None, abstract="Dự thảo Quyết định đầu tư")
    office.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": office._csrf})
    anon = office.client

    listed = anon.get("/api/v1/public/documents")
    assert listed.status_code == 200
    body = listed.json()
    assert body["total"] == 3 and body["exact"] is True
    assert [i["number_symbol"] for i in body["items"]] == ["03/QĐ-UBND", "02/QĐ-UBND", "01/QĐ-UBND"]
    assert [i["state"] for i in body["items"]] == ["withdrawn", "published", "published"]
    assert body["items"][0]["reason"] == "Ban hành không đúng thẩm quyền"
    assert "chưa công khai" not in listed.text and "Dự thảo" not in listed.text

    folded = anon.get("/api/v1/public/documents?q=quyet dinh dau tu").json()
    assert folded["total"] == 3  # đ and the marks folded, the draft with the same words absent
    assert anon.get("/api/v1/public/documents?q=chua cong khai").json()["total"] == 0
    one = anon.get("/api/v1/public/documents?so=02/QĐ-UBND").json()
    assert [i["slug"] for i in one["items"]] == [body["items"][1]["slug"]]
    assert anon.get("/api/v1/public/documents?trang_thai=withdrawn").json()["total"] == 1
    assert anon.get("/api/v1/public/documents?trang_thai=draft").status_code == 422
    assert anon.get("/api/v1/public/documents?tu_ngay=hom-qua").status_code == 422

    slug = body["items"][1]["slug"]
    detail = anon.get(f"/api/v1/public/documents/{slug}")
    assert (
        detail.status_code == 200
        and detail.json()["sha256"] == hashlib.sha256(copies[1]).hexdigest()
    )
    assert (
        anon.get("/api/v1/public/documents/2026/04-QĐ-UBND").status_code == 404
    )  # issued, unpublished
    got = anon.get(f"/api/v1/public/documents/{slug}/pdf")
    assert got.status_code == 200 and got.content == copies[1]

    etag = listed.headers["etag"]
    assert listed.headers["last-modified"]
    again = anon.get("/api/v1/public/documents", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    office._who = None
    _published(office, pdf + b"\n% moi\n", "Quyết định mới")
    fresh = office.client.get("/api/v1/public/documents", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.json()["total"] == 4 and fresh.headers["etag"] != etag
