"""Recalls over the exchange (decision 0035).

A recall travels as the edXML status message QCVN 102 foresees for it: the *sender* of a
document reports status 13 (recall requested) with the reason in Description and the
document in ResponseFor, signed like any message. The receiver answers with the status
the recall leads to: 15 (recall accepted) once its incoming document is recalled, or a
refusal with a reason (an unknown document, a recall from another sender), which the
sender shows as 16 (recall refused) on its recipient row.

Sending side (:func:`queue_recalls`, in the transaction of the recall step): a package
delivered to a peer gets a recall message; a package not yet delivered is cancelled
instead. Receiving side (:func:`accept`): the incoming document the same sender sent
is recalled (state, timeline, audit, notification to its handlers), a publication of
its bytes on this deployment's public page is withdrawn with the reason, and status 15
is queued for the sender.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from documents import history, notifications, publication, status
from documents.edxml_status import StatusMessage
from documents.exchange import outbox as exchange_outbox
from documents.exchange.inbox import Envelope, SignedReceipt, check_sender, keep
from documents.exchange.models import ExchangeInbox, ExchangeOutbox
from documents.exchange.signed_messages import refused
from documents.files import files_of
from documents.models import Document, Recipient
from documents.publication_models import Publication
from documents.states import State
from ecabinet.core import audit, text
from ecabinet.core.audit import Actor
from ecabinet.core.settings import Settings
from ecabinet.core.types import utcnow
from signing.pdfio import VN

RECALL = status.StatusCode.recall_requested.value
"""The status code a recall travels as (13)."""
MAX_REASON = 2000
CLOSED = frozenset({State.recalled.value, State.refused.value, State.replaced.value})
"""Incoming states a recall leaves as they are (nothing left to withdraw)."""


def is_recall(message: StatusMessage) -> bool:
    return message.status_code == RECALL


def issuer_code(row: ExchangeOutbox) -> str:
    """ResponseFor/OrganId of a status row: the issuer of the document it is about, the
    peer for a status we report on its document, ourselves for a recall of ours."""
    return row.from_code if row.status_code == RECALL else row.to_code


# ---------------------------------------------------------------- sending side


def queue_recalls(session: Session, actor: Actor, document: Document, reason: str) -> int:
    """In the recall step's transaction: for each peer recipient of ``document``, cancel
    the package if it is not delivered yet, else queue a recall message (status 13 with
    ``reason``). The number of recall messages queued."""
    assert document.id is not None
    rows = session.exec(
        select(ExchangeOutbox)
        .where(ExchangeOutbox.kind == "document", ExchangeOutbox.document_id == document.id)
        .order_by(col(ExchangeOutbox.id))
    ).all()
    queued = 0
    for row in rows:
        assert row.id is not None
        if row.state in exchange_outbox.CANCELLABLE:
            exchange_outbox.cancel(session, actor, row.id)
        elif row.state == "delivered" and _queue_one(session, actor, document, row, reason):
            queued += 1
    return queued


def _queue_one(
    session: Session, actor: Actor, document: Document, sent: ExchangeOutbox, reason: str
) -> bool:
    already = session.exec(
        select(ExchangeOutbox.id).where(
            ExchangeOutbox.kind == "status",
            ExchangeOutbox.document_id == document.id,
            ExchangeOutbox.to_code == sent.to_code,
            ExchangeOutbox.status_code == RECALL,
        )
    ).first()
    if already is not None:
        return False
    now = utcnow()
    row = ExchangeOutbox(
        kind="status",
        from_code=sent.from_code,
        to_code=sent.to_code,
        document_id=sent.document_id,
        document_key=sent.document_key,
        status_code=RECALL,
        status_note=reason[:MAX_REASON],
        status_at=now,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "exchange.queued",
        "exchange_outbox",
        row.id,
        f"recall {row.from_code} → {row.to_code} (document {row.document_id})",
    )
    recipient = session.get(Recipient, sent.recipient_id) if sent.recipient_id else None
    if recipient is not None:
        status.set_status(session, recipient, status.StatusCode.recall_requested)
    return True


# ---------------------------------------------------------------- receiving side


def accept(
    session: Session,
    settings: Settings,
    envelope: Envelope,
    message: StatusMessage,
    message_sha256: str = "",
) -> SignedReceipt:
    """Recall the incoming document ``envelope``'s sender sent us (422 for a document we
    never received from that sender), and queue the answer 15 for it."""
    check_sender(envelope, message.sender.organ_id)
    key = message.response_for.document_id[:255]
    received = session.exec(
        select(ExchangeInbox)
        .where(
            ExchangeInbox.kind == "document",
            ExchangeInbox.to_code == envelope.to_code,
            ExchangeInbox.response_for == key,
        )
        .order_by(col(ExchangeInbox.id))
    ).all()
    issuer = message.response_for.organ_id
    mine = [r for r in received if r.from_code == envelope.from_code == issuer]
    if not mine:
        if received or issuer != envelope.from_code:
            raise refused(
                "exchange.recall_not_sender",
                f"Chỉ cơ quan đã gửi văn bản mới thu hồi được; {envelope.from_code} "
                "không gửi văn bản này.",
                f"Only the agency that sent the document may recall it; {envelope.from_code} "
                "did not send it.",
                response_for=key,
            )
        raise refused(
            "exchange.recall_unknown_document",
            "Không có văn bản đã nhận mà đề nghị thu hồi này nêu.",
            "No document received matches this recall.",
            response_for=key,
        )
    reason = text.text(message.description)[:MAX_REASON] or "(không nêu lý do)"
    actor = envelope.actor()
    document_id = 0
    for row in mine:
        document = session.get(Document, row.document_id) if row.document_id else None
        if document is None or document.id is None:
            continue
        document_id = document.id
        recall_incoming(session, actor, document, reason, envelope.from_code)
    return keep(
        session, settings, envelope, document_id, key, RECALL, message_sha256=message_sha256
    )


def recall_incoming(
    session: Session, actor: Actor, document: Document, reason: str, sender: str
) -> None:
    """The sender recalled ``document``: recalled with the reason in its timeline, its
    handlers and clerks told, a publication of its bytes withdrawn, 15 queued back."""
    if document.state in CLOSED:
        return
    before = document.state
    document.state = State.recalled.value
    history.log(
        session,
        actor,
        document,
        "exchange_recall",
        from_state=before,
        note=reason,
        summary=f"{sender} thu hồi / recalled",
    )
    notifications.on_recalled(session, actor, document)
    withdraw_published_copies(session, actor, document, reason)
    exchange_outbox.report(session, actor, document, reason)


def withdraw_published_copies(
    session: Session, actor: Actor, document: Document, reason: str
) -> list[Publication]:
    """Withdraw, with ``reason``, what this deployment published of exactly the bytes of
    ``document``'s files (its main file republished, say)."""
    assert document.id is not None
    digests = {stored.sha256 for _, stored in files_of(session, document.id)}
    if not digests:
        return []
    rows = session.exec(
        select(Publication).where(
            col(Publication.sha256).in_(sorted(digests)), Publication.state == "published"
        )
    ).all()
    today = utcnow().astimezone(VN).date()
    label = f"Văn bản đã bị cơ quan gửi thu hồi: {reason}"[: publication.MAX_REASON]
    return [
        publication.withdraw_by_system(session, actor, row.document_id, on=today, reason=label)
        for row in rows
    ]
