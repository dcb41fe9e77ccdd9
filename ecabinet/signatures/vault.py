"""Sealing private keys at rest: AES-256-GCM under a key derived from the settings' KEK
and, for signing keys, from the holder's activation data too.

The KEK's AES key is HKDF-SHA256 of ``settings.key_encryption_key``; a short identifier of
the KEK (another HKDF output, which reveals nothing of the AES key) is stored with each
row, so that a changed KEK is told apart from a tampered row. A signing key is sealed
under HKDF-SHA256 of (the KEK's key ‖ a secret derived from the PIN, :mod:`.pins`), salted
per credential (:meth:`KeyVault.seal_with`): the KEK and the database together do not
open it, the PIN alone does not either. The associated data binds the ciphertext to its
row (id, kind, owner, certificate): moved to another row or owner, it no longer opens.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12
_INFO_KEY = b"ecabinet signing-credential aes-256-gcm v1"
_INFO_ID = b"ecabinet signing-credential kek-id v1"
_INFO_WRAP = b"ecabinet signing-credential kek+pin aes-256-gcm v2"


class SealBroken(Exception):
    """The ciphertext does not open with this key and associated data."""


def _derive(kek: str, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(kek.encode())


class KeyVault:
    """Seals and opens private keys with one key-encryption key."""

    def __init__(self, kek: str) -> None:
        if len(kek) < 32:
            raise ValueError("the key-encryption key must be at least 32 characters long")
        self._kek_key = _derive(kek, _INFO_KEY, 32)
        self._aead = AESGCM(self._kek_key)
        self.kek_id = _derive(kek, _INFO_ID, 8).hex()
        """Identifies the KEK (16 hex characters) without revealing it."""

    def seal(self, plaintext: bytes, associated: bytes) -> bytes:
        """Under the KEK alone: nonce then ciphertext and tag; a fresh nonce each time."""
        return _seal(self._aead, plaintext, associated)

    def open(self, sealed: bytes, associated: bytes) -> bytes:
        """The plaintext, or :class:`SealBroken` when the key, the data or the associated
        data differ from those it was sealed with."""
        return _open(self._aead, sealed, associated)

    def seal_with(self, plaintext: bytes, associated: bytes, secret: bytes, salt: bytes) -> bytes:
        """Under the KEK *and* ``secret`` (the PIN's argon2id output), salted by ``salt``."""
        return _seal(self._both(secret, salt), plaintext, associated)

    def open_with(self, sealed: bytes, associated: bytes, secret: bytes, salt: bytes) -> bytes:
        """Open what :meth:`seal_with` sealed; :class:`SealBroken` for a wrong secret (the
        AEAD tag is the only check of the PIN: no PIN hash is kept anywhere)."""
        return _open(self._both(secret, salt), sealed, associated)

    def _both(self, secret: bytes, salt: bytes) -> AESGCM:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_INFO_WRAP).derive(
            self._kek_key + secret
        )
        return AESGCM(key)


def _seal(aead: AESGCM, plaintext: bytes, associated: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + aead.encrypt(nonce, plaintext, associated)


def _open(aead: AESGCM, sealed: bytes, associated: bytes) -> bytes:
    if len(sealed) < NONCE_BYTES + 16:
        raise SealBroken("too short")
    try:
        return aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)
    except InvalidTag:
        raise SealBroken("authentication failed") from None
