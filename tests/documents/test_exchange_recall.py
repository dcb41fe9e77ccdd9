"""Recalls and replacements over the exchange (decision 0035), two live apps over real
HTTP: a recall reaches the receiver (state, timeline, audit, notification) and both
public pages, its answer (15) comes back as a hop; a package not yet delivered is
cancelled instead; a recall from another sender is refused with a reason the sender
shows as 16; a replacement is linked on the receiver."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from documents import publication
from documents.access import load_view
from documents.edxml_model import Organ, ResponseFor
from documents.edxml_status import StatusMessage, build_status
from documents.exchange import peers as exchange_peers
from documents.exchange import signed_messages as exchange_signing
from documents.exchange.axis import PeerAxis, Refused
from documents.exchange.inbox import Envelope
from documents.exchange.models import ExchangeOutbox
from documents.exchange.sender import send_once
from documents.files import FileKind, attach, files_of
from documents.models import Document
from documents.notifications import Notification
from documents.states import Flow, State
from ecabinet.core import audit
from ecabinet.core.db import session_scope
from ecabinet.core.policy import subject_for
from ecabinet.core.settings import Peer
from ecabinet.core.types import utcnow
from ecabinet.core.users import User
from tests.factories import ACTOR
from tests.support.exchange_pair import (
    A_CODE,
    B_CODE,
    Pair,
    dispatch_to_b,
    outbox_rows,
    received_docs,
    recipient_row,
    send_from_a,
)

REASON = "Sai thẩm quyền ban hành, thu hồi để ban hành lại"


def _send_b(pair: Pair) -> int:
    return send_once(pair.b.engine, pair.b.store, pair.b.settings)


def _publish_on_b(pair: Pair, incoming_id: int) -> str:
    """B republishes the bytes it received (its own issued document with the same main
    file), as a receiver that puts a province's decision on its own page would."""
    with session_scope(pair.b.engine) as s:
        incoming = s.get(Document, incoming_id)
        assert incoming is not None
        [(_, stored), *_] = [(r, f) for r, f in files_of(s, incoming_id) if r.kind == "main"]
        now = utcnow()
        copy = Document(
            agency_id=incoming.agency_id,
            flow=Flow.outgoing.value,
            state=State.issued.value,
            type_id=incoming.type_id,
            year=date.today().year,
            number=7,
            symbol="TB-UBND",
            issued_on=date.today(),
            abstract=f"Công bố lại: {incoming.abstract}",
            signer_name="Người Ký",
            created_at=now,
            updated_at=now,
            issued_at=now,
        )
        s.add(copy)
        s.flush()
        attach(s, ACTOR, copy, stored, kind=FileKind.main)
        clerk = s.exec(select(User).where(User.username == "b.clerk")).one()
        assert copy.id is not None
        row = publication.publish(
            s, ACTOR, subject_for(s, clerk), load_view(s, copy.id), sector="khac"
        )
        return row.slug


def test_a_recall_reaches_the_receiver_and_the_public_page(pair: Pair, pdf: bytes) -> None:
    pair.start_b()
    doc_id = dispatch_to_b(pair, pdf)
    assert pair.office.step("p.clerk", doc_id, "publish").status_code == 200
    assert send_from_a(pair) == 1
    [arrived] = received_docs(pair.b)
    assert arrived.id is not None
    b_slug = _publish_on_b(pair, arrived.id)

    r = pair.office.step("p.clerk", doc_id, "recall", reason=REASON)
    assert r.status_code == 200, r.text
    [recall] = outbox_rows(pair.a, "status")
    assert (recall.status_code, recall.to_code, recall.status_note) == ("13", B_CODE, REASON)
    assert recipient_row(pair.a, doc_id).status == "13"
    assert send_from_a(pair) == 1

    # The receiver: recalled, with the reason, audited, its clerks told.
    with session_scope(pair.b.engine, write=False) as s:
        document = s.get(Document, arrived.id)
        assert document is not None and document.state == "recalled"
        actions = [e.action for e in audit.recent(s, limit=200)]
        notes = s.exec(select(Notification).where(Notification.document_id == arrived.id)).all()
    assert "document.exchange_recall" in actions and "exchange.received_status" in actions
    assert any(n.kind == "recalled" and "thu hồi" in n.title_vi for n in notes)
    timeline = pair.b_office.detail("b.clerk", arrived.id).json()["timeline"]
    assert any(e["action"] == "exchange_recall" and e["note"] == REASON for e in timeline)

    # Its answer, 15, comes back as a hop on the sender's recipient row.
    [answer] = outbox_rows(pair.b, "status")
    assert answer.status_code == "15"
    assert _send_b(pair) == 1
    assert recipient_row(pair.a, doc_id).status == "15"
    shown = pair.office.detail("p.clerk", doc_id).json()["recipients"][0]
    hops = [(h["code"], h["label"]) for h in shown["hops"]]
    assert ("13", "Đề nghị thu hồi") in hops and ("15", "Đồng ý thu hồi") in hops
    assert [c for c, _ in hops].index("13") < [c for c, _ in hops].index("15")

    # Both public pages: withdrawn, with the reason, on the API and the page citizens read.
    a_slug = pair.office.detail("p.clerk", doc_id).json()["publication"]["slug"]
    for base, slug, reason in [
        (pair.a.url, a_slug, REASON),
        (pair.b.url, b_slug, f"Văn bản đã bị cơ quan gửi thu hồi: {REASON}"),
    ]:
        shown_api = httpx.get(f"{base}/api/v1/public/documents/{slug}").json()
        assert (shown_api["state"], shown_api["reason"]) == ("withdrawn", reason)
        page = httpx.get(f"{base}/cong-khai/{slug}")
        assert page.status_code == 200 and "Đã thu hồi" in page.text and REASON in page.text


def test_a_package_not_yet_delivered_is_cancelled_not_recalled(pair: Pair, pdf: bytes) -> None:
    doc_id = dispatch_to_b(pair, pdf)  # B is down: nothing delivered
    r = pair.office.step("p.clerk", doc_id, "recall", reason=REASON)
    assert r.status_code == 200, r.text
    [row] = outbox_rows(pair.a)
    assert row.state == "cancelled" and outbox_rows(pair.a, "status") == []
    pair.start_b()
    assert send_from_a(pair) == 0 and received_docs(pair.b) == []


def _recall_message(pair: Pair, key: str, from_code: str, key_file: Path) -> Envelope:
    """A recall (status 13) of the DocumentId ``key``, from ``from_code``, signed with
    ``key_file``."""
    moment = datetime.now(UTC)
    message = StatusMessage(
        response_for=ResponseFor(
            organ_id=A_CODE, code="01/QĐ-UBND", promulgation_date=moment.date(), document_id=key
        ),
        sender=Organ(organ_id=from_code, name="Cơ quan gửi"),
        status_code="13",
        description=REASON,
        timestamp=moment,
    )
    data = build_status(message)
    settings = dataclasses.replace(pair.a.settings, exchange_key_file=key_file)
    signature = exchange_signing.sign(exchange_peers.own_key(settings), data)
    return Envelope("status", from_code, B_CODE, data, signature)


def test_a_recall_from_another_sender_is_refused(pair: Pair, pdf: bytes) -> None:
    other = "000.00.00.H97"
    # B also trusts a third system, C, whose key is pair.wrong_key.
    c_peer = Peer(code=other, url="http://127.0.0.1:9", cert_path=pair.wrong_cert)
    b_settings = pair.b.settings
    b_settings = dataclasses.replace(
        b_settings, exchange_peers=(*b_settings.exchange_peers, c_peer)
    )
    pair.b = dataclasses.replace(pair.b, settings=b_settings)
    pair.start_b()
    doc_id = dispatch_to_b(pair, pdf)
    assert send_from_a(pair) == 1
    [arrived] = received_docs(pair.b)
    [sent] = outbox_rows(pair.a)
    # C, a trusted peer but not the sender, asks B to recall A's document: refused.
    envelope = _recall_message(pair, sent.document_key, other, pair.wrong_key)
    with pytest.raises(Refused) as refusal:
        PeerAxis().send_status(pair.b.url, envelope)
    assert refusal.value.code == "exchange.recall_not_sender"
    assert "Chỉ cơ quan đã gửi văn bản mới thu hồi được" in refusal.value.vi
    # A recall of a document B never received: refused too, with its own reason.
    a_key = pair.a.settings.exchange_key_file
    assert a_key is not None
    envelope = _recall_message(pair, f"{A_CODE},2026/01/01,99/QĐ-UBND", A_CODE, a_key)
    with pytest.raises(Refused) as refusal:
        PeerAxis().send_status(pair.b.url, envelope)
    assert refusal.value.code == "exchange.recall_unknown_document"
    with session_scope(pair.b.engine, write=False) as s:
        assert (s.get(Document, arrived.id) or arrived).state == "received"

    # A's own recall that B refuses shows as 16, with B's reason, on the recipient row.
    assert pair.office.step("p.clerk", doc_id, "recall", reason=REASON).status_code == 200
    [recall] = outbox_rows(pair.a, "status")
    with session_scope(pair.a.engine) as s:
        row = s.get(ExchangeOutbox, recall.id)
        assert row is not None
        row.document_key = f"{A_CODE},2026/01/01,98/QĐ-UBND"  # B does not know it
        s.add(row)
    assert send_from_a(pair) == 0
    [row] = outbox_rows(pair.a, "status")
    assert row.state == "refused"
    assert row.last_error.startswith("exchange.recall_unknown_document:")
    shown = pair.office.detail("p.clerk", doc_id).json()["recipients"][0]
    refused = [h for h in shown["hops"] if h["code"] == "16"]
    assert refused and refused[0]["label"] == "Từ chối thu hồi"
    assert "exchange.recall_unknown_document" in refused[0]["note"]


def test_a_replacement_is_linked_on_the_receiver(pair: Pair, pdf: bytes) -> None:
    pair.start_b()
    old_id = dispatch_to_b(pair, pdf)
    assert send_from_a(pair) == 1
    [old_in] = received_docs(pair.b)
    new_id = pair.office.issue_on_paper(
        pdf + b"\n% ban thay the\n", replaces_id=old_id, abstract="Quyết định thay thế"
    ).json()["id"]
    r = pair.office.post(
        "p.clerk",
        f"/api/v1/documents/{new_id}/dispatch",
        json={"recipients": [{"method": "edxml", "name": "UBND tỉnh Bên Kia", "organ_id": B_CODE}]},
    )
    assert r.status_code == 200, r.text
    assert send_from_a(pair) == 1
    with session_scope(pair.b.engine, write=False) as s:
        new_in = s.exec(
            select(Document).where(Document.source == "exchange", Document.id != old_in.id)
        ).one()
        old = s.get(Document, old_in.id)
    assert old is not None and old.state == "replaced"
    assert new_in.replaces_id == old_in.id
    b = pair.b_office
    timeline = b.detail("b.clerk", old_in.id or 0).json()["timeline"]
    assert any(e["action"] == "exchange_replaced" for e in timeline)
    timeline = b.detail("b.clerk", new_in.id or 0).json()["timeline"]
    assert any(e["action"] == "exchange_replaces" for e in timeline)
