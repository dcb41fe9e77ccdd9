"""Sectors and related documents on the public page: a clerk files a publication under a
sector and names the published documents it amends; a published replacement links to the
one it replaces and marks it expired; the pages, the open data and the log show it all;
bad input changes nothing. And conditional GET on the pages, the feed and the sitemap."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from documents.publication_log_models import LogEntry
from documents.publication_models import Publication, PublicationLink
from ecabinet.core.db import session_scope
from tests.documents.office import Office, office_app


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


def _issued(office: Office, pdf: bytes, abstract: str, **fields: Any) -> int:
    return int(office.issue_on_paper(pdf, abstract=abstract, **fields).json()["id"])


def test_sectors_relations_and_replacement(office: Office, pdf: bytes, engine: Engine) -> None:
    copies = [pdf + f"\n% bản {n}\n".encode() for n in range(4)]
    a = _issued(office, copies[0], "Quyết định quy định giá đất năm 2027")
    r = office.step("p.clerk", a, "publish", sector="dat-dai")
    assert r.status_code == 200, r.text
    b = _issued(office, copies[1], "Quyết định sửa đổi Quyết định về giá đất")
    for bad, code in [
        ({"sector": "thue-quan"}, "publication.bad_sector"),
        ({"sector": "dat-dai", "amends": ["2026/99-QĐ-UBND"]}, "publication.bad_amends"),
        ({"sector": "dat-dai", "amends": [f"2026/{n:02d}-QĐ-UBND" for n in range(11)]}, ""),
        ({"sector": 7}, ""),
    ]:
        refused = office.step("p.clerk", b, "publish", **bad)
        assert refused.status_code == 422, bad
        assert not code or refused.json()["code"] == code
        assert refused.json()["message"]["vi"] and refused.json()["message"]["en"]
    with session_scope(engine, write=False) as s:
        assert s.get(Publication, b) is None  # nothing stored by the refused attempts
    assert office.step("p.spec", b, "publish", sector="dat-dai").status_code == 403
    slug_a = "2026/01-QĐ-UBND"
    ok = office.step("p.clerk", b, "publish", sector="dat-dai", amends=[slug_a])
    assert ok.status_code == 200, ok.text
    c = _issued(office, copies[2], "Quyết định thay thế về giá đất", replaces_id=a)
    assert office.step("p.clerk", c, "publish", sector="dat-dai").status_code == 200
    other = _issued(office, copies[3], "Kế hoạch phát triển giáo dục")
    assert office.step("p.clerk", other, "publish", sector="giao-duc").status_code == 200

    with session_scope(engine, write=False) as s:
        old = s.get(Publication, a)
        assert old is not None and old.state == "expired"
        assert old.reason == "Được thay thế bởi Quyết định số 03/QĐ-UBND."
        links = {(x.document_id, x.target_id, x.kind) for x in s.exec(select(PublicationLink))}
        assert links == {(b, a, "amends"), (c, a, "replaces")}
        entries = [json.loads(e.payload) for e in s.exec(select(LogEntry).order_by(LogEntry.seq))]
    assert [e["kind"] for e in entries] == ["publish", "publish", "publish", "expire", "publish"]
    assert entries[1]["amends"] == [slug_a] and entries[1]["sector"] == "dat-dai"
    assert entries[2]["replaces"] == [slug_a] and entries[3]["slug"] == slug_a
    timeline = office.detail("p.clerk", a).json()["timeline"]
    assert "expire" in [e["action"] for e in timeline]

    office.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": office._csrf})
    anon = office.client
    got = anon.get(f"/api/v1/public/documents/{slug_a}").json()
    assert got["sector"] == "dat-dai" and got["state"] == "expired"
    assert sorted((x["relation"], x["number_symbol"]) for x in got["related"]) == [
        ("amended_by", "02/QĐ-UBND"),
        ("replaced_by", "03/QĐ-UBND"),
    ]
    replacing = anon.get("/api/v1/public/documents/2026/03-QĐ-UBND").json()
    assert [(x["relation"], x["slug"]) for x in replacing["related"]] == [("replaces", slug_a)]
    land = anon.get("/api/v1/public/documents?linh_vuc=dat-dai").json()
    assert land["total"] == 3
    assert anon.get("/api/v1/public/documents?linh_vuc=khong-co").status_code == 422
    sectors = anon.get("/api/v1/public/sectors").json()["items"]
    assert {"code": "dat-dai", "name": "Đất đai", "name_en": "Land"} in sectors

    page = anon.get(f"/cong-khai/{slug_a}").text
    assert "Được thay thế bởi" in page and "Được sửa đổi, bổ sung bởi" in page
    assert "Hết hiệu lực" in page and "Đất đai" in page
    assert "/cong-khai/2026/03-QĐ-UBND" in page
    assert "Sửa đổi, bổ sung" in anon.get("/cong-khai/2026/02-QĐ-UBND").text
    listed = anon.get("/cong-khai", params={"linh_vuc": "giao-duc"}).text
    assert "phát triển giáo dục" in listed and "giá đất" not in listed


def test_conditional_get_on_pages_feeds_and_sitemap(office: Office, pdf: bytes) -> None:
    a = _issued(office, pdf, "Quyết định về quy hoạch")
    assert office.step("p.clerk", a, "publish").status_code == 200
    office.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": office._csrf})
    office._who = None
    anon = office.client
    for url in ["/cong-khai", "/cong-khai/2026/01-QĐ-UBND", "/cong-khai/feed.atom", "/sitemap.xml"]:
        first = anon.get(url)
        assert first.status_code == 200, url
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        again = anon.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
        since = anon.get(url, headers={"If-Modified-Since": modified})
        assert since.status_code == 304, url
        other = anon.get(url, headers={"If-None-Match": 'W/"something-else"'})
        assert other.status_code == 200
        assert anon.get(url, headers={"If-Modified-Since": "not a date"}).status_code == 200
    english = anon.get("/cong-khai?lang=en")
    assert english.headers["etag"] != anon.get("/cong-khai").headers["etag"]
    etag = anon.get("/cong-khai/2026/01-QĐ-UBND").headers["etag"]
    b = _issued(office, pdf + b"\n% hai\n", "Quyết định khác")
    assert office.step("p.clerk", b, "publish").status_code == 200
    office.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": office._csrf})
    # any act appends to the log, so every public answer is fresh again
    after = office.client.get("/cong-khai/2026/01-QĐ-UBND", headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert office.client.get("/cong-khai/2026/09-QĐ-UBND").headers.get("etag") is None


def test_counts_are_capped_and_the_next_page_is_known(
    office: Office, pdf: bytes, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from documents import public_queries
    from documents.public_queries import PublicFilter

    for n in range(4):
        doc = _issued(office, pdf + f"\n% {n}\n".encode(), f"Quyết định thử số {n}")
        assert office.step("p.clerk", doc, "publish").status_code == 200
    monkeypatch.setattr(public_queries, "COUNT_CAP", 2)
    monkeypatch.setattr(public_queries, "TEXT_COUNT_CAP", 2)
    with session_scope(engine, write=False) as s:
        for f in (PublicFilter(limit=1), PublicFilter(text="quyet dinh thu", limit=1)):
            pages = []
            for offset in range(4):
                found = public_queries.published(s, replace(f, offset=offset))
                pages.append((len(found.items), found.total, found.exact))
            # capped at 2 ("2+") while more follow; the last page counts exactly
            assert pages == [(1, 2, False), (1, 2, False), (1, 3, False), (1, 4, True)], f
            assert [i.document.abstract for i in public_queries.published(s, f).items] == [
                "Quyết định thử số 3"
            ]
