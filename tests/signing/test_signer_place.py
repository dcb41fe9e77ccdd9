"""The leader's signature image goes in the blank between the printed title and name
(Decree 30, Appendix I), found by the system, and prints neither again."""

from __future__ import annotations

import io
from typing import Any, cast

from pypdf import PdfReader

from ecabinet.demo.images import signature_png
from signing import locate
from signing.appearance import signature_image_appearance
from signing.keys import PrivateKeySource
from signing.pades import sign_pdf
from signing.specs import FieldSpec
from tests.support.drafts import decision

NAME = "Nguyễn Thanh Bình"


def _doc() -> bytes:
    return decision(
        signer_title="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
        signer_name=NAME,
        paragraphs=["Điều 1. Thành lập Tổ công tác./."] * 12,
        recipients=["Như Điều 1", "TT. Tỉnh ủy, TT. HĐND tỉnh (để b/c)", "Lưu: VT"],
    )


def _line_y(data: bytes, text: str) -> float:
    found = [line for line in locate._lines(data, 0, head=1.0) if line.text.strip() == text]
    assert found, text
    return found[-1].y


def test_the_box_lies_between_the_title_and_the_name() -> None:
    data = _doc()
    place = locate.signer_box(data, NAME)
    assert place is not None
    page, (x1, y1, x2, y2) = place
    assert page == 0
    name_y, title_y = _line_y(data, NAME), _line_y(data, "PHÓ CHỦ TỊCH")
    assert name_y < y1 < y2 < title_y
    assert y2 - y1 > 50  # the layout leaves 28 mm
    name_line = next(line for line in locate._lines(data, 0, 1.0) if line.text.strip() == NAME)
    assert abs((x1 + x2) / 2 - (name_line.x1 + name_line.x2) / 2) < 1  # centred on the name


def test_no_box_without_the_signers_name() -> None:
    assert locate.signer_box(_doc(), "Người Khác") is None


def test_the_image_alone_is_drawn(leader_key: PrivateKeySource) -> None:
    data = _doc()
    place = locate.signer_box(data, NAME)
    assert place is not None
    app = signature_image_appearance(signature_png(NAME), rect=place[1])
    signed = sign_pdf(data, leader_key, FieldSpec(name="Lãnh đạo", rect=app.rect, appearance=app))
    reader = PdfReader(io.BytesIO(signed))
    widget = next(
        a.get_object()
        for a in cast(Any, reader.pages[0]["/Annots"])
        if a.get_object().get("/FT") == "/Sig"
    )
    form = widget["/AP"]["/N"].get_object()
    resources = form["/Resources"]
    assert "/Font" not in resources and "/XObject" in resources  # the image, no title, no name
