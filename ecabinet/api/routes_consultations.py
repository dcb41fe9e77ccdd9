"""Consultations (phiếu lấy ý kiến): create, attach PDFs, send, answer, close; the
results, the tally PDF, the documents' bytes and my notices."""

from __future__ import annotations

import anyio.to_thread
from sqlmodel import Session
from starlette.responses import Response

from ecabinet.api.download import file_response
from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.routes_meetings import _uploaded
from ecabinet.api.schemas_consultations import (
    ConsultationAnswerIn,
    ConsultationDetail,
    ConsultationDocumentIn,
    ConsultationDocumentOut,
    ConsultationIn,
    ConsultationList,
    ConsultationListedOut,
    ConsultationNoticeList,
    ConsultationNoticeOut,
    ConsultationOut,
    ConsultationResultsOut,
    MyConsultationAnswerOut,
)
from ecabinet.core.files import StoredFile
from ecabinet.core.policy import Subject
from ecabinet.core.storage import content_disposition
from ecabinet.meetings import consultation_lists, consultation_report, consultations
from ecabinet.meetings.consultation_access import ConsultationView, load, manages, require_visible

TAG = "consultations"
PATH = "/consultations/{consultation_id:int}"


def _detail(session: Session, subject: Subject, view: ConsultationView) -> ConsultationDetail:
    c, me = view.consultation, subject.user_id
    mine = consultations.my_answer(session, view, me)
    results = consultation_report.results(session, subject, view)
    return ConsultationDetail(
        consultation=ConsultationOut.of(c),
        documents=[
            ConsultationDocumentOut.of(d) for d in consultations.documents_of(session, view.id)
        ],
        asked=len(view.member_ids),
        manages=manages(subject, view),
        member=view.is_member(me),
        can_answer=view.is_member(me) and c.state == "open",
        my_answer=MyConsultationAnswerOut.of(mine) if mine else None,
        results=ConsultationResultsOut.of(results) if results else None,
    )


def _id(call: Call) -> int:
    consultation_id: int = call.request.path_params["consultation_id"]
    return consultation_id


@api.route(
    "/consultations",
    "POST",
    "Start a consultation (a draft with its members)",
    body=ConsultationIn,
    responses={201: ConsultationDetail},
    tag=TAG,
)
async def create(call: Call) -> Response:
    body = await call.body(ConsultationIn)

    def run(session: Session, subject: Subject) -> ConsultationDetail:
        made = consultations.create(
            session, call.actor, subject, agency_id=body.agency_id, fields=body.fields()
        )
        return _detail(session, subject, load(session, made.id or 0))

    return model_json(await call.subject(run), status=201)


@api.route(
    "/consultations",
    "GET",
    "My consultations: created by me or sent to me, newest first",
    responses={200: ConsultationList},
    tag=TAG,
)
async def mine(call: Call) -> Response:
    rows = await call.subject(lambda s, subj: consultation_lists.mine(s, subj))
    return model_json(ConsultationList(items=[ConsultationListedOut.of(r) for r in rows]))


@api.route(
    "/consultations/notices",
    "GET",
    "My consultation notices, newest first (?unread=1&limit=)",
    responses={200: ConsultationNoticeList},
    tag=TAG,
)
async def notices(call: Call) -> Response:
    unread_only = call.request.query_params.get("unread") in ("1", "true")
    limit = call.query_int("limit", required=False) or 100
    rows, unread = await call.subject(
        lambda s, subj: consultation_lists.notices_for(
            s, subj.user_id, unread_only=unread_only, limit=limit
        ),
        write=False,
    )
    return model_json(
        ConsultationNoticeList(
            items=[ConsultationNoticeOut.of(n, c) for n, c in rows], unread=unread
        )
    )


@api.route(
    PATH,
    "GET",
    "A consultation: documents, my answer, the results I may see (marks my notices read)",
    responses={200: ConsultationDetail},
    tag=TAG,
)
async def detail(call: Call) -> Response:
    consultation_id = _id(call)

    def run(session: Session, subject: Subject) -> ConsultationDetail:
        view = consultations.visible(session, subject, consultation_id)
        consultation_lists.mark_read(session, view, subject.user_id)
        return _detail(session, subject, view)

    return model_json(await call.subject(run))


@api.route(
    PATH + "/documents",
    "POST",
    "Attach an uploaded PDF to a draft consultation",
    body=ConsultationDocumentIn,
    responses={201: ConsultationDocumentOut},
    tag=TAG,
)
async def add_document(call: Call) -> Response:
    body = await call.body(ConsultationDocumentIn)
    consultation_id = _id(call)
    found = await call.subject(lambda s, subj: _uploaded(s, subj, body.file_id), write=False)
    head = await anyio.to_thread.run_sync(lambda: call.ctx.store.read_bytes(found.sha256)[:1024])

    def run(session: Session, subject: Subject) -> ConsultationDocumentOut:
        view = consultations.visible(session, subject, consultation_id)
        doc = consultations.add_document(
            session,
            call.actor,
            subject,
            view,
            stored=_uploaded(session, subject, body.file_id),
            head=head,
            title=body.title,
        )
        return ConsultationDocumentOut.of(doc)

    return model_json(await call.subject(run), status=201)


@api.route(
    PATH + "/documents/{document_id:int}/content",
    "GET",
    "A consultation document's bytes (its creator and members; supports Range)",
    responses={200: "The PDF", 206: "Part of it"},
    tag=TAG,
)
async def document_content(call: Call) -> Response:
    consultation_id = _id(call)
    document_id: int = call.request.path_params["document_id"]

    def run(session: Session, subject: Subject) -> StoredFile:
        view = load(session, consultation_id)
        require_visible(subject, view)
        return consultations.document_of(session, view, document_id)

    stored = await call.subject(run, write=False)
    return await file_response(call.request, call.ctx.store, stored)


@api.route(
    PATH + "/send",
    "POST",
    "Send the consultation to its members",
    responses={200: ConsultationDetail},
    tag=TAG,
)
async def send(call: Call) -> Response:
    consultation_id = _id(call)

    def run(session: Session, subject: Subject) -> ConsultationDetail:
        view = consultations.visible(session, subject, consultation_id)
        consultations.send(session, call.actor, subject, view)
        return _detail(session, subject, view)

    return model_json(await call.subject(run))


@api.route(
    PATH + "/answer",
    "POST",
    "Give or change my answer (until the deadline)",
    body=ConsultationAnswerIn,
    responses={200: ConsultationDetail},
    tag=TAG,
)
async def answer(call: Call) -> Response:
    body = await call.body(ConsultationAnswerIn)
    consultation_id = _id(call)

    def run(session: Session, subject: Subject) -> ConsultationDetail:
        view = load(session, consultation_id)
        consultations.answer(
            session, call.actor, subject, view, answer=body.answer, comment=body.comment
        )
        return _detail(session, subject, view)

    return model_json(await call.subject(run))


@api.route(
    PATH + "/close",
    "POST",
    "Close the consultation before its deadline",
    responses={200: ConsultationDetail},
    tag=TAG,
)
async def close(call: Call) -> Response:
    consultation_id = _id(call)

    def run(session: Session, subject: Subject) -> ConsultationDetail:
        view = consultations.visible(session, subject, consultation_id)
        consultations.close(session, call.actor, subject, view)
        return _detail(session, subject, view)

    return model_json(await call.subject(run))


@api.route(
    PATH + "/report.pdf",
    "GET",
    "The tally with names and comments as a PDF (the creator)",
    responses={200: "The PDF"},
    tag=TAG,
)
async def report(call: Call) -> Response:
    consultation_id = _id(call)

    def run(session: Session, subject: Subject) -> bytes:
        view = consultations.visible(session, subject, consultation_id)
        return consultation_report.report_pdf(session, subject, view)

    data = await call.subject(run)
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition(
                f"tong-hop-y-kien-{consultation_id}.pdf", inline=True
            ),
            "Cache-Control": "no-store",
        },
    )
