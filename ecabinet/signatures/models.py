"""A signing credential: a certificate, its chain and its private key, encrypted; a
two-step signature waiting for the signature value from an official's USB token; an
official's TOTP second factor for signing.

The private key (PKCS#8 DER) is stored sealed with AES-256-GCM under a key derived from
the key-encryption key *and* the holder's PIN (:mod:`.vault`, :mod:`.pins`), so that the
server alone cannot open it (decision 0011); the certificate and chain are public and
kept as PEM. A personal credential belongs to one
official (``user_id``) and is registered under an agency that administers them; a seal
belongs to an agency (``user_id`` is None). A token credential is an official's
certificate whose key stays on their USB token: no key is stored, and it signs in two
steps (:mod:`.twostep`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum

from sqlalchemy import BigInteger, Column, LargeBinary, String, Text
from sqlmodel import Field, SQLModel

from ecabinet.core.agencies import Role
from ecabinet.core.policy import Action, Subject, rule
from ecabinet.core.types import UTCDateTime

SIGN = Action.manage
"""The policy action "sign with this credential" (the other actions keep their meaning)."""


class CredentialKind(StrEnum):
    personal = "personal"
    """An official's own key (chữ ký số của người có thẩm quyền)."""
    seal = "seal"
    """An agency's key (chữ ký số của cơ quan), applied by its clerks."""
    token = "token"  # noqa: S105 - a credential kind, not a secret
    """An official's certificate whose key never leaves their USB token (two-step)."""

    @property
    def official(self) -> bool:
        """Signs as one official (personal or token), as opposed to an agency's seal."""
        return self is not CredentialKind.seal


class KeyWrap(IntEnum):
    """How :attr:`SigningCredential.encrypted_key` is sealed."""

    none = 0
    """No key on the server (a USB token)."""
    kek = 1
    """Under the key-encryption key only: rows made before the PINs (migration 0018).
    They sign again once their holder sets a PIN, which rewraps them."""
    kek_pin = 2
    """Under a key derived from the key-encryption key and the holder's PIN."""


class SigningCredential(SQLModel, table=True):
    __tablename__ = "signing_credential"
    id: str = Field(primary_key=True, max_length=36)
    kind: CredentialKind = Field(sa_type=String(16))
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    label: str = Field(default="", max_length=255)
    subject: str = Field(max_length=1000, description="Certificate subject (RFC 4514)")
    issuer: str = Field(max_length=1000, description="Certificate issuer (RFC 4514)")
    serial: str = Field(max_length=64, description="Certificate serial number, hex")
    fingerprint: str = Field(max_length=64, index=True, description="SHA-256 of the DER")
    not_before: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    not_after: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    certificate_pem: str = Field(sa_column=Column(Text(), nullable=False))
    chain_pem: str = Field(sa_column=Column(Text(), nullable=False))
    encrypted_key: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    """AES-256-GCM nonce (12 bytes) then ciphertext and tag of the PKCS#8 DER key; empty
    for a token credential."""
    kek_id: str = Field(max_length=16, description="Which key-encryption key sealed it")
    key_wrap: int = Field(default=KeyWrap.kek_pin, description="KeyWrap: 0 none, 1 KEK, 2 KEK+PIN")
    pin_salt: bytes | None = Field(default=None, sa_column=Column(LargeBinary()))
    """Salt of the PIN's argon2id (16 random bytes), for :attr:`KeyWrap.kek_pin`."""
    pin_kdf: str = Field(default="", max_length=64)
    """The argon2id parameters the PIN went through, e.g. ``argon2id$v=19$m=65536,t=3,p=1``."""
    pin_failures: int = Field(default=0, description="Wrong activations in a row")
    locked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    """Set when :attr:`pin_failures` reached the limit; an admin unlocks."""
    pin_changed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    image_sha256: str | None = Field(
        default=None, max_length=64, description="Signature or seal PNG in the object store"
    )
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_by: int | None = Field(default=None, foreign_key="user.id")
    disabled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


@dataclass(frozen=True)
class NewCredential:
    """A request to register a credential under an agency, before the row exists."""

    agency_id: int


@rule(SigningCredential)
def _credential_rule(subject: Subject, action: Action, c: SigningCredential) -> bool:
    owner = CredentialKind(c.kind).official and c.user_id == subject.user_id
    admin = subject.administers(c.agency_id)
    clerk = c.kind == CredentialKind.seal and subject.has(Role.clerk, c.agency_id)
    if action is Action.view:
        return owner or admin or clerk
    if action is SIGN:
        # Nobody signs with another official's key; only the agency's clerks apply its seal.
        return owner or clerk
    if action in (Action.update, Action.delete):
        return owner or admin  # disable or remove: the official may revoke their own key
    return False


@rule(NewCredential)
def _new_credential_rule(subject: Subject, action: Action, target: NewCredential) -> bool:
    if action is Action.view:
        return True
    return action is Action.create and subject.administers(target.agency_id)


class PendingSignature(SQLModel, table=True):
    """A file prepared for a signature made elsewhere (an official's USB token): the
    update appended to the source file, with its placeholder, and the signed attributes
    the token must sign. Single use, short-lived; the source bytes are not copied (they
    are read again from the store by their SHA-256 on completion)."""

    __tablename__ = "pending_signature"
    id: str = Field(primary_key=True, max_length=36)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    """The official who prepared it; only they may complete it."""
    credential_id: str = Field(
        foreign_key="signing_credential.id", ondelete="CASCADE", max_length=36, index=True
    )
    file_id: str = Field(foreign_key="stored_file.id", ondelete="CASCADE", max_length=36)
    source_sha256: str = Field(max_length=64)
    """SHA-256 of the source file's bytes: the head of the signed file."""
    tail: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    """The incremental update, /Contents still zero-filled."""
    contents_start: int = Field(sa_type=BigInteger)
    contents_end: int = Field(sa_type=BigInteger)
    byte_range: str = Field(max_length=80, description="The /ByteRange, four numbers")
    signed_attrs: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    """DER of the CMS signed attributes: what the token signs."""
    level: str = Field(max_length=8, description="PAdES level asked for")
    field_name: str = Field(max_length=255)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class SigningTotp(SQLModel, table=True):
    """An official's TOTP (RFC 6238) second factor for their personal credentials: once
    confirmed, each activation needs the PIN and a code from their own device."""

    __tablename__ = "signing_totp"
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", primary_key=True)
    secret_sealed: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    """The shared secret (20 bytes), sealed under the key-encryption key."""
    kek_id: str = Field(max_length=16)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    confirmed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    """None until a first code proves the device has the secret; only then required."""
    last_step: int = Field(default=-1, sa_type=BigInteger)
    """The last time step whose code was accepted: each code is used once."""
