"""Electronic copies of a document (sao y, sao lục; Decree 30, Article 25-26): the one
way, besides issue and the minutes, in which an agency's seal reaches a file.

A clerk of the agency holding the document (one they may see, already issued or
registered) asks for a copy in one form and gives the seal's PIN; the agency signs its
current main file at the top right of the first page, with no image, showing the copy
form, the agency's name and the signing time (:func:`signing.appearance.copy_appearance`),
as an incremental update that keeps the earlier signatures valid. The copy is registered
as a new file, attached to the document as a ``copy`` and audited (``document.copy``).
Trích sao (an extract) is not offered: it needs the pages to keep chosen first.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Engine
from sqlmodel import Session

from documents import access
from documents.files import FileKind, attach, current_main
from documents.models import DocumentFile
from documents.states import State
from ecabinet.core import audit, errors
from ecabinet.core.agencies import Agency, Role
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.files import StoredFile
from ecabinet.core.policy import Subject, subject_for
from ecabinet.core.storage import ObjectStore
from ecabinet.core.users import User
from ecabinet.signatures import activation
from ecabinet.signatures.activation import Activation, Purpose
from ecabinet.signatures.documents import agency_seal
from ecabinet.signatures.service import (
    SignRequest,
    common_name,
    register_signed,
    sign_one,
)
from ecabinet.signatures.setup import SigningSetup
from signing.appearance import Appearance, CopyForm, copy_appearance
from signing.placement import page_box
from signing.specs import Level


class Form(StrEnum):
    """The copy forms offered, as the API names them."""

    sao_y = "sao-y"
    sao_luc = "sao-luc"

    @property
    def printed(self) -> CopyForm:
        return {Form.sao_y: CopyForm.SAO_Y, Form.sao_luc: CopyForm.SAO_LUC}[self]


COPYABLE = frozenset(
    {
        State.issued,
        State.dispatched,
        State.registered,
        State.presented,
        State.assigned,
        State.in_progress,
        State.completed,
    }
)
"""Issued outgoing documents and registered incoming ones (not drafts, refused,
recalled or replaced documents)."""


def copy_document(
    engine: Engine,
    store: ObjectStore,
    setup: SigningSetup,
    user: User,
    actor: Actor,
    document_id: int,
    *,
    form: Form,
    given: Activation,
    credential_id: str | None = None,
) -> tuple[DocumentFile, StoredFile]:
    """Make, sign and attach a copy of the document's main file in ``form``, sealed with
    the agency's seal opened by ``given`` (the clerk's seal PIN); the attachment and the
    copy's file (signed at level B-B: a copy needs no time-stamp authority)."""
    with session_scope(engine, write=False) as session:
        subject = subject_for(session, user)
        _, source, agency_name = _copyable(session, subject, document_id)
        seal = agency_seal(session, subject, source.agency_id, credential_id)
    purpose = Purpose("document.copy", target=f"document {document_id}, {form.printed.value}")
    key = activation.open_key(engine, setup.settings, user, actor, seal.id, given, purpose)
    printed = form.printed
    data = store.read_bytes(source.sha256)

    def draw(page: int, signed_at: datetime) -> Appearance:
        return copy_appearance(
            form=printed, agency=agency_name, signed_at=signed_at, page=page_box(data, page)
        )

    request = SignRequest(credential_id=seal.id, level=Level.B_B, page=1, reason=printed.value)
    blob = store.put_bytes(sign_one(data, key, request, setup, draw=draw))
    signer = common_name(key.certificate)
    with session_scope(engine) as session:
        subject = subject_for(session, user)
        view, again, _ = _copyable(session, subject, document_id)
        if again.id != source.id:
            raise errors.Conflict(
                "document.changed",
                "Văn bản vừa được thay đổi: hãy sao lại.",
                "The document changed meanwhile: copy it again.",
            )
        signed = register_signed(
            session, actor, source, blob, signer=signer, credential_id=seal.id, level=request.level
        )
        row = attach(
            session,
            actor,
            view.document,
            signed,
            kind=FileKind.copy,
            signed=True,
            note=f"{printed.value}: {agency_name}",
        )
        audit.record(
            session,
            actor,
            "document.copy",
            "document",
            document_id,
            f"{printed.value} bởi / by {agency_name} (file {signed.id}, seal {seal.id})",
        )
        return row, signed


def _copyable(
    session: Session, subject: Subject, document_id: int
) -> tuple[access.DocumentView, StoredFile, str]:
    """The document, its main file to copy and the copying agency's name; refuses (404
    unseen, 403 not a clerk of its agency, 409 wrong state) before anyone is asked for a
    PIN."""
    view = access.load_view(session, document_id)
    access.require_visible(subject, view)
    document = view.document
    if not subject.has(Role.clerk, document.agency_id):
        raise errors.PermissionDenied(
            "document.copy_forbidden",
            "Chỉ văn thư của cơ quan giữ văn bản mới được sao y, sao lục.",
            "Only a clerk of the agency holding the document may copy it.",
        )
    if State(document.state) not in COPYABLE:
        state = State(document.state)
        raise errors.Conflict(
            "document.not_copyable",
            f"Không sao văn bản ở trạng thái “{state.label_vi}”: chỉ văn bản đã phát hành"
            " hoặc đã vào sổ.",
            f"A document in state {state.value!r} cannot be copied: only issued or"
            " registered documents.",
            {"state": state.value},
        )
    main = current_main(session, view.id)
    if main is None or main[1].content_type != "application/pdf":
        raise errors.InvalidInput(
            "document.no_pdf", "Văn bản chưa có tệp PDF để sao.", "The document has no PDF to copy."
        )
    agency = session.get(Agency, document.agency_id)
    assert agency is not None
    return view, main[1], agency.name
