"""The national axis's side (decision 0034), when this deployment plays it: a mailbox
per member agency. A member deposits a package signed with its pinned certificate;
the receiver lists what waits for it, fetches each with the sender's signature, and
acknowledges it (``done``) or refuses it with a reason (``fail``) the sender reads in
its list of sent messages. Every change is audited; nothing here knows about HTTP."""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from documents.agency_directory.models import DirectoryEntry
from documents.exchange import peers as exchange_peers
from documents.exchange import receipts
from documents.exchange.axis_models import AxisMessage
from documents.exchange.inbox import Envelope, SignedReceipt
from documents.exchange.signed_messages import refused
from ecabinet.core import audit, errors
from ecabinet.core.audit import Actor
from ecabinet.core.settings import Settings
from ecabinet.core.types import utcnow

STATES = ("done", "fail")
MAX_LISTED = 500


AXIS = "truc-lien-thong-quoc-gia"
"""How the axis names itself in its receipts when it has no agency code of its own."""


def _actor(code: str) -> Actor:
    return Actor.system(f"axis:{code}"[:255])


def not_enabled() -> errors.NotFound:
    return errors.NotFound(
        "axis.not_enabled",
        "Hệ thống này không đóng vai trò trục liên thông.",
        "This system does not play the national axis.",
    )


def deposit(session: Session, settings: Settings, envelope: Envelope) -> tuple[SignedReceipt, bool]:
    """Keep an authenticated message for its receiver; the axis's signed receipt, and
    whether it is new (the same package again gets the first receipt, and is offered
    again if its receiver had refused it: the sender's clerk sent it again)."""
    if exchange_peers.peer_for(settings, envelope.to_code) is None:
        raise refused(
            "axis.unknown_recipient",
            f"Cơ quan nhận {envelope.to_code} không phải thành viên của trục.",
            f"The receiver {envelope.to_code} is not a member of this axis.",
            to=envelope.to_code,
        )
    first = session.exec(
        select(AxisMessage).where(
            AxisMessage.package_id == envelope.package_id,
            AxisMessage.to_code == envelope.to_code,
        )
    ).first()
    now = utcnow()
    if first is not None:
        if first.state == "fail":  # sent again after a refusal: offered to the receiver again
            first.data, first.signature = envelope.data, envelope.signature
            first.state, first.state_note, first.updated_at = "pending", "", now
            session.add(first)
            audit.record(
                session,
                _actor(envelope.from_code),
                "axis.redeposited",
                "axis_message",
                first.id,
                f"{envelope.from_code} → {envelope.to_code} {envelope.package_id[:16]}",
            )
        return SignedReceipt(first.receipt, first.receipt_signature), False
    # The axis carries it, it has not arrived: the sender shows "relayed" until the
    # receiver's own signed status 01 comes back through the axis (decision 0036).
    receipt, signature = receipts.sign_receipt(
        settings,
        envelope,
        now,
        reference=envelope.package_id,
        relayed_by=settings.exchange_relay or AXIS,
    )
    row = AxisMessage(
        package_id=envelope.package_id,
        kind=envelope.kind,
        from_code=envelope.from_code,
        to_code=envelope.to_code,
        data=envelope.data,
        signature=envelope.signature,
        receipt=receipt,
        receipt_signature=signature,
        received_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()  # a concurrent duplicate fails here
    audit.record(
        session,
        _actor(envelope.from_code),
        "axis.deposited",
        "axis_message",
        row.id,
        f"{envelope.kind} {envelope.from_code} → {envelope.to_code} {envelope.package_id[:16]}",
    )
    return SignedReceipt(receipt, signature), True


def pending(session: Session, code: str) -> list[AxisMessage]:
    """What waits for ``code``, oldest first."""
    query = (
        select(AxisMessage)
        .where(AxisMessage.to_code == code, AxisMessage.state == "pending")
        .order_by(col(AxisMessage.id))
        .limit(MAX_LISTED)
    )
    return list(session.exec(query))


def held_for(session: Session, code: str, package_id: str) -> AxisMessage:
    """One message for ``code`` (404 when there is none: another's looks the same)."""
    row = session.exec(
        select(AxisMessage).where(AxisMessage.package_id == package_id, AxisMessage.to_code == code)
    ).first()
    if row is None:
        raise errors.NotFound.of("gói tin", "The package", "axis.unknown_package")
    return row


def acknowledge(
    session: Session, code: str, package_id: str, state: str, reason: dict[str, str] | None
) -> AxisMessage:
    """The receiver took the message (``done``) or refused it (``fail``, with its reason):
    it leaves the pending list. Saying the same again changes nothing; the opposite is
    a conflict."""
    row = held_for(session, code, package_id)
    if row.state == state:
        return row
    if row.state != "pending":
        raise errors.Conflict(
            "axis.already_acknowledged",
            f"Gói tin đã được xác nhận ở trạng thái {row.state}.",
            f"The package was already acknowledged as {row.state}.",
            {"state": row.state},
        )
    row.state, row.updated_at = state, utcnow()
    row.state_note = json.dumps(reason or {}, ensure_ascii=False)[:4000] if state == "fail" else ""
    session.add(row)
    audit.record(
        session,
        _actor(code),
        "axis.acknowledged" if state == "done" else "axis.refused",
        "axis_message",
        row.id,
        f"{row.from_code} → {code} {package_id[:16]} {state}",
    )
    return row


def sent_by(session: Session, code: str) -> list[AxisMessage]:
    """What ``code`` deposited, most recently changed first (their states for it)."""
    query = (
        select(AxisMessage)
        .where(AxisMessage.from_code == code)
        .order_by(col(AxisMessage.updated_at).desc(), col(AxisMessage.id).desc())
        .limit(MAX_LISTED)
    )
    return list(session.exec(query))


def directory(session: Session) -> list[DirectoryEntry]:
    """The agency directory the axis holds (imported like any deployment's)."""
    return list(session.exec(select(DirectoryEntry).order_by(col(DirectoryEntry.code))))
