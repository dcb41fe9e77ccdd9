"""Documents are drawn by pdf.js on a canvas on the staff document page and the public
document page (no frame, object or plug-in: the server's ``frame-ancestors 'none'`` forbids
framing its own files, and tablets and phones often have no PDF plug-in), on a phone and on
a desktop, with no console error and no CSP violation; the viewer turns pages and fits the
width or the whole page; the public page keeps its plain download link without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.browser.axe import no_serious_violations
from tests.browser.people import official
from tests.browser.test_documents_screens import INKED

pytestmark = pytest.mark.browser
SIZES = [(390, 844), (1440, 900)]
LISTEN = """window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
});"""


@dataclass
class Problems:
    console: list[str] = field(default_factory=list)

    def csp(self, page: Page) -> list[str]:
        found: list[str] = page.evaluate("window.__csp || []")
        return found


@contextmanager
def watched(page: Page) -> Iterator[Problems]:
    """Console errors, page errors and CSP violations while the block runs (the listener
    is installed before any script of the next page runs)."""
    problems = Problems()

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning") and (
            message.type == "error" or "Content Security Policy" in message.text
        ):
            problems.console.append(message.text)

    page.add_init_script(LISTEN)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.console.append(str(exc)))
    yield problems
    assert problems.csp(page) == []
    assert problems.console == []


def drawn_first_page(page: Page) -> None:
    """The viewer shows page 1 of 1, its canvas drawn with ink on it, fitted to the width
    the viewer has, and no frame or plug-in anywhere."""
    viewer = page.get_by_test_id("pdf-viewer")
    canvas = viewer.get_by_test_id("pdf-canvas")
    expect(canvas).to_have_attribute("data-drawn", "true")
    assert canvas.evaluate(INKED) > 500
    expect(viewer.get_by_test_id("pdf-viewer-page")).to_have_text("Trang 1 / 1")
    assert page.locator("iframe, object, embed").count() == 0
    box, area = canvas.bounding_box(), viewer.locator(".pdf-viewer-area").bounding_box()
    assert box is not None and area is not None and box["width"] > 250
    assert area["x"] <= box["x"] and box["x"] + box["width"] <= area["x"] + area["width"]


def _a_published_document(page: Page, base: str) -> tuple[int, str]:
    """An issued, published document of the demo: its id and its public address."""
    found = page.request.get(base + "/api/v1/public/documents").json()["items"]
    slug = next(i["slug"] for i in found if i["state"] == "published")
    staff = page.request.get(base + "/api/v1/documents", params={"q": found[0]["abstract"]})
    assert staff.ok, staff.text()
    for item in staff.json()["items"]:
        if item["number_symbol"] == found[0]["number_symbol"]:
            return int(item["id"]), slug
    raise AssertionError("the published document is not in the clerk's list")


@pytest.mark.parametrize("size", SIZES, ids=["phone", "desktop"])
def test_staff_document_page_draws_the_pdf(
    browser: Browser, live_server: str, size: tuple[int, int]
) -> None:
    with official(browser, live_server, "vanthu", size=size) as clerk:
        doc_id, _slug = _a_published_document(clerk, live_server)
        with watched(clerk):
            clerk.goto(f"{live_server}/documents/{doc_id}")
            expect(clerk.get_by_role("heading", name="Xem văn bản")).to_be_visible()
            drawn_first_page(clerk)
            no_serious_violations(clerk, "[data-testid=pdf-viewer]")
            viewer = clerk.get_by_test_id("pdf-viewer")
            canvas = viewer.get_by_test_id("pdf-canvas")
            wide = canvas.bounding_box()
            viewer.get_by_role("button", name="Cả trang").click()  # the whole page, smaller
            expect(viewer.get_by_role("button", name="Vừa chiều rộng")).to_be_visible()
            expect(canvas).to_have_attribute("data-drawn", "true")
            whole = canvas.bounding_box()
            assert wide and whole and whole["height"] <= size[1] * 0.8 + 1
            assert whole["width"] <= wide["width"]


@pytest.mark.parametrize("size", SIZES, ids=["phone", "desktop"])
def test_public_document_page_draws_the_pdf(
    browser: Browser, live_server: str, size: tuple[int, int]
) -> None:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="vi-VN")
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        _id, slug = _a_published_document_public(page, live_server)
        with watched(page):
            page.goto(f"{live_server}/cong-khai/{slug}")
            expect(page.get_by_role("heading", name="Đọc văn bản")).to_be_visible()
            drawn_first_page(page)
            assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
        english = context.new_page()
        english.goto(f"{live_server}/cong-khai/{slug}?lang=en")
        expect(english.get_by_test_id("pdf-viewer-page")).to_have_text("Page 1 / 1")
        expect(english.get_by_role("button", name="Whole page")).to_be_visible()
    finally:
        context.close()


def _a_published_document_public(page: Page, base: str) -> tuple[None, str]:
    found = page.request.get(base + "/api/v1/public/documents").json()["items"]
    return None, next(i["slug"] for i in found if i["state"] == "published")


def test_public_document_page_without_javascript(browser: Browser, live_server: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    try:
        _id, slug = _a_published_document_public(page, live_server)
        page.goto(f"{live_server}/cong-khai/{slug}")
        holder = page.locator("[data-pdf-url]")
        link = holder.get_by_role("link", name="Tải văn bản (PDF)")
        expect(link).to_have_attribute("href", f"/api/v1/public/documents/{slug}/pdf")
        assert page.locator("iframe, object, embed, canvas").count() == 0
        assert page.request.get(live_server + str(link.get_attribute("href"))).ok
    finally:
        context.close()
