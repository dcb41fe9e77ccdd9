"""CMS SignedData for PAdES baseline (ETSI EN 319 142-1, CAdES detached).

Signed attributes: content-type, message-digest and ESS signing-certificate-v2; no
signing-time (the claimed time goes in the signature dictionary's /M).
"""

from __future__ import annotations

import hashlib

from asn1crypto import algos, cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))


def signed_attributes(message_digest: bytes, cert: x509.Certificate) -> cms.CMSAttributes:
    """The attributes the signature covers, in DER order."""
    der = cert.public_bytes(Encoding.DER)
    a = _asn1(cert)
    ess = tsp.SigningCertificateV2(
        {
            "certs": [
                tsp.ESSCertIDv2(
                    {
                        "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                        "cert_hash": hashlib.sha256(der).digest(),
                        "issuer_serial": {
                            "issuer": [asn1_x509.GeneralName({"directory_name": a.issuer})],
                            "serial_number": a.serial_number,
                        },
                    }
                )
            ]
        }
    )
    attrs = cms.CMSAttributes(
        [
            cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
            cms.CMSAttribute({"type": "message_digest", "values": [message_digest]}),
            cms.CMSAttribute({"type": "signing_certificate_v2", "values": [ess]}),
        ]
    )
    # Re-load from DER so the SET OF is in canonical order for signing and embedding alike.
    return cms.CMSAttributes.load(attrs.dump(force=True))


def signed_data(
    attrs: cms.CMSAttributes,
    signature: bytes,
    cert: x509.Certificate,
    chain: list[x509.Certificate],
) -> bytes:
    """DER ContentInfo(SignedData) with no encapsulated content (detached)."""
    a = _asn1(cert)
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        sig_alg = {"algorithm": "rsassa_pkcs1v15"}
    elif isinstance(key, ec.EllipticCurvePublicKey):
        sig_alg = {"algorithm": "sha256_ecdsa"}
    else:  # pragma: no cover - key sources only hold RSA or EC keys
        raise TypeError("unsupported key type")
    signer = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {"issuer_and_serial_number": {"issuer": a.issuer, "serial_number": a.serial_number}}
            ),
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": attrs,
            "signature_algorithm": sig_alg,
            "signature": signature,
        }
    )
    seen: set[bytes] = set()
    certs = []
    for c in [cert, *chain]:
        der = c.public_bytes(Encoding.DER)
        if der not in seen:
            seen.add(der)
            certs.append(cms.CertificateChoices({"certificate": asn1_x509.Certificate.load(der)}))
    data = cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {"content_type": "data"},
            "certificates": certs,
            "signer_infos": [signer],
        }
    )
    return bytes(cms.ContentInfo({"content_type": "signed_data", "content": data}).dump())
