"""Finding an earlier signer's signature image on a page, from the PDF alone."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from ecabinet.demo.ca import DemoCA
from ecabinet.demo.images import seal_png, signature_png
from ecabinet.demo.pdfs import demo_documents
from signing.appearance import seal_appearance, signer_appearance
from signing.keys import PrivateKeySource, load_pkcs12
from signing.pades import sign_pdf
from signing.specs import FieldSpec
from signing.widgets import last_signer_image
from tests.signing.conftest import AGENCY, LEADER, PASSWORD

LEADER_BOX = (330.0, 60.0, 530.0, 160.0)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return demo_documents()[0].pdf()


@pytest.fixture(scope="module")
def leader_key(demo_ca: DemoCA) -> PrivateKeySource:
    return load_pkcs12(demo_ca.people[LEADER.username].read_bytes(), PASSWORD)


@pytest.fixture(scope="module")
def seal_key(demo_ca: DemoCA) -> PrivateKeySource:
    return load_pkcs12(demo_ca.seals[AGENCY.code].read_bytes(), PASSWORD)


def _fingerprint(key: PrivateKeySource) -> str:
    return hashlib.sha256(key.certificate.public_bytes(Encoding.DER)).hexdigest()


def test_the_seal_finds_the_leaders_image_and_not_its_own(
    pdf: bytes, leader_key: PrivateKeySource, seal_key: PrivateKeySource
) -> None:
    leader = signer_appearance(
        signature_png("Nguyễn Văn Lãnh"), title="Chủ tịch", name="Nguyễn Văn Lãnh", rect=LEADER_BOX
    )
    assert leader.image_box is not None
    assert last_signer_image(pdf, 0) is None  # nobody signed yet
    signed = sign_pdf(pdf, leader_key, FieldSpec("Lãnh đạo", rect=leader.rect, appearance=leader))
    assert last_signer_image(signed, 0) == pytest.approx(leader.image_box, abs=0.01)
    assert last_signer_image(signed, 1) is None  # another page
    assert last_signer_image(signed, 7) is None  # no such page
    seal = seal_appearance(
        seal_png("Ủy ban nhân dân tỉnh"),
        agency="Ủy ban nhân dân tỉnh",
        signed_at=FieldSpec("x").signed_at,
        signer_image=leader.image_box,
    )
    sealed = sign_pdf(signed, seal_key, FieldSpec("Cơ quan", rect=seal.rect, appearance=seal))
    # The latest signature with an image is the seal's, unless seals are skipped.
    assert last_signer_image(sealed, 0) == pytest.approx(seal.image_box, abs=0.01)
    skip = frozenset({_fingerprint(seal_key)})
    assert last_signer_image(sealed, 0, seals=skip) == pytest.approx(leader.image_box, abs=0.01)
    # An invisible signature after them shows no image: it is passed over.
    again = sign_pdf(sealed, leader_key, FieldSpec("Ký nháy"))
    assert last_signer_image(again, 0, seals=skip) == pytest.approx(leader.image_box, abs=0.01)
    assert last_signer_image(b"%PDF-1.7 not really", 0) is None


def _rotated_nested(first: int) -> list[bytes]:
    """A widget appearance another program might write: a form turned by its /Matrix,
    drawing a nested form that draws a 1 × 1 image scaled to 20 × 10."""

    def stream(head: str, content: bytes) -> bytes:
        return (
            f"<<{head}/Length {len(content)}>>".encode() + b"\nstream\n" + content + b"\nendstream"
        )

    return [
        stream(
            f"/Type/XObject/Subtype/Form/BBox[0 0 100 50]/Matrix[0 1 -1 0 0 0]"
            f"/Resources<</XObject<</Inner {first + 1} 0 R>>>>",
            b"q 1 0 0 1 10 5 cm /Inner Do Q",
        ),
        stream(
            "/Type/XObject/Subtype/Form/BBox[0 0 80 40]"
            f"/Resources<</XObject<</Im {first + 2} 0 R>>>>",
            b"q 20 0 0 10 0 0 cm /Im Do Q",
        ),
        stream(
            "/Type/XObject/Subtype/Image/Width 1/Height 1/ColorSpace/DeviceRGB/BitsPerComponent 8",
            b"\x00\x00\xff",
        ),
    ]


def test_form_matrix_nesting_and_scaling_to_the_widget(
    pdf: bytes, leader_key: PrivateKeySource
) -> None:
    # The image lies at x 10..30, y 5..15 of the outer form; turned a quarter (x, y) ->
    # (-y, x): x -15..-5, y 10..30, in a box of x -50..0, y 0..100, which the widget's
    # rectangle (200, 300)-(300, 500) shows twice as large.
    builder: Callable[[int], list[bytes]] = _rotated_nested
    spec = FieldSpec("Khác", rect=(200.0, 300.0, 300.0, 500.0), appearance=builder)
    box = last_signer_image(sign_pdf(pdf, leader_key, spec), 0)
    assert box == pytest.approx((270.0, 320.0, 290.0, 360.0))
