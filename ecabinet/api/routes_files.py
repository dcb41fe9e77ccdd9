"""Uploading and downloading files (streamed; memory stays flat)."""

from __future__ import annotations

from datetime import timedelta

import anyio.to_thread
from sqlmodel import Session
from starlette.responses import Response

from ecabinet.api.download import file_response
from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.schemas import FileLinkOut, FileOut
from ecabinet.core import errors, files
from ecabinet.core.agencies import Agency
from ecabinet.core.policy import Action, InAgency, Subject, authorize
from ecabinet.core.types import utcnow

LINK_LIFETIME = timedelta(minutes=15)


@api.route(
    "/files",
    "POST",
    "Upload a file (raw body; ?agency_id=&filename=)",
    raw_body="application/octet-stream",
    responses={201: FileOut},
    tag="files",
)
async def upload(call: Call) -> Response:
    agency_id = call.query_int("agency_id")
    filename = files.clean_filename(call.request.query_params.get("filename", ""))
    content_type = files.clean_content_type(call.request.headers.get("content-type"))
    length = call.request.headers.get("content-length")
    if length and length.isdigit() and int(length) > call.settings.max_upload_bytes:
        raise errors.too_large(call.settings.max_upload_bytes)

    def may_upload(session: Session, subject: Subject) -> None:
        if session.get(Agency, agency_id) is None:
            raise errors.NotFound.of("cơ quan", "Agency", "agency.not_found")
        authorize(subject, Action.create, InAgency(agency_id, "file"))

    await call.subject(may_upload, write=False)
    # Blob first, row second: a failure here leaves no row; a crash after leaves an orphan blob.
    blob = await call.ctx.store.put_stream(
        call.request.stream(), max_bytes=call.settings.max_upload_bytes
    )
    stored = await call.db(
        lambda s: files.register_file(
            s,
            call.actor,
            blob=blob,
            filename=filename,
            content_type=content_type,
            agency_id=agency_id,
        )
    )
    return model_json(FileOut.of(stored), status=201)


async def _visible_file(call: Call) -> files.StoredFile:
    file_id: str = call.request.path_params["file_id"]

    def work(session: Session, subject: Subject) -> files.StoredFile:
        stored = files.get_file(session, file_id)
        authorize(subject, Action.view, stored)
        return stored

    return await call.subject(work, write=False)


@api.route("/files/{file_id}", "GET", "A file's metadata", responses={200: FileOut}, tag="files")
async def metadata(call: Call) -> Response:
    return model_json(FileOut.of(await _visible_file(call)))


@api.route(
    "/files/{file_id}/content",
    "GET",
    "A file's bytes (supports Range)",
    responses={200: "The bytes", 206: "Part of the bytes", 304: "Not modified"},
    tag="files",
)
async def content(call: Call) -> Response:
    stored = await _visible_file(call)
    return await file_response(call.request, call.ctx.store, stored)


@api.route(
    "/files/{file_id}/link",
    "GET",
    "A short-lived download address",
    responses={200: FileLinkOut},
    tag="files",
)
async def link(call: Call) -> Response:
    stored = await _visible_file(call)
    url = await anyio.to_thread.run_sync(
        lambda: call.ctx.store.presigned_url(
            stored.sha256,
            expires=LINK_LIFETIME,
            filename=stored.filename,
            content_type=stored.content_type,
        )
    )
    if url is None:
        own = f"{call.settings.public_base_url}/api/v1/files/{stored.id}/content"
        return model_json(FileLinkOut(url=own, expires_at=None))
    return model_json(FileLinkOut(url=url, expires_at=utcnow() + LINK_LIFETIME))
