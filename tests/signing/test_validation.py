"""Our validator on files we made, files pyHanko made, and files changed after signing.

Every verdict that matters is checked against pyHanko's own where it has one."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest
from cryptography import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText

from ecabinet.demo.ca import DemoCA
from signing.errors import BadPdf
from signing.keys import PrivateKeySource
from signing.pades import sign_pdf
from signing.revocation import Fetcher
from signing.specs import DocMDP, FieldSpec, Level
from signing.tsp import HttpTsa
from signing.validation import Indication, Policy, Report, validate_pdf
from tests.signing.checks import pyhanko_verdicts
from tests.support.pki import Pki


def _sign(pdf: bytes, pki: Pki, level: Level, who: str = "leader", **spec: object) -> bytes:
    return sign_pdf(
        pdf,
        pki.keys[who],
        FieldSpec(name=str(spec.pop("name", "Chữ ký lãnh đạo")), **spec),  # type: ignore[arg-type]
        level=level,
        tsa=HttpTsa(pki.tsa_url),
        fetcher=Fetcher(timeout=5, known=[pki.root]),
    )


def _offline(pki: Pki) -> Policy:
    return Policy(anchors=[pki.root])


def _online(pki: Pki) -> Policy:
    return Policy(anchors=[pki.root], fetcher=Fetcher(timeout=5))


def _only(report: Report) -> tuple[str, str | None, str | None]:
    (sig,) = [s for s in report.signatures if s.kind == "signature"]
    return sig.indication.value, sig.sub_indication, sig.pades_level


@pytest.fixture(scope="module")
def signed_levels(sample_pdf: bytes, pki: Pki) -> dict[Level, bytes]:
    return {level: _sign(sample_pdf, pki, level) for level in Level}


def test_each_level_is_recognised_and_judged(signed_levels: dict[Level, bytes], pki: Pki) -> None:
    # Offline, B-B and B-T carry no revocation data: nothing proves the certificate
    # was not revoked (TRY_LATER); B-LT and B-LTA carry it.
    assert _only(validate_pdf(signed_levels[Level.B_B], _offline(pki))) == (
        "INDETERMINATE",
        "TRY_LATER",
        "B-B",
    )
    assert _only(validate_pdf(signed_levels[Level.B_T], _offline(pki))) == (
        "INDETERMINATE",
        "TRY_LATER",
        "B-T",
    )
    assert _only(validate_pdf(signed_levels[Level.B_LT], _offline(pki))) == (
        "TOTAL-PASSED",
        None,
        "B-LT",
    )
    lta = validate_pdf(signed_levels[Level.B_LTA], _offline(pki))
    assert _only(lta) == ("TOTAL-PASSED", None, "B-LTA")
    stamp = [s for s in lta.signatures if s.kind == "timestamp"]
    assert len(stamp) == 1 and stamp[0].indication is Indication.TOTAL_PASSED
    assert lta.all_passed
    # Online, the responders answer: B-B passes too (and stays B-B).
    online = validate_pdf(signed_levels[Level.B_B], _online(pki))
    assert _only(online) == ("TOTAL-PASSED", None, "B-B")
    assert {r.origin for r in online.signatures[0].revocation} == {"online"}


def test_the_report_says_who_when_and_what(signed_levels: dict[Level, bytes], pki: Pki) -> None:
    report = validate_pdf(signed_levels[Level.B_LTA], _offline(pki))
    sig = report.signatures[0]
    assert sig.signer is not None and sig.signer.common_name == "Nguyễn Văn Lãnh"
    assert sig.signer.organization == "Ủy ban nhân dân tỉnh Thử Nghiệm"
    assert [c.common_name for c in sig.chain] == [
        "Nguyễn Văn Lãnh",
        "CA cấp dưới Thử Nghiệm",
        "Root CA Thử Nghiệm",
    ]
    assert sig.trusted and sig.trust_anchor == "Root CA Thử Nghiệm"
    assert sig.claimed_time is not None and sig.timestamp_time is not None
    assert abs((sig.timestamp_time - sig.claimed_time).total_seconds()) < 60
    assert sig.intact and not sig.covers_whole_file
    assert {c.kind for c in sig.changes_after} == {"dss", "timestamp"}
    assert all(c.allowed for c in sig.changes_after)
    assert {(r.status, r.origin) for r in sig.revocation} == {("good", "file")}
    body = json.loads(report.to_json())
    assert body["indication"] == "TOTAL-PASSED" and body["all_passed"] is True
    assert body["signatures"][0]["signer"]["common_name"] == "Nguyễn Văn Lãnh"
    assert body["signatures"][0]["timestamp_time"].endswith("+07:00")
    text = report.render_vi()
    assert "Kết luận: HỢP LỆ (TOTAL-PASSED)" in text
    assert "Người ký: Nguyễn Văn Lãnh — Ủy ban nhân dân tỉnh Thử Nghiệm" in text
    assert "Mức PAdES: B-LTA" in text and "văn bản nguyên vẹn" in text


def test_revoked_certificate_fails_and_pyhanko_agrees(sample_pdf: bytes, pki: Pki) -> None:
    signed = _sign(sample_pdf, pki, Level.B_T, who="revoked")
    report = validate_pdf(signed, _online(pki))
    assert _only(report)[:2] == ("TOTAL-FAILED", "REVOKED")
    leaf = report.signatures[0].revocation[0]
    assert leaf.status == "revoked" and leaf.reason == "key_compromise"
    # Without a time-stamp nothing proves the signature came before the revocation.
    bare = _sign(sample_pdf, pki, Level.B_B, who="revoked", name="B")
    assert _only(validate_pdf(bare, _online(pki)))[:2] == ("INDETERMINATE", "REVOKED_NO_POE")
    from tests.signing.checks import pyhanko_offline_verdicts

    (verdict,) = pyhanko_offline_verdicts(signed, pki.root, fetch=True)
    assert verdict.intact and not verdict.trusted


def test_expired_certificate(sample_pdf: bytes, pki: Pki) -> None:
    stamped = _sign(sample_pdf, pki, Level.B_T, who="expired")
    assert _only(validate_pdf(stamped, _online(pki)))[:2] == ("TOTAL-FAILED", "EXPIRED")
    bare = _sign(sample_pdf, pki, Level.B_B, who="expired")
    assert _only(validate_pdf(bare, _online(pki)))[:2] == ("INDETERMINATE", "OUT_OF_BOUNDS_NO_POE")
    (verdict,) = pyhanko_verdicts(bare, pki.root)
    assert verdict.intact and not (verdict.valid and verdict.trusted)


def test_untrusted_signer(signed_levels: dict[Level, bytes], demo_ca: DemoCA) -> None:
    report = validate_pdf(signed_levels[Level.B_B], Policy(anchors=[demo_ca.root]))
    assert _only(report)[:2] == ("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND")
    assert not report.signatures[0].trusted and report.signatures[0].intact


def test_one_flipped_byte(signed_levels: dict[Level, bytes], pki: Pki) -> None:
    signed = bytearray(signed_levels[Level.B_LT])
    at = signed.index(b"stream", 100) + 200  # inside the first page's content
    signed[at] ^= 0x01
    report = validate_pdf(bytes(signed), _offline(pki))
    assert _only(report)[:2] == ("TOTAL-FAILED", "HASH_FAILURE")
    assert not report.signatures[0].intact
    (verdict,) = pyhanko_verdicts(bytes(signed), pki.root)
    assert not verdict.intact


def _incremental(data: bytes, change: Callable[[PdfWriter], None]) -> bytes:
    """An incremental update made with pypdf, a tool that is not ours."""
    writer = PdfWriter(io.BytesIO(data), incremental=True)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(data)
    return out.getvalue()


def _change_text(writer: PdfWriter) -> None:
    page = writer.pages[0]
    contents = page.get_contents()
    assert contents is not None
    data = contents.get_data()
    contents.set_data(data.replace(b"Td", b"Td 1 0 0 rg", 1))
    page.replace_contents(contents)


def _add_note(writer: PdfWriter) -> None:
    writer.add_annotation(0, FreeText(text="Đã xem", rect=(50, 50, 200, 100)))


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        (lambda w: w.add_blank_page(), "pages"),
        (_change_text, "page_content"),
    ],
    ids=["page added", "text changed"],
)
def test_content_changed_after_signing_fails(
    signed_levels: dict[Level, bytes], pki: Pki, change: Callable[[PdfWriter], None], kind: str
) -> None:
    changed = _incremental(signed_levels[Level.B_LT], change)
    report = validate_pdf(changed, _offline(pki))
    sig = report.signatures[0]
    assert (sig.indication.value, sig.sub_indication) == ("TOTAL-FAILED", "FORMAT_FAILURE")
    assert sig.intact and not sig.modifications_allowed
    assert kind in {c.kind for c in sig.changes_after if not c.allowed}
    status = validate_pdf_signature(
        PdfFileReader(io.BytesIO(changed), strict=False).embedded_signatures[0],
        ValidationContext(trust_roots=[], allow_fetching=False),
    )
    assert status.intact and not status.docmdp_ok  # pyHanko sees it the same way


def test_annotations_after_signing_and_docmdp(sample_pdf: bytes, pki: Pki) -> None:
    plain = _incremental(_sign(sample_pdf, pki, Level.B_LT), _add_note)
    sig = validate_pdf(plain, _offline(pki)).signatures[0]
    assert sig.indication is Indication.TOTAL_PASSED
    assert {(c.kind, c.allowed) for c in sig.changes_after} == {("dss", True), ("annotation", True)}
    for permission, passes in ((DocMDP.FORM_FILLING, False), (DocMDP.ANNOTATIONS, True)):
        certified = _sign(sample_pdf, pki, Level.B_LT, certify=permission)
        noted = _incremental(certified, _add_note)
        sig = validate_pdf(noted, _offline(pki)).signatures[0]
        assert sig.certification and sig.permission == permission
        assert (sig.indication is Indication.TOTAL_PASSED) is passes, sig
        if not passes:
            # pyHanko agrees that P=2 forbids the note. (Its diff policy says it was not
            # designed for P=3 and rejects any rewrite of a page object, so it is no judge
            # of the allowed case.)
            status = validate_pdf_signature(
                PdfFileReader(io.BytesIO(noted), strict=False).embedded_signatures[0],
                ValidationContext(trust_roots=[], allow_fetching=False),
            )
            assert not status.docmdp_ok


def test_leader_then_sealing_agency_locking_the_document(sample_pdf: bytes, pki: Pki) -> None:
    leader = _sign(sample_pdf, pki, Level.B_T)
    sealed = _sign(
        leader, pki, Level.B_LT, who="seal", name="Chữ ký cơ quan", certify=DocMDP.FORM_FILLING
    )
    report = validate_pdf(sealed, _offline(pki))
    first, second = report.signatures
    assert (first.indication, second.indication) == (Indication.TOTAL_PASSED,) * 2
    assert ("signature", True) in {(c.kind, c.allowed) for c in first.changes_after}
    assert second.permission == DocMDP.FORM_FILLING and not second.certification
    # The seal's lock forbids annotations; the leader's signature does not.
    noted = validate_pdf(_incremental(sealed, _add_note), _offline(pki))
    assert noted.signatures[0].indication is Indication.TOTAL_PASSED
    assert noted.signatures[1].sub_indication == "FORMAT_FAILURE"
    status = validate_pdf_signature(
        PdfFileReader(
            io.BytesIO(_incremental(sealed, _add_note)), strict=False
        ).embedded_signatures[1],
        ValidationContext(trust_roots=[], allow_fetching=False),
    )
    assert not status.docmdp_ok


def _pyhanko_sign(
    data: bytes,
    key: PrivateKeySource,
    subfilter: fields.SigSeedSubFilter,
    tsa_url: str | None = None,
    lta_root: x509.Certificate | None = None,
) -> bytes:
    """Sign with pyHanko; with ``lta_root``, at B-LTA (its own DSS and document
    time-stamp), trusting that root."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(
            key.certificate.public_bytes(serialization.Encoding.DER)
        ),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs(
            [
                asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
                for c in key.chain
            ]
        ),
    )
    meta = signers.PdfSignatureMetadata(
        field_name="pyHanko",
        subfilter=subfilter,
        use_pades_lta=lta_root is not None,
        embed_validation_info=lta_root is not None,
        validation_context=ValidationContext(
            trust_roots=[
                asn1_x509.Certificate.load(lta_root.public_bytes(serialization.Encoding.DER))
            ],
            allow_fetching=True,
        )
        if lta_root is not None
        else None,
    )
    timestamper = timestamps.HTTPTimeStamper(tsa_url) if tsa_url else None
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(data)), meta, signer=signer, timestamper=timestamper
    )
    return bytes(out.getvalue())


def test_files_signed_by_pyhanko_are_accepted(sample_pdf: bytes, pki: Pki) -> None:
    key = pki.keys["leader"]
    pades = _pyhanko_sign(sample_pdf, key, fields.SigSeedSubFilter.PADES)
    assert _only(validate_pdf(pades, _online(pki))) == ("TOTAL-PASSED", None, "B-B")
    adobe = _pyhanko_sign(sample_pdf, key, fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED)
    # adbe.pkcs7.detached validates, but it is not PAdES baseline (it has signing-time).
    assert _only(validate_pdf(adobe, _online(pki))) == ("TOTAL-PASSED", None, None)
    lta = _pyhanko_sign(
        sample_pdf, key, fields.SigSeedSubFilter.PADES, pki.tsa_url, lta_root=pki.root
    )
    report = validate_pdf(lta, _offline(pki))
    assert _only(report) == ("TOTAL-PASSED", None, "B-LTA"), report.render_vi()


def test_unsigned_and_unreadable_files(sample_pdf: bytes, pki: Pki) -> None:
    report = validate_pdf(sample_pdf, _offline(pki))
    assert report.signatures == [] and not report.all_passed
    assert "không có chữ ký số nào" in report.render_vi()
    encrypted = io.BytesIO()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(sample_pdf)))
    writer.encrypt("mat-khau")
    writer.write(encrypted)
    for bad, code in (
        (b"not a pdf", "pdf.invalid"),
        (b"%PDF-1.7\n junk", "pdf.invalid"),
        (encrypted.getvalue(), "pdf.encrypted"),
    ):
        with pytest.raises(BadPdf) as info:
            validate_pdf(bad, _offline(pki))
        assert info.value.code == code


def test_damaged_signature_values(signed_levels: dict[Level, bytes], pki: Pki) -> None:
    signed = signed_levels[Level.B_B]
    reader = PdfReader(io.BytesIO(signed))
    sig = reader.get_fields()["Chữ ký lãnh đạo"]["/V"]
    byte_range = [int(v) for v in sig["/ByteRange"]]
    # Garbage instead of the CMS (the byte range is intact, the hole is not a signature).
    garbage = bytearray(signed)
    garbage[byte_range[1] + 1 : byte_range[1] + 41] = b"AB" * 20
    sub = _only(validate_pdf(bytes(garbage), _offline(pki)))[:2]
    assert sub == ("TOTAL-FAILED", "FORMAT_FAILURE")
    # A byte range that leaves out part of the file.
    moved = bytearray(signed)
    old = "[0 {:010d} {:010d} {:010d}]".format(*byte_range[1:]).encode()
    new = f"[0 {byte_range[1] - 10:010d} {byte_range[2]:010d} {byte_range[3]:010d}]".encode()
    assert old in moved
    at = moved.index(old)
    moved[at : at + len(old)] = new
    assert _only(validate_pdf(bytes(moved), _offline(pki)))[0] == "TOTAL-FAILED"
