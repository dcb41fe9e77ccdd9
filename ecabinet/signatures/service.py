"""Signing stored files as the logged-in official, and checking their signatures.

A signing reads the files and opens the key in one read-only transaction (permissions:
the caller must see each file and own the credential, or be a clerk of the seal's
agency), signs outside any transaction (a time-stamp authority may be slow), writes the
signed blobs to the store, then registers them with an audit entry each in one write
transaction. A failure part-way leaves no rows, at most unreferenced blobs.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import PurePath

from cryptography.x509.oid import NameOID
from sqlalchemy import Engine

from ecabinet.core import errors, files
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.policy import Action, authorize, subject_for
from ecabinet.core.storage import BlobInfo, ObjectStore
from ecabinet.core.users import User
from ecabinet.signatures import credentials
from ecabinet.signatures.setup import SigningSetup
from signing.errors import BadPdf
from signing.keys import KeySource
from signing.pades import sign_pdf
from signing.pdfio import open_pdf
from signing.specs import DocMDP, FieldSpec, Level
from signing.validation import Report, validate_pdf

MAX_BATCH = 100
"""Files signed in one request at most."""
WORKERS = 4
"""Threads signing and storing the files of one request."""


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
    """Widget rectangle in points; invisible when None."""
    reason: str = ""
    location: str = ""
    certify: DocMDP | None = None


def _spec(request: SignRequest, key: KeySource, field: str) -> FieldSpec:
    return FieldSpec(
        name=field,
        page=request.page - 1 if request.page > 0 else request.page,
        rect=request.box or (0.0, 0.0, 0.0, 0.0),
        signer_name=_common_name(key),
        reason=request.reason,
        location=request.location,
        certify=request.certify,
    )


def _common_name(key: KeySource) -> str:
    names = key.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else "Chữ ký"


def _signed_name(filename: str) -> str:
    stem = PurePath(filename).stem or "van-ban"
    return f"{stem} (đã ký).pdf"


def _page_index(data: bytes, spec: FieldSpec) -> FieldSpec:
    if spec.page >= 0:
        return spec
    return replace(spec, page=len(open_pdf(data).pages) + spec.page)


def sign_one(data: bytes, key: KeySource, request: SignRequest, setup: SigningSetup) -> bytes:
    """Sign ``data``; the default field name gets " (2)", " (3)"… if it is taken."""
    base = request.field or _common_name(key)
    tsa = setup.tsa()
    anchors = setup.anchors() if request.level in (Level.B_LT, Level.B_LTA) else []
    for attempt in range(1, 50):
        name = base if attempt == 1 else f"{base} ({attempt})"
        spec = _page_index(data, _spec(request, key, name))
        try:
            return sign_pdf(
                data,
                key,
                spec,
                level=request.level,
                tsa=tsa,
                fetcher=setup.fetcher(anchors) if anchors else None,
            )
        except BadPdf as exc:
            if exc.code != "signature.field_exists" or request.field:
                raise
    raise errors.Conflict(
        "signature.too_many", "Tệp có quá nhiều chữ ký.", "The file has too many signatures."
    )


def sign_files(
    engine: Engine,
    store: ObjectStore,
    setup: SigningSetup,
    user: User,
    actor: Actor,
    file_ids: list[str],
    request: SignRequest,
) -> list[files.StoredFile]:
    """Sign each file with the caller's credential; the signed copies as new files."""
    if not 1 <= len(file_ids) <= MAX_BATCH or len(set(file_ids)) != len(file_ids):
        raise errors.InvalidInput(
            "signature.bad_batch",
            f"Cần từ 1 đến {MAX_BATCH} tệp khác nhau để ký.",
            f"Give between 1 and {MAX_BATCH} distinct files to sign.",
        )
    if request.level is not Level.B_B and setup.tsa() is None:
        raise errors.InvalidInput(
            "tsa.missing",
            f"Mức {request.level} cần máy chủ cấp dấu thời gian (ECABINET_TSA_URL).",
            f"Level {request.level} needs a time-stamp authority (ECABINET_TSA_URL).",
        )
    vault = credentials.vault_for(setup.settings)
    with session_scope(engine, write=False) as session:
        subject = subject_for(session, user)
        sources = []
        for file_id in file_ids:
            stored = files.get_file(session, file_id)
            authorize(subject, Action.view, stored)
            sources.append(stored)
        key = credentials.key_source(session, subject, request.credential_id, vault=vault)

    def one(source: files.StoredFile) -> tuple[files.StoredFile, BlobInfo]:
        data = store.read_bytes(source.sha256)
        return source, store.put_bytes(sign_one(data, key, request, setup))

    # A few threads overlap one file's signing (RSA and hashing release the GIL) with
    # another's storage (the fsync or the S3 upload); the order of the results is kept.
    with ThreadPoolExecutor(max_workers=min(WORKERS, len(sources))) as pool:
        signed = list(pool.map(one, sources))
    out = []
    with session_scope(engine) as session:
        for source, blob in signed:
            new = files.register_file(
                session,
                actor,
                blob=blob,
                filename=_signed_name(source.filename),
                content_type="application/pdf",
                agency_id=source.agency_id,
                action="file.sign",
                summary=f"{source.id} ký bởi / signed by {_common_name(key)} "
                f"(credential {request.credential_id}, {request.level})",
            )
            out.append(new)
    return out


def validate_file(
    engine: Engine, store: ObjectStore, setup: SigningSetup, user: User, file_id: str
) -> Report:
    """The signature report of a stored file the caller may see."""
    with session_scope(engine, write=False) as session:
        stored = files.get_file(session, file_id)
        authorize(subject_for(session, user), Action.view, stored)
    return validate_pdf(store.read_bytes(stored.sha256), setup.policy())


def validate_upload(setup: SigningSetup, data: bytes) -> Report:
    """The report on a PDF anyone sent; the size limit is the caller's to enforce."""
    if len(data) > setup.settings.validate_max_bytes:
        raise errors.too_large(setup.settings.validate_max_bytes, "validate.too_large")
    return validate_pdf(data, setup.policy())
