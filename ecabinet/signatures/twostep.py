"""Two-step signing for officials whose key never leaves their USB token.

:func:`prepare` appends the signature field to a stored file (as one-step signing does,
appearance included) and keeps the update and the CMS signed attributes as a pending
signature; the official's signer signs :attr:`ToBeSigned.to_be_signed` (or its SHA-256)
on the token. :func:`complete` checks that signature against the token's certificate,
embeds it (time-stamped for B-T and above) and registers the signed copy as a new file,
audited as one-step signing is. A pending signature is the preparer's only, lives
:data:`PENDING_TTL`, and completes once. The source bytes are not copied: completion reads
them again from the store by SHA-256 and checks them against the digest that was signed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from asn1crypto import cms
from sqlalchemy import Engine, delete
from sqlmodel import Session, col

from ecabinet.core import audit, errors, files
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.policy import Action, authorize, subject_for
from ecabinet.core.storage import ObjectStore
from ecabinet.core.types import utcnow
from ecabinet.core.users import User
from ecabinet.signatures import appearances, credentials, intake, service
from ecabinet.signatures.models import PendingSignature
from ecabinet.signatures.setup import SigningSetup
from signing.fields import Prepared
from signing.pades import Pending, begin, finish, raise_level
from signing.specs import Level
from signing.tsp import TimestampAuthority

PENDING_TTL = timedelta(minutes=15)
"""How long a prepared file waits for its signature."""
MAX_SIGNATURE_BYTES = 2048
"""Larger than any RSA-8192 or ECDSA signature."""


@dataclass(frozen=True)
class ToBeSigned:
    """What the official's signer needs: the bytes to sign and where to send the result."""

    pending_id: str
    to_be_signed: bytes
    """DER of the CMS signed attributes: sign these with SHA-256 (RSA PKCS#1 v1.5 or ECDSA)."""
    digest: bytes
    """SHA-256 of :attr:`to_be_signed`, for signers that take a prehashed digest."""
    field: str
    """The signature field's name in the file."""
    expires_at: datetime


def prepare(
    engine: Engine,
    store: ObjectStore,
    setup: SigningSetup,
    user: User,
    actor: Actor,
    file_id: str,
    request: service.SignRequest,
    *,
    now: datetime | None = None,
) -> ToBeSigned:
    """Prepare ``file_id`` for a signature with the caller's token credential."""
    service.check_level(request.level, setup)
    moment = now or utcnow()
    with session_scope(engine, write=False) as session:
        subject = subject_for(session, user)
        source = files.get_file(session, file_id)
        authorize(subject, Action.view, source)
        row, cert, chain = credentials.token_certificate(
            session, subject, request.credential_id, now=moment
        )
        look = appearances.look_for(session, row)
    data = store.read_bytes(source.sha256)
    intake.probe(setup, data)  # read in the sandbox first: a costly file is refused here
    timestamped = request.level is not Level.B_B
    field, pending = service.with_free_field(
        data,
        request,
        service.common_name(cert),
        look.with_image(store),
        lambda spec: (spec.name, begin(data, cert, chain, spec, timestamped=timestamped)),
    )
    prepared = pending.prepared
    waiting = PendingSignature(
        id=str(uuid.uuid4()),
        user_id=subject.user_id,
        credential_id=row.id,
        file_id=source.id,
        source_sha256=source.sha256,
        tail=bytes(prepared.tail),
        contents_start=prepared.contents_start,
        contents_end=prepared.contents_end,
        byte_range=" ".join(str(n) for n in prepared.byte_range),
        signed_attrs=pending.attrs,
        level=request.level.value,
        field_name=field,
        created_at=moment,
        expires_at=moment + PENDING_TTL,
    )
    with session_scope(engine) as session:
        # Forgotten ones go when new ones come: the table holds minutes of work at most.
        session.execute(delete(PendingSignature).where(col(PendingSignature.expires_at) < moment))
        session.add(waiting)
        session.flush()
        audit.record(
            session,
            actor,
            "file.sign_prepare",
            "file",
            source.id,
            f"trường “{field}” chờ chữ ký / field {field!r} awaits the signature of"
            f" {service.common_name(cert)} (credential {row.id}, {request.level},"
            f" pending {waiting.id})",
        )
    return ToBeSigned(waiting.id, pending.to_be_signed, pending.digest, field, waiting.expires_at)


def complete(
    engine: Engine,
    store: ObjectStore,
    setup: SigningSetup,
    user: User,
    actor: Actor,
    pending_id: str,
    signature: bytes,
    *,
    now: datetime | None = None,
) -> files.StoredFile:
    """Embed ``signature`` (over :attr:`ToBeSigned.to_be_signed`) in the prepared file;
    the signed copy as a new file. Only the preparer completes, before expiry, once."""
    moment = now or utcnow()
    with session_scope(engine, write=False) as session:
        waiting = _get_pending(session, user, pending_id)
        if waiting.expires_at <= moment:
            raise errors.Conflict(
                "signature.pending_expired",
                "Yêu cầu ký đã hết hạn: hãy chuẩn bị ký lại.",
                "The signing request has expired: prepare it again.",
                {"expired_at": waiting.expires_at.isoformat()},
            )
        subject = subject_for(session, user)
        source = files.get_file(session, waiting.file_id)
        authorize(subject, Action.view, source)
        _, cert, chain = credentials.token_certificate(
            session, subject, waiting.credential_id, now=moment
        )
    if source.sha256 != waiting.source_sha256:
        raise errors.Conflict(
            "signature.source_changed",
            "Tệp gốc đã thay đổi sau khi chuẩn bị ký: hãy chuẩn bị ký lại.",
            "The source file changed after the signing was prepared: prepare it again.",
        )
    level = Level(waiting.level)
    service.check_level(level, setup)
    prepared = _restore(waiting, store.read_bytes(waiting.source_sha256))
    pending = Pending(prepared, waiting.signed_attrs, cert, chain)
    signed = raise_level(
        finish(pending, signature, tsa=_tsa(level, setup)),
        level,
        setup.tsa(),
        setup.fetcher(setup.anchors()),
    )
    blob = store.put_bytes(signed)
    with session_scope(engine) as session:
        taken = session.execute(
            delete(PendingSignature).where(col(PendingSignature.id) == waiting.id)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise errors.Conflict(
                "signature.pending_used",
                "Yêu cầu ký này vừa được hoàn tất bởi một yêu cầu khác.",
                "This signing request was just completed by another request.",
            )
        return service.register_signed(
            session,
            actor,
            source,
            blob,
            signer=service.common_name(cert),
            credential_id=waiting.credential_id,
            level=level,
        )


def decode_signature(text: str) -> bytes:
    """The signature value sent as base64; a bilingual 422 when it is not."""
    try:
        value = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        value = b""
    if not value or len(value) > MAX_SIGNATURE_BYTES:
        raise errors.InvalidInput(
            "signature.bad_base64",
            "Chữ ký số gửi lên phải là chuỗi base64 hợp lệ, không rỗng.",
            "The signature must be valid, non-empty base64.",
        )
    return value


def _get_pending(session: Session, user: User, pending_id: str) -> PendingSignature:
    try:
        uuid.UUID(pending_id)
    except ValueError:
        row = None
    else:
        row = session.get(PendingSignature, pending_id)
    # Someone else's pending signature does not exist for the caller.
    if row is None or row.user_id != user.id:
        raise errors.NotFound(
            "signature.pending_not_found",
            "Không tìm thấy yêu cầu ký đang chờ (có thể đã hoàn tất hoặc đã bị xóa).",
            "No such pending signature (it may have been completed or removed).",
        )
    return row


def _restore(waiting: PendingSignature, head: bytes) -> Prepared:
    """The prepared file again, checked against the digest its signed attributes carry:
    a damaged row (or source) must never get a signature that covers other bytes."""
    byte_range = [int(n) for n in waiting.byte_range.split()]
    prepared = Prepared(
        head, bytearray(waiting.tail), byte_range, waiting.contents_start, waiting.contents_end
    )
    start, end, total = waiting.contents_start, waiting.contents_end, len(head) + len(waiting.tail)
    digest = hashlib.sha256()
    if byte_range == [0, start, end, total - end] and len(head) <= start < end <= total:
        for part in prepared.covered():
            digest.update(part)
    if digest.digest() != _message_digest(waiting.signed_attrs):
        raise errors.IntegrityFailure(
            "signature.pending_damaged",
            "Dữ liệu chờ ký không còn khớp với dữ liệu đã được ký; hãy chuẩn bị ký lại.",
            "The pending data no longer matches what was signed; prepare the signing again.",
            {"pending_id": waiting.id},
        )
    return prepared


def _message_digest(attrs: bytes) -> bytes | None:
    try:
        for attr in cms.CMSAttributes.load(attrs):
            if attr["type"].native == "message_digest":
                return bytes(attr["values"][0].native)
    except (ValueError, TypeError, KeyError, IndexError):
        return None
    return None


def _tsa(level: Level, setup: SigningSetup) -> TimestampAuthority | None:
    return setup.tsa() if level is not Level.B_B else None
