"""Awkward inputs for signing: PDF 2.0, object streams, forms already signed or with
fields; each signs correctly (judged by pdfsig, pyHanko and our validator) or gets a
clear error."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields

from ecabinet.demo.ca import DemoCA
from signing.errors import BadPdf
from signing.keys import PrivateKeySource
from signing.pades import sign_pdf
from signing.specs import FieldSpec
from signing.validation import Indication, Policy, validate_pdf
from tests.signing.checks import pdfsig, pyhanko_verdicts
from tests.signing.conftest import write


def _rewrite(pdf: bytes, **save: object) -> bytes:
    """The same document re-saved by qpdf (through pikepdf), a writer that is not ours."""
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        doc.save(out, **save)  # type: ignore[arg-type]
    return out.getvalue()


def _all_good(tmp_path: Path, signed: bytes, demo_ca: DemoCA, count: int) -> None:
    report = pdfsig(write(tmp_path, "signed.pdf", signed))
    assert report.count("Signature is Valid") == count, report
    verdicts = pyhanko_verdicts(signed, demo_ca.root)
    assert len(verdicts) == count and all(v.intact and v.trusted for v in verdicts)
    ours = validate_pdf(signed, Policy(anchors=[demo_ca.root]))
    assert [s.indication for s in ours.signatures] == [Indication.TOTAL_PASSED] * count


def test_pdf_2_0_with_object_streams_signs_twice(
    tmp_path: Path,
    sample_pdf: bytes,
    leader_key: PrivateKeySource,
    seal_key: PrivateKeySource,
    demo_ca: DemoCA,
) -> None:
    modern = _rewrite(
        sample_pdf,
        force_version="2.0",
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    assert modern.startswith(b"%PDF-2.0") and b"/ObjStm" in modern
    once = sign_pdf(modern, leader_key, FieldSpec(name="Lãnh đạo"))
    twice = sign_pdf(once, seal_key, FieldSpec(name="Cơ quan"))
    assert twice.startswith(once) and once.startswith(modern)
    _all_good(tmp_path, twice, demo_ca, 2)


def test_an_empty_signature_field_is_filled(
    tmp_path: Path, sample_pdf: bytes, leader_key: PrivateKeySource, demo_ca: DemoCA
) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(sample_pdf))
    fields.append_signature_field(
        writer, fields.SigFieldSpec("Ô ký lãnh đạo", box=(300, 80, 500, 160))
    )
    out = io.BytesIO()
    writer.write(out)
    prepared = out.getvalue()
    signed = sign_pdf(prepared, leader_key, FieldSpec(name="Ô ký lãnh đạo"))
    _all_good(tmp_path, signed, demo_ca, 1)
    assert signed.count(b"/FT /Sig") + signed.count(b"/FT/Sig") >= 1
    # Filling the field a second time is refused: it is signed now.
    with pytest.raises(BadPdf) as info:
        sign_pdf(signed, leader_key, FieldSpec(name="Ô ký lãnh đạo"))
    assert info.value.code == "signature.field_exists"


def test_a_form_with_text_fields_signs_and_may_be_filled_after(
    tmp_path: Path, sample_pdf: bytes, leader_key: PrivateKeySource, demo_ca: DemoCA
) -> None:
    with pikepdf.open(io.BytesIO(sample_pdf)) as doc:
        field = doc.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Widget,
                FT=pikepdf.Name.Tx,
                T=pikepdf.String("so_den"),
                Rect=[50, 50, 200, 70],
                P=doc.pages[0].obj,
            )
        )
        doc.pages[0].obj.Annots = doc.make_indirect(pikepdf.Array([field]))
        doc.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]))
        out = io.BytesIO()
        doc.save(out)
    signed = sign_pdf(out.getvalue(), leader_key, FieldSpec(name="Lãnh đạo"))
    _all_good(tmp_path, signed, demo_ca, 1)
    with pytest.raises(BadPdf) as info:  # a text field is not a signature field
        sign_pdf(signed, leader_key, FieldSpec(name="so_den"))
    assert info.value.code == "signature.field_exists"

    from pypdf import PdfWriter

    writer = PdfWriter(io.BytesIO(signed), incremental=True)
    writer.update_page_form_field_values(writer.pages[0], {"so_den": "125"}, auto_regenerate=False)
    filled = io.BytesIO()
    writer.write(filled)
    report = validate_pdf(filled.getvalue(), Policy(anchors=[demo_ca.root]))
    (sig,) = report.signatures
    assert sig.indication is Indication.TOTAL_PASSED, report.render_vi()
    assert "form_fill" in {c.kind for c in sig.changes_after if c.allowed}


def test_hybrid_and_linearized_files_sign(
    tmp_path: Path, sample_pdf: bytes, leader_key: PrivateKeySource, demo_ca: DemoCA
) -> None:
    linear = _rewrite(sample_pdf, linearize=True)
    signed = sign_pdf(linear, leader_key, FieldSpec(name="S"))
    _all_good(tmp_path, signed, demo_ca, 1)
