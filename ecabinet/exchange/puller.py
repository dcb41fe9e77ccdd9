"""The puller of the national axis (decision 0034): for each agency of this deployment,
list what the axis holds for it, fetch each message, take it through the same receiving
path as a push delivery (the sender's signature checked against its pinned certificate,
one row per package id, one intake), and acknowledge it only once the intake committed.
A process that dies between fetch and acknowledgement fetches it again next round and
the inbox drops the duplicate. A message that fails validation is refused through the
axis with the reason, which the sender reads in its list of sent messages and keeps on
its outbox row like a push refusal.

Runs as a step of the exchange sender's loop (:func:`documents.exchange.sender.run`)."""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from documents.exchange import inbox as exchange_inbox
from documents.exchange import national_axis
from documents.exchange import outbox as exchange_outbox
from documents.exchange.axis import Refused, Unreachable
from documents.exchange.inbox import Envelope, SignedReceipt
from documents.exchange.models import ExchangeOutbox
from documents.exchange.national_axis import NationalAxis
from ecabinet.core import errors
from ecabinet.core.agencies import Agency
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore
from ecabinet.exchange import receiving
from ecabinet.signatures.setup import SigningSetup

log = logging.getLogger(__name__)

REFUSABLE = (errors.InvalidInput, errors.PermissionDenied, errors.NotFound, errors.TooLarge)
"""What the package itself is to blame for: refused through the axis. Anything else (our
key missing, the database away) leaves it pending for the next round."""


def pull_once(
    engine: Engine, store: ObjectStore, settings: Settings, axis: NationalAxis | None = None
) -> int:
    """One round over every agency's mailbox; the number of messages taken in."""
    axis = axis or national_axis.configured(settings)
    if axis is None:
        return 0
    with session_scope(engine, write=False) as session:
        codes = list(session.exec(select(Agency.code).where(col(Agency.code) != "")))
    signing = SigningSetup(settings)
    taken = 0
    for code in codes:
        try:
            for package_id in axis.list_pending(code):
                taken += _take(engine, store, settings, signing, axis, code, package_id)
            _sent_states(engine, axis, code)
        except (Unreachable, Refused) as exc:
            log.info("exchange: the national axis did not answer for %s: %s", code, exc)
    return taken


def _take(
    engine: Engine,
    store: ObjectStore,
    settings: Settings,
    signing: SigningSetup,
    axis: NationalAxis,
    code: str,
    package_id: str,
) -> int:
    envelope = axis.fetch(code, package_id)
    try:
        exchange_inbox.authenticate(settings, envelope)  # the sender's signature first
        if envelope.package_id != package_id or envelope.to_code != code:
            raise errors.InvalidInput(
                "axis.mismatch",
                "Gói tin trục trả về không phải gói tin đã yêu cầu.",
                "The axis gave another package than the one asked for.",
            )
        new = receive(engine, store, settings, signing, envelope)
    except REFUSABLE as exc:
        log.info("exchange: refusing %s for %s: %s", package_id[:16], code, exc)
        axis.refuse(code, package_id, exc)
        return 0
    axis.acknowledge(code, package_id)  # only after the intake committed
    return int(new)


def receive(
    engine: Engine,
    store: ObjectStore,
    settings: Settings,
    signing: SigningSetup,
    envelope: Envelope,
) -> bool:
    """The receiving path of a push delivery (:mod:`ecabinet.exchange.receiving`) for a
    pulled message; False when it was already taken in."""
    exchange_inbox.authenticate(settings, envelope)
    step = receiving.prepare(engine, store, settings, signing, envelope)
    if isinstance(step, SignedReceipt):
        return False
    try:
        with session_scope(engine) as session:
            step(session)
    except IntegrityError:  # another process took the same package at the same moment
        return False
    return True


def _sent_states(engine: Engine, axis: NationalAxis, code: str) -> None:
    """Refusals the axis reports for what ``code`` sent: kept on the outbox row (once)."""
    for sent in axis.sent_states(code):
        if sent.state != "fail":
            continue
        with session_scope(engine) as session:
            row = session.exec(
                select(ExchangeOutbox).where(
                    ExchangeOutbox.package_sha256 == sent.package_id,
                    ExchangeOutbox.from_code == code,
                    ExchangeOutbox.to_code == sent.to_code,
                )
            ).first()
            if row is None or row.id is None or row.state == "refused":
                continue
            reason = sent.reason
            exchange_outbox.refused(
                session,
                row.id,
                reason.get("code", "axis.refused")[:100],
                reason.get("vi", ""),
                reason.get("en", ""),
            )
