"""A held meeting's page shows what it came to: who attended (from the check-in, not the
answers to the invitation; a member who sent a deputy is away, the deputy present), each
vote and its result (a secret one by its totals only), the conclusions, the signed
minutes. On a laptop and a phone, with no serious accessibility violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from ecabinet.demo.meetings import CONCLUSIONS
from tests.browser.axe import no_serious_violations
from tests.browser.live_meeting import Rest, meeting_server
from tests.browser.people import official

pytestmark = pytest.mark.browser
__all__ = ["meeting_server"]  # the fixture, imported for pytest

HELD = "Phiên họp chuyên đề về đầu tư công và chuyển đổi số"
SIZES = [(1280, 800), (390, 844)]


def _row(page: Page, name: str) -> Locator:
    return page.get_by_test_id("outcome-attendance").get_by_role("row").filter(has_text=name)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_demo_meeting_held_this_morning(
    browser: Browser, meeting_server: str, size: tuple[int, int]
) -> None:
    base = meeting_server
    with official(browser, base, "phochutich", size) as member:
        rest = Rest(member, base)
        meeting = next(m for m in rest.get("/meetings")["items"] if m["title"] == HELD)
        member.goto(f"{base}/meetings/{meeting['id']}")
        outcome = member.get_by_test_id("meeting-outcome")
        expect(outcome.get_by_role("heading", name="Kết quả cuộc họp")).to_be_visible()
        # The members were checked in by the secretary and never answered the invitation:
        # they are present, not "Chưa trả lời".
        expect(member.get_by_text("Chưa trả lời")).to_have_count(0)
        for name in ("Nguyễn Thanh Bình", "Trần Thị Mai", "Đặng Quốc Việt"):
            expect(_row(member, name)).to_contain_text("Có mặt")
        expect(member.get_by_test_id("outcome-quorum")).to_contain_text("4/4")

        votes = member.get_by_test_id("outcome-vote")
        expect(votes).to_have_count(2)
        named, secret = votes.nth(0), votes.nth(1)
        expect(named).to_contain_text("Báo cáo tiến độ giải ngân")
        expect(named.get_by_test_id("outcome-vote-result")).to_have_text("Thông qua")
        expect(named.get_by_role("row").filter(has_text="Tán thành").first).to_contain_text("4")
        named.get_by_text("Biểu quyết công khai: từng người").click()
        expect(named.get_by_test_id("outcome-voters")).to_contain_text("Trần Thị Mai: Tán thành")
        # The secret vote: totals only, no names.
        expect(secret).to_contain_text("Bỏ phiếu kín: chỉ công bố tổng số phiếu.")
        expect(secret.get_by_test_id("outcome-voters")).to_have_count(0)
        expect(secret.get_by_role("row").filter(has_text="Không biểu quyết")).to_contain_text("1")
        expect(secret.get_by_test_id("outcome-vote-result")).to_have_text("Thông qua")

        conclusions = member.get_by_test_id("outcome-conclusions")
        expect(conclusions).to_contain_text(CONCLUSIONS.splitlines()[0])
        expect(member.get_by_test_id("outcome-minutes-state")).to_contain_text(
            "Đã ký đủ (thư ký và người chủ trì)"
        )
        expect(member.get_by_test_id("outcome-minutes-signatures")).to_contain_text("Thư ký")
        with member.expect_download() as info:
            member.get_by_test_id("outcome-download-minutes").click()
        path = info.value.path()
        assert path.read_bytes().startswith(b"%PDF")
        no_serious_violations(member)


def test_a_member_who_sent_a_deputy_is_not_marked_present(
    browser: Browser, meeting_server: str
) -> None:
    base = meeting_server
    with (
        official(browser, base, "chanhvanphong") as secretary,
        official(browser, base, "giamdoc.stttt") as member,
        official(browser, base, "vanthu", (390, 844)) as deputy,
    ):
        sec = Rest(secretary, base)
        meeting = sec.post(
            "/meetings",
            {
                "agency_id": sec.agency_id,
                "title": "Họp giao ban có người dự thay",
                "starts_at": "2026-12-02T08:00:00+07:00",
                "chair_id": sec.person("Nguyễn Thanh Bình"),
                "secretary_id": sec.user_id,
            },
        )
        url = f"/meetings/{meeting['id']}"
        member_rest = Rest(member, base)
        for who in ("Trần Thị Mai", "Đặng Quốc Việt"):
            sec.post(url + "/participants", {"user_id": sec.person(who)})
        sec.post(url + "/items", {"title": "Tình hình chuyển đổi số"})
        sec.post(url + "/schedule")
        deputy_id = Rest(deputy, base).user_id
        member_rest.post(
            url + "/answer",
            {"answer": "deputy", "deputy_id": deputy_id, "reason": "Họp Ban Chỉ đạo"},
        )
        for user_id in (sec.person("Nguyễn Thanh Bình"), sec.person("Trần Thị Mai"), deputy_id):
            sec.post(url + "/check-in", {"user_id": user_id, "status": "present"})
        sec.post(url + "/start")
        sec.post(url + "/end", {"conclusions": "Thống nhất nội dung báo cáo."})

        for page in (secretary, deputy):
            page.goto(f"{base}{url}")
            rows = page.get_by_test_id("outcome-attendance").locator("tbody tr")
            # The member: away, with who came instead; never present.
            away = rows.filter(has_text="Đặng Quốc Việt").filter(has_text="Giám đốc Sở")
            expect(away).to_have_attribute("data-presence", "sent_deputy")
            expect(away).to_contain_text("Vắng, cử người dự thay")
            expect(away).to_contain_text("người dự thay: Lê Văn Hùng")
            # The deputy: present on the member's seat.
            came = rows.filter(has_text="Lê Văn Hùng").filter(has_text="dự thay Đặng Quốc Việt")
            expect(came).to_have_attribute("data-presence", "present")
            expect(came).to_contain_text("Có mặt")
            expect(page.get_by_test_id("outcome-quorum")).to_contain_text("3/3")
            expect(page.get_by_text("Cuộc họp không có biểu quyết.")).to_be_visible()
            expect(page.get_by_text("Chưa tạo biên bản.")).to_be_visible()
        no_serious_violations(deputy)
