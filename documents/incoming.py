"""The incoming flow (văn bản đến, Decree 30 Articles 20-24): receive, register, present
to a leader, direct and assign, handle, complete; or refuse, or return with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from documents import fields as fields_mod
from documents import history, notifications, registers, search, steps
from documents.access import DocumentView, NewDocument
from documents.fields import Fields
from documents.files import FileKind, Receipt, attach
from documents.levels import Confidentiality
from documents.models import Assignment, Document, DocumentAccess
from documents.states import Flow, State, Step
from ecabinet.core import errors
from ecabinet.core.agencies import Membership, Role, Unit
from ecabinet.core.audit import Actor
from ecabinet.core.files import StoredFile
from ecabinet.core.policy import Action, Subject, authorize
from ecabinet.core.settings import Settings
from ecabinet.core.types import utcnow
from signing.pdfio import VN

MAX_NOTE = 4000


def today() -> date:
    """Today in Vietnam (register dates are local dates)."""
    return datetime.now(VN).date()


def _reason(text: str, what_vi: str = "lý do", what_en: str = "a reason") -> str:
    text = text.strip()
    if not text or len(text) > MAX_NOTE:
        raise errors.InvalidInput(
            "document.reason_required",
            f"Cần ghi {what_vi} (tối đa {MAX_NOTE} ký tự).",
            f"Give {what_en} (at most {MAX_NOTE} characters).",
        )
    return text


def set_access(
    session: Session, document: Document, user_ids: tuple[int, ...], me: int | None
) -> None:
    """The named access list of a confidential document (its creator, if a user of the
    system, always on it)."""
    assert document.id is not None
    if not Confidentiality(document.confidentiality).restricted:
        return
    for user_id in sorted({*user_ids, *([me] if me is not None else [])}):
        member = session.exec(
            select(Membership.id).where(
                Membership.user_id == user_id, Membership.agency_id == document.agency_id
            )
        ).first()
        if member is None:
            raise errors.InvalidInput(
                "document.access_outsider",
                "Danh sách được xem văn bản mật chỉ gồm người của cơ quan.",
                "A confidential document's access list holds only people of its agency.",
                {"user_id": user_id},
            )
        session.add(DocumentAccess(document_id=document.id, user_id=user_id))
    session.flush()


def receive(
    session: Session,
    actor: Actor,
    subject: Subject | None,
    settings: Settings,
    *,
    agency_id: int,
    fields: Fields,
    main: StoredFile | None,
    receipt: Receipt | None = None,
    source: str = "upload",
    origin_id: int | None = None,
    check_permission: bool = True,
    pdf_text: str | None = None,
) -> Document:
    """Receive a document (state ``received``): from an upload, a paper original (no
    file), another agency in the system (``origin_id``) or an edXML package. ``pdf_text``
    is the main file's text for search (``search.pdf_text``, taken before the write).
    ``subject`` is None for a delivery by another system (no user of ours acts)."""
    if check_permission:
        if subject is None:
            raise errors.PermissionDenied("auth.required", "Cần người dùng.", "A user is needed.")
        authorize(subject, Action.create, NewDocument(agency_id, Flow.incoming))
    fields_mod.check(session, settings, fields)
    now = utcnow()
    document = Document(
        agency_id=agency_id,
        flow=Flow.incoming.value,
        state=State.received.value,
        type_id=fields.type_id,
        abstract=fields.abstract,
        received_at=now,
        source=source,
        electronic=main is not None and bool(receipt and receipt.verdict == "valid"),
        origin_id=origin_id,
        signature_verdict=receipt.verdict if receipt else "",
        # A copy sent by another agency is nobody's own here: the sender's clerk must not
        # see the recipient's register through "documents I created".
        created_by=None if origin_id is not None else actor.user_id,
        created_at=now,
        updated_at=now,
    )
    fields_mod.apply(document, fields)
    session.add(document)
    session.flush()
    set_access(session, document, fields.access, subject.user_id if subject else None)
    if main is not None:
        attach(session, actor, document, main, kind=FileKind.main, receipt=receipt)
    search.index_document(session, document, pdf_text)
    note = ""
    if receipt and receipt.verdict in ("invalid", "indeterminate"):
        note = "Chữ ký số không hợp lệ hoặc chưa xác định được: cần kiểm tra trước khi vào sổ."
    history.log(
        session, actor, document, "receive", note=note, summary=f"{source} {fields.abstract[:200]}"
    )
    return document


def register(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: DocumentView,
    *,
    arrival_number: int | None = None,
    arrival_date: date | None = None,
) -> Document:
    """Give the arrival number (số đến) from the year's incoming register."""
    document = view.document
    steps.take(session, actor, subject, view, Step.register)
    day = arrival_date or today()
    book = registers.register_for(
        session,
        actor,
        agency_id=document.agency_id,
        flow=Flow.incoming,
        year=day.year,
        confidential=Confidentiality(document.confidentiality).restricted,
    )
    document.register_id = book.id
    document.year = day.year
    document.arrival_date = day
    document.arrival_number = registers.claim_number(session, book, arrival_number)
    session.add(document)
    session.flush()
    return document


def refuse(
    session: Session, actor: Actor, subject: Subject, view: DocumentView, reason: str
) -> Document:
    """Return a document that is invalid or misaddressed to its sender (Article 20)."""
    steps.take(session, actor, subject, view, Step.refuse, note=_reason(reason))
    return view.document


def require_leader(session: Session, agency_id: int, user_id: int) -> None:
    """422 unless ``user_id`` is a leader of the agency (the one a document is presented
    to, or who approves and signs a draft)."""
    found = session.exec(
        select(Membership.id).where(
            Membership.user_id == user_id,
            Membership.agency_id == agency_id,
            Membership.role == Role.leader.value,
        )
    ).first()
    if found is None:
        raise errors.InvalidInput(
            "document.not_a_leader",
            "Người được chọn không phải lãnh đạo của cơ quan.",
            "The person named is not a leader of the agency.",
            {"user_id": user_id},
        )


def present(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: DocumentView,
    leader_id: int,
    note: str = "",
) -> Document:
    """Present the registered document to a leader of the agency."""
    require_leader(session, view.document.agency_id, leader_id)
    steps.take(session, actor, subject, view, Step.present, note=note.strip()[:MAX_NOTE])
    view.document.leader_id = leader_id
    session.add(view.document)
    notifications.on_handoff(session, actor, view.document, notifications.Kind.to_direct)
    return view.document


@dataclass(frozen=True)
class Handler:
    """A person or a unit named in a direction."""

    user_id: int | None = None
    unit_id: int | None = None


def _check_handler(session: Session, agency_id: int, handler: Handler) -> None:
    if (handler.user_id is None) == (handler.unit_id is None):
        raise errors.InvalidInput(
            "document.bad_handler",
            "Mỗi người xử lý là một người hoặc một đơn vị.",
            "Each handler is either a person or a unit.",
        )
    if handler.unit_id is not None:
        unit = session.get(Unit, handler.unit_id)
        ok = unit is not None and unit.agency_id == agency_id
    else:
        ok = (
            session.exec(
                select(Membership.id).where(
                    Membership.user_id == handler.user_id, Membership.agency_id == agency_id
                )
            ).first()
            is not None
        )
    if not ok:
        raise errors.InvalidInput(
            "document.handler_outsider",
            "Người hoặc đơn vị xử lý phải thuộc cơ quan nhận văn bản.",
            "Handlers must belong to the receiving agency.",
        )


def direct(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: DocumentView,
    *,
    direction: str,
    lead: Handler,
    co: list[Handler],
    deadline: date | None,
) -> Document:
    """The leader's direction: a lead handler, co-handlers and a deadline (Article 22)."""
    document = view.document
    text = _reason(direction, "ý kiến chỉ đạo", "a direction")
    if len(co) > 50:
        raise errors.InvalidInput(
            "document.too_many_handlers", "Quá nhiều người phối hợp.", "Too many co-handlers."
        )
    for handler in [lead, *co]:
        _check_handler(session, document.agency_id, handler)
    if deadline is not None and deadline < today():
        raise errors.InvalidInput(
            "document.deadline_past", "Hạn xử lý đã qua.", "The deadline has already passed."
        )
    steps.take(session, actor, subject, view, Step.direct, note=text)
    assert document.id is not None
    for old in session.exec(select(Assignment).where(Assignment.document_id == document.id)):
        old.active = False
        session.add(old)
    now = utcnow()
    for handler, is_lead in [(lead, True), *((c, False) for c in co)]:
        session.add(
            Assignment(
                document_id=document.id,
                user_id=handler.user_id,
                unit_id=handler.unit_id,
                lead=is_lead,
                deadline=deadline,
                assigned_by=actor.user_id,
                assigned_at=now,
            )
        )
    document.direction = text
    document.directed_at = now
    document.deadline = deadline or document.deadline
    session.add(document)
    session.flush()
    notifications.on_direct(session, actor, document)
    return document


def return_to_clerk(
    session: Session, actor: Actor, subject: Subject, view: DocumentView, reason: str
) -> Document:
    steps.take(session, actor, subject, view, Step.return_to_clerk, note=_reason(reason))
    notifications.on_return(session, actor, view.document)
    return view.document


def start(session: Session, actor: Actor, subject: Subject, view: DocumentView) -> Document:
    steps.take(session, actor, subject, view, Step.start)
    return view.document


def complete(
    session: Session, actor: Actor, subject: Subject, view: DocumentView, note: str
) -> Document:
    """The lead handler closes the work with a summary of what was done."""
    steps.take(
        session,
        actor,
        subject,
        view,
        Step.complete,
        note=_reason(note, "kết quả xử lý", "the result"),
    )
    view.document.completed_at = utcnow()
    session.add(view.document)
    return view.document


def return_to_leader(
    session: Session, actor: Actor, subject: Subject, view: DocumentView, reason: str
) -> Document:
    steps.take(session, actor, subject, view, Step.return_to_leader, note=_reason(reason))
    notifications.on_return(session, actor, view.document)
    return view.document
