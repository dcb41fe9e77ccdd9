"""CMS SignedData for PAdES baseline (ETSI EN 319 142-1, CAdES detached).

Signed attributes: content-type, message-digest and ESS signing-certificate-v2; no
signing-time (the claimed time goes in the signature dictionary's /M).
"""

from __future__ import annotations

import hashlib

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from signing import der

OID_DATA = "1.2.840.113549.1.7.1"
OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_CONTENT_TYPE = "1.2.840.113549.1.9.3"
OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
OID_SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"
OID_SIGNATURE_TIME_STAMP = "1.2.840.113549.1.9.16.2.14"
OID_SHA256 = "2.16.840.1.101.3.4.2.1"
OID_RSA = "1.2.840.113549.1.1.1"
OID_ECDSA_SHA256 = "1.2.840.10045.4.3.2"
SHA256_ALG = der.sequence(der.oid(OID_SHA256))


def attribute(oid: str, value: bytes) -> bytes:
    """One CMS Attribute with a single (already encoded) value."""
    return der.sequence(der.oid(oid), der.set_of(value))


def _issuer_and_serial(cert: x509.Certificate) -> tuple[bytes, bytes]:
    return cert.issuer.public_bytes(), der.integer(cert.serial_number)


def signed_attributes(message_digest: bytes, cert: x509.Certificate) -> bytes:
    """DER of the signed attributes as a SET (this is what the key signs)."""
    issuer, serial = _issuer_and_serial(cert)
    ess_cert_id = der.sequence(
        # hashAlgorithm is left out: its DEFAULT is SHA-256 (RFC 5035).
        der.octet_string(hashlib.sha256(cert.public_bytes(Encoding.DER)).digest()),
        der.sequence(der.sequence(der.explicit(4, issuer)), serial),
    )
    signing_certificate_v2 = der.sequence(der.sequence(ess_cert_id))
    return der.set_of(
        attribute(OID_CONTENT_TYPE, der.oid(OID_DATA)),
        attribute(OID_MESSAGE_DIGEST, der.octet_string(message_digest)),
        attribute(OID_SIGNING_CERTIFICATE_V2, signing_certificate_v2),
    )


def signed_data(
    attrs: bytes,
    signature: bytes,
    cert: x509.Certificate,
    chain: list[x509.Certificate],
    unsigned: list[bytes] | None = None,
) -> bytes:
    """DER ContentInfo(SignedData) with no encapsulated content (detached).

    ``unsigned``: encoded attributes (see :func:`attribute`) for the unsigned attributes,
    such as the signature time-stamp of PAdES B-T.
    """
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        sig_alg = der.sequence(der.oid(OID_RSA), der.null())
    elif isinstance(key, ec.EllipticCurvePublicKey):
        sig_alg = der.sequence(der.oid(OID_ECDSA_SHA256))
    else:  # pragma: no cover - key sources only hold RSA or EC keys
        raise TypeError("unsupported key type")
    issuer, serial = _issuer_and_serial(cert)
    signer_info = der.sequence(
        der.integer(1),
        der.sequence(issuer, serial),
        SHA256_ALG,
        der.implicit_constructed(0, attrs),
        sig_alg,
        der.octet_string(signature),
        der.tlv(0xA1, b"".join(sorted(unsigned))) if unsigned else b"",
    )
    certs: list[bytes] = []
    for c in [cert, *chain]:
        encoded = c.public_bytes(Encoding.DER)
        if encoded not in certs:
            certs.append(encoded)
    content = der.sequence(
        der.integer(1),
        der.set_of(SHA256_ALG),
        der.sequence(der.oid(OID_DATA)),
        der.tlv(0xA0, b"".join(certs)),
        der.set_of(signer_info),
    )
    return der.sequence(der.oid(OID_SIGNED_DATA), der.explicit(0, content))
