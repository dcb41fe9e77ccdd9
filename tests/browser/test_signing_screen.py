"""The "My signatures" screen in a real browser: the holder changes the PIN, wrong PINs lock
the credential (not the login), an admin unlocks it, the official enrols an authenticator
(TOTP) and removes it; the token screen's scopes. A leader no other browser test signs as
(giamdoc.stc), left as the demo made him."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, Page, expect

from ecabinet.demo import DEMO_PIN
from ecabinet.signatures import totp
from tests.browser.axe import no_serious_violations
from tests.browser.people import official

pytestmark = pytest.mark.browser
SLOW = 30_000
NEW_PIN = "97531864"


def _open(page: Page) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Chữ ký số của tôi").click()
    expect(page.get_by_role("heading", name="Chữ ký số của tôi")).to_be_visible()


def _change(page: Page, old: str, new: str) -> None:
    page.get_by_role("button", name="Đổi mã PIN").click()
    form = page.get_by_role("form", name="Đổi mã PIN")
    form.get_by_label("Mã PIN hiện tại").fill(old)
    form.get_by_label("Mã PIN mới", exact=True).fill(new)
    form.get_by_label("Nhập lại mã PIN mới").fill(new)
    form.get_by_role("button", name="Lưu").click()


def test_pin_change_lock_unlock_and_totp(browser: Browser, live_server: str) -> None:
    with official(browser, live_server, "giamdoc.stc") as leader:
        _open(leader)
        expect(leader.get_by_role("row").filter(has_text="Lý Hoàng Nam")).to_contain_text(
            "Sẵn sàng"
        )
        no_serious_violations(leader, "main")
        _change(leader, DEMO_PIN, NEW_PIN)
        expect(leader.get_by_role("status")).to_have_text("Đã lưu mã PIN mới.", timeout=SLOW)
        # Five wrong PINs (the demo's limit): the credential locks, with the server's words.
        alert = leader.get_by_role("form", name="Đổi mã PIN").get_by_role("alert")
        for left in (4, 3, 2, 1):
            _change(leader, "000000", DEMO_PIN)
            expect(alert).to_contain_text(f"Sai mã PIN ký số. Còn {left} lần thử", timeout=SLOW)
            leader.get_by_role("button", name="Hủy").click()
        _change(leader, "000000", DEMO_PIN)
        expect(alert).to_contain_text("Tài khoản đăng nhập không bị ảnh hưởng", timeout=SLOW)
        leader.get_by_role("button", name="Hủy").click()
        leader.reload()
        expect(leader.get_by_role("row").filter(has_text="Lý Hoàng Nam")).to_contain_text("Đã khóa")

    with official(browser, live_server, "admin") as admin:  # the login was never locked
        _open(admin)
        admin.get_by_role("button", name=re.compile("Mở khóa.*Lý Hoàng Nam")).click()
        expect(admin.get_by_role("status")).to_have_text("Đã mở khóa chứng thư.", timeout=SLOW)

    with official(browser, live_server, "giamdoc.stc") as leader:
        _open(leader)
        expect(leader.get_by_role("row").filter(has_text="Lý Hoàng Nam")).to_contain_text(
            "Sẵn sàng"
        )
        _change(leader, NEW_PIN, DEMO_PIN)  # back to the documented demo PIN
        expect(leader.get_by_role("status")).to_have_text("Đã lưu mã PIN mới.", timeout=SLOW)

        leader.get_by_role("button", name="Đăng ký mã xác thực").click()
        secret = leader.get_by_test_id("totp-secret").inner_text()
        now = int(time.time()) // totp.STEP_SECONDS
        leader.get_by_label("Mã xác thực (6 số, trên điện thoại của bạn)").fill(
            totp.code_at(secret, now)
        )
        leader.get_by_role("button", name="Xác nhận").click()
        expect(leader.get_by_role("main")).to_contain_text("Đã đăng ký: mỗi lần ký cần mã PIN")
        expect(leader.get_by_test_id("totp-secret")).to_have_count(0)  # shown once
        leader.get_by_label("Mã xác thực (6 số, trên điện thoại của bạn)").fill(
            totp.code_at(secret, now + 1)
        )
        leader.get_by_role("button", name="Gỡ đăng ký").click()
        expect(leader.get_by_role("main")).to_contain_text("Chưa đăng ký.")


def test_a_token_with_the_sign_scope(browser: Browser, live_server: str) -> None:
    with official(browser, live_server, "phochutich") as page:
        page.get_by_role("link", name="Mã truy cập API").click()
        page.get_by_label("Tên mã truy cập").fill("Tập lệnh ký lô")
        page.get_by_label("Ký số (sign; vẫn cần mã PIN mỗi lần ký)").check()
        page.get_by_label("Ghi (write)").uncheck()
        page.get_by_role("button", name="Tạo mã").click()
        expect(page.get_by_test_id("new-token")).to_contain_text("ecab_")
        row = page.get_by_role("row").filter(has_text="Tập lệnh ký lô")
        expect(row).to_contain_text("Đọc (read), Ký số (sign; vẫn cần mã PIN mỗi lần ký)")
        no_serious_violations(page, "main")
