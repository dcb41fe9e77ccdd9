"""PAdES baseline signing (ETSI EN 319 142-1), B-B to B-LTA.

B-B is the fast path: append the field with a placeholder, hash the two covered byte
ranges, sign the CMS signed attributes with the key source, write the CMS into the
placeholder. B-T adds a time-stamp over the signature value as an unsigned attribute;
B-LT and B-LTA are later incremental updates (:mod:`signing.ltv`). Two-step (deferred)
signing uses the same steps split at the key: :func:`begin` gives the bytes to sign,
:func:`finish` embeds the signature made elsewhere.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from signing import cms as cms_build
from signing import ltv
from signing.errors import missing_tsa
from signing.fields import Prepared, prepare
from signing.keys import KeySource, check_signature
from signing.revocation import Fetcher
from signing.specs import FieldSpec, Level
from signing.tsp import TimestampAuthority


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


def contents_size(
    certificate: x509.Certificate, chain: list[x509.Certificate], *, timestamped: bool
) -> int:
    """Bytes to reserve for the CMS: the certificates, the signature and attributes, and
    room for a time-stamp token (which carries the TSA's own certificates)."""
    certs = sum(len(c.public_bytes(Encoding.DER)) for c in [certificate, *chain])
    return 4096 + certs + (16_384 if timestamped else 0)


def begin(
    data: bytes,
    certificate: x509.Certificate,
    chain: list[x509.Certificate],
    spec: FieldSpec,
    *,
    timestamped: bool = False,
) -> Pending:
    """Prepare ``data`` for a signature by ``certificate``; nothing is signed yet.

    ``timestamped`` reserves room for the B-T time-stamp that :func:`finish` will add."""
    if not spec.contents_size:
        spec = replace(
            spec, contents_size=contents_size(certificate, chain, timestamped=timestamped)
        )
    prepared = prepare(data, spec)
    digest = hashlib.sha256()
    for part in prepared.covered():
        digest.update(part)
    attrs = cms_build.signed_attributes(digest.digest(), certificate)
    return Pending(prepared, attrs, certificate, chain)


def finish(pending: Pending, signature: bytes, *, tsa: TimestampAuthority | None = None) -> bytes:
    """Embed a signature over :attr:`Pending.to_be_signed`; return the signed file.

    With ``tsa``, the signature value is time-stamped (PAdES B-T). The signature is
    checked against the certificate's public key first: one that does not verify is a
    :class:`signing.errors.BadKey` (``key.signature_mismatch``), never an embedded
    signature that every reader rejects."""
    check_signature(pending.certificate, pending.attrs, signature)
    unsigned = []
    if tsa is not None:
        token = tsa.timestamp(hashlib.sha256(signature).digest())
        unsigned.append(cms_build.attribute(cms_build.OID_SIGNATURE_TIME_STAMP, token))
    blob = cms_build.signed_data(
        pending.attrs, signature, pending.certificate, pending.chain, unsigned
    )
    return pending.prepared.embed(blob)


def sign_pdf(
    data: bytes,
    key: KeySource,
    spec: FieldSpec,
    *,
    level: Level = Level.B_B,
    tsa: TimestampAuthority | None = None,
    fetcher: Fetcher | None = None,
) -> bytes:
    """Sign ``data`` with ``key`` at PAdES ``level``; the result is ``data`` plus one
    incremental update (B-B, B-T), plus a DSS update (B-LT), plus a document time-stamp
    (B-LTA). Levels above B-B need ``tsa``; B-LT and B-LTA fetch revocation data with
    ``fetcher``."""
    if level is not Level.B_B and tsa is None:
        raise missing_tsa(level)
    stamp = tsa if level is not Level.B_B else None
    pending = begin(data, key.certificate, key.chain, spec, timestamped=stamp is not None)
    return raise_level(
        finish(pending, key.sign(pending.to_be_signed), tsa=stamp), level, tsa, fetcher
    )


def raise_level(
    signed: bytes,
    level: Level,
    tsa: TimestampAuthority | None,
    fetcher: Fetcher | None = None,
) -> bytes:
    """What comes after a (B-T) signature for ``level``: B-LT adds the validation data
    (fetched with ``fetcher``), B-LTA a document time-stamp over it."""
    if level in (Level.B_LT, Level.B_LTA):
        signed = ltv.add_validation_data(signed, fetcher or Fetcher())
    if level is Level.B_LTA:
        if tsa is None:
            raise missing_tsa(level)
        signed = ltv.add_document_timestamp(signed, tsa)
    return signed
