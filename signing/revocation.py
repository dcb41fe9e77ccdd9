"""Revocation data: fetching OCSP responses and CRLs, and reading what they say.

Used twice: when a signature is raised to B-LT the data is fetched and stored in the
file's DSS; when a signature is validated, the data found in the file (or fetched, for
chains that already reach a trust anchor) is checked against the certificate.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID

from signing.embedded import to_x509
from signing.errors import NetworkError, SigningError
from signing.http import fetch

OCSP_NO_CHECK = x509.oid.ObjectIdentifier("1.3.6.1.5.5.7.48.1.5")
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def _extension(cert: x509.Certificate, kind: type[x509.ExtensionType]) -> object | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None
    except ValueError:  # a malformed extension: treat as absent
        return None


def _access_urls(cert: x509.Certificate, method: x509.ObjectIdentifier) -> list[str]:
    """The addresses of one kind in the certificate's authority information access."""
    aia = _extension(cert, x509.AuthorityInformationAccess)
    return [
        d.access_location.value
        for d in (aia or [])  # type: ignore[attr-defined]
        if d.access_method == method
        and isinstance(d.access_location, x509.UniformResourceIdentifier)
    ]


def ocsp_urls(cert: x509.Certificate) -> list[str]:
    return _access_urls(cert, AuthorityInformationAccessOID.OCSP)


def ca_issuer_urls(cert: x509.Certificate) -> list[str]:
    return _access_urls(cert, AuthorityInformationAccessOID.CA_ISSUERS)


def crl_urls(cert: x509.Certificate) -> list[str]:
    points = _extension(cert, x509.CRLDistributionPoints)
    return [
        name.value
        for point in (points or [])  # type: ignore[attr-defined]
        for name in (point.full_name or [])
        if isinstance(name, x509.UniformResourceIdentifier)
    ]


def is_self_signed(cert: x509.Certificate) -> bool:
    return cert.issuer == cert.subject and issued_by(cert, cert)


def needs_revocation_check(cert: x509.Certificate) -> bool:
    """False for roots, OCSP responders marked no-check, and certificates that name no
    place to check (their CA publishes nothing: nothing can be asked)."""
    if is_self_signed(cert):
        return False
    try:
        cert.extensions.get_extension_for_oid(OCSP_NO_CHECK)
        return False
    except x509.ExtensionNotFound:
        pass
    return bool(ocsp_urls(cert) or crl_urls(cert))


def issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True when ``issuer``'s key signed ``cert`` (names must match too)."""
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def find_issuer(
    cert: x509.Certificate, pool: Iterable[x509.Certificate]
) -> x509.Certificate | None:
    for candidate in pool:
        if candidate.subject == cert.issuer and issued_by(cert, candidate):
            return candidate
    return None


def verify_signature(
    key: object, signature: bytes, data: bytes, algorithm: hashes.HashAlgorithm | None
) -> bool:
    """Check an RSA (PKCS#1 v1.5) or ECDSA signature; False on any mismatch."""
    if algorithm is None:
        return False
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(algorithm))
        else:
            return False
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True


class Status(StrEnum):
    good = "good"
    revoked = "revoked"
    unknown = "unknown"


@dataclass(frozen=True)
class RevocationFinding:
    """What one OCSP response or CRL says about one certificate."""

    status: Status
    source: str
    """``ocsp`` or ``crl``."""
    this_update: dt.datetime
    next_update: dt.datetime | None
    revoked_at: dt.datetime | None = None
    reason: str | None = None
    responder: x509.Certificate | None = None
    """The delegated OCSP responder, whose own status may need checking."""


def read_ocsp(
    data: bytes, cert: x509.Certificate, issuer: x509.Certificate
) -> RevocationFinding | None:
    """The answer of an OCSP response about ``cert``, if the response is about it, is
    successful and is signed by ``issuer`` or a responder ``issuer`` authorised.

    Read with asn1crypto, which accepts what responders really send (fractional seconds
    in times, for one), where a strict DER parser refuses the whole response."""
    try:
        response = asn1_ocsp.OCSPResponse.load(data)
        if response["response_status"].native != "successful":
            return None
        basic = response["response_bytes"]["response"].parsed
        tbs = basic["tbs_response_data"]
        carried = [c for c in (to_x509(x) for x in basic["certs"] or []) if c is not None]
        responder = _ocsp_signer(tbs["responder_id"], carried, issuer)
        hash_name = basic["signature_algorithm"].hash_algo
        if responder is None or hash_name not in _HASHES:
            return None
        if not verify_signature(
            responder.public_key(),
            basic["signature"].native,
            tbs.dump(),
            _HASHES[hash_name](),
        ):
            return None
        issuer_asn1 = asn1_x509.Certificate.load(issuer.public_bytes(serialization.Encoding.DER))
        for single in tbs["responses"]:
            cert_id = single["cert_id"]
            algorithm = cert_id["hash_algorithm"]["algorithm"].native
            if (
                cert_id["serial_number"].native != cert.serial_number
                or algorithm not in _HASHES
                or cert_id["issuer_name_hash"].native
                != hashlib.new(algorithm, issuer_asn1.subject.dump()).digest()
                or cert_id["issuer_key_hash"].native
                != hashlib.new(
                    algorithm, issuer_asn1.public_key["public_key"].contents[1:]
                ).digest()
            ):
                continue
            state = single["cert_status"]
            revoked = state.name == "revoked"
            return RevocationFinding(
                {"good": Status.good, "revoked": Status.revoked}.get(state.name, Status.unknown),
                "ocsp",
                single["this_update"].native,
                single["next_update"].native,
                state.chosen["revocation_time"].native if revoked else None,
                state.chosen["revocation_reason"].native if revoked else None,
                responder if responder is not issuer else None,
            )
    except (ValueError, TypeError, KeyError, AttributeError, UnsupportedAlgorithm):
        return None
    return None


def _ocsp_signer(
    responder_id: Any, carried: list[x509.Certificate], issuer: x509.Certificate
) -> x509.Certificate | None:
    """The issuer itself, or a responder certificate it issued for OCSP signing."""
    for candidate in [issuer, *carried]:
        if not _responder_is(responder_id, candidate):
            continue
        if candidate is issuer:
            return issuer
        usage = _extension(candidate, x509.ExtendedKeyUsage)
        if (
            issued_by(candidate, issuer)
            and usage is not None
            and ExtendedKeyUsageOID.OCSP_SIGNING in usage  # type: ignore[operator]
        ):
            return candidate
    return None


def _responder_is(responder_id: Any, cert: x509.Certificate) -> bool:
    if responder_id.name == "by_name":
        return bool(responder_id.chosen.dump() == cert.subject.public_bytes())
    # byKey: SHA-1 of the key's BIT STRING, what RFC 5280's method (1) key identifier is.
    key_id = x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest
    return bool(responder_id.chosen.native == key_id)


def read_crl(
    data: bytes, cert: x509.Certificate, issuer: x509.Certificate
) -> RevocationFinding | None:
    """The answer of a CRL about ``cert``, if ``issuer`` signed it."""
    try:
        crl = x509.load_der_x509_crl(data)
    except ValueError:
        try:
            crl = x509.load_pem_x509_crl(data)
        except ValueError:
            return None
    try:
        if crl.issuer != issuer.subject or not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
            return None
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None
    if entry is None:
        return RevocationFinding(Status.good, "crl", crl.last_update_utc, crl.next_update_utc)
    reason = None
    with contextlib.suppress(x509.ExtensionNotFound, ValueError):
        reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason.name
    return RevocationFinding(
        Status.revoked,
        "crl",
        crl.last_update_utc,
        crl.next_update_utc,
        entry.revocation_date_utc,
        reason,
    )


@dataclass
class ValidationData:
    """Certificates and revocation data to keep in a file's DSS (DER each)."""

    certs: list[bytes] = field(default_factory=list)
    ocsps: list[bytes] = field(default_factory=list)
    crls: list[bytes] = field(default_factory=list)

    def add_cert(self, cert: x509.Certificate) -> None:
        der = cert.public_bytes(serialization.Encoding.DER)
        if der not in self.certs:
            self.certs.append(der)


@dataclass
class Fetcher:
    """Fetches OCSP responses, CRLs and missing CA certificates over HTTP (cached per
    instance: one signing or validation run)."""

    timeout: float = 10.0
    known: list[x509.Certificate] = field(default_factory=list)
    """Certificates to complete chains with before asking the network (trust anchors,
    configured intermediates)."""
    _cache: dict[tuple[str, bytes], bytes] = field(default_factory=dict, repr=False)

    def get(self, url: str, body: bytes | None = None, content_type: str = "") -> bytes:
        key = (url, body or b"")
        if key not in self._cache:
            self._cache[key] = fetch(
                url, timeout=self.timeout, body=body, content_type=content_type
            )
        return self._cache[key]

    def ocsp(self, cert: x509.Certificate, issuer: x509.Certificate) -> bytes | None:
        """A verified OCSP response about ``cert`` from its responder, or None."""
        request = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1()).build()  # noqa: S303 (the OCSP CertID hash most responders expect)
        body = request.public_bytes(serialization.Encoding.DER)
        for url in ocsp_urls(cert):
            try:
                data = self.get(url, body, "application/ocsp-request")
            except NetworkError:
                continue
            if read_ocsp(data, cert, issuer) is not None:
                return data
        return None

    def crl(self, cert: x509.Certificate, issuer: x509.Certificate) -> bytes | None:
        for url in crl_urls(cert):
            try:
                data = self.get(url)
            except NetworkError:
                continue
            if read_crl(data, cert, issuer) is not None:
                return data
        return None

    def issuer(self, cert: x509.Certificate) -> x509.Certificate | None:
        """The issuer certificate from the certificate's caIssuers address."""
        for url in ca_issuer_urls(cert):
            try:
                data = self.get(url)
            except NetworkError:
                continue
            for loader in (x509.load_der_x509_certificate, x509.load_pem_x509_certificate):
                try:
                    candidate = loader(data)
                except ValueError:
                    continue
                if issued_by(cert, candidate):
                    return candidate
        return None


def unavailable(cert: x509.Certificate) -> SigningError:
    name = cert.subject.rfc4514_string()
    return SigningError(
        "revocation.unavailable",
        f"Không lấy được thông tin thu hồi (OCSP/CRL) cho chứng thư {name}.",
        f"No revocation data (OCSP/CRL) could be fetched for the certificate {name}.",
    )


def gather(
    leaves: list[x509.Certificate], pool: list[x509.Certificate], fetcher: Fetcher
) -> ValidationData:
    """Everything a validator needs later for the chains of ``leaves``: each certificate
    up to the root, and an OCSP response (else a CRL) for each one that can be checked.
    Raises :func:`unavailable` when a certificate names a place to check but no answer
    could be had (a B-LT claim without it would be false)."""
    data = ValidationData()
    known = [*pool, *fetcher.known]
    todo = list(leaves)
    done: set[bytes] = set()
    while todo:
        cert = todo.pop(0)
        der = cert.public_bytes(serialization.Encoding.DER)
        if der in done:
            continue
        done.add(der)
        data.add_cert(cert)
        if is_self_signed(cert):
            continue
        issuer = find_issuer(cert, known) or fetcher.issuer(cert)
        if issuer is None:
            if needs_revocation_check(cert):
                raise unavailable(cert)
            continue  # the chain ends here: the validator will say so
        known.append(issuer)
        todo.append(issuer)
        if not needs_revocation_check(cert):
            continue
        answer = fetcher.ocsp(cert, issuer)
        if answer is not None:
            data.ocsps.append(answer)
            finding = read_ocsp(answer, cert, issuer)
            if finding is not None and finding.responder is not None:
                todo.append(finding.responder)
            continue
        crl = fetcher.crl(cert, issuer)
        if crl is None:
            raise unavailable(cert)
        if crl not in data.crls:
            data.crls.append(crl)
    return data
