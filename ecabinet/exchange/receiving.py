"""The one receiving path of a message from another system, pushed to the exchange
endpoint (:mod:`ecabinet.api.routes_exchange`) or pulled from the national axis
(:mod:`ecabinet.exchange.puller`), once its sender's signature is checked
(:func:`documents.exchange.inbox.authenticate`):

1. a message taken in already gets its first receipt back, and nothing else happens;
   a message for a peer's agency, where this deployment is the provincial axis, is
   checked and taken on to be relayed unchanged (decision 0036);
2. a package is read (edXML, its PDFs and their signatures, as any intake) and must be
   addressed by its signer to an agency of ours; a status message is read;
3. its bytes are kept as received (the message log), outside any transaction;
4. what is left is one transaction, which the caller runs: the inbox row, the document
   (linked to the one it replaces) or the status (a recall: the document recalled), the
   signed receipt. Two deliveries racing each other meet the inbox's
   unique constraint there, and the loser answers with the winner's receipt.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine
from sqlmodel import Session

from documents import edxml, edxml_status
from documents.exchange import inbox as exchange_inbox
from documents.exchange import recall as exchange_recall
from documents.exchange import relay as exchange_relay
from documents.exchange import replacement as exchange_replacement
from documents.exchange.inbox import Envelope, SignedReceipt
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore
from ecabinet.signatures.package_intake import prepare_package
from ecabinet.signatures.setup import SigningSetup

Accept = Callable[[Session], SignedReceipt]
"""The transaction that takes a message in; its signed receipt."""


def prepare(
    engine: Engine,
    store: ObjectStore,
    settings: Settings,
    signing: SigningSetup,
    envelope: Envelope,
) -> SignedReceipt | Accept:
    """The first receipt when ``envelope`` was taken in already; else the transaction
    that takes it in (refusals raise, as 4xx domain errors)."""
    with session_scope(engine, write=False) as session:
        first = exchange_inbox.answered(session, envelope)
        relayed = (
            first is None
            and exchange_relay.relays(settings, envelope.to_code)
            and not exchange_relay.holds(session, envelope.to_code)
        )
        agency = (
            exchange_inbox.receiving_agency(session, envelope.to_code)
            if first is None and not relayed and envelope.kind == "document"
            else None
        )
    if first is not None:
        return first
    if relayed:  # as the provincial axis, for a peer's agency (decision 0036)
        exchange_relay.check(settings, envelope)
        logged = exchange_inbox.log_message(store, envelope)
        return lambda session: SignedReceipt(
            *exchange_relay.accept(session, settings, envelope, logged)
        )
    if agency is not None:
        message = edxml.parse_document(envelope.data, max_bytes=settings.max_upload_bytes)
        exchange_inbox.check_sender(envelope, message.sender.organ_id)
        ready = prepare_package(signing, store, agency, message)
        logged = exchange_inbox.log_message(store, envelope)

        def accept_document(session: Session) -> SignedReceipt:
            receipt = exchange_inbox.accept_document(
                session,
                settings,
                envelope,
                lambda s, agency_id: ready.arrival(
                    s, agency_id, source="exchange", check_permission=False
                ),
                message.document_id,
                logged,
            )
            exchange_replacement.link(session, envelope, message)  # decision 0035
            return receipt

        return accept_document
    status = edxml_status.parse_status(envelope.data)
    logged = exchange_inbox.log_message(store, envelope)
    # A recall (13) comes from the document's sender, not from a recipient (0035).
    accept = exchange_recall.accept if exchange_recall.is_recall(status) else None
    accept_status = accept or exchange_inbox.accept_status
    return lambda session: accept_status(session, settings, envelope, status, logged)
