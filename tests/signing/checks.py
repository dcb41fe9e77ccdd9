"""Validators we did not write: poppler's pdfsig and pyHanko."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


def pdfsig(path: Path) -> str:
    if shutil.which("pdfsig") is None:
        pytest.fail("pdfsig is missing: `make test` installs poppler-utils")
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    return result.stdout + result.stderr


@dataclass
class Verdict:
    field: str
    intact: bool
    valid: bool
    trusted: bool
    coverage: str
    modification: str


def pyhanko_verdicts(data: bytes, root: x509.Certificate) -> list[Verdict]:
    anchor = asn1_x509.Certificate.load(root.public_bytes(Encoding.DER))
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    out = []
    for sig in reader.embedded_signatures:
        status = validate_pdf_signature(sig, ValidationContext(trust_roots=[anchor]))
        out.append(
            Verdict(
                sig.field_name,
                status.intact,
                status.valid,
                status.trusted,
                status.coverage.name,
                status.modification_level.name if status.modification_level else "",
            )
        )
    return out


@dataclass
class LtvVerdict:
    field: str
    intact: bool
    trusted: bool
    timestamp_trusted: bool
    """pyHanko found a signature time-stamp, intact and trusted."""


def _hard_fail_context(
    reader: PdfFileReader, root: x509.Certificate, *, fetch: bool = False
) -> ValidationContext:
    """Revocation checks that fail hard, with the file's DSS as the only source unless
    ``fetch``: trusted then means the file carries every certificate and an OCSP
    response or CRL for each one (what B-LT promises)."""
    from pyhanko.sign.validation import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError

    anchor = asn1_x509.Certificate.load(root.public_bytes(Encoding.DER))
    settings = {"trust_roots": [anchor], "allow_fetching": fetch, "revocation_mode": "hard-fail"}
    try:
        return DocumentSecurityStore.read_dss(reader).as_validation_context(settings)
    except NoDSSFoundError:
        return ValidationContext(ocsps=[], crls=[], **settings)  # type: ignore[arg-type]


def pyhanko_offline_verdicts(
    data: bytes, root: x509.Certificate, *, fetch: bool = False
) -> list[LtvVerdict]:
    """pyHanko's verdict with hard-fail revocation checks (see :func:`_hard_fail_context`)."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)

    def context() -> ValidationContext:
        return _hard_fail_context(reader, root, fetch=fetch)

    out = []
    for sig in reader.embedded_regular_signatures:
        status = validate_pdf_signature(sig, context(), ts_validation_context=context())
        ts = status.timestamp_validity
        out.append(
            LtvVerdict(
                sig.field_name,
                status.intact and status.valid,
                status.trusted,
                ts is not None and ts.intact and ts.valid and ts.trusted,
            )
        )
    return out


def pyhanko_document_timestamps(data: bytes, root: x509.Certificate) -> list[tuple[bool, bool]]:
    """(intact, trusted) of each document time-stamp, offline and hard-fail."""
    from pyhanko.sign.validation import validate_pdf_timestamp

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    out = []
    for ts in reader.embedded_timestamp_signatures:
        status = validate_pdf_timestamp(ts, _hard_fail_context(reader, root))
        out.append((status.intact and status.valid, status.trusted))
    return out
