"""A recall over the exchange on the recipient list (decision 0035): the clerk recalls a
document delivered to the commune's own system; its recipient shows the hop "13 Đề nghị
thu hồi" with the reason, and once the commune refuses the recall, "16 Từ chối thu hồi"
with the commune's reason, in Vietnamese."""

from __future__ import annotations

from playwright.sync_api import Browser, expect
from sqlmodel import select

from documents.exchange.models import ExchangeOutbox
from documents.models import Recipient
from ecabinet.core.db import make_engine, session_scope
from ecabinet.core.types import utcnow
from tests.browser.people import official
from tests.browser.test_dispatch_directory import Api
from tests.browser.test_exchange_console import (  # noqa: F401  (the server fixture)
    Server,
    _sent,
    server,
)

REASON = "Ban hành sai thẩm quyền, thu hồi để ban hành lại"
REFUSAL = "exchange.recall_unknown_document: Không có văn bản đã nhận mà đề nghị thu hồi này nêu."


def test_a_recall_shows_its_hops_with_the_reasons(browser: Browser, server: Server) -> None:  # noqa: F811
    doc_id = _sent(browser, server.base, "Công văn liên thông sẽ thu hồi (lượt thử R)")
    engine = make_engine(server.settings)
    try:
        # The commune's system received it (its receipt verified): delivered.
        with session_scope(engine) as s:
            row = s.exec(select(ExchangeOutbox).where(ExchangeOutbox.document_id == doc_id)).one()
            row.state, row.delivered_at = "delivered", utcnow()
            row.document_key = "000.00.00.H99,2026/01/01,01/UBND-VP"
            s.add(row)
            recipient = s.exec(select(Recipient).where(Recipient.document_id == doc_id)).one()
            recipient.delivery, recipient.status, recipient.status_at = "delivered", "01", utcnow()
            s.add(recipient)
        Api(browser, server.base, "vanthu").post(
            f"/documents/{doc_id}/recall", data={"reason": REASON}
        )
        with official(browser, server.base, "vanthu") as clerk:
            clerk.goto(f"{server.base}/documents/{doc_id}")
            hops = clerk.get_by_test_id("recipients").get_by_test_id("hops")
            expect(hops).to_contain_text(f"13 Đề nghị thu hồi — {REASON}")
            # The commune refuses the recall, with its reason.
            with session_scope(engine) as s:
                recall = s.exec(
                    select(ExchangeOutbox).where(
                        ExchangeOutbox.document_id == doc_id, ExchangeOutbox.kind == "status"
                    )
                ).one()
                recall.state, recall.last_error = "refused", REFUSAL
                s.add(recall)
            clerk.reload()
            expect(hops).to_contain_text(f"16 Từ chối thu hồi — {REFUSAL}")
    finally:
        engine.dispose()
