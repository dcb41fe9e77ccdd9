"""The "Thông báo" screen in a real browser: a hand-off reaches the leader's menu as an
unread count, the list opens the document and marks it read; the settings keep each
kind's channels and a validated mobile number; no serious axe violation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import no_serious_violations
from tests.browser.people import official

pytestmark = pytest.mark.browser
ABSTRACT = "V/v đề nghị hỗ trợ kinh phí khắc phục sạt lở (thông báo thử)"


def api(page: Page, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """A call to the JSON API with the page's own session (cookie and CSRF token)."""
    found = re.match(r"https?://[^/]+", page.url)
    assert found is not None
    base = found.group(0) + "/api/v1"
    csrf = page.request.get(base + "/auth/me").json()["csrf_token"]
    r = page.request.fetch(base + path, method=method, data=body, headers={"X-CSRF-Token": csrf})
    assert r.ok, r.text()
    return r.json()


def unread_badge(page: Page) -> Any:
    return page.get_by_role("navigation").get_by_role("link", name=re.compile("^Thông báo"))


def count_of(page: Page) -> int:
    return int(api(page, "GET", "/notifications?unread=1&limit=1")["unread"])


def test_a_hand_off_in_the_menu_the_list_and_the_settings(
    browser: Browser, live_server: str
) -> None:
    with official(browser, live_server, "chutich", size=(1024, 768)) as leader:
        me = api(leader, "GET", "/auth/me")
        before = count_of(leader)
        with official(browser, live_server, "vanthu") as clerk:
            agency_id = api(clerk, "GET", "/auth/me")["memberships"][0]["agency"]["id"]
            types = api(clerk, "GET", "/document-types")["items"]
            doc = api(
                clerk,
                "POST",
                "/documents/incoming",
                {
                    "agency_id": agency_id,
                    "type_id": next(t["id"] for t in types if t["name"] == "Công văn"),
                    "abstract": ABSTRACT,
                    "number_symbol": "77/UBND-KT",
                    "issuing_agency_name": "Ủy ban nhân dân huyện Châu Thành",
                    "issued_on": "2026-11-02",
                    "register_now": True,
                },
            )
            api(clerk, "POST", f"/documents/{doc['id']}/present", {"leader_id": me["user"]["id"]})

        leader.reload()
        link = unread_badge(leader)
        expect(link).to_contain_text(str(before + 1))
        link.click()
        expect(leader).to_have_url(re.compile(r"/notifications$"))
        item = leader.locator("li.notice").filter(has_text=ABSTRACT)
        expect(item).to_have_class(re.compile(r"\bunread\b"))
        expect(item).to_contain_text("Văn bản đến chờ đồng chí cho ý kiến")
        expect(item).to_contain_text("Văn bản đến trình cho ý kiến")  # the kind's label
        # The screen and the menu (the shell's language switch is another issue's point).
        no_serious_violations(leader, "main")
        no_serious_violations(leader, "nav")
        assert leader.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        item.get_by_role("link").click()
        expect(leader).to_have_url(re.compile(rf"/documents/{doc['id']}$"))
        expect(leader.get_by_role("main")).to_contain_text(ABSTRACT)
        if before:
            expect(unread_badge(leader)).to_contain_text(str(before))
        else:
            expect(unread_badge(leader)).to_have_text("Thông báo")
        unread_badge(leader).click()
        expect(leader.locator("li.notice").filter(has_text=ABSTRACT)).to_have_class(
            re.compile(r"\bread\b")
        )

        # Settings: no e-mail for presented documents; kept after a reload.
        email = leader.get_by_label("Văn bản đến trình cho ý kiến: Thư điện tử")
        expect(email).to_be_checked()
        email.uncheck()
        leader.get_by_role("button", name="Lưu cài đặt").click()
        expect(leader.get_by_role("status")).to_have_text("Đã lưu.")
        leader.reload()
        expect(leader.get_by_label("Văn bản đến trình cho ý kiến: Thư điện tử")).not_to_be_checked()
        expect(leader.get_by_label("Văn bản đến trình cho ý kiến: SMS (khẩn)")).to_be_checked()
        expect(leader.get_by_label("Giấy mời họp: SMS (khẩn)")).to_have_count(0)  # never by SMS
        prefs = api(leader, "GET", "/notification-preferences")
        chosen = {c["kind"]: c for c in prefs["items"]}
        assert chosen["to_direct"]["email"] is False and chosen["to_approve"]["email"] is True

        # The mobile number: a landline is refused in both languages, a mobile kept.
        phone = leader.get_by_label("Số điện thoại di động nhận SMS")
        phone.fill("0212 345 678")
        leader.get_by_role("button", name="Lưu số điện thoại").click()
        expect(leader.get_by_role("alert")).to_contain_text("không hợp lệ")
        phone.fill("0912 345 678")
        leader.get_by_role("button", name="Lưu số điện thoại").click()
        expect(leader.get_by_role("status")).to_have_text("Đã lưu số điện thoại.")
        expect(phone).to_have_value("0912345678")
        assert api(leader, "GET", "/notification-preferences")["phone"] == "84912345678"
        no_serious_violations(leader, "main")
