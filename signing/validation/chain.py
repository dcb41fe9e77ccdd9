"""Certificate paths: from a signer's certificate up to a trust anchor, checked at a time.

The pool is every certificate at hand (the CMS, the DSS, time-stamp tokens, fetched
issuers); anchors are the configured trust roots. Each link is a signature checked with
the issuer's key; CA certificates must be CAs allowed to sign certificates, within their
path length, and valid at the time judged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography import x509

from signing.revocation import find_issuer
from signing.validation.report import Note

MAX_DEPTH = 10


def _same_entity(a: x509.Certificate, b: x509.Certificate) -> bool:
    return a == b or (a.subject == b.subject and a.public_key() == b.public_key())


def _ext(cert: x509.Certificate, kind: type[x509.ExtensionType]) -> object | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except (x509.ExtensionNotFound, ValueError):
        return None


@dataclass
class Path:
    certs: list[x509.Certificate]
    """Leaf first; the anchor last when :attr:`trusted`."""
    anchor: x509.Certificate | None = None
    problems: list[Note] = field(default_factory=list)

    @property
    def trusted(self) -> bool:
        return self.anchor is not None

    @property
    def issuers(self) -> list[tuple[x509.Certificate, x509.Certificate]]:
        """(certificate, its issuer) for each link."""
        return list(zip(self.certs, self.certs[1:], strict=False))


def build_path(
    leaf: x509.Certificate,
    pool: Sequence[x509.Certificate],
    anchors: Sequence[x509.Certificate],
) -> Path:
    """The path from ``leaf`` towards an anchor; anchors are preferred as issuers."""
    path = Path([leaf])
    current = leaf
    for _ in range(MAX_DEPTH):
        anchor = next((a for a in anchors if _same_entity(a, current)), None)
        if anchor is not None:
            path.anchor = anchor
            return path
        issuer = find_issuer(current, anchors) or find_issuer(current, pool)
        if issuer is None or any(_same_entity(issuer, c) for c in path.certs):
            return path  # the path ends (or loops) short of an anchor
        path.certs.append(issuer)
        current = issuer
    return path


def check_path(path: Path, moment: dt.datetime) -> None:
    """Record in ``path.problems`` what breaks the chain at ``moment`` (the leaf's own
    validity is judged by the caller, which knows whether the time is proven)."""
    cas = path.certs[1:]
    for depth, cert in enumerate(cas):
        name = cert.subject.rfc4514_string()
        is_anchor = path.anchor is not None and cert is path.certs[-1]
        constraints = _ext(cert, x509.BasicConstraints)
        if not is_anchor and (constraints is None or not constraints.ca):  # type: ignore[attr-defined]
            path.problems.append(
                Note(
                    f"Chứng thư {name} không phải chứng thư của CA.",
                    f"The certificate {name} is not a CA certificate.",
                )
            )
        limit = getattr(constraints, "path_length", None)
        if limit is not None and depth > limit:
            path.problems.append(
                Note(
                    f"Chuỗi vượt quá độ dài cho phép của {name}.",
                    f"The chain is longer than {name} allows.",
                )
            )
        usage = _ext(cert, x509.KeyUsage)
        if usage is not None and not usage.key_cert_sign:  # type: ignore[attr-defined]
            path.problems.append(
                Note(
                    f"Chứng thư {name} không được phép ký chứng thư khác.",
                    f"The certificate {name} may not sign certificates.",
                )
            )
        if not cert.not_valid_before_utc <= moment <= cert.not_valid_after_utc:
            path.problems.append(
                Note(
                    f"Chứng thư CA {name} không còn hiệu lực vào thời điểm kiểm tra.",
                    f"The CA certificate {name} is not valid at the time checked.",
                )
            )


def usable_for_signing(cert: x509.Certificate) -> bool:
    """digitalSignature or nonRepudiation when a key usage is given (Vietnamese
    officials' certificates do not always carry nonRepudiation: either will do)."""
    usage = _ext(cert, x509.KeyUsage)
    if usage is None:
        return True
    return bool(usage.digital_signature or usage.content_commitment)  # type: ignore[attr-defined]


def usable_for_timestamping(cert: x509.Certificate) -> bool:
    usage = _ext(cert, x509.ExtendedKeyUsage)
    return usage is not None and x509.oid.ExtendedKeyUsageOID.TIME_STAMPING in usage  # type: ignore[operator]
