"""What officials read on a device set to another time zone: dates as dd/mm/yyyy and
times as HH:mm (no seconds) in Vietnam's time, timelines and meetings naming people with
their titles, the main file downloading under the document's number, and one label per
action (recalling the issued document is not withdrawing its publication)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.live_meeting import Rest
from tests.browser.people import official

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.browser


def _vn(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(VN).strftime("%d/%m/%Y %H:%M")


def _issued_published(clerk: Rest) -> dict[str, Any]:
    """An issued document of the clerk's agency the clerk may recall, published (the
    clerk publishes one if the demo did not)."""
    query = f"flow=outgoing&state=issued&state=dispatched&agency_id={clerk.agency_id}&limit=200"
    candidates = []
    for item in clerk.get(f"/documents?{query}")["items"]:
        if item["confidentiality"] != "none" or item["number"] is None:
            continue
        detail = clerk.get(f"/documents/{item['id']}")
        if "recall" not in detail["steps"] or not any(f["kind"] == "main" for f in detail["files"]):
            continue
        if detail["publication"] and detail["publication"]["state"] == "published":
            return dict(detail)
        if detail["publication"] is None and detail["may_publish"]:
            candidates.append(detail)
    assert candidates, "the demo has no issued document to publish"
    doc_id = candidates[0]["document"]["id"]
    sector = clerk.get("/public/sectors")["items"][0]["code"]
    clerk.post(f"/documents/{doc_id}/publish", {"sector": sector, "amends": []})
    return dict(clerk.get(f"/documents/{doc_id}"))


def _no_seconds(page: Page) -> None:
    text = page.locator("main").inner_text()
    assert not re.search(r"\b\d{1,2}:\d{2}:\d{2}\b", text), text
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}T", text), text


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Tokyo"])
def test_document_page_reads_in_vietnam_time(browser: Browser, live_server: str, zone: str) -> None:
    with official(browser, live_server, "vanthu", timezone_id=zone) as page:
        assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == zone
        detail = _issued_published(Rest(page, live_server))
        d = detail["document"]
        page.goto(f"{live_server}/documents/{d['id']}")
        expect(page.get_by_test_id("number-symbol")).to_be_visible()

        timeline = page.locator("ol.timeline > li")
        expect(timeline).to_have_count(len(detail["timeline"]))
        for row, event in zip(timeline.all(), detail["timeline"], strict=True):
            expect(row).to_contain_text(_vn(event["at"]))
            if event["actor_title"]:
                expect(row).to_contain_text(f"{event['actor_name']}, {event['actor_title']}")
        issued = datetime.fromisoformat(d["issued_on"]).strftime("%d/%m/%Y")
        expect(page.locator("main")).to_contain_text(issued)
        _no_seconds(page)

        # One label per action: every button of the page names a different action.
        labels = [b.inner_text().strip() for b in page.locator("main button:visible").all()]
        assert "Thu hồi văn bản đã phát hành" in labels and "Thu hồi công khai" in labels
        assert len(labels) == len(set(labels)), labels

        with page.expect_download() as download:
            page.get_by_test_id("download-main").click()
        assert download.value.suggested_filename == d["number_symbol"].replace("/", "-") + ".pdf"


def test_tokens_and_meetings_read_in_vietnam_time(browser: Browser, live_server: str) -> None:
    with official(browser, live_server, "chutich", timezone_id="America/New_York") as page:
        rest = Rest(page, live_server)
        token = rest.post("/tokens", {"name": "Giờ Việt Nam", "scopes": ["read"]})["item"]
        meetings = rest.get("/meetings")["items"]
        assert meetings
        page.goto(f"{live_server}/meetings")
        for m in meetings[:5]:
            expect(page.locator("main")).to_contain_text(_vn(m["starts_at"]))
        _no_seconds(page)
        # The meeting's page: its time in Vietnam, its people by full name and title.
        m = meetings[0]
        seated = rest.get(f"/meetings/{m['id']}")["participants"]
        page.goto(f"{live_server}/meetings/{m['id']}")
        expect(page.locator("main")).to_contain_text(_vn(m["starts_at"]))
        for p in seated:
            expect(page.locator("main")).to_contain_text(f"{p['full_name']}, {p['title']}")
        _no_seconds(page)
        page.goto(f"{live_server}/tokens")
        row = page.get_by_role("row").filter(has_text="Giờ Việt Nam")
        expect(row).to_contain_text(_vn(token["created_at"]))
        _no_seconds(page)
