"""The administration screens in a real browser: the province's administrator creates an
agency under the province, a unit in it and a user with a role there, grants a second
role and takes it back, and resets the password; the new user then logs in with it and
sees their agency. No serious axe violation on the screens or their dialogs."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import no_serious_violations
from tests.browser.live_meeting import Rest
from tests.browser.people import official

pytestmark = pytest.mark.browser

CODE = "000.00.77.H01"
AGENCY = "Sở Thử nghiệm Quản trị"
UNIT = "Phòng Kiểm thử"
USERNAME = "nguoi.moi.quantri"
PASSWORD = "Mat-khau-ban-dau-7"
RESET = "Mat-khau-dat-lai-8"


def _create_agency(page: Page, base: str, province_id: int) -> int:
    page.get_by_role("link", name="Cơ quan, đơn vị").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sơ đồ cơ quan")
    page.get_by_role("button", name="Thêm cơ quan", exact=True).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Cơ quan cấp trên").select_option(str(province_id))
    dialog.get_by_label("Mã định danh").fill("H01")
    dialog.get_by_label("Tên", exact=True).fill(AGENCY)
    dialog.get_by_label("Viết tắt").fill("STNQT")
    dialog.get_by_label("Cấp", exact=True).select_option("department")
    no_serious_violations(page)
    dialog.get_by_role("button", name="Tạo cơ quan").click()
    # A bad code is refused with the server's Vietnamese message, the dialog stays open.
    expect(dialog.get_by_role("alert")).to_contain_text("không đúng dạng")
    dialog.get_by_label("Mã định danh").fill(CODE)
    dialog.get_by_role("button", name="Tạo cơ quan").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    row = page.get_by_role("row").filter(has_text=AGENCY)
    expect(row).to_contain_text(CODE)
    row.get_by_role("link", name=AGENCY).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(AGENCY)
    found = re.search(r"/agencies/(\d+)$", page.url)
    assert found is not None
    return int(found.group(1))


def _create_unit(page: Page) -> None:
    expect(page.get_by_text("Cơ quan chưa có đơn vị nào.")).to_be_visible()
    page.get_by_label("Tên đơn vị").fill(UNIT)
    page.get_by_label("Viết tắt").fill("PKT")
    page.get_by_role("button", name="Thêm đơn vị").click()
    expect(page.get_by_role("cell", name=UNIT, exact=True)).to_be_visible()
    no_serious_violations(page)


def _create_user(page: Page, agency_id: int) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Người dùng").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Người dùng")
    page.get_by_role("button", name="Thêm người dùng").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Tên đăng nhập").fill(USERNAME)
    dialog.get_by_label("Họ và tên").fill("Đỗ Thị Quản Trị Thử")
    dialog.get_by_label("Chức vụ").fill("Chuyên viên")
    dialog.get_by_label("Mật khẩu ban đầu").fill(PASSWORD)
    dialog.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    dialog.get_by_label("Cơ quan").select_option(str(agency_id))
    dialog.get_by_label("Vai trò").select_option("specialist")
    dialog.get_by_label("Đơn vị").select_option(label=UNIT)
    no_serious_violations(page)
    dialog.get_by_role("button", name="Tạo người dùng").click()
    expect(page.get_by_role("status")).to_contain_text(f"Đã tạo người dùng {USERNAME}")
    # Found without the marks, with its role in Vietnamese.
    page.get_by_label("Tìm theo tên").fill("do thi quan tri")
    row = page.get_by_role("row").filter(has_text=USERNAME)
    expect(row).to_contain_text("Chuyên viên — STNQT · PKT")
    expect(page.get_by_role("row")).to_have_count(2)  # the heading row and this one


def _grant_and_revoke(page: Page, agency_id: int) -> None:
    row = page.get_by_role("row").filter(has_text=USERNAME)
    row.get_by_role("button", name=re.compile("^Vai trò")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Vai trò của Đỗ Thị Quản Trị Thử")
    # The agency of the role held is chosen already.
    expect(dialog.get_by_label("Cơ quan")).to_have_value(str(agency_id))
    dialog.get_by_label("Vai trò", exact=True).select_option("clerk")
    dialog.get_by_role("button", name="Gán vai trò").click()
    expect(dialog.get_by_role("listitem").filter(has_text="Văn thư")).to_be_visible()
    no_serious_violations(page)
    page.once("dialog", lambda confirm: confirm.accept())
    dialog.get_by_role("button", name=re.compile("^Thu hồi Văn thư")).click()
    expect(dialog.get_by_role("listitem").filter(has_text="Văn thư")).to_have_count(0)
    dialog.get_by_role("button", name="Hủy").click()
    expect(row).not_to_contain_text("Văn thư")


def _reset_password(page: Page) -> None:
    row = page.get_by_role("row").filter(has_text=USERNAME)
    row.get_by_role("button", name=re.compile("^Đặt lại mật khẩu")).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Mật khẩu mới").fill(RESET)
    dialog.get_by_label("Nhập lại mật khẩu").fill(RESET + "x")
    dialog.get_by_role("button", name="Đặt lại mật khẩu").click()
    expect(dialog.get_by_role("alert")).to_have_text("Hai mật khẩu không giống nhau.")
    dialog.get_by_label("Nhập lại mật khẩu").fill(RESET)
    dialog.get_by_role("button", name="Đặt lại mật khẩu").click()
    expect(page.get_by_role("status")).to_contain_text("Đã đặt lại mật khẩu")


def test_an_admin_sets_up_an_agency_a_unit_and_a_user_who_then_logs_in(
    browser: Browser, live_server: str
) -> None:
    with official(browser, live_server, "admin") as page:
        rest = Rest(page, live_server)
        province = next(a for a in rest.get("/agencies")["items"] if a["parent_id"] is None)
        agency_id = _create_agency(page, live_server, province["id"])
        _create_unit(page)
        _create_user(page, agency_id)
        _grant_and_revoke(page, agency_id)
        _reset_password(page)
    context = browser.new_context(locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(live_server + "/")
        page.get_by_label("Tên đăng nhập").fill(USERNAME)
        page.get_by_label("Mật khẩu").fill(RESET)
        page.get_by_role("button", name="Đăng nhập").click()
        banner = page.get_by_role("banner")
        expect(banner).to_contain_text("Đỗ Thị Quản Trị Thử")
        expect(banner).to_contain_text(AGENCY)
        # Not an administrator: no users screen in the menu.
        expect(page.get_by_role("navigation").get_by_role("link", name="Người dùng")).to_have_count(
            0
        )
    finally:
        context.close()
