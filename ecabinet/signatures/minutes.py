"""Signatures on the minutes of a meeting: the secretary's, then the chair's, each with
their own certificate, in the box the minutes' layout keeps for them.

Kept here, like :mod:`.documents`, because it joins the meetings domain with the
credentials of this package. Three steps, so the time-stamp authority and the RSA work
never run inside a transaction: :func:`prepare` (read-only: whose turn, which file,
which key), :func:`sign_copy` (no database: sign and store the copy), :func:`record`
(write: register the copy and take the step, checking again that nothing changed).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlmodel import Session

from ecabinet.core import errors
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Subject
from ecabinet.core.storage import BlobInfo, ObjectStore
from ecabinet.meetings import access, minutes
from ecabinet.meetings.minutes import Pending
from ecabinet.meetings.minutes_models import MinutesVersion
from ecabinet.signatures import appearances, credentials
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
    """A signature ready to be made: the step, the signer's key, how it looks."""

    pending: Pending
    key: KeySource
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
    """Check that it is the caller's turn and open their own key (a personal credential;
    a token credential needs two-step signing, which the minutes do not offer yet)."""
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
    key = credentials.key_source(
        session, subject, request.credential_id, vault=credentials.vault_for(setup.settings)
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
    return Prepared(pending, key, appearances.look_for(session, row), placed)


def sign_copy(store: ObjectStore, setup: SigningSetup, prepared: Prepared) -> Copy:
    """Sign the pending file and store the copy (outside any transaction)."""
    data = store.read_bytes(prepared.pending.source.sha256)
    look = prepared.look.with_image(store)
    signed = sign_one(data, prepared.key, prepared.request, setup, look)
    return Copy(store.put_bytes(signed), common_name(prepared.key.certificate))


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
