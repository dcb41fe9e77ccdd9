"""Signing stored files as the logged-in official, and checking their signatures.

A signing reads the files in one read-only transaction (permissions: the caller must
see each file and own the credential), opens the key with the holder's activation data
given for the whole request (:mod:`.activation`), signs outside any transaction (a
time-stamp authority may be slow), writes the signed blobs to the store, then registers
them with an audit entry each in one write transaction. A failure part-way leaves no
rows, at most unreferenced blobs. An agency's seal is not applied here: only the issue
step, the minutes and conclusion-notice flows and the copy step apply it (decision
0011). A signature in a box is drawn as :mod:`.appearances` says; two-step signing with
a USB token (:mod:`.twostep`) shares the field naming and the registration.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import TypeVar

from cryptography import x509
from sqlalchemy import Engine
from sqlmodel import Session

from ecabinet.core import errors, files, metrics
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.policy import Action, authorize, subject_for
from ecabinet.core.storage import BlobInfo, ObjectStore
from ecabinet.core.users import User
from ecabinet.signatures import activation, appearances, binding, credentials, intake
from ecabinet.signatures import errors as signing_errors
from ecabinet.signatures.activation import Activation, Purpose
from ecabinet.signatures.appearances import Look
from ecabinet.signatures.models import CredentialKind
from ecabinet.signatures.setup import SigningSetup
from signing.appearance import Appearance
from signing.errors import BadPdf
from signing.keys import KeySource
from signing.pades import sign_pdf
from signing.pdfio import VN, open_pdf
from signing.specs import DocMDP, FieldSpec, Level
from signing.validation import Report

MAX_BATCH = 100
"""Files signed in one request at most."""
WORKERS = 4
"""Threads signing and storing the files of one request."""
T = TypeVar("T")


@dataclass(frozen=True)
class SignRequest:
    """How to sign: with which credential, at which level, where."""

    credential_id: str
    level: Level = Level.B_B
    field: str | None = None
    """Field name; the signer's name when None (made unique if the file has it)."""
    page: int = 1
    """Page of the widget, from 1; negative counts from the end (-1: last page)."""
    box: tuple[float, float, float, float] | None = None
    """Widget rectangle in points; invisible when None. An official's signature shows
    their signature image between title and name in it; a seal goes over the left third
    of the official's signature image on the page, else of this box."""
    reason: str = ""
    location: str = ""
    certify: DocMDP | None = None
    appearance: bool = False
    """Show the credential's image even without a box (a seal over the official's
    signature image); an error when it cannot be shown."""


def common_name(certificate: x509.Certificate) -> str:
    """The certificate's common name, as the signature field and the audit name it."""
    return binding.common_name(certificate) or "Chữ ký"


SIGNED = " (đã ký)"


def _signed_name(filename: str) -> str:
    """``x.pdf`` → ``x (đã ký).pdf``, once: a file signed again keeps that name."""
    stem = PurePath(filename).stem or "van-ban"
    while stem.endswith(SIGNED):
        stem = stem[: -len(SIGNED)]
    return f"{stem}{SIGNED}.pdf"


def check_level(level: Level, setup: SigningSetup) -> None:
    """Levels above B-B need the configured time-stamp authority; B-LT and B-LTA also
    fetch revocation data, which the settings may forbid."""
    if level is not Level.B_B and setup.tsa() is None:
        raise errors.InvalidInput(
            "tsa.missing",
            f"Mức {level} cần máy chủ cấp dấu thời gian (ECABINET_TSA_URL).",
            f"Level {level} needs a time-stamp authority (ECABINET_TSA_URL).",
        )
    if level in (Level.B_LT, Level.B_LTA) and setup.fetcher() is None:
        raise errors.InvalidInput(
            "revocation.offline",
            f"Mức {level} cần tra cứu OCSP/CRL, nhưng ECABINET_REVOCATION_ONLINE đang tắt.",
            f"Level {level} fetches OCSP/CRL, but ECABINET_REVOCATION_ONLINE is off.",
        )


def with_free_field(
    data: bytes,
    request: SignRequest,
    signer: str,
    look: Look | None,
    make: Callable[[FieldSpec], T],
    draw: Callable[[int, datetime], Appearance] | None = None,
) -> T:
    """``make(spec)`` for the field ``request`` asks for, its appearance built once (with
    the spec's own signing time) from ``look``, or by ``draw(page, signed_at)``; without a
    field name, the signer's name, then " (2)", " (3)"… while the file has that one."""
    index = request.page - 1 if request.page > 0 else len(open_pdf(data).pages) + request.page
    signed_at = datetime.now(VN)
    drawn = None
    if draw is not None:
        drawn = draw(index, signed_at)
    elif look is not None:
        drawn = appearances.build(
            look, data, page=index, box=request.box, signed_at=signed_at, wanted=request.appearance
        )
    base = request.field or signer
    for attempt in range(1, 50):
        spec = FieldSpec(
            name=base if attempt == 1 else f"{base} ({attempt})",
            page=index,
            rect=drawn.rect if drawn is not None else request.box or (0.0, 0.0, 0.0, 0.0),
            signed_at=signed_at,
            signer_name=signer,
            reason=request.reason,
            location=request.location,
            appearance=drawn,
            certify=request.certify,
        )
        try:
            return make(spec)
        except BadPdf as exc:
            if exc.code != "signature.field_exists" or request.field:
                raise
    raise errors.Conflict(
        "signature.too_many", "Tệp có quá nhiều chữ ký.", "The file has too many signatures."
    )


def sign_one(
    data: bytes,
    key: KeySource,
    request: SignRequest,
    setup: SigningSetup,
    look: Look | None = None,
    draw: Callable[[int, datetime], Appearance] | None = None,
    *,
    probed: bool = False,
) -> bytes:
    """Sign ``data``; with ``look``, visibly as :mod:`.appearances` says (or as ``draw``
    draws it). The file is read in the sandbox first (:func:`.intake.probe`, unless the
    caller did so, ``probed``): a costly one is refused before signing reads it here."""
    if not probed:
        intake.probe(setup, data)
    tsa = setup.tsa()
    anchors = setup.anchors() if request.level in (Level.B_LT, Level.B_LTA) else []
    return with_free_field(
        data,
        request,
        common_name(key.certificate),
        look,
        lambda spec: sign_pdf(
            data,
            key,
            spec,
            level=request.level,
            tsa=tsa,
            fetcher=setup.fetcher(anchors) if anchors else None,
        ),
        draw,
    )


def register_signed(
    session: Session,
    actor: Actor,
    source: files.StoredFile,
    blob: BlobInfo,
    *,
    signer: str,
    credential_id: str,
    level: Level,
    filename: str | None = None,
) -> files.StoredFile:
    """Register the signed copy of ``source`` (already in the store) as a new file of the
    same agency, audited as ``file.sign``; named ``filename`` (a document's own name),
    else after ``source``."""
    metrics.after_commit(session, metrics.SIGNATURES.labels(str(level)).inc)
    return files.register_file(
        session,
        actor,
        blob=blob,
        filename=filename or _signed_name(source.filename),
        content_type="application/pdf",
        agency_id=source.agency_id,
        action="file.sign",
        summary=f"{source.id} ký bởi / signed by {signer} (credential {credential_id}, {level})",
    )


def sign_files(
    engine: Engine,
    store: ObjectStore,
    setup: SigningSetup,
    user: User,
    actor: Actor,
    file_ids: list[str],
    request: SignRequest,
    given: Activation,
) -> list[files.StoredFile]:
    """Sign each file with the caller's own credential, activated once by ``given`` for
    the whole batch; the signed copies as new files. An agency's seal is refused."""
    if not 1 <= len(file_ids) <= MAX_BATCH or len(set(file_ids)) != len(file_ids):
        raise errors.InvalidInput(
            "signature.bad_batch",
            f"Cần từ 1 đến {MAX_BATCH} tệp khác nhau để ký.",
            f"Give between 1 and {MAX_BATCH} distinct files to sign.",
        )
    check_level(request.level, setup)
    with session_scope(engine, write=False) as session:
        subject = subject_for(session, user)
        sources = []
        for file_id in file_ids:
            stored = files.get_file(session, file_id)
            authorize(subject, Action.view, stored)
            sources.append(stored)
        row = credentials.usable_credential(session, subject, request.credential_id)
        if row.kind == CredentialKind.seal:
            raise signing_errors.seal_not_here()
        look = appearances.look_for(session, row)
    key = activation.open_key(
        engine,
        setup.settings,
        user,
        actor,
        request.credential_id,
        given,
        Purpose("file.sign", len(sources)),
    )
    look = look.with_image(store)

    # A few threads overlap one file's signing (RSA and hashing release the GIL) with
    # another's storage (the fsync or the S3 upload); the order of the results is kept.
    # The files are read in the sandbox, in one child, ahead of the signing: each file
    # goes to the signing threads once the child has read it (a fork per file cost more
    # than the signing). A file over the budget stops the batch there; the block waits
    # for the files already handed over, and nothing is registered.
    def sign(data: bytes) -> BlobInfo:
        return store.put_bytes(sign_one(data, key, request, setup, look, probed=True))

    with ThreadPoolExecutor(max_workers=min(WORKERS, len(sources))) as pool:
        datas = list(pool.map(lambda source: store.read_bytes(source.sha256), sources))
        pending = [
            pool.submit(sign, data)
            for data, _ in zip(datas, intake.probe_each(setup, datas), strict=True)
        ]
        signed = list(zip(sources, (task.result() for task in pending), strict=True))
    signer = common_name(key.certificate)
    with session_scope(engine) as session:
        return [
            register_signed(
                session,
                actor,
                source,
                blob,
                signer=signer,
                credential_id=request.credential_id,
                level=request.level,
            )
            for source, blob in signed
        ]


def validate_file(
    engine: Engine, store: ObjectStore, setup: SigningSetup, user: User, file_id: str
) -> Report:
    """The signature report of a stored file the caller may see."""
    with session_scope(engine, write=False) as session:
        stored = files.get_file(session, file_id)
        authorize(subject_for(session, user), Action.view, stored)
    return intake.report(setup, store.read_bytes(stored.sha256))


def validate_upload(setup: SigningSetup, data: bytes) -> Report:
    """The report on a PDF anyone sent; the size limit is the caller's to enforce."""
    if len(data) > setup.settings.validate_max_bytes:
        raise errors.too_large(setup.settings.validate_max_bytes, "validate.too_large")
    return intake.report(setup, data)
