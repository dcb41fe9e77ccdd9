"""The minutes of a meeting: generate, list, read, sign (secretary, then chair); the
conclusion notice as an outgoing draft."""

from __future__ import annotations

import anyio.to_thread
from sqlmodel import Session
from starlette.responses import Response

from ecabinet.api.download import file_response
from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.routes_meetings import visible_meeting
from ecabinet.api.schemas_documents import DocSignIn
from ecabinet.api.schemas_minutes import MinutesIn, MinutesOut, NoticeOut, VersionOut
from ecabinet.core.files import StoredFile
from ecabinet.core.policy import Subject
from ecabinet.meetings import access, minutes
from ecabinet.meetings.conclusion_notice import conclusion_notice, notice_of
from ecabinet.meetings.minutes_models import MinutesState
from ecabinet.signatures import minutes as signing

TAG = "meetings"


def _out(session: Session, meeting_id: int) -> MinutesOut:
    view = access.load(session, meeting_id)
    versions = [
        VersionOut.of(v, minutes.signatures_of(session, v.id or 0))
        for v in minutes.versions_of(session, meeting_id)
    ]
    return MinutesOut(
        meeting_id=meeting_id,
        meeting_state=view.meeting.state,
        state=MinutesState(versions[-1].state) if versions else None,
        versions=versions,
        notice_document_id=notice_of(session, meeting_id),
    )


@api.route(
    "/meetings/{meeting_id:int}/minutes",
    "POST",
    "Generate the minutes PDF (the chair or the secretary, once the meeting has ended)",
    body=MinutesIn,
    responses={201: MinutesOut},
    tag=TAG,
)
async def generate(call: Call) -> Response:
    body = await call.body(MinutesIn)
    meeting_id: int = call.request.path_params["meeting_id"]

    def run(session: Session, subject: Subject) -> MinutesOut:
        view = visible_meeting(session, subject, meeting_id)
        minutes.generate(session, call.actor, subject, view, call.ctx.store, body.conclusions)
        return _out(session, meeting_id)

    return model_json(await call.subject(run), status=201)


@api.route(
    "/meetings/{meeting_id:int}/minutes",
    "GET",
    "The minutes' versions, their signatures and state",
    responses={200: MinutesOut},
    tag=TAG,
)
async def overview(call: Call) -> Response:
    meeting_id: int = call.request.path_params["meeting_id"]

    def run(session: Session, subject: Subject) -> MinutesOut:
        visible_meeting(session, subject, meeting_id)
        return _out(session, meeting_id)

    return model_json(await call.subject(run, write=False))


@api.route(
    "/meetings/{meeting_id:int}/minutes/content",
    "GET",
    "The latest minutes' PDF, signed or not (participants; supports Range)",
    responses={200: "The PDF", 206: "Part of it"},
    tag=TAG,
)
async def content(call: Call) -> Response:
    meeting_id: int = call.request.path_params["meeting_id"]

    def run(session: Session, subject: Subject) -> StoredFile:
        return minutes.content(session, subject, access.load(session, meeting_id))

    stored = await call.subject(run, write=False)
    return await file_response(call.request, call.ctx.store, stored)


@api.route(
    "/meetings/{meeting_id:int}/minutes/sign",
    "POST",
    "Sign the minutes with your own certificate and its PIN: the secretary first, then the chair",
    body=DocSignIn,
    responses={200: MinutesOut},
    tag=TAG,
    signing=True,
)
async def sign(call: Call) -> Response:
    body = await call.body(DocSignIn)
    meeting_id: int = call.request.path_params["meeting_id"]
    user, actor = call.user.user, call.actor
    prepared, copy = await anyio.to_thread.run_sync(
        lambda: signing.sign(
            call.ctx.engine,
            call.ctx.store,
            call.ctx.signing,
            user,
            actor,
            meeting_id,
            body.request(),
            body.activation(),
        )
    )

    def run(session: Session, subject: Subject) -> MinutesOut:
        signing.record(session, call.actor, subject, prepared, copy)
        return _out(session, meeting_id)

    return model_json(await call.subject(run))


@api.route(
    "/meetings/{meeting_id:int}/conclusion-notice",
    "POST",
    "Draft the conclusion notice as an outgoing document (the chair or the secretary)",
    responses={201: NoticeOut},
    tag=TAG,
)
async def notice(call: Call) -> Response:
    meeting_id: int = call.request.path_params["meeting_id"]

    def run(session: Session, subject: Subject) -> int:
        view = visible_meeting(session, subject, meeting_id)
        return conclusion_notice(session, call.actor, subject, view, call.ctx.store, call.settings)

    return model_json(NoticeOut(document_id=await call.subject(run)), status=201)
