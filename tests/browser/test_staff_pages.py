"""Every staff page at the four screens people use (desktop 1440 and 1280 px, the 1024×768
tablet, the 390 px phone): it draws its heading, is never wider than the screen, and axe-core
finds no serious or critical violation. On the phone, touch targets are 44 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import no_serious_violations
from tests.browser.live_meeting import Rest
from tests.browser.people import official
from tests.browser.phone import PHONE, overflow, small_targets

pytestmark = pytest.mark.browser

SIZES = [(1440, 900), (1280, 800), (1024, 768), PHONE]


def _pages(page: Page, base: str, who: str) -> list[str]:
    """The staff pages ``who`` can open on the demo, with real ids."""
    rest = Rest(page, base)
    if who == "admin":
        # The administration screens with the demo's agency tree and people.
        return ["/agencies", f"/agencies/{rest.agency_id}", "/exchange", "/users"]
    # A token of one's own, so its table (the widest thing on that page) is there.
    rest.post("/tokens", {"name": f"Báo cáo tự động ({who})", "scopes": ["read"]})
    meetings = rest.get("/meetings")["items"]
    held = [m["id"] for m in meetings if m["state"] in ("ended", "minutes_signed")]
    coming = [m["id"] for m in meetings if m["state"] in ("scheduled", "in_progress")]
    incoming = rest.get("/documents?flow=incoming&limit=1&offset=0")["items"]
    outgoing = rest.get("/documents?flow=outgoing&limit=1&offset=0")["items"]
    pages = ["/", "/notifications", "/meetings", "/consultations", "/dashboard"]
    pages += ["/documents/incoming", "/documents/outgoing", "/signing", "/agencies", "/tokens"]
    pages.append(f"/agencies/{rest.agency_id}")
    pages += [f"/meetings/{i}" for i in (held[:1] + coming[:1])]
    pages += [f"/meetings/{i}/minutes" for i in held[:1]]
    pages += [f"/meetings/{i}/room" for i in coming[:1]]
    pages += [f"/documents/{d['id']}" for d in incoming + outgoing]
    if who == "vanthu":
        pages += ["/documents/incoming/new", "/exchange"]
    else:
        pages += ["/documents/outgoing/new", "/meetings/new", "/consultations/new"]
    return pages


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("who", ["chutich", "vanthu", "admin"])
def test_every_staff_page_fits_and_passes_axe(
    browser: Browser, live_server: str, who: str, size: tuple[int, int]
) -> None:
    with official(browser, live_server, who, size) as page:
        problems: list[str] = []
        for path in _pages(page, live_server, who):
            page.goto(live_server + path)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            page.wait_for_load_state("networkidle")
            problems += _check(page, path, size)
        if who == "admin":  # the widest dialog: a new user with a first role
            page.get_by_role("button", name="Thêm người dùng").click()
            expect(page.get_by_role("dialog")).to_be_visible()
            problems += _check(page, "/users (new user)", size)
        assert problems == [], "\n".join(problems)


def _check(page: Page, where: str, size: tuple[int, int]) -> list[str]:
    problems: list[str] = []
    if (wide := overflow(page)) > 0:
        problems.append(f"{where}: {wide} px wider than the screen")
    if size == PHONE and (small := small_targets(page)):
        problems.append(f"{where}: small targets {small[:5]}")
    try:
        no_serious_violations(page)
    except AssertionError as found:
        problems.append(str(found)[:600])
    return problems
