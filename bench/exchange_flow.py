"""End-to-end exchange figures for ``bench/exchange.py --mode latency|backlog`` (decision
0036): the real sender between deployments served over loopback in this process."""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from sqlmodel import col, select
from starlette.testclient import TestClient

from bench.exchange import A_CODE, B_CODE, _identity, _message, _settings
from documents import edxml
from documents.exchange import outbox as exchange_outbox
from documents.exchange.models import ExchangeOutbox
from documents.exchange.sender import send_once
from documents.models import Document, DocumentType, Recipient
from ecabinet.app import create_app
from ecabinet.core import agencies, migrate
from ecabinet.core.agencies import AgencyLevel
from ecabinet.core.audit import Actor
from ecabinet.core.db import make_engine, session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore, open_store
from ecabinet.core.types import utcnow
from ecabinet.demo.pdfs import demo_documents
from tests.documents.office import Office, make_office
from tests.support.live import free_port, serve

P_CODE = "000.00.00.H97"
BENCH = Actor.system("bench")


@dataclass
class Side:
    settings: Settings
    store: ObjectStore

    def __post_init__(self) -> None:
        self.engine = make_engine(self.settings)

    def send(self) -> int:
        return send_once(self.engine, self.store, self.settings)


_BASES: dict[int, tuple[bytes, int]] = {}


def _pdf(seed: int, kb: int) -> bytes:
    """The demo PDF with an attachment of ``kb`` random kB, other random bytes for each
    call. The PDF is written once per size; each call replaces the attachment's bytes
    (stored as they are, so offsets and the cross-reference table stay right): a
    10,000-package backlog is queued in seconds, not half an hour."""
    if kb not in _BASES:
        marker = os.urandom(kb * 1024)
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(demo_documents()[0].pdf())))
        writer.add_attachment(f"phu-luc-{seed}.bin", marker)
        out = io.BytesIO()
        writer.write(out)
        base = out.getvalue()
        at = base.find(marker)
        assert at > 0 and base.count(marker[:64]) == 1, "the attachment must be stored raw"
        _BASES[kb] = (base, at)
    base, at = _BASES[kb]
    return base[:at] + os.urandom(kb * 1024) + base[at + kb * 1024 :]


def _agency(side: Side, code: str) -> None:
    with session_scope(side.engine) as s:
        agencies.create_agency(
            s,
            BENCH,
            code=code,
            name=f"Cơ quan {code}",
            abbreviation="CQ",
            level=AgencyLevel.province,
            parent_name="",
        )


@contextmanager
def _deployments(root: Path, relay: bool) -> Iterator[tuple[Side, Side, Side | None, int, int]]:
    """A (the sender, one issued document), B (not served yet: its port last) and P
    (the relay, served) when ``relay``."""
    keys = {name: _identity(root, name) for name in ("a", "b", "p")}
    ports = {name: free_port() for name in ("a", "b", "p")}
    url = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    via = url["p"] if relay else url["b"]
    peers = {
        "a": f"{B_CODE} {via} {keys['b'][1]};{P_CODE} {url['p']} {keys['p'][1]}",
        "b": f"{A_CODE} {url['p'] if relay else url['a']} {keys['a'][1]};"
        f"{P_CODE} {url['p']} {keys['p'][1]}",
        "p": f"{A_CODE} {url['a']} {keys['a'][1]};{B_CODE} {url['b']} {keys['b'][1]}",
    }
    sides: dict[str, Side] = {}
    for name in ("a", "b", "p"):
        extra = {"exchange_relay": P_CODE} if name == "p" else {}
        settings = _settings(
            root / name,
            exchange_key_file=str(keys[name][0]),
            exchange_peers=peers[name],
            login_max_failures="100",
            **extra,
        )
        sides[name] = Side(settings, open_store(settings))
        migrate.upgrade(sides[name].engine)
    _agency(sides["b"], B_CODE)
    _agency(sides["p"], P_CODE)
    a = sides["a"]
    found, units, ids = make_office(a.engine)
    with session_scope(a.engine, write=False) as s:
        types = {t.code: t.id or 0 for t in s.exec(select(DocumentType))}
    with ExitStack() as stack:
        client = stack.enter_context(TestClient(create_app(a.settings, engine=a.engine)))
        office = Office(client, a.store, found, units, ids, types)
        doc_id = int(office.issue_on_paper(demo_documents()[0].pdf()).json()["id"])
        stack.enter_context(serve(create_app(a.settings, engine=a.engine), ports["a"]))
        if relay:
            stack.enter_context(
                serve(create_app(sides["p"].settings, engine=sides["p"].engine), ports["p"])
            )
        yield a, sides["b"], sides["p"] if relay else None, doc_id, ports["b"]
        for side in sides.values():
            side.engine.dispose()


def _queue(a: Side, doc_id: int, number: int, kb: int) -> int:
    """One outbox row for B, its package (a PDF of ``kb`` random kB) frozen as the
    sender's first attempt would: the id of the row."""
    data = _message(number, _pdf(number, kb))
    key = edxml.parse_document(data).document_id
    with session_scope(a.engine) as s:
        document = s.get(Document, doc_id)
        assert document is not None
        recipient = Recipient(
            document_id=doc_id,
            organ_id=B_CODE,
            name="UBND tỉnh Bên Kia",
            method="edxml",
            sent_at=utcnow(),
        )
        s.add(recipient)
        s.flush()
        row = exchange_outbox.enqueue_document(s, BENCH, document, recipient, A_CODE)
        assert row.id is not None
        exchange_outbox.freeze(s, row.id, a.store.put_bytes(data).sha256, key)
        return row.id


def _done(a: Side, ids: list[int]) -> int:
    with session_scope(a.engine, write=False) as s:
        query = select(ExchangeOutbox.id).where(
            col(ExchangeOutbox.id).in_(ids), ExchangeOutbox.state == "delivered"
        )
        return len(list(s.exec(query)))


def _relayed(a: Side, ids: list[int]) -> int:
    with session_scope(a.engine, write=False) as s:
        query = select(ExchangeOutbox.id).where(
            col(ExchangeOutbox.id).in_(ids), ExchangeOutbox.state == "relayed"
        )
        return len(list(s.exec(query)))


def _drain(a: Side, b: Side, p: Side | None, ids: list[int]) -> None:
    """Every sender in turn (A; P to B; B's statuses; P back to A) until A has the proof
    for every row."""
    rounds: list[Callable[[], int]] = [a.send] + ([p.send, b.send, p.send] if p else [])
    while _done(a, ids) < len(ids):
        for deliver in rounds:
            deliver()


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"median {statistics.median(values) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"


LATENCIES: dict[bool, float] = {}
"""Median latency, direct (False) and through the relay (True), for ``--compare``."""


def run_flow(mode: str, count: int, args: argparse.Namespace) -> None:
    if mode == "latency" and args.compare:
        for relay in (False, True):
            _run(mode, count, argparse.Namespace(**{**vars(args), "relay": relay}))
        ratio = LATENCIES[True] / LATENCIES[False]
        print(f"through the relay / direct (medians): {ratio:.2f}×")
        return
    _run(mode, count, args)


def _run(mode: str, count: int, args: argparse.Namespace) -> None:
    path = "A → P (relay) → B, status 01 back through P" if args.relay else "A → B, receipt"
    with tempfile.TemporaryDirectory() as tmp, _deployments(Path(tmp), args.relay) as sides:
        a, b, p, doc_id, port = sides
        with serve(create_app(b.settings, engine=b.engine), port):
            warm = _queue(a, doc_id, 9999, args.kb)
            _drain(a, b, p, [warm])  # the sandbox's fork server, first imports
            if mode == "latency":
                times: list[float] = []
                for number in range(1, count + 1):
                    row_id = _queue(a, doc_id, number, args.kb)
                    start = time.perf_counter()
                    _drain(a, b, p, [row_id])
                    times.append(time.perf_counter() - start)
                print(f"{path}: {len(times)} packages of {args.kb} kB random + the demo PDF")
                print(f"end-to-end latency until the proof is back at A: {_ms(times)}")
                LATENCIES[bool(p)] = statistics.median(times)
                return
        # backlog: queued while B is away, then B comes back
        made = time.perf_counter()
        ids = [_queue(a, doc_id, number, args.kb) for number in range(1, count + 1)]
        made = time.perf_counter() - made
        handed = 0.0
        if p is not None:  # the relay takes them all on while B is away (A's hop done)
            handed = time.perf_counter()
            while _relayed(a, ids) < len(ids):
                a.send()
            handed = time.perf_counter() - handed
        with serve(create_app(b.settings, engine=b.engine), port):
            start = time.perf_counter()
            _drain(a, b, p, ids)
            total = time.perf_counter() - start
        rate = count / total
        print(
            f"{path}: backlog of {count} packages ({args.kb} kB random each), "
            f"queued in {made:.1f} s"
            + (f", taken on by P while B was away in {handed:.1f} s" if p else "")
        )
        print(
            f"drained in {total:.1f} s after B came back: {rate:.2f} packages/s, "
            f"{total / count * 1000:.0f} ms per package; N=10,000 ≈ {10000 / rate / 60:.0f} min"
        )
