"""Search ranks in a real browser (decision 0018): a clerk's "hòa" lists the document about
Hòa Bình first and every "Kế hoạch" (a prefix) last, newest first among those; a citizen's
"chuyển đổi số" on the public page lists the phrase in an abstract, then the words apart,
then a document that holds them only in its PDF, and nothing unpublished."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from ecabinet.demo.pdfs import demo_documents
from tests.documents.office import Office, office_app
from tests.factories import PASSWORD
from tests.public.test_public_log_api import _published
from tests.support.live import serve

pytestmark = pytest.mark.browser

HOA = [
    "Quyết định thành lập Ban quản lý dự án Hòa Bình",
    "V/v trồng hoa dọc tuyến đường tỉnh",
    "Kế hoạch kiểm tra công tác cải cách hành chính",
    "Kế hoạch phòng chống thiên tai năm 2027",
]
"""Oldest first: today's order (newest first) put both "Kế hoạch" above Hòa Bình."""
PUBLIC = [
    "Kế hoạch chuyển đổi số năm 2027",
    "V/v chuyển giao thiết bị, đổi mới quy trình và số hóa hồ sơ",
    "Quyết định về việc ban hành Quy chế làm việc",
]
"""Published oldest first; the last holds "chuyển đổi số" only in its PDF."""
DRAFT = "Dự thảo Kế hoạch chuyển đổi số năm 2028"


@pytest.fixture
def site(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[str]:
    with office_app(tmp_path, database_url, engine) as office:
        _documents(office)
        with serve(office.client.app) as base:
            yield base


def _documents(office: Office) -> None:
    for abstract in HOA:
        assert office.receive(abstract=abstract).status_code == 201
    pdfs = [d.pdf() for d in demo_documents()]
    for pdf, abstract in zip([pdfs[3], pdfs[4], pdfs[0]], PUBLIC, strict=True):
        _published(office, pdf, abstract)
    assert office.draft(None, abstract=DRAFT).status_code == 201


def _order(texts: list[str], wanted: list[str]) -> list[str]:
    """The abstracts of ``wanted`` in the order the rows show them."""
    return [w for t in texts for w in wanted if w in t]


def test_clerk_and_citizen_see_ranked_results(browser: Browser, site: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(20_000)
    clerk = context.new_page()
    clerk.goto(site + "/")
    clerk.get_by_label("Tên đăng nhập").fill("p.clerk")
    clerk.get_by_label("Mật khẩu").fill(PASSWORD)
    clerk.get_by_role("button", name="Đăng nhập").click()
    expect(clerk.get_by_role("banner")).to_be_visible()
    clerk.get_by_role("navigation").get_by_role("link", name="Văn bản đến", exact=True).click()
    _search(clerk, "hòa")
    rows = clerk.locator("table.doc-table tbody tr").all_inner_texts()
    assert HOA[0] in rows[0], rows
    assert _order(rows, HOA) == [HOA[0], HOA[1], HOA[3], HOA[2]], rows
    context.close()

    citizen = browser.new_page(viewport={"width": 390, "height": 844}, locale="vi-VN")
    citizen.goto(site + "/cong-khai")
    citizen.get_by_label("Tìm trong trích yếu và nội dung").fill("chuyển đổi số")
    citizen.get_by_role("button", name="Tìm kiếm").click()
    expect(citizen).to_have_url(re.compile(r"q=chuy"))
    results = citizen.locator("ol.results > li").all_inner_texts()
    assert _order(results, PUBLIC) == PUBLIC, results
    assert len(results) == 3 and not any(DRAFT in r for r in results)
    # Words of the PDF alone.
    citizen.get_by_label("Tìm trong trích yếu và nội dung").fill("môi trường mạng")
    citizen.get_by_role("button", name="Tìm kiếm").click()
    expect(citizen.locator("ol.results > li")).to_have_count(1)
    expect(citizen.locator("ol.results > li")).to_contain_text(PUBLIC[2])
    citizen.close()


def _search(page: Page, words: str) -> None:
    expect(page.get_by_role("button", name="Lọc")).to_be_enabled()
    page.get_by_label("Tìm kiếm").fill(words)
    with page.expect_response(re.compile(r"/api/v1/documents\?.*q=")) as answer:
        page.get_by_role("button", name="Lọc").click()
    shown = len(answer.value.json()["items"])
    expect(page.locator("table.doc-table tbody tr")).to_have_count(shown)
