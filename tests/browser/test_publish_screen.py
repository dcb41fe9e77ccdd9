"""The clerk's publication panel in a real browser: the province's clerk publishes an
issued document under a sector, follows its public address (a visitor without login sees
it with the sector), then withdraws it with a reason, which the panel and the public page
both show. Works on whatever the demo seeded: a document not yet published, or a new one
taken through the outgoing flow over the API."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from ecabinet.demo.pdfs import demo_documents
from tests.browser.axe import no_serious_violations
from tests.browser.live_meeting import Rest
from tests.browser.people import official

PROVINCE = "000.00.00.H01"  # the demo province's agency code
SECTOR = "Giáo dục, đào tạo"
REASON = "Ban hành chưa đúng thẩm quyền; thu hồi để ban hành lại"
pytestmark = pytest.mark.browser


def _unpublished(clerk: Rest, agency_id: int) -> int | None:
    """An issued, non-confidential outgoing document of the province with its main file,
    never published; None if the demo published them all."""
    query = f"flow=outgoing&state=issued&state=dispatched&agency_id={agency_id}&limit=200"
    for item in clerk.get(f"/documents?{query}")["items"]:
        if item["confidentiality"] != "none" or item["number"] is None:
            continue
        detail = clerk.get(f"/documents/{item['id']}")
        if detail["publication"] is None and any(f["kind"] == "main" for f in detail["files"]):
            assert detail["may_publish"] is True
            return int(item["id"])
    return None


def _issue_one(browser: Browser, base: str, tmp_path: Path) -> int:
    """A paper-signed decision taken from draft to issued by the demo's officials."""
    pdf = tmp_path / "quyet-dinh.pdf"  # bytes of its own: never published before
    pdf.write_bytes(demo_documents()[0].pdf() + f"\n% công khai {time.time_ns()}\n".encode())
    with official(browser, base, "chuyenvien") as page:
        drafter = Rest(page, base)
        types = drafter.get("/document-types")["items"]
        leader = drafter.person("Nguyễn Thanh Bình")
        doc = drafter.post(
            "/documents/outgoing",
            {
                "agency_id": drafter.agency_id,
                "type_id": next(t["id"] for t in types if t["code"] == "QD"),
                "abstract": "Quyết định ban hành Quy chế công khai văn bản (lượt thử công khai)",
                "file_id": drafter.upload(pdf),
                "electronic": False,
            },
        )
        drafter.post(f"/documents/{doc['id']}/submit")
    for who, step, body in [
        ("chanhvanphong", "review", {"leader_id": leader}),
        ("chutich", "approve", {}),
        ("chutich", "signed-on-paper", {}),
        ("vanthu", "issue", {}),
    ]:
        with official(browser, base, who) as page:
            Rest(page, base).post(f"/documents/{doc['id']}/{step}", body)
    return int(doc["id"])


def _document(browser: Browser, base: str, tmp_path: Path) -> int:
    with official(browser, base, "vanthu") as page:
        clerk = Rest(page, base)
        agencies: list[dict[str, Any]] = clerk.get("/agencies")["items"]
        agency_id = int(next(a["id"] for a in agencies if a["code"] == PROVINCE))
        found = _unpublished(clerk, agency_id)
    return found if found is not None else _issue_one(browser, base, tmp_path)


def _panel(page: Page) -> Locator:
    return page.get_by_role("region", name="Công khai văn bản")


def test_clerk_publishes_and_withdraws(browser: Browser, live_server: str, tmp_path: Path) -> None:
    doc_id = _document(browser, live_server, tmp_path)
    with official(browser, live_server, "vanthu") as clerk:
        clerk.goto(f"{live_server}/documents/{doc_id}")
        panel = _panel(clerk)
        expect(panel).to_contain_text("Văn bản chưa được công khai.")
        number = clerk.get_by_test_id("number-symbol").inner_text().strip(" ·")

        panel.get_by_role("button", name="Công khai văn bản").click()
        dialog = clerk.get_by_role("dialog", name="Công khai văn bản")
        dialog.get_by_label("Lĩnh vực").select_option(label=SECTOR)
        expect(
            dialog.get_by_label(
                "Sửa đổi, bổ sung văn bản (địa chỉ công khai, cách nhau bởi dấu phẩy)"
            )
        ).to_have_value("")
        no_serious_violations(clerk, "[role=dialog]")
        dialog.get_by_role("button", name="Công khai văn bản").click()
        expect(clerk.get_by_role("dialog")).to_have_count(0)
        expect(clerk.get_by_test_id("publication-state")).to_have_text("Đang hiệu lực")
        expect(panel).to_contain_text(SECTOR)
        link = clerk.get_by_test_id("public-link")
        href = link.get_attribute("href")
        assert href is not None and re.fullmatch(r"/cong-khai/\d{4}/\d+-.+", href), href
        expect(panel.get_by_role("button", name="Công khai văn bản")).to_have_count(0)
        no_serious_violations(clerk, "[data-testid=publication]")

        # A plain link: the server-rendered public page, not a screen of the web app.
        link.click()
        expect(clerk).to_have_url(re.compile(r"/cong-khai/\d{4}/"))
        expect(clerk.get_by_role("heading", level=1)).to_contain_text(f"số {number}")
        clerk.go_back()

        visitor_context = browser.new_context(locale="vi-VN")
        try:
            visitor = visitor_context.new_page()
            visitor.goto(live_server + href)
            expect(visitor.get_by_role("heading", level=1)).to_contain_text(f"số {number}")
            facts = visitor.locator("dl.meta")
            expect(facts).to_contain_text(SECTOR)
            expect(facts).to_contain_text("Đang hiệu lực")

            panel = _panel(clerk)
            panel.get_by_role("button", name="Thu hồi công khai").click()
            dialog = clerk.get_by_role("dialog", name="Thu hồi văn bản đã công khai")
            expect(dialog.get_by_label("Ngày")).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
            # No reason yet: not sent.
            dialog.get_by_role("button", name="Thu hồi công khai").click()
            reason = dialog.get_by_label("Lý do")
            assert reason.evaluate("(el) => el.validity.valueMissing") is True
            expect(clerk.get_by_test_id("publication-state")).to_have_text("Đang hiệu lực")
            reason.fill(REASON)
            no_serious_violations(clerk, "[role=dialog]")
            dialog.get_by_role("button", name="Thu hồi công khai").click()
            expect(clerk.get_by_role("dialog")).to_have_count(0)
            expect(clerk.get_by_test_id("publication-state")).to_have_text("Đã thu hồi")
            expect(panel).to_contain_text(REASON)
            expect(panel.get_by_role("button", name="Thu hồi công khai")).to_have_count(0)

            visitor.reload()
            expect(visitor.get_by_role("status")).to_contain_text("Đã thu hồi")
            expect(visitor.get_by_role("status")).to_contain_text(REASON)
            expect(visitor.locator("dl.meta")).to_contain_text(SECTOR)
        finally:
            visitor_context.close()
