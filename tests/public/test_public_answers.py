"""What the public pages answer besides documents: the verify page's answer to a file that
is not a PDF (a page with the message in both languages and a 4xx, never the JSON API's
error body), robots.txt, the sitemap's percent-encoded addresses, and the publication
log's evidence for a document as a page people can read."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import Engine

from tests.documents.office import Office, office_app
from tests.public.test_public_log_api import _published


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


def _anonymous(office: Office) -> None:
    office.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": office._csrf})
    office._who = None


@pytest.mark.parametrize(
    ("name", "body", "kind"),
    [
        ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),
        ("ghi-chu.txt", "Xin chào".encode(), "text/plain"),
        ("hong.pdf", b"%PDF-1.7\n1 0 obj <<", "application/pdf"),
    ],
)
def test_verify_answers_a_file_that_is_not_a_pdf_with_a_page(
    office: Office, name: str, body: bytes, kind: str
) -> None:
    _anonymous(office)
    for lang, first, second in (("", "vi", "en"), ("?lang=en", "en", "vi")):
        r = office.client.post(f"/cong-khai/kiem-tra{lang}", files={"file": (name, body, kind)})
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("text/html")
        assert f'<html lang="{first}">' in r.text and "<h1>" in r.text
        alert = re.search(r'<div role="alert"[^>]*>(.*?)</div>', r.text, re.S)
        assert alert is not None, r.text
        assert f'<p lang="{first}">' in alert[1] and f'<p lang="{second}"' in alert[1]
        assert "không phải PDF hợp lệ" in alert[1] and "not a valid PDF" in alert[1]
        assert '"code"' not in r.text  # not the API's JSON body
        assert 'type="file"' in r.text  # the form again, to try another file


def test_robots_txt(office: Office) -> None:
    r = office.client.get("/robots.txt")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    lines = [line.strip() for line in r.text.splitlines() if line.strip()]
    assert "User-agent: *" in lines
    assert "Allow: /cong-khai" in lines and "Allow: /sitemap.xml" in lines
    assert "Allow: /api/v1/public/documents/" in lines  # the published PDFs
    assert "Disallow: /api/" in lines and "Disallow: /" in lines  # the staff app
    assert any(re.fullmatch(r"Sitemap: https?://\S+/sitemap\.xml", line) for line in lines)
    from urllib.robotparser import RobotFileParser

    crawler = RobotFileParser()
    crawler.parse(lines)
    assert crawler.can_fetch("*", "/cong-khai/2026/01-QD-UBND")
    assert crawler.can_fetch("*", "/api/v1/public/documents/2026-01-qd-ubnd/pdf")
    assert not crawler.can_fetch("*", "/api/v1/documents/1")
    assert not crawler.can_fetch("*", "/documents/1")


def test_sitemap_addresses_are_percent_encoded(office: Office, pdf: bytes) -> None:
    import defusedxml.ElementTree as ET

    _published(office, pdf, "Quyết định về chuyển đổi số")
    _anonymous(office)
    site = ET.fromstring(office.client.get("/sitemap.xml").content)
    locs = [e.text or "" for e in site.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert len(locs) == 2
    for loc in locs:
        assert loc.isascii() and not re.search(r"[\s<>\"{}|\\^`]", loc), loc
    assert locs[1].endswith("/cong-khai/2026/01-Q%C4%90-UBND")
    page = office.client.get("/" + unquote(locs[1].split("/", 3)[3]))
    assert page.status_code == 200  # the address leads to the page


def test_log_evidence_and_the_log_are_readable_pages(office: Office, pdf: bytes) -> None:
    _published(office, pdf, "Quyết định về chuyển đổi số")
    _anonymous(office)
    detail = office.client.get("/cong-khai/2026/01-QĐ-UBND").text
    link = re.search(r'<a href="([^"]+)">Bằng chứng ghi nhật ký #(\d+)</a>', detail)
    assert link is not None, detail
    r = office.client.get(link[1].replace("&amp;", "&"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<h1>Bằng chứng ghi nhật ký công khai #0</h1>" in r.text
    assert "Công khai văn bản" in r.text and "Quyết định về chuyển đổi số" in r.text
    assert 'href="/cong-khai/2026/01-QĐ-UBND"' in r.text  # back to the document
    entry = office.client.get("/api/v1/public/log/entries/0").json()
    proof = office.client.get("/api/v1/public/log/proof?seq=0").json()
    assert entry["leaf_hash"] in r.text and proof["root_hash"] in r.text
    assert all(h in r.text for h in proof["audit_path"])
    assert 'href="/api/v1/public/log/proof?seq=0&amp;size=1"' in r.text  # for programs
    english = office.client.get("/cong-khai/nhat-ky/0?lang=en").text
    assert "Proof of logging in the publication log #0" in english
    footer = re.search(r'<footer[^>]*>.*?<a href="([^"]+)">Nhật ký công khai</a>', detail, re.S)
    assert footer is not None
    listing = office.client.get(footer[1])
    assert listing.status_code == 200 and listing.headers["content-type"].startswith("text/html")
    assert "<h1>Nhật ký công khai</h1>" in listing.text and proof["root_hash"] in listing.text
    assert '<a href="/cong-khai/nhat-ky/0">Bằng chứng ghi nhật ký #0</a>' in listing.text
    missing = office.client.get("/cong-khai/nhat-ky/7")
    assert missing.status_code == 404 and "Không có mục nhật ký này." in missing.text


def test_the_viewer_script_comes_from_the_build_manifest(tmp_path: Path) -> None:
    from ecabinet.public.render import VIEWER_ENTRY, viewer_script

    assert viewer_script(tmp_path) == ""  # not built: the page keeps its download link
    manifest = tmp_path / ".vite" / "manifest.json"
    manifest.parent.mkdir()
    manifest.write_text('{"x": ', encoding="utf-8")
    assert viewer_script(tmp_path) == ""
    entry = {"file": "assets/public-Ab12.js", "isEntry": True}
    manifest.write_text(json.dumps({VIEWER_ENTRY: entry}), encoding="utf-8")
    assert viewer_script(tmp_path) == "/assets/public-Ab12.js"


def test_the_document_page_loads_the_built_viewer(office: Office, pdf: bytes) -> None:
    from ecabinet.app import FRONTEND_DIST
    from ecabinet.public.render import viewer_script

    script = viewer_script(FRONTEND_DIST)
    if not script:
        pytest.fail("the web app is not built: run `make frontend`")
    _published(office, pdf, "Quyết định về chuyển đổi số")
    _anonymous(office)
    html = office.client.get("/cong-khai/2026/01-QĐ-UBND").text
    assert f'<script type="module" src="{script}"></script>' in html
    assert 'data-pdf-url="/api/v1/public/documents/2026/01-QĐ-UBND/pdf"' in html
    assert "<object" not in html and "<iframe" not in html and "<script>" not in html
    served = office.client.get(script)
    assert served.status_code == 200 and "javascript" in served.headers["content-type"]
