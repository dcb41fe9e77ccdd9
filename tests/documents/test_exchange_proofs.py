"""Every hop the clerk sees is backed by the other system's own signed words (issue 17:
"every hop visible to the clerk, with proof"): the receiver's signed receipt for
"arrived", the receiver's signed status message for each later step, at the time the
receiver gives, and on the receiving side the sender's signed package. An insider who
edits a kept signature in SQL is seen. The two-deployment tests reuse
:mod:`tests.documents.test_exchange`."""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

from cryptography import x509
from sqlalchemy import text
from sqlmodel import select

from documents import edxml_status
from documents.exchange.models import ExchangeInbox
from documents.exchange.sender import send_once
from ecabinet.core.db import session_scope
from tests.support.exchange_pair import (
    A_CODE,
    B_CODE,
    Pair,
    dispatch_to_b,
    received_docs,
    send_from_a,
)


def _registered_at_b(two: Pair, pdf: bytes) -> tuple[int, int]:
    """A dispatches to B, B registers it, and B's status is sent a while later."""
    two.start_b()
    doc_id = dispatch_to_b(two, pdf)
    assert send_from_a(two) == 1
    [arrived] = received_docs(two.b)
    assert two.b_office.step("b.clerk", arrived.id or 0, "register").status_code == 200
    time.sleep(1.2)  # the status leaves B well after B's step
    assert send_once(two.b.engine, two.b.store, two.b.settings) == 1
    return doc_id, arrived.id or 0


def _hops(two: Pair, doc_id: int) -> list[dict[str, Any]]:
    [recipient] = two.office.detail("p.clerk", doc_id).json()["recipients"]
    hops: list[dict[str, Any]] = recipient["hops"]
    return hops


def _proof(two: Pair, who: str, doc_id: int, path: str) -> Any:
    return two.office.get(who, f"/api/v1/documents/{doc_id}/exchange-proofs/{path}")


def test_each_hop_has_the_peers_signed_words_behind_it(pair: Pair, pdf: bytes) -> None:
    doc_id, _ = _registered_at_b(pair, pdf)
    hops = {h["code"]: h for h in _hops(pair, doc_id)}
    assert set(hops) == {"queued", "01", "03"}
    assert hops["queued"]["proof"] is None  # our own step: nobody else vouches for it
    assert hops["01"]["proof"].startswith("receipt/")
    assert hops["03"]["proof"].startswith("message/")

    b_pem = x509.load_pem_x509_certificate(pair.a.settings.exchange_peers[0].cert_path.read_bytes())
    for code in ("01", "03"):
        r = _proof(pair, "p.clerk", doc_id, hops[code]["proof"])
        assert r.status_code == 200, r.text
        proof = r.json()
        assert (proof["signed_by"], proof["valid"], proof["problem"]) == (B_CODE, True, "")
        assert x509.load_pem_x509_certificate(proof["certificate"].encode()) == b_pem
    status = _proof(pair, "p.clerk", doc_id, hops["03"]["proof"]).json()
    message = edxml_status.parse_status(base64.b64decode(status["data"]))
    assert message.status_code == "03" and message.sender.organ_id == B_CODE

    # The hop is at the time B reached the step, not when its message came in.
    with session_scope(pair.a.engine, write=False) as s:
        row = s.exec(select(ExchangeInbox).where(ExchangeInbox.kind == "status")).one()
    assert row.reported_at is not None
    assert (row.received_at - row.reported_at).total_seconds() > 1.0
    shown = hops["03"]["at"].replace("Z", "+00:00")
    assert shown == row.reported_at.isoformat()


def test_the_receiver_keeps_the_senders_signed_package(pair: Pair, pdf: bytes) -> None:
    _, arrived_id = _registered_at_b(pair, pdf)
    b = pair.b_office
    listed = b.get("b.clerk", f"/api/v1/documents/{arrived_id}/exchange-proofs").json()["items"]
    [package] = [p for p in listed if p["what"] == "document"]
    assert package["signed_by"] == A_CODE
    r = b.get("b.clerk", f"/api/v1/documents/{arrived_id}/exchange-proofs/{package['proof']}")
    proof = r.json()
    assert proof["valid"] is True
    with session_scope(pair.b.engine, write=False) as s:
        row = s.exec(select(ExchangeInbox).where(ExchangeInbox.kind == "document")).one()
    assert hashlib.sha256(base64.b64decode(proof["data"])).hexdigest() == row.package_id


def test_an_insider_editing_a_kept_signature_is_seen(pair: Pair, pdf: bytes) -> None:
    doc_id, _ = _registered_at_b(pair, pdf)
    path = {h["code"]: h for h in _hops(pair, doc_id)}["03"]["proof"]
    with pair.a.engine.begin() as conn:
        (signature,) = conn.execute(
            text("SELECT message_signature FROM exchange_inbox WHERE kind = 'status'")
        ).one()
        changed = bytearray(signature)
        changed[-10] ^= 0x01
        conn.execute(
            text("UPDATE exchange_inbox SET message_signature = :s WHERE kind = 'status'"),
            {"s": bytes(changed)},
        )
    proof = _proof(pair, "p.clerk", doc_id, path).json()
    assert proof["valid"] is False and proof["problem"].startswith("exchange.")


def test_proofs_are_for_those_who_see_the_document(pair: Pair, pdf: bytes) -> None:
    doc_id, _ = _registered_at_b(pair, pdf)
    path = {h["code"]: h for h in _hops(pair, doc_id)}["03"]["proof"]
    assert _proof(pair, "d.spec", doc_id, path).status_code in (403, 404)
    listed = pair.office.get("d.spec", f"/api/v1/documents/{doc_id}/exchange-proofs")
    assert listed.status_code in (403, 404)
    # A proof is only reached through its own document, and only of a known kind.
    other = pair.office.issue_on_paper(pdf).json()["id"]
    assert _proof(pair, "p.clerk", other, path).status_code == 404
    bad = _proof(pair, "p.clerk", doc_id, "secret/1")
    assert bad.status_code == 422 and bad.json()["code"] == "exchange.bad_proof_kind"
