"""A meeting's key ceremony: designate the guardians; a guardian's tablet announces,
sends its encrypted shares, fetches those sent to it and confirms."""

from __future__ import annotations

from sqlmodel import Session
from starlette.responses import Response

from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.routes_meetings import visible_meeting
from ecabinet.api.schemas_meetings import (
    AnnouncementIn,
    CeremonyOut,
    ConfirmIn,
    GuardiansIn,
    ReceivedSharesOut,
    SharesIn,
)
from ecabinet.core.policy import Subject
from ecabinet.meetings import guardians

TAG = "meetings"
BASE = "/meetings/{meeting_id:int}/guardians"


def _out(session: Session, meeting_id: int) -> CeremonyOut:
    return CeremonyOut.model_validate(guardians.describe(session, meeting_id))


@api.route(BASE, "GET", "The meeting's key ceremony", responses={200: CeremonyOut}, tag=TAG)
async def ceremony(call: Call) -> Response:
    meeting_id: int = call.request.path_params["meeting_id"]

    def run(session: Session, subject: Subject) -> CeremonyOut:
        view = visible_meeting(session, subject, meeting_id)
        return _out(session, view.id)

    return model_json(await call.subject(run, write=False))


@api.route(
    BASE,
    "POST",
    "Designate the guardians (the chair or the secretary; starts the ceremony anew)",
    body=GuardiansIn,
    responses={200: CeremonyOut},
    tag=TAG,
)
async def designate(call: Call) -> Response:
    body = await call.body(GuardiansIn)
    meeting_id: int = call.request.path_params["meeting_id"]

    def run(session: Session, subject: Subject) -> CeremonyOut:
        view = visible_meeting(session, subject, meeting_id)
        guardians.designate(
            session,
            call.actor,
            subject,
            view,
            deployment=call.settings.public_base_url,
            user_ids=body.user_ids,
            quorum=body.quorum,
        )
        return _out(session, view.id)

    return model_json(await call.subject(run))


@api.route(
    BASE + "/announcement",
    "POST",
    "My tablet's public key announcement (a guardian)",
    body=AnnouncementIn,
    responses={200: CeremonyOut},
    tag=TAG,
)
async def announce(call: Call) -> Response:
    body = await call.body(AnnouncementIn)
    meeting_id: int = call.request.path_params["meeting_id"]

    def run(session: Session, subject: Subject) -> CeremonyOut:
        view = visible_meeting(session, subject, meeting_id)
        guardians.announce(session, call.actor, subject, view, body.announcement)
        return _out(session, view.id)

    return model_json(await call.subject(run))


@api.route(
    BASE + "/shares",
    "POST",
    "My tablet's shares for the other guardians, each encrypted to its recipient",
    body=SharesIn,
    responses={200: CeremonyOut},
    tag=TAG,
)
async def send_shares(call: Call) -> Response:
    body = await call.body(SharesIn)
    meeting_id: int = call.request.path_params["meeting_id"]

    def run(session: Session, subject: Subject) -> CeremonyOut:
        view = visible_meeting(session, subject, meeting_id)
        guardians.send_shares(session, call.actor, subject, view, body.shares)
        return _out(session, view.id)

    return model_json(await call.subject(run))


@api.route(
    BASE + "/shares",
    "GET",
    "The announcements and the shares sent to me (a guardian)",
    responses={200: ReceivedSharesOut},
    tag=TAG,
)
async def received(call: Call) -> Response:
    meeting_id: int = call.request.path_params["meeting_id"]

    def run(session: Session, subject: Subject) -> ReceivedSharesOut:
        view = visible_meeting(session, subject, meeting_id)
        return ReceivedSharesOut.model_validate(guardians.received(session, subject, view))

    return model_json(await call.subject(run, write=False))


@api.route(
    BASE + "/confirm",
    "POST",
    "My tablet accepted its shares and computed this joint key",
    body=ConfirmIn,
    responses={200: CeremonyOut},
    tag=TAG,
)
async def confirm(call: Call) -> Response:
    body = await call.body(ConfirmIn)
    meeting_id: int = call.request.path_params["meeting_id"]

    def run(session: Session, subject: Subject) -> CeremonyOut:
        view = visible_meeting(session, subject, meeting_id)
        guardians.confirm(session, call.actor, subject, view, body.joint_key)
        return _out(session, view.id)

    return model_json(await call.subject(run))
