"""The outgoing flow (văn bản đi, Decree 30 Articles 10-19): draft with versions, content
check by the head of the drafting unit, approval, the leader's signature, number and
date with the agency's seal (issue), then dispatch, recall and replacement."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from documents import fields as fields_mod
from documents import history, notifications, registers, search, steps
from documents.access import DocumentView, NewDocument
from documents.fields import Fields
from documents.files import FileKind, attach, current_main
from documents.incoming import MAX_NOTE, _reason, require_leader, set_access, today
from documents.levels import Confidentiality
from documents.models import Document, DocumentFile, Register
from documents.states import Flow, State, Step
from documents.symbols import format_number_symbol, make_symbol
from ecabinet.core import errors
from ecabinet.core.agencies import Agency, Unit
from ecabinet.core.audit import Actor
from ecabinet.core.files import StoredFile
from ecabinet.core.policy import Action, Subject, authorize
from ecabinet.core.settings import Settings
from ecabinet.core.types import utcnow
from ecabinet.core.users import User


def create_draft(
    session: Session,
    actor: Actor,
    subject: Subject,
    settings: Settings,
    *,
    agency_id: int,
    fields: Fields,
    drafting_unit_id: int | None,
    main: StoredFile | None,
    electronic: bool = True,
    pdf_text: str | None = None,
    replaces_id: int | None = None,
) -> Document:
    """A new draft by its drafter; ``electronic=False`` for a paper original that will only
    be numbered and registered (its file, if any, is a scan). ``pdf_text``: the main
    file's text for search (``search.pdf_text``, taken before the write). ``replaces_id``:
    the issued document of the agency this one replaces (Decree 30: an error of content
    is corrected by a replacement); issuing it marks that one replaced."""
    authorize(subject, Action.create, NewDocument(agency_id, Flow.outgoing))
    fields_mod.check(session, settings, fields)
    if replaces_id is not None:
        _replaceable(session, subject, agency_id, replaces_id)
    if drafting_unit_id is not None:
        unit = session.get(Unit, drafting_unit_id)
        if unit is None or unit.agency_id != agency_id:
            raise errors.InvalidInput(
                "document.bad_unit",
                "Đơn vị soạn thảo không thuộc cơ quan.",
                "The drafting unit is not part of the agency.",
            )
    agency = session.get(Agency, agency_id)
    assert agency is not None
    now = utcnow()
    document = Document(
        agency_id=agency_id,
        flow=Flow.outgoing.value,
        state=State.draft.value,
        type_id=fields.type_id,
        abstract=fields.abstract,
        source="upload" if electronic else "paper",
        electronic=electronic,
        drafting_unit_id=drafting_unit_id,
        drafter_id=subject.user_id,
        replaces_id=replaces_id,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    fields_mod.apply(document, fields)
    document.number = None  # the system numbers outgoing documents at issue
    document.issuing_agency_name = agency.name
    document.issuing_agency_code = agency.code
    session.add(document)
    session.flush()
    set_access(session, document, fields.access, subject.user_id)
    if main is not None:
        attach(session, actor, document, main, kind=FileKind.main, note="Dự thảo")
    search.index_document(session, document, pdf_text)
    history.log(session, actor, document, "draft", summary=fields.abstract[:200])
    return document


def _replaceable(session: Session, subject: Subject, agency_id: int, document_id: int) -> None:
    from documents.access import load_view, require_visible

    old = load_view(session, document_id)
    require_visible(subject, old)
    d = old.document
    if (
        d.flow != Flow.outgoing.value
        or d.agency_id != agency_id
        or d.state
        not in (
            State.issued.value,
            State.dispatched.value,
        )
    ):
        raise errors.InvalidInput(
            "document.bad_replacement",
            "Chỉ thay thế được văn bản đã phát hành của cùng cơ quan.",
            "Only an issued document of the same agency can be replaced.",
        )


def _editable(subject: Subject, view: DocumentView) -> None:
    if subject.user_id != view.document.drafter_id:
        raise errors.PermissionDenied(
            "document.not_drafter",
            "Chỉ người soạn thảo sửa được dự thảo.",
            "Only the drafter may change the draft.",
        )
    if view.document.state != State.draft.value:
        raise errors.Conflict(
            "document.not_draft",
            "Chỉ sửa được văn bản đang là dự thảo.",
            "Only a draft can be changed.",
            {"state": view.document.state},
        )


def update_draft(
    session: Session,
    actor: Actor,
    subject: Subject,
    settings: Settings,
    view: DocumentView,
    fields: Fields,
) -> Document:
    """Change the draft's metadata (the drafter, while it is a draft)."""
    _editable(subject, view)
    fields_mod.check(session, settings, fields)
    if Confidentiality(view.document.confidentiality) is not fields.confidentiality:
        raise errors.InvalidInput(
            "document.confidentiality_fixed",
            "Không đổi được độ mật sau khi tạo văn bản.",
            "Confidentiality cannot change after the document is created.",
        )
    fields_mod.apply(view.document, fields)
    view.document.number = None
    search.index_document(session, view.document)
    history.log(session, actor, view.document, "edit", summary=fields.abstract[:200])
    return view.document


def add_version(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: DocumentView,
    stored: StoredFile,
    note: str = "",
    pdf_text: str | None = None,
) -> DocumentFile:
    """A new version of the draft's main file; earlier versions stay. ``pdf_text``: its
    text for search (None keeps the text indexed so far)."""
    _editable(subject, view)
    row = attach(session, actor, view.document, stored, kind=FileKind.main, note=note)
    search.index_document(session, view.document, pdf_text)
    history.log(
        session,
        actor,
        view.document,
        "version",
        note=note[:MAX_NOTE],
        summary=f"phiên bản / version {row.version}: {stored.filename}",
    )
    return row


def submit(session: Session, actor: Actor, subject: Subject, view: DocumentView) -> Document:
    if view.document.electronic and current_main(session, view.id) is None:
        raise errors.InvalidInput(
            "document.no_file", "Dự thảo chưa có tệp văn bản.", "The draft has no file yet."
        )
    steps.take(session, actor, subject, view, Step.submit)
    notifications.on_handoff(session, actor, view.document, notifications.Kind.to_review)
    return view.document


def pass_review(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: DocumentView,
    leader_id: int,
    note: str = "",
) -> Document:
    """The head of the drafting unit passes the content and names the leader who approves
    and signs."""
    require_leader(session, view.document.agency_id, leader_id)
    steps.take(session, actor, subject, view, Step.pass_review, note=note.strip()[:MAX_NOTE])
    view.document.leader_id = leader_id
    session.add(view.document)
    notifications.on_handoff(session, actor, view.document, notifications.Kind.to_approve)
    return view.document


def return_draft(
    session: Session, actor: Actor, subject: Subject, view: DocumentView, reason: str
) -> Document:
    steps.take(session, actor, subject, view, Step.return_draft, note=_reason(reason))
    notifications.on_return(session, actor, view.document)
    return view.document


def approve(session: Session, actor: Actor, subject: Subject, view: DocumentView) -> Document:
    """The leader approves; they are the one who signs (Decree 30: the competent person)."""
    steps.take(session, actor, subject, view, Step.approve)
    view.document.leader_id = subject.user_id
    session.add(view.document)
    notifications.on_handoff(session, actor, view.document, notifications.Kind.to_sign)
    return view.document


def signed_on_paper(
    session: Session, actor: Actor, subject: Subject, view: DocumentView
) -> Document:
    """The approving leader records that they signed the paper original by hand."""
    if view.document.electronic:
        raise errors.InvalidInput(
            "document.sign_electronically",
            "Văn bản điện tử phải được ký số.",
            "An electronic document must be signed digitally.",
        )
    steps.take(session, actor, subject, view, Step.sign, summary="ký trên giấy / signed on paper")
    user = session.get(User, subject.user_id)
    assert user is not None
    view.document.signer_name = user.full_name
    view.document.signer_title = user.title
    session.add(view.document)
    search.index_document(session, view.document)
    notifications.on_handoff(session, actor, view.document, notifications.Kind.to_issue)
    return view.document


def choose_register(
    session: Session, actor: Actor, document: Document, year: int, register_id: int | None
) -> Register:
    """The register the clerk chose (it must be this agency's outgoing one for the year,
    of the document's confidentiality), else the default one."""
    confidential = Confidentiality(document.confidentiality).restricted
    if register_id is None:
        return registers.register_for(
            session,
            actor,
            agency_id=document.agency_id,
            flow=Flow.outgoing,
            year=year,
            confidential=confidential,
            type_id=document.type_id,
        )
    book = session.get(Register, register_id)
    if (
        book is None
        or book.agency_id != document.agency_id
        or book.flow != Flow.outgoing.value
        or book.year != year
        or book.confidential != confidential
        or (book.type_id is not None and book.type_id != document.type_id)
    ):
        raise errors.InvalidInput(
            "document.bad_register",
            "Sổ đã chọn không dùng được cho văn bản này.",
            "The chosen register cannot take this document.",
        )
    return book


def number(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: DocumentView,
    *,
    register_id: int | None = None,
    wanted: int | None = None,
    issued_on: date | None = None,
) -> Document:
    """Take the issue step: number and date from the register (the seal, if any, is added by
    the caller in the same transaction). ``wanted`` is a number given by hand."""
    document = view.document
    steps.take(session, actor, subject, view, Step.issue)
    day = issued_on or today()
    if day > today():
        raise errors.InvalidInput(
            "document.future_date",
            "Ngày ban hành không được ở tương lai.",
            "The date of issue cannot be in the future.",
        )
    book = choose_register(session, actor, document, day.year, register_id)
    type_row = registers.get_type(session, document.type_id)
    agency = session.get(Agency, document.agency_id)
    unit = session.get(Unit, document.drafting_unit_id) if document.drafting_unit_id else None
    assert agency is not None
    symbol = make_symbol(
        type_row.abbreviation, agency.abbreviation, unit.abbreviation if unit else ""
    )
    taken = registers.claim_number(session, book, wanted)
    clash = session.exec(
        select(Document.id).where(
            Document.agency_id == document.agency_id,
            Document.flow == Flow.outgoing.value,
            Document.year == day.year,
            Document.number == taken,
            Document.symbol == symbol,
        )
    ).first()
    if clash is not None:
        raise errors.Conflict(
            "document.number_taken",
            f"Số và ký hiệu {format_number_symbol(taken, symbol)} đã dùng trong năm {day.year}.",
            f"{format_number_symbol(taken, symbol)} is already used in {day.year}.",
        )
    document.register_id = book.id
    document.year = day.year
    document.number = taken
    document.symbol = symbol
    document.issued_on = day
    document.issued_at = utcnow()
    session.add(document)
    session.flush()
    search.index_document(session, document)
    history.log(
        session,
        actor,
        document,
        "number",
        summary=f"{format_number_symbol(taken, symbol)} — {book.name}",
    )
    return document


def replaced_by(session: Session, subject: Subject, document_id: int) -> int | None:
    """The issued replacement of a document, if the subject may see it (drafts may name
    the document too, until one of them is issued)."""
    from documents.access import load_view, sees

    newer = session.exec(
        select(Document.id)
        .where(Document.replaces_id == document_id, col(Document.issued_at).is_not(None))
        .order_by(col(Document.id).desc())
    ).all()
    for candidate in newer:
        if candidate is not None and sees(subject, load_view(session, candidate)):
            return candidate
    return None
