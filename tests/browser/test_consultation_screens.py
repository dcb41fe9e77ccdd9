"""Consultations (phiếu lấy ý kiến) walked on the screens: the secretary creates one (the
question, the deadline, three people asked, a PDF), sends it; two of them answer on their
own devices; the secretary sees who has not answered and downloads the tally PDF, which is
also drawn on the page. On a laptop and a phone, with no serious accessibility violation
on any of the screens."""

from __future__ import annotations

import re
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from ecabinet.demo.pdfs import demo_documents
from signing.pdfio import VN
from tests.browser.axe import no_serious_violations
from tests.browser.live_meeting import meeting_server
from tests.browser.people import official

pytestmark = pytest.mark.browser
__all__ = ["meeting_server"]  # the fixture, imported for pytest

SIZES = [(1280, 800), (390, 844)]
ASKED = {
    "phochutich": "Trần Thị Mai — Phó Chủ tịch Ủy ban nhân dân tỉnh",
    "giamdoc.stttt": "Đặng Quốc Việt — Giám đốc Sở",
    "giamdoc.stc": "Lý Hoàng Nam — Giám đốc Sở",
}
QUESTION = "Đồng chí có thống nhất với dự thảo Kế hoạch chuyển đổi số năm 2027 không?"


def _nav(page: Page) -> None:
    """The menu entry (on a phone the menu is a scrolling strip)."""
    page.get_by_role("navigation").get_by_role("link", name="Lấy ý kiến").click()
    expect(page.get_by_role("heading", name="Phiếu lấy ý kiến", exact=True)).to_be_visible()


def _create(secretary: Page, title: str, pdf: Path) -> str:
    _nav(secretary)
    no_serious_violations(secretary)
    secretary.get_by_role("button", name="Tạo phiếu lấy ý kiến").click()
    secretary.get_by_label("Tên phiếu lấy ý kiến").fill(title)
    secretary.get_by_label("Nội dung xin ý kiến").fill(QUESTION)
    deadline = (datetime.now(VN) + timedelta(days=3)).strftime("%Y-%m-%dT17:00")
    secretary.get_by_label("Hạn trả lời").fill(deadline)
    for label in ASKED.values():
        secretary.get_by_label(label).check()
    no_serious_violations(secretary)
    secretary.get_by_role("button", name="Tạo dự thảo").click()
    expect(secretary).to_have_url(re.compile(r"/consultations/\d+$"))
    expect(secretary.get_by_test_id("consultation-state")).to_have_text("Dự thảo")
    secretary.get_by_label("Thêm tài liệu PDF").set_input_files(pdf)
    expect(secretary.get_by_role("link", name=pdf.stem)).to_be_visible()
    secretary.get_by_role("button", name="Gửi phiếu lấy ý kiến").click()
    expect(secretary.get_by_test_id("consultation-state")).to_have_text("Đang lấy ý kiến")
    return secretary.url


def _answer(page: Page, title: str, choice: str, comment: str) -> None:
    _nav(page)
    page.get_by_role("link").filter(has_text=title).click()
    expect(page.get_by_test_id("consultation-question")).to_have_text(QUESTION)
    no_serious_violations(page)
    page.get_by_label(choice, exact=True).check()
    page.get_by_label("Ý kiến (không bắt buộc, tối đa 5.000 ký tự)").fill(comment)
    page.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.get_by_text("Đã ghi nhận ý kiến của bạn.")).to_be_visible()
    expect(page.get_by_test_id("my-consultation-answer")).to_contain_text(choice)
    # Members see no names nor counts while it is open.
    expect(page.get_by_test_id("non-responders")).to_have_count(0)
    expect(page.get_by_test_id("tally-download")).to_have_count(0)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_create_send_answer_and_tally(
    browser: Browser, meeting_server: str, tmp_path: Path, size: tuple[int, int]
) -> None:
    base = meeting_server
    title = f"Lấy ý kiến về Kế hoạch chuyển đổi số năm 2027 ({size[0]} px)"
    pdf = tmp_path / "Du thao ke hoach.pdf"
    pdf.write_bytes(demo_documents()[1].pdf())
    with official(browser, base, "chanhvanphong", size) as secretary:
        url = _create(secretary, title, pdf)
        no_serious_violations(secretary)
        for who, choice, comment in (
            ("phochutich", "Đồng ý", "Thống nhất với dự thảo."),
            ("giamdoc.stttt", "Không đồng ý", "Đề nghị lùi thời hạn sang quý II."),
        ):
            with official(browser, base, who, size) as member:
                _answer(member, title, choice, comment)

        secretary.goto(url)
        counts = secretary.get_by_test_id("consultation-counts")
        expect(counts).to_contain_text("Số người được hỏi: 3")
        expect(counts).to_contain_text("Đồng ý: 1")
        expect(counts).to_contain_text("Không đồng ý: 1")
        expect(counts).to_contain_text("Chưa trả lời: 1")
        missing = secretary.get_by_test_id("non-responders")
        expect(missing.get_by_role("listitem")).to_have_count(1)
        expect(missing).to_contain_text("Lý Hoàng Nam")
        replies = secretary.get_by_test_id("consultation-replies")
        expect(replies.get_by_role("row").filter(has_text="Đặng Quốc Việt")).to_contain_text(
            "Đề nghị lùi thời hạn sang quý II."
        )
        expect(
            secretary.get_by_test_id("tally-pages").get_by_test_id("page-canvas").first
        ).to_have_attribute("data-drawn", "true")
        no_serious_violations(secretary)

        with secretary.expect_download() as info:
            secretary.get_by_test_id("tally-download").click()
        data = info.value.path().read_bytes()
        assert data.startswith(b"%PDF") and len(data) > 2000
        saved = tmp_path / "tally.pdf"
        saved.write_bytes(data)
        text = subprocess.run(
            ["pdftotext", "-layout", str(saved), "-"], check=True, capture_output=True, text=True
        ).stdout
        for name in ("Trần Thị Mai", "Đặng Quốc Việt", "Lý Hoàng Nam"):
            assert name in text
