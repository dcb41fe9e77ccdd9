"""Two deployments for exchange tests (decision 0032): A (the office of
tests.documents.office, in process and served over HTTP for what B sends back) and B,
each its own database and data folder and exchange key, talking over real HTTP. The
``pair`` fixture is registered in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import Engine
from sqlmodel import select

from documents.exchange.models import ExchangeOutbox
from documents.exchange.sender import send_once
from documents.models import Document, Recipient
from ecabinet.app import create_app
from ecabinet.core import agencies, audit, migrate, users
from ecabinet.core.agencies import AgencyLevel, Role
from ecabinet.core.db import make_engine, session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore, open_store
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


def key_files(ca: Issuer, folder: Path, name: str) -> tuple[Path, Path]:
    issued = ca.pkcs12(name, use_rsa=True)
    p12, pem = folder / f"{name}.p12", folder / f"{name}.pem"
    p12.write_bytes(issued.data)
    pem.write_bytes(issued.certificate.public_bytes(Encoding.PEM))
    return p12, pem


def make_b(engine: Engine) -> dict[str, int]:
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
    a_p12, a_pem = key_files(ca, keys, "UBND tinh Thu Nghiem")
    b_p12, b_pem = key_files(ca, keys, "UBND tinh Ben Kia")
    wrong_p12, wrong_pem = key_files(ca, keys, "Ke gia mao")
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
        b_ids = make_b(b_engine)
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


def dispatch_to_b(pair: Pair, pdf: bytes) -> int:
    return pair.office.issue_and_send(pdf, "UBND tỉnh Bên Kia", B_CODE)


def send_from_a(pair: Pair, **kw: object) -> int:
    return send_once(pair.a.engine, pair.a.store, pair.a.settings, **kw)  # type: ignore[arg-type]


def outbox_rows(side: Side, kind: str = "document") -> list[ExchangeOutbox]:
    with session_scope(side.engine, write=False) as s:
        return list(s.exec(select(ExchangeOutbox).where(ExchangeOutbox.kind == kind)))


def received_docs(side: Side) -> list[Document]:
    with session_scope(side.engine, write=False) as s:
        return list(s.exec(select(Document).where(Document.source == "exchange")))


def recipient_row(side: Side, doc_id: int) -> Recipient:
    with session_scope(side.engine, write=False) as s:
        found = s.exec(select(Recipient).where(Recipient.document_id == doc_id)).one()
        return found


def audit_actions(side: Side) -> list[str]:
    with session_scope(side.engine, write=False) as s:
        return [e.action for e in audit.recent(s, limit=500)]
