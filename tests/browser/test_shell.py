"""The web-app shell in a real browser: log in, see who you are, navigate, log out."""

import re

import pytest
from playwright.sync_api import Page, expect

PASSWORD = "eCabinet@2026"
pytestmark = pytest.mark.browser


def login(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(base + "/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def test_login_shows_name_and_agency_then_logout(page: Page, live_server: str) -> None:
    login(page, live_server, "chutich")
    banner = page.get_by_role("banner")
    expect(banner).to_contain_text("Nguyễn Thanh Bình")
    expect(banner).to_contain_text("Ủy ban nhân dân tỉnh An Giang")
    # The first screen is the work queue, greeting them by name.
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc chờ tôi xử lý")
    expect(page.get_by_role("main")).to_contain_text("Xin chào, Nguyễn Thanh Bình")
    expect(page.get_by_role("main")).to_contain_text("Lãnh đạo")

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    expect(page.get_by_role("banner")).to_have_count(0)


def test_bad_password_shows_an_error(page: Page, live_server: str) -> None:
    login(page, live_server, "chutich", "sai-mat-khau-1")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng")
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    expect(page.get_by_role("banner")).to_have_count(0)


def test_english_switch(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.get_by_role("button", name="Ngôn ngữ").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("User name").fill("giamdoc.stttt")
    page.get_by_label("Password").fill("wrong-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong user name or password")


def test_agency_tree_and_layout(page: Page, live_server: str) -> None:
    login(page, live_server, "giamdoc.stttt")
    expect(page.get_by_role("banner")).to_contain_text("Sở Thông tin và Truyền thông")
    page.get_by_role("navigation").get_by_role("link", name="Cơ quan, đơn vị").click()
    expect(page).to_have_url(re.compile(r"/agencies$"))
    table = page.get_by_role("table")
    expect(table).to_contain_text("Ủy ban nhân dân tỉnh An Giang")
    expect(table).to_contain_text("Sở Thông tin và Truyền thông")
    expect(table).to_contain_text("Ủy ban nhân dân phường Mỹ Bình")
    # Tablet size: navigation and content side by side, no horizontal scrolling.
    nav = page.get_by_role("navigation").bounding_box()
    main = page.get_by_role("main").bounding_box()
    assert nav is not None and main is not None and nav["x"] + nav["width"] <= main["x"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.reload()  # deep link served by the app
    expect(page.get_by_role("heading", name="Sơ đồ cơ quan")).to_be_visible()


def test_api_token_create_and_revoke(page: Page, live_server: str) -> None:
    login(page, live_server, "vanthu")
    page.get_by_role("link", name="Mã truy cập API").click()
    page.get_by_label("Tên mã truy cập").fill("Tập lệnh báo cáo")
    page.get_by_role("button", name="Tạo mã").click()
    secret = page.get_by_test_id("new-token")
    expect(secret).to_contain_text("ecab_")
    row = page.get_by_role("row").filter(has_text="Tập lệnh báo cáo")
    expect(row).to_have_count(1)
    page.on("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=re.compile("Hủy mã truy cập")).click()
    expect(page.get_by_role("row").filter(has_text="Tập lệnh báo cáo")).to_have_count(0)
