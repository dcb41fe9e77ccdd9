"""The document side of burning annotations in: pages, resources, content, signatures.

Small pypdf operations on a :class:`pypdf.PdfWriter` cloned from the meeting document.
They never change an object another page may share (resources are copied before a name
is added) and never touch the original bytes.
"""

from __future__ import annotations

from pypdf import PageObject, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

from signing.placement import PageBox


def stream(data: bytes) -> StreamObject:
    """A content stream (compressed unless it is tiny)."""
    obj = StreamObject()
    obj.set_data(data)
    return obj.flate_encode() if len(data) > 64 else obj


def page_box(page: PageObject) -> PageBox:
    """The visible area (CropBox within MediaBox) and the rotation, as
    :class:`signing.placement.PageBox` holds them."""
    crop, media = page.cropbox, page.mediabox
    x1, y1 = max(float(crop.left), float(media.left)), max(float(crop.bottom), float(media.bottom))
    x2, y2 = min(float(crop.right), float(media.right)), min(float(crop.top), float(media.top))
    if x2 <= x1 or y2 <= y1:  # a crop box off the media box: viewers fall back to media
        x1, y1, x2, y2 = (float(v) for v in (media.left, media.bottom, media.right, media.top))
    rotate = int(page.rotation) % 360
    return PageBox((x1, y1, x2, y2), rotate - rotate % 90)


def add_resource(page: PageObject, kind: str, prefix: str, ref: IndirectObject) -> str:
    """Name ``ref`` in the page's ``/Resources`` ``kind`` (``/Font``, ``/ExtGState``)
    without taking a name the page already uses; the name chosen."""
    names = _own(_own(page, "/Resources"), kind)
    name, n = prefix, 0
    while f"/{name}" in names:
        n += 1
        name = f"{prefix}{n}"
    names[NameObject(f"/{name}")] = ref
    return name


def _own(holder: DictionaryObject, key: str) -> DictionaryObject:
    """``holder[key]`` as a dictionary of the holder's own (a shallow copy), so adding to
    it never changes resources other pages share."""
    current = holder.get(key)
    copy = DictionaryObject(current.get_object()) if current is not None else DictionaryObject()
    holder[NameObject(key)] = copy
    return copy


def wrap_and_append(
    writer: PdfWriter, page: PageObject, opener: IndirectObject, ops: bytes
) -> None:
    """Put ``opener`` (a stream holding ``q``) before the page's content and ``ops`` after
    it; ``ops`` starts with the ``Q`` that closes the page's own graphics state."""
    old = page.get("/Contents")
    old = old.get_object() if old is not None else ArrayObject()
    parts = list(old) if isinstance(old, ArrayObject) else [page.raw_get("/Contents")]
    page[NameObject("/Contents")] = ArrayObject([opener, *parts, writer._add_object(stream(ops))])


def drop_signatures(writer: PdfWriter) -> None:
    """Empty the signature fields (their visible stamps stay) and drop DocMDP: no
    signature holds in a rewritten file, and viewers would call the copy tampered with."""
    root = writer.root_object
    root.pop("/Perms", None)
    form = root.get("/AcroForm")
    if form is None:
        return
    form = form.get_object()
    form.pop("/SigFlags", None)
    todo = [(field.get_object(), None) for field in form.get("/Fields", ArrayObject())]
    while todo:
        field, inherited = todo.pop()
        kind = field.get("/FT", inherited)
        if kind == "/Sig":
            field.pop("/V", None)
        todo += [(kid.get_object(), kind) for kid in field.get("/Kids", ArrayObject())]
