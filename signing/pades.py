"""PAdES baseline B-B signing (ETSI EN 319 142-1): the fast path of this library.

One pass: append the field with a placeholder, hash the two covered byte ranges, sign
the CMS signed attributes with the key source, write the CMS into the placeholder.
Two-step (deferred) signing uses the same steps split at the key: :func:`begin` gives
the bytes to sign, :func:`finish` embeds the signature made elsewhere.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography import x509

from signing import cms as cms_build
from signing.fields import Prepared, prepare
from signing.keys import KeySource, check_signature
from signing.specs import FieldSpec


@dataclass
class Pending:
    """A prepared file waiting for its signature (two-step signing)."""

    prepared: Prepared
    attrs: bytes
    """DER of the signed attributes (a SET)."""
    certificate: x509.Certificate
    chain: list[x509.Certificate]

    @property
    def to_be_signed(self) -> bytes:
        """The DER of the signed attributes: what the key signs (with SHA-256)."""
        return self.attrs

    @property
    def digest(self) -> bytes:
        """SHA-256 of :attr:`to_be_signed`, for signers that take a prehashed digest."""
        return hashlib.sha256(self.to_be_signed).digest()


def begin(
    data: bytes, certificate: x509.Certificate, chain: list[x509.Certificate], spec: FieldSpec
) -> Pending:
    """Prepare ``data`` for a signature by ``certificate``; nothing is signed yet."""
    prepared = prepare(data, spec)
    digest = hashlib.sha256()
    for part in prepared.covered():
        digest.update(part)
    attrs = cms_build.signed_attributes(digest.digest(), certificate)
    return Pending(prepared, attrs, certificate, chain)


def finish(pending: Pending, signature: bytes) -> bytes:
    """Embed a signature over :attr:`Pending.to_be_signed`; return the signed file.

    The signature is checked against the certificate's public key first: one that does
    not verify is a :class:`signing.errors.BadKey` (``key.signature_mismatch``), never an
    embedded signature that every reader rejects."""
    check_signature(pending.certificate, pending.attrs, signature)
    blob = cms_build.signed_data(pending.attrs, signature, pending.certificate, pending.chain)
    return pending.prepared.embed(blob)


def sign_pdf(data: bytes, key: KeySource, spec: FieldSpec) -> bytes:
    """Sign ``data`` at PAdES B-B with ``key``; the result is ``data`` plus one update."""
    pending = begin(data, key.certificate, key.chain, spec)
    return finish(pending, key.sign(pending.to_be_signed))
