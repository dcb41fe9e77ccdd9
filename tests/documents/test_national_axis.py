"""The national axis (decision 0034), played by a third live eCabinet: A sends to B
through it, B pulls, statuses and refusals come back to A the same way; every pull is
signed by a member and fresh; the directory comes down through the adapter."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import select

from documents.agency_directory import importing
from documents.agency_directory.models import DirectoryEntry
from documents.exchange import axis_requests
from documents.exchange import outbox as exchange_outbox
from documents.exchange import peers as exchange_peers
from documents.exchange import signed_messages as exchange_signing
from documents.exchange.axis_models import AxisMessage
from documents.exchange.inbox import Envelope
from documents.exchange.national_axis import NationalAxis, configured
from documents.exchange.sender import send_once
from ecabinet import cli
from ecabinet.app import create_app
from ecabinet.core import audit, migrate
from ecabinet.core.audit import Actor
from ecabinet.core.db import make_engine, session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore, open_store
from ecabinet.core.types import utcnow
from ecabinet.exchange.puller import pull_once
from tests.conftest import make_settings
from tests.documents.office import Office, office_app
from tests.support.credentials import PASSPHRASE, Issuer
from tests.support.databases import own_database
from tests.support.exchange_pair import (
    A_CODE,
    B_CODE,
    audit_actions,
    dispatch_to_b,
    key_files,
    make_b,
    outbox_rows,
    received_docs,
    recipient_row,
)
from tests.support.live import free_port, serve

PULL = "/api/v1/axis/getReceivedEdocList"


@dataclass
class Side:
    settings: Settings
    engine: Engine
    store: ObjectStore
    url: str


@dataclass
class Trio:
    a: Side
    office: Office
    b: Side
    b_office: Office
    axis: Side


@pytest.fixture
def trio(tmp_path: Path, database_url: str, engine: Engine, ca: Issuer) -> Iterator[Trio]:
    keys = tmp_path / "keys"
    keys.mkdir()
    a_p12, a_pem = key_files(ca, keys, "UBND tinh Thu Nghiem")
    b_p12, b_pem = key_files(ca, keys, "UBND tinh Ben Kia")
    x_p12, x_pem = key_files(ca, keys, "Truc lien thong quoc gia")
    a_url, b_url, x_url = (f"http://127.0.0.1:{free_port()}" for _ in range(3))
    common = {"exchange_key_password": PASSPHRASE, "exchange_send_seconds": "0"}
    through_axis = {"national_axis_url": x_url, "national_axis_cert": str(x_pem)}
    with ExitStack() as stack:

        def side(name: str, **extra: str) -> Side:
            data = tmp_path / name
            data.mkdir()
            url = stack.enter_context(own_database(data, f"ecabinet_{name}"))
            settings = make_settings(data, url, **common, **extra)
            side_engine = make_engine(settings)
            stack.callback(side_engine.dispose)
            migrate.upgrade(side_engine)
            return Side(settings, side_engine, open_store(settings), "")

        axis = side(
            "axis",
            axis_role="national",
            exchange_key_file=str(x_p12),
            exchange_peers=f"{A_CODE} {a_url} {a_pem}; {B_CODE} {b_url} {b_pem}",
        )
        axis.url = stack.enter_context(
            serve(
                create_app(axis.settings, engine=axis.engine, store=axis.store),
                int(x_url.rsplit(":", 1)[1]),
            )
        )
        b = side(
            "b",
            exchange_key_file=str(b_p12),
            exchange_peers=f"{A_CODE} {x_url} {a_pem}",
            **through_axis,
        )
        b_ids = make_b(b.engine)
        b.url = stack.enter_context(
            serve(
                create_app(b.settings, engine=b.engine, store=b.store), int(b_url.rsplit(":", 1)[1])
            )
        )
        office = stack.enter_context(
            office_app(
                tmp_path,
                database_url,
                engine,
                exchange_key_file=str(a_p12),
                exchange_peers=f"{B_CODE} {x_url} {b_pem}",
                **common,
                **through_axis,
            )
        )
        a_settings = office.client.app.state.ctx.settings  # type: ignore[attr-defined]
        b_client = stack.enter_context(httpx.Client(base_url=b_url, timeout=30))
        b_office = Office(b_client, b.store, {}, {}, b_ids, {})  # type: ignore[arg-type]
        yield Trio(Side(a_settings, engine, office.store, a_url), office, b, b_office, axis)


def _send(side: Side) -> int:
    return send_once(side.engine, side.store, side.settings)


def _pull(side: Side, axis: NationalAxis | None = None) -> int:
    return pull_once(side.engine, side.store, side.settings, axis)


def _held(trio: Trio) -> list[AxisMessage]:
    with session_scope(trio.axis.engine, write=False) as s:
        return list(s.exec(select(AxisMessage).order_by(AxisMessage.id)))  # type: ignore[arg-type]


def test_a_package_reaches_b_by_pull_and_the_statuses_come_back(trio: Trio, pdf: bytes) -> None:
    doc_id = dispatch_to_b(trio, pdf)  # type: ignore[arg-type]
    sent = _send(trio.a)
    [row] = outbox_rows(trio.a)  # type: ignore[arg-type]
    assert sent == 1, row.last_error
    # The axis took it: relayed, not delivered. The receipt is the axis's, for this very
    # package; B has nothing until it pulls.
    assert row.state == "relayed"
    assert recipient_row(trio.a, doc_id).delivery == "relayed"  # type: ignore[arg-type]
    receipt = exchange_signing.Receipt.decode(row.receipt or b"")
    assert (receipt.package_id, receipt.to_code) == (row.package_sha256, B_CODE)
    assert receipt.relayed_by == "truc-lien-thong-quoc-gia"
    assert received_docs(trio.b) == []  # type: ignore[arg-type]
    [held] = _held(trio)
    assert (held.state, held.from_code, held.to_code) == ("pending", A_CODE, B_CODE)

    assert _pull(trio.b) == 1
    [arrived] = received_docs(trio.b)  # type: ignore[arg-type]
    assert (arrived.state, arrived.issuing_agency_code) == ("received", A_CODE)
    assert [h.state for h in _held(trio)] == ["done"]
    assert _pull(trio.b) == 0
    assert "exchange.received_document" in audit_actions(trio.b)  # type: ignore[arg-type]
    assert {"axis.deposited", "axis.acknowledged"} <= set(audit_actions(trio.axis))  # type: ignore[arg-type]

    b = trio.b_office
    assert b.step("b.clerk", arrived.id or 0, "register").status_code == 200
    r = b.step("b.clerk", arrived.id or 0, "present", leader_id=b.ids["b.leader"])
    assert r.status_code == 200
    r = b.step(
        "b.leader", arrived.id or 0, "direct", direction="Giao", lead={"unit_id": b.ids["unit"]}
    )
    assert r.status_code == 200, r.text
    # B's own signed 01 (arrived), then 03 and 04, deposited for A at the axis.
    assert _send(trio.b) == 3
    assert recipient_row(trio.a, doc_id).delivery == "relayed"  # type: ignore[arg-type]
    assert _pull(trio.a) == 3
    recipient = recipient_row(trio.a, doc_id)  # type: ignore[arg-type]
    assert recipient.delivery == "delivered"
    assert recipient.status == "04" and recipient.status_at is not None
    events = trio.office.detail("p.clerk", doc_id).json()["timeline"]
    hops = [e["note"] for e in events if e["action"] == "exchange_status"]
    assert len(hops) == 3 and "01 " in hops[0]
    assert "03 Đã vào sổ" in hops[1] and "04 Đã phân công" in hops[2]
    assert [h.state for h in _held(trio)] == ["done", "done", "done", "done"]


class _Killed(BaseException):
    """The pulling process dies (kill -9) between the intake and the acknowledgement."""


class _DiesBeforeAcknowledging(NationalAxis):
    def acknowledge(self, code: str, package_id: str) -> None:
        raise _Killed


def test_fetching_twice_and_acknowledging_late_makes_one_document(trio: Trio, pdf: bytes) -> None:
    dispatch_to_b(trio, pdf)  # type: ignore[arg-type]
    assert _send(trio.a) == 1
    national = configured(trio.b.settings)
    assert national is not None
    dying = _DiesBeforeAcknowledging(national.url, national.key)
    with pytest.raises(_Killed):
        _pull(trio.b, dying)
    assert len(received_docs(trio.b)) == 1  # type: ignore[arg-type]
    assert [h.state for h in _held(trio)] == ["pending"]  # still waiting at the axis
    # The next round fetches it again: the inbox drops it, the axis is told at last.
    assert _pull(trio.b) == 0
    assert len(received_docs(trio.b)) == 1  # type: ignore[arg-type]
    assert [h.state for h in _held(trio)] == ["done"]
    # Acknowledging again changes nothing; refusing what was taken is a conflict.
    [held] = _held(trio)
    national.acknowledge(B_CODE, held.package_id)
    r = _signed_post(
        trio, B_CODE, "/api/v1/axis/updateStatus", {"docId": held.package_id, "status": "fail"}
    )
    assert r.status_code == 409 and r.json()["code"] == "axis.already_acknowledged"
    assert [h.state for h in _held(trio)] == ["done"]


def test_a_tampered_package_is_refused_and_the_reason_comes_back_to_a(
    trio: Trio, pdf: bytes
) -> None:
    doc_id = dispatch_to_b(trio, pdf)  # type: ignore[arg-type]
    assert _send(trio.a) == 1
    # The axis (or anything on its way) changes one byte of what it holds.
    with session_scope(trio.axis.engine) as s:
        held = s.exec(select(AxisMessage)).one()
        changed = bytearray(held.data)
        changed[len(changed) // 2] ^= 0x01
        held.data = bytes(changed)
        s.add(held)
    assert _pull(trio.b) == 0
    assert received_docs(trio.b) == []  # type: ignore[arg-type]
    [held] = _held(trio)
    assert held.state == "fail" and "exchange.bad_signature" in held.state_note
    assert "axis.refused" in audit_actions(trio.axis)  # type: ignore[arg-type]
    # A learns it through the axis and keeps the reason, as for a push refusal.
    _pull(trio.a)
    [row] = outbox_rows(trio.a)  # type: ignore[arg-type]
    assert row.state == "refused" and row.last_error.startswith("exchange.bad_signature:")
    recipient = recipient_row(trio.a, doc_id)  # type: ignore[arg-type]
    assert (recipient.delivery, recipient.status) == ("refused", "02")
    _pull(trio.a)  # told again: nothing more
    assert audit_actions(trio.a).count("exchange.refused") == 1  # type: ignore[arg-type]
    # A's clerk sends it again: the same package, offered to B again, intact this time.
    with session_scope(trio.a.engine) as s:
        exchange_outbox.requeue(s, Actor.system("test"), row.id or 0)
    assert _send(trio.a) == 1
    assert [h.state for h in _held(trio)] == ["pending"]
    assert _pull(trio.b) == 1
    assert len(received_docs(trio.b)) == 1  # type: ignore[arg-type]
    assert recipient_row(trio.a, doc_id).delivery == "relayed"  # type: ignore[arg-type]
    assert _send(trio.b) == 1  # B's own signed 01, through the axis
    assert _pull(trio.a) == 1
    assert recipient_row(trio.a, doc_id).delivery == "delivered"  # type: ignore[arg-type]


def test_the_axis_refuses_a_package_not_signed_by_its_sender(trio: Trio) -> None:
    data = b"<edXML/>"
    b_key = exchange_peers.own_key(trio.b.settings)
    forged = Envelope("document", A_CODE, B_CODE, data, exchange_signing.sign(b_key, data))
    national = configured(trio.b.settings)
    assert national is not None
    r = httpx.post(
        f"{trio.axis.url}/api/v1/axis/sendEdoc",
        content=forged.data,
        headers={
            "from": A_CODE,
            "to": B_CODE,
            "messagetype": "edoc",
            "X-Package-Signature": base64.b64encode(forged.signature).decode(),
        },
    )
    assert r.status_code == 422 and r.json()["code"] == "exchange.wrong_signer"
    r = httpx.post(f"{trio.axis.url}/api/v1/axis/sendEdoc", content=data)
    assert r.status_code == 422 and r.json()["code"] == "axis.bad_envelope"
    assert _held(trio) == []


def _signed_post(
    trio: Trio,
    code: str,
    path: str,
    payload: dict[str, object],
    *,
    side: Side | None = None,
    when: timedelta = timedelta(0),
) -> httpx.Response:
    side = side or (trio.b if code == B_CODE else trio.a)
    body = json.dumps(payload).encode()
    key = exchange_peers.own_key(side.settings)
    headers = axis_requests.sign_headers(key, path, code, body, utcnow() + when)
    return httpx.post(f"{trio.axis.url}{path}", content=body, headers=headers)


def test_an_unauthenticated_or_replayed_pull_is_refused(trio: Trio, pdf: bytes) -> None:
    r = httpx.post(f"{trio.axis.url}{PULL}", content=b"{}")
    assert r.status_code == 401 and r.json()["code"] == "axis.unauthenticated"
    assert set(r.json()["message"]) == {"vi", "en"}
    # Signed by A's key for B's mailbox: not B.
    r = _signed_post(trio, B_CODE, PULL, {}, side=trio.a)
    assert r.status_code == 401 and r.json()["code"] == "axis.unauthenticated"
    # Too old, or from the future.
    for when in (timedelta(minutes=-10), timedelta(minutes=10)):
        r = _signed_post(trio, B_CODE, PULL, {}, when=when)
        assert r.status_code == 401 and r.json()["code"] == "axis.unauthenticated"
    # A code that is no member.
    r = _signed_post(trio, "000.00.00.H01", PULL, {}, side=trio.b)
    assert r.status_code == 403 and r.json()["code"] == "axis.unknown_member"
    # Good, once; the very same request again is a replay.
    body = b"{}"
    key = exchange_peers.own_key(trio.b.settings)
    headers = axis_requests.sign_headers(key, PULL, B_CODE, body, utcnow())
    first = httpx.post(f"{trio.axis.url}{PULL}", content=body, headers=headers)
    assert first.status_code == 200 and first.json() == {"status": "OK", "knobsticks": []}
    again = httpx.post(f"{trio.axis.url}{PULL}", content=body, headers=headers)
    assert again.status_code == 401 and again.json()["code"] == "axis.replayed"
    # The signature covers the body: another body under the same headers is refused.
    headers = axis_requests.sign_headers(key, PULL, B_CODE, body, utcnow())
    other = httpx.post(f"{trio.axis.url}{PULL}", content=b'{"x":1}', headers=headers)
    assert other.status_code == 401
    # A bad body, signed: 422 with the reason.
    r = _signed_post(trio, B_CODE, "/api/v1/axis/getEdoc", {"docId": "../x"})
    assert r.status_code == 422 and r.json()["code"] == "axis.bad_request"
    # A's package is not B's to read, nor A's to acknowledge for B.
    dispatch_to_b(trio, pdf)  # type: ignore[arg-type]
    assert _send(trio.a) == 1
    [held] = _held(trio)
    r = _signed_post(trio, A_CODE, "/api/v1/axis/getEdoc", {"docId": held.package_id})
    assert r.status_code == 404 and r.json()["code"] == "axis.unknown_package"
    # A deployment that does not play the axis has no such operations.
    r = httpx.post(f"{trio.b.url}{PULL}", content=b"{}")
    assert r.status_code == 404 and r.json()["code"] == "axis.not_enabled"


def test_directory_sync_through_the_axis_and_from_a_peer(
    trio: Trio, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {"code": "000.00.00.G01", "name": "Văn phòng Chính phủ", "level": "central"},
        {"code": A_CODE, "name": "UBND tỉnh Thử Nghiệm", "level": "province"},
        {
            "code": "000.00.01.H99",
            "name": "Sở Nội vụ",
            "level": "province",
            "parent_code": A_CODE,
            "electronic": "no",
        },
    ]
    with session_scope(trio.axis.engine) as s:
        importing.import_rows(s, Actor.system("test"), list(enumerate(rows, 1)), "test")
    for name, value in trio.a.settings.env.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["directory", "sync"]) == 0
    assert capsys.readouterr().out.startswith("3 created, 0 updated, 0 unchanged")
    with session_scope(trio.a.engine, write=False) as s:
        got = {
            (e.code, e.name, e.level, e.parent_code, e.electronic)
            for e in s.exec(select(DirectoryEntry))
        }
        assert {
            ("000.00.00.G01", "Văn phòng Chính phủ", "central", "", True),
            (A_CODE, "UBND tỉnh Thử Nghiệm", "province", "", True),
            ("000.00.01.H99", "Sở Nội vụ", "province", A_CODE, False),
        } <= got
        entries = [e for e in audit.recent(s, limit=50) if e.action == "agency_directory.import"]
        assert entries and trio.axis.url in entries[0].object_id
    assert cli.main(["directory", "sync"]) == 0  # idempotent
    assert capsys.readouterr().out.startswith("0 created, 0 updated, 3 unchanged")
    # The eCabinet-to-eCabinet implementation: B's agencies, the level guessed from the code.
    assert cli.main(["directory", "sync", "--peer", trio.b.url]) == 0
    with session_scope(trio.a.engine, write=False) as s:
        entry = s.exec(select(DirectoryEntry).where(DirectoryEntry.code == B_CODE)).one()
        assert (entry.name, entry.level) == ("Ủy ban nhân dân tỉnh Bên Kia", "province")
    # An axis that cannot be reached: nothing imported, a clear message.
    monkeypatch.setenv("ECABINET_NATIONAL_AXIS_URL", f"http://127.0.0.1:{free_port()}")
    assert cli.main(["directory", "sync"]) == 1
    assert "Cannot read the directory" in capsys.readouterr().err


def test_the_axis_settings_are_checked(tmp_path: Path) -> None:
    from ecabinet.core.settings import SettingsError

    with pytest.raises(SettingsError, match="AXIS_ROLE"):
        make_settings(tmp_path, "sqlite://", axis_role="provincial")
    with pytest.raises(SettingsError, match="NATIONAL_AXIS_CERT"):
        make_settings(tmp_path, "sqlite://", national_axis_url="https://axis.example.vn")
    with pytest.raises(SettingsError, match="NATIONAL_AXIS_URL"):
        make_settings(tmp_path, "sqlite://", national_axis_url="ftp://axis", national_axis_cert="x")
    settings = make_settings(
        tmp_path, "sqlite://", national_axis_url="https://axis.example.vn/", national_axis_cert="x"
    )
    assert settings.national_axis_url == "https://axis.example.vn"
