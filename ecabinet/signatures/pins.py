"""Signing PINs: the policy they follow and the argon2id that turns one into the secret
that, with the key-encryption key, wraps a private key (:meth:`.vault.KeyVault.seal_with`).

No hash of the PIN is kept: a wrong PIN shows only as a key that does not open (the
AEAD tag). The argon2id parameters are stored with each credential
(:attr:`~.models.SigningCredential.pin_kdf`), so raising the cost later leaves older rows
readable. Each derivation takes its memory (64 MiB by default) for about a tenth of a
second: a few at a time per process (:data:`MAX_PARALLEL`), the others wait.
"""

from __future__ import annotations

import itertools
import os
import re
import threading
import unicodedata
from dataclasses import dataclass, field

from argon2.low_level import Type, hash_secret_raw

from ecabinet.core.settings import Settings
from ecabinet.signatures import errors

SALT_BYTES = 16
SECRET_BYTES = 32
MAX_PIN = 64
"""Longest PIN (characters): a passphrase is welcome, a megabyte is not."""
MAX_PARALLEL = 2
"""argon2id derivations at once in one process (each holds its memory cost)."""
_gate = threading.BoundedSemaphore(MAX_PARALLEL)
_FORMAT = re.compile(r"^argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)$")


@dataclass(frozen=True)
class KdfParams:
    """argon2id parameters (RFC 9106)."""

    memory_kib: int
    time_cost: int
    parallelism: int = 1

    def encode(self) -> str:
        """As stored: ``argon2id$v=19$m=65536,t=3,p=1``."""
        return f"argon2id$v=19$m={self.memory_kib},t={self.time_cost},p={self.parallelism}"

    @classmethod
    def decode(cls, text: str) -> KdfParams | None:
        """The parameters of a stored row, or None when the text is not ours."""
        match = _FORMAT.match(text)
        if match is None:
            return None
        memory, time_cost, lanes = (int(g) for g in match.groups())
        if not (8 * lanes <= memory <= 4 * 1024 * 1024 and 1 <= time_cost <= 20 and lanes == 1):
            return None
        return cls(memory, time_cost, lanes)

    @classmethod
    def of(cls, settings: Settings) -> KdfParams:
        """The parameters new wraps get."""
        return cls(settings.signing_pin_kdf_memory_kib, settings.signing_pin_kdf_time_cost)


def normalise(pin: str) -> bytes:
    """The PIN's bytes: NFC, so that a PIN typed on two keyboards is the same PIN."""
    return unicodedata.normalize("NFC", pin).encode()


def check_new(pin: str, settings: Settings) -> None:
    """A new PIN must be long enough, not too long, and not a trivial pattern."""
    text = unicodedata.normalize("NFC", pin)
    if len(text) < settings.signing_pin_min_length:
        raise errors.pin_too_short(settings.signing_pin_min_length)
    if len(text) > MAX_PIN:
        raise errors.pin_too_long(MAX_PIN)
    if len(set(text)) == 1 or _run(text):
        raise errors.pin_too_weak()


def _run(text: str) -> bool:
    """A run of digits up or down (123456, 987654)."""
    if not text.isdigit():
        return False
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(text)}
    return steps in ({1}, {9})


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


def derive(pin: str, salt: bytes, params: KdfParams) -> bytes:
    """argon2id(PIN, salt) with ``params``: the PIN's half of the wrapping key."""
    with _gate:
        return hash_secret_raw(
            normalise(pin)[: MAX_PIN * 4],
            salt,
            time_cost=params.time_cost,
            memory_cost=params.memory_kib,
            parallelism=params.parallelism,
            hash_len=SECRET_BYTES,
            type=Type.ID,
        )


@dataclass(frozen=True)
class PinKey:
    """The PIN's half of a wrapping key, with what made it (stored with the row)."""

    salt: bytes
    params: KdfParams
    secret: bytes = field(repr=False)


def prepare(pin: str, settings: Settings) -> PinKey:
    """A new PIN checked against the policy and derived with a fresh salt (slow: call it
    outside any transaction)."""
    check_new(pin, settings)
    salt, params = new_salt(), KdfParams.of(settings)
    return PinKey(salt, params, derive(pin, salt, params))
