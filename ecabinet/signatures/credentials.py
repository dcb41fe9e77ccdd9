"""Registering, listing, disabling and using signing credentials.

An admin uploads an official's or an agency's PKCS#12 file with its passphrase; the key
is checked, sealed (:mod:`.vault`) and stored; the passphrase is used once and never
kept or logged. For an official whose key lives on a USB token, the admin registers the
token's certificate only (:func:`register_token`). :func:`key_source` gives a usable
:class:`signing.keys.PrivateKeySource` only to the official who owns a personal
credential, or to the clerks of a seal's agency; :func:`token_certificate` gives a token
credential's certificate to its owner, for two-step signing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from datetime import datetime

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlmodel import Session, col, or_, select

from ecabinet.core import audit, errors
from ecabinet.core.agencies import Agency, Membership, Role
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Action, Subject, authorize, can
from ecabinet.core.settings import Settings
from ecabinet.core.types import utcnow
from ecabinet.core.users import User
from ecabinet.signatures.models import SIGN, CredentialKind, NewCredential, SigningCredential
from ecabinet.signatures.vault import KeyVault, SealBroken
from signing.errors import BadKey
from signing.keys import PrivateKeySource, load_pkcs12


def vault_for(settings: Settings) -> KeyVault:
    """The vault of the configured KEK (``Settings.with_secret()`` makes sure there is one)."""
    if not settings.key_encryption_key:
        raise errors.Unavailable(
            "credential.no_kek",
            "Chưa cấu hình khóa mã hóa khóa bí mật (ECABINET_KEY_ENCRYPTION_KEY).",
            "No key-encryption key is configured (ECABINET_KEY_ENCRYPTION_KEY).",
        )
    return KeyVault(settings.key_encryption_key)


def decode_pkcs12(text: str) -> bytes:
    """Base64 (standard alphabet, line breaks allowed) to bytes; a bilingual 422 if not."""
    try:
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise errors.InvalidInput(
            "credential.bad_base64",
            "Tệp PKCS#12 gửi lên không phải chuỗi base64 hợp lệ.",
            "The PKCS#12 file is not valid base64.",
        ) from None
    if not data:
        raise _not_pkcs12()
    return data


def upload_credential(
    session: Session,
    actor: Actor,
    subject: Subject,
    *,
    vault: KeyVault,
    pkcs12: bytes,
    passphrase: str,
    user_id: int | None = None,
    agency_id: int | None = None,
    label: str = "",
    now: datetime | None = None,
) -> SigningCredential:
    """Register ``pkcs12`` for official ``user_id`` or for the seal of ``agency_id`` (one of
    the two). The caller must administer the agency (for an official: one of the agencies
    they belong to). The file must hold a key and its certificate, valid at ``now``."""
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
    source = _open_pkcs12(pkcs12, passphrase)
    if source.key.public_key() != source.certificate.public_key():
        raise errors.InvalidInput(
            "credential.key_mismatch",
            "Khóa bí mật trong tệp PKCS#12 không thuộc chứng thư số đi kèm.",
            "The private key in the PKCS#12 file does not belong to its certificate.",
        )
    _check_certificate(source.certificate, now or utcnow())
    row = _new_row(
        session, actor, kind, user_id, owner_agency, label, source.certificate, source.chain
    )
    key_der = source.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    row.kek_id = vault.kek_id
    row.encrypted_key = vault.seal(key_der, _associated(row))
    _add(session, actor, row, "signing_credential.upload")
    return row


def register_token(
    session: Session,
    actor: Actor,
    subject: Subject,
    *,
    certificate_pem: str,
    chain_pem: str = "",
    user_id: int,
    label: str = "",
    now: datetime | None = None,
) -> SigningCredential:
    """Register the certificate of the USB token of official ``user_id`` (PEM; its chain,
    issuing CA first, optionally). No key is stored: the official signs in two steps
    (:mod:`.twostep`). The caller must administer one of the official's agencies; the
    certificate must be valid at ``now``, for signing, with an RSA or ECDSA key."""
    owner_agency = _official_agency(session, subject, user_id)
    authorize(subject, Action.create, NewCredential(owner_agency))
    found = _read_pem(certificate_pem, "certificate")
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
    _check_certificate(cert, now or utcnow())
    chain = _read_pem(chain_pem, "chain") if chain_pem.strip() else []
    row = _new_row(session, actor, CredentialKind.token, user_id, owner_agency, label, cert, chain)
    _add(session, actor, row, "signing_credential.register")
    return row


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


def _read_pem(text: str, what: str) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(text.encode())
    except ValueError:
        raise errors.InvalidInput(
            "credential.bad_pem",
            "Chứng thư số gửi lên không phải PEM hợp lệ"
            + (" (chuỗi chứng thư)." if what == "chain" else "."),
            f"The {what} is not valid PEM.",
            {"field": f"{what}_pem"},
        ) from None


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


def key_source(
    session: Session,
    subject: Subject,
    credential_id: str,
    *,
    vault: KeyVault,
    now: datetime | None = None,
) -> PrivateKeySource:
    """A key source to sign with ``credential_id``, for its owner (personal) or for the
    clerks of its agency (seal) only. Refuses a disabled credential and an expired
    certificate; a row that does not open with this KEK is an integrity error. A token
    credential has no key here: it signs in two steps."""
    row = usable_credential(session, subject, credential_id, now=now)
    if row.kind == CredentialKind.token:
        raise errors.InvalidInput(
            "credential.on_token",
            "Khóa của chứng thư này nằm trên USB token của người ký: hãy ký hai bước"
            " (chuẩn bị, ký trên token, hoàn tất).",
            "The key of this certificate is on the signer's USB token: sign in two steps"
            " (prepare, sign on the token, complete).",
        )
    if row.kek_id != vault.kek_id:
        raise errors.IntegrityFailure(
            "credential.wrong_kek",
            "Khóa bí mật được mã hóa bằng một khóa mã hóa khác với khóa đang cấu hình.",
            "The private key was sealed with another key-encryption key than the configured one.",
            {"id": row.id},
        )
    cert, chain = certificates(row)
    try:
        key = serialization.load_der_private_key(
            vault.open(row.encrypted_key, _associated(row)), None
        )
    except (SealBroken, ValueError, TypeError):
        raise _tampered(row.id) from None
    if (
        not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
        or key.public_key() != cert.public_key()
    ):
        raise _tampered(row.id)
    return PrivateKeySource(key, cert, chain)


def usable_credential(
    session: Session, subject: Subject, credential_id: str, *, now: datetime | None = None
) -> SigningCredential:
    """The credential, if the caller may sign with it now: visible, theirs to sign with
    (:data:`~ecabinet.signatures.models.SIGN`), not disabled, its certificate valid."""
    row = get_credential(session, subject, credential_id)
    authorize(subject, SIGN, row)
    if row.disabled_at is not None:
        raise errors.Conflict(
            "credential.disabled",
            "Chứng thư ký số này đã bị vô hiệu hóa.",
            "This signing credential has been disabled.",
        )
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
        raise _tampered(row.id) from None
    if fingerprint(cert) != row.fingerprint:
        raise _tampered(row.id)
    return cert, chain


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


def _not_pkcs12() -> errors.InvalidInput:
    return errors.InvalidInput(
        "credential.not_pkcs12",
        "Tệp gửi lên không phải tệp PKCS#12 (.p12, .pfx).",
        "The file is not a PKCS#12 file (.p12, .pfx).",
    )


def _open_pkcs12(data: bytes, passphrase: str) -> PrivateKeySource:
    try:
        asn1_pkcs12.Pfx.load(data, strict=True).native  # noqa: B018 - parses it all
    except (ValueError, TypeError, KeyError):
        raise _not_pkcs12() from None
    try:
        return load_pkcs12(data, passphrase)
    except BadKey as exc:
        if exc.code == "key.pkcs12_incomplete":
            raise errors.InvalidInput(
                "credential.pkcs12_incomplete",
                "Tệp PKCS#12 không chứa khóa bí mật RSA/ECDSA kèm chứng thư số của nó.",
                "The PKCS#12 file holds no RSA/ECDSA private key with its certificate.",
            ) from None
        if passphrase == "":
            return _open_pkcs12_without_password(data)
        raise _wrong_passphrase() from None


def _open_pkcs12_without_password(data: bytes) -> PrivateKeySource:
    try:
        return load_pkcs12(data, None)
    except BadKey:
        raise _wrong_passphrase() from None


def _wrong_passphrase() -> errors.InvalidInput:
    return errors.InvalidInput(
        "credential.wrong_passphrase",
        "Sai mật khẩu của tệp PKCS#12.",
        "Wrong passphrase for the PKCS#12 file.",
    )


def _check_certificate(cert: x509.Certificate, now: datetime) -> None:
    if now > cert.not_valid_after_utc:
        raise errors.InvalidInput(
            "credential.certificate_expired",
            f"Chứng thư số đã hết hạn ngày {cert.not_valid_after_utc.date().isoformat()}.",
            f"The certificate expired on {cert.not_valid_after_utc.date().isoformat()}.",
        )
    if now < cert.not_valid_before_utc:
        raise errors.InvalidInput(
            "credential.certificate_not_yet_valid",
            "Chứng thư số chưa đến ngày có hiệu lực.",
            "The certificate is not valid yet.",
        )
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    # Officials' certificates may lack non-repudiation (Decree 68): either bit will do.
    if not (usage.digital_signature or usage.content_commitment):
        raise errors.InvalidInput(
            "credential.not_for_signing",
            "Chứng thư số không cho phép ký số (thiếu digitalSignature/nonRepudiation).",
            "The certificate does not allow signing (no digitalSignature/nonRepudiation).",
        )


def _tampered(credential_id: str) -> errors.IntegrityFailure:
    return errors.IntegrityFailure(
        "credential.tampered",
        "Dữ liệu khóa ký số đã bị thay đổi hoặc hỏng; không thể dùng.",
        "The stored signing key was altered or is damaged; it cannot be used.",
        {"id": credential_id},
    )


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 (hex) of the certificate's DER, as :attr:`SigningCredential.fingerprint`."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _associated(row: SigningCredential) -> bytes:
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
