"""The exchange console (issue 17, point 7): the outbox and inbox of a clerk's agency, a
failed message with its reason, sent again or cancelled; nobody else's rows, no row of a
confidential document outside its list; each peer recipient's stage and hops on the
document. The two-deployment tests reuse :mod:`tests.documents.test_exchange`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from documents.exchange import outbox as exchange_outbox
from documents.exchange.models import ExchangeInbox, ExchangeOutbox
from documents.exchange.sender import send_once
from documents.models import Recipient
from ecabinet.core import audit
from ecabinet.core.db import session_scope
from ecabinet.core.types import utcnow
from tests.documents.office import Office, office_app
from tests.support.exchange_pair import (
    B_CODE,
    Pair,
    dispatch_to_b,
    received_docs,
    send_from_a,
)
from tests.support.live import free_port

OUTBOX = "/api/v1/exchange/outbox"


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    """One deployment whose peer B is configured but never answers, and which has no key
    of its own yet: every attempt fails, and the first one is the last."""
    peer = f"{B_CODE} http://127.0.0.1:{free_port()} {tmp_path / 'b.pem'}"
    with office_app(
        tmp_path,
        database_url,
        engine,
        exchange_peers=peer,
        exchange_send_seconds="0",
        exchange_max_attempts="1",
        confidential_documents="true",
    ) as app:
        yield app


def _sent(office: Office, pdf: bytes, abstract: str) -> int:
    return office.issue_and_send(pdf, "UBND tỉnh Bên Kia", B_CODE, abstract=abstract)


def _send(office: Office, engine: Engine, **kw: Any) -> int:
    settings = office.client.app.state.ctx.settings  # type: ignore[attr-defined]
    return send_once(engine, office.store, settings, **kw)


def _rows(office: Office, who: str = "p.clerk", query: str = "") -> list[dict[str, Any]]:
    r = office.get(who, OUTBOX + query)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def audit_actions(engine: Engine) -> list[str]:
    with session_scope(engine, write=False) as s:
        return [e.action for e in audit.recent(s, limit=500)]


def _delivery(engine: Engine, doc_id: int) -> str:
    with session_scope(engine, write=False) as s:
        return s.exec(select(Recipient).where(Recipient.document_id == doc_id)).one().delivery


def test_a_failed_row_shows_its_reason_is_sent_again_or_cancelled(
    office: Office, engine: Engine, pdf: bytes
) -> None:
    first = _sent(office, pdf, "Công văn thứ nhất gửi liên thông")
    second = _sent(office, pdf, "Công văn thứ hai gửi liên thông")
    assert [(r["document_id"], r["stage"]) for r in _rows(office)] == [
        (second, "pending"),
        (first, "pending"),
    ]
    assert _send(office, engine) == 0  # no key of our own: refused before any byte left
    failed = _rows(office, query="?state=failed")
    assert [r["document_id"] for r in failed] == [second, first]
    row = failed[1]
    assert row["last_error"].startswith("exchange.not_configured: Hệ thống chưa được cấu hình")
    assert row["last_error"].endswith("/ This system has no exchange signing key configured.")
    assert (row["attempts"], row["may_retry"], row["may_cancel"]) == (1, True, True)
    assert row["recipient_name"] == "UBND tỉnh Bên Kia" and row["to_code"] == B_CODE
    assert row["abstract"] == "Công văn thứ nhất gửi liên thông"
    assert _rows(office, query="?state=pending") == []
    # The document shows it too.
    shown = office.detail("p.clerk", first).json()["recipients"][0]
    assert (shown["stage"], shown["delivery"], shown["attempts"]) == ("failed", "failed", 1)
    assert shown["last_error"] == row["last_error"] and shown["outbox_id"] == row["id"]
    assert [h["code"] for h in shown["hops"]] == ["queued"]

    # Sent again: due now, its attempt kept; nothing else.
    before = utcnow()
    r = office.post("p.clerk", f"{OUTBOX}/{row['id']}/retry")
    assert r.status_code == 200, r.text
    again = r.json()
    assert (again["stage"], again["attempts"], again["may_retry"]) == ("retrying", 1, False)
    assert before - timedelta(seconds=1) <= _at(again["next_attempt_at"]) <= utcnow()
    assert _delivery(engine, first) == "pending"
    assert "exchange.requeued" in audit_actions(engine)
    r = office.post("p.clerk", f"{OUTBOX}/{row['id']}/retry")  # not failed any more
    assert r.status_code == 409 and r.json()["code"] == "exchange.wrong_state"
    assert r.json()["message"]["vi"] and r.json()["message"]["en"]

    # The other one is cancelled: the recipient says so, and the sender leaves it alone.
    other = failed[0]["id"]
    r = office.post("p.clerk", f"{OUTBOX}/{other}/cancel")
    assert r.status_code == 200 and r.json()["stage"] == "cancelled", r.text
    assert (r.json()["may_retry"], r.json()["may_cancel"]) == (False, False)
    assert _delivery(engine, second) == "cancelled"
    assert "exchange.cancelled" in audit_actions(engine)
    events = office.detail("p.clerk", second).json()["timeline"]
    assert any("hủy gửi" in e["note"] and e["actor_name"] == "Lê Thị Văn Thư" for e in events)
    for step in ("cancel", "retry"):
        r = office.post("p.clerk", f"{OUTBOX}/{other}/{step}")
        assert r.status_code == 409 and r.json()["code"] == "exchange.wrong_state"
    assert _send(office, engine, now=utcnow() + timedelta(hours=2)) == 0
    with session_scope(engine, write=False) as s:
        attempts = {r.id: (r.state, r.attempts) for r in s.exec(select(ExchangeOutbox))}
    assert attempts == {row["id"]: ("failed", 2), other: ("cancelled", 1)}
    assert [r["id"] for r in _rows(office, query="?state=cancelled")] == [other]
    # A failed row can be cancelled as well.
    assert office.post("p.clerk", f"{OUTBOX}/{row['id']}/cancel").status_code == 200


def _at(text: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text)


def test_a_delivered_row_can_be_neither_sent_again_nor_cancelled(
    office: Office, engine: Engine, pdf: bytes
) -> None:
    doc_id = _sent(office, pdf, "Công văn đã đến nơi")
    with session_scope(engine) as s:
        [row] = s.exec(select(ExchangeOutbox))
        assert row.id is not None
        row_id = row.id
        exchange_outbox.delivered(s, row_id, b"{}", b"sig", reference="7", received_at=utcnow())
    for step in ("retry", "cancel"):
        r = office.post("p.clerk", f"{OUTBOX}/{row_id}/{step}")
        assert r.status_code == 409, r.text
        body = r.json()
        assert body["code"] == "exchange.wrong_state" and body["details"]["state"] == "delivered"
        assert "đã gửi đến nơi" in body["message"]["vi"] and "delivered" in body["message"]["en"]
    assert _delivery(engine, doc_id) == "delivered"


def test_a_row_cancelled_in_flight_is_not_tried_again(
    office: Office, engine: Engine, pdf: bytes
) -> None:
    _sent(office, pdf, "Công văn hủy khi đang gửi")
    settings = office.client.app.state.ctx.settings  # type: ignore[attr-defined]
    with session_scope(engine) as s:
        [row_id] = exchange_outbox.due(s, utcnow())
        assert exchange_outbox.claim(s, row_id, utcnow()) is not None
    assert office.post("p.clerk", f"{OUTBOX}/{row_id}/cancel").status_code == 200
    with session_scope(engine) as s:  # the attempt in flight fails afterwards
        exchange_outbox.retry_later(s, settings, row_id, "connection refused")
        exchange_outbox.refused(s, row_id, "exchange.x", "lý do", "reason")
    with session_scope(engine, write=False) as s:
        row = s.get(ExchangeOutbox, row_id)
        assert row is not None and (row.state, row.attempts) == ("cancelled", 1)
        assert exchange_outbox.due(s, utcnow() + timedelta(days=1)) == []


def test_only_the_agencys_clerks_and_admins_see_and_act(
    office: Office, engine: Engine, pdf: bytes
) -> None:
    _sent(office, pdf, "Công văn của tỉnh")
    assert _send(office, engine) == 0
    [row] = _rows(office)
    assert [r["id"] for r in _rows(office, "p.admin")] == [row["id"]]
    # The department's clerk keeps another agency: none of the province's rows.
    assert _rows(office, "d.clerk") == []
    assert office.get("d.clerk", "/api/v1/exchange/inbox").json() == {"items": [], "total": 0}
    for who in ("d.clerk", "p.spec", "p.leader"):
        for step in ("retry", "cancel"):
            r = office.post(who, f"{OUTBOX}/{row['id']}/{step}")
            assert r.status_code == 404 and r.json()["code"] == "exchange.row_not_found", who
    # Neither clerk nor administrator anywhere: no console at all.
    for who, url in [("p.spec", OUTBOX), ("p.leader", "/api/v1/exchange/inbox")]:
        r = office.get(who, url)
        assert r.status_code == 403 and r.json()["code"] == "exchange.console_forbidden"
        assert r.json()["message"]["vi"].startswith("Chỉ văn thư")
    # Unknown ids and bad filters.
    r = office.post("p.clerk", f"{OUTBOX}/987654/retry")
    assert r.status_code == 404 and r.json()["code"] == "exchange.row_not_found"
    r = office.get("p.clerk", OUTBOX + "?state=lost")
    assert r.status_code == 422 and r.json()["code"] == "exchange.bad_state"
    r = office.get("p.clerk", "/api/v1/exchange/inbox?kind=parcel")
    assert r.status_code == 422 and r.json()["code"] == "exchange.bad_kind"
    r = office.get("p.clerk", OUTBOX + "?limit=-1")
    assert r.status_code == 422 and r.json()["code"] == "request.bad_query"
    assert office.get("p.clerk", OUTBOX + "?limit=1&offset=1").json() == {
        "items": [],
        "total": 1,
    }
    # The row is untouched by all of this.
    assert [r["stage"] for r in _rows(office)] == ["failed"]


def test_rows_of_a_confidential_document_stay_within_its_list(
    office: Office, engine: Engine
) -> None:
    ids = office.ids
    r = office.receive(confidentiality="confidential", access=[ids["p.leader"], ids["p.clerk"]])
    assert r.status_code == 201, r.text
    secret = r.json()["id"]
    r = office.receive(abstract="Văn bản thường đến qua liên thông")
    plain = r.json()["id"]
    now = utcnow()
    with session_scope(engine) as s:
        for doc_id, package in [(secret, "a" * 64), (plain, "b" * 64)]:
            s.add(
                ExchangeOutbox(
                    kind="status",
                    state="failed",
                    from_code="000.00.00.H99",
                    to_code=B_CODE,
                    document_id=doc_id,
                    status_code="03",
                    attempts=1,
                    last_error="connection refused",
                    next_attempt_at=now,
                    created_at=now,
                )
            )
            s.add(
                ExchangeInbox(
                    package_id=package,
                    kind="document",
                    from_code=B_CODE,
                    to_code="000.00.00.H99",
                    document_id=doc_id,
                    received_at=now,
                    receipt=b'{"reference": "x"}',
                    receipt_signature=b"sig",
                )
            )
    assert {r["document_id"] for r in _rows(office)} == {secret, plain}
    inbox = office.get("p.clerk", "/api/v1/exchange/inbox").json()
    assert {r["document_id"] for r in inbox["items"]} == {secret, plain}
    # The administrator is not on the list: the row of the confidential one never shows.
    assert [r["document_id"] for r in _rows(office, "p.admin")] == [plain]
    inbox = office.get("p.admin", "/api/v1/exchange/inbox").json()
    assert ([r["document_id"] for r in inbox["items"]], inbox["total"]) == ([plain], 1)
    [hidden] = [r["id"] for r in _rows(office) if r["document_id"] == secret]
    r = office.post("p.admin", f"{OUTBOX}/{hidden}/retry")
    assert r.status_code == 404 and r.json()["code"] == "exchange.row_not_found"
    assert office.post("p.clerk", f"{OUTBOX}/{hidden}/retry").status_code == 200


def test_the_recipient_shows_each_hop_and_the_inboxes_list_them(pair: Pair, pdf: bytes) -> None:
    pair.start_b()
    doc_id = dispatch_to_b(pair, pdf)
    assert send_from_a(pair) == 1
    [arrived] = received_docs(pair.b)
    b = pair.b_office
    assert b.step("b.clerk", arrived.id or 0, "register").status_code == 200
    assert send_once(pair.b.engine, pair.b.store, pair.b.settings) == 1
    shown = pair.office.detail("p.clerk", doc_id).json()["recipients"][0]
    assert (shown["stage"], shown["delivery"], shown["status"]) == ("delivered", "delivered", "03")
    hops = shown["hops"]
    assert [(h["code"], h["label"]) for h in hops] == [
        ("queued", ""),
        ("01", "Đã đến"),
        ("03", "Đã vào sổ"),
    ]
    assert hops[0]["at"] <= hops[1]["at"] <= hops[2]["at"]
    # B's clerk sees the package in B's inbox; A's clerk the status that came back.
    got = b.get("b.clerk", "/api/v1/exchange/inbox").json()["items"]
    assert [(g["kind"], g["document_id"], g["reference"]) for g in got] == [
        ("document", arrived.id, str(arrived.id))
    ]
    sent = b.get("b.clerk", OUTBOX).json()["items"]
    assert [(s["kind"], s["status_code"], s["stage"]) for s in sent] == [
        ("status", "03", "delivered")
    ]
    back = pair.office.get("p.clerk", "/api/v1/exchange/inbox?kind=status").json()["items"]
    assert [(g["kind"], g["document_id"], g["reference"]) for g in back] == [
        ("status", doc_id, "03")
    ]


def test_a_refused_row_sent_again_and_then_delivered_is_arrived(
    office: Office, engine: Engine, pdf: bytes
) -> None:
    doc_id = _sent(office, pdf, "Công văn bị từ chối rồi gửi lại")
    with session_scope(engine) as s:
        [row_id] = exchange_outbox.due(s, utcnow())
        exchange_outbox.refused(s, row_id, "exchange.bad_signature", "Chữ ký sai", "Bad signature")
    shown = office.detail("p.clerk", doc_id).json()["recipients"][0]
    assert (shown["stage"], shown["status"]) == ("refused", "02")
    assert [(h["code"], h["note"]) for h in shown["hops"]][1:] == [
        ("02", "exchange.bad_signature: Chữ ký sai / Bad signature")
    ]
    r = office.post("p.clerk", f"{OUTBOX}/{row_id}/retry")
    assert r.status_code == 200 and r.json()["stage"] == "pending", r.text
    assert _delivery(engine, doc_id) == "pending"
    with session_scope(engine) as s:
        exchange_outbox.delivered(s, row_id, b"{}", b"sig", reference="9", received_at=utcnow())
    shown = office.detail("p.clerk", doc_id).json()["recipients"][0]
    assert (shown["stage"], shown["delivery"], shown["status"]) == ("delivered", "delivered", "01")
    assert [h["code"] for h in shown["hops"]] == ["queued", "01"]
