"""The holder's PIN over time: set once for a credential registered before PINs existed,
changed (old PIN → new PIN), and the admin's unlock after too many wrong PINs.

Setting the first PIN is the last time the server opens a key with the KEK alone: it
rewraps it under the KEK and the new PIN at once (migration 0018 kept those rows as they
were). A change proves the old PIN through :func:`.activation.open_key` (so a wrong one
counts towards the lock, and a TOTP code is needed when enrolled). Both are the holder's
only (the official, or a clerk of a seal's agency) and audited. Unlocking is an act of
an admin of the credential's agency who does not hold it; it resets the count and does
not reveal or change the PIN (a forgotten PIN means registering the PKCS#12 again).
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from sqlalchemy import Engine
from sqlmodel import Session

from ecabinet.core import audit, errors
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.policy import Subject, subject_for
from ecabinet.core.settings import Settings
from ecabinet.core.types import utcnow
from ecabinet.core.users import User
from ecabinet.signatures import activation, credentials, pins
from ecabinet.signatures import errors as signing_errors
from ecabinet.signatures.activation import Activation, Purpose
from ecabinet.signatures.models import CredentialKind, KeyWrap, SigningCredential
from ecabinet.signatures.pins import PinKey
from ecabinet.signatures.registration import wrap
from ecabinet.signatures.vault import KeyVault, SealBroken


def set_pin(
    engine: Engine,
    settings: Settings,
    user: User,
    actor: Actor,
    credential_id: str,
    *,
    new_pin: str,
    old: Activation | None = None,
) -> SigningCredential:
    """Give the credential ``new_pin``: its first PIN (``old`` None) for a row sealed
    under the KEK only, else a change proven by ``old``. The holder only."""
    vault = credentials.vault_for(settings)
    with session_scope(engine, write=False) as session:
        row = _held(session, subject_for(session, user), credential_id)
        session.expunge(row)
    pins.check_new(new_pin, settings)
    if row.key_wrap == KeyWrap.kek:
        key_der = _kek_only(vault, row)
        action = "pin_set"
    else:
        if old is None or not old.pin:
            raise signing_errors.pin_already_set()
        key = activation.open_key(
            engine, settings, user, actor, credential_id, old, Purpose("pin.change")
        ).key
        key_der = key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        action = "pin_change"
    pin_key = pins.prepare(new_pin, settings)
    with session_scope(engine) as session:
        current = _rewrap(session, actor, row, vault, key_der, pin_key, action)
        session.expunge(current)
    return current


def first_pin_as_operator(
    session: Session, actor: Actor, row: SigningCredential, vault: KeyVault, pin_key: PinKey
) -> SigningCredential:
    """Give a credential sealed under the KEK only its first PIN without its holder (the
    demo seeding its own credentials with the documented demo PIN)."""
    if row.key_wrap != KeyWrap.kek:
        raise signing_errors.pin_already_set()
    return _rewrap(session, actor, row, vault, _kek_only(vault, row), pin_key, "pin_set")


_SUMMARIES = {
    "pin_set": "first PIN set: the key rewrapped from the KEK alone to KEK + PIN",
    "pin_change": "PIN changed by its holder",
}


def _kek_only(vault: KeyVault, row: SigningCredential) -> bytes:
    """The key of a row from before the PINs: the last time the KEK alone opens it."""
    try:
        return vault.open(row.encrypted_key, credentials.associated(row))
    except SealBroken:
        raise credentials.tampered(row.id) from None


def _rewrap(
    session: Session,
    actor: Actor,
    row: SigningCredential,
    vault: KeyVault,
    key_der: bytes,
    pin_key: PinKey,
    action: str,
) -> SigningCredential:
    """Seal ``key_der`` under the new PIN into the row, unless another request changed
    the row since ``row`` was read; audited."""
    current = session.get(SigningCredential, row.id)
    if current is None or current.encrypted_key != row.encrypted_key:
        raise errors.Conflict(
            "credential.changed",
            "Chứng thư vừa được thay đổi bởi một yêu cầu khác: hãy thử lại.",
            "The credential changed meanwhile: try again.",
        )
    wrap(current, vault, key_der, pin_key)
    current.pin_changed_at = utcnow()
    session.add(current)
    session.flush()
    audit.record(
        session,
        actor,
        f"signing_credential.{action}",
        "signing_credential",
        row.id,
        _SUMMARIES[action],
    )
    return current


def _held(session: Session, subject: Subject, credential_id: str) -> SigningCredential:
    row = credentials.get_credential(session, subject, credential_id)
    if not credentials.holds(subject, row):
        raise signing_errors.not_holder()
    if row.kind == CredentialKind.token:
        raise signing_errors.no_pin_on_token()
    if row.disabled_at is not None:
        raise signing_errors.disabled()
    return row


def unlock(
    session: Session, actor: Actor, subject: Subject, credential_id: str
) -> SigningCredential:
    """Unlock a credential locked by wrong PINs (an admin of its agency who does not hold
    it); the count of wrong PINs starts again from zero."""
    row = credentials.get_credential(session, subject, credential_id)
    if not subject.administers(row.agency_id) or credentials.holds(subject, row):
        raise signing_errors.unlock_forbidden()
    return _reset(session, actor, row, "by an admin")


def unlock_as_operator(session: Session, actor: Actor, credential_id: str) -> SigningCredential:
    """Unlock from the command line (the operator of the server), audited as such."""
    row = session.get(SigningCredential, credential_id)
    if row is None:
        raise errors.NotFound.of("chứng thư ký số", "Signing credential", "credential.not_found")
    return _reset(session, actor, row, "from the command line")


def _reset(session: Session, actor: Actor, row: SigningCredential, how: str) -> SigningCredential:
    if row.locked_at is None and not row.pin_failures:
        return row  # nothing to unlock: nothing changes, nothing to audit
    summary = f"unlocked {how} after {row.pin_failures} wrong activations"
    row.locked_at, row.pin_failures = None, 0
    session.add(row)
    session.flush()
    audit.record(session, actor, "signing_credential.unlock", "signing_credential", row.id, summary)
    return row
