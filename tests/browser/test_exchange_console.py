"""The clerk's exchange console (issue 17, point 7): two documents sent to a commune's own
system that never answered fail with the reason shown; the clerk sends one again and
cancels the other, and the cancelled recipient says so on the document. The page passes
axe and fits a phone with its rows in it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from documents.exchange.sender import send_once
from ecabinet.app import create_app
from ecabinet.core import migrate
from ecabinet.core.db import make_engine
from ecabinet.core.settings import Settings
from ecabinet.core.storage import open_store
from ecabinet.demo.pdfs import demo_documents
from tests.browser.axe import no_serious_violations
from tests.browser.people import official
from tests.browser.phone import PHONE, overflow, small_targets
from tests.browser.test_dispatch_directory import COMMUNE, COMMUNE_CODE, Api
from tests.conftest import make_settings
from tests.support.live import free_port, serve

pytestmark = pytest.mark.browser


@dataclasses.dataclass
class Server:
    base: str
    settings: Settings
    send: Callable[[], int]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo province, with the commune's own system configured as a peer that never
    answers, no exchange key of its own and no background sender: rows stay as the test
    leaves them."""
    from ecabinet.demo.seed import seed

    data = tmp_path_factory.mktemp("exchange-live")
    settings = make_settings(
        data,
        f"sqlite:///{data / 'live.db'}",
        demo_mode="true",
        login_max_failures="20",
        exchange_peers=f"{COMMUNE_CODE} http://127.0.0.1:{free_port()} {data / 'commune.pem'}",
        exchange_send_seconds="0",
        exchange_max_attempts="1",
    )
    engine = make_engine(settings)
    migrate.upgrade(engine)
    store = open_store(settings)
    seed(engine, store, settings)
    with serve(create_app(settings, engine=engine, store=store)) as base:
        yield Server(base, settings, lambda: send_once(engine, store, settings))
    engine.dispose()


def _sent(browser: Browser, base: str, abstract: str) -> int:
    """An outgoing document signed on paper, issued and sent to the commune's system."""
    drafter = Api(browser, base, "chuyenvien")
    types = {t["code"]: t["id"] for t in drafter.get("/document-types")["items"]}
    file_id = drafter.post(
        f"/files?agency_id={drafter.agency_id}&filename=cong-van.pdf",
        data=demo_documents()[0].pdf(),
        headers={"Content-Type": "application/pdf"},
    )["id"]
    body = {"agency_id": drafter.agency_id, "type_id": types["CV"], "abstract": abstract}
    doc_id: int = drafter.post(
        "/documents/outgoing", data=body | {"file_id": file_id, "electronic": False}
    )["id"]
    drafter.post(f"/documents/{doc_id}/submit")
    leader = Api(browser, base, "chutich")
    Api(browser, base, "chanhvanphong").post(
        f"/documents/{doc_id}/review", data={"leader_id": leader.get("/auth/me")["user"]["id"]}
    )
    leader.post(f"/documents/{doc_id}/approve")
    leader.post(f"/documents/{doc_id}/signed-on-paper")
    clerk = Api(browser, base, "vanthu")
    clerk.post(f"/documents/{doc_id}/issue", data={})
    recipient = {"method": "edxml", "name": COMMUNE, "organ_id": COMMUNE_CODE}
    clerk.post(f"/documents/{doc_id}/dispatch", data={"recipients": [recipient]})
    return doc_id


FIRST = "Công văn liên thông thứ nhất (lượt thử E)"
SECOND = "Công văn liên thông thứ hai (lượt thử E)"


def _row(page: Page, abstract: str) -> Locator:
    return page.get_by_test_id("outbox").get_by_role("row").filter(has_text=abstract)


def test_clerk_sees_the_reason_sends_again_and_cancels(browser: Browser, server: Server) -> None:
    base = server.base
    _sent(browser, base, FIRST)
    cancelled_id = _sent(browser, base, SECOND)
    assert server.send() == 0  # both fail at once: no key here

    with official(browser, base, "vanthu") as clerk:
        clerk.get_by_role("link", name="Liên thông văn bản").click()
        expect(clerk.get_by_role("heading", level=1)).to_have_text("Liên thông văn bản")
        expect(clerk.get_by_role("tab", name="Hộp thư đi")).to_have_attribute(
            "aria-selected", "true"
        )
        clerk.get_by_label("Trạng thái").select_option(label="Gửi lỗi")
        first, second = _row(clerk, FIRST), _row(clerk, SECOND)
        for row in (first, second):
            expect(row.get_by_test_id("stage")).to_have_text("Gửi lỗi")
            expect(row.get_by_test_id("reason")).to_contain_text(
                "Hệ thống chưa được cấu hình khóa ký liên thông"
            )
            expect(row).to_contain_text(COMMUNE_CODE)
        no_serious_violations(clerk)

        first.get_by_role("button", name="Gửi lại").click()
        expect(clerk.get_by_role("status")).to_have_text("Đã đưa vào hàng đợi gửi lại.")
        expect(first).to_have_count(0)  # no longer failed
        clerk.get_by_label("Trạng thái").select_option(label="Đang gửi lại")
        expect(_row(clerk, FIRST).get_by_test_id("stage")).to_have_text("Đang gửi lại")
        expect(_row(clerk, FIRST).get_by_role("button", name="Gửi lại")).to_have_count(0)

        clerk.get_by_label("Trạng thái").select_option(label="Tất cả")
        clerk.once("dialog", lambda dialog: dialog.accept())
        _row(clerk, SECOND).get_by_role("button", name="Hủy gửi").click()
        expect(clerk.get_by_role("status")).to_have_text("Đã hủy gửi.")
        expect(_row(clerk, SECOND).get_by_test_id("stage")).to_have_text("Đã hủy")
        expect(_row(clerk, SECOND).get_by_role("button")).to_have_count(0)

        # The inbox tab: nothing came back from anyone yet.
        clerk.get_by_role("tab", name="Hộp thư đến").click()
        expect(clerk.get_by_role("tabpanel")).to_contain_text("Không có thư nào.")

        # The document's recipient shows it, with its first hop.
        clerk.goto(f"{base}/documents/{cancelled_id}")
        recipients = clerk.get_by_test_id("recipients")
        expect(recipients.get_by_test_id("delivery")).to_contain_text("Đã hủy")
        expect(recipients.get_by_test_id("hops")).to_contain_text("Vào hàng đợi gửi")

    detail = Api(browser, base, "vanthu").get(f"/documents/{cancelled_id}")
    assert [(r["delivery"], r["stage"]) for r in detail["recipients"]] == [
        ("cancelled", "cancelled")
    ]

    # The console with its rows fits a phone and passes axe there too.
    with official(browser, base, "vanthu", PHONE) as phone:
        phone.goto(f"{base}/exchange")
        expect(_row(phone, SECOND)).to_be_visible()
        assert overflow(phone) == 0
        assert small_targets(phone) == []
        no_serious_violations(phone)


def test_a_leader_has_no_console(browser: Browser, server: Server) -> None:
    with official(browser, server.base, "chutich") as leader:
        expect(leader.get_by_role("link", name="Liên thông văn bản")).to_have_count(0)
        r = Api(browser, server.base, "chutich").request.get(
            server.base + "/api/v1/exchange/outbox"
        )
        assert r.status == 403
