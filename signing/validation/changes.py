"""What changed in a PDF after a signed revision, and what each change needs to be allowed.

A signature covers the file as it was up to its revision; later incremental updates may
add signatures, time-stamps, validation data, annotations and form values, but must not
touch the pages' content. The analysis compares the signed revision with the final file:
the objects written again after the revision (from the cross-reference sections), and
the document's structure (pages, annotations, form fields, catalog) before and after.
Anything changed that no rule explains counts as a change of content.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from signing.fields import FormField, form_fields
from signing.pdfio import PYPDF_ERRORS, open_revision, serialize

NEVER = 99
"""Level of a change no permission allows (new or changed page content)."""
CATALOG_KEYS = frozenset({"/AcroForm", "/DSS", "/Extensions", "/Metadata", "/Perms"})
FORM_KEYS = frozenset({"/Fields", "/SigFlags", "/DR", "/NeedAppearances", "/DA"})
FIELD_KEYS = frozenset({"/V", "/AS", "/AP", "/DA", "/Lock", "/MK"})


@dataclass(frozen=True)
class Change:
    """One change after a signature, in Vietnamese and English."""

    kind: str
    """``signature``, ``timestamp``, ``dss``, ``metadata``, ``form_fill``, ``annotation``,
    ``pages``, ``page_content``, ``form_structure``, ``structure``, ``other``."""
    level: int
    """The DocMDP permission that allows it: 0 always (time-stamps, validation data,
    metadata), 2 form filling and signing, 3 annotations, :data:`NEVER` nothing."""
    vi: str
    en: str

    def allowed_under(self, permission: int | None) -> bool:
        """Allowed when the signature (or a certification) restricts changes to
        ``permission`` (None: the default rules, as for P=3)."""
        if permission == 1:
            return self.level == 0
        return self.level <= (3 if permission is None else permission)


def _num(raw: Any) -> int | None:
    return raw.idnum if isinstance(raw, IndirectObject) else None


def _resolve(raw: Any) -> Any:
    return raw.get_object() if raw is not None else None


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    try:
        return serialize(a) == serialize(b)
    except PYPDF_ERRORS:
        return False


def _changed_numbers(final: PdfReader, end: int) -> set[int]:
    """Objects whose current definition was written at or after offset ``end``."""
    offsets: dict[int, int] = {}
    for table in final.xref.values():
        for num, offset in table.items():
            offsets.setdefault(num, offset)
    changed = {num for num, offset in offsets.items() if offset >= end}
    for num, (stream, _index) in final.xref_objStm.items():
        if offsets.get(stream, 0) >= end:
            changed.add(num)
    return changed


def _existing_numbers(old: PdfReader) -> set[int]:
    numbers = set(old.xref_objStm)
    for table in old.xref.values():
        numbers.update(n for n in table if n)
    return numbers


@dataclass
class _Structure:
    """The parts of a revision the rules know: page tree, annotations, form, DSS."""

    pages: list[int]
    page_nodes: set[int]
    annots: dict[int, list[int]]
    """page object number → annotation object numbers."""
    known: set[int]
    """Objects whose changes the structural rules below judge."""
    contents: dict[int, int]
    """content stream object number → page number (from 1)."""


def _walk_pages(reader: PdfReader) -> _Structure:
    catalog = cast(DictionaryObject, reader.trailer["/Root"])
    structure = _Structure([], set(), {}, set(), {})
    seen: set[int] = set()

    def node(raw: Any, depth: int) -> None:
        num = _num(raw)
        if num is None or num in seen or depth > 64:
            return
        seen.add(num)
        value = raw.get_object()
        if value.get("/Type") == "/Pages" or "/Kids" in value:
            structure.page_nodes.add(num)
            kids = value.get("/Kids")
            if _num(value.raw_get("/Kids")) is not None:
                structure.known.add(cast(int, _num(value.raw_get("/Kids"))))
            for kid in cast(list[Any], _resolve(kids) or []):
                node(kid, depth + 1)
            return
        structure.pages.append(num)
        annots_raw = value.raw_get("/Annots") if "/Annots" in value else None
        if _num(annots_raw) is not None:
            structure.known.add(cast(int, _num(annots_raw)))
        refs = [_num(a) for a in cast(list[Any], _resolve(annots_raw) or [])]
        structure.annots[num] = [r for r in refs if r is not None]
        structure.known.update(structure.annots[num])
        contents = value.raw_get("/Contents") if "/Contents" in value else None
        refs = [contents]
        if isinstance(_resolve(contents), ArrayObject):
            refs += list(cast(ArrayObject, _resolve(contents)))
        for ref in refs:
            if _num(ref) is not None:
                structure.contents[cast(int, _num(ref))] = len(structure.pages)

    node(catalog.raw_get("/Pages"), 0)
    structure.known.update(structure.pages)
    structure.known.update(structure.page_nodes)
    return structure


def _form_objects(reader: PdfReader, fields: list[FormField]) -> set[int]:
    catalog = cast(DictionaryObject, reader.trailer["/Root"])
    numbers: set[int] = set()
    form_raw = catalog.raw_get("/AcroForm") if "/AcroForm" in catalog else None
    if _num(form_raw) is not None:
        numbers.add(cast(int, _num(form_raw)))
    form = _resolve(form_raw)
    if form is not None and _num(form.raw_get("/Fields") if "/Fields" in form else None):
        numbers.add(cast(int, _num(form.raw_get("/Fields"))))
    for field in fields:
        if field.ref is not None:
            numbers.add(field.ref.idnum)
        node: Any = field.value
        for _ in range(32):  # up the /Parent chain of a hierarchical field name
            raw = node.raw_get("/Parent") if "/Parent" in node else None
            parent = _num(raw)
            if parent is None or parent in numbers:
                break
            numbers.add(parent)
            node = _resolve(raw)
    return numbers


def _dss_objects(reader: PdfReader) -> set[int]:
    catalog = cast(DictionaryObject, reader.trailer["/Root"])
    numbers: set[int] = set()
    raw = catalog.raw_get("/DSS") if "/DSS" in catalog else None
    if _num(raw) is not None:
        numbers.add(cast(int, _num(raw)))
    dss = _resolve(raw)
    if isinstance(dss, DictionaryObject):
        for key in ("/Certs", "/OCSPs", "/CRLs", "/VRI"):
            value = dss.raw_get(key) if key in dss else None
            if _num(value) is not None:
                numbers.add(cast(int, _num(value)))
            resolved = _resolve(value)
            items = resolved.values() if isinstance(resolved, DictionaryObject) else resolved
            for item in cast(list[Any], items or []):
                if _num(item) is not None:
                    numbers.add(cast(int, _num(item)))
    return numbers


def _is_timestamp(field: FormField) -> bool:
    value = _resolve(field.value.get("/V"))
    return isinstance(value, DictionaryObject) and value.get("/Type") == "/DocTimeStamp"


def _field_changes(old: list[FormField], new: list[FormField]) -> Iterator[Change]:
    before = {f.name: f for f in old}
    after = {f.name: f for f in new}
    for name, field in after.items():
        was = before.get(name)
        changed_keys = (
            {
                k
                for k in set(was.value) | set(field.value)
                if not _same(was.value.get(k), field.value.get(k))
            }
            if was is not None
            else set()
        )
        if field.is_signature and was is not None and was.is_signed and changed_keys:
            yield Change(
                "structure", NEVER, f"Chữ ký “{name}” bị sửa đổi", f"Signature “{name}” altered"
            )
            continue
        if changed_keys - FIELD_KEYS:
            yield Change(
                "form_structure",
                NEVER,
                f"Thuộc tính của trường “{name}” bị thay đổi",
                f"Properties of the field “{name}” changed",
            )
        if field.is_signature:
            newly_signed = field.is_signed and (was is None or not was.is_signed)
            if newly_signed and _is_timestamp(field):
                yield Change(
                    "timestamp", 0, "Thêm dấu thời gian tài liệu", "Document time-stamp added"
                )
            elif newly_signed:
                yield Change("signature", 2, f"Thêm chữ ký “{name}”", f"Signature “{name}” added")
            elif was is None:
                yield Change(
                    "signature",
                    2,
                    f"Thêm ô chữ ký trống “{name}”",
                    f"Empty signature field “{name}” added",
                )
            continue
        if was is None:
            yield Change(
                "form_structure",
                NEVER,
                f"Thêm trường biểu mẫu “{name}”",
                f"Form field “{name}” added",
            )
        elif "/V" in changed_keys:
            yield Change(
                "form_fill", 2, f"Điền trường biểu mẫu “{name}”", f"Form field “{name}” filled in"
            )
    for name in before.keys() - after.keys():
        yield Change("form_structure", NEVER, f"Trường “{name}” bị xóa", f"Field “{name}” removed")


def _page_changes(
    old: PdfReader, final: PdfReader, before: _Structure, after: _Structure, changed: set[int]
) -> Iterator[Change]:
    if before.pages != after.pages:
        yield Change(
            "pages",
            NEVER,
            f"Trang bị thêm, bớt hoặc sắp xếp lại ({len(before.pages)} → {len(after.pages)} trang)",
            f"Pages added, removed or reordered ({len(before.pages)} → {len(after.pages)} pages)",
        )
    for num in before.page_nodes & changed:
        if not _same(old.get_object(num), final.get_object(num)):
            yield Change(
                "pages", NEVER, "Cây trang của tài liệu bị thay đổi", "The page tree was changed"
            )
            break
    for index, num in enumerate(before.pages, start=1):
        if num not in after.annots or num not in changed:
            continue
        page_old = cast(DictionaryObject, old.get_object(num))
        page_new = cast(DictionaryObject, final.get_object(num))
        keys = {k for k in set(page_old) | set(page_new) if k != "/Annots"}
        if any(not _same(page_old.get(k), page_new.get(k)) for k in keys):
            yield Change(
                "page_content",
                NEVER,
                f"Nội dung hoặc thuộc tính trang {index} bị thay đổi",
                f"The content or properties of page {index} changed",
            )
        old_annots, new_annots = before.annots.get(num, []), after.annots[num]
        if set(old_annots) - set(new_annots):
            yield Change(
                "annotation",
                NEVER,
                f"Ghi chú trên trang {index} bị xóa",
                f"Annotations removed from page {index}",
            )
        for added in (a for a in new_annots if a not in old_annots):
            annot = final.get_object(added)
            subtype = str(cast(Any, annot).get("/Subtype", "")).lstrip("/")
            if subtype == "Widget":
                continue  # judged with the form fields
            yield Change(
                "annotation",
                3,
                f"Thêm ghi chú ({subtype}) trên trang {index}",
                f"Annotation ({subtype}) added on page {index}",
            )


def analyse(data: bytes, final: PdfReader, end: int) -> list[Change]:
    """The changes from the revision ending at ``end`` to the whole of ``data``."""
    tail = data[end:]
    if not tail.strip(b"\x00\t\n\f\r "):
        return []
    try:
        old = open_revision(data, end)
        changes = list(_analyse(old, final, end))
    except PYPDF_ERRORS:
        changes = [
            Change(
                "other",
                NEVER,
                "Không đọc được phần sửa đổi sau khi ký",
                "The updates after signing cannot be read",
            )
        ]
    unique: dict[tuple[str, str], Change] = {}
    for change in changes:
        unique.setdefault((change.kind, change.en), change)
    return list(unique.values())


def _analyse(old: PdfReader, final: PdfReader, end: int) -> Iterator[Change]:
    changed = _changed_numbers(final, end)
    if not changed:
        yield Change(
            "other",
            0,
            "Có dữ liệu thừa sau phiên bản được ký (không thuộc tài liệu)",
            "Bytes after the signed revision that are not part of the document",
        )
        return
    existed = _existing_numbers(old)
    old_catalog = cast(DictionaryObject, old.trailer["/Root"])
    new_catalog = cast(DictionaryObject, final.trailer["/Root"])
    keys = {k for k in set(old_catalog) | set(new_catalog) if k not in CATALOG_KEYS}
    bad = sorted(k for k in keys if not _same(old_catalog.get(k), new_catalog.get(k)))
    if bad:
        yield Change(
            "structure",
            NEVER,
            f"Cấu trúc tài liệu bị thay đổi ({', '.join(bad)})",
            f"The document structure changed ({', '.join(bad)})",
        )
    old_form, new_form = (
        _resolve(old_catalog.get("/AcroForm")),
        _resolve(new_catalog.get("/AcroForm")),
    )
    if isinstance(old_form, DictionaryObject) and isinstance(new_form, DictionaryObject):
        form_keys = {k for k in set(old_form) | set(new_form) if k not in FORM_KEYS}
        if any(not _same(old_form.get(k), new_form.get(k)) for k in form_keys):
            yield Change(
                "form_structure", NEVER, "Biểu mẫu của tài liệu bị thay đổi", "The form was changed"
            )
    if not _same(old_catalog.get("/DSS"), new_catalog.get("/DSS")):
        yield Change(
            "dss",
            0,
            "Bổ sung dữ liệu kiểm tra chữ ký dài hạn (DSS)",
            "Long-term validation data (DSS) added",
        )
    if not _same(old_catalog.get("/Metadata"), new_catalog.get("/Metadata")):
        yield Change("metadata", 0, "Cập nhật siêu dữ liệu (XMP)", "Metadata (XMP) updated")

    before, after = _walk_pages(old), _walk_pages(final)
    yield from _page_changes(old, final, before, after, changed)
    old_fields, new_fields = list(form_fields(old)), list(form_fields(final))
    yield from _field_changes(old_fields, new_fields)

    known = before.known | _form_objects(old, old_fields) | _dss_objects(old)
    info = old.trailer.raw_get("/Info") if "/Info" in old.trailer else None
    metadata = old_catalog.raw_get("/Metadata") if "/Metadata" in old_catalog else None
    for raw in (old.trailer.raw_get("/Root"), info, metadata):
        if _num(raw) is not None:
            known.add(cast(int, _num(raw)))
    for num in sorted(changed & existed - known):
        old_obj: Any = None
        try:
            old_obj = old.get_object(num)
            if _same(old_obj, final.get_object(num)):
                continue
        except PYPDF_ERRORS:
            pass
        kind = cast(Any, old_obj).get("/Type") if isinstance(old_obj, DictionaryObject) else None
        if kind in ("/ObjStm", "/XRef"):
            continue  # containers: their objects are judged one by one
        if num in before.contents:
            page = before.contents[num]
            yield Change(
                "page_content",
                NEVER,
                f"Nội dung trang {page} bị thay đổi",
                f"The content of page {page} changed",
            )
        else:
            yield Change(
                "other",
                NEVER,
                f"Đối tượng {num} của tài liệu bị thay đổi (tài nguyên hoặc nội dung)",
                f"Object {num} of the document changed (a resource or content)",
            )
