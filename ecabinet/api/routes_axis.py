"""The national axis's operations, served when this deployment plays the axis
(``ECABINET_AXIS_ROLE=national``, decision 0034), named and shaped after the axis's SDK:
``sendEdoc`` (a package signed by a member), and the pull operations a member calls
signed (:mod:`documents.exchange.axis_requests`): ``getReceivedEdocList``, ``getEdoc``,
``updateStatus``, ``getSentEdocList``, ``getAgenciesList``."""

from __future__ import annotations

import base64
import json
from typing import Literal, TypeVar

import anyio.to_thread
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from starlette.responses import Response

from documents.exchange import axis_mailbox, axis_requests
from documents.exchange import inbox as exchange_inbox
from documents.exchange.axis_models import AxisMessage
from documents.exchange.inbox import Envelope, SignedReceipt
from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.routes_exchange import signature_header
from ecabinet.core import errors
from ecabinet.core.types import utcnow

TAG = "axis"
MAX_REQUEST = 16 * 1024
KINDS = {"edoc": "document", "status": "status"}
PACKAGE_ID = r"^[0-9a-f]{64}$"
M = TypeVar("M", bound=BaseModel)
ALIASED = ConfigDict(serialize_by_alias=True, validate_by_name=True)


class AxisSentOut(BaseModel):
    status: str = "OK"
    docId: str
    receipt: str
    signature: str


class AxisKnobstickOut(BaseModel):
    model_config = ALIASED
    id: str
    from_: str = Field(alias="from")
    to: str
    messageType: str
    serviceType: str = "eDoc"
    status: str
    statusDesc: dict[str, str] = {}
    createdTime: str
    updatedTime: str
    contentLength: int


class AxisListOut(BaseModel):
    status: str = "OK"
    knobsticks: list[AxisKnobstickOut]


class AxisEdocOut(BaseModel):
    model_config = ALIASED
    status: str = "OK"
    docId: str
    from_: str = Field(alias="from")
    to: str
    messagetype: str
    data: str
    signature: str


class AxisOkOut(BaseModel):
    status: str = "OK"


class AxisAgencyOut(BaseModel):
    code: str
    pcode: str
    name: str
    level: str
    electronic: bool


class AxisAgenciesOut(BaseModel):
    status: str = "OK"
    agencies: list[AxisAgencyOut]


class _Empty(BaseModel, extra="forbid"):
    pass


class _DocIn(BaseModel, extra="forbid"):
    docId: str = Field(pattern=PACKAGE_ID)


class _Reason(BaseModel, extra="forbid"):
    code: str = Field(max_length=100)
    vi: str = Field(max_length=2000)
    en: str = Field(max_length=2000)


class _StatusIn(BaseModel, extra="forbid"):
    docId: str = Field(pattern=PACKAGE_ID)
    status: Literal["done", "fail"]
    reason: _Reason | None = None


def _enabled(call: Call) -> None:
    if call.settings.axis_role != "national":
        raise axis_mailbox.not_enabled()


async def _signed_call(call: Call, model: type[M]) -> tuple[str, M]:
    """Authenticate a pull request (the nonce kept), then validate its JSON body."""
    _enabled(call)
    request = axis_requests.read(call.request.headers)
    body = await call.raw_body(MAX_REQUEST, "axis.too_large")
    path, now = call.request.url.path, utcnow()
    await call.db(lambda s: axis_requests.check(s, call.settings, path, request, body, now))
    try:
        return request.agency, model.model_validate(json.loads(body or b"{}"))
    except (ValueError, ValidationError) as exc:
        raise errors.InvalidInput(
            "axis.bad_request",
            "Nội dung yêu cầu không hợp lệ.",
            f"The request's body is not valid: {str(exc)[:300]}",
        ) from None


def _knobstick(row: AxisMessage) -> AxisKnobstickOut:
    reason = json.loads(row.state_note) if row.state_note else {}
    return AxisKnobstickOut(
        id=row.package_id,
        **{"from": row.from_code},
        to=row.to_code,
        messageType="edoc" if row.kind == "document" else "status",
        status=row.state,
        statusDesc={str(k): str(v) for k, v in reason.items()},
        createdTime=row.received_at.isoformat(),
        updatedTime=row.updated_at.isoformat(),
        contentLength=len(row.data),
    )


@api.route(
    "/axis/sendEdoc",
    "POST",
    "Deposit a signed edXML package or status message for a member agency (raw body; "
    "headers from, to, messagetype, X-Package-Signature)",
    public=True,
    raw_body="application/xml",
    responses={201: AxisSentOut, 200: AxisSentOut},
    tag=TAG,
)
async def send_edoc(call: Call) -> Response:
    _enabled(call)
    headers = call.request.headers
    kind = KINDS.get(headers.get("messagetype", "edoc").lower(), "")
    signature = signature_header(call, "x-package-signature")
    from_code, to_code = headers.get("from", "")[:32], headers.get("to", "")[:32]
    if not kind or not from_code or not to_code or not signature:
        raise errors.InvalidInput(
            "axis.bad_envelope",
            "Thiếu hoặc sai from, to, messagetype (edoc, status) hoặc X-Package-Signature.",
            "from, to, messagetype (edoc, status) or X-Package-Signature is missing or wrong.",
        )
    data = await call.raw_body(call.settings.max_upload_bytes, "axis.too_large")
    envelope = Envelope(kind, from_code, to_code, data, signature)
    await anyio.to_thread.run_sync(lambda: exchange_inbox.authenticate(call.settings, envelope))

    def answer(receipt: SignedReceipt, created: bool) -> Response:
        out = AxisSentOut(
            docId=envelope.package_id,
            receipt=base64.b64encode(receipt.receipt).decode(),
            signature=base64.b64encode(receipt.signature).decode(),
        )
        return model_json(out, status=201 if created else 200)

    try:
        return answer(*await call.db(lambda s: axis_mailbox.deposit(s, call.settings, envelope)))
    except IntegrityError:  # the same package twice at once: the first won
        return answer(*await call.db(lambda s: axis_mailbox.deposit(s, call.settings, envelope)))


@api.route(
    "/axis/getReceivedEdocList",
    "POST",
    "The messages waiting for the calling member agency (signed request)",
    public=True,
    responses={200: AxisListOut},
    tag=TAG,
)
async def received_list(call: Call) -> Response:
    code, _ = await _signed_call(call, _Empty)
    rows = await call.db(lambda s: axis_mailbox.pending(s, code), write=False)
    return model_json(AxisListOut(knobsticks=[_knobstick(r) for r in rows]))


@api.route(
    "/axis/getEdoc",
    "POST",
    "One message for the calling member, with its sender's signature (signed request)",
    public=True,
    responses={200: AxisEdocOut},
    tag=TAG,
)
async def get_edoc(call: Call) -> Response:
    code, body = await _signed_call(call, _DocIn)
    row = await call.db(lambda s: axis_mailbox.held_for(s, code, body.docId), write=False)
    out = AxisEdocOut(
        docId=row.package_id,
        **{"from": row.from_code},
        to=row.to_code,
        messagetype="edoc" if row.kind == "document" else "status",
        data=base64.b64encode(row.data).decode(),
        signature=base64.b64encode(row.signature).decode(),
    )
    return model_json(out)


@api.route(
    "/axis/updateStatus",
    "POST",
    "Acknowledge a message (done) or refuse it with a reason (fail); idempotent (signed)",
    public=True,
    responses={200: AxisOkOut},
    tag=TAG,
)
async def update_status(call: Call) -> Response:
    code, body = await _signed_call(call, _StatusIn)
    reason = body.reason.model_dump() if body.reason else None

    def change(session: Session) -> None:
        axis_mailbox.acknowledge(session, code, body.docId, body.status, reason)

    await call.db(change)
    return model_json(AxisOkOut())


@api.route(
    "/axis/getSentEdocList",
    "POST",
    "The messages the calling member sent, with their states (signed request)",
    public=True,
    responses={200: AxisListOut},
    tag=TAG,
)
async def sent_list(call: Call) -> Response:
    code, _ = await _signed_call(call, _Empty)
    rows = await call.db(lambda s: axis_mailbox.sent_by(s, code), write=False)
    return model_json(AxisListOut(knobsticks=[_knobstick(r) for r in rows]))


@api.route(
    "/axis/getAgenciesList",
    "POST",
    "The agency directory the axis holds (signed request)",
    public=True,
    responses={200: AxisAgenciesOut},
    tag=TAG,
)
async def agencies_list(call: Call) -> Response:
    await _signed_call(call, _Empty)
    rows = await call.db(axis_mailbox.directory, write=False)
    out = [
        AxisAgencyOut(
            code=e.code, pcode=e.parent_code, name=e.name, level=e.level, electronic=e.electronic
        )
        for e in rows
    ]
    return model_json(AxisAgenciesOut(agencies=out))
