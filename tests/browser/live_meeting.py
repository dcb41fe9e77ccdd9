"""The demo province served with Socket.IO (the app the tablets use), and the steps of the
meeting screens that the browser tests share."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfWriter

from ecabinet.demo.pdfs import demo_documents

TABLET_WIDE = (1280, 800)
TABLET_SMALL = (1024, 768)
SLOW = 60_000  # signing runs on the server


@pytest.fixture(scope="module")
def meeting_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn serving the app and its Socket.IO endpoint, the demo province seeded.
    The public base URL is the served one: the browsers' WebSocket origin must match it."""
    from ecabinet.app import FRONTEND_DIST, create_asgi
    from ecabinet.core import migrate
    from ecabinet.core.db import make_engine
    from ecabinet.core.storage import open_store
    from ecabinet.demo.seed import seed
    from tests.conftest import make_settings
    from tests.support.databases import own_database
    from tests.support.live import free_port, serve

    if not (FRONTEND_DIST / "sw.js").exists():
        pytest.fail("the web app is not built: run `make test` (it runs `npm run build`)")
    port = free_port()
    data = tmp_path_factory.mktemp("meeting")
    with own_database(data) as url:
        settings = make_settings(
            data,
            url,
            demo_mode="true",
            login_max_failures="50",
            public_base_url=f"http://127.0.0.1:{port}",
        )
        engine = make_engine(settings)
        migrate.upgrade(engine)
        store = open_store(settings)
        seed(engine, store, settings)
        with serve(create_asgi(settings, engine=engine, store=store), port=port) as base:
            yield base
        engine.dispose()


def two_page_pdf(first: int, second: int) -> bytes:
    """Two demo documents as one PDF of two pages (to turn a page)."""
    writer = PdfWriter()
    for index in (first, second):
        writer.append(io.BytesIO(demo_documents()[index].pdf()))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_files(tmp_path: Path) -> list[Path]:
    """Two meeting documents: a report of two pages and a submission of one."""
    report = tmp_path / "Bao cao kinh te xa hoi.pdf"
    report.write_bytes(two_page_pdf(0, 1))
    submission = tmp_path / "To trinh du an duong tinh 941.pdf"
    submission.write_bytes(demo_documents()[2].pdf())
    return [report, submission]


class Rest:
    """The JSON API as a logged-in browser context uses it (its session cookie and CSRF
    token): for preparing what a test is not about."""

    def __init__(self, page: Page, base: str) -> None:
        self.page, self.base = page, base
        me = page.request.get(f"{base}/api/v1/auth/me").json()
        self.user_id: int = me["user"]["id"]
        self.agency_id: int = me["memberships"][0]["agency"]["id"]
        self.headers = {"X-CSRF-Token": me["csrf_token"]}

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        r = self.page.request.post(
            f"{self.base}/api/v1{path}", data=body or {}, headers=self.headers
        )
        assert r.ok, r.text()
        return r.json()

    def get(self, path: str) -> Any:
        r = self.page.request.get(f"{self.base}/api/v1{path}")
        assert r.ok, r.text()
        return r.json()

    def upload(self, path: Path) -> str:
        r = self.page.request.post(
            f"{self.base}/api/v1/files?agency_id={self.agency_id}&filename={path.name}",
            data=path.read_bytes(),
            headers={**self.headers, "Content-Type": "application/pdf"},
        )
        assert r.ok, r.text()
        file_id: str = r.json()["id"]
        return file_id

    def person(self, full_name: str) -> int:
        people = self.get(f"/agencies/{self.agency_id}/directory")["people"]
        return int(next(p["id"] for p in people if p["full_name"] == full_name))


def enter_room(page: Page, base: str, meeting_id: int) -> None:
    page.goto(f"{base}/meetings/{meeting_id}/room")
    expect(page.get_by_test_id("link-state")).to_have_text("Đã kết nối")


def check_in(page: Page) -> None:
    page.get_by_role("tab", name="Thành phần").click()
    page.get_by_role("button", name="Điểm danh: tôi có mặt").click()
    expect(page.get_by_role("button", name="Điểm danh: tôi có mặt")).to_have_count(0)


def current_layer(page: Page) -> Locator:
    """The annotation layer of the page the reader is on."""
    return page.locator(".page-sheet[data-current=true] [data-testid=annotation-layer]")


def draw_stroke(page: Page) -> None:
    """A finger stroke across the shown page (mouse events become pointer events)."""
    box = current_layer(page).bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.3
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + step * box["width"] * 0.04, y + (step % 3) * 6)
    page.mouse.up()


def page_canvas(page: Page, number: int) -> Locator:
    """The drawn canvas of one page of the reader's column (absent while off screen)."""
    return page.locator(f"[data-testid=page-canvas][data-page='{number}']")


def shows_page(page: Page, number: int, of: int) -> None:
    expect(page.get_by_test_id("viewer-page")).to_have_text(f"Trang {number} / {of}")
    expect(page_canvas(page, number)).to_have_attribute("data-drawn", "true")


def meeting_id_of(page: Page) -> int:
    match = re.search(r"/meetings/(\d+)", page.url)
    assert match, page.url
    return int(match.group(1))
