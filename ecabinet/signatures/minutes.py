"""Signatures on the minutes of a meeting: the secretary's, then the chair's, each with
their own certificate, in the box the minutes' layout keeps for them.

Kept here, like :mod:`.documents`, because it joins the meetings domain with the
credentials of this package. Three steps, so the time-stamp authority and the RSA work
never run inside a transaction: :func:`prepare` (read-only: whose turn, which file,
which credential), :func:`sign_copy` (the signer's key opened with their PIN, then no
database: sign and store the copy) — both in :func:`sign` —, and :func:`record` (write:
register the copy and take the step, checking again that nothing changed).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import Engine
from sqlmodel import Session

from ecabinet.core import errors
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.policy import Subject, subject_for
from ecabinet.core.storage import BlobInfo, ObjectStore
from ecabinet.core.users import User
from ecabinet.meetings import access, minutes
from ecabinet.meetings.minutes import Pending
from ecabinet.meetings.minutes_models import MinutesVersion
from ecabinet.signatures import activation, appearances, credentials
from ecabinet.signatures.activation import Activation, Purpose
from ecabinet.signatures.appearances import Look
from ecabinet.signatures.models import CredentialKind
from ecabinet.signatures.service import (
    SignRequest,
    check_level,
    common_name,
    register_signed,
    sign_one,
)
from ecabinet.signatures.setup import SigningSetup
from signing.keys import KeySource

FIELDS = {"secretary": "ThuKy", "chair": "ChuTri"}
"""Signature field names in the minutes' PDF."""
REASONS = {
    "secretary": "Thư ký ký biên bản cuộc họp",
    "chair": "Người chủ trì ký biên bản cuộc họp",
}


@dataclass(frozen=True)
class Prepared:
    """A signature ready to be made: the step, how it looks."""

    pending: Pending
    look: Look
    request: SignRequest
    """The caller's request placed in the role's box, with its field name."""


@dataclass(frozen=True)
class Copy:
    """The signed copy, in the store, and the certificate's name."""

    blob: BlobInfo
    signer: str


def prepare(
    session: Session, subject: Subject, setup: SigningSetup, meeting_id: int, request: SignRequest
) -> Prepared:
    """Check that it is the caller's turn and that they sign with their own credential
    (a personal one; a token credential needs two-step signing, which the minutes do not
    offer yet)."""
    check_level(request.level, setup)
    if request.box is not None or request.field is not None or request.certify is not None:
        raise errors.InvalidInput(
            "minutes.fixed_place",
            "Vị trí chữ ký trên biên bản do hệ thống xác định: không gửi box, field hay certify.",
            "The minutes fix where each signature goes: send no box, field or certify.",
        )
    view = access.load(session, meeting_id)
    pending = minutes.pending_signature(session, subject, view)
    row = credentials.get_credential(session, subject, request.credential_id)
    if not CredentialKind(row.kind).official:
        raise errors.InvalidInput(
            "minutes.seal_not_allowed",
            "Biên bản được ký bằng chứng thư cá nhân của thư ký và người chủ trì, không dùng"
            " chứng thư của cơ quan.",
            "The minutes are signed with the secretary's and the chair's own certificates,"
            " not the agency's.",
        )
    page, x1, y1, x2, y2 = pending.box
    placed = replace(
        request,
        field=FIELDS[pending.role],
        page=page + 1,
        box=(x1, y1, x2, y2),
        reason=request.reason or REASONS[pending.role],
        location=request.location or pending.location,
    )
    return Prepared(pending, appearances.look_for(session, row), placed)


def sign(
    engine: Engine,
    store: ObjectStore,
    setup: SigningSetup,
    user: User,
    actor: Actor,
    meeting_id: int,
    request: SignRequest,
    given: Activation,
) -> tuple[Prepared, Copy]:
    """Prepare the caller's signature on the minutes, open their key with ``given`` and
    sign a copy (no transaction held); :func:`record` then registers it."""
    with session_scope(engine, write=False) as session:
        prepared = prepare(session, subject_for(session, user), setup, meeting_id, request)
    purpose = Purpose("minutes.sign", target=f"meeting {meeting_id}")
    key = activation.open_key(
        engine, setup.settings, user, actor, request.credential_id, given, purpose
    )
    return prepared, sign_copy(store, setup, prepared, key)


def sign_copy(store: ObjectStore, setup: SigningSetup, prepared: Prepared, key: KeySource) -> Copy:
    """Sign the pending file with ``key`` and store the copy (outside any transaction)."""
    data = store.read_bytes(prepared.pending.source.sha256)
    look = prepared.look.with_image(store)
    signed = sign_one(data, key, prepared.request, setup, look)
    return Copy(store.put_bytes(signed), common_name(key.certificate))


def record(
    session: Session, actor: Actor, subject: Subject, prepared: Prepared, copy: Copy
) -> MinutesVersion:
    """Register the signed copy and record the signature (409 when the minutes changed
    meanwhile)."""
    view = access.load(session, prepared.pending.meeting_id)
    request = prepared.request
    signed = register_signed(
        session,
        actor,
        prepared.pending.source,
        copy.blob,
        signer=copy.signer,
        credential_id=request.credential_id,
        level=request.level,
    )
    return minutes.sign(
        session,
        actor,
        subject,
        view,
        prepared.pending,
        signed,
        signer_name=copy.signer,
        credential_id=request.credential_id,
        level=request.level.value,
    )
