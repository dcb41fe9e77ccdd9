"""Reading signatures out of a file: the quick path for /Contents agrees with pypdf's,
and a decoy "/Contents" elsewhere in the dictionary sends it to pypdf's way."""

from __future__ import annotations

from signing.embedded import find_signatures
from signing.keys import PrivateKeySource
from signing.pades import sign_pdf
from signing.pdfio import open_pdf
from signing.specs import FieldSpec


def _both(data: bytes) -> tuple[list[bytes], list[bytes]]:
    quick = [s.contents.rstrip(b"\0") for s in find_signatures(open_pdf(data), data)]
    slow = [s.contents.rstrip(b"\0") for s in find_signatures(open_pdf(data))]
    return quick, slow


def test_quick_and_slow_reads_agree(
    sample_pdf: bytes, leader_key: PrivateKeySource, seal_key: PrivateKeySource
) -> None:
    once = sign_pdf(sample_pdf, leader_key, FieldSpec(name="A"))
    twice = sign_pdf(once, seal_key, FieldSpec(name="B", reason="Phát hành"))
    quick, slow = _both(twice)
    assert len(quick) == 2 and quick == slow and all(c.startswith(b"\x30\x82") for c in quick)


def test_a_decoy_contents_is_not_taken(sample_pdf: bytes, leader_key: PrivateKeySource) -> None:
    signed = sign_pdf(sample_pdf, leader_key, FieldSpec(name="A"))
    at = signed.rindex(b"/Filter/Adobe.PPKLite")
    decoy = b"/Filter(/Contents<A>)"  # same length: every offset stays right
    assert len(decoy) == len(b"/Filter/Adobe.PPKLite")
    forged = signed[:at] + decoy + signed[at + len(decoy) :]
    quick, slow = _both(forged)
    assert quick == slow and len(quick[0]) > 1000
