"""The public pages without login and without JavaScript: the list and its search with
Vietnamese folding, a document's page with its metadata, status and signature report,
the verify page saying whether an uploaded file was published, and nothing unpublished
anywhere."""

from __future__ import annotations

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


def test_public_pages(office: Office, pdf: bytes) -> None:
    copies = [pdf + f"\n% bản {n}\n".encode() for n in range(3)]
    ids = [
        _published(office, copies[0], "Quyết định phê duyệt đề án chuyển đổi số"),
        _published(office, copies[1], "Quyết định về giá đất năm 2027"),
    ]
    assert office.step("p.clerk", ids[1], "withdraw", reason="Sai thẩm quyền").status_code == 200
    office.draft(copies[2], electronic=False, abstract="Dự thảo bí mật chưa ban hành")
    office.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": office._csrf})
    anon = office.client

    page = anon.get("/cong-khai")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="vi">' in html and "<h1>" in html and '<label for="q">' in html
    assert "chuyển đổi số" in html and "giá đất" in html and "Đã thu hồi" in html
    assert "Dự thảo bí mật" not in html

    found = anon.get("/cong-khai", params={"q": "gia dat nam 2027"}).text  # folded
    assert "giá đất năm 2027" in found and "phê duyệt đề án" not in found
    assert "Dự thảo bí mật" not in anon.get("/cong-khai", params={"q": "du thao bi mat"}).text
    english = anon.get("/cong-khai", params={"lang": "en"}).text
    assert '<html lang="en">' in english and "Withdrawn" in english
    bad = anon.get("/cong-khai", params={"tu_ngay": "hom-qua"})
    assert bad.status_code == 422 and "tu_ngay phải là ngày" in bad.text

    detail = anon.get("/cong-khai/2026/01-QĐ-UBND")
    assert detail.status_code == 200
    assert "Quyết định phê duyệt đề án chuyển đổi số" in detail.text
    assert "BÁO CÁO KIỂM TRA CHỮ KÝ SỐ" in detail.text  # the report, in plain Vietnamese
    assert "/api/v1/public/documents/2026/01-QĐ-UBND/pdf" in detail.text
    withdrawn = anon.get("/cong-khai/2026/02-QĐ-UBND").text
    assert "Đã thu hồi" in withdrawn and "Sai thẩm quyền" in withdrawn
    assert anon.get("/cong-khai/2026/03-QĐ-UBND").status_code == 404

    form = anon.get("/cong-khai/kiem-tra")
    assert form.status_code == 200 and 'type="file"' in form.text
    ok = anon.post(
        "/cong-khai/kiem-tra", files={"file": ("van-ban.pdf", copies[0], "application/pdf")}
    )
    assert ok.status_code == 200 and "Đúng là văn bản đã công khai" in ok.text
    changed = copies[0] + b" "
    no = anon.post("/cong-khai/kiem-tra", files={"file": ("sua.pdf", changed, "application/pdf")})
    assert no.status_code == 200 and "không phải là văn bản tỉnh đã công khai" in no.text
    empty = anon.post("/cong-khai/kiem-tra", files={"file": ("x.pdf", b"", "application/pdf")})
    assert empty.status_code == 422 and "Chưa gửi tệp PDF nào" in empty.text


def test_feeds_and_sitemap_hold_only_what_was_published(office: Office, pdf: bytes) -> None:
    import defusedxml.ElementTree as ET

    copies = [pdf + f"\n% bản {n}\n".encode() for n in range(2)]
    ids = [_published(office, copies[0], "Quyết định về quy hoạch đô thị")]
    draft = office.draft(copies[1], electronic=False, abstract="Dự thảo chưa công khai")
    assert draft.status_code == 201
    assert office.step("p.clerk", ids[0], "expire", reason="Hết thời hạn").status_code == 200
    office.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": office._csrf})
    anon = office.client
    atom = "{http://www.w3.org/2005/Atom}"

    r = anon.get("/cong-khai/feed.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(r.content)
    entries = feed.findall(f"{atom}entry")
    assert [e.findtext(f"{atom}title") for e in entries] == [
        "Quyết định số 01/QĐ-UBND (hết hiệu lực)"
    ]
    assert "quy hoạch đô thị" in (entries[0].findtext(f"{atom}summary") or "")
    assert "Dự thảo" not in r.text
    assert (
        ET.fromstring(anon.get("/cong-khai/feed.atom?loai=CV").content).findall(f"{atom}entry")
        == []
    )
    by_agency = anon.get(f"/cong-khai/feed.atom?co_quan={office.agencies['p'].code}").content
    assert len(ET.fromstring(by_agency).findall(f"{atom}entry")) == 1

    site = ET.fromstring(anon.get("/sitemap.xml").content)
    locs = [e.text for e in site.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert len(locs) == 2 and locs[1].endswith("/cong-khai/2026/01-Q%C4%90-UBND")  # type: ignore[union-attr]
