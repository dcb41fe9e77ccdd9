"""B-T, B-LT and B-LTA against a live CA, TSA, OCSP responder and CRLs (certomancer),
judged by pdfsig and by pyHanko using only what the file holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from signing.pades import sign_pdf
from signing.revocation import Fetcher
from signing.specs import FieldSpec, Level
from signing.tsp import HttpTsa
from tests.signing.checks import (
    pdfsig,
    pyhanko_document_timestamps,
    pyhanko_offline_verdicts,
    pyhanko_verdicts,
)
from tests.signing.conftest import write
from tests.support.pki import Pki


def _sign(pdf: bytes, pki: Pki, level: Level, who: str = "leader") -> bytes:
    return sign_pdf(
        pdf,
        pki.keys[who],
        FieldSpec(name="Chữ ký lãnh đạo"),
        level=level,
        tsa=HttpTsa(pki.tsa_url),
        fetcher=Fetcher(timeout=5, known=[pki.root]),
    )


def test_b_t_carries_a_trusted_signature_time_stamp(
    tmp_path: Path, sample_pdf: bytes, pki: Pki
) -> None:
    signed = _sign(sample_pdf, pki, Level.B_T)
    report = pdfsig(write(tmp_path, "bt.pdf", signed))
    assert "Signature is Valid" in report and "ETSI.CAdES.detached" in report, report
    (verdict,) = pyhanko_verdicts(signed, pki.root)
    assert verdict.intact and verdict.trusted
    # With the live OCSP responder and CRLs, pyHanko trusts the signature and its
    # time-stamp; from the file alone it cannot (B-T carries no revocation data).
    (online,) = pyhanko_offline_verdicts(signed, pki.root, fetch=True)
    assert (online.intact, online.trusted, online.timestamp_trusted) == (True, True, True)
    (offline,) = pyhanko_offline_verdicts(signed, pki.root)
    assert offline.intact and not offline.trusted
    assert b"/DSS" not in signed[len(sample_pdf) :]


@pytest.mark.parametrize("level", [Level.B_LT, Level.B_LTA])
def test_b_lt_and_b_lta_validate_offline_with_hard_fail_revocation(
    tmp_path: Path, sample_pdf: bytes, pki: Pki, level: Level
) -> None:
    signed = _sign(sample_pdf, pki, level)
    report = pdfsig(write(tmp_path, "lt.pdf", signed))
    assert "Signature is Valid" in report, report
    (verdict,) = pyhanko_offline_verdicts(signed, pki.root)
    assert (verdict.intact, verdict.trusted, verdict.timestamp_trusted) == (True, True, True)
    stamps = pyhanko_document_timestamps(signed, pki.root)
    assert stamps == ([(True, True)] if level is Level.B_LTA else [])
