"""Three deployments, each its own ``ecabinet serve`` process, database (a SQLite file,
or a PostgreSQL database with ECABINET_TEST_DB=postgres), data folder and exchange key
(decision 0036): the province acts as the axis; the commune's packages for the
department go through it and the department's statuses come back the same way. The
commune knows the department's code at the province's address.

Cover: a document issued at the commune reaches the department through the province and
its statuses 01→06 come back with every hop; the department away while the commune
dispatches, then back: delivered once; the same package twice: one document; a changed
byte or a wrong sender signature: refused with the reason at the sender; a sender killed
with SIGKILL mid-delivery, then restarted: no loss, no duplicate."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import Engine, update
from sqlmodel import col, select

from documents.exchange import peers as exchange_peers
from documents.exchange import signed_messages as exchange_signing
from documents.exchange.axis import PeerAxis, Refused
from documents.exchange.inbox import Envelope
from documents.exchange.models import ExchangeInbox, ExchangeOutbox
from documents.models import Document, DocumentType, Recipient
from ecabinet.core import agencies, audit, migrate, users
from ecabinet.core.agencies import AgencyLevel, Role
from ecabinet.core.db import make_engine, session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore, open_store
from tests.conftest import make_settings
from tests.documents.office import Office, make_office
from tests.factories import ACTOR, PASSWORD
from tests.realtime.servers import wait_up
from tests.support.credentials import PASSPHRASE, Issuer
from tests.support.databases import own_database
from tests.support.live import free_port

COMMUNE = "000.00.00.H99"  # the office of tests.documents.office, as the commune's system
PROVINCE = "000.00.00.H97"
DEPARTMENT = "000.00.00.H98"
GHOST = "000.00.00.G09"
"""In the commune's directory; the province sends it on to the department, which does
not hold it: a refusal only the final receiver can make."""
WAIT = 40.0


@dataclass
class Deployment:
    name: str
    code: str
    port: int
    settings: Settings
    engine: Engine
    store: ObjectStore
    key: Path
    logs: Path
    process: subprocess.Popen[bytes] | None = None
    ids: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None
        command = [sys.executable, "-m", "ecabinet.cli", "serve", "--port", str(self.port)]
        with (self.logs / f"{self.name}.log").open("ab") as err:
            self.process = subprocess.Popen(
                command,
                env=os.environ | dict(self.settings.env) | {"ECABINET_LOG_LEVEL": "WARNING"},
                stdout=subprocess.DEVNULL,
                stderr=err,
                start_new_session=True,
            )
        wait_up(self.port, self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(15)

    def kill(self) -> None:
        """kill -9: nothing finished, nothing recorded."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def freeze(self, frozen: bool) -> None:
        """SIGSTOP / SIGCONT: a peer that takes a message and does not answer."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGSTOP if frozen else signal.SIGCONT)

    def outbox(self, **where: Any) -> list[ExchangeOutbox]:
        with session_scope(self.engine, write=False) as s:
            query = select(ExchangeOutbox).order_by(col(ExchangeOutbox.id))
            for name, value in where.items():
                query = query.where(getattr(ExchangeOutbox, name) == value)
            return list(s.exec(query))

    def inbox(self) -> list[ExchangeInbox]:
        with session_scope(self.engine, write=False) as s:
            return list(s.exec(select(ExchangeInbox).order_by(col(ExchangeInbox.id))))

    def received(self) -> list[Document]:
        with session_scope(self.engine, write=False) as s:
            query = select(Document).where(Document.source == "exchange")
            return list(s.exec(query.order_by(col(Document.id))))

    def recipient(self, doc_id: int) -> Recipient:
        with session_scope(self.engine, write=False) as s:
            return s.exec(select(Recipient).where(Recipient.document_id == doc_id)).one()

    def actions(self) -> list[str]:
        with session_scope(self.engine, write=False) as s:
            return [e.action for e in audit.recent(s, limit=2000)]

    def lease_ran_out(self) -> None:
        """The two-minute lease of a row whose process died mid-delivery, run out."""
        with session_scope(self.engine) as s:
            s.execute(
                update(ExchangeOutbox)
                .where(col(ExchangeOutbox.state) == "pending")
                .values(next_attempt_at=ExchangeOutbox.created_at)
            )


@dataclass
class Three:
    commune: Deployment
    province: Deployment
    department: Deployment
    office: Office
    """The commune's clerks and leaders, over HTTP."""
    dept: Office
    """The department's people, over HTTP."""
    wrong_key: Path

    def all(self) -> list[Deployment]:
        return [self.commune, self.province, self.department]


def _until(what: Callable[[], Any], message: Callable[[], object] = lambda: "") -> Any:
    deadline = time.monotonic() + WAIT
    while not (found := what()):
        assert time.monotonic() < deadline, message()
        time.sleep(0.1)
    return found


def _key_files(ca: Issuer, folder: Path, name: str) -> tuple[Path, Path]:
    issued = ca.pkcs12(name, use_rsa=True)
    p12, pem = folder / f"{name}.p12", folder / f"{name}.pem"
    p12.write_bytes(issued.data)
    pem.write_bytes(issued.certificate.public_bytes(Encoding.PEM))
    return p12, pem


def _seed_agency(engine: Engine, code: str, name: str, people: bool) -> dict[str, int]:
    with session_scope(engine) as s:
        agency = agencies.create_agency(
            s,
            ACTOR,
            code=code,
            name=name,
            abbreviation="SO",
            level=AgencyLevel.province,
            parent_name="",
        )
        assert agency.id is not None
        ids = {"agency": agency.id}
        if not people:
            return ids
        unit = agencies.create_unit(
            s, ACTOR, agency_id=agency.id, name="Phòng NV", abbreviation="NV"
        )
        ids["unit"] = unit.id or 0
        for username, role in [
            ("x.clerk", Role.clerk),
            ("x.leader", Role.leader),
            ("x.spec", Role.specialist),
        ]:
            user = users.create_user(
                s, ACTOR, username=username, password=PASSWORD, full_name=username, title="CV"
            )
            assert user.id is not None
            agencies.grant_role(
                s, ACTOR, user_id=user.id, agency_id=agency.id, role=role, unit_id=unit.id
            )
            ids[username] = user.id
        return ids


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory, ca: Issuer) -> Iterator[Three]:
    root = tmp_path_factory.mktemp("three")
    keys, logs = root / "keys", root / "logs"
    keys.mkdir()
    logs.mkdir()
    c_p12, c_pem = _key_files(ca, keys, "UBND xa")
    p_p12, p_pem = _key_files(ca, keys, "UBND tinh truc")
    d_p12, d_pem = _key_files(ca, keys, "So Noi vu")
    wrong_p12, _ = _key_files(ca, keys, "Ke gia mao")
    ports = {name: free_port() for name in ("commune", "province", "department")}
    url = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    peers = {
        # The commune knows the department at the province's address.
        "commune": f"{DEPARTMENT} {url['province']} {d_pem};{PROVINCE} {url['province']} {p_pem}"
        f";{GHOST} {url['province']} {d_pem}",
        "province": f"{COMMUNE} {url['commune']} {c_pem};{DEPARTMENT} {url['department']} {d_pem}"
        f";{GHOST} {url['department']} {d_pem}",
        "department": f"{COMMUNE} {url['province']} {c_pem};{PROVINCE} {url['province']} {p_pem}",
    }
    own = {
        "commune": (COMMUNE, c_p12, {}),
        "province": (PROVINCE, p_p12, {"exchange_relay": PROVINCE}),
        "department": (DEPARTMENT, d_p12, {}),
    }
    made: dict[str, Deployment] = {}
    databases = ExitStack()  # a SQLite file each, or a PostgreSQL database each
    try:
        for name, (code, p12, extra) in own.items():
            data = root / name
            data.mkdir()
            settings = make_settings(
                data,
                databases.enter_context(own_database(data, f"ecabinet_{name}")),
                exchange_key_file=str(p12),
                exchange_key_password=PASSPHRASE,
                exchange_peers=peers[name],
                exchange_send_seconds="1",
                exchange_retry_seconds="1",
                exchange_retry_max_seconds="2",
                login_max_failures="100",
                **extra,
            )
            engine = make_engine(settings)
            migrate.upgrade(engine)
            made[name] = Deployment(
                name, code, ports[name], settings, engine, open_store(settings), p12, logs
            )
        found, units, commune_ids = make_office(made["commune"].engine)
        with session_scope(made["commune"].engine, write=False) as s:
            types = {t.code: t.id or 0 for t in s.exec(select(DocumentType))}
        made["province"].ids = _seed_agency(made["province"].engine, PROVINCE, "UBND tỉnh", True)
        made["department"].ids = _seed_agency(
            made["department"].engine, DEPARTMENT, "Sở Nội vụ", True
        )
        for deployment in made.values():
            deployment.start()
        with (
            httpx.Client(base_url=made["commune"].url, timeout=60) as c_http,
            httpx.Client(base_url=made["department"].url, timeout=60) as d_http,
        ):
            yield Three(
                made["commune"],
                made["province"],
                made["department"],
                Office(c_http, made["commune"].store, found, units, commune_ids, types),  # type: ignore[arg-type]
                Office(d_http, made["department"].store, {}, {}, made["department"].ids, {}),  # type: ignore[arg-type]
                wrong_p12,
            )
    finally:
        for deployment in made.values():
            if deployment.process is not None:
                if deployment.process.poll() is None:
                    deployment.freeze(False)
                deployment.stop()
            deployment.engine.dispose()
        databases.close()


def _dispatch(three: Three, pdf: bytes) -> int:
    return three.office.issue_and_send(pdf, "Sở Nội vụ", DEPARTMENT)


def _package_id(three: Three, doc_id: int) -> str:
    """The id of the package the commune froze for ``doc_id`` (the SHA-256 of its bytes,
    which is also its key in the object store)."""
    rows = _until(
        lambda: [r for r in three.commune.outbox(document_id=doc_id) if r.package_sha256],
        lambda: three.commune.outbox(document_id=doc_id),
    )
    return str(rows[0].package_sha256)


def _at_department(three: Three, package_id: str) -> list[ExchangeInbox]:
    return [i for i in three.department.inbox() if i.package_id == package_id]


def _delivered(three: Three, doc_id: int, delivery: str = "delivered") -> Recipient:
    return _until(
        lambda: (r := three.commune.recipient(doc_id)).delivery == delivery and r,
        lambda: (three.commune.outbox(document_id=doc_id), three.province.outbox()[-2:]),
    )


def _signed(three: Three, data: bytes) -> Envelope:
    signature = exchange_signing.sign(exchange_peers.own_key(three.commune.settings), data)
    return Envelope("document", COMMUNE, DEPARTMENT, data, signature)


def test_a_document_goes_through_the_province_and_its_statuses_come_back(
    three: Three, pdf: bytes
) -> None:
    doc_id = _dispatch(three, pdf)
    package_id = _package_id(three, doc_id)
    recipient = _delivered(three, doc_id)  # only once the department's 01 is back
    assert recipient.status == "01" and recipient.delivered_at is not None
    [arrived] = _at_department(three, package_id)
    assert arrived.from_code == COMMUNE and arrived.document_id is not None
    # The province kept it once and carried the commune's own signature, not one of its own.
    [taken] = [i for i in three.province.inbox() if i.package_id == package_id]
    assert (taken.document_id, taken.kind) == (None, "document")
    [carried] = three.province.outbox(relay_of=taken.id)
    assert carried.state == "delivered" and carried.forward_signature is not None
    data = three.province.store.read_bytes(carried.package_sha256)
    commune_cert = exchange_peers.own_key(three.commune.settings).certificate
    exchange_signing.verify(data, carried.forward_signature, commune_cert)
    # The commune keeps the province's signed receipt, which says relayed.
    [sent] = three.commune.outbox(document_id=doc_id)
    assert sent.receipt is not None and sent.state == "delivered"
    receipt = exchange_signing.Receipt.decode(sent.receipt)
    assert (receipt.relayed_by, receipt.package_id, receipt.to_code) == (
        PROVINCE,
        package_id,
        DEPARTMENT,
    )
    province_cert = exchange_peers.own_key(three.province.settings).certificate
    assert sent.receipt_signature is not None
    exchange_signing.verify(sent.receipt, sent.receipt_signature, province_cert)

    # The department works on it: 03, 04, 05, 06 travel back through the province.
    d, ids, dept_doc = three.dept, three.department.ids, arrived.document_id
    assert d.step("x.clerk", dept_doc, "register").status_code == 200
    assert d.step("x.clerk", dept_doc, "present", leader_id=ids["x.leader"]).status_code == 200
    r = d.step("x.leader", dept_doc, "direct", direction="Giao", lead={"user_id": ids["x.spec"]})
    assert r.status_code == 200, r.text
    assert d.step("x.spec", dept_doc, "start").status_code == 200
    r = d.step("x.spec", dept_doc, "complete", note="Đã xử lý")
    assert r.status_code == 200, r.text
    _until(
        lambda: three.commune.recipient(doc_id).status == "06",
        lambda: (three.commune.recipient(doc_id), three.department.outbox(kind="status")),
    )
    shown = three.office.detail("p.clerk", doc_id).json()["recipients"][0]
    assert (shown["delivery"], shown["status"], shown["stage"]) == ("delivered", "06", "delivered")
    hops = [(h["code"], h["note"]) for h in shown["hops"]]
    assert hops == [
        ("queued", ""),
        ("relayed", PROVINCE),
        ("01", ""),
        ("03", ""),
        ("04", ""),
        ("05", ""),
        ("06", ""),
    ]
    assert shown["hops"][1]["label"] == "Đã chuyển qua trục"
    # Every hop audited on each deployment.
    assert {"exchange.queued", "exchange.relayed", "exchange.delivered"} <= set(
        three.commune.actions()
    )
    assert "exchange.received_status" in three.commune.actions()
    assert {"exchange.received_to_relay", "exchange.queued", "exchange.delivered"} <= set(
        three.province.actions()
    )
    assert {"exchange.received_document", "exchange.relayed"} <= set(three.department.actions())
    relayed_statuses = [
        r for r in three.province.outbox(kind="status") if r.from_code == DEPARTMENT
    ]
    assert {r.state for r in relayed_statuses} == {"delivered"} and len(relayed_statuses) >= 5


def test_the_department_away_while_the_commune_dispatches_gets_it_once(
    three: Three, pdf: bytes
) -> None:
    three.department.stop()
    try:
        doc_id = _dispatch(three, pdf)
        package_id = _package_id(three, doc_id)
        _delivered(three, doc_id, "relayed")  # the province has it; the department not yet
        _until(
            lambda: [
                r
                for r in three.province.outbox(kind="document")
                if r.state == "pending" and r.attempts >= 2 and r.to_code == DEPARTMENT
            ]
        )
        assert _at_department(three, package_id) == []
    finally:
        three.department.start()
    _delivered(three, doc_id)
    assert len(_at_department(three, package_id)) == 1
    with session_scope(three.department.engine, write=False) as s:
        assert (
            len(
                list(s.exec(select(ExchangeInbox.id).where(ExchangeInbox.package_id == package_id)))
            )
            == 1
        )


def test_the_same_package_twice_makes_one_document(three: Three, pdf: bytes) -> None:
    doc_id = _dispatch(three, pdf)
    package_id = _package_id(three, doc_id)
    _delivered(three, doc_id)
    before = len(three.department.received())
    [sent] = three.commune.outbox(document_id=doc_id)
    envelope = _signed(three, three.commune.store.read_bytes(package_id))
    # Again through the province: its first receipt back, nothing queued again.
    again = PeerAxis().send(three.province.url, envelope)
    assert (again.receipt, again.signature) == (sent.receipt, sent.receipt_signature)
    # And straight to the department, as a relay repeating itself: its first receipt.
    [carried] = [
        r for r in three.province.outbox(kind="document") if r.package_sha256 == package_id
    ]
    repeat = PeerAxis().send(
        three.department.url, Envelope(**{**envelope.__dict__, "via": PROVINCE})
    )
    assert (repeat.receipt, repeat.signature) == (carried.receipt, carried.receipt_signature)
    time.sleep(1.5)  # a round of every sender
    assert len(three.department.received()) == before
    assert len(_at_department(three, package_id)) == 1
    assert len([r for r in three.province.outbox() if r.package_sha256 == package_id]) == 1


def test_a_changed_byte_or_a_wrong_sender_signature_is_refused_with_the_reason(
    three: Three, pdf: bytes
) -> None:
    doc_id = _dispatch(three, pdf)
    package_id = _package_id(three, doc_id)
    _delivered(three, doc_id)
    data = bytearray(three.commune.store.read_bytes(package_id))
    envelope = _signed(three, bytes(data))
    data[len(data) // 2] ^= 0x01
    taken = len(three.province.inbox())
    with pytest.raises(Refused) as refused:
        PeerAxis().send(three.province.url, Envelope(**{**envelope.__dict__, "data": bytes(data)}))
    assert refused.value.code == "exchange.bad_signature"
    assert refused.value.vi.startswith("Chữ ký của gói tin không hợp lệ")
    assert len(three.province.inbox()) == taken

    # The commune's system signs with a key that is not the one pinned for it.
    key = three.commune.key
    good = key.read_bytes()
    key.write_bytes(three.wrong_key.read_bytes())
    os.utime(key, (time.time() + 5, time.time() + 5))
    try:
        doc_id = _dispatch(three, pdf)
        recipient = _delivered(three, doc_id, "refused")
    finally:
        key.write_bytes(good)
        os.utime(key, (time.time() + 10, time.time() + 10))
    assert recipient.status == "02"
    [row] = three.commune.outbox(document_id=doc_id)
    assert row.state == "refused" and row.last_error.startswith("exchange.wrong_signer:")
    assert "Gói tin không do chứng thư số" in row.last_error
    events = three.office.detail("p.clerk", doc_id).json()["timeline"]
    assert any("từ chối: Gói tin không do chứng thư số" in e["note"] for e in events)
    assert len(three.province.inbox()) == taken


def test_the_relay_killed_mid_delivery_loses_nothing_and_duplicates_nothing(
    three: Three, pdf: bytes
) -> None:
    three.department.freeze(True)  # takes the connection, never answers
    try:
        doc_id = _dispatch(three, pdf)
        package_id = _package_id(three, doc_id)
        _delivered(three, doc_id, "relayed")
        _until(  # the province is sending it
            lambda: [
                r
                for r in three.province.outbox(kind="document")
                if r.package_sha256 == package_id and r.attempts == 1
            ]
        )
        time.sleep(0.5)
        three.province.kill()
    finally:
        three.department.freeze(False)
    [row] = [r for r in three.province.outbox() if r.package_sha256 == package_id]
    assert row.state == "pending"  # in flight when it died
    three.province.lease_ran_out()
    three.province.start()
    _delivered(three, doc_id)
    assert len(_at_department(three, package_id)) == 1
    assert len([r for r in three.province.outbox() if r.package_sha256 == package_id]) == 1


def test_the_sender_killed_mid_delivery_loses_nothing_and_duplicates_nothing(
    three: Three, pdf: bytes
) -> None:
    three.province.freeze(True)
    try:
        doc_id = _dispatch(three, pdf)
        package_id = _package_id(three, doc_id)
        _until(lambda: three.commune.outbox(document_id=doc_id)[0].attempts == 1)
        time.sleep(0.5)
        three.commune.kill()
    finally:
        three.province.freeze(False)
    [row] = three.commune.outbox(document_id=doc_id)
    assert row.state == "pending"
    three.commune.lease_ran_out()
    three.commune.start()
    _delivered(three, doc_id)
    assert len(_at_department(three, package_id)) == 1
    assert len([i for i in three.province.inbox() if i.package_id == package_id]) == 1


def test_the_departments_status_before_the_relays_receipt_still_delivers(
    three: Three, pdf: bytes
) -> None:
    """The commune dies after the province took its package but before it kept the
    province's receipt; back up, it hears the department's 01 (relayed by the province)
    before it sends again and gets the province's first receipt. The 01 that came first
    makes it delivered: before, the receipt set it back to *relayed* for good (a race a
    loaded machine lost)."""
    three.province.freeze(True)
    try:
        doc_id = _dispatch(three, pdf)
        package_id = _package_id(three, doc_id)
        _until(lambda: three.commune.outbox(document_id=doc_id)[0].attempts == 1)
        time.sleep(0.5)  # the whole request (about 80 kB) in the province's socket buffer
        three.commune.freeze(True)  # it will never read the answer
    finally:
        three.province.freeze(False)
    try:
        _until(lambda: [r for r in three.province.outbox() if r.package_sha256 == package_id])
        three.commune.kill()
    finally:
        three.commune.freeze(False)
    [row] = three.commune.outbox(document_id=doc_id)
    assert row.state == "pending" and row.receipt is None  # leased, no receipt kept
    three.commune.start()  # the lease still runs: the commune does not send again yet
    _until(
        lambda: [i for i in three.commune.inbox() if i.from_code == DEPARTMENT],
        lambda: three.province.outbox()[-2:],
    )
    assert three.commune.recipient(doc_id).delivery != "delivered"
    three.commune.lease_ran_out()  # now it sends again: the province's first receipt
    recipient = _delivered(three, doc_id)
    assert recipient.status == "01"
    [sent] = three.commune.outbox(document_id=doc_id)
    assert sent.state == "delivered" and sent.receipt is not None
    assert len(_at_department(three, package_id)) == 1


def test_the_province_refuses_at_once_what_the_department_would_refuse(
    three: Three, pdf: bytes
) -> None:
    doc_id = _dispatch(three, pdf)
    data = three.commune.store.read_bytes(_package_id(three, doc_id))
    # Signed by the commune, addressed to the department, sent on for the commune.
    with pytest.raises(Refused) as refused:
        PeerAxis().send(three.province.url, replace(_signed(three, data), to_code=COMMUNE))
    assert refused.value.code == "edxml.misaddressed"
    assert refused.value.vi.startswith("Gói edXML không gửi cho cơ quan mã")
    # Signed by the department, for a package whose sender is the commune (one more
    # byte: not the package the province already carried, whose receipt it would give).
    key = exchange_peers.own_key(three.department.settings)
    other = data + b"\n"
    forged = Envelope("document", DEPARTMENT, DEPARTMENT, other, exchange_signing.sign(key, other))
    with pytest.raises(Refused) as refused:
        PeerAxis().send(three.province.url, forged)
    assert refused.value.code == "exchange.sender_mismatch"
    kept = [(i.from_code, i.to_code) for i in three.province.inbox() if i.kind == "document"]
    assert (COMMUNE, COMMUNE) not in kept and (DEPARTMENT, DEPARTMENT) not in kept


def test_a_refusal_beyond_the_province_comes_back_to_the_commune(three: Three, pdf: bytes) -> None:
    doc_id: int = three.office.issue_on_paper(pdf).json()["id"]
    r = three.office.post(
        "p.clerk",
        f"/api/v1/documents/{doc_id}/dispatch",
        json={"recipients": [{"method": "edxml", "name": "Bộ Nội vụ", "organ_id": GHOST}]},
    )
    assert r.status_code == 200, r.text
    # The province takes it on (it passes every check a relay can make); the department
    # refuses it; the province tells the commune, in a status 02 it signs.
    recipient = _delivered(three, doc_id, "refused")
    assert recipient.status == "02"
    [row] = three.commune.outbox(document_id=doc_id)
    assert row.state == "refused"
    assert row.last_error.startswith("exchange.refused_beyond_relay:")
    assert "exchange.unknown_recipient" in row.last_error and GHOST in row.last_error
    events = three.office.detail("p.clerk", doc_id).json()["timeline"]
    assert any(f"Qua trục {PROVINCE}" in e["note"] for e in events)
    forwarded = [o for o in three.province.outbox() if o.to_code == GHOST]
    assert [o.state for o in forwarded] == ["refused"]
    back = _until(
        lambda: [
            o
            for o in three.province.outbox()
            if o.kind == "status" and o.to_code == COMMUNE and o.status_code == "02"
        ]
    )
    assert _until(lambda: three.province.outbox(id=back[0].id)[0].state == "delivered")
    assert [i for i in three.department.inbox() if i.to_code == GHOST] == []

    # The province's clerk sees what it relays in its console, the refusal with its
    # reason, and may send it again or give it up.
    with httpx.Client(base_url=three.province.url, timeout=60) as http:
        province = Office(http, three.province.store, {}, {}, three.province.ids, {})  # type: ignore[arg-type]
        listed = province.get("x.clerk", "/api/v1/exchange/outbox?state=refused").json()
        [shown] = [i for i in listed["items"] if i["to_code"] == GHOST]
        assert (shown["relayed"], shown["document_id"], shown["from_code"]) == (
            True,
            None,
            COMMUNE,
        )
        assert "exchange.unknown_recipient" in shown["last_error"] and shown["may_retry"]
        r = province.post("x.clerk", f"/api/v1/exchange/outbox/{shown['id']}/cancel")
        assert r.status_code == 200 and r.json()["stage"] == "cancelled", r.text
