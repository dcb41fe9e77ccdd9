"""TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps) as an official's second
activation factor for signing, and its enrolment.

An official enrols for themselves (:func:`start` shows the ``otpauth://`` URI once, for
their authenticator app), proves it with a first code (:func:`confirm`), and from then
on each activation of their personal credentials needs the PIN *and* a code
(:mod:`.activation`). A code is accepted one step early or late, and once only: the last
step accepted is kept and only later steps pass (:func:`claim`, one conditional UPDATE).
The secret is kept sealed under the key-encryption key: the server must be able to check
codes without the PIN.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from sqlalchemy import update
from sqlmodel import Session, col, select

from ecabinet.core import audit, errors
from ecabinet.core.agencies import Membership
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Subject
from ecabinet.core.types import utcnow
from ecabinet.core.users import User
from ecabinet.signatures.models import CredentialKind, SigningCredential, SigningTotp
from ecabinet.signatures.vault import KeyVault, SealBroken

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1
"""Steps accepted either side of now (clock drift of the official's phone)."""
ISSUER = "eCabinet"


def clock() -> float:
    """Seconds since the epoch (a seam for tests)."""
    return time.time()


def new_secret() -> str:
    """160 random bits, base32 without padding (what authenticator apps read)."""
    return base64.b32encode(os.urandom(20)).decode().rstrip("=")


def code_at(secret: str, step: int, *, digits: int = DIGITS) -> str:
    """The code of time step ``step`` (RFC 4226's dynamic truncation)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def matching_step(secret: str, code: str) -> int | None:
    """The step within the window whose code is ``code`` (latest first), or None."""
    current = int(clock()) // STEP_SECONDS
    cleaned = code.strip().replace(" ", "")
    if len(cleaned) != DIGITS or not cleaned.isdigit():
        return None
    for step in range(current + WINDOW, current - WINDOW - 1, -1):
        if hmac.compare_digest(code_at(secret, step), cleaned):
            return step
    return None


def uri(secret: str, account: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (as a QR code or typed)."""
    label = quote(f"{ISSUER}:{account}")
    query = urlencode(
        {
            "secret": secret,
            "issuer": ISSUER,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        }
    )
    return f"otpauth://totp/{label}?{query}"


def _associated(user_id: int) -> bytes:
    return f"ecabinet.signing_totp.v1|{user_id}".encode()


def secret_of(row: SigningTotp, vault: KeyVault) -> str:
    """The row's secret; a row sealed under another KEK or altered is an integrity error."""
    try:
        return vault.open(row.secret_sealed, _associated(row.user_id)).decode()
    except (SealBroken, UnicodeDecodeError):
        raise errors.IntegrityFailure(
            "totp.unreadable",
            "Không đọc được khóa TOTP đã lưu (khóa mã hóa khác hoặc dữ liệu bị thay đổi).",
            "The stored TOTP secret cannot be read (another KEK, or altered data).",
        ) from None


def confirmed(session: Session, user_id: int) -> SigningTotp | None:
    """The official's TOTP when it is in force (confirmed)."""
    row = session.get(SigningTotp, user_id)
    return row if row is not None and row.confirmed_at is not None else None


def enrolled(session: Session, user_ids: set[int]) -> set[int]:
    """Which of ``user_ids`` have a TOTP in force."""
    if not user_ids:
        return set()
    query = select(SigningTotp.user_id).where(
        col(SigningTotp.user_id).in_(sorted(user_ids)), col(SigningTotp.confirmed_at).is_not(None)
    )
    return set(session.exec(query))


@dataclass(frozen=True)
class Status:
    """An official's TOTP: begun (``enrolled``), and in force (``confirmed``)."""

    enrolled: bool
    confirmed: bool


def status(session: Session, user: User) -> Status:
    """Whether ``user`` began a TOTP enrolment, and whether it is in force."""
    row = session.get(SigningTotp, user.id)
    return Status(enrolled=row is not None, confirmed=bool(row and row.confirmed_at))


def _holder(row: SigningCredential) -> int | None:
    """The official whose TOTP the credential's activation needs when they enrolled one:
    a TOTP applies to personal credentials only (a seal's holders are its agency's
    clerks; a token checks its own PIN)."""
    return row.user_id if row.kind == CredentialKind.personal else None


def needing_otp(session: Session, rows: Sequence[SigningCredential]) -> set[str]:
    """Ids of the credentials among ``rows`` whose activation needs a TOTP code."""
    holders = {row.id: user_id for row in rows if (user_id := _holder(row)) is not None}
    second = enrolled(session, set(holders.values()))
    return {credential_id for credential_id, user_id in holders.items() if user_id in second}


def second_factor(session: Session, row: SigningCredential) -> SigningTotp | None:
    """The TOTP in force that the credential's activation needs (see :func:`needing_otp`),
    or None."""
    user_id = _holder(row)
    return confirmed(session, user_id) if user_id is not None else None


def claim(session: Session, user_id: int, step: int) -> bool:
    """Record ``step`` as used; False when it (or a later one) was used already."""
    result = session.execute(
        update(SigningTotp)
        .where(col(SigningTotp.user_id) == user_id, col(SigningTotp.last_step) < step)
        .values(last_step=step)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def start(session: Session, actor: Actor, user: User, vault: KeyVault) -> tuple[str, str]:
    """Begin an enrolment for ``user``: (secret, URI), shown this once. Refused while a
    confirmed one is in force (remove it first, with a code or by an admin)."""
    assert user.id is not None
    row = session.get(SigningTotp, user.id)
    if row is not None and row.confirmed_at is not None:
        raise errors.Conflict(
            "totp.enrolled",
            "Bạn đã đăng ký mã xác thực (TOTP); hãy gỡ đăng ký cũ trước.",
            "You already have an authenticator (TOTP) enrolled; remove it first.",
        )
    secret = new_secret()
    if row is None:
        row = SigningTotp(user_id=user.id, secret_sealed=b"", kek_id="", created_at=utcnow())
    row.secret_sealed = vault.seal(secret.encode(), _associated(user.id))
    row.kek_id, row.created_at, row.last_step = vault.kek_id, utcnow(), -1
    session.add(row)
    session.flush()
    audit.record(session, actor, "signing_totp.start", "user", user.id, "enrolment begun")
    return secret, uri(secret, user.username)


def confirm(session: Session, actor: Actor, user: User, vault: KeyVault, code: str) -> None:
    """Put a begun enrolment in force with a first code from the device."""
    assert user.id is not None
    row = session.get(SigningTotp, user.id)
    if row is None or row.confirmed_at is not None:
        raise errors.Conflict(
            "totp.nothing_to_confirm",
            "Không có đăng ký mã xác thực nào đang chờ xác nhận.",
            "There is no authenticator enrolment waiting to be confirmed.",
        )
    _use(session, row, vault, code)
    row.confirmed_at = utcnow()
    session.add(row)
    audit.record(session, actor, "signing_totp.confirm", "user", user.id, "enrolment confirmed")


def remove(session: Session, actor: Actor, user: User, vault: KeyVault, code: str) -> None:
    """The official removes their own TOTP, proving they still hold it."""
    assert user.id is not None
    row = session.get(SigningTotp, user.id)
    if row is None:
        raise errors.NotFound.of("mã xác thực (TOTP)", "Authenticator (TOTP)", "totp.not_found")
    if row.confirmed_at is not None:
        _use(session, row, vault, code)
    session.delete(row)
    audit.record(session, actor, "signing_totp.remove", "user", user.id, "removed by its owner")


def remove_for(session: Session, actor: Actor, subject: Subject, user_id: int) -> None:
    """An admin of one of the official's agencies removes their TOTP (a lost phone);
    never their own."""
    agencies = set(
        session.exec(select(Membership.agency_id).where(col(Membership.user_id) == user_id))
    )
    if user_id == subject.user_id or not any(subject.administers(a) for a in agencies):
        raise errors.PermissionDenied(
            "totp.remove_forbidden",
            "Chỉ quản trị viên của cơ quan người dùng (không phải chính họ) mới gỡ được mã"
            " xác thực của họ.",
            "Only an admin of the user's agency (not the user) may remove their authenticator.",
        )
    row = session.get(SigningTotp, user_id)
    if row is None:
        raise errors.NotFound.of("mã xác thực (TOTP)", "Authenticator (TOTP)", "totp.not_found")
    session.delete(row)
    audit.record(session, actor, "signing_totp.remove", "user", user_id, "removed by an admin")


def _use(session: Session, row: SigningTotp, vault: KeyVault, code: str) -> None:
    step = matching_step(secret_of(row, vault), code)
    if step is None or not claim(session, row.user_id, step):
        raise errors.PermissionDenied(
            "totp.wrong_code",
            "Mã xác thực (TOTP) sai, hết hạn hoặc đã được dùng.",
            "The authenticator (TOTP) code is wrong, expired or already used.",
        )
