"""Signed pull requests to the national axis (decision 0034).

The real axis authenticates each SDK call with an HMAC over the system id, a timestamp
and the body, keyed by a secret it issued. Ours holds no shared secret: the member signs
``path, agency code, time, nonce, SHA-256(body)`` with its exchange key (the same
detached CMS as packages), and the axis checks it against the member's pinned
certificate, refuses a time more than :data:`SKEW` away and a nonce already seen."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from documents.exchange import peers as exchange_peers
from documents.exchange import signed_messages as exchange_signing
from documents.exchange.axis_models import AxisNonce
from ecabinet.core import errors
from ecabinet.core.settings import Settings
from signing.keys import KeySource

SKEW = timedelta(minutes=5)
HEADERS = ("x-axis-agency", "x-axis-time", "x-axis-nonce", "x-axis-signature")
NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def canonical(path: str, agency: str, moment: str, nonce: str, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return f"ecabinet-axis-v1\n{path}\n{agency}\n{moment}\n{nonce}\n{digest}".encode()


def sign_headers(
    key: KeySource, path: str, agency: str, body: bytes, now: datetime
) -> dict[str, str]:
    """The headers that authenticate a call to ``path`` for ``agency``."""
    moment = now.astimezone(UTC).isoformat()
    nonce = secrets.token_urlsafe(24)
    signature = exchange_signing.sign(key, canonical(path, agency, moment, nonce, body))
    return {
        "X-Axis-Agency": agency,
        "X-Axis-Time": moment,
        "X-Axis-Nonce": nonce,
        "X-Axis-Signature": base64.b64encode(signature).decode(),
    }


@dataclass(frozen=True)
class SignedRequest:
    agency: str
    moment: datetime
    moment_text: str
    nonce: str
    signature: bytes


def _unauthenticated(vi: str, en: str) -> errors.NotAuthenticated:
    return errors.NotAuthenticated("axis.unauthenticated", vi, en)


def read(headers: Mapping[str, str]) -> SignedRequest:
    """The signed request's headers, or 401 when one is missing or malformed."""
    agency, moment_text, nonce, signature_text = (headers.get(h, "") for h in HEADERS)
    if not all((agency, moment_text, nonce, signature_text)):
        raise _unauthenticated(
            "Yêu cầu chưa được ký (X-Axis-Agency, X-Axis-Time, X-Axis-Nonce, X-Axis-Signature).",
            "The request is unsigned (X-Axis-Agency, X-Axis-Time, X-Axis-Nonce, X-Axis-Signature).",
        )
    try:
        moment = datetime.fromisoformat(moment_text)
        signature = base64.b64decode(signature_text, validate=True)
    except (ValueError, binascii.Error):
        moment, signature = None, b""
    if moment is None or moment.tzinfo is None or not signature or not NONCE.fullmatch(nonce):
        raise _unauthenticated(
            "Chữ ký của yêu cầu không đúng định dạng.", "The request's signature is malformed."
        )
    return SignedRequest(agency[:32], moment, moment_text, nonce, signature)


def check(
    session: Session,
    settings: Settings,
    path: str,
    request: SignedRequest,
    body: bytes,
    now: datetime,
) -> None:
    """Refuse unless a member signed this very request just now, for the first time; the
    nonce is kept in the caller's transaction."""
    member = exchange_peers.peer_for(settings, request.agency)
    if member is None:
        raise errors.PermissionDenied(
            "axis.unknown_member",
            f"Cơ quan {request.agency} không phải thành viên của trục.",
            f"Agency {request.agency} is not a member of this axis.",
        )
    if abs(now - request.moment) > SKEW:
        raise _unauthenticated(
            "Thời điểm của yêu cầu lệch quá 5 phút so với trục.",
            "The request's time is more than 5 minutes away from the axis's clock.",
        )
    message = canonical(path, request.agency, request.moment_text, request.nonce, body)
    try:
        exchange_signing.verify(message, request.signature, exchange_peers.certificate(member))
    except errors.InvalidInput as exc:
        raise _unauthenticated(exc.vi, exc.en) from None
    session.execute(delete(AxisNonce).where(col(AxisNonce.seen_at) < now - 2 * SKEW))
    replayed = errors.NotAuthenticated(
        "axis.replayed",
        "Yêu cầu này đã được gửi trước đó (phát lại).",
        "This request was already made (a replay).",
    )
    try:  # the unique (agency, nonce) constraint refuses a nonce seen before
        with session.begin_nested():
            session.add(AxisNonce(agency_code=request.agency, nonce=request.nonce, seen_at=now))
    except IntegrityError:
        raise replayed from None
