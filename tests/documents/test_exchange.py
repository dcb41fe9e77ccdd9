"""Exchange between two deployments (decision 0032), each its own app, database and data
folder, talking over real HTTP: a dispatch at A arrives at B once, signed and receipted;
a receiver that is down gets it after a retry; a duplicate gets the first receipt; a
changed byte or a wrong signer is refused with a reason the sender keeps; B's steps come
back to A as statuses."""

from __future__ import annotations

import base64
import dataclasses
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from documents import edxml
from documents.exchange import packages as exchange
from documents.exchange import signed_messages as exchange_signing
from documents.exchange.axis import DirectoryEntry, PeerAxis
from documents.exchange.inbox import Envelope, SignedReceipt
from documents.exchange.models import ExchangeInbox
from documents.exchange.outbox import LEASE
from documents.exchange.sender import send_once
from documents.models import Document
from ecabinet import cli
from ecabinet.app import create_app
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.types import utcnow
from tests.support.exchange_pair import (
    A_CODE,
    B_CODE,
    Pair,
    audit_actions,
    dispatch_to_b,
    outbox_rows,
    received_docs,
    recipient_row,
    send_from_a,
)
from tests.support.live import serve


def test_dispatch_arrives_once_with_a_verified_receipt(pair: Pair, pdf: bytes) -> None:
    pair.start_b()
    doc_id = dispatch_to_b(pair, pdf)
    # Queued in the dispatch's transaction; not sent until the receipt is verified.
    recipient = recipient_row(pair.a, doc_id)
    assert (recipient.delivery, recipient.status, recipient.delivered_at) == ("pending", "", None)
    assert [r.state for r in outbox_rows(pair.a)] == ["pending"]

    assert send_from_a(pair) == 1
    assert send_from_a(pair) == 0  # nothing due any more
    [arrived] = received_docs(pair.b)
    assert (arrived.state, arrived.issuing_agency_code, arrived.symbol) == (
        "received",
        A_CODE,
        "QĐ-UBND",
    )
    recipient = recipient_row(pair.a, doc_id)
    assert (recipient.delivery, recipient.status) == ("delivered", "01")
    assert recipient.delivered_at is not None
    [row] = outbox_rows(pair.a)
    assert row.state == "delivered" and row.receipt is not None and row.receipt_signature
    receipt = exchange_signing.Receipt.decode(row.receipt)
    assert (receipt.from_code, receipt.to_code, receipt.reference) == (
        A_CODE,
        B_CODE,
        str(arrived.id),
    )
    assert {"exchange.queued", "exchange.delivered"} <= set(audit_actions(pair.a))
    assert "exchange.received_document" in audit_actions(pair.b)
    # B's clerk is told, as for a document sent inside the system.
    told = pair.b_office.get("b.clerk", "/api/v1/notifications").json()["items"]
    assert [(n["kind"], n["document_id"]) for n in told] == [("arrived", arrived.id)]

    # The same package posted again (a retry whose answer was lost): the first receipt,
    # and no second document.
    data = pair.a.store.read_bytes(row.package_sha256)
    again = PeerAxis().send(pair.b.url, _signed(pair.a.settings, data))
    assert again == SignedReceipt(row.receipt, row.receipt_signature)
    assert len(received_docs(pair.b)) == 1
    with session_scope(pair.b.engine, write=False) as s:
        assert len(list(s.exec(select(ExchangeInbox)))) == 1


def test_the_same_package_twice_at_once_makes_one_document(pair: Pair, pdf: bytes) -> None:
    pair.start_b()
    dispatch_to_b(pair, pdf)
    with session_scope(pair.a.engine, write=False) as s:
        document = s.exec(select(Document).where(Document.flow == "outgoing")).one()
        message = exchange.message_for(s, pair.a.store, document)
    envelope = _signed(pair.a.settings, edxml.build_document(message))
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: PeerAxis().send(pair.b.url, envelope), range(4)))
    assert len(set(answers)) == 1
    assert len(received_docs(pair.b)) == 1


def _signed(settings: Settings, data: bytes, key: Path | None = None) -> Envelope:
    from documents.exchange import peers as exchange_peers

    if key is not None:
        settings = dataclasses.replace(settings, exchange_key_file=key)
    signature = exchange_signing.sign(exchange_peers.own_key(settings), data)
    return Envelope("document", A_CODE, B_CODE, data, signature)


def test_receiver_down_then_up_is_delivered_once_after_a_retry(pair: Pair, pdf: bytes) -> None:
    doc_id = dispatch_to_b(pair, pdf)
    assert send_from_a(pair) == 0  # B is not up
    [row] = outbox_rows(pair.a)
    assert (row.state, row.attempts) == ("pending", 1) and row.last_error
    wait = row.next_attempt_at - utcnow()
    assert timedelta(seconds=25) < wait <= timedelta(seconds=30)  # backoff, kept in the row
    assert recipient_row(pair.a, doc_id).delivery == "pending"
    assert send_from_a(pair) == 0  # not due yet: no attempt
    assert outbox_rows(pair.a)[0].attempts == 1
    assert send_from_a(pair, now=utcnow() + timedelta(seconds=31)) == 0  # still down
    second = outbox_rows(pair.a)[0]
    assert second.attempts == 2
    assert second.next_attempt_at - utcnow() > timedelta(seconds=55)  # doubled
    assert second.package_sha256 == row.package_sha256  # the same bytes every time

    pair.start_b()
    assert send_from_a(pair, now=utcnow() + timedelta(seconds=61)) == 1
    assert len(received_docs(pair.b)) == 1
    assert recipient_row(pair.a, doc_id).delivery == "delivered"
    assert "exchange.retry" in audit_actions(pair.a)


class _Tampering(PeerAxis):
    """A relay that changes one byte of what it carries."""

    def send(self, base_url: str, envelope: Envelope) -> SignedReceipt:
        changed = bytearray(envelope.data)
        changed[len(changed) // 2] ^= 0x01
        return super().send(base_url, dataclasses.replace(envelope, data=bytes(changed)))


def test_a_changed_byte_is_refused_and_the_reason_kept_at_the_sender(
    pair: Pair, pdf: bytes
) -> None:
    pair.start_b()
    doc_id = dispatch_to_b(pair, pdf)
    assert send_from_a(pair, axis=_Tampering()) == 0
    [row] = outbox_rows(pair.a)
    assert row.state == "refused" and row.last_error.startswith("exchange.bad_signature:")
    recipient = recipient_row(pair.a, doc_id)
    assert (recipient.delivery, recipient.status) == ("refused", "02")
    assert received_docs(pair.b) == []
    assert "exchange.refused" in audit_actions(pair.a)
    events = pair.office.detail("p.clerk", doc_id).json()["timeline"]
    assert any("từ chối: Chữ ký của gói tin không hợp lệ" in e["note"] for e in events)


def test_a_wrong_sender_signature_is_refused(pair: Pair, pdf: bytes) -> None:
    pair.start_b()
    doc_id = dispatch_to_b(pair, pdf)
    wrong = dataclasses.replace(pair.a.settings, exchange_key_file=pair.wrong_key)
    assert send_once(pair.a.engine, pair.a.store, wrong) == 0
    [row] = outbox_rows(pair.a)
    assert row.state == "refused" and row.last_error.startswith("exchange.wrong_signer:")
    assert "Gói tin không do chứng thư số" in row.last_error  # Vietnamese and English
    assert recipient_row(pair.a, doc_id).delivery == "refused"
    assert received_docs(pair.b) == []
    # Unsigned, or from a code that is no peer: refused too.
    data = b"<edXML/>"
    r = httpx.post(f"{pair.b.url}/api/v1/exchange/packages/{B_CODE}", content=data)
    assert r.status_code == 422 and r.json()["code"] == "exchange.bad_envelope"
    signature = base64.b64encode(_signed(pair.a.settings, data).signature).decode()
    r = httpx.post(
        f"{pair.b.url}/api/v1/exchange/packages/{B_CODE}",
        content=data,
        headers={"X-Exchange-From": "000.00.00.H01", "X-Exchange-Signature": signature},
    )
    assert r.status_code == 403 and r.json()["code"] == "exchange.unknown_peer"


def test_statuses_come_back_to_the_sender(pair: Pair, pdf: bytes) -> None:
    pair.start_b()
    doc_id = dispatch_to_b(pair, pdf)
    assert send_from_a(pair) == 1
    [arrived] = received_docs(pair.b)
    b = pair.b_office
    assert b.step("b.clerk", arrived.id or 0, "register").status_code == 200
    assert (
        b.step("b.clerk", arrived.id or 0, "present", leader_id=b.ids["b.leader"]).status_code
        == 200
    )
    r = b.step(
        "b.leader",
        arrived.id or 0,
        "direct",
        direction="Giao Phòng NV",
        lead={"unit_id": b.ids["unit"]},
    )
    assert r.status_code == 200, r.text
    queued = outbox_rows(pair.b, "status")
    assert [q.status_code for q in queued] == ["03", "04"]  # presenting is still "03"
    assert send_once(pair.b.engine, pair.b.store, pair.b.settings) == 2
    assert send_once(pair.b.engine, pair.b.store, pair.b.settings) == 0
    recipient = recipient_row(pair.a, doc_id)
    assert recipient.status == "04" and recipient.status_at is not None
    events = pair.office.detail("p.clerk", doc_id).json()["timeline"]
    hops = [e["note"] for e in events if e["action"] == "exchange_status"]
    assert len(hops) == 2 and "03 Đã vào sổ" in hops[0] and "04 Đã phân công" in hops[1]


def test_the_app_delivers_by_itself_and_the_recipient_shows_it(pair: Pair, pdf: bytes) -> None:
    pair.start_b()
    doc_id = dispatch_to_b(pair, pdf)
    shown = pair.office.detail("p.clerk", doc_id).json()["recipients"][0]
    assert (shown["delivery"], shown["delivered_at"], shown["status"]) == ("pending", None, "")
    # Another process of A, with its sender running every second.
    every_second = dataclasses.replace(pair.a.settings, exchange_send_seconds=1)
    with serve(create_app(every_second, engine=pair.a.engine, store=pair.a.store)):
        deadline = time.monotonic() + 20
        while recipient_row(pair.a, doc_id).delivery != "delivered":
            assert time.monotonic() < deadline, outbox_rows(pair.a)
            time.sleep(0.2)
    assert len(received_docs(pair.b)) == 1
    shown = pair.office.detail("p.clerk", doc_id).json()["recipients"][0]
    assert (shown["delivery"], shown["status"]) == ("delivered", "01") and shown["delivered_at"]


def test_ecabinet_exchange_send_once(
    pair: Pair, pdf: bytes, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pair.start_b()
    dispatch_to_b(pair, pdf)
    for name, value in pair.a.settings.env.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["exchange", "send-once"]) == 0
    assert capsys.readouterr().out.strip() == "1 message(s) delivered"
    assert len(received_docs(pair.b)) == 1
    assert cli.main(["exchange", "send-once"]) == 0
    assert capsys.readouterr().out.strip() == "0 message(s) delivered"


def test_a_paper_only_document_is_not_queued_for_a_peer(pair: Pair) -> None:
    doc_id: int = pair.office.issue_on_paper(None).json()["id"]
    r = pair.office.dispatch_edxml(doc_id, "UBND tỉnh Bên Kia", B_CODE)
    assert r.status_code == 422 and r.json()["code"] == "dispatch.no_file"
    assert outbox_rows(pair.a) == []


def test_a_receipt_not_signed_by_the_peer_is_no_delivery(pair: Pair, pdf: bytes) -> None:
    pair.start_b()
    doc_id = dispatch_to_b(pair, pdf)
    # A expects B's receipts under another certificate than the one B signs with.
    [b_peer] = pair.a.settings.exchange_peers
    doubting = dataclasses.replace(
        pair.a.settings, exchange_peers=(dataclasses.replace(b_peer, cert_path=pair.wrong_cert),)
    )
    assert send_once(pair.a.engine, pair.a.store, doubting) == 0
    [row] = outbox_rows(pair.a)
    assert (row.state, row.attempts, row.receipt) == ("pending", 1, None)
    assert "exchange.wrong_signer" in row.last_error
    assert recipient_row(pair.a, doc_id).delivery == "pending"
    # B did receive it; the next attempt, with B's right certificate, gets the same
    # receipt and no second document.
    assert send_from_a(pair, now=utcnow() + timedelta(seconds=31)) == 1
    assert len(received_docs(pair.b)) == 1
    assert recipient_row(pair.a, doc_id).delivery == "delivered"


def test_the_directory_names_the_peers_agencies(pair: Pair) -> None:
    pair.start_b()
    assert PeerAxis().directory(pair.b.url) == [
        DirectoryEntry(B_CODE, "Ủy ban nhân dân tỉnh Bên Kia")
    ]


class _Killed(BaseException):
    """The sending process dies (kill -9) between the peer's answer and its record."""


class _DiesAfterSending(PeerAxis):
    def send(self, base_url: str, envelope: Envelope) -> SignedReceipt:
        super().send(base_url, envelope)
        raise _Killed


def test_a_sender_killed_mid_delivery_loses_nothing_and_duplicates_nothing(
    pair: Pair, pdf: bytes
) -> None:
    pair.start_b()
    doc_id = dispatch_to_b(pair, pdf)
    with pytest.raises(_Killed):
        send_from_a(pair, axis=_DiesAfterSending())
    assert len(received_docs(pair.b)) == 1  # B has it; A never heard the receipt
    [row] = outbox_rows(pair.a)
    assert (row.state, row.attempts) == ("pending", 1)
    assert send_from_a(pair) == 0  # another process leaves it alone while the lease runs
    assert send_from_a(pair, now=utcnow() + LEASE + timedelta(seconds=1)) == 1
    assert len(received_docs(pair.b)) == 1
    [row] = outbox_rows(pair.a)
    assert (row.state, row.attempts) == ("delivered", 2)
    assert recipient_row(pair.a, doc_id).delivery == "delivered"
