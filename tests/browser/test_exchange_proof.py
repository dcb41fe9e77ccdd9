"""The clerk sees each hop of a document sent to another system with its proof: the
peer's signed message, checked against the peer's pinned certificate, and a bundle to
download. Two deployments over real HTTP (tests.documents.test_exchange's pair)."""

from __future__ import annotations

import json

from playwright.sync_api import Browser, expect

from documents.exchange.sender import send_once
from tests.browser.axe import no_serious_violations
from tests.factories import PASSWORD
from tests.support.exchange_pair import (
    B_CODE,
    Pair,
    dispatch_to_b,
    received_docs,
    send_from_a,
)


def test_a_hop_shows_its_checked_proof(browser: Browser, pair: Pair, pdf: bytes) -> None:
    pair.start_b()
    doc_id = dispatch_to_b(pair, pdf)
    assert send_from_a(pair) == 1
    [arrived] = received_docs(pair.b)
    assert pair.b_office.step("b.clerk", arrived.id or 0, "register").status_code == 200
    assert send_once(pair.b.engine, pair.b.store, pair.b.settings) == 1

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        page.goto(pair.a.url + "/")
        page.get_by_label("Tên đăng nhập").fill("p.clerk")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.get_by_role("banner")).to_be_visible()
        page.goto(f"{pair.a.url}/documents/{doc_id}")
        hops = page.get_by_test_id("recipients").get_by_test_id("hops")
        expect(hops).to_contain_text("03")
        page.get_by_role("button", name="Bằng chứng của bước 03").click()
        proof = hops.get_by_test_id("hop-proof")
        expect(proof).to_contain_text(f"Chữ ký số của {B_CODE} hợp lệ")
        with page.expect_download() as download:
            proof.get_by_role("link", name="Tải bằng chứng (.json)").click()
        bundle = json.loads(download.value.path().read_text())
        assert (bundle["signed_by"], bundle["valid"]) == (B_CODE, True)
        assert bundle["signature"] and bundle["certificate"].startswith("-----BEGIN CERTIFICATE")
        no_serious_violations(page)
    finally:
        context.close()
