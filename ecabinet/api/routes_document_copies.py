"""Electronic copies of a document (sao y, sao lục), sealed by the agency holding it."""

from __future__ import annotations

import anyio.to_thread
from starlette.responses import Response

from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.schemas_documents import CopyIn, DocumentFileOut
from ecabinet.signatures import copies


@api.route(
    "/documents/{document_id:int}/copies",
    "POST",
    "Make an electronic copy (sao y, sao lục) sealed by the agency (a clerk, seal PIN)",
    body=CopyIn,
    responses={201: DocumentFileOut},
    tag="documents",
    signing=True,
)
async def make_copy(call: Call) -> Response:
    body = await call.body(CopyIn)
    document_id: int = call.request.path_params["document_id"]
    user, actor = call.user.user, call.actor
    row, stored = await anyio.to_thread.run_sync(
        lambda: copies.copy_document(
            call.ctx.engine,
            call.ctx.store,
            call.ctx.signing,
            user,
            actor,
            document_id,
            form=body.form,
            given=body.activation(),
            credential_id=body.credential_id,
        )
    )
    return model_json(DocumentFileOut.of(row, stored, stored.filename), status=201)
