"""edXML packages: download one for an issued document, import one as incoming."""

from __future__ import annotations

import anyio.to_thread
from sqlmodel import Session
from starlette.responses import Response

from documents import edxml, edxml_imports
from documents.access import NewDocument
from documents.exchange import packages as exchange
from documents.models import Document
from documents.states import Flow
from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.routes_documents import visible
from ecabinet.api.schemas_documents import DocumentOut
from ecabinet.core import errors
from ecabinet.core.agencies import Agency
from ecabinet.core.policy import Action, Subject, authorize
from ecabinet.core.storage import content_disposition
from ecabinet.signatures.package_intake import prepare_package

TAG = "documents"


@api.route(
    "/documents/{document_id:int}/edxml",
    "GET",
    "The edXML package (QCVN 102) of an issued document, for recipients outside",
    responses={200: "application/xml"},
    tag=TAG,
)
async def package(call: Call) -> Response:
    document_id: int = call.request.path_params["document_id"]

    def work(session: Session, subject: Subject) -> tuple[bytes, str]:
        view = visible(session, subject, document_id)
        return exchange.package_for(session, call.ctx.store, subject, view.document)

    data, name = await call.subject(work, write=False)
    return Response(
        data,
        media_type="application/xml",
        headers={"Content-Disposition": content_disposition(name, inline=False)},
    )


@api.route(
    "/documents/import-edxml",
    "POST",
    "Import an edXML package as an incoming document (raw body; ?agency_id=)",
    raw_body="application/xml",
    responses={201: DocumentOut},
    tag=TAG,
)
async def import_package(call: Call) -> Response:
    agency_id = call.query_int("agency_id")

    def agency_of(session: Session, subject: Subject) -> Agency:
        agency = session.get(Agency, agency_id)
        if agency is None:
            raise errors.NotFound.of("cơ quan", "Agency", "agency.not_found")
        authorize(subject, Action.create, NewDocument(agency_id, Flow.incoming))
        return agency

    agency = await call.subject(agency_of, write=False)
    data = await call.raw_body(call.settings.max_upload_bytes, "edxml.too_large")
    message = await anyio.to_thread.run_sync(
        lambda: edxml.parse_document(data, max_bytes=call.settings.max_upload_bytes)
    )
    ready = await anyio.to_thread.run_sync(
        lambda: prepare_package(call.ctx.signing, call.ctx.store, agency, message)
    )

    package = edxml_imports.digest(data)

    def work(session: Session, subject: Subject) -> Document:
        return edxml_imports.import_once(
            session,
            call.actor,
            subject,
            call.settings,
            package,
            agency_id,
            lambda s: ready.arrival(s, agency_id, source="edxml"),
        )

    return model_json(DocumentOut.of(await call.subject(work)), status=201)
