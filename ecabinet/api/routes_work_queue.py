"""The work queue: what waits for the caller's step, documents and meetings together."""

from __future__ import annotations

from sqlmodel import Session
from starlette.responses import Response

from documents.work_queue import document_queues
from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.schemas_work_queue import WorkQueueOut
from ecabinet.core.policy import Subject
from ecabinet.meetings.work_queue import meeting_queues


def _read(session: Session, subject: Subject) -> WorkQueueOut:
    return WorkQueueOut.of(document_queues(session, subject), meeting_queues(session, subject))


@api.route(
    "/work-queue",
    "GET",
    "What waits for me, by kind with counts: documents to review, approve, sign, issue, "
    "dispatch, register, direct or handle; invitations to answer, consultations to answer, "
    "minutes to sign",
    responses={200: WorkQueueOut},
    tag="work",
)
async def work_queue(call: Call) -> Response:
    return model_json(await call.subject(_read, write=False))
