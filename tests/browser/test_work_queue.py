"""The work queue in a real browser, on the seeded demo: each role finds what waits for
them on the first screen after login, the menu's count is the queue's, a leader approves
a draft from a phone and it moves on to "to sign"; the work queue, the inbox and the
document page fit a 390 px phone (no horizontal scrolling, 44 px touch targets) and pass
axe-core there and at 1440 px; the Chairman's dashboard shows the agencies below him."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from ecabinet.demo.pdfs import demo_documents
from tests.browser.axe import no_serious_violations
from tests.browser.live_meeting import Rest
from tests.browser.people import official
from tests.browser.phone import DESKTOP, PHONE, overflow, small_targets

pytestmark = pytest.mark.browser

# Who finds what in the demo (kinds by their headings; a title expected in the kind).
# Only what no other browser test acts on.
EXPECTED: dict[str, dict[str, str]] = {
    "chutich": {
        "Dự thảo chờ tôi duyệt": "Thông báo kết luận của Chủ tịch UBND tỉnh",
        "Văn bản chờ tôi cho ý kiến chỉ đạo": "V/v đẩy mạnh cung cấp dịch vụ công trực tuyến",
        "Phiếu lấy ý kiến chờ trả lời": "Lấy ý kiến thành viên UBND tỉnh",
    },
    "chanhvanphong": {"Dự thảo chờ kiểm tra nội dung": "Kế hoạch tổ chức Ngày Chuyển đổi số"},
    "vanthu": {"Văn bản đến chờ vào sổ, trình": "V/v góp ý dự thảo Quy chế làm việc"},
    "chuyenvien": {
        "Văn bản được giao xử lý": "V/v bảo đảm an ninh trật tự dịp Tết",
        "Giấy mời họp chờ trả lời": "Phiên họp thường kỳ UBND tỉnh tháng 12",
    },
    "giamdoc.stttt": {"Phiếu lấy ý kiến chờ trả lời": "Lấy ý kiến thành viên UBND tỉnh"},
}


def queue(page: Page, base: str) -> dict[str, Any]:
    body: dict[str, Any] = Rest(page, base).get("/work-queue")
    return body


def menu_count(page: Page) -> str:
    return page.get_by_role("navigation").get_by_test_id("work-count").inner_text()


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_role_finds_its_work_first(browser: Browser, live_server: str, who: str) -> None:
    with official(browser, live_server, who, DESKTOP) as page:
        expect(page.get_by_role("heading", level=1)).to_have_text("Việc chờ tôi xử lý")
        for heading, title in EXPECTED[who].items():
            kind = page.get_by_role("region", name=re.compile("^" + re.escape(heading)))
            expect(kind.get_by_role("link").filter(has_text=title)).to_have_count(1)
        body = queue(page, live_server)
        shown = page.locator(".work-kind")
        expect(shown).to_have_count(sum(1 for k in body["kinds"] if k["count"]))
        expect(page.get_by_test_id("work-count")).to_have_text(re.compile(rf"^{body['total']}\b"))
        # A document item leads to the document, a meeting item to the meeting. (The
        # consultations' own screens are another point of the issue.)
        links = page.locator(".work-item[href^='/documents/'], .work-item[href^='/meetings/']")
        if links.count():
            href = links.first.get_attribute("href")
            links.first.click()
            expect(page).to_have_url(re.compile(re.escape(href or "?") + "$"))
            expect(page.get_by_role("heading", level=1)).not_to_have_text("Việc chờ tôi xử lý")


def test_nothing_waits_for_the_admin(browser: Browser, live_server: str) -> None:
    with official(browser, live_server, "admin", PHONE) as page:
        expect(page.get_by_role("main")).to_contain_text("Không có việc nào đang chờ bạn.")
        expect(page.get_by_test_id("work-count")).to_have_count(0)
        assert overflow(page) == 0


def _draft_for_the_chairman(browser: Browser, base: str, tmp_path: Path, abstract: str) -> int:
    pdf = tmp_path / "du-thao.pdf"
    pdf.write_bytes(demo_documents()[1].pdf())
    with official(browser, base, "chuyenvien") as page:
        drafter = Rest(page, base)
        types = drafter.get("/document-types")["items"]
        leader = drafter.person("Nguyễn Thanh Bình")
        doc = drafter.post(
            "/documents/outgoing",
            {
                "agency_id": drafter.agency_id,
                "type_id": next(t["id"] for t in types if t["code"] == "KH"),
                "abstract": abstract,
                "file_id": drafter.upload(pdf),
            },
        )
        drafter.post(f"/documents/{doc['id']}/submit")
    with official(browser, base, "chanhvanphong") as page:
        Rest(page, base).post(f"/documents/{doc['id']}/review", {"leader_id": leader})
    return int(doc["id"])


def test_the_chairman_approves_a_draft_from_his_phone(
    browser: Browser, live_server: str, tmp_path: Path
) -> None:
    abstract = "Kế hoạch triển khai họp không giấy tờ cấp xã (duyệt trên điện thoại)"
    doc_id = _draft_for_the_chairman(browser, live_server, tmp_path, abstract)
    with official(browser, live_server, "chutich", PHONE) as phone:
        before = queue(phone, live_server)
        counts = {k["kind"]: k["count"] for k in before["kinds"]}
        expect(phone.get_by_test_id("work-count")).to_have_text(
            re.compile(rf"^{before['total']}\b")
        )
        approval = phone.get_by_role("region", name=re.compile("^Dự thảo chờ tôi duyệt"))
        expect(approval.get_by_role("heading")).to_contain_text(str(counts["approval"]))
        assert overflow(phone) == 0
        assert small_targets(phone) == []

        approval.get_by_role("link").filter(has_text=abstract).click()
        expect(phone).to_have_url(re.compile(rf"/documents/{doc_id}$"))
        expect(phone.get_by_test_id("doc-state")).to_have_text("Chờ lãnh đạo duyệt")
        assert overflow(phone) == 0
        assert small_targets(phone) == []
        phone.get_by_role("main").get_by_role("button", name="Duyệt", exact=True).click()
        dialog = phone.get_by_role("dialog")
        expect(dialog).to_be_visible()
        assert overflow(phone) == 0
        dialog.get_by_role("button", name="Duyệt", exact=True).click()
        expect(dialog).to_have_count(0)
        expect(phone.get_by_test_id("doc-state")).to_have_text("Đã duyệt, chờ ký")

        # Back in the queue: no longer to approve, now to sign; the menu agrees.
        phone.get_by_role("navigation").get_by_role(
            "link", name=re.compile("^Việc chờ tôi xử lý")
        ).click()
        sign = phone.get_by_role("region", name=re.compile("^Văn bản chờ tôi ký"))
        expect(sign.get_by_role("link").filter(has_text=abstract)).to_have_count(1)
        expect(phone.get_by_role("link").filter(has_text=abstract)).to_have_count(1)
        after = queue(phone, live_server)
        now = {k["kind"]: k["count"] for k in after["kinds"]}
        assert now["approval"] == counts["approval"] - 1
        assert now["signature"] == counts["signature"] + 1
        expect(phone.get_by_test_id("work-count")).to_have_text(re.compile(rf"^{after['total']}\b"))


def test_the_menu_count_follows_an_answer_at_once(browser: Browser, live_server: str) -> None:
    with official(browser, live_server, "chuyenvien", PHONE) as phone:
        before = queue(phone, live_server)["total"]
        expect(phone.get_by_test_id("work-count")).to_have_text(re.compile(rf"^{before}\b"))
        invitations = phone.get_by_role("region", name=re.compile("^Giấy mời họp chờ trả lời"))
        invitations.get_by_role("link").filter(has_text="Phiên họp thường kỳ UBND tỉnh").click()
        expect(phone).to_have_url(re.compile(r"/meetings/\d+$"))
        phone.get_by_role("button", name="Gửi trả lời").click()
        expect(phone.get_by_text("Đã gửi trả lời.")).to_be_visible()
        # No navigation: the answer alone brings the menu's count down.
        expect(phone.get_by_test_id("work-count")).to_have_text(re.compile(rf"^{before - 1}\b"))
        kinds = {k["kind"]: k["count"] for k in queue(phone, live_server)["kinds"]}
        assert kinds["rsvp"] == 0


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390x844", "1440x900"])
def test_staff_pages_fit_and_pass_axe(
    browser: Browser, live_server: str, size: tuple[int, int]
) -> None:
    with official(browser, live_server, "chutich", size) as page:
        expect(page.locator(".work-kind").first).to_be_visible()
        pages = [("/", "Việc chờ tôi xử lý"), ("/documents/incoming", "Văn bản đến")]
        first = page.get_by_role("region", name=re.compile("^Văn bản chờ tôi cho ý kiến"))
        href = first.get_by_role("link").first.get_attribute("href")
        assert href
        pages.append((href, ""))
        for path, heading in pages:
            page.goto(live_server + path)
            expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
            if path == "/documents/incoming":
                expect(page.locator("table.doc-table tbody tr").first).to_be_visible()
            if path == href:
                expect(page.get_by_test_id("doc-state")).to_be_visible()
            assert overflow(page) == 0, (path, size)
            if size == PHONE:
                assert small_targets(page) == [], path
            no_serious_violations(page)


def test_the_chairman_sees_every_agency_of_the_province(browser: Browser, live_server: str) -> None:
    with official(browser, live_server, "chutich", PHONE) as page:
        page.get_by_role("navigation").get_by_role("link", name="Bảng điều khiển").click()
        table = page.get_by_test_id("per-agency")
        expect(table).to_be_visible()
        stats = Rest(page, live_server).get("/documents/stats")
        names = [a["agency_name"] for a in stats["agencies"]]
        assert names[0] == "Ủy ban nhân dân tỉnh An Giang"
        assert {"Sở Thông tin và Truyền thông", "Ủy ban nhân dân xã Bình Hòa"} <= set(names)
        rows = table.locator("tbody tr")
        expect(rows).to_have_count(len(names))
        # The Sở TT&TT received the province's dispatched document: not a zero row.
        stttt = rows.filter(has_text="Sở Thông tin và Truyền thông")
        expect(stttt.locator('[data-figure="received"]')).not_to_have_text("0")
        assert overflow(page) == 0
        no_serious_violations(page)
