"""Annotations on meeting documents: list what I may see, save (create or update by the
tablet's client_id), delete mine, download my annotated copy."""

from __future__ import annotations

import anyio.to_thread
from sqlmodel import Session
from starlette.responses import Response

from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.routes_meetings import visible_meeting
from ecabinet.api.schemas_annotations import AnnotationList, AnnotationOut, JsonObject
from ecabinet.core import sandbox
from ecabinet.core.policy import Subject
from ecabinet.core.storage import content_disposition
from ecabinet.meetings import annotate, annotation_pages
from ecabinet.meetings import annotations as service
from ecabinet.meetings.annotations import AnnotationIn, Download, Saved

TAG = "meetings"
PATH = "/meetings/{meeting_id:int}/documents/{document_id:int}"


def _ids(call: Call) -> tuple[int, int]:
    return call.request.path_params["meeting_id"], call.request.path_params["document_id"]


@api.route(
    PATH + "/annotations",
    "GET",
    "The annotations of a document version that I may see",
    responses={200: AnnotationList},
    tag=TAG,
)
async def list_annotations(call: Call) -> Response:
    meeting_id, document_id = _ids(call)

    def run(session: Session, subject: Subject) -> AnnotationList:
        view = visible_meeting(session, subject, meeting_id)
        rows = service.visible(session, subject, view, document_id)
        return AnnotationList(items=[AnnotationOut.model_validate(r) for r in rows])

    return model_json(await call.subject(run, write=False))


@api.route(
    PATH + "/annotations",
    "POST",
    "Save an annotation: 201 new, 200 updated or sent again (same client_id)",
    body=AnnotationIn,
    responses={201: AnnotationOut, 200: AnnotationOut},
    tag=TAG,
)
async def save(call: Call) -> Response:
    meeting_id, document_id = _ids(call)
    data = service.parse((await call.body(JsonObject)).root, document_id=document_id)
    user_id = Subject(call.user.user).user_id

    # The first annotation of a document counts its pages, in the sandbox, before the
    # write transaction (the PDF came from a user).
    pages = await anyio.to_thread.run_sync(
        lambda: annotation_pages.count_unknown(
            call.ctx.engine,
            call.ctx.store,
            sandbox.Budget.of(call.settings),
            user_id=user_id,
            meeting_id=meeting_id,
            document_id=document_id,
        )
    )

    def run(session: Session, subject: Subject) -> Saved:
        view = visible_meeting(session, subject, meeting_id)
        return service.save(session, call.actor, subject, view, data, page_count=pages)

    saved = await call.subject(run)
    out = AnnotationOut.model_validate(saved.annotation)
    return model_json(out, status=201 if saved.created else 200)


@api.route(
    "/meetings/{meeting_id:int}/annotations/{annotation_id:int}",
    "GET",
    "One annotation I may see (what the meeting's annotation event names)",
    responses={200: AnnotationOut},
    tag=TAG,
)
async def get_one(call: Call) -> Response:
    meeting_id: int = call.request.path_params["meeting_id"]
    annotation_id: int = call.request.path_params["annotation_id"]

    user_id = Subject(call.user.user).user_id

    def run(session: Session) -> AnnotationOut:
        return AnnotationOut.model_validate(
            service.one(session, user_id, meeting_id, annotation_id)
        )

    return model_json(await call.db(run, write=False))


@api.route(
    "/meetings/{meeting_id:int}/annotations/{annotation_id:int}",
    "DELETE",
    "Delete one of my annotations",
    responses={204: "Deleted (or already deleted)"},
    tag=TAG,
)
async def delete(call: Call) -> Response:
    meeting_id: int = call.request.path_params["meeting_id"]
    annotation_id: int = call.request.path_params["annotation_id"]

    def run(session: Session, subject: Subject) -> object:
        view = visible_meeting(session, subject, meeting_id)
        return service.delete_annotation(
            session, call.actor, subject, view, annotation_id=annotation_id
        )

    await call.subject(run)
    return Response(status_code=204)


@api.route(
    PATH + "/annotated",
    "GET",
    "My copy of a document version as a PDF, with my own annotations drawn in",
    responses={200: "The PDF"},
    tag=TAG,
)
async def annotated_copy(call: Call) -> Response:
    meeting_id, document_id = _ids(call)

    def run(session: Session, subject: Subject) -> Download:
        view = visible_meeting(session, subject, meeting_id)
        return service.for_download(session, subject, view, document_id)

    copy = await call.subject(run, write=False)

    def draw() -> bytes:
        pdf = call.ctx.store.read_bytes(copy.sha256)
        return sandbox.run(
            sandbox.Budget.of(call.settings),
            annotate.burn_in,
            pdf,
            copy.annotations,
            title=copy.title,
            member=copy.member,
        )

    content = await anyio.to_thread.run_sync(draw)
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition(copy.filename, inline=False),
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
