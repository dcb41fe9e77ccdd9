"""Meetings: prepare (create, invite, agenda, documents, schedule), answer and check in,
run (start, move the agenda, end), and the numbered events a tablet resyncs from."""

from __future__ import annotations

from collections.abc import Callable

import anyio.to_thread
from pydantic import BaseModel
from sqlmodel import Session, col, select
from starlette.responses import Response

from ecabinet.api.download import file_response
from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.schemas_meetings import (
    AgendaMoveIn,
    AnswerIn,
    CheckInIn,
    DocumentIn,
    EndIn,
    EventList,
    InviteIn,
    ItemIn,
    ItemOut,
    MeetingDetail,
    MeetingDocumentOut,
    MeetingEventOut,
    MeetingIn,
    MeetingList,
    MeetingOut,
    ParticipantOut,
    QuorumOut,
)
from ecabinet.core import errors, files
from ecabinet.core.audit import Actor
from ecabinet.core.files import StoredFile
from ecabinet.core.policy import Action, Subject, authorize
from ecabinet.core.users import User
from ecabinet.meetings import access, attendance, events, live, participants, service
from ecabinet.meetings.access import MeetingView
from ecabinet.meetings.models import AgendaDocument

TAG = "meetings"


@api.route(
    "/meetings",
    "POST",
    "Organise a meeting (a draft)",
    body=MeetingIn,
    responses={201: MeetingOut},
    tag=TAG,
)
async def create(call: Call) -> Response:
    body = await call.body(MeetingIn)
    meeting = await call.subject(
        lambda s, subj: service.create_meeting(
            s, call.actor, subj, agency_id=body.agency_id, fields=body.fields()
        )
    )
    return model_json(MeetingOut.of(meeting), status=201)


@api.route("/meetings", "GET", "My meetings, soonest first", responses={200: MeetingList}, tag=TAG)
async def mine(call: Call) -> Response:
    rows = await call.subject(lambda s, subj: service.my_meetings(s, subj), write=False)
    return model_json(MeetingList(items=[MeetingOut.of(m) for m in rows]))


def visible_meeting(session: Session, subject: Subject, meeting_id: int) -> MeetingView:
    view = access.load(session, meeting_id)
    access.require_visible(subject, view)
    return view


def _detail(session: Session, subject: Subject, view: MeetingView) -> MeetingDetail:
    documents = service.documents_of(session, view.id)
    ids = {p.user_id for p in view.participants}
    people = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(ids)))}
    return MeetingDetail(
        meeting=MeetingOut.of(view.meeting),
        participants=[ParticipantOut.of(p, people.get(p.user_id)) for p in view.participants],
        agenda=[ItemOut.of(i, documents) for i in service.items_of(session, view.id)],
        quorum=QuorumOut.of(attendance.quorum(view)),
        runs=access.runs(subject, view),
    )


@api.route(
    "/meetings/{meeting_id:int}",
    "GET",
    "A meeting: participants, agenda with documents, quorum",
    responses={200: MeetingDetail},
    tag=TAG,
)
async def detail(call: Call) -> Response:
    meeting_id: int = call.request.path_params["meeting_id"]
    return model_json(
        await call.subject(
            lambda s, subj: _detail(s, subj, visible_meeting(s, subj, meeting_id)), write=False
        )
    )


Work = Callable[[Session, Actor, Subject, MeetingView], object]


async def _act(call: Call, work: Work, status: int = 200) -> Response:
    """Run ``work`` on the visible meeting, answer with the meeting's detail."""
    meeting_id: int = call.request.path_params["meeting_id"]

    def run(session: Session, subject: Subject) -> MeetingDetail:
        view = visible_meeting(session, subject, meeting_id)
        work(session, call.actor, subject, view)
        return _detail(session, subject, access.load(session, meeting_id))

    return model_json(await call.subject(run), status=status)


def _route(path: str, summary: str, body: type[BaseModel] | None = None) -> Callable[..., object]:
    return api.route(
        f"/meetings/{{meeting_id:int}}/{path}",
        "POST",
        summary,
        body=body,
        responses={200: MeetingDetail},
        tag=TAG,
    )


@_route("participants", "Invite a member or a guest", InviteIn)
async def invite(call: Call) -> Response:
    body = await call.body(InviteIn)
    return await _act(
        call,
        lambda s, a, subj, v: service.invite(s, a, subj, v, user_id=body.user_id, role=body.role),
    )


@api.route(
    "/meetings/{meeting_id:int}/participants/{user_id:int}",
    "DELETE",
    "Remove a member or a guest (organisers; before or during the meeting)",
    responses={200: MeetingDetail},
    tag=TAG,
)
async def remove_participant(call: Call) -> Response:
    user_id: int = call.request.path_params["user_id"]
    return await _act(call, lambda s, a, subj, v: participants.remove(s, a, subj, v, user_id))


@_route("items", "Add an agenda item", ItemIn)
async def add_item(call: Call) -> Response:
    body = await call.body(ItemIn)
    return await _act(
        call,
        lambda s, a, subj, v: service.add_item(
            s,
            a,
            subj,
            v,
            title=body.title,
            presenter_id=body.presenter_id,
            planned_minutes=body.planned_minutes,
        ),
    )


@api.route(
    "/meetings/{meeting_id:int}/items/{item_id:int}/documents",
    "POST",
    "Add a PDF to an agenda item (or a new version with slot)",
    body=DocumentIn,
    responses={201: MeetingDocumentOut},
    tag=TAG,
)
async def add_document(call: Call) -> Response:
    body = await call.body(DocumentIn)
    meeting_id: int = call.request.path_params["meeting_id"]
    item_id: int = call.request.path_params["item_id"]
    stored_head = await call.subject(lambda s, subj: _uploaded(s, subj, body.file_id), write=False)
    data = await anyio.to_thread.run_sync(
        lambda: call.ctx.store.read_bytes(stored_head.sha256)[:1024]
    )
    service.require_pdf(data)

    def run(session: Session, subject: Subject) -> AgendaDocument:
        view = visible_meeting(session, subject, meeting_id)
        return service.add_document(
            session,
            call.actor,
            subject,
            view,
            item_id=item_id,
            stored=_uploaded(session, subject, body.file_id),
            title=body.title,
            slot=body.slot,
        )

    return model_json(MeetingDocumentOut.of(await call.subject(run)), status=201)


def _uploaded(session: Session, subject: Subject, file_id: str) -> StoredFile:
    stored = files.get_file(session, file_id)
    authorize(subject, Action.view, stored)
    if stored.uploaded_by != subject.user_id:
        raise errors.InvalidInput(
            "meeting.foreign_file",
            "Tệp không phải do bạn tải lên.",
            "The file was not uploaded by you.",
        )
    return stored


@api.route(
    "/meetings/{meeting_id:int}/documents/{document_id:int}/content",
    "GET",
    "A meeting document's bytes (participants; supports Range)",
    responses={200: "The PDF", 206: "Part of it"},
    tag=TAG,
)
async def document_content(call: Call) -> Response:
    meeting_id: int = call.request.path_params["meeting_id"]
    document_id: int = call.request.path_params["document_id"]

    def run(session: Session, subject: Subject) -> StoredFile:
        view = visible_meeting(session, subject, meeting_id)
        doc = next((d for d in service.documents_of(session, view.id) if d.id == document_id), None)
        if doc is None:
            raise errors.NotFound.of("tài liệu", "Document", "meeting.document_not_found")
        stored = session.get(StoredFile, doc.file_id)
        assert stored is not None
        return stored

    stored = await call.subject(run, write=False)
    return await file_response(call.request, call.ctx.store, stored)


@_route("schedule", "Send the invitations")
async def schedule(call: Call) -> Response:
    return await _act(call, lambda s, a, subj, v: service.schedule(s, a, subj, v))


@_route("cancel", "Cancel the meeting")
async def cancel(call: Call) -> Response:
    return await _act(call, lambda s, a, subj, v: service.cancel(s, a, subj, v))


@_route("answer", "Answer the invitation: accept, decline with a reason, send a deputy", AnswerIn)
async def answer(call: Call) -> Response:
    body = await call.body(AnswerIn)
    return await _act(
        call,
        lambda s, a, subj, v: attendance.answer(
            s, a, subj, v, answer=body.answer, reason=body.reason, deputy_id=body.deputy_id
        ),
    )


@_route("check-in", "Check in (yourself, or anyone as the secretary)", CheckInIn)
async def check_in(call: Call) -> Response:
    body = await call.body(CheckInIn)
    return await _act(
        call,
        lambda s, a, subj, v: attendance.check_in(
            s, a, subj, v, user_id=body.user_id, status=body.status, reason=body.reason
        ),
    )


@_route("start", "Open the meeting")
async def start(call: Call) -> Response:
    return await _act(call, lambda s, a, subj, v: live.start(s, a, subj, v))


@_route("agenda", "Move the meeting to an agenda item", AgendaMoveIn)
async def move_agenda(call: Call) -> Response:
    body = await call.body(AgendaMoveIn)
    return await _act(call, lambda s, a, subj, v: live.move_agenda(s, a, subj, v, body.item_id))


@_route("end", "Close the meeting", EndIn)
async def end(call: Call) -> Response:
    body = await call.body(EndIn)
    return await _act(call, lambda s, a, subj, v: live.end(s, a, subj, v, body.conclusions))


@api.route(
    "/meetings/{meeting_id:int}/events",
    "GET",
    "The live events after ?after=N, or snapshot_needed when too far behind",
    responses={200: EventList},
    tag=TAG,
)
async def replay(call: Call) -> Response:
    meeting_id: int = call.request.path_params["meeting_id"]
    after = call.query_int("after", required=False) or 0

    def run(session: Session, subject: Subject) -> EventList:
        view = visible_meeting(session, subject, meeting_id)
        rows = events.since(session, view.id, after)
        return EventList(
            events=[MeetingEventOut.model_validate(events.as_message(e)) for e in rows or []],
            snapshot_needed=rows is None,
            seq=view.meeting.seq,
        )

    return model_json(await call.subject(run, write=False))
