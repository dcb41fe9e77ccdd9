"""The exchange endpoint other systems deliver to (decision 0032): signed edXML packages
and status messages, answered with a signed receipt; and this system's agencies."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

import anyio.to_thread
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from starlette.responses import Response

from documents.exchange import inbox as exchange_inbox
from documents.exchange.inbox import Envelope, SignedReceipt
from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.core import errors
from ecabinet.core.agencies import Agency
from ecabinet.exchange import receiving

TAG = "exchange"
MAX_SIGNATURE = 64 * 1024


class ExchangeReceiptOut(BaseModel):
    """The receiver's signed receipt (base64 of its JSON bytes and of their CMS
    signature); the same bytes for every delivery of the same package."""

    package_id: str
    receipt: str
    signature: str


class ExchangeAgencyOut(BaseModel):
    code: str
    name: str


class ExchangeDirectoryOut(BaseModel):
    items: list[ExchangeAgencyOut]


def signature_header(call: Call, name: str) -> bytes:
    """The base64 detached signature in header ``name``; empty when absent, not base64
    or larger than a signature may be."""
    try:
        signature = base64.b64decode(call.request.headers.get(name, ""), validate=True)
    except (binascii.Error, ValueError):
        return b""
    return signature if len(signature) <= MAX_SIGNATURE else b""


def _bad_envelope(vi: str, en: str) -> errors.InvalidInput:
    return errors.InvalidInput("exchange.bad_envelope", vi, en)


async def _envelope(call: Call, kind: str) -> Envelope:
    """The message as delivered, its signature checked against the sender's peer.

    The sender's code is checked before the body is read, and an address whose messages
    keep failing authentication is refused for the rest of the minute before its body is
    read (``ECABINET_EXCHANGE_FAILURES_PER_MINUTE``)."""
    gate, client = call.ctx.exchange_gate, call.client_addr
    gate.admit(client)
    try:
        from_code = call.request.headers.get("x-exchange-from", "")
        signature = signature_header(call, "x-exchange-signature")
        if not from_code or not signature:
            raise _bad_envelope(
                "Thiếu mã cơ quan gửi (X-Exchange-From) hoặc chữ ký (X-Exchange-Signature).",
                "The sender's code (X-Exchange-From) or signature (X-Exchange-Signature) "
                "is missing.",
            )
        exchange_inbox.known_sender(call.settings, from_code)
        data = await call.raw_body(call.settings.max_upload_bytes, "exchange.too_large")
        via = call.request.headers.get("x-exchange-via", "")[:32]
        to_code = call.request.path_params["to_code"]
        envelope = Envelope(kind, from_code, to_code, data, signature, via=via)
        await anyio.to_thread.run_sync(lambda: exchange_inbox.authenticate(call.settings, envelope))
    except (errors.InvalidInput, errors.PermissionDenied, errors.TooLarge):
        gate.failed(client)
        raise
    return envelope


def _answer(envelope: Envelope, receipt: SignedReceipt, status: int) -> Response:
    return model_json(
        ExchangeReceiptOut(
            package_id=envelope.package_id,
            receipt=base64.b64encode(receipt.receipt).decode(),
            signature=base64.b64encode(receipt.signature).decode(),
        ),
        status=status,
    )


async def _once(
    call: Call, envelope: Envelope, accept: Callable[[Session], SignedReceipt]
) -> Response:
    """Accept the message, or give back the receipt of its first delivery."""
    try:
        return _answer(envelope, await call.db(accept), 201)
    except IntegrityError:  # the same package, delivered twice at once: the first won
        first = await call.db(lambda s: exchange_inbox.answered(s, envelope), write=False)
        if first is None:
            raise
        return _answer(envelope, first, 200)


async def _receive(call: Call, kind: str) -> Response:
    envelope = await _envelope(call, kind)
    ctx = call.ctx
    step = await anyio.to_thread.run_sync(
        lambda: receiving.prepare(ctx.engine, ctx.store, call.settings, ctx.signing, envelope)
    )
    if isinstance(step, SignedReceipt):
        return _answer(envelope, step, 200)
    return await _once(call, envelope, step)


@api.route(
    "/exchange/packages/{to_code}",
    "POST",
    "Deliver a signed edXML package to an agency of this system (raw body; "
    "X-Exchange-From, X-Exchange-Signature)",
    public=True,
    raw_body="application/xml",
    responses={201: ExchangeReceiptOut, 200: ExchangeReceiptOut},
    tag=TAG,
)
async def receive_package(call: Call) -> Response:
    return await _receive(call, "document")


@api.route(
    "/exchange/statuses/{to_code}",
    "POST",
    "Deliver a signed edXML status message about a document this system sent",
    public=True,
    raw_body="application/xml",
    responses={201: ExchangeReceiptOut, 200: ExchangeReceiptOut},
    tag=TAG,
)
async def receive_status(call: Call) -> Response:
    return await _receive(call, "status")


@api.route(
    "/exchange/directory",
    "GET",
    "The agencies this system holds (code and name), for peers",
    public=True,
    responses={200: ExchangeDirectoryOut},
    tag=TAG,
)
async def directory(call: Call) -> Response:
    def read(session: Session) -> list[ExchangeAgencyOut]:
        rows = session.exec(select(Agency).where(Agency.code != "").order_by(col(Agency.code)))
        return [ExchangeAgencyOut(code=a.code, name=a.name) for a in rows]

    return model_json(ExchangeDirectoryOut(items=await call.db(read, write=False)))
