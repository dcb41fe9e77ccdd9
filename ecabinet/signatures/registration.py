"""Registering signing credentials (agency admins).

An admin uploads an official's or an agency's PKCS#12 file with its passphrase, and the
holder types the credential's signing PIN at the admin's desk; the certificate must be
bound to its owner (:mod:`.binding`), and the key is sealed under the key-encryption key
and the PIN together (:mod:`.vault`, :mod:`.pins`). The passphrase and the PIN are used
once and never kept or logged. For an official whose key lives on a USB token, the admin
registers the token's certificate only (:func:`register_token`; the token checks its own
PIN). A refused binding is audited in a transaction of its own (:func:`upload`,
:func:`register`), since the registration's own transaction rolls back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ecabinet.core import audit, errors
from ecabinet.core.agencies import Agency, Membership
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.policy import Action, Subject, authorize, subject_for
from ecabinet.core.settings import Settings
from ecabinet.core.types import utcnow
from ecabinet.core.users import User
from ecabinet.signatures import binding, pins, uploads
from ecabinet.signatures.credentials import associated, fingerprint, vault_for
from ecabinet.signatures.models import CredentialKind, KeyWrap, NewCredential, SigningCredential
from ecabinet.signatures.pins import PinKey
from ecabinet.signatures.vault import KeyVault


def upload(
    engine: Engine,
    settings: Settings,
    anchors: Sequence[x509.Certificate],
    user: User,
    actor: Actor,
    *,
    pkcs12: bytes,
    passphrase: str,
    pin: str,
    user_id: int | None = None,
    agency_id: int | None = None,
    label: str = "",
) -> SigningCredential:
    """:func:`upload_credential` for the API: the caller authorised and the PIN derived
    before the write transaction, a refused binding audited."""
    with session_scope(engine, write=False) as session:
        _owner(session, subject_for(session, user), user_id, agency_id)
    pin_key = pins.prepare(pin, settings)
    vault = vault_for(settings)
    return _audited(
        engine,
        actor,
        f"upload for {_whose(user_id, agency_id)}",
        lambda s: upload_credential(
            s,
            actor,
            subject_for(s, user),
            vault=vault,
            anchors=anchors,
            pkcs12=pkcs12,
            passphrase=passphrase,
            pin=pin_key,
            user_id=user_id,
            agency_id=agency_id,
            label=label,
        ),
    )


def register(
    engine: Engine,
    anchors: Sequence[x509.Certificate],
    user: User,
    actor: Actor,
    *,
    certificate_pem: str,
    chain_pem: str,
    user_id: int,
    label: str,
) -> SigningCredential:
    """:func:`register_token` in a write transaction, a refused binding audited."""
    return _audited(
        engine,
        actor,
        f"USB token for {_whose(user_id, None)}",
        lambda s: register_token(
            s,
            actor,
            subject_for(s, user),
            anchors=anchors,
            certificate_pem=certificate_pem,
            chain_pem=chain_pem,
            user_id=user_id,
            label=label,
        ),
    )


def _audited(
    engine: Engine, actor: Actor, what: str, work: Callable[[Session], SigningCredential]
) -> SigningCredential:
    try:
        with session_scope(engine) as session:
            return work(session)
    except errors.InvalidInput as exc:
        if exc.code in binding.REFUSALS:
            with session_scope(engine) as session:
                audit.record(
                    session,
                    actor,
                    "signing_credential.refused",
                    "signing_credential",
                    "",
                    f"{what} refused: {exc.code}: {exc.en}",
                )
        raise


def upload_credential(
    session: Session,
    actor: Actor,
    subject: Subject,
    *,
    vault: KeyVault,
    anchors: Sequence[x509.Certificate],
    pkcs12: bytes,
    passphrase: str,
    pin: PinKey,
    user_id: int | None = None,
    agency_id: int | None = None,
    label: str = "",
    now: datetime | None = None,
) -> SigningCredential:
    """Register ``pkcs12`` for official ``user_id`` or for the seal of ``agency_id`` (one of
    the two), its key sealed under the KEK and ``pin`` (:func:`.pins.prepare`). The caller
    must administer the agency (for an official: one of the agencies they belong to). The
    file must hold a key and its certificate, bound to the owner (:func:`.binding.check`)."""
    kind, owner_agency = _owner(session, subject, user_id, agency_id)
    source = uploads.open_pkcs12(pkcs12, passphrase)
    if source.key.public_key() != source.certificate.public_key():
        raise errors.InvalidInput(
            "credential.key_mismatch",
            "Khóa bí mật trong tệp PKCS#12 không thuộc chứng thư số đi kèm.",
            "The private key in the PKCS#12 file does not belong to its certificate.",
        )
    _bind(session, source.certificate, source.chain, anchors, user_id, owner_agency, now)
    row = _new_row(
        session, actor, kind, user_id, owner_agency, label, source.certificate, source.chain
    )
    key_der = source.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    wrap(row, vault, key_der, pin)
    _add(session, actor, row, "signing_credential.upload")
    return row


def wrap(row: SigningCredential, vault: KeyVault, key_der: bytes, pin: PinKey) -> None:
    """Seal ``key_der`` into ``row`` under the KEK and the PIN (a fresh salt each time)."""
    row.kek_id = vault.kek_id
    row.key_wrap = KeyWrap.kek_pin
    row.pin_salt = pin.salt
    row.pin_kdf = pin.params.encode()
    row.encrypted_key = vault.seal_with(key_der, associated(row), pin.secret, pin.salt)


def register_token(
    session: Session,
    actor: Actor,
    subject: Subject,
    *,
    anchors: Sequence[x509.Certificate],
    certificate_pem: str,
    chain_pem: str = "",
    user_id: int,
    label: str = "",
    now: datetime | None = None,
) -> SigningCredential:
    """Register the certificate of the USB token of official ``user_id`` (PEM; its chain,
    issuing CA first, optionally). No key is stored: the official signs in two steps
    (:mod:`.twostep`) and the token checks its own PIN. The caller must administer one of
    the official's agencies; the certificate must carry an RSA or ECDSA key and be bound
    to the official (:func:`.binding.check`)."""
    owner_agency = _official_agency(session, subject, user_id)
    authorize(subject, Action.create, NewCredential(owner_agency))
    found = uploads.read_pem(certificate_pem, "certificate")
    if len(found) != 1:
        raise errors.InvalidInput(
            "credential.one_certificate",
            "Cần đúng một chứng thư số (PEM) của USB token.",
            "Give exactly one certificate (PEM): the USB token's.",
            {"found": len(found)},
        )
    cert = found[0]
    if not isinstance(cert.public_key(), rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise errors.InvalidInput(
            "credential.unsupported_key",
            "Chứng thư số không mang khóa RSA hoặc ECDSA.",
            "The certificate holds neither an RSA nor an ECDSA key.",
        )
    chain = uploads.read_pem(chain_pem, "chain") if chain_pem.strip() else []
    _bind(session, cert, chain, anchors, user_id, owner_agency, now)
    row = _new_row(session, actor, CredentialKind.token, user_id, owner_agency, label, cert, chain)
    row.key_wrap = KeyWrap.none
    _add(session, actor, row, "signing_credential.register")
    return row


def _bind(
    session: Session,
    cert: x509.Certificate,
    chain: list[x509.Certificate],
    anchors: Sequence[x509.Certificate],
    user_id: int | None,
    agency_id: int,
    now: datetime | None,
) -> None:
    user = session.get(User, user_id) if user_id is not None else None
    agency = session.get(Agency, agency_id) if user_id is None else None
    binding.check(cert, chain, anchors, user=user, agency=agency, now=now or utcnow())


def _owner(
    session: Session, subject: Subject, user_id: int | None, agency_id: int | None
) -> tuple[CredentialKind, int]:
    """The kind and agency of a new PKCS#12 credential, the caller allowed to add it."""
    if (user_id is None) == (agency_id is None):
        raise errors.InvalidInput(
            "credential.owner_required",
            "Cần chỉ rõ một người dùng (user_id) hoặc một cơ quan (agency_id).",
            "Give either a user (user_id) or an agency (agency_id), not both.",
        )
    if user_id is not None:
        kind, owner_agency = CredentialKind.personal, _official_agency(session, subject, user_id)
    else:
        assert agency_id is not None
        if session.get(Agency, agency_id) is None:
            raise errors.NotFound.of("cơ quan", "Agency", "agency.not_found")
        kind, owner_agency = CredentialKind.seal, agency_id
    authorize(subject, Action.create, NewCredential(owner_agency))
    return kind, owner_agency


def _whose(user_id: int | None, agency_id: int | None) -> str:
    return f"user {user_id}" if user_id is not None else f"agency {agency_id}"


def _new_row(
    session: Session,
    actor: Actor,
    kind: CredentialKind,
    user_id: int | None,
    agency_id: int,
    label: str,
    cert: x509.Certificate,
    chain: list[x509.Certificate],
) -> SigningCredential:
    """The row for ``cert`` (no key yet), unless the owner already has this certificate."""
    digest = fingerprint(cert)
    duplicate = session.exec(
        select(SigningCredential).where(
            SigningCredential.fingerprint == digest,
            SigningCredential.kind == kind,
            SigningCredential.user_id == user_id,
            SigningCredential.agency_id == agency_id,
        )
    ).first()
    if duplicate is not None:
        raise errors.Conflict(
            "credential.duplicate",
            "Chứng thư số này đã được đăng ký cho cùng chủ sở hữu.",
            "This certificate is already registered for the same owner.",
            {"id": duplicate.id},
        )
    return SigningCredential(
        id=str(uuid.uuid4()),
        kind=kind,
        user_id=user_id,
        agency_id=agency_id,
        label=label.strip()[:255],
        subject=cert.subject.rfc4514_string()[:1000],
        issuer=cert.issuer.rfc4514_string()[:1000],
        serial=format(cert.serial_number, "x")[:64],
        fingerprint=digest,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        certificate_pem=_pem(cert),
        chain_pem="".join(_pem(c) for c in chain),
        encrypted_key=b"",
        kek_id="",
        created_at=utcnow(),
        created_by=actor.user_id,
    )


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _add(session: Session, actor: Actor, row: SigningCredential, action: str) -> None:
    session.add(row)
    session.flush()
    owner = f"user {row.user_id}" if row.user_id is not None else f"agency {row.agency_id}"
    audit.record(
        session,
        actor,
        action,
        "signing_credential",
        row.id,
        f"{row.kind} for {owner}: {row.subject} serial {row.serial},"
        f" valid until {row.not_after.date().isoformat()}",
    )


def _official_agency(session: Session, subject: Subject, user_id: int) -> int:
    """The agency to register an official's credential under: the first of the official's
    agencies that the caller administers (else the first, so the refusal says 403)."""
    if session.get(User, user_id) is None:
        raise errors.NotFound.of("người dùng", "User", "user.not_found")
    agencies = list(
        session.exec(
            select(Membership.agency_id)
            .where(Membership.user_id == user_id)
            .order_by(col(Membership.id))
        )
    )
    for agency_id in agencies:
        if subject.administers(agency_id):
            return agency_id
    if not agencies:
        raise errors.PermissionDenied(
            "credential.user_without_agency",
            "Người dùng này chưa thuộc cơ quan nào nên không thể đăng ký chứng thư ký số.",
            "This user belongs to no agency, so no signing credential can be registered.",
        )
    return agencies[0]
