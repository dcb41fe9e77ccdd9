"""Trust anchors: the root certificates a validation trusts, read from PEM or DER files.

Which files is configuration (the app's trust folder; the demo root only in demo mode);
this module only reads them, skipping what is not a certificate with a clear message.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cryptography import x509

from signing.errors import SigningError


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle, or the one DER certificate."""
    if b"-----BEGIN CERTIFICATE-----" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def load_anchors(paths: Iterable[Path]) -> list[x509.Certificate]:
    """The certificates in ``paths``: files, or folders whose ``*.pem``/``*.crt``/``*.cer``
    files are read in name order. A file that holds no certificate is an error naming it."""
    anchors: list[x509.Certificate] = []
    for path in paths:
        files = (
            sorted(p for p in path.iterdir() if p.suffix.lower() in (".pem", ".crt", ".cer"))
            if path.is_dir()
            else [path]
        )
        for file in files:
            try:
                found = load_certificates(file.read_bytes())
            except (OSError, ValueError):
                raise SigningError(
                    "trust.bad_anchor",
                    f"Tệp {file} không chứa chứng thư số gốc đọc được.",
                    f"The file {file} holds no readable certificate.",
                ) from None
            anchors += [c for c in found if c not in anchors]
    return anchors
