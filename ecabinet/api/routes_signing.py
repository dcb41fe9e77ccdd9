"""Signing stored files as the logged-in official (in one step with a key the server
keeps, opened by the PIN in the request; in two with a USB token); validation reports
(own files, and any PDF sent to the public endpoint)."""

from __future__ import annotations

import anyio.to_thread
from starlette.responses import PlainTextResponse, Response

from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.schemas import FileOut
from ecabinet.api.schemas_signing import (
    BatchSignIn,
    CompleteIn,
    PendingOut,
    PrepareIn,
    ReportOut,
    SignedFiles,
    SignIn,
)
from ecabinet.core import errors
from ecabinet.signatures import service, twostep
from signing.validation import Report


async def _sign(call: Call, file_ids: list[str], body: SignIn) -> list[FileOut]:
    user, actor = call.user.user, call.actor
    signed = await anyio.to_thread.run_sync(
        lambda: service.sign_files(
            call.ctx.engine,
            call.ctx.store,
            call.ctx.signing,
            user,
            actor,
            file_ids,
            body.request(),
            body.activation(),
        )
    )
    return [FileOut.of(f) for f in signed]


@api.route(
    "/files/{file_id}/sign",
    "POST",
    "Sign a PDF with your own certificate and its PIN; the signed copy is a new file",
    body=SignIn,
    responses={201: FileOut},
    tag="signing",
    signing=True,
)
async def sign_file(call: Call) -> Response:
    body = await call.body(SignIn)
    (signed,) = await _sign(call, [call.request.path_params["file_id"]], body)
    return model_json(signed, status=201)


@api.route(
    "/files/{file_id}/sign/prepare",
    "POST",
    "Two-step signing with your USB token: prepare the file, get the bytes to sign",
    body=PrepareIn,
    responses={201: PendingOut},
    tag="signing",
    signing=True,
)
async def prepare_signature(call: Call) -> Response:
    body = await call.body(PrepareIn)
    user, actor = call.user.user, call.actor
    file_id: str = call.request.path_params["file_id"]
    prepared = await anyio.to_thread.run_sync(
        lambda: twostep.prepare(
            call.ctx.engine,
            call.ctx.store,
            call.ctx.signing,
            user,
            actor,
            file_id,
            body.request(),
        )
    )
    return model_json(PendingOut.of(prepared), status=201)


@api.route(
    "/signatures/pending/{pending_id}/complete",
    "POST",
    "Two-step signing: send the token's signature; the signed copy is a new file",
    body=CompleteIn,
    responses={201: FileOut},
    tag="signing",
    signing=True,
)
async def complete_signature(call: Call) -> Response:
    body = await call.body(CompleteIn)
    signature = twostep.decode_signature(body.signature)
    user, actor = call.user.user, call.actor
    pending_id: str = call.request.path_params["pending_id"]
    signed = await anyio.to_thread.run_sync(
        lambda: twostep.complete(
            call.ctx.engine,
            call.ctx.store,
            call.ctx.signing,
            user,
            actor,
            pending_id,
            signature,
        )
    )
    return model_json(FileOut.of(signed), status=201)


@api.route(
    "/signatures/batch",
    "POST",
    f"Sign up to {service.MAX_BATCH} PDFs with your own certificate, one PIN for all",
    body=BatchSignIn,
    responses={201: SignedFiles},
    tag="signing",
    signing=True,
)
async def sign_batch(call: Call) -> Response:
    body = await call.body(BatchSignIn)
    return model_json(SignedFiles(files=await _sign(call, body.file_ids, body)), status=201)


def _report(call: Call, report: Report) -> Response:
    if call.request.query_params.get("format") == "text":
        return PlainTextResponse(report.render_vi())
    return model_json(ReportOut.of(report))


@api.route(
    "/files/{file_id}/signatures",
    "GET",
    "The signature validation report of a stored file (?format=text for Vietnamese text)",
    responses={200: ReportOut},
    tag="signing",
)
async def file_report(call: Call) -> Response:
    user = call.user.user
    file_id = call.request.path_params["file_id"]
    report = await anyio.to_thread.run_sync(
        lambda: service.validate_file(
            call.ctx.engine, call.ctx.store, call.ctx.signing, user, file_id
        )
    )
    return _report(call, report)


@api.route(
    "/signatures/validate",
    "POST",
    "Validate the signatures of any PDF (public; size- and rate-limited)",
    public=True,
    raw_body="application/pdf",
    responses={200: ReportOut},
    tag="signing",
    csrf=False,
)
async def validate_upload(call: Call) -> Response:
    return _report(call, await validated_upload(call))


async def validated_upload(call: Call) -> Report:
    """The validation report of the PDF in the request body (size- and rate-limited)."""
    data = await call.raw_body(
        call.settings.validate_max_bytes,
        "validate.too_large",
        before_read=lambda: call.ctx.validate_limit.check(call.client_addr),
    )
    if not data:
        raise errors.InvalidInput("validate.empty", "Chưa gửi tệp PDF nào.", "No PDF was sent.")
    return await anyio.to_thread.run_sync(lambda: service.validate_upload(call.ctx.signing, data))
