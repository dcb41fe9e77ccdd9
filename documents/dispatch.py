"""Dispatch (gửi, liên thông): an issued document goes to its recipients. One inside the
system receives it at once as an incoming document of its own, whose progress flows back
as edXML status codes; one outside gets an edXML package (:mod:`documents.exchange`), or
paper. Recall follows Decree 30: the recipient confirms it through the system."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from documents import (
    history,
    incoming,
    notifications,
    publication,
    search,
    status,
    steps,
)
from documents.access import DocumentView, check_step
from documents.agency_directory import lookup
from documents.exchange import outbox as exchange_outbox
from documents.exchange import peers as exchange_peers
from documents.exchange import recall as exchange_recall
from documents.fields import Fields
from documents.files import FileKind, Receipt, attach, current_main, files_of
from documents.levels import Confidentiality, Urgency
from documents.models import Document, DocumentEvent, Recipient
from documents.states import Flow, State, Step, target_of
from documents.status import StatusCode
from documents.symbols import format_number_symbol
from ecabinet.core import errors
from ecabinet.core.agencies import Agency, normal_code
from ecabinet.core.audit import Actor
from ecabinet.core.files import StoredFile
from ecabinet.core.policy import Subject
from ecabinet.core.settings import Settings
from ecabinet.core.types import utcnow

METHODS = ("internal", "edxml", "paper")
MAX_RECIPIENTS = 200


@dataclass(frozen=True)
class Destination:
    """A recipient: an agency in the system, or a name (and agency code) outside it."""

    method: str
    agency_id: int | None = None
    name: str = ""
    organ_id: str = ""


def _copy_for(session: Session, stored: StoredFile, agency_id: int, actor: Actor) -> StoredFile:
    # The blob is shared (content-addressed); the recipient gets a row of its own.
    import uuid

    copy = StoredFile(
        id=str(uuid.uuid4()),
        sha256=stored.sha256,
        size=stored.size,
        content_type=stored.content_type,
        filename=stored.filename,
        agency_id=agency_id,
        uploaded_by=actor.user_id,
        created_at=utcnow(),
    )
    session.add(copy)
    session.flush()
    return copy


def incoming_fields(sent: Document) -> Fields:
    """What the recipient's register shows of a document sent inside the system."""
    return Fields(
        type_id=sent.type_id,
        abstract=sent.abstract,
        issued_on=sent.issued_on,
        number=sent.number,
        symbol=sent.symbol,
        issuing_agency_name=sent.issuing_agency_name,
        issuing_agency_code=sent.issuing_agency_code,
        signer_name=sent.signer_name,
        signer_title=sent.signer_title,
        signing_form=sent.signing_form,
        recipients_text=sent.recipients_text,
        urgency=Urgency(sent.urgency),
        page_count=sent.page_count,
        place=sent.place,
    )


def ready(subject: Subject, view: DocumentView) -> None:
    """Refuse at once (403/409) what :func:`dispatch` would refuse for the subject or the
    state, before the caller spends time checking the file's signatures."""
    check_step(subject, view, Step.dispatch)
    target_of(Step.dispatch, Flow(view.document.flow), State(view.document.state))


def dispatch(
    session: Session,
    actor: Actor,
    subject: Subject,
    settings: Settings,
    view: DocumentView,
    destinations: list[Destination],
    receipt: Receipt | None,
) -> list[Recipient]:
    """Send the issued document; ``receipt`` is the signature check of its main file (run
    by the caller outside the transaction), kept on each recipient's incoming copy."""
    document = view.document
    if not 1 <= len(destinations) <= MAX_RECIPIENTS:
        raise errors.InvalidInput(
            "dispatch.bad_recipients",
            f"Cần từ 1 đến {MAX_RECIPIENTS} nơi nhận.",
            f"Give between 1 and {MAX_RECIPIENTS} recipients.",
        )
    if Confidentiality(document.confidentiality).restricted and any(
        d.method != "paper" for d in destinations
    ):
        raise errors.InvalidInput(
            "dispatch.confidential",
            "Văn bản mật không gửi qua mạng: chỉ gửi bản giấy.",
            "A confidential document is not sent over the network: paper only.",
        )
    if any(d.method not in METHODS for d in destinations):
        raise errors.InvalidInput(
            "dispatch.bad_method", "Cách gửi không hợp lệ.", "Unknown dispatch method."
        )
    # Every code outside is checked before the step: an unknown one and nothing is sent.
    directory = lookup.check_outside(session, [(d.method, d.organ_id) for d in destinations])
    main = current_main(session, document.id) if document.id is not None else None
    if main is None and any(d.method != "paper" for d in destinations):
        raise errors.InvalidInput(
            "dispatch.no_file",
            "Văn bản chưa có tệp để gửi điện tử.",
            "The document has no file to send electronically.",
        )
    steps.take(
        session,
        actor,
        subject,
        view,
        Step.dispatch,
        summary=f"{len(destinations)} nơi nhận / recipients",
    )
    assert document.id is not None
    already = {
        r.agency_id
        for r in session.exec(select(Recipient).where(Recipient.document_id == document.id))
        if r.agency_id is not None
    }
    attachments = [
        (f, s) for f, s in files_of(session, document.id) if f.kind == FileKind.attachment.value
    ]
    sent: list[Recipient] = []
    to_peers: list[Recipient] = []
    now = utcnow()
    for dest in destinations:
        if dest.method == "internal":
            agency = session.get(Agency, dest.agency_id) if dest.agency_id is not None else None
            if agency is None or agency.id == document.agency_id:
                raise errors.InvalidInput(
                    "dispatch.bad_agency",
                    "Cơ quan nhận không hợp lệ.",
                    "The receiving agency is not valid.",
                    {"agency_id": dest.agency_id},
                )
            if agency.id in already:
                raise errors.Conflict(
                    "dispatch.already_sent",
                    f"Đã gửi cho {agency.name}.",
                    f"Already sent to {agency.name}.",
                    {"agency_id": agency.id},
                )
            assert agency.id is not None and main is not None
            already.add(agency.id)
            copy = incoming.receive(
                session,
                actor,
                subject,
                settings,
                agency_id=agency.id,
                fields=incoming_fields(document),
                main=_copy_for(session, main[1], agency.id, actor),
                receipt=receipt,
                source="internal",
                origin_id=document.id,
                check_permission=False,
                pdf_text=search.indexed_content(session, document.id),
            )
            for row, stored in attachments:
                attach(
                    session,
                    actor,
                    copy,
                    _copy_for(session, stored, agency.id, actor),
                    kind=FileKind.attachment,
                    note=row.note,
                )
            recipient = Recipient(
                document_id=document.id,
                agency_id=agency.id,
                organ_id=agency.code,
                name=agency.name,
                method="internal",
                status=StatusCode.arrived.value,
                status_at=now,
                incoming_id=copy.id,
                sent_at=now,
            )
        else:
            code = normal_code(dest.organ_id)
            entry = directory.get(code)
            name = dest.name.strip() or (entry.name if entry else "")
            if not 1 <= len(name) <= 255:
                raise errors.InvalidInput(
                    "dispatch.bad_name", "Cần tên nơi nhận.", "A recipient needs a name."
                )
            recipient = Recipient(
                document_id=document.id,
                organ_id=code,
                name=name,
                method=dest.method,
                sent_at=now,
            )
            if dest.method == "edxml" and exchange_peers.peer_for(settings, recipient.organ_id):
                if main is None:
                    raise errors.InvalidInput(
                        "dispatch.no_file",
                        "Văn bản chưa có tệp để gửi điện tử.",
                        "The document has no file to send electronically.",
                    )
                to_peers.append(recipient)
        session.add(recipient)
        sent.append(recipient)
    session.flush()
    if to_peers:
        sender = session.get(Agency, document.agency_id)
        assert sender is not None
        for recipient in to_peers:
            # Through the outbox, in this transaction: sent only once the peer's signed
            # receipt is verified (documents.exchange.sender).
            exchange_outbox.enqueue_document(session, actor, document, recipient, sender.code)
    notifications.on_arrival(session, sent)
    return sent


def recipients_of(session: Session, document_id: int) -> list[Recipient]:
    query = select(Recipient).where(Recipient.document_id == document_id)
    return list(session.exec(query.order_by(Recipient.id)))  # type: ignore[arg-type]


def recall(
    session: Session, actor: Actor, subject: Subject, view: DocumentView, reason: str
) -> Document:
    """Recall an issued document: each recipient inside the system is asked to confirm
    (their copy waits in ``recall_requested``), each peer system is sent a recall (or
    its package, not delivered yet, is cancelled), and the document is withdrawn from
    the public page with the same reason if it is published there."""
    text = incoming._reason(reason)
    steps.take(session, actor, subject, view, Step.recall, note=text)
    assert view.document.id is not None
    for recipient in recipients_of(session, view.document.id):
        if recipient.incoming_id is None:
            continue
        copy = session.get(Document, recipient.incoming_id)
        if copy is None or copy.state in (State.refused.value, State.recalled.value):
            continue
        before = copy.state
        copy.state = State.recall_requested.value
        history.log(session, actor, copy, "recall_requested", from_state=before, note=text)
        status.set_status(session, recipient, StatusCode.recall_requested)
    # Peers: a recall message for each delivered package, the others cancelled (0035).
    exchange_recall.queue_recalls(session, actor, view.document, text)
    published = publication.of(session, view.document.id)
    if published is not None and published.state == "published":
        # A recalled document is withdrawn from the public page with the same reason.
        publication.end(
            session, actor, subject, view, how="withdraw", on=incoming.today(), reason=text
        )
    return view.document


def answer_recall(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: DocumentView,
    accept: bool,
    note: str = "",
) -> Document:
    """The recipient's clerk confirms the recall (the copy is withdrawn) or refuses it
    (the copy goes back to where it was)."""
    if not accept:
        text = incoming._reason(note)
        last = session.exec(
            select(DocumentEvent)
            .where(DocumentEvent.document_id == view.id, DocumentEvent.action == "recall_requested")
            .order_by(DocumentEvent.id.desc())  # type: ignore[union-attr]
        ).first()
        steps.take(session, actor, subject, view, Step.reject_recall, note=text)
        view.document.state = last.from_state if last else State.received.value
        session.add(view.document)
        recipient = session.exec(select(Recipient).where(Recipient.incoming_id == view.id)).first()
        if recipient is not None:
            status.set_status(session, recipient, StatusCode.recall_refused)
        return view.document
    steps.take(session, actor, subject, view, Step.confirm_recall, note=note.strip())
    return view.document


def replace(
    session: Session, actor: Actor, subject: Subject, old: DocumentView, by: Document
) -> None:
    """Mark ``old`` replaced by the newly issued ``by`` (a replacement document): a
    consequence of the clerk's issue of ``by``, not a step anyone takes on its own."""
    document = old.document
    if document.flow != Flow.outgoing.value or document.agency_id != by.agency_id:
        raise errors.InvalidInput(
            "document.bad_replacement",
            "Văn bản bị thay thế không hợp lệ.",
            "The replaced document is not valid.",
        )
    before = document.state
    document.state = target_of(Step.supersede, Flow.outgoing, State(before)).value
    label = format_number_symbol(by.number, by.symbol)
    history.log(
        session,
        actor,
        document,
        Step.supersede.value,
        from_state=before,
        summary=f"thay thế bởi / replaced by {label} (#{by.id})",
    )
