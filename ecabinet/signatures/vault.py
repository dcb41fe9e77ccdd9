"""Sealing private keys at rest: AES-256-GCM under a key derived from the settings' KEK.

The AES key is HKDF-SHA256 of ``settings.key_encryption_key``; a short identifier of the
KEK (another HKDF output, which reveals nothing of the AES key) is stored with each row,
so that a changed KEK is told apart from a tampered row. The associated data binds the
ciphertext to its row (id, kind, owner, certificate): moved to another row or owner, it
no longer opens.
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


class SealBroken(Exception):
    """The ciphertext does not open with this key and associated data."""


def _derive(kek: str, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(kek.encode())


class KeyVault:
    """Seals and opens private keys with one key-encryption key."""

    def __init__(self, kek: str) -> None:
        if len(kek) < 32:
            raise ValueError("the key-encryption key must be at least 32 characters long")
        self._aead = AESGCM(_derive(kek, _INFO_KEY, 32))
        self.kek_id = _derive(kek, _INFO_ID, 8).hex()
        """Identifies the KEK (16 hex characters) without revealing it."""

    def seal(self, plaintext: bytes, associated: bytes) -> bytes:
        """Nonce then ciphertext and tag; a fresh random nonce each time."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, associated)

    def open(self, sealed: bytes, associated: bytes) -> bytes:
        """The plaintext, or :class:`SealBroken` when the key, the data or the associated
        data differ from those it was sealed with."""
        if len(sealed) < NONCE_BYTES + 16:
            raise SealBroken("too short")
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)
        except InvalidTag:
            raise SealBroken("authentication failed") from None
