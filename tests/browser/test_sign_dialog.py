"""The sign dialog speaks to a leader (issue 14, points 8 and 9): the certificate by name,
title, issuer and validity (never a distinguished name), no page or coordinate fields, the
PIN, and a preview of the page with the signature box where the system puts it (between
the printed title and name), dragged as a correction; on a 390×844 phone and at 1280×800."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from ecabinet.demo import DEMO_PIN
from tests.browser.people import official
from tests.browser.test_documents_screens import INKED, search

SLOW = 60_000  # signing runs on the server
DOC = "Chỉ thị về tăng cường bảo đảm an toàn"
pytestmark = pytest.mark.browser


def _open(leader: Page) -> Locator:
    leader.get_by_role("navigation").get_by_role("link", name="Văn bản đi", exact=True).click()
    search(leader, "an toàn thông tin mạng")
    row = leader.get_by_role("row").filter(has_text=DOC)
    expect(row).to_contain_text("Đã duyệt, chờ ký")
    row.get_by_role("link").click()
    leader.get_by_role("main").get_by_role("button", name="Ký số", exact=True).click()
    dialog = leader.get_by_role("dialog")
    expect(dialog.get_by_test_id("sign-canvas")).to_have_attribute(
        "data-drawn", "true", timeout=SLOW
    )
    return dialog


def _box(dialog: Locator) -> list[float]:
    label = dialog.get_by_test_id("sign-box").get_attribute("aria-label") or ""
    return [float(v) for v in label.split(":", 1)[1].split(",")]


def _speaks_to_a_leader(dialog: Locator) -> None:
    card = dialog.get_by_role("group", name="Chứng thư số")
    expect(card).to_contain_text("Nguyễn Thanh Bình")
    expect(card).to_contain_text("Chủ tịch")
    expect(card).to_contain_text(re.compile(r"Cấp bởi: \S"))
    expect(card).to_contain_text(re.compile(r"Hiệu lực: \d\d/\d\d/\d{4} – \d\d/\d\d/\d{4}"))
    assert not re.search(r"\b(CN|O|OU|C|ST|L)=", dialog.inner_text())  # no raw DN
    expect(dialog.locator("input[type=number]")).to_have_count(0)  # no page, no x1…y2
    expect(dialog.get_by_label("Mã PIN ký số")).to_be_visible()
    expect(dialog.get_by_test_id("sign-place-help")).to_contain_text(
        "giữa chức vụ và họ tên của bạn"
    )
    canvas = dialog.get_by_test_id("sign-canvas")
    assert canvas.evaluate(INKED) > 500
    # The box lies on the drawn page, in the signer's column (the right half).
    page_box, box = canvas.bounding_box(), dialog.get_by_test_id("sign-box").bounding_box()
    assert page_box and box
    assert page_box["x"] + page_box["width"] / 2 < box["x"] + box["width"] / 2
    assert box["x"] + box["width"] <= page_box["x"] + page_box["width"] + 1
    assert (
        page_box["y"] <= box["y"]
        and box["y"] + box["height"] <= page_box["y"] + page_box["height"] + 1
    )


def test_the_sign_dialog_on_a_phone_then_on_a_desktop(browser: Browser, live_server: str) -> None:
    with official(browser, live_server, "chutich", size=(390, 844)) as phone:
        dialog = _open(phone)
        _speaks_to_a_leader(dialog)
        # Nothing wider than the phone: the page preview shrinks to fit.
        assert dialog.evaluate("d => d.scrollWidth <= d.clientWidth + 1")
        canvas = dialog.get_by_test_id("sign-canvas").bounding_box()
        assert canvas and canvas["x"] >= 0 and canvas["x"] + canvas["width"] <= 390
        # Dragging corrects the system's place (with a finger's worth of steps).
        before = _box(dialog)
        handle = dialog.get_by_test_id("sign-box")
        handle.scroll_into_view_if_needed()
        box = handle.bounding_box()
        assert box
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        phone.mouse.move(cx, cy)
        phone.mouse.down()
        phone.mouse.move(cx - 30, cy - 30, steps=5)
        phone.mouse.up()
        after = _box(dialog)
        assert after[0] < before[0] - 10 and after[3] > before[3] + 10  # left and up
        # A wrong PIN: the server's message, nothing signed; the buttons reachable.
        dialog.get_by_label("Mã PIN ký số").fill("000000")
        submit = dialog.get_by_role("button", name="Ký số", exact=True)
        submit.scroll_into_view_if_needed()
        submit.click()
        expect(dialog.get_by_role("alert")).to_contain_text("Sai mã PIN ký số", timeout=SLOW)
        expect(phone.get_by_test_id("doc-state")).to_have_text("Đã duyệt, chờ ký")

    with official(browser, live_server, "chutich", size=(1280, 800)) as desktop:
        dialog = _open(desktop)
        _speaks_to_a_leader(dialog)
        dialog.get_by_label("Mã PIN ký số").fill(DEMO_PIN)
        dialog.get_by_role("button", name="Ký số", exact=True).click()
        expect(dialog).to_have_count(0, timeout=SLOW)
        expect(desktop.get_by_test_id("doc-state")).to_have_text("Đã ký, chờ phát hành")
