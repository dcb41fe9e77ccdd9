"""A held meeting's outcome: attendance, votes and results, conclusions, minutes."""

from __future__ import annotations

from sqlmodel import Session
from starlette.responses import Response

from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.schemas_outcome import OutcomeOut
from ecabinet.core.policy import Subject
from ecabinet.meetings import access, outcome

TAG = "meetings"


@api.route(
    "/meetings/{meeting_id:int}/outcome",
    "GET",
    "What a held meeting came to: who attended (deputies), votes, conclusions, minutes",
    responses={200: OutcomeOut},
    tag=TAG,
)
async def meeting_outcome(call: Call) -> Response:
    meeting_id: int = call.request.path_params["meeting_id"]

    def run(session: Session, subject: Subject) -> OutcomeOut:
        return OutcomeOut.of(outcome.outcome(session, subject, access.load(session, meeting_id)))

    return model_json(await call.subject(run, write=False))
