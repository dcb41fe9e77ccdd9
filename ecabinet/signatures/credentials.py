"""Signing credentials once registered: listing, reading, disabling, deleting, and
the checks before one signs.

Registering them is :mod:`.registration`; opening a key needs the holder's activation
data and is :mod:`.activation`. :func:`usable_credential` gives a credential only to the
official who owns a personal one, or to the clerks of a seal's agency;
:func:`token_certificate` gives a token credential's certificate to its owner, for
two-step signing.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlmodel import Session, col, or_, select

from ecabinet.core import audit, errors
from ecabinet.core.agencies import Role
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Action, Subject, authorize, can
from ecabinet.core.settings import Settings
from ecabinet.core.types import utcnow
from ecabinet.signatures import errors as signing_errors
from ecabinet.signatures.models import SIGN, CredentialKind, SigningCredential
from ecabinet.signatures.vault import KeyVault


def vault_for(settings: Settings) -> KeyVault:
    """The vault of the configured KEK (``Settings.with_secret()`` makes sure there is one)."""
    if not settings.key_encryption_key:
        raise errors.Unavailable(
            "credential.no_kek",
            "Chưa cấu hình khóa mã hóa khóa bí mật (ECABINET_KEY_ENCRYPTION_KEY).",
            "No key-encryption key is configured (ECABINET_KEY_ENCRYPTION_KEY).",
        )
    return KeyVault(settings.key_encryption_key)


def list_credentials(session: Session, subject: Subject) -> list[SigningCredential]:
    """The caller's own credentials, the seals of agencies where they are a clerk, and
    every credential of the agencies they administer; oldest first."""
    agencies = {a for a in subject.parents if subject.administers(a)}
    agencies |= {a for a, roles in subject.roles.items() if Role.clerk in roles}
    query = (
        select(SigningCredential)
        .where(
            or_(
                col(SigningCredential.user_id) == subject.user_id,
                col(SigningCredential.agency_id).in_(sorted(agencies)),
            )
        )
        .order_by(col(SigningCredential.created_at), col(SigningCredential.id))
    )
    return [c for c in session.exec(query) if can(subject, Action.view, c)]


def get_credential(session: Session, subject: Subject, credential_id: str) -> SigningCredential:
    """The credential, if the caller may see it (else it does not exist for them)."""
    row = session.get(SigningCredential, credential_id)
    # Missing and invisible answer alike, with the same code: probing reveals nothing.
    if row is None or not can(subject, Action.view, row):
        raise errors.NotFound.of("chứng thư ký số", "Signing credential", "credential.not_found")
    return row


def disable_credential(
    session: Session, actor: Actor, subject: Subject, credential_id: str
) -> SigningCredential:
    """Stop a credential from signing (kept for the record); disabling twice is a no-op."""
    row = get_credential(session, subject, credential_id)
    authorize(subject, Action.update, row)
    if row.disabled_at is None:
        row.disabled_at = utcnow()
        session.add(row)
        session.flush()
        audit.record(
            session, actor, "signing_credential.disable", "signing_credential", row.id, row.subject
        )
    return row


def delete_credential(session: Session, actor: Actor, subject: Subject, credential_id: str) -> None:
    """Remove a credential and its sealed key for good."""
    row = get_credential(session, subject, credential_id)
    authorize(subject, Action.delete, row)
    summary = f"{row.kind} {row.subject} serial {row.serial}"
    session.delete(row)
    session.flush()
    audit.record(
        session, actor, "signing_credential.delete", "signing_credential", credential_id, summary
    )


def holds(subject: Subject, row: SigningCredential) -> bool:
    """Whether ``subject`` holds the credential's activation data: its official for a
    personal or token credential, the agency's clerks for a seal."""
    return can(subject, SIGN, row)


def usable_credential(
    session: Session, subject: Subject, credential_id: str, *, now: datetime | None = None
) -> SigningCredential:
    """The credential, if the caller may sign with it now: visible, theirs to sign with
    (:data:`~ecabinet.signatures.models.SIGN`), not disabled, its certificate valid."""
    row = get_credential(session, subject, credential_id)
    authorize(subject, SIGN, row)
    if row.disabled_at is not None:
        raise signing_errors.disabled()
    moment = now or utcnow()
    if not row.not_before <= moment <= row.not_after:
        raise errors.Conflict(
            "credential.certificate_expired",
            "Chứng thư số của khóa này đã hết hạn hoặc chưa có hiệu lực.",
            "The certificate of this key has expired or is not valid yet.",
            {"not_after": row.not_after.isoformat()},
        )
    return row


def token_certificate(
    session: Session, subject: Subject, credential_id: str, *, now: datetime | None = None
) -> tuple[SigningCredential, x509.Certificate, list[x509.Certificate]]:
    """A token credential its owner may sign with now, with its certificate and chain."""
    row = usable_credential(session, subject, credential_id, now=now)
    if row.kind != CredentialKind.token:
        raise errors.InvalidInput(
            "credential.not_token",
            "Chỉ chứng thư trên USB token mới ký hai bước; khóa lưu trên máy chủ thì ký trực tiếp.",
            "Only a USB-token certificate signs in two steps; a key kept on the server signs"
            " directly.",
        )
    cert, chain = certificates(row)
    return row, cert, chain


def certificates(row: SigningCredential) -> tuple[x509.Certificate, list[x509.Certificate]]:
    """The row's certificate and chain; an altered row is an integrity error."""
    try:
        cert = x509.load_pem_x509_certificate(row.certificate_pem.encode())
        chain = x509.load_pem_x509_certificates(row.chain_pem.encode()) if row.chain_pem else []
    except ValueError:
        raise tampered(row.id) from None
    if fingerprint(cert) != row.fingerprint:
        raise tampered(row.id)
    return cert, chain


def tampered(credential_id: str) -> errors.IntegrityFailure:
    return errors.IntegrityFailure(
        "credential.tampered",
        "Dữ liệu khóa ký số đã bị thay đổi hoặc hỏng; không thể dùng.",
        "The stored signing key was altered or is damaged; it cannot be used.",
        {"id": credential_id},
    )


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 (hex) of the certificate's DER, as :attr:`SigningCredential.fingerprint`."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def associated(row: SigningCredential) -> bytes:
    """What the ciphertext is bound to: the row, its owner and its certificate."""
    owner = "" if row.user_id is None else str(row.user_id)
    return "|".join(
        (
            "ecabinet.signing_credential.v1",
            row.id,
            str(row.kind),
            owner,
            str(row.agency_id),
            row.fingerprint,
        )
    ).encode()
