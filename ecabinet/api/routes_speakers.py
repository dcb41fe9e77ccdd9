"""The speakers' queue of a meeting."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session
from starlette.responses import Response

from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.routes_meetings import visible_meeting
from ecabinet.api.schemas_meetings import SpeakerList, SpeakerOut
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Subject
from ecabinet.meetings import speakers
from ecabinet.meetings.access import MeetingView

TAG = "meetings"
Work = Callable[[Session, Actor, Subject, MeetingView], object]


def _list(session: Session, meeting_id: int) -> SpeakerList:
    return SpeakerList(
        items=[
            SpeakerOut.model_validate(r.model_dump()) for r in speakers.queue(session, meeting_id)
        ]
    )


async def _act(call: Call, work: Work) -> Response:
    meeting_id: int = call.request.path_params["meeting_id"]

    def run(session: Session, subject: Subject) -> SpeakerList:
        view = visible_meeting(session, subject, meeting_id)
        work(session, call.actor, subject, view)
        return _list(session, meeting_id)

    return model_json(await call.subject(run))


@api.route(
    "/meetings/{meeting_id:int}/speakers",
    "GET",
    "The speakers' queue",
    responses={200: SpeakerList},
    tag=TAG,
)
async def speaker_queue(call: Call) -> Response:
    meeting_id: int = call.request.path_params["meeting_id"]

    def run(session: Session, subject: Subject) -> SpeakerList:
        visible_meeting(session, subject, meeting_id)
        return _list(session, meeting_id)

    return model_json(await call.subject(run, write=False))


@api.route(
    "/meetings/{meeting_id:int}/speakers",
    "POST",
    "Ask for the floor",
    responses={200: SpeakerList},
    tag=TAG,
)
async def ask(call: Call) -> Response:
    return await _act(call, lambda s, a, subj, v: speakers.ask(s, a, subj, v))


@api.route(
    "/meetings/{meeting_id:int}/speakers/withdraw",
    "POST",
    "Withdraw my request",
    responses={200: SpeakerList},
    tag=TAG,
)
async def withdraw(call: Call) -> Response:
    return await _act(call, lambda s, a, subj, v: speakers.withdraw(s, a, subj, v))


@api.route(
    "/meetings/{meeting_id:int}/speakers/{request_id:int}/grant",
    "POST",
    "Give the floor (the chair or the secretary)",
    responses={200: SpeakerList},
    tag=TAG,
)
async def grant(call: Call) -> Response:
    request_id: int = call.request.path_params["request_id"]
    return await _act(call, lambda s, a, subj, v: speakers.grant(s, a, subj, v, request_id))


@api.route(
    "/meetings/{meeting_id:int}/speakers/{request_id:int}/end",
    "POST",
    "End the floor",
    responses={200: SpeakerList},
    tag=TAG,
)
async def end_floor(call: Call) -> Response:
    request_id: int = call.request.path_params["request_id"]
    return await _act(call, lambda s, a, subj, v: speakers.end_floor(s, a, subj, v, request_id))
