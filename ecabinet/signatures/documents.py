"""Signatures on official documents: the leader's signature, then number, date and the
agency's seal at issue, and the signature check on receipt.

Kept here rather than in ``documents`` because it joins the documents flow with the
credentials of this package; ``documents`` itself only knows the steps. The leader signs
with their PIN (:mod:`.activation`) outside any transaction (a time-stamp authority may
be slow), then the step is taken in a write transaction that checks the state again.
Issue opens the seal with the clerk's seal PIN first (a wrong PIN takes no number), then
numbers the document and applies the seal in one write transaction, so a seal that
fails gives the number back (no gap). The number, symbol and date are written into the
document's own lines before the seal signs (:mod:`.numbers`, decision 0015), and the
seal's reason carries the number too.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from documents import access, notifications, outgoing, search, steps
from documents.filenames import document_filename
from documents.files import FileKind, Receipt, attach, current_main
from documents.models import Document
from documents.states import Flow, State, Step, target_of
from documents.symbols import format_number_symbol
from ecabinet.core import errors
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.files import StoredFile
from ecabinet.core.policy import Subject, subject_for
from ecabinet.core.storage import ObjectStore
from ecabinet.core.users import User
from ecabinet.signatures import activation, appearances, credentials, numbers, placing
from ecabinet.signatures.activation import Activation, Purpose
from ecabinet.signatures.intake import intake, probe
from ecabinet.signatures.models import CredentialKind, SigningCredential
from ecabinet.signatures.service import (
    SignRequest,
    check_level,
    common_name,
    register_signed,
    sign_one,
)
from ecabinet.signatures.setup import SigningSetup
from signing.keys import PrivateKeySource
from signing.specs import Level


def _main_pdf(session: Session, document: Document) -> StoredFile:
    assert document.id is not None
    main = current_main(session, document.id)
    if main is None or main[1].content_type != "application/pdf":
        raise errors.InvalidInput(
            "document.no_pdf", "Văn bản chưa có tệp PDF để ký.", "The document has no PDF to sign."
        )
    return main[1]


def sign_document(
    engine: Engine,
    store: ObjectStore,
    setup: SigningSetup,
    user: User,
    actor: Actor,
    document_id: int,
    request: SignRequest,
    given: Activation,
) -> Document:
    """The approving leader signs the main file with their own certificate, activated
    by ``given`` (their PIN); without a box in ``request``, their signature image goes
    where the system finds their signing block (:mod:`.placing`)."""
    check_level(request.level, setup)
    with session_scope(engine, write=False) as session:
        subject = subject_for(session, user)
        view = access.load_view(session, document_id)
        access.check_step(subject, view, Step.sign)
        target_of(Step.sign, Flow(view.document.flow), State(view.document.state))
        source = _main_pdf(session, view.document)
        row = credentials.get_credential(session, subject, request.credential_id)
        if not CredentialKind(row.kind).official:
            raise errors.InvalidInput(
                "document.seal_for_leader",
                "Lãnh đạo ký bằng chứng thư cá nhân, không dùng chứng thư của cơ quan.",
                "A leader signs with their own certificate, not the agency's.",
            )
        look = appearances.look_for(session, row)
    key = activation.open_key(
        engine,
        setup.settings,
        user,
        actor,
        request.credential_id,
        given,
        Purpose("document.sign", target=f"document {document_id}"),
    )
    raw = store.read_bytes(source.sha256)
    probe(setup, raw)  # read in the sandbox before anything here parses it
    data = numbers.with_fields(raw)
    request = placing.placed(request, data, user.full_name)
    blob = store.put_bytes(sign_one(data, key, request, setup, look.with_image(store), probed=True))
    signer = common_name(key.certificate)
    with session_scope(engine) as session:
        subject = subject_for(session, user)
        view = access.load_view(session, document_id)
        if _main_pdf(session, view.document).id != source.id:
            raise errors.Conflict(
                "document.changed",
                "Văn bản vừa được thay đổi: hãy ký lại.",
                "The document changed meanwhile: sign again.",
            )
        steps.take(session, actor, subject, view, Step.sign, summary=f"ký bởi / signed by {signer}")
        signed = register_signed(
            session,
            actor,
            source,
            blob,
            signer=signer,
            credential_id=request.credential_id,
            level=request.level,
            filename=document_filename(view.document, source.filename),
        )
        attach(
            session,
            actor,
            view.document,
            signed,
            kind=FileKind.main,
            signed=True,
            note=f"Ký số: {signer}",
        )
        view.document.signer_name = user.full_name
        view.document.signer_title = user.title
        session.add(view.document)
        # The signed file has the draft's text: only the signer changes what search reads.
        search.index_document(session, view.document)
        notifications.on_handoff(session, actor, view.document, notifications.Kind.to_issue)
        return view.document


def agency_seal(
    session: Session, subject: Subject, agency_id: int, credential_id: str | None
) -> SigningCredential:
    """The seal credential to apply: the one asked for, else the agency's only usable one."""
    if credential_id is not None:
        row = credentials.get_credential(session, subject, credential_id)
        if row.kind != CredentialKind.seal.value or row.agency_id != agency_id:
            raise errors.InvalidInput(
                "document.not_agency_seal",
                "Chứng thư này không phải chữ ký số của cơ quan.",
                "This certificate is not the agency's seal.",
            )
        return row
    rows = session.exec(
        select(SigningCredential).where(
            SigningCredential.agency_id == agency_id,
            SigningCredential.kind == CredentialKind.seal.value,
            col(SigningCredential.disabled_at).is_(None),
        )
    ).all()
    if len(rows) != 1:
        raise errors.InvalidInput(
            "document.choose_seal",
            "Cơ quan không có hoặc có nhiều chứng thư số cơ quan: hãy chọn một.",
            "The agency has no seal certificate, or several: choose one.",
        )
    return rows[0]


def issue_document(
    engine: Engine,
    store: ObjectStore,
    setup: SigningSetup,
    user: User,
    actor: Actor,
    document_id: int,
    *,
    given: Activation,
    credential_id: str | None = None,
    register_id: int | None = None,
    wanted: int | None = None,
    issued_on: date | None = None,
    level: Level = Level.B_B,
) -> Document:
    """Number and date the signed document and apply the agency's seal, opened with
    ``given`` (the seal's PIN, from the clerk), in one write transaction (a paper
    original is only numbered)."""
    check_level(level, setup)
    key = _open_seal(engine, setup, user, actor, document_id, credential_id, given)
    with session_scope(engine) as session:
        subject = subject_for(session, user)
        view = access.load_view(session, document_id)
        document = outgoing.number(
            session,
            actor,
            subject,
            view,
            register_id=register_id,
            wanted=wanted,
            issued_on=issued_on,
        )
        if document.replaces_id is not None:
            old = access.load_view(session, document.replaces_id)
            from documents import dispatch

            dispatch.replace(session, actor, subject, old, document)
        if not document.electronic:
            return document
        source = _signed_main(session, document)
        seal = agency_seal(session, subject, document.agency_id, credential_id)
        if key is None or credentials.fingerprint(key.certificate) != seal.fingerprint:
            raise errors.Conflict(
                "document.seal_changed",
                "Chứng thư số của cơ quan vừa thay đổi: hãy phát hành lại.",
                "The agency's seal changed meanwhile: issue again.",
            )
        look = appearances.look_for(session, seal).with_image(store)
        label = format_number_symbol(document.number, document.symbol)
        request = SignRequest(
            credential_id=seal.id,
            level=level,
            page=-1,
            reason=f"Số: {label}",
            location=document.place,
            appearance=seal.image_sha256 is not None,
        )
        assert document.issued_on is not None
        data = numbers.stamp(
            store.read_bytes(source.sha256), label, document.place, document.issued_on
        )
        blob = store.put_bytes(sign_one(data, key, request, setup, look))
        signer = common_name(key.certificate)
        signed = register_signed(
            session,
            actor,
            source,
            blob,
            signer=signer,
            credential_id=seal.id,
            level=level,
            filename=document_filename(document, source.filename),
        )
        attach(
            session,
            actor,
            document,
            signed,
            kind=FileKind.main,
            signed=True,
            note=f"Chữ ký số cơ quan, số {label}",
        )
        return document


def _signed_main(session: Session, document: Document) -> StoredFile:
    """The main file, which must carry the competent person's signature."""
    assert document.id is not None
    main = current_main(session, document.id)
    if main is None or not main[0].signed:
        raise errors.Conflict(
            "document.not_signed",
            "Văn bản chưa có chữ ký của người có thẩm quyền.",
            "The document does not carry the competent person's signature yet.",
        )
    return main[1]


def _open_seal(
    engine: Engine,
    setup: SigningSetup,
    user: User,
    actor: Actor,
    document_id: int,
    credential_id: str | None,
    given: Activation,
) -> PrivateKeySource | None:
    """The seal to issue ``document_id`` with, opened by the clerk's ``given``; None for
    a paper original. The step's permission and state are checked first, so that nobody
    else is asked for a PIN (and a refused step records no activation)."""
    with session_scope(engine, write=False) as session:
        subject = subject_for(session, user)
        view = access.load_view(session, document_id)
        access.check_step(subject, view, Step.issue)
        target_of(Step.issue, Flow(view.document.flow), State(view.document.state))
        if not view.document.electronic:
            return None
        _signed_main(session, view.document)
        seal = agency_seal(session, subject, view.document.agency_id, credential_id)
    purpose = Purpose("document.issue", target=f"document {document_id}")
    return activation.open_key(engine, setup.settings, user, actor, seal.id, given, purpose)


def check_on_receipt(setup: SigningSetup, data: bytes | None) -> Receipt | None:
    """Validate the signatures of a received PDF (kept with the file, flagged if bad), in
    the sandbox (:mod:`ecabinet.signatures.intake`)."""
    return intake(setup, data, text=False).receipt
