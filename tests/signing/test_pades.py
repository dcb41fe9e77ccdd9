"""B-B signatures judged by pdfsig and pyHanko, and refusals of what we cannot sign."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from asn1crypto import cms
from pypdf import PdfReader, PdfWriter

from ecabinet.demo.ca import DemoCA
from signing.errors import BadKey, BadPdf
from signing.keys import PrivateKeySource, load_pkcs12
from signing.pades import begin, finish, sign_pdf
from signing.specs import FieldSpec
from tests.signing.checks import pdfsig, pyhanko_verdicts
from tests.signing.conftest import write


def _leader_then_seal(pdf: bytes, leader: PrivateKeySource, seal: PrivateKeySource) -> bytes:
    once = sign_pdf(pdf, leader, FieldSpec(name="Chữ ký lãnh đạo", signer_name="Nguyễn Văn Lãnh"))
    assert once.startswith(pdf)  # incremental: the original bytes are untouched
    twice = sign_pdf(once, seal, FieldSpec(name="Chữ ký cơ quan", reason="Phát hành"))
    assert twice.startswith(once)
    return twice


def test_pdfsig_says_both_signatures_are_valid_pades(
    tmp_path: Path, sample_pdf: bytes, leader_key: PrivateKeySource, seal_key: PrivateKeySource
) -> None:
    signed = _leader_then_seal(sample_pdf, leader_key, seal_key)
    report = pdfsig(write(tmp_path, "signed.pdf", signed))
    assert report.count("Signature Validation: Signature is Valid.") == 2, report
    assert report.count("Signature Type: ETSI.CAdES.detached") == 2, report
    assert "Signature Field Name: Chữ ký lãnh đạo" in report
    assert "Total document signed" in report


def test_pyhanko_finds_them_intact_trusted_and_the_first_untouched(
    sample_pdf: bytes, leader_key: PrivateKeySource, seal_key: PrivateKeySource, demo_ca: DemoCA
) -> None:
    signed = _leader_then_seal(sample_pdf, leader_key, seal_key)
    first, second = pyhanko_verdicts(signed, demo_ca.root)
    assert (first.intact, first.valid, first.trusted) == (True, True, True)
    assert (second.intact, second.valid, second.trusted) == (True, True, True)
    # What came after the leader's signature is only another signature: allowed.
    assert first.coverage == "ENTIRE_REVISION" and first.modification == "FORM_FILLING"
    assert second.coverage == "ENTIRE_FILE"


def test_cms_is_pades_baseline(sample_pdf: bytes, leader_key: PrivateKeySource) -> None:
    signed = sign_pdf(sample_pdf, leader_key, FieldSpec(name="Sig1"))
    field = PdfReader(io.BytesIO(signed)).get_fields()["Sig1"]
    sig = field["/V"]
    assert sig["/SubFilter"] == "/ETSI.CAdES.detached" and str(sig["/M"]).startswith("D:")
    info = cms.ContentInfo.load(bytes(sig["/Contents"]).rstrip(b"\x00"))
    attrs = {a["type"].native for a in info["content"]["signer_infos"][0]["signed_attrs"]}
    assert attrs == {"content_type", "message_digest", "signing_certificate_v2"}
    assert info["content"]["encap_content_info"]["content"].native is None  # detached


def test_untrusted_signer_is_intact_but_not_trusted(
    sample_pdf: bytes, leader_key: PrivateKeySource, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from ecabinet.demo.ca import create_demo_ca
    from tests.signing.conftest import AGENCY, LEADER

    other = create_demo_ca(tmp_path_factory.mktemp("other"), [AGENCY], [LEADER], "x-pass-123")
    (verdict,) = pyhanko_verdicts(sign_pdf(sample_pdf, leader_key, FieldSpec(name="S")), other.root)
    assert verdict.intact and not verdict.trusted


def test_a_flipped_byte_breaks_the_signature(
    tmp_path: Path, sample_pdf: bytes, leader_key: PrivateKeySource, demo_ca: DemoCA
) -> None:
    signed = bytearray(sign_pdf(sample_pdf, leader_key, FieldSpec(name="S")))
    at = signed.index(b"stream", 100) + 200  # inside compressed page content, covered
    signed[at] ^= 0x01
    report = pdfsig(write(tmp_path, "t.pdf", bytes(signed)))
    assert "Signature is Valid" not in report, report
    (verdict,) = pyhanko_verdicts(bytes(signed), demo_ca.root)
    assert not verdict.intact


def test_two_step_signing_with_an_external_signer(
    tmp_path: Path, sample_pdf: bytes, leader_key: PrivateKeySource
) -> None:
    pending = begin(sample_pdf, leader_key.certificate, leader_key.chain, FieldSpec(name="USB"))
    assert len(pending.digest) == 32
    # The "token" signs elsewhere; only the signature comes back.
    signed = finish(pending, leader_key.sign(pending.to_be_signed))
    assert "Signature is Valid" in pdfsig(write(tmp_path, "two-step.pdf", signed))


def test_xref_stream_files_sign_with_an_xref_stream(
    tmp_path: Path, sample_pdf: bytes, leader_key: PrivateKeySource, demo_ca: DemoCA
) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(sample_pdf)))
    writer.stream_xrefs = True
    buffer = io.BytesIO()
    writer.write(buffer)
    original = buffer.getvalue()
    assert b"/XRef" in original and b"\nxref\n" not in original
    signed = sign_pdf(original, leader_key, FieldSpec(name="S"))
    assert signed[len(original) :].count(b"/Type/XRef") == 1
    assert "Signature is Valid" in pdfsig(write(tmp_path, "xs.pdf", signed))
    (verdict,) = pyhanko_verdicts(signed, demo_ca.root)
    assert verdict.intact and verdict.trusted


def test_same_field_name_twice_is_refused(sample_pdf: bytes, leader_key: PrivateKeySource) -> None:
    signed = sign_pdf(sample_pdf, leader_key, FieldSpec(name="Chữ ký"))
    with pytest.raises(BadPdf) as info:
        sign_pdf(signed, leader_key, FieldSpec(name="Chữ ký"))
    assert info.value.code == "signature.field_exists"


def test_bad_inputs_get_clear_errors(sample_pdf: bytes, leader_key: PrivateKeySource) -> None:
    encrypted = io.BytesIO()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(sample_pdf)))
    writer.encrypt("secret-pass")
    writer.write(encrypted)
    broken = bytearray(sample_pdf)
    at = broken.rindex(b"startxref") + len(b"startxref\n")
    broken[at : at + 3] = b"999"
    cases = {
        b"not a pdf at all": "pdf.invalid",
        b"%PDF-1.7\n garbage without objects": "pdf.invalid",
        encrypted.getvalue(): "pdf.encrypted",
        bytes(broken): "pdf.broken_xref",
    }
    for data, code in cases.items():
        with pytest.raises(BadPdf) as info:
            sign_pdf(data, leader_key, FieldSpec(name="S"))
        assert info.value.code == code, (code, info.value.code)
    with pytest.raises(BadPdf) as info:
        sign_pdf(sample_pdf, leader_key, FieldSpec(name="S", page=7))
    assert info.value.code == "signature.bad_page"


def test_wrong_pkcs12_password(demo_ca: DemoCA) -> None:
    with pytest.raises(BadKey) as info:
        load_pkcs12(demo_ca.people["leader"].read_bytes(), "wrong")
    assert info.value.code == "key.pkcs12_unreadable"
    with pytest.raises(BadKey):
        load_pkcs12(b"not pkcs12", "x")
