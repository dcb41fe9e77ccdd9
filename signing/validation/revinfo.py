"""Revocation status of each certificate of a path, at the time judged.

Sources, in order: what the file holds (the DSS, the signature's own revocation
archive), then — only with a fetcher, and only for a path that reaches a trust anchor —
the OCSP responder or CRL named in the certificate. A response says "good at T" when it
was issued after T or T falls within its validity window; "revoked at T" when the
revocation time is not after T.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cryptography import x509

from signing.errors import SigningError
from signing.revocation import (
    Fetcher,
    RevocationFinding,
    Status,
    needs_revocation_check,
    read_crl,
    read_ocsp,
)
from signing.validation.report import CertificateInfo, RevocationCheck

SKEW = dt.timedelta(minutes=5)
"""Clock difference tolerated between the time judged and a response's issue time."""


@dataclass
class Sources:
    """Revocation data found in the file (DER each)."""

    ocsps: list[bytes] = field(default_factory=list)
    crls: list[bytes] = field(default_factory=list)


def _usable(finding: RevocationFinding, moment: dt.datetime) -> bool:
    if finding.this_update + SKEW >= moment:
        return True  # issued after the time judged: speaks for it
    return finding.next_update is None or moment <= finding.next_update


def _judge(findings: list[RevocationFinding], moment: dt.datetime) -> RevocationFinding | None:
    for finding in findings:
        if finding.status is Status.revoked and finding.revoked_at and finding.revoked_at <= moment:
            return finding
    usable = [f for f in findings if f.status is not Status.unknown and _usable(f, moment)]
    return max(usable, key=lambda f: f.this_update) if usable else None


def _check(
    cert: x509.Certificate, finding: RevocationFinding, origin: str, moment: dt.datetime
) -> RevocationCheck:
    revoked_before = finding.revoked_at is not None and finding.revoked_at <= moment
    return RevocationCheck(
        certificate=CertificateInfo.of(cert).display,
        status="revoked" if revoked_before else "good",
        source=finding.source,
        origin=origin,
        issued_at=finding.this_update,
        revoked_at=finding.revoked_at,
        reason=finding.reason,
    )


def status_at(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    moment: dt.datetime,
    sources: Sources,
    fetcher: Fetcher | None,
) -> RevocationCheck:
    """The status of ``cert`` (issued by ``issuer``) at ``moment``."""
    name = CertificateInfo.of(cert).display
    if not needs_revocation_check(cert):
        return RevocationCheck(name, "not_applicable")
    found = [f for f in (read_ocsp(d, cert, issuer) for d in sources.ocsps) if f is not None]
    found += [f for f in (read_crl(d, cert, issuer) for d in sources.crls) if f is not None]
    verdict = _judge(found, moment)
    if verdict is not None:
        return _check(cert, verdict, "file", moment)
    if fetcher is not None:
        for get, read in ((fetcher.ocsp, read_ocsp), (fetcher.crl, read_crl)):
            try:
                data = get(cert, issuer)
            except SigningError:
                continue
            finding = read(data, cert, issuer) if data is not None else None
            verdict = _judge([finding], moment) if finding is not None else None
            if verdict is not None:
                return _check(cert, verdict, "online", moment)
    return RevocationCheck(name, "unknown")
