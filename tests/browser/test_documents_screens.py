"""The document screens around the flows, on the seeded demo as it is: the dashboard, the
inbox search, a register export, and the edXML import refusing a malformed file (signing
on the drawn page: test_sign_dialog)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.people import official

SLOW = 60_000  # signing runs on the server
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STTTT_CODE = "000.00.10.H01"  # the Sở TT&TT's agency code in the demo
pytestmark = pytest.mark.browser

# Counts the pixels of a canvas that are not (nearly) white.
INKED = """(canvas) => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0 && (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200)) inked++;
  }
  return inked;
}"""


def search(page: Page, words: str) -> int:
    """Search the list shown; wait until its rows are the answer's and return their count."""
    expect(page.get_by_role("button", name="Lọc")).to_be_enabled()
    page.get_by_label("Tìm kiếm").fill(words)
    with page.expect_response(re.compile(r"/api/v1/documents\?.*q=")) as answer:
        page.get_by_role("button", name="Lọc").click()
    shown = len(answer.value.json()["items"])
    expect(page.locator("table.doc-table tbody tr")).to_have_count(shown)
    return shown


def test_dashboard_search_and_register_export(browser: Browser, live_server: str) -> None:
    with official(browser, live_server, "vanthu") as clerk:
        clerk.get_by_role("link", name="Bảng điều khiển").click()
        stats = clerk.get_by_role("region", name="Thống kê")
        expect(stats.locator(".bar-value").first).to_have_text(re.compile(r"^\d+$"))
        received = int(
            stats.locator(".bar-row")
            .filter(has_text="Văn bản đến")
            .locator(".bar-value")
            .inner_text()
        )
        assert received > 0
        overdue = clerk.get_by_role("region", name="Quá hạn xử lý")
        expect(overdue.get_by_role("link").first).to_be_visible()
        notes = clerk.get_by_role("region", name="Thông báo")
        expect(notes.get_by_role("link").or_(notes.get_by_text("Không có."))).not_to_have_count(0)

        registers = clerk.get_by_role("region", name="Sổ đăng ký văn bản")
        href = registers.get_by_role("link", name="XLSX").first.get_attribute("href")
        assert href
        response = clerk.request.get(live_server + href)
        assert response.status == 200
        assert response.headers["content-type"].startswith(XLSX)
        assert response.body()[:2] == b"PK"  # a zip: the workbook

        # Unaccented words find accented text, in the fields or the PDF; the rows whose
        # abstract or number holds them come first (decision 0018: fields above body).
        abstracts = clerk.locator("table.doc-table tbody tr td a")
        for flow, words, wanted, least in (
            ("Văn bản đi", "quyet dinh", r"(?i)quyết định", 2),
            ("Văn bản đến", "quyet dinh", r"(?i)quyết định", 0),
            ("Văn bản đến", "an toan thong tin", r"(?i)an toàn thông tin", 1),
        ):
            clerk.get_by_role("navigation").get_by_role("link", name=flow, exact=True).click()
            assert search(clerk, words) >= least, (flow, words)
            held = [bool(re.search(wanted, text)) for text in abstracts.all_inner_texts()]
            assert sum(held) >= least and held == sorted(held, reverse=True), (words, held)

        assert search(clerk, "xyzzy") == 0
        expect(clerk.get_by_text("Không có văn bản nào.")).to_be_visible()


def test_edxml_download_and_import(browser: Browser, live_server: str, tmp_path: Path) -> None:
    dispatched = "V/v triển khai văn bản điện tử liên thông bốn cấp chính quyền"
    package = tmp_path / "goi.xml"
    with official(browser, live_server, "vanthu") as clerk:
        clerk.get_by_role("navigation").get_by_role("link", name="Văn bản đi", exact=True).click()
        search(clerk, "lien thong bon cap")
        clerk.get_by_role("row").filter(has_text=dispatched).get_by_role("link").click()
        expect(clerk.get_by_test_id("doc-state")).to_have_text("Đã gửi")
        href = clerk.get_by_test_id("download-edxml").get_attribute("href")
        assert href
        response = clerk.request.get(live_server + href)
        assert response.status == 200
        recipients = clerk.get_by_test_id("recipients")
        expect(recipients).to_contain_text("Đã vào sổ")
        clerk.get_by_role("button", name="Ngôn ngữ").click()
        expect(clerk.get_by_role("heading", name="Document details")).to_be_visible()
        expect(recipients).to_contain_text("Registered")
        expect(recipients).not_to_contain_text("Đã vào sổ")
        expect(clerk.get_by_role("region", name="Timeline")).to_contain_text("Numbered")
        # The demo sent it to a ministry outside; readdress it to the Sở TT&TT, which imports it.
        xml = re.sub(
            rb"(<edXML:To>\s*<edXML:OrganId>)[^<]*",
            rb"\g<1>" + STTTT_CODE.encode(),
            response.body(),
            count=1,
        )
        package.write_bytes(xml)

    bad = tmp_path / "hong.xml"
    bad.write_text("<edXML><Header>", encoding="utf-8")
    with official(browser, live_server, "vanthu.stttt") as other:
        other.get_by_role("navigation").get_by_role("link", name="Văn bản đến", exact=True).click()
        other.get_by_label("Nhập gói edXML").set_input_files(bad)
        expect(other.get_by_role("alert")).to_have_text("Gói edXML không phải XML hợp lệ.")
        other.get_by_label("Nhập gói edXML").set_input_files(package)
        expect(other).to_have_url(re.compile(r"/documents/\d+$"))
        expect(other.get_by_test_id("doc-state")).to_have_text("Mới tiếp nhận")
        expect(other.get_by_role("heading", level=1)).to_contain_text(dispatched)


def test_replacement_draft_and_its_metadata(browser: Browser, live_server: str) -> None:
    issued = "Quyết định ban hành Quy chế quản lý, vận hành hệ thống họp không giấy tờ"
    with official(browser, live_server, "vanthu") as clerk:
        clerk.get_by_role("navigation").get_by_role("link", name="Văn bản đi", exact=True).click()
        search(clerk, "quy che quan ly van hanh")
        clerk.get_by_role("row").filter(has_text=issued).get_by_role("link").click()
        expect(clerk.get_by_test_id("doc-state")).to_have_text("Đã phát hành")
        number = clerk.get_by_test_id("number-symbol").inner_text().strip(" ·")
        expect(clerk.get_by_test_id("download-edxml")).to_have_attribute(
            "href", re.compile(r"/api/v1/documents/\d+/edxml$")
        )
        clerk.get_by_role("button", name="Tạo văn bản thay thế").click()
        expect(clerk.get_by_test_id("replaces")).to_contain_text(f"Thay thế văn bản số {number}")
        expect(clerk.get_by_label("Trích yếu")).to_have_value(issued)
        clerk.get_by_label("Trích yếu").fill(issued + " (thay thế)")
        clerk.get_by_role("button", name="Tạo dự thảo").click()
        expect(clerk).to_have_url(re.compile(r"/documents/\d+$"))
        expect(clerk.get_by_test_id("doc-state")).to_have_text("Dự thảo")
        expect(clerk.get_by_test_id("replaces")).to_contain_text(f"Thay thế văn bản số {number}")

        panel = clerk.get_by_role("region", name="Sửa thông tin dự thảo")
        panel.get_by_label("Trích yếu").fill("Quyết định sửa đổi Quy chế họp không giấy tờ")
        panel.get_by_label("Độ khẩn").select_option(label="Khẩn")
        panel.get_by_label("Hạn xử lý").fill("2099-01-31")
        panel.get_by_label("Nơi nhận").fill("Như Điều 3;\nLưu: VT.")
        panel.get_by_role("button", name="Lưu").click()
        expect(panel.get_by_role("status")).to_have_text("Đã lưu.")
        expect(clerk.get_by_role("heading", level=1)).to_have_text(
            "Quyết định sửa đổi Quy chế họp không giấy tờ"
        )
        expect(clerk.get_by_role("main")).to_contain_text("31/01/2099")
