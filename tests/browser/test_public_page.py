"""The public transparency page in a real browser, as a citizen uses it (no login): search
"quyet dinh" and find the "Quyết định …" documents, with JavaScript off too; open one and
read its signature report; download it and check it with poppler's pdfsig; upload it on
the verify page ("published and intact") and a tampered copy (it fails); a phone-sized
screen without sideways scrolling; axe-core finds no serious or critical violation on the
list, search, detail and verify pages. And nothing unpublished, confidential or draft is
reachable by URL, search, feed or sitemap."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine
from sqlmodel import col, select

from documents import outgoing, publication, search
from documents.access import load_view
from documents.fields import Fields
from documents.levels import Confidentiality
from documents.models import Document
from documents.publication import slug_of
from documents.publication_models import Publication
from documents.registers import type_by_code
from documents.states import State
from ecabinet.core import errors
from ecabinet.core.db import make_engine, session_scope
from ecabinet.core.storage import open_store
from ecabinet.demo.documents import PROVINCE, as_user, find_agency, unit_id
from tests.browser.axe import no_serious_violations
from tests.conftest import make_settings
from tests.signing.checks import pdfsig

pytestmark = pytest.mark.browser
SECRET_WORDS = "Báo cáo tình hình bảo vệ bí mật kho vũ khí"
SECRET_FOLDED = "bao cao tinh hinh bao ve bi mat kho vu khi"
UNPUBLISHED_WORDS = "Quyết định khen thưởng nội bộ chưa công khai"


@dataclass
class Site:
    base: str
    engine: Engine
    confidential_slug: str
    unpublished_slug: str
    unpublished_abstract: str
    draft_abstract: str


def _issued_on_paper(engine: Engine, settings: Any, code: str, abstract: str) -> Document:
    """A document of the province issued on paper (confidential when its type is BC, a type
    the demo does not number: the confidential series shares the symbol), that the clerk
    does not publish (a confidential one cannot be)."""
    secret = code == "BC"
    with session_scope(engine) as s:
        province = find_agency(s, PROVINCE)
        assert province.id is not None
        drafter, head = as_user(s, "chuyenvien"), as_user(s, "chanhvanphong")
        leader, clerk = as_user(s, "chutich"), as_user(s, "vanthu")
        kind = type_by_code(s, code)
        assert kind is not None and kind.id is not None
        ids = [w.subject.user.id for w in (drafter, head, leader, clerk)]
        doc = outgoing.create_draft(
            s,
            drafter.actor,
            drafter.subject,
            settings,
            agency_id=province.id,
            fields=Fields(
                type_id=kind.id,
                abstract=abstract,
                confidentiality=Confidentiality.confidential if secret else Confidentiality.none,
                access=tuple(i for i in ids if i is not None) if secret else (),
            ),
            drafting_unit_id=unit_id(s, province.id, "KT"),
            main=None,
            electronic=False,
            pdf_text=abstract,
        )
        assert doc.id is not None and leader.subject.user.id is not None
        outgoing.submit(s, drafter.actor, drafter.subject, load_view(s, doc.id))
        view = load_view(s, doc.id)
        outgoing.pass_review(s, head.actor, head.subject, view, leader.subject.user.id)
        outgoing.approve(s, leader.actor, leader.subject, load_view(s, doc.id))
        outgoing.signed_on_paper(s, leader.actor, leader.subject, load_view(s, doc.id))
        outgoing.number(s, clerk.actor, clerk.subject, load_view(s, doc.id))
        if secret:
            with pytest.raises(errors.InvalidInput):
                publication.publish(s, clerk.actor, clerk.subject, load_view(s, doc.id))
        return doc


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo province on a server of its own (confidential documents allowed), with a
    confidential report issued and an issued document nobody published."""
    from ecabinet.app import create_app
    from ecabinet.core import migrate
    from ecabinet.demo.seed import seed
    from tests.support.live import serve

    data = tmp_path_factory.mktemp("public")
    settings = make_settings(
        data,
        f"sqlite:///{data / 'public.db'}",
        demo_mode="true",
        confidential_documents="true",
        validate_per_minute="100",
    )
    engine = make_engine(settings)
    migrate.upgrade(engine)
    store = open_store(settings)
    seed(engine, store, settings)
    secret = _issued_on_paper(engine, settings, "BC", SECRET_WORDS)
    unpublished = _issued_on_paper(engine, settings, "QD", UNPUBLISHED_WORDS)
    with session_scope(engine, write=False) as s:
        drafts = s.exec(select(Document).where(col(Document.state) == State.draft.value)).all()
        assert drafts, "the demo has drafts"
        draft = drafts[0]
        assert secret.number is not None and secret.issued_on is not None
        assert unpublished.number is not None and unpublished.issued_on is not None
        with serve(create_app(settings, engine=engine, store=store)) as base:
            yield Site(
                base=base,
                engine=engine,
                confidential_slug=slug_of(secret.issued_on.year, secret.number, secret.symbol),
                unpublished_slug=slug_of(
                    unpublished.issued_on.year, unpublished.number, unpublished.symbol
                ),
                unpublished_abstract=unpublished.abstract,
                draft_abstract=draft.abstract,
            )
    engine.dispose()


@pytest.fixture
def citizen(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True
    )
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def test_search_read_download_and_verify(citizen: Page, site: Site, tmp_path: Path) -> None:
    page = citizen
    page.goto(site.base + "/cong-khai")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Văn bản chỉ đạo, điều hành đã công khai"
    )
    no_serious_violations(page)
    expect(page.locator("ol.results > li")).to_have_count(12)
    expect(page.locator("ol.results .state-withdrawn")).to_have_text(["Đã thu hồi"])
    expect(page.locator("ol.results .state-expired")).to_have_text(["Hết hiệu lực"])

    page.get_by_label("Tìm trong trích yếu và nội dung").fill("quyet dinh")
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page).to_have_url(re.compile(r"q=quyet\+dinh"))
    titles = page.locator("ol.results h3").all_inner_texts()
    decisions = [t for t in titles if t.startswith("Quyết định số")]
    assert len(decisions) == 8, titles  # every published decision (and texts citing one)
    no_serious_violations(page)

    # a sector, then a decision of it: its page, metadata, related documents, the report
    filters = page.locator("details.filters")
    expect(filters).not_to_have_attribute("open", "")  # folded: the results fit a phone
    filters.locator("summary").click()
    page.get_by_label("Lĩnh vực").select_option(label="Đất đai")
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page.locator("ol.results h3")).to_have_count(2)
    expect(filters).to_have_attribute("open", "")  # a filter is set: shown unfolded
    page.locator("ol.results h3 a").last.click()
    expect(page).to_have_url(re.compile(r"/cong-khai/\d{4}/\d+-Q%C4%90-UBND$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quyết định số")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Bảng giá đất")
    expect(main).to_contain_text("Được sửa đổi, bổ sung bởi")
    expect(page.get_by_test_id("report-verdict")).to_have_text(
        "Chữ ký số hợp lệ, văn bản nguyên vẹn."
    )
    lines = page.get_by_test_id("report-lines").locator("li")
    expect(lines).to_have_count(2)  # the chairman, then the province's seal
    expect(lines.first).to_have_text(
        re.compile(
            r"^Ký bởi Nguyễn Thanh Bình.* lúc \d\d:\d\d ngày \d\d/\d\d/\d{4}, "
            r"văn bản nguyên vẹn, chứng thư hợp lệ\.$"
        )
    )
    no_serious_violations(page)

    with page.expect_download() as got:
        page.get_by_role("link", name="Tải văn bản (PDF)").first.click()
    pdf = tmp_path / "van-ban.pdf"
    got.value.save_as(pdf)
    report = pdfsig(pdf)
    assert report.count("Signature is Valid") == 2, report

    page.get_by_role("link", name="Kiểm tra tệp PDF").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra tệp PDF")
    no_serious_violations(page)
    page.get_by_label("Tệp PDF").set_input_files(pdf)
    page.get_by_role("button", name="Kiểm tra").click()
    expect(page.get_by_test_id("verify-verdict")).to_contain_text(
        "Đúng là văn bản đã công khai, nguyên vẹn"
    )
    expect(page.get_by_test_id("report-verdict")).to_have_text(
        "Chữ ký số hợp lệ, văn bản nguyên vẹn."
    )
    no_serious_violations(page)

    # the check itself catches a violation: an input without a label is a critical one
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input>')")
    with pytest.raises(AssertionError, match="'label'"):
        no_serious_violations(page)

    data = bytearray(pdf.read_bytes())
    data[data.index(b"stream", 200) + 40] ^= 0x01  # one bit of a page's content (signed)
    tampered = tmp_path / "van-ban-sua.pdf"
    tampered.write_bytes(bytes(data))
    page.get_by_label("Tệp PDF").set_input_files(tampered)
    page.get_by_role("button", name="Kiểm tra").click()
    expect(page.get_by_test_id("verify-verdict")).to_contain_text(
        "không phải là văn bản tỉnh đã công khai"
    )
    expect(page.get_by_test_id("report-verdict")).to_have_text(
        "Chữ ký số chưa được xác nhận hợp lệ: xem chi tiết dưới đây."
    )


def test_without_javascript_and_on_a_phone(browser: Browser, site: Site) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="vi-VN", java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto(site.base + "/cong-khai?lang=en")
        expect(page.get_by_role("heading", level=1)).to_have_text("Published directive documents")
        page.get_by_role("link", name="Tiếng Việt").click()
        page.get_by_label("Tìm trong trích yếu và nội dung").fill("QUYẾT ĐỊNH giá đất")
        page.get_by_role("button", name="Tìm kiếm").click()
        expect(page.locator("ol.results h3")).to_have_count(2)
        page.locator("ol.results h3 a").first.click()
        expect(page.get_by_test_id("report-verdict")).to_be_visible()
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390, f"the page scrolls sideways on a phone ({wide} px)"
        page.goto(site.base + "/cong-khai")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_nothing_unpublished_is_reachable(citizen: Page, site: Site) -> None:
    page = citizen
    hidden = [SECRET_WORDS, site.unpublished_abstract, site.draft_abstract]
    with session_scope(site.engine, write=False) as s:
        slugs = set(s.exec(select(Publication.slug)).all())
        for words in (SECRET_FOLDED, UNPUBLISHED_WORDS):
            inside = s.exec(search.matching(s, words)).all()
            assert len(inside) == 1  # the documents module's search finds it; the public not
    for slug in (site.unpublished_slug, site.confidential_slug):
        response = page.goto(f"{site.base}/cong-khai/{slug}")
        assert response is not None
        if slug not in slugs:
            assert response.status == 404
            expect(page.get_by_role("alert")).to_have_text("Không tìm thấy văn bản công khai này.")
        for words in hidden:
            assert words not in page.content()
        api = page.request.get(f"{site.base}/api/v1/public/documents/{slug}")
        assert api.status == (404 if slug not in slugs else 200)
        pdf = page.request.get(f"{site.base}/api/v1/public/documents/{slug}/pdf")
        assert pdf.status == (404 if slug not in slugs else 200)
    for words in hidden:
        page.goto(site.base + "/cong-khai")
        page.get_by_label("Tìm trong trích yếu và nội dung").fill(words)
        page.get_by_role("button", name="Tìm kiếm").click()
        expect(page.get_by_text("Không có văn bản nào phù hợp.")).to_be_visible()
        found = page.request.get(f"{site.base}/api/v1/public/documents", params={"q": words})
        assert found.json()["total"] == 0, words
    feed = page.request.get(f"{site.base}/cong-khai/feed.atom").text()
    sitemap = page.request.get(f"{site.base}/sitemap.xml").text()
    listing = page.request.get(f"{site.base}/api/v1/public/documents").text()
    for words in hidden:
        assert words not in feed and words not in sitemap and words not in listing
    assert feed.count("<entry>") == len(slugs) == 12
    assert sitemap.count("<loc>") == len(slugs) + 1  # and the list page
    if site.unpublished_slug not in slugs:
        assert site.unpublished_slug not in sitemap and site.unpublished_slug not in feed
