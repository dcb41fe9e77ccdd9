"""The clerk dispatches to a commune chosen from the agency directory (searched by name,
results grouped by level); an unknown typed code is refused with nothing sent."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import APIRequestContext, Browser, expect

from ecabinet.demo.pdfs import demo_documents
from ecabinet.demo.seed import DEMO_PASSWORD
from tests.browser.people import official

pytestmark = pytest.mark.browser
ABSTRACT = "Công văn V/v chọn nơi nhận từ danh mục mã định danh (lượt thử D)"
COMMUNE = "Ủy ban nhân dân xã Vĩnh Thạnh Trung"
COMMUNE_CODE = "000.01.36.H01"


class Api:
    """One official's API session (a browser context's request client)."""

    def __init__(self, browser: Browser, base: str, username: str) -> None:
        self.context = browser.new_context()
        self.request: APIRequestContext = self.context.request
        self.base = base + "/api/v1"
        r = self.request.post(
            self.base + "/auth/login", data={"username": username, "password": DEMO_PASSWORD}
        )
        assert r.ok, r.text()
        self.csrf = r.json()["csrf_token"]
        me = self.request.get(self.base + "/auth/me").json()
        self.agency_id = me["memberships"][0]["agency"]["id"]

    def post(self, path: str, **kw: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf} | kw.pop("headers", {})
        r = self.request.post(self.base + path, headers=headers, **kw)
        assert r.ok, (path, r.status, r.text())
        return r.json()

    def get(self, path: str) -> Any:
        return self.request.get(self.base + path).json()


def _issued_on_paper(browser: Browser, base: str) -> int:
    """An outgoing document with its scanned original, taken through the flow by the API
    (signed on paper, so no signing on the way) and issued: its id."""
    drafter = Api(browser, base, "chuyenvien")
    types = {t["code"]: t["id"] for t in drafter.get("/document-types")["items"]}
    file_id = drafter.post(
        f"/files?agency_id={drafter.agency_id}&filename=cong-van.pdf",
        data=demo_documents()[0].pdf(),
        headers={"Content-Type": "application/pdf"},
    )["id"]
    body = {"agency_id": drafter.agency_id, "type_id": types["CV"], "abstract": ABSTRACT}
    doc_id: int = drafter.post(
        "/documents/outgoing", data=body | {"file_id": file_id, "electronic": False}
    )["id"]
    drafter.post(f"/documents/{doc_id}/submit")
    leader = Api(browser, base, "chutich")
    Api(browser, base, "chanhvanphong").post(
        f"/documents/{doc_id}/review", data={"leader_id": leader.get("/auth/me")["user"]["id"]}
    )
    leader.post(f"/documents/{doc_id}/approve")
    leader.post(f"/documents/{doc_id}/signed-on-paper")
    Api(browser, base, "vanthu").post(f"/documents/{doc_id}/issue", data={})
    return doc_id


def test_clerk_picks_a_commune_from_the_directory(browser: Browser, live_server: str) -> None:
    doc_id = _issued_on_paper(browser, live_server)
    with official(browser, live_server, "vanthu") as clerk:
        clerk.goto(f"{live_server}/documents/{doc_id}")
        expect(clerk.get_by_test_id("doc-state")).to_have_text("Đã phát hành")
        clerk.get_by_role("main").get_by_role("button", name="Gửi văn bản", exact=True).click()
        dialog = clerk.get_by_role("dialog")
        # A code typed by hand that the directory does not hold: refused, nothing sent.
        dialog.get_by_label(re.compile("Nơi nhận ngoài hệ thống")).fill("Nơi nào đó | xyz")
        dialog.get_by_role("button", name="Gửi văn bản", exact=True).click()
        expect(dialog.get_by_role("alert")).to_contain_text("XYZ")
        dialog.get_by_label(re.compile("Nơi nhận ngoài hệ thống")).fill("")

        picker = dialog.get_by_test_id("directory-picker")
        search = picker.get_by_label("Tìm theo tên hoặc mã định danh")
        # Grouped by level: "Châu Phú" is a district and a ward of Châu Đốc.
        search.fill("chau phu")
        expect(picker.get_by_role("group", name="Cấp huyện")).to_contain_text(
            "Ủy ban nhân dân huyện Châu Phú"
        )
        expect(picker.get_by_role("group", name="Cấp xã")).to_contain_text("phường Châu Phú A")
        picker.get_by_label("Cấp", exact=True).select_option(label="Cấp xã")
        expect(picker.get_by_role("group", name="Cấp huyện")).to_have_count(0)
        search.fill("vinh thanh")
        communes = picker.get_by_role("group", name="Cấp xã")
        expect(communes).to_contain_text(COMMUNE_CODE)
        communes.get_by_label(re.compile(COMMUNE)).check()
        expect(picker.get_by_test_id("directory-chosen")).to_contain_text(COMMUNE_CODE)
        dialog.get_by_role("button", name="Gửi văn bản", exact=True).click()
        expect(dialog).to_have_count(0)
        expect(clerk.get_by_test_id("doc-state")).to_have_text("Đã gửi")
        expect(clerk.get_by_test_id("recipients")).to_contain_text(COMMUNE)
        # The dashboard's share exchanged electronically is the statistics API's.
        totals = Api(browser, live_server, "vanthu").get("/documents/stats")["totals"]
        assert totals["recipients"] >= 1
        clerk.get_by_role("link", name="Bảng điều khiển").click()
        share = clerk.get_by_role("region", name="Văn bản liên thông điện tử")
        expect(share.locator('[data-figure="exchange_share"]')).to_have_text(
            f"{totals['exchange_share'] * 100:.1f}%"
        )
        expect(share).to_contain_text(
            f"{totals['delivered_electronically']} trên {totals['recipients']} lượt gửi"
        )

    detail = Api(browser, live_server, "vanthu").get(f"/documents/{doc_id}")
    assert [(r["method"], r["organ_id"]) for r in detail["recipients"]] == [("edxml", COMMUNE_CODE)]
