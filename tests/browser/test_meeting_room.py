"""A paperless meeting walked on tablets, one browser context each: the secretary prepares
it; the chair runs it; two members follow the agenda and the presenter's pages, share an
annotation, vote by secret ballot; the minutes are generated, signed by the secretary and
the chair, and checked with poppler's pdfsig. Then a tablet loses the Wi-Fi: the meeting's
documents still open, and a note drawn offline reaches the other tablet once it is back.
Last, a tablet that knows it is behind the server (an event lost on the way, no heartbeat)
says so ("Chưa cập nhật — đang đồng bộ lại") instead of "Đã kết nối", and catches up."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from ecabinet.demo import DEMO_PIN
from tests.browser.live_meeting import (
    SLOW,
    TABLET_SMALL,
    TABLET_WIDE,
    Rest,
    check_in,
    current_layer,
    draw_stroke,
    enter_room,
    meeting_id_of,
    meeting_server,
    pdf_files,
    shows_page,
)
from tests.browser.people import official
from tests.signing.checks import pdfsig

pytestmark = pytest.mark.browser
__all__ = ["meeting_server"]  # the fixture, imported for pytest

CHAIR = "Nguyễn Thanh Bình — Chủ tịch Ủy ban nhân dân tỉnh"
MEMBER_A = "Trần Thị Mai — Phó Chủ tịch Ủy ban nhân dân tỉnh"
MEMBER_B = "Đặng Quốc Việt — Giám đốc Sở"
ITEMS = ("Báo cáo tình hình kinh tế - xã hội năm 2026", "Tờ trình dự án đường tỉnh 941")
REPORT, SUBMISSION = "Bao cao kinh te xa hoi", "To trinh du an duong tinh 941"


def prepare(secretary: Page, files: list[Path]) -> int:
    """The secretary organises the meeting on the screens: members, agenda, PDFs,
    invitations."""
    secretary.get_by_role("navigation").get_by_role("link", name="Cuộc họp").click()
    secretary.get_by_role("button", name="Tạo cuộc họp").click()
    secretary.get_by_label("Tên cuộc họp").fill(
        "Phiên họp thường kỳ tháng 12 (thử trên máy tính bảng)"
    )
    secretary.get_by_label("Thời gian bắt đầu").fill("2026-12-01T08:00")
    secretary.get_by_label("Địa điểm").fill("Phòng họp số 1, UBND tỉnh")
    secretary.get_by_label("Người chủ trì").select_option(label=CHAIR)
    expect(secretary.get_by_label("Thư ký")).to_have_value(re.compile(r"\d+"))
    secretary.get_by_role("button", name="Tạo cuộc họp", exact=True).click()
    expect(secretary).to_have_url(re.compile(r"/meetings/\d+$"))
    expect(secretary.get_by_test_id("meeting-state")).to_have_text("Dự thảo")
    for member in (MEMBER_A, MEMBER_B):
        secretary.get_by_label("Mời người dự họp").select_option(label=member)
        secretary.get_by_role("button", name="Mời", exact=True).click()
        expect(
            secretary.get_by_role("row").filter(has_text=member.split(" — ")[0])
        ).to_contain_text("Thành viên")
    for title, pdf in zip(ITEMS, files, strict=True):
        secretary.get_by_label("Nội dung", exact=True).fill(title)
        secretary.get_by_role("button", name="Thêm nội dung họp").click()
        expect(secretary.get_by_role("listitem").filter(has_text=title)).to_be_visible()
        secretary.get_by_label(f"Thêm tài liệu PDF: {title}").set_input_files(pdf)
        expect(secretary.get_by_role("listitem").filter(has_text=title)).to_contain_text(pdf.stem)
    secretary.get_by_role("button", name="Gửi giấy mời").click()
    expect(secretary.get_by_test_id("meeting-state")).to_have_text("Đã gửi giấy mời")
    return meeting_id_of(secretary)


def test_meeting_on_three_tablets(browser: Browser, meeting_server: str, tmp_path: Path) -> None:
    base = meeting_server
    with (
        official(browser, base, "chanhvanphong", TABLET_WIDE) as secretary,
        official(browser, base, "chutich", TABLET_WIDE) as chair,
        official(browser, base, "phochutich", TABLET_SMALL) as member_a,
        official(browser, base, "giamdoc.stttt", TABLET_WIDE) as member_b,
    ):
        meeting_id = prepare(secretary, pdf_files(tmp_path))
        members = (member_a, member_b)
        # A member answers the invitation, then enters the room from the meeting's page.
        member_a.goto(f"{base}/meetings/{meeting_id}")
        expect(member_a.get_by_label("Tham dự", exact=True)).to_be_checked()
        member_a.get_by_role("button", name="Gửi trả lời").click()
        expect(member_a.get_by_text("Đã gửi trả lời.")).to_be_visible()
        expect(member_a.get_by_role("row").filter(has_text="Trần Thị Mai")).to_contain_text(
            "Tham dự"
        )
        member_a.get_by_role("button", name="Vào phòng họp").click()
        expect(member_a.get_by_test_id("link-state")).to_have_text("Đã kết nối")
        for page in (chair, *members):
            if page is not member_a:
                enter_room(page, base, meeting_id)
            check_in(page)
        expect(chair.get_by_test_id("quorum")).to_contain_text("Có mặt: 3/3")

        # The chair opens the meeting: the members' screens show the first item's report.
        chair.get_by_role("tab", name="Điều hành").click()
        chair.get_by_role("button", name="Bắt đầu cuộc họp").click()
        for page in members:
            expect(page.get_by_test_id("meeting-state")).to_have_text("Đang họp")
            expect(page.get_by_test_id("current-item")).to_contain_text(ITEMS[0])
            expect(page.get_by_test_id("viewer-doc-title")).to_have_text(REPORT)
            expect(page.get_by_test_id("follow-state")).to_have_text("● Theo dõi người trình bày")
            shows_page(page, 1, 2)

        # The chair presents and turns the page; the members follow it.
        chair.get_by_label("Trình chiếu cho mọi người").check()
        chair.get_by_role("button", name="Trang sau").click()
        for page in members:
            shows_page(page, 2, 2)
        # A member turning back leaves follow mode, and rejoins with one button.
        member_b.get_by_role("button", name="Trang trước").click()
        shows_page(member_b, 1, 2)
        member_b.get_by_role("button", name="Theo dõi người trình bày").click()
        shows_page(member_b, 2, 2)

        # The chair moves the agenda: the members' screens go to the second item.
        chair.get_by_role("button", name=f"Chuyển đến nội dung này: {ITEMS[1]}").click()
        for page in members:
            expect(page.get_by_test_id("current-item")).to_contain_text(ITEMS[1])
            expect(page.get_by_test_id("viewer-doc-title")).to_have_text(SUBMISSION)
            shows_page(page, 1, 1)

        # Member B asks for the floor; the chair gives it and ends it.
        member_b.get_by_role("tab", name="Phát biểu").click()
        member_b.get_by_role("button", name="Đăng ký phát biểu").click()
        chair.get_by_role("tab", name="Phát biểu").click()
        expect(chair.get_by_test_id("speaker-queue")).to_contain_text("Đặng Quốc Việt")
        chair.get_by_role("button", name="Mời phát biểu").click()
        for page in (chair, member_a, member_b):
            page.get_by_role("tab", name="Phát biểu").click()
            expect(page.get_by_test_id("current-speaker")).to_contain_text(
                re.compile(r"Đặng Quốc Việt đang phát biểu \d\d:\d\d")
            )
        chair.get_by_role("button", name="Kết thúc phát biểu").click()
        expect(member_a.get_by_test_id("current-speaker")).to_have_text("Chưa có ai phát biểu.")
        chair.get_by_role("tab", name="Điều hành").click()

        # Member A draws a stroke shared with everyone; member B sees it arrive.
        member_a.get_by_label("Ai được xem ghi chú").select_option(label="Mọi người dự họp")
        member_a.get_by_role("button", name="Bút", exact=True).click()
        # The room's event names the stroke (id and revision); member B's tablet fetches it.
        fetched = re.compile(rf"/api/v1/meetings/{meeting_id}/annotations/\d+$")
        with member_b.expect_response(lambda r: bool(fetched.search(r.url))) as arrival:
            draw_stroke(member_a)
        assert arrival.value.json()["body"]["points"]
        mine = member_a.get_by_test_id("annotation")
        expect(mine).to_have_count(1)
        expect(mine).to_have_attribute("data-pending", "false")
        theirs = member_b.get_by_test_id("annotation")
        expect(theirs).to_have_count(1)
        expect(theirs).to_have_attribute("data-kind", "ink")
        expect(theirs).to_have_attribute("data-mine", "false")
        # The chair, presenting, went with the agenda: the stroke is on their page too.
        expect(chair.get_by_test_id("viewer-doc-title")).to_have_text(SUBMISSION)
        expect(chair.get_by_test_id("annotation")).to_have_count(1)

        # Member B highlights for member A only; member A keeps a note to herself.
        member_b.get_by_label("Ai được xem ghi chú").select_option(label="Người được chọn")
        member_b.get_by_role("group", name="Chia sẻ với").get_by_label("Trần Thị Mai").check()
        member_b.get_by_role("button", name="Tô sáng", exact=True).click()
        draw_stroke(member_b)
        expect(member_a.locator("[data-testid=annotation][data-kind=highlight]")).to_have_count(1)
        member_a.get_by_label("Ai được xem ghi chú").select_option(label="Chỉ mình tôi")
        member_a.get_by_role("button", name="Ghi chú", exact=True).click()
        box = current_layer(member_a).bounding_box()
        assert box is not None
        member_a.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.2)
        member_a.get_by_role("dialog").get_by_label("Nội dung ghi chú").fill("Hỏi thêm về kinh phí")
        member_a.get_by_role("dialog").get_by_role("button", name="Lưu").click()
        expect(member_a.get_by_test_id("annotation")).to_have_count(3)
        expect(member_a.locator("[data-kind=note]")).to_contain_text("Hỏi thêm về kinh phí")
        expect(member_a.locator("[data-kind=note]")).to_have_attribute("data-pending", "false")
        expect(member_b.get_by_test_id("annotation")).to_have_count(2)  # not the note
        expect(chair.get_by_test_id("annotation")).to_have_count(1)  # only the shared stroke
        with member_a.expect_download() as copy:
            member_a.get_by_role("link", name="Tải bản có ghi chú của tôi").click()
        annotated = tmp_path / "ban-ghi-chu.pdf"
        copy.value.save_as(annotated)
        text = subprocess.run(
            ["pdftotext", str(annotated), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Hỏi thêm về kinh phí" in text  # my private note is in my copy

        # Before a secret vote, the guardians' key ceremony: the chair designates the chair,
        # the secretary and the first member; each tablet makes its key part and keeps it.
        enter_room(secretary, base, meeting_id)
        guardians = (chair, secretary, member_a)
        for page in guardians:
            page.get_by_role("tab", name="Biểu quyết").click()
        chair.get_by_test_id("designate").click()
        for step in ("guardian-announce", "guardian-shares", "guardian-confirm"):
            for page in guardians:
                page.get_by_test_id(step).click()
                expect(page.get_by_test_id(step)).to_have_count(0)
        fingerprint = re.compile(r"^([0-9A-F]{4} ){4}[0-9A-F]{4}$")
        for page in guardians:
            expect(page.get_by_test_id("fingerprint")).to_have_text(fingerprint)
        shown = {page.get_by_test_id("fingerprint").inner_text() for page in guardians}
        assert len(shown) == 1  # the same key on every tablet
        chair.get_by_role("tab", name="Điều hành").click()

        # A secret vote: both members vote (encrypted on their tablets), two guardians
        # decrypt the total, everyone sees the result and can check the record.
        chair.get_by_label("Nội dung biểu quyết").fill("Thông qua Tờ trình dự án đường tỉnh 941?")
        chair.get_by_label("Bỏ phiếu kín").check()
        chair.get_by_role("button", name="Mở biểu quyết", exact=True).click()
        for page in members:
            vote = page.get_by_test_id("open-vote")
            expect(vote).to_contain_text("Thông qua Tờ trình dự án đường tỉnh 941?")
            expect(vote).to_contain_text("Bỏ phiếu kín")
            vote.get_by_role("button", name="Tán thành", exact=True).click()
            expect(page.get_by_test_id("receipt")).to_have_text(re.compile(r"^[\w-]{8,}$"))
        expect(chair.get_by_test_id("console-count")).to_have_text("Số phiếu đã bỏ: 2 / 3")
        expect(member_a.get_by_test_id("vote-count")).to_have_text("Số phiếu đã bỏ: 2 / 3")
        chair.get_by_role("button", name="Kết thúc biểu quyết").click()
        chair.get_by_role("tab", name="Biểu quyết").click()
        for page in (chair, member_a):  # the secretary's tablet is not needed: 2 of 3
            page.get_by_role("tab", name="Biểu quyết").click()
            page.get_by_test_id("decrypt").click()
        for page in (chair, *members):
            result = page.get_by_test_id("vote-result")
            expect(result.get_by_test_id("vote-outcome")).to_have_text("Thông qua")
            expect(result).to_contain_text("Tán thành: 2")
            expect(result).to_contain_text("Không tán thành: 0")
        member_b.get_by_test_id("verify-record").click()
        expect(member_b.get_by_test_id("record-report")).to_contain_text(
            "Hồ sơ hợp lệ: mọi chứng minh đều đúng (2 / 0 / 0) · phiếu của bạn có trong hồ sơ"
        )

        # The chair ends the meeting.
        chair.get_by_role("tab", name="Điều hành").click()
        chair.get_by_role("button", name="Kết thúc cuộc họp").click()
        chair.get_by_role("button", name="Kết thúc ngay").click()
        for page in (chair, *members):
            expect(page.get_by_test_id("meeting-state")).to_have_text("Đã kết thúc")

        # The secretary generates the minutes and signs; then the chair signs.
        secretary.goto(f"{base}/meetings/{meeting_id}/minutes")
        secretary.get_by_role("textbox", name="Kết luận của cuộc họp").fill(
            "Thống nhất thông qua Tờ trình dự án đường tỉnh 941; giao Sở Giao thông vận tải"
            " hoàn thiện hồ sơ."
        )
        secretary.get_by_role("button", name="Tạo biên bản").click()
        expect(secretary.get_by_test_id("minutes-state")).to_have_text("Chưa ký", timeout=SLOW)
        secretary.get_by_role("button", name="Ký với tư cách thư ký").click()
        dialog = secretary.get_by_role("dialog")
        expect(dialog.get_by_role("group", name="Chứng thư số")).to_contain_text("Cấp bởi")
        dialog.get_by_label("Mã PIN ký số").fill(DEMO_PIN)
        dialog.get_by_role("button", name="Ký biên bản").click()
        expect(secretary.get_by_test_id("minutes-state")).to_have_text("Thư ký đã ký", timeout=SLOW)

        chair.get_by_role("button", name="Biên bản họp").click()
        chair.get_by_role("button", name="Ký với tư cách người chủ trì").click()
        chair.get_by_role("dialog").get_by_label("Mã PIN ký số").fill(DEMO_PIN)
        chair.get_by_role("dialog").get_by_role("button", name="Ký biên bản").click()
        expect(chair.get_by_test_id("minutes-state")).to_have_text(
            "Đã ký đủ (thư ký và chủ trì)", timeout=SLOW
        )
        expect(chair.get_by_test_id("minutes-signatures").get_by_role("listitem")).to_have_count(2)
        with chair.expect_download() as download:
            chair.get_by_test_id("download-minutes").click()
        minutes = tmp_path / "bien-ban.pdf"
        download.value.save_as(minutes)
        pages = chair.get_by_test_id("minutes-pages").get_by_test_id("page-canvas")
        expect(pages).to_have_count(2)  # the minutes, drawn by pdf.js
        for index in range(2):
            expect(pages.nth(index)).to_have_attribute("data-drawn", "true")

        # The conclusion notice becomes an outgoing draft on the documents screens.
        chair.get_by_role("button", name="Tạo dự thảo thông báo kết luận").click()
        expect(chair).to_have_url(re.compile(r"/documents/\d+$"))
        expect(chair.get_by_test_id("doc-state")).to_have_text("Dự thảo")
    assert minutes.read_bytes().startswith(b"%PDF-")
    assert pdfsig(minutes).count("Signature Validation: Signature is Valid.") == 2


def test_documents_and_notes_without_wifi(
    browser: Browser, meeting_server: str, tmp_path: Path
) -> None:
    base = meeting_server
    report, submission = pdf_files(tmp_path)
    with (
        official(browser, base, "chanhvanphong", TABLET_WIDE) as secretary,
        official(browser, base, "phochutich", TABLET_SMALL) as member_a,
        official(browser, base, "giamdoc.stttt", TABLET_WIDE) as member_b,
    ):
        # Prepared over the API: this test is about the tablets.
        api = Rest(secretary, base)
        ids = {name: api.person(name.split(" — ")[0]) for name in (CHAIR, MEMBER_A, MEMBER_B)}
        meeting = api.post(
            "/meetings",
            {
                "agency_id": api.agency_id,
                "title": "Họp giao ban (thử mất mạng)",
                "starts_at": "2026-12-02T08:00:00+07:00",
                "chair_id": ids[CHAIR],
                "secretary_id": api.user_id,
            },
        )
        url = f"/meetings/{meeting['id']}"
        for name in (MEMBER_A, MEMBER_B):
            api.post(url + "/participants", {"user_id": ids[name]})
        item = api.post(url + "/items", {"title": ITEMS[0]})["agenda"][0]["id"]
        for pdf in (report, submission):
            api.post(
                f"{url}/items/{item}/documents", {"file_id": api.upload(pdf), "title": pdf.stem}
            )
        api.post(url + "/schedule")
        for person in ids.values():
            api.post(url + "/check-in", {"user_id": person, "status": "present"})
        api.post(url + "/start")

        for page in (member_a, member_b):
            enter_room(page, base, meeting["id"])
            shows_page(page, 1, 2)
        expect(member_a.get_by_test_id("kept-documents")).to_have_text(
            "Tài liệu đã lưu trên máy: 2/2"
        )
        shell = member_a.evaluate(
            """async () => {
                await navigator.serviceWorker.ready;
                const cache = await caches.open("ecabinet-shell-v1");
                return [Boolean(await cache.match("/")), (await cache.keys()).length];
            }"""
        )
        assert shell[0] is True and shell[1] >= 3  # the page, its script and its styles
        kept = member_a.evaluate(
            """async () => {
                const names = (await caches.keys()).filter((n) => n.startsWith("ecabinet-docs-"));
                const cache = await caches.open(names[0]);
                return [names.length, (await cache.keys()).map((r) => new URL(r.url).pathname)];
            }"""
        )
        assert kept[0] == 1 and len(kept[1]) == 2
        assert all(re.fullmatch(r"/api/v1/meetings/\d+/documents/\d+/content", p) for p in kept[1])

        # The Wi-Fi drops: the document not opened yet still opens, from the device.
        member_a.context.set_offline(True)
        expect(member_a.get_by_test_id("link-state")).to_have_text("Mất kết nối — đang thử lại")
        member_a.get_by_role("tab", name=submission.stem).click()
        shows_page(member_a, 1, 1)
        member_a.get_by_label("Ai được xem ghi chú").select_option(label="Mọi người dự họp")
        member_a.get_by_role("button", name="Bút", exact=True).click()
        draw_stroke(member_a)
        note = member_a.get_by_test_id("annotation")
        expect(note).to_have_attribute("data-pending", "true")
        expect(member_a.get_by_test_id("unsynced")).to_have_text("1 ghi chú chưa đồng bộ")

        member_b.get_by_role("tab", name=submission.stem).click()
        shows_page(member_b, 1, 1)
        member_b.wait_for_timeout(1000)
        expect(member_b.get_by_test_id("annotation")).to_have_count(0)

        # Back online: the queued note is sent and reaches the other tablet.
        member_a.context.set_offline(False)
        expect(member_a.get_by_test_id("link-state")).to_have_text("Đã kết nối")
        expect(member_a.get_by_test_id("unsynced")).to_have_count(0)
        expect(note).to_have_attribute("data-pending", "false")
        arrived = member_b.get_by_test_id("annotation")
        expect(arrived).to_have_count(1)
        expect(arrived).to_have_attribute("data-kind", "ink")
        client_id = note.get_attribute("data-client-id")
        expect(arrived).to_have_attribute("data-client-id", client_id or "missing")


DEMO_MEETING = "Phiên họp thường kỳ UBND tỉnh tháng 12 năm 2026"
CONNECTED, BEHIND = "Đã kết nối", "Chưa cập nhật — đang đồng bộ lại"
BEATS = 30_000  # ms: several of the server's heartbeats (ECABINET_HEARTBEAT_SECONDS=5)


class Link:
    """The tablet's socket through a route that can drop what the server sends (as an
    event lost on the way, Redis away, is) and hold the answers to its requests."""

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


def _until(page: Page, done: Callable[[], bool], timeout_ms: int = BEATS) -> None:
    """Wait, letting Playwright deliver the socket's messages, until ``done()``."""
    waited = 0
    while not done():
        assert waited < timeout_ms, "timed out"
        page.wait_for_timeout(50)
        waited += 50


def test_a_tablet_behind_the_server_says_so_and_catches_up(
    browser: Browser, meeting_server: str
) -> None:
    """On the demo's coming meeting (the other tests here make meetings of their own)."""
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
        # The event never came; the catch-up's answer is held (the tablet says it is behind
        # as soon as the heartbeat shows the gap, before that answer is on its way).
        _until(member, lambda: bool(link.dropped and link.held))
        expect(status).to_have_text(BEHIND)
        link.drop = ()
        link.release()
        expect(status).to_have_text(CONNECTED, timeout=BEATS)

        # No heartbeat for three beats: the tablet cannot know it is current.
        link.drop = ("heartbeat",)
        expect(status).to_have_text(BEHIND, timeout=BEATS)
        link.drop = ()
        expect(status).to_have_text(CONNECTED, timeout=BEATS)
