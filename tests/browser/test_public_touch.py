"""The public pages on a 390 px phone: every link, button and form control a finger aims
at is at least 44 × 44 CSS pixels (WCAG 2.5.5), on the list with its filters open, a
document's page (the viewer's buttons included), the verify page, the log and the
evidence of one entry; and axe-core finds no serious or critical violation on them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import no_serious_violations

pytestmark = pytest.mark.browser
MIN = 44
TARGETS = """() => [...document.querySelectorAll(
  'a[href], button, summary, input:not([type=hidden]), select, textarea, [role=button]'
)].map((el) => {
  const r = el.getBoundingClientRect();
  const label = (el.textContent || el.getAttribute("aria-label") || el.name || el.id || "").trim();
  const tag = el.tagName.toLowerCase();
  return { tag, label: label.slice(0, 40), x: r.x, w: r.width, h: r.height };
}).filter((t) => t.w > 0 && t.h > 0 && t.x + t.w > 0)"""


def too_small(page: Page) -> list[str]:
    """The visible targets under 44 px either way (the skip link sits off-screen until
    focused, and then it is large enough)."""
    found = page.evaluate(TARGETS)
    assert len(found) >= 3, found
    return [
        f"{t['tag']} {t['label']!r} {t['w']:.0f}×{t['h']:.0f}"
        for t in found
        if t["w"] < MIN - 0.5 or t["h"] < MIN - 0.5
    ]


def test_touch_targets_on_a_phone(browser: Browser, live_server: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        page.goto(live_server + "/cong-khai")
        page.locator("details.filters summary").click()
        expect(page.get_by_label("Lĩnh vực")).to_be_visible()
        assert too_small(page) == []
        no_serious_violations(page)

        page.locator("ol.results h3 a").first.click()
        expect(page.get_by_test_id("pdf-canvas")).to_have_attribute("data-drawn", "true")
        assert too_small(page) == []
        no_serious_violations(page)

        page.get_by_role("link", name=re.compile(r"^Bằng chứng ghi nhật ký #\d+$")).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Bằng chứng ghi nhật ký")
        assert too_small(page) == []
        no_serious_violations(page)

        page.get_by_role("contentinfo").get_by_role("link", name="Nhật ký công khai").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Nhật ký công khai")
        assert too_small(page) == []
        no_serious_violations(page)

        page.get_by_role("link", name="Kiểm tra tệp PDF").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra tệp PDF")
        assert too_small(page) == []
        no_serious_violations(page)
        page.get_by_label("Tệp PDF").set_input_files(
            files=[{"name": "anh.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n"}]
        )
        page.get_by_role("button", name="Kiểm tra").click()
        expect(page.get_by_role("alert")).to_contain_text("Tệp không phải PDF hợp lệ")
        expect(page.get_by_role("alert")).to_contain_text("The file is not a valid PDF")
        assert too_small(page) == []
        no_serious_violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
