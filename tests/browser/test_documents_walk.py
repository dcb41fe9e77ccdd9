"""The document flows walked in a real browser, one browser context per official:
an incoming document from the clerk to the handler and back, and an outgoing one from the
draft to its arrival in another agency, signed and sealed (checked with poppler's pdfsig)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from ecabinet.demo import DEMO_PIN
from ecabinet.demo.pdfs import demo_documents
from tests.browser.people import official
from tests.signing.checks import pdfsig

SLOW = 60_000  # signing and sealing run on the server
pytestmark = pytest.mark.browser


@pytest.fixture
def pdf_file(tmp_path: Path) -> Path:
    path = tmp_path / "van-ban-den.pdf"
    path.write_bytes(demo_documents()[0].pdf())
    return path


def take(page: Page, step: str) -> Page:
    """Open the dialog of a step (its button) and return the page."""
    page.get_by_role("main").get_by_role("button", name=step, exact=True).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    return page


def confirm(page: Page, label: str) -> None:
    page.get_by_role("dialog").get_by_role("button", name=label, exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0, timeout=SLOW)


def test_incoming_from_clerk_to_completion(
    browser: Browser, live_server: str, pdf_file: Path
) -> None:
    abstract = "V/v báo cáo tiến độ chuyển đổi số quý I (lượt thử A)"
    with official(browser, live_server, "vanthu") as clerk:
        clerk.get_by_role("link", name="Tiếp nhận văn bản đến").click()
        clerk.get_by_label("Tệp PDF văn bản").set_input_files(pdf_file)
        clerk.get_by_label("Loại văn bản").select_option(label="Công văn")
        clerk.get_by_label("Số, ký hiệu").fill("45/UBND-VP")
        clerk.get_by_label("Ngày văn bản").fill("2026-03-02")
        clerk.get_by_label("Cơ quan ban hành").fill("Ủy ban nhân dân huyện Châu Thành")
        clerk.get_by_label("Trích yếu").fill(abstract)
        clerk.get_by_label("Độ khẩn").select_option(label="Khẩn")
        clerk.get_by_label("Hạn xử lý").fill("2099-12-31")
        expect(clerk.get_by_label("Vào sổ ngay")).to_be_checked()
        clerk.get_by_role("button", name="Tiếp nhận", exact=True).click()
        expect(clerk).to_have_url(re.compile(r"/documents/\d+$"))
        expect(clerk.get_by_test_id("doc-state")).to_have_text("Đã vào sổ")
        url = clerk.url

        take(clerk, "Trình lãnh đạo")
        clerk.get_by_role("dialog").get_by_label("Lãnh đạo").select_option(
            label="Nguyễn Thanh Bình — Chủ tịch Ủy ban nhân dân tỉnh"
        )
        confirm(clerk, "Trình lãnh đạo")
        expect(clerk.get_by_test_id("doc-state")).to_have_text("Chờ lãnh đạo cho ý kiến")

    with official(browser, live_server, "chutich") as leader:
        leader.goto(url)
        take(leader, "Cho ý kiến chỉ đạo và giao xử lý")
        dialog = leader.get_by_role("dialog")
        dialog.get_by_label("Nội dung chỉ đạo").fill(
            "Giao Phòng Kinh tế tham mưu, báo cáo trước hạn."
        )
        dialog.get_by_label("Người xử lý chính").select_option(
            label="Võ Thị Lan — Chuyên viên Phòng Kinh tế"
        )
        dialog.get_by_label("Hạn xử lý").fill("2099-06-30")
        confirm(leader, "Cho ý kiến chỉ đạo và giao xử lý")
        expect(leader.get_by_test_id("doc-state")).to_have_text("Đã giao xử lý")
        expect(leader.get_by_role("main")).to_contain_text("Xử lý chính: Võ Thị Lan")

    with official(browser, live_server, "chuyenvien") as handler:
        handler.goto(url)
        take(handler, "Hoàn thành xử lý")
        handler.get_by_role("dialog").get_by_label("Kết quả xử lý").fill("Đã báo cáo.")
        confirm(handler, "Hoàn thành xử lý")
        expect(handler.get_by_test_id("doc-state")).to_have_text("Đã hoàn thành")

    with official(browser, live_server, "vanthu") as clerk:
        clerk.get_by_role("navigation").get_by_role("link", name="Văn bản đến", exact=True).click()
        row = clerk.get_by_role("row").filter(has_text=abstract)
        expect(row).to_contain_text("Đã hoàn thành")
        expect(row).to_contain_text("Khẩn")
        clerk.get_by_role("button", name="Ngôn ngữ").click()
        expect(clerk.get_by_role("heading", name="Incoming documents")).to_be_visible()
        expect(row).to_contain_text("Completed")


def test_outgoing_from_draft_to_arrival(
    browser: Browser, live_server: str, pdf_file: Path, tmp_path: Path
) -> None:
    abstract = "Quyết định ban hành Kế hoạch chuyển đổi số năm 2026 (lượt thử B)"
    with official(browser, live_server, "chuyenvien") as drafter:
        drafter.get_by_role("link", name="Soạn dự thảo").click()
        drafter.get_by_label("Loại văn bản").select_option(label="Quyết định")
        drafter.get_by_label("Trích yếu").fill(abstract)
        expect(drafter.get_by_label("Đơn vị soạn thảo")).to_have_value(re.compile(r"\d+"))
        drafter.get_by_label("Tệp PDF văn bản").set_input_files(pdf_file)
        drafter.get_by_role("button", name="Tạo dự thảo").click()
        expect(drafter).to_have_url(re.compile(r"/documents/\d+$"))
        expect(drafter.get_by_test_id("doc-state")).to_have_text("Dự thảo")
        url = drafter.url
        take(drafter, "Trình kiểm tra nội dung")
        confirm(drafter, "Trình kiểm tra nội dung")
        expect(drafter.get_by_test_id("doc-state")).to_have_text("Chờ kiểm tra nội dung")

    with official(browser, live_server, "chanhvanphong") as head:
        head.goto(url)
        take(head, "Đạt nội dung, trình duyệt")
        head.get_by_role("dialog").get_by_label("Lãnh đạo").select_option(
            label="Nguyễn Thanh Bình — Chủ tịch Ủy ban nhân dân tỉnh"
        )
        confirm(head, "Đạt nội dung, trình duyệt")
        expect(head.get_by_test_id("doc-state")).to_have_text("Chờ lãnh đạo duyệt")

    with official(browser, live_server, "chutich") as leader:
        leader.goto(url)
        take(leader, "Duyệt")
        confirm(leader, "Duyệt")
        expect(leader.get_by_test_id("doc-state")).to_have_text("Đã duyệt, chờ ký")
        take(leader, "Ký số")
        dialog = leader.get_by_role("dialog")
        expect(dialog.get_by_role("group", name="Chứng thư số")).to_contain_text(
            "Nguyễn Thanh Bình"
        )
        expect(dialog.get_by_test_id("sign-box")).to_be_visible()
        dialog.get_by_label("Mã PIN ký số").fill(DEMO_PIN)
        confirm(leader, "Ký số")
        expect(leader.get_by_test_id("doc-state")).to_have_text("Đã ký, chờ phát hành")

    with official(browser, live_server, "vanthu") as clerk:
        clerk.goto(url)
        take(clerk, "Cấp số và phát hành")
        dialog = clerk.get_by_role("dialog")
        dialog.get_by_label("Mã PIN chữ ký số cơ quan").fill(DEMO_PIN)
        dialog.get_by_role("button", name="Cấp số và phát hành").click()
        expect(dialog.get_by_test_id("issued-number")).to_have_text(
            re.compile(r"^\d{2,}/QĐ-UBND$"), timeout=SLOW
        )
        dialog.get_by_label("Sở Thông tin và Truyền thông").check()
        confirm(clerk, "Gửi văn bản")
        expect(clerk.get_by_test_id("doc-state")).to_have_text("Đã gửi")
        expect(clerk.get_by_test_id("recipients")).to_contain_text("Sở Thông tin và Truyền thông")
        number = clerk.get_by_test_id("number-symbol").inner_text().strip(" ·")

    with official(browser, live_server, "vanthu.stttt") as other:
        other.get_by_role("navigation").get_by_role("link", name="Văn bản đến", exact=True).click()
        row = other.get_by_role("row").filter(has_text=abstract)
        expect(row).to_contain_text(number)
        expect(row).to_contain_text("Mới tiếp nhận")
        row.get_by_role("link").click()
        take(other, "Vào sổ")
        confirm(other, "Vào sổ")
        expect(other.get_by_test_id("doc-state")).to_have_text("Đã vào sổ")
        # The department copies what it received (sao y) under its own seal and PIN.
        take(other, "Sao y, sao lục")
        dialog = other.get_by_role("dialog")
        dialog.get_by_label("Mã PIN chữ ký số cơ quan").fill("000000")
        dialog.get_by_role("button", name="Tạo bản sao").click()
        expect(dialog.get_by_role("alert")).to_contain_text("Sai mã PIN ký số", timeout=SLOW)
        dialog.get_by_label("Mã PIN chữ ký số cơ quan").fill(DEMO_PIN)
        confirm(other, "Tạo bản sao")
        expect(other.get_by_role("main")).to_contain_text("Bản sao")

    with official(browser, live_server, "vanthu") as clerk:
        clerk.goto(url)
        recipient = (
            clerk.get_by_test_id("recipients")
            .get_by_role("row")
            .filter(has_text="Sở Thông tin và Truyền thông")
        )
        expect(recipient).to_contain_text("Đã vào sổ")
        clerk.get_by_role("button", name="Kiểm tra chữ ký số").click()
        report = clerk.get_by_test_id("signature-report")
        expect(report.get_by_role("listitem").filter(has_text=re.compile("^Hợp lệ"))).to_have_count(
            2, timeout=SLOW
        )
        with clerk.expect_download() as download:
            clerk.get_by_test_id("download-main").click()
        issued = tmp_path / "issued.pdf"
        download.value.save_as(issued)
    assert pdfsig(issued).count("Signature Validation: Signature is Valid.") == 2
