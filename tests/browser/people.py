"""Officials logged in to the web app, each in a browser context of their own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page, expect

from ecabinet.demo.seed import DEMO_PASSWORD as PASSWORD


@contextmanager
def official(
    browser: Browser,
    base: str,
    username: str,
    size: tuple[int, int] = (1280, 900),
    timezone_id: str | None = None,
    *,
    touch: bool = False,
) -> Iterator[Page]:
    """A logged-in browser context of its own (``size``: the viewport, width and height;
    ``timezone_id``: the device's time zone, the machine's when None; ``touch``: a touch
    screen, as a tablet has)."""
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]},
        locale="vi-VN",
        timezone_id=timezone_id,
        has_touch=touch,
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(base + "/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("banner")).to_be_visible()
    try:
        yield page
    finally:
        context.close()
