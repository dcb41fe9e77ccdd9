"""The meeting room's reader on tablets (1024 × 768 and 1280 × 800): a page drawn as wide as
the reader, zoomed by buttons and by a pinch, pages scrolled and drawn only near the screen
(the demo's 32-page scheme), thumbnails, a full-screen reading mode; ink drawn at 200 %
stored where the finger was; the presenter followed across agenda items, and one button back
to the presenter's page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.live_meeting import (
    TABLET_SMALL,
    TABLET_WIDE,
    Rest,
    enter_room,
    meeting_server,
    page_canvas,
    pdf_files,
    shows_page,
)
from tests.browser.people import official

pytestmark = pytest.mark.browser
__all__ = ["meeting_server"]  # the fixture, imported for pytest

DEMO_MEETING = "Phiên họp thường kỳ UBND tỉnh tháng 12 năm 2026"
SCHEME = "Đề án chuyển đổi số tỉnh An Giang giai đoạn 2026-2030"
A4 = (595.28, 841.89)  # points


def area_width(page: Page) -> float:
    """The inner width of the reader's scrolled area (without its scroll bar)."""
    width: float = page.get_by_test_id("page-area").evaluate("el => el.clientWidth")
    return width


def canvas_width(page: Page, number: int) -> float:
    box = page_canvas(page, number).bounding_box()
    assert box is not None
    return float(box["width"])


def agenda_item(page: Page, position: int) -> Locator:
    """The button of an agenda item (it opens the item's first document)."""
    agenda = page.get_by_role("navigation", name="Chương trình họp")
    return agenda.get_by_role("button", name=re.compile(rf"^{position}\. "))


def settled_page(page: Page) -> int:
    """The page the reader is on once a scroll has come to rest (the same for half a second)."""
    last = ""
    for _ in range(40):
        now = page.get_by_test_id("viewer-page").inner_text()
        if now == last:
            return int(now.split()[1])
        last = now
        page.wait_for_timeout(500)
    raise AssertionError(f"the reader did not come to rest: {last}")


def drawn_at(page: Page, number: int, width: float) -> None:
    """Wait until page ``number`` is drawn ``width`` CSS pixels wide (within 3 px)."""
    page.wait_for_function(
        """([n, w]) => {
            const c = document.querySelector(`[data-testid=page-canvas][data-page="${n}"]`);
            const near = c && Math.abs(c.getBoundingClientRect().width - w) <= 3;
            return near && c.dataset.drawn === "true";
        }""",
        arg=[number, width],
        timeout=10_000,
    )


def open_scheme(page: Page, base: str) -> None:
    """The demo's coming meeting, its third item: the 32-page draft scheme."""
    meetings = page.request.get(f"{base}/api/v1/meetings").json()["items"]
    meeting_id = next(m["id"] for m in meetings if m["title"] == DEMO_MEETING)
    enter_room(page, base, meeting_id)
    agenda_item(page, 3).click()
    expect(page.get_by_test_id("viewer-doc-title")).to_have_text(SCHEME)
    shows_page(page, 1, 32)


@pytest.mark.parametrize("size", [TABLET_SMALL, TABLET_WIDE], ids=["1024x768", "1280x800"])
def test_reader_on_a_long_document(
    browser: Browser, meeting_server: str, size: tuple[int, int]
) -> None:
    with official(browser, meeting_server, "phochutich", size) as member:
        open_scheme(member, meeting_server)
        # Fit width: the page as wide as the reader (its margins aside), not fitted whole.
        fit = canvas_width(member, 1)
        assert abs(fit - (area_width(member) - 16)) <= 2, (fit, area_width(member))
        assert fit > size[0] * 0.5
        # Only the pages on screen and one either side are drawn.
        drawn = member.get_by_test_id("page-canvas")
        assert drawn.count() <= 3
        expect(page_canvas(member, 10)).to_have_count(0)

        # Thumbnails: a tap goes to page 20; the pages near page 1 are no longer drawn.
        member.get_by_role("button", name="Trang thu nhỏ").click()
        thumbnails = member.get_by_role("navigation", name="Trang thu nhỏ")
        expect(thumbnails.get_by_role("button", name=re.compile(r"^Đến trang"))).to_have_count(32)
        thumbnails.get_by_role("button", name="Đến trang 20", exact=True).click()
        shows_page(member, 20, 32)
        expect(thumbnails.get_by_role("button", name="Đến trang 20", exact=True)).to_have_attribute(
            "aria-current", "page"
        )
        expect(page_canvas(member, 1)).to_have_count(0)
        assert drawn.count() <= 4
        # Scrolling by hand moves on through the pages, drawing the ones that come.
        member.get_by_test_id("page-area").hover()
        for _ in range(6):
            member.mouse.wheel(0, 600)
        expect(member.get_by_test_id("viewer-page")).not_to_have_text("Trang 20 / 32")
        shown = settled_page(member)
        assert 21 <= shown <= 24
        expect(page_canvas(member, shown)).to_have_attribute("data-drawn", "true")
        expect(page_canvas(member, 20)).to_have_count(0)

        # The strip narrows the reader: the page is drawn to the new width; closed, as before.
        drawn_at(member, shown, area_width(member) - 16)
        assert area_width(member) - 16 < fit - 100
        member.get_by_role("button", name="Trang thu nhỏ").click()
        expect(thumbnails).to_be_hidden()
        drawn_at(member, shown, fit)

        # Zoom in twice, out once, back to fit width: the page is drawn at each scale.
        zoom_in = member.get_by_role("button", name="Phóng to")
        zoom_in.click()
        zoom_in.click()
        expect(member.get_by_test_id("zoom-level")).to_have_text("150%")
        drawn_at(member, shown, 1.5 * fit)
        canvas_pixels = page_canvas(member, shown).evaluate("c => c.width")
        assert canvas_pixels >= int(1.5 * fit) - 2  # drawn at that scale, not stretched
        member.get_by_role("button", name="Thu nhỏ", exact=True).click()
        expect(member.get_by_test_id("zoom-level")).to_have_text("125%")
        drawn_at(member, shown, 1.25 * fit)
        member.get_by_test_id("zoom-level").click()  # back to the width of the screen
        expect(member.get_by_test_id("zoom-level")).to_have_text("100%")
        drawn_at(member, shown, fit)

        # Full-screen reading: no agenda, no panels; the page takes the whole width.
        agenda = member.get_by_role("navigation", name="Chương trình họp")
        panels = member.get_by_role("tablist", name="Bảng điều khiển phòng họp")
        member.get_by_role("button", name="Đọc toàn màn hình").click()
        expect(agenda).to_be_hidden()
        expect(panels).to_be_hidden()
        expect(member.locator(".room-bar")).to_be_hidden()
        expect(member.get_by_role("banner")).to_be_hidden()
        shows_page(member, shown, 32)
        assert area_width(member) >= size[0] - 30
        drawn_at(member, shown, area_width(member) - 16)
        member.keyboard.press("Escape")
        expect(agenda).to_be_visible()
        expect(panels).to_be_visible()
        expect(member.get_by_role("banner")).to_be_visible()
        drawn_at(member, shown, fit)


def test_pinch_zooms_the_reader(browser: Browser, meeting_server: str) -> None:
    """Two fingers spread apart on the page (touch events, as a tablet sends them)."""
    with official(browser, meeting_server, "phochutich", TABLET_SMALL, touch=True) as member:
        open_scheme(member, meeting_server)
        fit = canvas_width(member, 1)
        box = member.get_by_test_id("page-area").bounding_box()
        assert box is not None
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        cdp = member.context.new_cdp_session(member)

        def touch(kind: str, spread: float) -> None:
            points = (
                []
                if kind == "touchEnd"
                else [
                    {"x": cx - spread, "y": cy, "id": 1},
                    {"x": cx + spread, "y": cy, "id": 2},
                ]
            )
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

        touch("touchStart", 60)
        for spread in range(70, 130, 10):
            touch("touchMove", spread)
        touch("touchEnd", 0)
        # Spread from 120 px to 240 px: twice the size, drawn again at 200 %.
        expect(member.get_by_test_id("zoom-level")).to_have_text("200%")
        shown = settled_page(member)
        drawn_at(member, shown, 2 * fit)


def live_meeting(secretary: Page, base: str, files: list[Path]) -> tuple[int, list[str]]:
    """A meeting of two items (the two-page report, then the submission), started, everyone
    present; prepared over the API (this test is about the room)."""
    api = Rest(secretary, base)
    names = ("Nguyễn Thanh Bình", "Trần Thị Mai", "Đặng Quốc Việt")
    chair, *members = (api.person(n) for n in names)
    meeting = api.post(
        "/meetings",
        {
            "agency_id": api.agency_id,
            "title": "Họp giao ban (thử trình đọc tài liệu)",
            "starts_at": "2026-12-03T08:00:00+07:00",
            "chair_id": chair,
            "secretary_id": api.user_id,
        },
    )
    url = f"/meetings/{meeting['id']}"
    for person in members:
        api.post(url + "/participants", {"user_id": person})
    titles = []
    for pdf in files:
        item = api.post(url + "/items", {"title": f"Xem xét {pdf.stem}"})["agenda"][-1]["id"]
        api.post(f"{url}/items/{item}/documents", {"file_id": api.upload(pdf), "title": pdf.stem})
        titles.append(pdf.stem)
    api.post(url + "/schedule")
    for person in (chair, *members):
        api.post(url + "/check-in", {"user_id": person, "status": "present"})
    api.post(url + "/start")
    return int(meeting["id"]), titles


def test_ink_at_200_percent_lands_under_the_finger(
    browser: Browser, meeting_server: str, tmp_path: Path
) -> None:
    base = meeting_server
    with (
        official(browser, base, "chanhvanphong", TABLET_WIDE) as secretary,
        official(browser, base, "phochutich", TABLET_SMALL) as member,
    ):
        meeting_id, (report, _) = live_meeting(secretary, base, pdf_files(tmp_path))
        enter_room(member, base, meeting_id)
        expect(member.get_by_test_id("viewer-doc-title")).to_have_text(report)
        shows_page(member, 1, 2)
        fit = canvas_width(member, 1)
        zoom_in = member.get_by_role("button", name="Phóng to")
        for _ in range(4):  # 125, 150, 200 %... and one more would be 300 %
            if member.get_by_test_id("zoom-level").inner_text() == "200%":
                break
            zoom_in.click()
        expect(member.get_by_test_id("zoom-level")).to_have_text("200%")
        drawn_at(member, 1, 2 * fit)

        # A stroke in the middle of what is visible of page 1 (zoomed, scrolled sideways).
        member.get_by_role("button", name="Bút", exact=True).click()
        sheet = page_canvas(member, 1).bounding_box()
        area = member.get_by_test_id("page-area").bounding_box()
        assert sheet is not None and area is not None
        left, right = (
            max(sheet["x"], area["x"]),
            min(sheet["x"] + sheet["width"], area["x"] + area["width"]),
        )
        top = max(sheet["y"], area["y"])
        bottom = min(sheet["y"] + sheet["height"], area["y"] + area["height"])
        assert right - left > 200 and bottom - top > 200
        x0, y0 = left + (right - left) * 0.3, top + (bottom - top) * 0.4
        path = [(x0 + step * 15.0, y0 + step * 6.0) for step in range(11)]
        saved = re.compile(rf"/api/v1/meetings/{meeting_id}/documents/\d+/annotations$")
        with member.expect_response(lambda r: bool(saved.search(r.url))) as answer:
            member.mouse.move(*path[0])
            member.mouse.down()
            for x, y in path[1:]:
                member.mouse.move(x, y)
            member.mouse.up()
        stored: dict[str, Any] = answer.value.json()
        assert stored["kind"] == "ink" and stored["page"] == 0
        points = stored["body"]["points"]
        # In PDF points (origin bottom left), where the finger went on the A4 page.
        for (x, y), point in ((path[0], points[0]), (path[-1], points[-1])):
            want_x = (x - sheet["x"]) / sheet["width"] * A4[0]
            want_y = (1 - (y - sheet["y"]) / sheet["height"]) * A4[1]
            got_x, got_y = point["x"] * A4[0], (1 - point["y"]) * A4[1]
            assert abs(got_x - want_x) <= 1.5 and abs(got_y - want_y) <= 1.5, (point, x, y)
        expect(member.get_by_test_id("annotation")).to_have_attribute("data-pending", "false")


def test_followers_go_with_the_presenter_across_items(
    browser: Browser, meeting_server: str, tmp_path: Path
) -> None:
    base = meeting_server
    with (
        official(browser, base, "chanhvanphong", TABLET_WIDE) as secretary,
        official(browser, base, "chutich", TABLET_WIDE) as chair,
        official(browser, base, "giamdoc.stttt", TABLET_SMALL) as member,
    ):
        meeting_id, (report, submission) = live_meeting(secretary, base, pdf_files(tmp_path))
        for page in (chair, member):
            enter_room(page, base, meeting_id)
            shows_page(page, 1, 2)
        chair.get_by_label("Trình chiếu cho mọi người").check()
        # The chair shows the second item's document while the first is under discussion.
        agenda_item(chair, 2).click()
        expect(chair.get_by_test_id("viewer-doc-title")).to_have_text(submission)
        expect(member.get_by_test_id("current-item")).to_contain_text(f"Xem xét {report}")
        expect(member.get_by_test_id("viewer-doc-title")).to_have_text(submission)
        expect(member.get_by_test_id("follow-state")).to_have_text("● Theo dõi người trình bày")
        shows_page(member, 1, 1)

        # Back to the report, page 2: the member follows; reads page 1, then returns.
        agenda_item(chair, 1).click()
        chair.get_by_role("button", name="Trang sau").click()
        shows_page(member, 2, 2)
        member.get_by_role("button", name="Trang trước").click()
        shows_page(member, 1, 2)
        back = member.get_by_role("button", name="Theo dõi người trình bày")
        expect(back.get_by_test_id("presenter-page")).to_have_text("(trang 2)")
        back.click()
        shows_page(member, 2, 2)
        expect(member.get_by_test_id("follow-state")).to_have_text("● Theo dõi người trình bày")
