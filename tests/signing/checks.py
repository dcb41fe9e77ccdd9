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
