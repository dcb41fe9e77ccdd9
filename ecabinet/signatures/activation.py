"""Signature activation: a key kept on the server opens only with its holder's activation
data, given for each signature or batch (sole control, CEN EN 419 241-1 SCAL2; the
Cloud Signature Consortium's SAD).

:func:`open_key` checks that the caller may sign with the credential, then derives the
PIN's half of the wrapping key (argon2id, outside any transaction) and opens the key;
when the official enrolled a TOTP, a code from their device is needed too. Then one write
transaction settles the attempt: a success resets the failure count (only while the
credential is not locked) and is audited with what it was for; a failure adds one to the
count with a single ``UPDATE … SET pin_failures = pin_failures + 1`` (exact under
concurrency on both databases: the row lock, or SQLite's one writer) and locks the
credential at the configured limit. The count and the lock are the credential's: the
login is untouched. Refusals before any check (no activation data, locked, no PIN set)
are audited too. The transaction commits before the error is raised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy import Engine, update
from sqlmodel import Session, col

from ecabinet.core import audit, errors
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.policy import subject_for
from ecabinet.core.settings import Settings
from ecabinet.core.types import utcnow
from ecabinet.core.users import User
from ecabinet.signatures import credentials, pins, totp
from ecabinet.signatures import errors as signing_errors
from ecabinet.signatures.models import CredentialKind, KeyWrap, SigningCredential
from ecabinet.signatures.vault import KeyVault, SealBroken
from signing.keys import PrivateKeySource


@dataclass(frozen=True)
class Activation:
    """What the holder gives for one signature or batch; never logged."""

    pin: str | None = field(default=None, repr=False)
    otp: str | None = field(default=None, repr=False)
    """A TOTP code, when the official enrolled one."""


@dataclass(frozen=True)
class Purpose:
    """What an activation is for, as the audit says it."""

    action: str
    """``file.sign``, ``document.sign``, ``document.issue``, ``minutes.sign``, ``document.copy``…"""
    count: int = 1
    """Signatures it allows (a batch: its files)."""
    target: str = ""

    def __str__(self) -> str:
        return f"{self.action} × {self.count}" + (f" ({self.target})" if self.target else "")


@dataclass(frozen=True)
class _Attempt:
    row: SigningCredential
    otp_secret: str | None


def open_key(
    engine: Engine,
    settings: Settings,
    user: User,
    actor: Actor,
    credential_id: str,
    given: Activation,
    purpose: Purpose,
    *,
    now: datetime | None = None,
) -> PrivateKeySource:
    """The credential's key, for the official who owns it (or a clerk of a seal's agency)
    who gives its activation data now. Refuses a token credential (its key is on the
    token), a disabled or expired one, a locked one, one without a PIN yet; counts a
    wrong PIN or TOTP code."""
    vault = credentials.vault_for(settings)
    attempt = _attempt(engine, vault, user, credential_id, now)
    row = attempt.row
    refusal = _refusal(row, given, attempt.otp_secret is not None)
    if refusal is not None:
        reason, error = refusal
        with session_scope(engine) as session:
            _record(session, actor, row, "activation_refused", f"{reason}; for {purpose}")
        raise error
    assert given.pin is not None
    key = _unwrap(vault, row, given.pin)
    step = None
    if attempt.otp_secret is not None and key is not None:
        step = totp.matching_step(attempt.otp_secret, given.otp or "")
    with session_scope(engine) as session:
        outcome = _settle(
            session, actor, row, settings, key is not None, attempt.otp_secret, step, purpose
        )
    if outcome is not None:
        raise outcome
    assert key is not None
    cert, chain = credentials.certificates(row)
    if key.public_key() != cert.public_key():
        raise credentials.tampered(row.id)
    return PrivateKeySource(key, cert, chain)


def _attempt(
    engine: Engine, vault: KeyVault, user: User, credential_id: str, now: datetime | None
) -> _Attempt:
    with session_scope(engine, write=False) as session:
        row = credentials.usable_credential(
            session, subject_for(session, user), credential_id, now=now
        )
        if row.kind == CredentialKind.token:
            raise signing_errors.key_on_token()
        if row.kek_id != vault.kek_id:
            raise errors.IntegrityFailure(
                "credential.wrong_kek",
                "Khóa bí mật được mã hóa bằng một khóa mã hóa khác với khóa đang cấu hình.",
                "The private key was sealed with another key-encryption key than the"
                " configured one.",
                {"id": row.id},
            )
        second = totp.second_factor(session, row)
        secret = totp.secret_of(second, vault) if second is not None else None
        session.expunge(row)
    return _Attempt(row, secret)


def _refusal(
    row: SigningCredential, given: Activation, needs_otp: bool
) -> tuple[str, errors.DomainError] | None:
    """Why the attempt is refused before any PIN is tried (audited), or None."""
    if row.locked_at is not None:
        return "locked", signing_errors.locked()
    if row.key_wrap != KeyWrap.kek_pin:
        return "no PIN set yet (sealed under the KEK only)", signing_errors.pin_not_set()
    needs = ["pin", "otp"] if needs_otp else ["pin"]
    if not given.pin or (needs_otp and not given.otp):
        return "no activation data", signing_errors.activation_required(needs)
    return None


def _unwrap(
    vault: KeyVault, row: SigningCredential, pin: str
) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None:
    """The private key, or None when the PIN does not open it."""
    params = pins.KdfParams.decode(row.pin_kdf)
    if params is None or row.pin_salt is None:
        raise credentials.tampered(row.id)
    secret = pins.derive(pin, row.pin_salt, params)
    try:
        der = vault.open_with(row.encrypted_key, credentials.associated(row), secret, row.pin_salt)
    except SealBroken:
        return None
    try:
        key = serialization.load_der_private_key(der, None)
    except (ValueError, TypeError):
        raise credentials.tampered(row.id) from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise credentials.tampered(row.id)
    return key


def _settle(
    session: Session,
    actor: Actor,
    row: SigningCredential,
    settings: Settings,
    pin_ok: bool,
    otp_secret: str | None,
    step: int | None,
    purpose: Purpose,
) -> errors.DomainError | None:
    """Record the attempt in this (write) transaction; the error to raise, if any."""
    otp_ok = otp_secret is None or (
        step is not None and row.user_id is not None and totp.claim(session, row.user_id, step)
    )
    if pin_ok and otp_ok:
        reset = session.execute(
            update(SigningCredential)
            .where(col(SigningCredential.id) == row.id, col(SigningCredential.locked_at).is_(None))
            .values(pin_failures=0)
        )
        if not reset.rowcount:  # type: ignore[attr-defined]
            _record(session, actor, row, "activation_refused", f"locked; for {purpose}")
            return signing_errors.locked()
        factors = "PIN + TOTP" if otp_secret is not None else "PIN"
        _record(session, actor, row, "activate", f"{factors} for {purpose}")
        return None
    if not pin_ok:
        return _record_failure(session, actor, row, settings, "wrong PIN", signing_errors.wrong_pin)
    return _record_failure(
        session, actor, row, settings, "wrong or reused TOTP code", signing_errors.wrong_otp
    )


def _record_failure(
    session: Session,
    actor: Actor,
    row: SigningCredential,
    settings: Settings,
    reason: str,
    wrong: Callable[[int], errors.DomainError],
) -> errors.DomainError:
    """Count one wrong activation (atomically) and lock at the limit; the error to raise:
    ``wrong(attempts_left)`` below the limit."""
    counted = session.execute(
        update(SigningCredential)
        .where(col(SigningCredential.id) == row.id)
        .values(pin_failures=col(SigningCredential.pin_failures) + 1)
        .returning(col(SigningCredential.pin_failures), col(SigningCredential.locked_at))
    ).one()
    failures, locked_at = int(counted[0]), counted[1]
    limit = settings.signing_pin_max_failures
    _record(session, actor, row, "activation_failed", f"{reason} ({failures} of {limit})")
    if failures < limit:
        return wrong(limit - failures)
    if locked_at is None:
        session.execute(
            update(SigningCredential)
            .where(col(SigningCredential.id) == row.id, col(SigningCredential.locked_at).is_(None))
            .values(locked_at=utcnow())
        )
        _record(session, actor, row, "lock", f"locked after {failures} wrong activations")
    return signing_errors.locked()


def _record(
    session: Session, actor: Actor, row: SigningCredential, what: str, summary: str
) -> None:
    audit.record(
        session, actor, f"signing_credential.{what}", "signing_credential", row.id, summary
    )
