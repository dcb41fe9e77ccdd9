"""The demo's documents: every state of both flows, overdue ones, real signatures, and a
dispatch between two agencies that the recipient has registered."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import col, select

from documents.files import current_main
from documents.layout.page import place_date_line
from documents.models import Document, Recipient
from documents.states import Flow, State
from documents.symbols import format_number_symbol
from ecabinet.core.db import session_scope
from ecabinet.core.storage import ObjectStore, open_store
from ecabinet.demo.seed import seed
from signing.pdfio import VN
from tests.conftest import make_settings
from tests.signing.checks import pdfsig

OUTGOING_STATES = {
    "draft",
    "in_review",
    "awaiting_approval",
    "approved",
    "signed",
    "issued",
    "dispatched",
}
INCOMING_STATES = {
    "received",
    "registered",
    "presented",
    "assigned",
    "in_progress",
    "completed",
    "refused",
}


def test_demo_documents(tmp_path: Path, database_url: str, engine: Engine) -> None:
    settings = make_settings(tmp_path / "data", database_url, demo_mode="true")
    store = open_store(settings)
    report = seed(engine, store, settings)
    assert report.created_documents >= 24
    assert seed(engine, store, settings).created_documents == 0  # idempotent
    today = datetime.now(VN).date()
    with session_scope(engine, write=False) as s:
        docs = s.exec(select(Document)).all()
        by_flow = {f: {d.state for d in docs if d.flow == f.value} for f in Flow}
        assert by_flow[Flow.outgoing] >= OUTGOING_STATES
        assert by_flow[Flow.incoming] >= INCOMING_STATES
        open_overdue = [
            d for d in docs if State(d.state).open and d.deadline and d.deadline < today
        ]
        assert len(open_overdue) >= 2
        late = [
            d
            for d in docs
            if d.completed_at and d.deadline and d.completed_at.astimezone(VN).date() > d.deadline
        ]
        assert late
        sent = s.exec(select(Recipient).where(Recipient.method == "internal")).one()
        assert sent.status == "03"  # the Sở TT&TT has registered it
        copy = s.get(Document, sent.incoming_id)
        assert copy is not None and copy.state == "registered" and copy.signature_verdict == "valid"
        main = current_main(s, sent.document_id)
        assert main is not None
    path = tmp_path / "sent.pdf"
    path.write_bytes(store.read_bytes(main[1].sha256))
    assert pdfsig(path).count("Signature is Valid") == 2
    _pdfs_agree_with_the_registers(engine, store, tmp_path)


def _text(path: Path) -> str:
    run = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True)
    return " ".join(run.stdout.split())


def _pdfs_agree_with_the_registers(engine: Engine, store: ObjectStore, tmp_path: Path) -> None:
    """Each issued document's file reads the number, symbol and date of its register
    entry (decision 0015), and each received one the sender's number and symbol."""
    checked = {Flow.outgoing: 0, Flow.incoming: 0}
    with session_scope(engine, write=False) as s:
        docs = s.exec(select(Document).where(col(Document.number).is_not(None))).all()
        files = {d.id: current_main(s, d.id) for d in docs if d.id is not None}
    for doc in docs:
        main = files[doc.id]
        if main is None or doc.issued_on is None:
            continue
        path = tmp_path / f"doc-{doc.id}.pdf"
        path.write_bytes(store.read_bytes(main[1].sha256))
        text = _text(path)
        label = format_number_symbol(doc.number, doc.symbol)
        if doc.flow == Flow.outgoing.value and doc.electronic:
            assert f"Số: {label}" in text, (label, text[:300])
            line = place_date_line(doc.place or "An Giang", doc.issued_on)
            assert line in text, (line, text[:300])
        elif doc.flow == Flow.incoming.value:
            assert label in text, (label, text[:300])
        checked[Flow(doc.flow)] += 1
    assert checked[Flow.outgoing] >= 3 and checked[Flow.incoming] >= 10, checked
