"""The server's log keys as a chain of endorsements: the one rule by which anyone decides
which Ed25519 keys may sign the server's heads (the publication log's tree heads and the
audit log's checkpoints: one key signs both).

Every key after the first carries an endorsement: the previous key's signature over
:func:`endorsed_text`. So whoever trusted the old key can trust the new one after
``ecabinet log rotate-key`` without asking the operator, and a key that no trusted key
endorsed (a key file replaced by hand, an attacker's key) stays untrusted. The operator's
own checks, the publication-log monitor and the audit witness all apply :func:`chain`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEYS_PATH = "/api/v1/public/log/keys"
"""Where a deployment serves its key set (every key, in order of creation)."""


class KeyRow(Protocol):
    """A key as the key set lists it (the ``publication_log_key`` row, or as served)."""

    @property
    def key_id(self) -> str: ...
    @property
    def public_key(self) -> str: ...
    @property
    def endorsed_by(self) -> str | None: ...
    @property
    def endorsement(self) -> str | None: ...


@dataclass(frozen=True)
class ServedKey:
    """A key read from a deployment's public key set."""

    key_id: str
    public_key: str
    endorsed_by: str | None
    endorsement: str | None


def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def key_id_of(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The key's id: SHA-256 of its 32 raw bytes, hex (as CT names a log by its key)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def endorsed_text(key_id: str, pem: str) -> bytes:
    """What the previous key signs to hand over to the key ``key_id``."""
    return f"ecabinet-publication-log-key:v1:{key_id}:{pem.strip()}".encode()


def load_public(pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


@dataclass(frozen=True)
class KeySet:
    """The public keys heads may be signed with, by id; ``first`` checks the heads signed
    before heads named their key (signed text v1)."""

    keys: dict[str, Ed25519PublicKey]
    first: str | None

    @classmethod
    def of(cls, *keys: Ed25519PublicKey) -> KeySet:
        ids = [key_id_of(k) for k in keys]
        return cls(dict(zip(ids, keys, strict=True)), ids[0] if ids else None)


def _endorsed(row: KeyRow, keys: Mapping[str, Ed25519PublicKey]) -> bool:
    endorser = keys.get(row.endorsed_by or "")
    if endorser is None:
        return False
    try:
        endorser.verify(
            base64.b64decode(row.endorsement or ""), endorsed_text(row.key_id, row.public_key)
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def chain(
    rows: Sequence[KeyRow], trusted: Mapping[str, Ed25519PublicKey] | None = None
) -> tuple[KeySet, list[str]]:
    """The keys a reader may trust from ``rows`` (in order of creation), and what is wrong
    with the others.

    With nothing ``trusted`` yet: the first key (trusted on first use), then each key
    endorsed by one already trusted. With ``trusted`` keys (what a follower accepted on an
    earlier run): those, then each later key endorsed by one accepted; keys older than the
    first trusted one are history this reader never vouched for (not trusted, not judged).
    ``first`` is the set's first key when it is trusted."""
    keys: dict[str, Ed25519PublicKey] = {}
    first: str | None = None
    problems: list[str] = []
    for n, row in enumerate(rows):
        try:
            public = load_public(row.public_key)
        except ValueError:
            problems.append(f"key {row.key_id[:16]} is not an Ed25519 public key")
            continue
        if key_id_of(public) != row.key_id:
            problems.append(f"key {row.key_id[:16]} does not match its id")
            continue
        if trusted is None and first is None and row.endorsed_by is None:
            first = row.key_id
            keys[row.key_id] = public
            continue
        if trusted is not None and row.key_id in trusted:
            first = row.key_id if n == 0 else first
            keys[row.key_id] = public
            continue
        if trusted is not None and not keys:
            continue  # before any key this reader trusts
        if not _endorsed(row, keys):
            problems.append(f"key {row.key_id[:16]} is not endorsed by an earlier key")
            continue
        keys[row.key_id] = public
    return KeySet(keys, first), problems


def served_rows(data: Any) -> list[ServedKey]:
    """The keys of a served key set (:data:`KEYS_PATH`'s JSON); ``ValueError`` when it
    is not one."""
    try:
        return [
            ServedKey(
                key_id=str(k["key_id"]),
                public_key=str(k["public_key"]),
                endorsed_by=str(k["endorsed_by"]) if k.get("endorsed_by") else None,
                endorsement=str(k["endorsement"]) if k.get("endorsement") else None,
            )
            for k in data["keys"]
        ]
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a key set: {exc}") from None


def follow(served: Any, trusted: Mapping[str, Ed25519PublicKey]) -> tuple[KeySet, list[str]]:
    """What a reader outside the server (a monitor, a witness) trusts of a served key set:
    the keys it trusted before and every key they endorsed since (nothing trusted yet: the
    chain from the first key). Problems name keys nobody trusted endorsed, and trusted
    keys the set no longer lists."""
    keys, problems = chain(served_rows(served), dict(trusted) or None)
    problems += [f"the trusted key {k[:16]} is gone" for k in trusted if k not in keys.keys]
    return keys, problems
