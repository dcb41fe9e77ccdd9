"""Exchange between two deployments (decision 0032), each its own app, database and data
folder, talking over real HTTP: a dispatch at A arrives at B once, signed and receipted;
a receiver that is down gets it after a retry; a duplicate gets the first receipt; a
changed byte or a wrong signer is refused with a reason the sender keeps; B's steps come
back to A as statuses."""

from __future__ import annotations

import base64
import dataclasses
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import Engine
from sqlmodel import select

from documents import edxml
from documents.exchange import packages as exchange
from documents.exchange import signed_messages as exchange_signing
from documents.exchange.axis import DirectoryEntry, PeerAxis
from documents.exchange.inbox import Envelope, SignedReceipt
from documents.exchange.models import ExchangeInbox, ExchangeOutbox
from documents.exchange.outbox import LEASE
from documents.exchange.sender import send_once
from documents.models import Document, Recipient
from ecabinet import cli
from ecabinet.app import create_app
from ecabinet.core import agencies, audit, migrate, users
from ecabinet.core.agencies import AgencyLevel, Role
from ecabinet.core.db import make_engine, session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore, open_store
from ecabinet.core.types import utcnow
from tests.conftest import make_settings
from tests.documents.office import Office, office_app
from tests.factories import ACTOR, PASSWORD
from tests.support.credentials import PASSPHRASE, Issuer
from tests.support.databases import own_database
from tests.support.live import free_port, serve

A_CODE = "000.00.00.H99"  # the province of tests.documents.office
B_CODE = "000.00.00.H98"


@dataclass
class Side:
    settings: Settings
    engine: Engine
    store: ObjectStore
    url: str


@dataclass
class Pair:
    a: Side
    office: Office
    """A's clerks and leaders, in process."""
    b: Side
    b_office: Office
    """B's clerks, over HTTP once B is up."""
    b_up: ExitStack
    wrong_key: Path
    wrong_cert: Path

    def start_b(self) -> None:
        app = create_app(self.b.settings, engine=self.b.engine, store=self.b.store)
        self.b_up.enter_context(serve(app, int(self.b.url.rsplit(":", 1)[1])))


def _key_files(ca: Issuer, folder: Path, name: str) -> tuple[Path, Path]:
    issued = ca.pkcs12(name, use_rsa=True)
    p12, pem = folder / f"{name}.p12", folder / f"{name}.pem"
    p12.write_bytes(issued.data)
    pem.write_bytes(issued.certificate.public_bytes(Encoding.PEM))
    return p12, pem


def _make_b(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as s:
        agency = agencies.create_agency(
            s,
            ACTOR,
            code=B_CODE,
            name="Ủy ban nhân dân tỉnh Bên Kia",
            abbreviation="UBND",
            level=AgencyLevel.province,
            parent_name="",
        )
        assert agency.id is not None
        unit = agencies.create_unit(
            s, ACTOR, agency_id=agency.id, name="Phòng NV", abbreviation="NV"
        )
        ids = {"agency": agency.id, "unit": unit.id or 0}
        for username, role in [("b.clerk", Role.clerk), ("b.leader", Role.leader)]:
            user = users.create_user(
                s, ACTOR, username=username, password=PASSWORD, full_name=username, title="CV"
            )
            assert user.id is not None
            agencies.grant_role(s, ACTOR, user_id=user.id, agency_id=agency.id, role=role)
            ids[username] = user.id
        return ids


@pytest.fixture
def pair(tmp_path: Path, database_url: str, engine: Engine, ca: Issuer) -> Iterator[Pair]:
    keys = tmp_path / "keys"
    keys.mkdir()
    a_p12, a_pem = _key_files(ca, keys, "UBND tinh Thu Nghiem")
    b_p12, b_pem = _key_files(ca, keys, "UBND tinh Ben Kia")
    wrong_p12, wrong_pem = _key_files(ca, keys, "Ke gia mao")
    a_url, b_url = f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"
    common = {"exchange_key_password": PASSPHRASE, "exchange_send_seconds": "0"}
    with ExitStack() as stack:
        b_data = tmp_path / "b"
        b_data.mkdir()
        b_db = stack.enter_context(own_database(b_data, "ecabinet_x"))
        b_settings = make_settings(
            b_data,
            b_db,
            exchange_key_file=str(b_p12),
            exchange_peers=f"{A_CODE} {a_url} {a_pem}",
            **common,
        )
        b_engine = make_engine(b_settings)
        stack.callback(b_engine.dispose)
        migrate.upgrade(b_engine)
        b_ids = _make_b(b_engine)
        office = stack.enter_context(
            office_app(
                tmp_path,
                database_url,
                engine,
                exchange_key_file=str(a_p12),
                exchange_peers=f"{B_CODE} {b_url} {b_pem}",
                **common,
            )
        )
        a_settings = office.client.app.state.ctx.settings  # type: ignore[attr-defined]
        # A second process of A, over HTTP, for what B sends back.
        stack.enter_context(
            serve(
                create_app(a_settings, engine=engine, store=office.store),
                int(a_url.rsplit(":", 1)[1]),
            )
        )
        b_store = open_store(b_settings)
        b_client = stack.enter_context(httpx.Client(base_url=b_url, timeout=30))
        b_office = Office(b_client, b_store, {}, {}, b_ids, {})  # type: ignore[arg-type]
        b_up = stack.enter_context(ExitStack())
        yield Pair(
            Side(a_settings, engine, office.store, a_url),
            office,
            Side(b_settings, b_engine, b_store, b_url),
            b_office,
            b_up,
            wrong_p12,
            wrong_pem,
        )


def _dispatch(pair: Pair, pdf: bytes) -> int:
    doc_id: int = pair.office.issue_on_paper(pdf).json()["id"]
    r = pair.office.post(
        "p.clerk",
        f"/api/v1/documents/{doc_id}/dispatch",
        json={"recipients": [{"method": "edxml", "name": "UBND tỉnh Bên Kia", "organ_id": B_CODE}]},
    )
    assert r.status_code == 200, r.text
    return doc_id


def _send_a(pair: Pair, **kw: object) -> int:
    return send_once(pair.a.engine, pair.a.store, pair.a.settings, **kw)  # type: ignore[arg-type]


def _outbox(side: Side, kind: str = "document") -> list[ExchangeOutbox]:
    with session_scope(side.engine, write=False) as s:
        return list(s.exec(select(ExchangeOutbox).where(ExchangeOutbox.kind == kind)))


def _received(side: Side) -> list[Document]:
    with session_scope(side.engine, write=False) as s:
        return list(s.exec(select(Document).where(Document.source == "exchange")))


def _recipient(side: Side, doc_id: int) -> Recipient:
    with session_scope(side.engine, write=False) as s:
        found = s.exec(select(Recipient).where(Recipient.document_id == doc_id)).one()
        return found


def _actions(side: Side) -> list[str]:
    with session_scope(side.engine, write=False) as s:
        return [e.action for e in audit.recent(s, limit=500)]


def test_dispatch_arrives_once_with_a_verified_receipt(pair: Pair, pdf: bytes) -> None:
    pair.start_b()
    doc_id = _dispatch(pair, pdf)
    # Queued in the dispatch's transaction; not sent until the receipt is verified.
    recipient = _recipient(pair.a, doc_id)
    assert (recipient.delivery, recipient.status, recipient.delivered_at) == ("pending", "", None)
    assert [r.state for r in _outbox(pair.a)] == ["pending"]

    assert _send_a(pair) == 1
    assert _send_a(pair) == 0  # nothing due any more
    [arrived] = _received(pair.b)
    assert (arrived.state, arrived.issuing_agency_code, arrived.symbol) == (
        "received",
        A_CODE,
        "QĐ-UBND",
    )
    recipient = _recipient(pair.a, doc_id)
    assert (recipient.delivery, recipient.status) == ("delivered", "01")
    assert recipient.delivered_at is not None
    [row] = _outbox(pair.a)
    assert row.state == "delivered" and row.receipt is not None and row.receipt_signature
    receipt = exchange_signing.Receipt.decode(row.receipt)
    assert (receipt.from_code, receipt.to_code, receipt.reference) == (
        A_CODE,
        B_CODE,
        str(arrived.id),
    )
    assert {"exchange.queued", "exchange.delivered"} <= set(_actions(pair.a))
    assert "exchange.received_document" in _actions(pair.b)
    # B's clerk is told, as for a document sent inside the system.
    told = pair.b_office.get("b.clerk", "/api/v1/notifications").json()["items"]
    assert [(n["kind"], n["document_id"]) for n in told] == [("arrived", arrived.id)]

    # The same package posted again (a retry whose answer was lost): the first receipt,
    # and no second document.
    data = pair.a.store.read_bytes(row.package_sha256)
    again = PeerAxis().send(pair.b.url, _signed(pair.a.settings, data))
    assert again == SignedReceipt(row.receipt, row.receipt_signature)
    assert len(_received(pair.b)) == 1
    with session_scope(pair.b.engine, write=False) as s:
        assert len(list(s.exec(select(ExchangeInbox)))) == 1


def test_the_same_package_twice_at_once_makes_one_document(pair: Pair, pdf: bytes) -> None:
    pair.start_b()
    _dispatch(pair, pdf)
    with session_scope(pair.a.engine, write=False) as s:
        document = s.exec(select(Document).where(Document.flow == "outgoing")).one()
        message = exchange.message_for(s, pair.a.store, document)
    envelope = _signed(pair.a.settings, edxml.build_document(message))
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: PeerAxis().send(pair.b.url, envelope), range(4)))
    assert len(set(answers)) == 1
    assert len(_received(pair.b)) == 1


def _signed(settings: Settings, data: bytes, key: Path | None = None) -> Envelope:
    from documents.exchange import peers as exchange_peers

    if key is not None:
        settings = dataclasses.replace(settings, exchange_key_file=key)
    signature = exchange_signing.sign(exchange_peers.own_key(settings), data)
    return Envelope("document", A_CODE, B_CODE, data, signature)


def test_receiver_down_then_up_is_delivered_once_after_a_retry(pair: Pair, pdf: bytes) -> None:
    doc_id = _dispatch(pair, pdf)
    assert _send_a(pair) == 0  # B is not up
    [row] = _outbox(pair.a)
    assert (row.state, row.attempts) == ("pending", 1) and row.last_error
    wait = row.next_attempt_at - utcnow()
    assert timedelta(seconds=25) < wait <= timedelta(seconds=30)  # backoff, kept in the row
    assert _recipient(pair.a, doc_id).delivery == "pending"
    assert _send_a(pair) == 0  # not due yet: no attempt
    assert _outbox(pair.a)[0].attempts == 1
    assert _send_a(pair, now=utcnow() + timedelta(seconds=31)) == 0  # still down
    second = _outbox(pair.a)[0]
    assert second.attempts == 2
    assert second.next_attempt_at - utcnow() > timedelta(seconds=55)  # doubled
    assert second.package_sha256 == row.package_sha256  # the same bytes every time

    pair.start_b()
    assert _send_a(pair, now=utcnow() + timedelta(seconds=61)) == 1
    assert len(_received(pair.b)) == 1
    assert _recipient(pair.a, doc_id).delivery == "delivered"
    assert "exchange.retry" in _actions(pair.a)


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
    doc_id = _dispatch(pair, pdf)
    assert _send_a(pair, axis=_Tampering()) == 0
    [row] = _outbox(pair.a)
    assert row.state == "refused" and row.last_error.startswith("exchange.bad_signature:")
    recipient = _recipient(pair.a, doc_id)
    assert (recipient.delivery, recipient.status) == ("refused", "02")
    assert _received(pair.b) == []
    assert "exchange.refused" in _actions(pair.a)
    events = pair.office.detail("p.clerk", doc_id).json()["timeline"]
    assert any("từ chối: Chữ ký của gói tin không hợp lệ" in e["note"] for e in events)


def test_a_wrong_sender_signature_is_refused(pair: Pair, pdf: bytes) -> None:
    pair.start_b()
    doc_id = _dispatch(pair, pdf)
    wrong = dataclasses.replace(pair.a.settings, exchange_key_file=pair.wrong_key)
    assert send_once(pair.a.engine, pair.a.store, wrong) == 0
    [row] = _outbox(pair.a)
    assert row.state == "refused" and row.last_error.startswith("exchange.wrong_signer:")
    assert "Gói tin không do chứng thư số" in row.last_error  # Vietnamese and English
    assert _recipient(pair.a, doc_id).delivery == "refused"
    assert _received(pair.b) == []
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
    doc_id = _dispatch(pair, pdf)
    assert _send_a(pair) == 1
    [arrived] = _received(pair.b)
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
    queued = _outbox(pair.b, "status")
    assert [q.status_code for q in queued] == ["03", "04"]  # presenting is still "03"
    assert send_once(pair.b.engine, pair.b.store, pair.b.settings) == 2
    assert send_once(pair.b.engine, pair.b.store, pair.b.settings) == 0
    recipient = _recipient(pair.a, doc_id)
    assert recipient.status == "04" and recipient.status_at is not None
    events = pair.office.detail("p.clerk", doc_id).json()["timeline"]
    hops = [e["note"] for e in events if e["action"] == "exchange_status"]
    assert len(hops) == 2 and "03 Đã vào sổ" in hops[0] and "04 Đã phân công" in hops[1]


def test_the_app_delivers_by_itself_and_the_recipient_shows_it(pair: Pair, pdf: bytes) -> None:
    pair.start_b()
    doc_id = _dispatch(pair, pdf)
    shown = pair.office.detail("p.clerk", doc_id).json()["recipients"][0]
    assert (shown["delivery"], shown["delivered_at"], shown["status"]) == ("pending", None, "")
    # Another process of A, with its sender running every second.
    every_second = dataclasses.replace(pair.a.settings, exchange_send_seconds=1)
    with serve(create_app(every_second, engine=pair.a.engine, store=pair.a.store)):
        deadline = time.monotonic() + 20
        while _recipient(pair.a, doc_id).delivery != "delivered":
            assert time.monotonic() < deadline, _outbox(pair.a)
            time.sleep(0.2)
    assert len(_received(pair.b)) == 1
    shown = pair.office.detail("p.clerk", doc_id).json()["recipients"][0]
    assert (shown["delivery"], shown["status"]) == ("delivered", "01") and shown["delivered_at"]


def test_ecabinet_exchange_send_once(
    pair: Pair, pdf: bytes, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pair.start_b()
    _dispatch(pair, pdf)
    for name, value in pair.a.settings.env.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["exchange", "send-once"]) == 0
    assert capsys.readouterr().out.strip() == "1 message(s) delivered"
    assert len(_received(pair.b)) == 1
    assert cli.main(["exchange", "send-once"]) == 0
    assert capsys.readouterr().out.strip() == "0 message(s) delivered"


def test_a_paper_only_document_is_not_queued_for_a_peer(pair: Pair) -> None:
    doc_id: int = pair.office.issue_on_paper(None).json()["id"]
    r = pair.office.post(
        "p.clerk",
        f"/api/v1/documents/{doc_id}/dispatch",
        json={"recipients": [{"method": "edxml", "name": "UBND tỉnh Bên Kia", "organ_id": B_CODE}]},
    )
    assert r.status_code == 422 and r.json()["code"] == "dispatch.no_file"
    assert _outbox(pair.a) == []


def test_a_receipt_not_signed_by_the_peer_is_no_delivery(pair: Pair, pdf: bytes) -> None:
    pair.start_b()
    doc_id = _dispatch(pair, pdf)
    # A expects B's receipts under another certificate than the one B signs with.
    [b_peer] = pair.a.settings.exchange_peers
    doubting = dataclasses.replace(
        pair.a.settings, exchange_peers=(dataclasses.replace(b_peer, cert_path=pair.wrong_cert),)
    )
    assert send_once(pair.a.engine, pair.a.store, doubting) == 0
    [row] = _outbox(pair.a)
    assert (row.state, row.attempts, row.receipt) == ("pending", 1, None)
    assert "exchange.wrong_signer" in row.last_error
    assert _recipient(pair.a, doc_id).delivery == "pending"
    # B did receive it; the next attempt, with B's right certificate, gets the same
    # receipt and no second document.
    assert _send_a(pair, now=utcnow() + timedelta(seconds=31)) == 1
    assert len(_received(pair.b)) == 1
    assert _recipient(pair.a, doc_id).delivery == "delivered"


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
    doc_id = _dispatch(pair, pdf)
    with pytest.raises(_Killed):
        _send_a(pair, axis=_DiesAfterSending())
    assert len(_received(pair.b)) == 1  # B has it; A never heard the receipt
    [row] = _outbox(pair.a)
    assert (row.state, row.attempts) == ("pending", 1)
    assert _send_a(pair) == 0  # another process leaves it alone while the lease runs
    assert _send_a(pair, now=utcnow() + LEASE + timedelta(seconds=1)) == 1
    assert len(_received(pair.b)) == 1
    [row] = _outbox(pair.a)
    assert (row.state, row.attempts) == ("delivered", 2)
    assert _recipient(pair.a, doc_id).delivery == "delivered"
