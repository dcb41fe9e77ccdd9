"""Where an earlier signer's signature image is on a page, read back from the PDF.

The agency's seal goes over the left third of the competent person's signature image
(Decree 30, Appendix I), and that person signed earlier, maybe in another request or
another program. So the image's box is found in the file: the latest signature field on
the page whose widget's appearance draws an image, unless its signer is a seal. The
box is where the image lands on the page: its placement inside the appearance (the
``cm`` operators before ``Do``, through nested forms) mapped to the widget's /Rect as
ISO 32000-1, 12.5.5 maps a form's /BBox and /Matrix.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any, cast

from cryptography.hazmat.primitives.serialization import Encoding
from pypdf.generic import ContentStream, DictionaryObject, IndirectObject, StreamObject

from signing.embedded import EmbeddedSignature, find_signatures
from signing.errors import BadPdf
from signing.pdfdraw import Rect
from signing.pdfio import PYPDF_ERRORS, open_pdf

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
MAX_FORM_DEPTH = 4
"""Nested forms followed at most (a real appearance has two levels)."""


def last_signer_image(
    data: bytes, page: int, *, seals: frozenset[str] = frozenset()
) -> Rect | None:
    """The page box of the image in the latest signature widget on ``page`` (from 0)
    that shows one, skipping signatures whose signer certificate's SHA-256 (hex) is in
    ``seals``; None when there is none (or the file cannot be read that far)."""
    try:
        reader = open_pdf(data)
        if not 0 <= page < len(reader.pages):
            return None
        widgets = _signed_widgets(cast(DictionaryObject, reader.pages[page]))
        for sig in reversed(find_signatures(reader)):
            value = _value_id(sig.field_value)
            widget = widgets.get(value) if value is not None else None
            if sig.kind != "signature" or widget is None or _signer(sig) in seals:
                continue
            box = _image_box(widget)
            if box is not None:
                return box
    except (*PYPDF_ERRORS, BadPdf, ZeroDivisionError):
        return None
    return None


def _signed_widgets(page: DictionaryObject) -> dict[int, DictionaryObject]:
    """The page's signature widgets, by the object number of their field's /V."""
    out: dict[int, DictionaryObject] = {}
    for raw in cast(list[Any], page.get("/Annots") or []):
        annot = raw.get_object()
        if not isinstance(annot, DictionaryObject) or annot.get("/Subtype") != "/Widget":
            continue
        field = annot if "/FT" in annot or "/Parent" not in annot else annot["/Parent"]
        field = cast(DictionaryObject, field.get_object())
        if field.get("/FT") != "/Sig":
            continue
        value = _value_id(field)
        if value is not None:
            out[value] = annot
    return out


def _value_id(field: DictionaryObject) -> int | None:
    value = field.raw_get("/V") if "/V" in field else None
    return value.idnum if isinstance(value, IndirectObject) else None


def _signer(sig: EmbeddedSignature) -> str:
    signed = sig.signed_data
    cert = signed.signer_certificate if signed is not None else None
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest() if cert else ""


def _image_box(widget: DictionaryObject) -> Rect | None:
    appearances = widget.get("/AP")
    normal = appearances.get_object().get("/N") if appearances is not None else None
    form = normal.get_object() if normal is not None else None
    if not isinstance(form, StreamObject) or "/Rect" not in widget:
        return None
    matrix = _matrix(form.get("/Matrix"))
    x1, y1, x2, y2 = _bounds(_corners([float(v) for v in cast(list[Any], form["/BBox"])], matrix))
    r = sorted(float(v) for v in cast(list[Any], widget["/Rect"])[0::2])
    s = sorted(float(v) for v in cast(list[Any], widget["/Rect"])[1::2])
    if x2 <= x1 or y2 <= y1:
        return None
    sx, sy = (r[1] - r[0]) / (x2 - x1), (s[1] - s[0]) / (y2 - y1)
    to_page = _times(matrix, (sx, 0.0, 0.0, sy, r[0] - x1 * sx, s[0] - y1 * sy))
    boxes = [
        _bounds(_corners([0.0, 0.0, 1.0, 1.0], _times(ctm, to_page)))
        for ctm in _images(form, IDENTITY, 0)
    ]
    return max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), default=None)


def _images(form: StreamObject, ctm: Matrix, depth: int) -> Iterator[Matrix]:
    """The transformation of the unit square of every image the form draws."""
    resources = form.get("/Resources")
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    names = cast(DictionaryObject, xobjects.get_object()) if xobjects is not None else {}
    stack: list[Matrix] = []
    for operands, operator in ContentStream(form, None).operations:
        if operator == b"q":
            stack.append(ctm)
        elif operator == b"Q" and stack:
            ctm = stack.pop()
        elif operator == b"cm" and len(operands) == 6:
            ctm = _times(_matrix(operands), ctm)
        elif operator == b"INLINE IMAGE":
            yield ctm
        elif operator == b"Do" and operands and operands[0] in names:
            xobject = names[operands[0]].get_object()
            if xobject.get("/Subtype") == "/Image":
                yield ctm
            elif xobject.get("/Subtype") == "/Form" and depth < MAX_FORM_DEPTH:
                inner = _times(_matrix(xobject.get("/Matrix")), ctm)
                yield from _images(xobject, inner, depth + 1)


def _matrix(value: Any) -> Matrix:
    if value is None:
        return IDENTITY
    a, b, c, d, e, f = (float(v) for v in value)
    return (a, b, c, d, e, f)


def _times(m: Matrix, n: Matrix) -> Matrix:
    """``m`` then ``n`` (PDF's row-vector convention: a point is transformed as p·m·n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    )


def _corners(box: list[float], m: Matrix) -> list[tuple[float, float]]:
    x1, y1, x2, y2 = box
    a, b, c, d, e, f = m
    return [(x * a + y * c + e, x * b + y * d + f) for x in (x1, x2) for y in (y1, y2)]


def _bounds(points: list[tuple[float, float]]) -> Rect:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))
