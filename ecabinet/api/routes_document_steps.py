"""The steps of the incoming and outgoing flows, one route each; registers."""

from __future__ import annotations

from collections.abc import Callable

import anyio.to_thread
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.responses import Response

from documents import (
    access,
    dispatch,
    handling,
    incoming,
    outgoing,
    publication,
    registers,
)
from documents.access import DocumentView
from documents.exchange import hops as exchange_hops
from documents.files import current_main
from documents.incoming import Handler
from documents.models import Document, Register
from documents.states import Flow
from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.routes_documents import visible
from ecabinet.api.schemas_documents import (
    DirectIn,
    DispatchIn,
    DocSignIn,
    DocumentOut,
    EndPublicationIn,
    IssueIn,
    NoteIn,
    PresentIn,
    PublishIn,
    ReasonIn,
    RecallAnswerIn,
    RecipientOut,
    RegisterIn,
    RegisterList,
    RegisterOut,
    RegisterStepIn,
    ReviewIn,
)
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Action, Subject, authorize
from ecabinet.signatures import placing
from ecabinet.signatures.documents import check_on_receipt, issue_document, sign_document

TAG = "documents"
Work = Callable[[Session, Actor, Subject, DocumentView], object]


async def _step(call: Call, work: Work) -> Response:
    document_id: int = call.request.path_params["document_id"]

    def run(session: Session, subject: Subject) -> Document:
        view = visible(session, subject, document_id)
        work(session, call.actor, subject, view)
        return view.document

    return model_json(DocumentOut.of(await call.subject(run)))


def _route(
    path: str, summary: str, body: type[BaseModel] | None = None, *, signing: bool = False
) -> Callable[..., object]:
    return api.route(
        f"/documents/{{document_id:int}}/{path}",
        "POST",
        summary,
        body=body,
        responses={200: DocumentOut},
        tag=TAG,
        signing=signing,
    )


@_route("register", "Register an incoming document (arrival number)", RegisterStepIn)
async def register_step(call: Call) -> Response:
    body = await call.body(RegisterStepIn)
    return await _step(
        call,
        lambda s, a, subj, v: incoming.register(
            s, a, subj, v, arrival_number=body.arrival_number, arrival_date=body.arrival_date
        ),
    )


@_route("refuse", "Refuse an incoming document, with the reason", ReasonIn)
async def refuse(call: Call) -> Response:
    body = await call.body(ReasonIn)
    return await _step(call, lambda s, a, subj, v: incoming.refuse(s, a, subj, v, body.reason))


@_route("present", "Present to a leader", PresentIn)
async def present(call: Call) -> Response:
    body = await call.body(PresentIn)
    return await _step(
        call, lambda s, a, subj, v: incoming.present(s, a, subj, v, body.leader_id, body.note)
    )


@_route("direct", "The leader's direction: handlers and deadline", DirectIn)
async def direct(call: Call) -> Response:
    body = await call.body(DirectIn)
    return await _step(
        call,
        lambda s, a, subj, v: incoming.direct(
            s,
            a,
            subj,
            v,
            direction=body.direction,
            lead=Handler(body.lead.user_id, body.lead.unit_id),
            co=[Handler(c.user_id, c.unit_id) for c in body.co],
            deadline=body.deadline,
        ),
    )


@_route("return", "Return (to the clerk, the leader or the drafter), with the reason", ReasonIn)
async def return_step(call: Call) -> Response:
    body = await call.body(ReasonIn)

    return await _step(call, lambda s, a, subj, v: handling.give_back(s, a, subj, v, body.reason))


@_route("start", "The lead handler starts work")
async def start(call: Call) -> Response:
    return await _step(call, lambda s, a, subj, v: incoming.start(s, a, subj, v))


@_route("complete", "The lead handler completes the work", NoteIn)
async def complete(call: Call) -> Response:
    body = await call.body(NoteIn)
    return await _step(call, lambda s, a, subj, v: incoming.complete(s, a, subj, v, body.note))


@_route("notes", "Add a note to the timeline", NoteIn)
async def note(call: Call) -> Response:
    body = await call.body(NoteIn)
    return await _step(call, lambda s, a, subj, v: handling.add_note(s, a, subj, v, body.note))


@_route("submit", "Submit the draft for the content check")
async def submit(call: Call) -> Response:
    return await _step(call, lambda s, a, subj, v: outgoing.submit(s, a, subj, v))


@_route("review", "The head of the drafting unit passes the content", ReviewIn)
async def review(call: Call) -> Response:
    body = await call.body(ReviewIn)
    return await _step(
        call, lambda s, a, subj, v: outgoing.pass_review(s, a, subj, v, body.leader_id, body.note)
    )


@_route("approve", "The leader approves the draft")
async def approve(call: Call) -> Response:
    return await _step(call, lambda s, a, subj, v: outgoing.approve(s, a, subj, v))


@_route("signed-on-paper", "The approving leader records their signature on the paper original")
async def signed_on_paper(call: Call) -> Response:
    return await _step(call, lambda s, a, subj, v: outgoing.signed_on_paper(s, a, subj, v))


@_route("publish", "Publish an issued document on the public page (a clerk; logged)", PublishIn)
async def publish(call: Call) -> Response:
    body = await call.body(PublishIn)
    return await _step(
        call,
        lambda s, a, subj, v: publication.publish(
            s, a, subj, v, sector=body.sector, amends=body.amends
        ),
    )


async def _end(call: Call, how: str) -> Response:
    body = await call.body(EndPublicationIn)
    on = body.on or incoming.today()
    return await _step(
        call,
        lambda s, a, subj, v: publication.end(s, a, subj, v, how=how, on=on, reason=body.reason),
    )


@_route("withdraw", "Withdraw a published document (đã thu hồi), kept", EndPublicationIn)
async def withdraw(call: Call) -> Response:
    return await _end(call, "withdraw")


@_route("expire", "Mark a published document expired (hết hiệu lực), kept", EndPublicationIn)
async def expire(call: Call) -> Response:
    return await _end(call, "expire")


@_route("recall", "Recall an issued document", ReasonIn)
async def recall(call: Call) -> Response:
    body = await call.body(ReasonIn)
    return await _step(call, lambda s, a, subj, v: dispatch.recall(s, a, subj, v, body.reason))


@_route("recall-answer", "Confirm or refuse a sender's recall", RecallAnswerIn)
async def recall_answer(call: Call) -> Response:
    body = await call.body(RecallAnswerIn)
    return await _step(
        call, lambda s, a, subj, v: dispatch.answer_recall(s, a, subj, v, body.accept, body.note)
    )


@_route("sign", "The approving leader signs the main file (with the PIN)", DocSignIn, signing=True)
async def sign(call: Call) -> Response:
    body = await call.body(DocSignIn)
    document_id: int = call.request.path_params["document_id"]
    user, actor = call.user.user, call.actor
    document = await anyio.to_thread.run_sync(
        lambda: sign_document(
            call.ctx.engine,
            call.ctx.store,
            call.ctx.signing,
            user,
            actor,
            document_id,
            body.request(),
            body.activation(),
        )
    )
    return model_json(DocumentOut.of(document))


class SignaturePlaceOut(BaseModel):
    """Where the leader's signature image goes by default: the blank between their printed
    title and name, found by the system; ``box`` (PDF points) is null when the page prints
    no block with their name (the dialog then asks them to place it)."""

    page: int = Field(description="From 1")
    pages: int
    box: tuple[float, float, float, float] | None
    page_width: float
    page_height: float


@api.route(
    "/documents/{document_id:int}/signature-place",
    "GET",
    "Where my signature image goes on the document's main file (the signing block)",
    responses={200: SignaturePlaceOut},
    tag=TAG,
)
async def signature_place(call: Call) -> Response:
    document_id: int = call.request.path_params["document_id"]
    place = await anyio.to_thread.run_sync(
        lambda: placing.signature_place(
            call.ctx.engine, call.ctx.store, call.ctx.signing, call.user.user, document_id
        )
    )
    return model_json(
        SignaturePlaceOut(
            page=place.page,
            pages=place.pages,
            box=place.box,
            page_width=place.page_size[0],
            page_height=place.page_size[1],
        )
    )


@_route(
    "issue",
    "Number, date and seal the signed document (the clerk, seal PIN)",
    IssueIn,
    signing=True,
)
async def issue(call: Call) -> Response:
    body = await call.body(IssueIn)
    document_id: int = call.request.path_params["document_id"]
    user, actor = call.user.user, call.actor
    document = await anyio.to_thread.run_sync(
        lambda: issue_document(
            call.ctx.engine,
            call.ctx.store,
            call.ctx.signing,
            user,
            actor,
            document_id,
            given=body.activation(),
            credential_id=body.credential_id,
            register_id=body.register_id,
            wanted=body.number,
            issued_on=body.issued_on,
            level=body.level,
        )
    )
    return model_json(DocumentOut.of(document))


class RecipientList(BaseModel):
    items: list[RecipientOut]


@api.route(
    "/documents/{document_id:int}/dispatch",
    "POST",
    "Send the issued document to its recipients",
    body=DispatchIn,
    responses={200: RecipientList},
    tag=TAG,
)
async def send(call: Call) -> Response:
    body = await call.body(DispatchIn)
    document_id: int = call.request.path_params["document_id"]

    def main_bytes(session: Session, subject: Subject) -> bytes | None:
        view = visible(session, subject, document_id)
        dispatch.ready(subject, view)
        main = current_main(session, document_id)
        return call.ctx.store.read_bytes(main[1].sha256) if main else None

    data = await call.subject(main_bytes, write=False)
    receipt = await anyio.to_thread.run_sync(lambda: check_on_receipt(call.ctx.signing, data))
    destinations = [
        dispatch.Destination(d.method, d.agency_id, d.name, d.organ_id) for d in body.recipients
    ]

    def run(session: Session, subject: Subject) -> RecipientList:
        view = visible(session, subject, document_id)
        sent = dispatch.dispatch(
            session, call.actor, subject, call.settings, view, destinations, receipt
        )
        tracks = exchange_hops.tracks_of(session, document_id)
        return RecipientList(items=[RecipientOut.of(r, tracks.get(r.id or 0)) for r in sent])

    return model_json(await call.subject(run))


@api.route(
    "/registers",
    "GET",
    "Registers of an agency (?agency_id=&year=)",
    responses={200: RegisterList},
    tag=TAG,
)
async def list_registers(call: Call) -> Response:
    agency_id = call.query_int("agency_id")
    year = call.query_int("year", required=False)

    def run(session: Session, subject: Subject) -> list[Register]:
        return [
            r
            for r in registers.list_registers(session, agency_id, year)
            if access.can_view_register(subject, r)
        ]

    rows = await call.subject(run, write=False)
    return model_json(RegisterList(items=[RegisterOut.of(r) for r in rows]))


@api.route(
    "/registers",
    "POST",
    "Open a register (the agency's clerk)",
    body=RegisterIn,
    responses={201: RegisterOut},
    tag=TAG,
)
async def create_register(call: Call) -> Response:
    body = await call.body(RegisterIn)

    def run(session: Session, subject: Subject) -> Register:
        authorize(subject, Action.create, access.NewRegister(body.agency_id))
        return registers.create_register(
            session,
            call.actor,
            agency_id=body.agency_id,
            flow=Flow(body.flow),
            year=body.year,
            name=body.name,
            confidential=body.confidential,
            type_id=body.type_id,
        )

    return model_json(RegisterOut.of(await call.subject(run)), status=201)
