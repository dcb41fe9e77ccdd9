"""The exchange console: the outbox and inbox of the caller's agencies, and sending a
failed message again or cancelling one (clerks and administrators; decision 0032)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.responses import Response

from documents.exchange import console as exchange_console
from documents.exchange.console import InboxItem, OutboxItem, Stage
from documents.exchange.outbox import CANCELLABLE, RETRYABLE
from documents.exchange.signed_messages import Receipt
from documents.symbols import format_number_symbol
from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.core import errors
from ecabinet.core.policy import Subject

TAG = "exchange"


class OutboxRowOut(BaseModel):
    """A package or status message on its way to another system."""

    id: int
    kind: str = Field(description="document (an edXML package) or status (a status message)")
    stage: Stage = Field(
        description="pending, retrying, relayed (taken on by an axis), failed, refused, "
        "delivered or cancelled"
    )
    from_code: str
    to_code: str
    recipient_name: str = Field(description="The recipient's name (a document package)")
    document_id: int | None = Field(
        description="Our document it carries or reports on; null for a message this "
        "system relays for others as the provincial axis"
    )
    relayed: bool = Field(description="A message this system relays for others")
    number_symbol: str
    abstract: str
    status_code: str = Field(description="The edXML status code a status message reports")
    attempts: int
    next_attempt_at: datetime | None = Field(description="When the sender tries next")
    last_error: str = Field(description="Why the last attempt failed, or the peer's refusal")
    created_at: datetime
    delivered_at: datetime | None
    may_retry: bool
    may_cancel: bool

    @classmethod
    def of(cls, item: OutboxItem) -> OutboxRowOut:
        row, d = item.row, item.document
        return cls(
            id=row.id or 0,
            kind=row.kind,
            stage=item.stage,
            from_code=row.from_code,
            to_code=row.to_code,
            recipient_name=item.recipient.name if item.recipient else "",
            document_id=row.document_id,
            relayed=row.relay_of is not None,
            number_symbol=format_number_symbol(d.number, d.symbol) if d else "",
            abstract=d.abstract if d else "",
            status_code=row.status_code,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at if row.state == "pending" else None,
            last_error=row.last_error,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
            may_retry=row.state in RETRYABLE,
            may_cancel=row.state in CANCELLABLE,
        )


class OutboxPageOut(BaseModel):
    items: list[OutboxRowOut]
    total: int


class InboxRowOut(BaseModel):
    """A package or status message another system delivered here."""

    id: int
    kind: str = Field(description="document (an edXML package) or status (a status message)")
    package_id: str = Field(description="SHA-256 of the package bytes")
    from_code: str
    to_code: str
    document_id: int | None = Field(
        description="The incoming document made (document), or the outgoing one reported on"
    )
    number_symbol: str
    abstract: str
    reference: str = Field(
        description="What the signed receipt names: our document id, or the status code"
    )
    received_at: datetime

    @classmethod
    def of(cls, item: InboxItem) -> InboxRowOut:
        row, d = item.row, item.document
        try:
            reference = Receipt.decode(row.receipt).reference
        except errors.DomainError:
            reference = ""
        return cls(
            id=row.id or 0,
            kind=row.kind,
            package_id=row.package_id,
            from_code=row.from_code,
            to_code=row.to_code,
            document_id=row.document_id,
            number_symbol=format_number_symbol(d.number, d.symbol) if d else "",
            abstract=d.abstract if d else "",
            reference=reference,
            received_at=row.received_at,
        )


class InboxPageOut(BaseModel):
    items: list[InboxRowOut]
    total: int


def _paging(call: Call) -> tuple[int, int]:
    limit = call.query_int("limit", required=False)
    offset = call.query_int("offset", required=False) or 0
    return (50 if limit is None else limit), offset


@api.route(
    "/exchange/outbox",
    "GET",
    "What my agencies send to other systems, newest first, and what this system relays "
    "for others to the keepers of its relaying agency (?state=pending|retrying|relayed|"
    "failed|refused|delivered|cancelled&limit=&offset=; clerks and administrators)",
    responses={200: OutboxPageOut},
    tag=TAG,
)
async def outbox(call: Call) -> Response:
    stage = exchange_console.parse_stage(call.request.query_params.get("state"))
    limit, offset = _paging(call)

    def read(session: Session, subject: Subject) -> OutboxPageOut:
        page = exchange_console.list_outbox(
            session,
            subject,
            stage=stage,
            limit=limit,
            offset=offset,
            relay_code=call.settings.exchange_relay,
        )
        return OutboxPageOut(items=[OutboxRowOut.of(i) for i in page.items], total=page.total)

    return model_json(await call.subject(read, write=False))


@api.route(
    "/exchange/inbox",
    "GET",
    "What other systems delivered to my agencies, newest first (?kind=document|status"
    "&limit=&offset=; clerks and administrators)",
    responses={200: InboxPageOut},
    tag=TAG,
)
async def inbox(call: Call) -> Response:
    kind = call.request.query_params.get("kind") or None
    limit, offset = _paging(call)

    def read(session: Session, subject: Subject) -> InboxPageOut:
        page = exchange_console.list_inbox(session, subject, kind=kind, limit=limit, offset=offset)
        return InboxPageOut(items=[InboxRowOut.of(i) for i in page.items], total=page.total)

    return model_json(await call.subject(read, write=False))


@api.route(
    "/exchange/outbox/{row_id:int}/retry",
    "POST",
    "Send a failed or refused message again, now (attempts kept)",
    responses={200: OutboxRowOut},
    tag=TAG,
)
async def retry(call: Call) -> Response:
    row_id: int = call.request.path_params["row_id"]
    relay = call.settings.exchange_relay
    item = await call.subject(
        lambda s, subj: exchange_console.retry(s, call.actor, subj, row_id, relay)
    )
    return model_json(OutboxRowOut.of(item))


@api.route(
    "/exchange/outbox/{row_id:int}/cancel",
    "POST",
    "Cancel a message not delivered (the sender never tries it again)",
    responses={200: OutboxRowOut},
    tag=TAG,
)
async def cancel(call: Call) -> Response:
    row_id: int = call.request.path_params["row_id"]
    relay = call.settings.exchange_relay
    item = await call.subject(
        lambda s, subj: exchange_console.cancel(s, call.actor, subj, row_id, relay)
    )
    return model_json(OutboxRowOut.of(item))
