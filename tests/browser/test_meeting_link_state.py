"""Issue 15, point 6: a tablet that knows it is behind the server says so ("Chưa cập nhật —
đang đồng bộ lại") instead of "Đã kết nối", and catches up. The tablet's WebSocket goes
through a route that can drop what the server sends (as an event lost on the way, Redis
away, does) and hold the answers to its requests."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, WebSocketRoute, expect

from tests.browser.live_meeting import Rest, enter_room, meeting_server
from tests.browser.people import official

pytestmark = pytest.mark.browser
__all__ = ["meeting_server"]  # the fixture, imported for pytest

DEMO_MEETING = "Phiên họp thường kỳ UBND tỉnh tháng 12 năm 2026"
CONNECTED, BEHIND = "Đã kết nối", "Chưa cập nhật — đang đồng bộ lại"
BEATS = 30_000  # ms: several of the server's heartbeats (ECABINET_HEARTBEAT_SECONDS=5)


class Link:
    """The tablet's socket, with what the server sends dropped or held on demand."""

    def __init__(self) -> None:
        self.drop: tuple[str, ...] = ()
        """Event names whose packets from the server never reach the tablet."""
        self.hold_answers = False
        self.held: list[str | bytes] = []
        self.dropped: list[str] = []
        self.page_side: WebSocketRoute | None = None

    def route(self, ws: WebSocketRoute) -> None:
        self.page_side = ws
        server = ws.connect_to_server()
        ws.on_message(server.send)
        server.on_message(self.from_server)

    def from_server(self, message: str | bytes) -> None:
        assert self.page_side is not None
        text = message if isinstance(message, str) else ""
        if any(text.startswith(f'42/meetings,["{name}"') for name in self.drop):
            self.dropped.append(text)
            return
        if self.hold_answers and text.startswith("43/meetings,"):
            self.held.append(message)
            return
        self.page_side.send(message)

    def release(self) -> None:
        assert self.page_side is not None
        self.hold_answers = False
        held, self.held = self.held, []
        for message in held:
            self.page_side.send(message)


def test_a_tablet_behind_the_server_says_so_and_catches_up(
    browser: Browser, meeting_server: str
) -> None:
    base = meeting_server
    link = Link()
    with (
        official(browser, base, "phochutich") as member,
        official(browser, base, "chanhvanphong") as secretary,
    ):
        member.route_web_socket(re.compile(r"/socket\.io/"), link.route)
        meetings = member.request.get(f"{base}/api/v1/meetings").json()["items"]
        mid = next(m["id"] for m in meetings if m["title"] == DEMO_MEETING)
        enter_room(member, base, mid)
        status = member.get_by_test_id("link-state")

        # An event lost on the way: the next heartbeat shows the gap; the tablet asks for
        # what it missed and, until the answer comes, says it is out of date.
        link.drop, link.hold_answers = ("event",), True
        rest = Rest(secretary, base)
        chair = rest.person("Nguyễn Thanh Bình")
        rest.post(f"/meetings/{mid}/check-in", {"user_id": chair, "status": "present"})
        expect(status).to_have_text(BEHIND, timeout=BEATS)
        assert link.dropped and link.held  # the event never came; the catch-up is held
        link.drop = ()
        link.release()
        expect(status).to_have_text(CONNECTED, timeout=BEATS)

        # No heartbeat for three beats: the tablet cannot know it is current.
        link.drop = ("heartbeat",)
        expect(status).to_have_text(BEHIND, timeout=BEATS)
        link.drop = ()
        expect(status).to_have_text(CONNECTED, timeout=BEATS)
