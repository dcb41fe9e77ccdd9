"""Documents: receive, draft, list and read; their files (every version)."""

from __future__ import annotations

import anyio.to_thread
from sqlmodel import Session, col, select
from starlette.responses import Response

from documents import (
    access,
    handling,
    history,
    incoming,
    outgoing,
    publication,
    queries,
)
from documents import dispatch as dispatching
from documents.exchange import hops as exchange_hops
from documents.filenames import download_name
from documents.files import FileKind, document_file, files_of, require_pdf
from documents.intake import Arrival, register_arrival
from documents.models import Assignment, Document, DocumentType
from documents.states import State
from documents.steps import allowed
from ecabinet.api.download import file_response
from ecabinet.api.framework import Call, model_json
from ecabinet.api.registry import api
from ecabinet.api.schemas_documents import (
    AssignmentOut,
    DocumentDetail,
    DocumentFileOut,
    DocumentOut,
    DocumentPage,
    DocumentTypeList,
    DocumentTypeOut,
    EventOut,
    FieldsIn,
    FileIn,
    IncomingIn,
    OutgoingIn,
    PublicationOut,
    RecipientOut,
)
from ecabinet.api.schemas_signing import ReportOut
from ecabinet.core import errors, files
from ecabinet.core.files import StoredFile
from ecabinet.core.policy import Action, Subject, authorize
from ecabinet.signatures.intake import Intake, intake
from ecabinet.signatures.intake import report as intake_report

TAG = "documents"


@api.route(
    "/document-types",
    "GET",
    "Document types (Decree 30 Appendix III)",
    responses={200: DocumentTypeList},
    tag=TAG,
)
async def types(call: Call) -> Response:
    rows = await call.db(
        lambda s: list(s.exec(select(DocumentType).order_by(col(DocumentType.id)))), write=False
    )
    return model_json(
        DocumentTypeList(items=[DocumentTypeOut.model_validate(t.model_dump()) for t in rows])
    )


def _own_file(session: Session, subject: Subject, file_id: str, agency_id: int) -> StoredFile:
    """A file the caller uploaded to this agency and that no document holds yet."""
    stored = files.get_file(session, file_id)
    authorize(subject, Action.view, stored)
    if stored.agency_id != agency_id or stored.uploaded_by != subject.user_id:
        raise errors.InvalidInput(
            "document.foreign_file",
            "Tệp không phải do bạn tải lên cho cơ quan này.",
            "The file was not uploaded by you for this agency.",
        )
    return stored


async def _intake(call: Call, file_id: str | None, agency_id: int, *, validate: bool) -> Intake:
    """An uploaded main file (the caller's own, and a PDF) read before the write
    transaction: its signatures (``validate``) and text for search, taken in the sandbox
    (slow, and bounded: a costly file is a 422 and nothing is written)."""
    if file_id is None:
        return Intake(None, None)
    stored = await call.subject(lambda s, subj: _own_file(s, subj, file_id, agency_id), write=False)

    def read() -> Intake:
        data = call.ctx.store.read_bytes(stored.sha256)
        require_pdf(data)
        return intake(call.ctx.signing, data, validate=validate)

    return await anyio.to_thread.run_sync(read)


@api.route(
    "/documents/incoming",
    "POST",
    "Receive an incoming document (and register it)",
    body=IncomingIn,
    responses={201: DocumentOut},
    tag=TAG,
)
async def receive(call: Call) -> Response:
    body = await call.body(IncomingIn)
    fields = body.fields()
    prepared = await _intake(call, body.file_id, body.agency_id, validate=True)

    def work(session: Session, subject: Subject) -> Document:
        main = _own_file(session, subject, body.file_id, body.agency_id) if body.file_id else None
        arrival = Arrival(
            agency_id=body.agency_id,
            fields=fields,
            main=main,
            receipt=prepared.receipt,
            pdf_text=prepared.text,
            source="upload" if main else "paper",
            register_now=body.register_now,
            arrival_number=body.arrival_number,
        )
        return register_arrival(session, call.actor, subject, call.settings, arrival)

    document = await call.subject(work)
    return model_json(DocumentOut.of(document), status=201)


@api.route(
    "/documents/outgoing",
    "POST",
    "Start an outgoing draft",
    body=OutgoingIn,
    responses={201: DocumentOut},
    tag=TAG,
)
async def draft(call: Call) -> Response:
    body = await call.body(OutgoingIn)
    fields = body.fields()
    text = (await _intake(call, body.file_id, body.agency_id, validate=False)).text

    def work(session: Session, subject: Subject) -> Document:
        main = _own_file(session, subject, body.file_id, body.agency_id) if body.file_id else None
        return outgoing.create_draft(
            session,
            call.actor,
            subject,
            call.settings,
            agency_id=body.agency_id,
            fields=fields,
            drafting_unit_id=body.drafting_unit_id,
            main=main,
            electronic=body.electronic,
            pdf_text=text,
            replaces_id=body.replaces_id,
        )

    document = await call.subject(work)
    return model_json(DocumentOut.of(document), status=201)


def _id(document: Document) -> int:
    assert document.id is not None
    return document.id


def list_filter(call: Call) -> queries.Filter:
    """The list filters from the query string (shared by lists, exports and statistics)."""
    q = call.request.query_params
    flow = q.get("flow")
    if flow not in (None, "incoming", "outgoing"):
        raise errors.InvalidInput(
            "request.bad_query", "Tham số flow không hợp lệ.", "Bad flow.", {"parameter": "flow"}
        )
    states = tuple(s for s in q.getlist("state") if s)
    for state in states:
        if state not in State.__members__:
            raise errors.InvalidInput(
                "request.bad_query",
                "Trạng thái không hợp lệ.",
                "Bad state.",
                {"parameter": "state"},
            )
    text = (q.get("q") or "").strip()
    if len(text) > 200:
        raise errors.InvalidInput(
            "request.bad_query", "Từ khóa quá dài.", "Query too long.", {"parameter": "q"}
        )
    return queries.Filter(
        flow=flow,
        states=states,
        type_id=call.query_int("type_id", required=False),
        agency_id=call.query_int("agency_id", required=False),
        register_id=call.query_int("register_id", required=False),
        urgency=q.get("urgency") or None,
        signer=(q.get("signer") or "").strip()[:100] or None,
        date_from=call.query_date("from"),
        date_to=call.query_date("to"),
        overdue_on=incoming.today() if q.get("overdue") == "1" else None,
        assigned_to=call.user.user.id if q.get("mine") == "1" else None,
        text=text or None,
        limit=call.query_int("limit", required=False) or 50,
        offset=call.query_int("offset", required=False) or 0,
    )


@api.route(
    "/documents",
    "GET",
    "Documents I may see (?flow=&state=&type_id=&agency_id=&register_id=&urgency="
    "&signer=&from=&to=&overdue=1&mine=1&q=&limit=&offset=)",
    responses={200: DocumentPage},
    tag=TAG,
)
async def list_documents(call: Call) -> Response:
    f = list_filter(call)
    page = await call.subject(lambda s, subj: queries.list_documents(s, subj, f), write=False)
    return model_json(
        DocumentPage(
            items=[DocumentOut.of(d) for d in page.items], total=page.total, exact=page.exact
        )
    )


@api.route(
    "/documents/{document_id:int}",
    "PATCH",
    "Change a draft's register fields (its drafter, while it is a draft)",
    body=FieldsIn,
    responses={200: DocumentOut},
    tag=TAG,
)
async def edit_draft(call: Call) -> Response:
    document_id: int = call.request.path_params["document_id"]
    fields = (await call.body(FieldsIn)).fields()

    def work(session: Session, subject: Subject) -> Document:
        view = visible(session, subject, document_id)
        return outgoing.update_draft(session, call.actor, subject, call.settings, view, fields)

    return model_json(DocumentOut.of(await call.subject(work)))


def visible(session: Session, subject: Subject, document_id: int) -> access.DocumentView:
    view = access.load_view(session, document_id)
    access.require_visible(subject, view)
    return view


@api.route(
    "/documents/{document_id:int}",
    "GET",
    "A document with its files, timeline and the steps I may take",
    responses={200: DocumentDetail},
    tag=TAG,
)
async def detail(call: Call) -> Response:
    document_id: int = call.request.path_params["document_id"]

    def work(session: Session, subject: Subject) -> DocumentDetail:
        view = visible(session, subject, document_id)
        assignments = session.exec(
            select(Assignment).where(Assignment.document_id == document_id)
        ).all()
        published = publication.of(session, document_id)
        tracks = exchange_hops.tracks_of(session, document_id)
        return DocumentDetail(
            document=DocumentOut.of(view.document),
            files=[
                DocumentFileOut.of(f, s, download_name(view.document, f.kind, s.filename))
                for f, s in files_of(session, document_id)
            ],
            assignments=[AssignmentOut.of(a) for a in assignments],
            recipients=[
                RecipientOut.of(r, tracks.get(r.id or 0))
                for r in dispatching.recipients_of(session, document_id)
            ],
            timeline=[EventOut.of(e) for e in history.timeline(session, document_id)],
            steps=allowed(subject, view),
            access=sorted(view.access),
            replaced_by=outgoing.replaced_by(session, subject, document_id),
            publication=PublicationOut.of(published) if published else None,
            may_publish=publication.may_manage(subject, view),
        )

    return model_json(await call.subject(work, write=False))


@api.route(
    "/documents/{document_id:int}/files",
    "POST",
    "Add a file: a new version of the main file, an attachment or a result",
    body=FileIn,
    responses={201: DocumentFileOut},
    tag=TAG,
)
async def add_file(call: Call) -> Response:
    document_id: int = call.request.path_params["document_id"]
    body = await call.body(FileIn)
    text: str | None = None
    if body.kind == "main":
        agency_id = await call.subject(
            lambda s, subj: visible(s, subj, document_id).document.agency_id, write=False
        )
        text = (await _intake(call, body.file_id, agency_id, validate=False)).text

    def work(session: Session, subject: Subject) -> DocumentFileOut:
        view = visible(session, subject, document_id)
        stored = _own_file(session, subject, body.file_id, view.document.agency_id)
        row = handling.add_file(
            session, call.actor, subject, view, stored, FileKind(body.kind), body.note, text
        )
        return DocumentFileOut.of(
            row, stored, download_name(view.document, row.kind, stored.filename)
        )

    return model_json(await call.subject(work), status=201)


async def _document_file(call: Call) -> tuple[StoredFile, str]:
    """The file asked for and the name it downloads under (a main file: the document's)."""
    document_id: int = call.request.path_params["document_id"]
    row_id: int = call.request.path_params["row_id"]

    def work(session: Session, subject: Subject) -> tuple[StoredFile, str]:
        view = visible(session, subject, document_id)
        row = document_file(session, document_id, row_id)
        stored = session.get(StoredFile, row.file_id)
        assert stored is not None
        return stored, download_name(view.document, row.kind, stored.filename)

    return await call.subject(work, write=False)


@api.route(
    "/documents/{document_id:int}/files/{row_id:int}/content",
    "GET",
    "A document file's bytes (supports Range)",
    responses={200: "The bytes", 206: "Part of the bytes"},
    tag=TAG,
)
async def file_content(call: Call) -> Response:
    stored, name = await _document_file(call)
    return await file_response(call.request, call.ctx.store, stored, name)


@api.route(
    "/documents/{document_id:int}/files/{row_id:int}/signatures",
    "GET",
    "The signature report of a document file, checked now",
    responses={200: ReportOut},
    tag=TAG,
)
async def file_signatures(call: Call) -> Response:
    stored, _ = await _document_file(call)
    report = await anyio.to_thread.run_sync(
        lambda: intake_report(call.ctx.signing, call.ctx.store.read_bytes(stored.sha256))
    )
    return model_json(ReportOut.of(report))
