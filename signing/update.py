"""An incremental update: new and changed objects appended after the original bytes.

The original bytes are never touched (earlier signatures stay valid). After them come the
objects of the update and a cross-reference section of the same kind as the file's own
(table or stream) pointing back with /Prev. Signatures, the DSS of B-LT and document
time-stamps are all written through :class:`Update`.
"""

from __future__ import annotations

import zlib
from typing import Any, cast

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from signing.errors import not_a_pdf
from signing.pdfio import serialize, startxref


class Update:
    """One incremental update being built on top of ``data`` (read by ``reader``)."""

    def __init__(self, data: bytes, reader: PdfReader) -> None:
        self.data = data
        self.reader = reader
        self.prev = startxref(data)
        self.is_table = data[self.prev : self.prev + 4] == b"xref"
        trailer = reader.trailer
        self.size = int(cast(Any, trailer["/Size"]))
        root = trailer.raw_get("/Root")
        if not isinstance(root, IndirectObject):
            raise not_a_pdf("catalog is not an indirect object")
        self.root_ref = root
        self._next = self.size
        self._objects: dict[int, tuple[int, bytes | None]] = {}

    @property
    def catalog(self) -> DictionaryObject:
        return cast(DictionaryObject, self.reader.trailer["/Root"])

    def allocate(self) -> int:
        """A new object number; its body must be given later with :meth:`put`."""
        num = self._next
        self._next += 1
        self._objects[num] = (0, None)
        return num

    def add(self, body: bytes) -> int:
        """Add a new object; returns its number."""
        num = self.allocate()
        self.put(num, body)
        return num

    def put(self, num: int, body: bytes, generation: int = 0) -> None:
        """Set the body of an allocated object, or of an existing one (a new version)."""
        self._objects[num] = (generation, body)

    def replace(self, ref: IndirectObject, obj: Any) -> None:
        """Write a new version of the existing object ``ref``."""
        self.put(ref.idnum, serialize(obj), ref.generation)

    def ref(self, num: int) -> IndirectObject:
        return IndirectObject(num, 0, self.reader)

    def append_to_array(self, owner: DictionaryObject, key: str, ref: IndirectObject) -> bool:
        """Add ``ref`` to the array ``owner[key]``. An array that is an object of its own
        gets a new version here (False: ``owner`` is unchanged); an inline or missing one is
        replaced in ``owner`` (True: the caller must write ``owner``)."""
        raw = owner.raw_get(key) if key in owner else None
        if isinstance(raw, IndirectObject):
            array = ArrayObject(cast(Any, raw.get_object()))
            array.append(ref)
            self.replace(raw, array)
            return False
        owner[NameObject(key)] = ArrayObject([*(cast(Any, raw) or []), ref])
        return True

    def build(self) -> tuple[bytearray, dict[int, int]]:
        """The bytes to append and, per written object, its offset in the whole file."""
        missing = [n for n, (_, body) in self._objects.items() if body is None]
        if missing:  # pragma: no cover - a programming error, not bad input
            raise RuntimeError(f"objects allocated but never written: {missing}")
        base = len(self.data)
        out = bytearray(b"" if self.data.endswith((b"\n", b"\r")) else b"\n")
        offsets: dict[int, int] = {}
        generations: dict[int, int] = {}
        for num, (gen, body) in self._objects.items():
            offsets[num] = base + len(out)
            generations[num] = gen
            out += f"{num} {gen} obj\n".encode() + cast(bytes, body) + b"\nendobj\n"
        trailer = self.reader.trailer
        file_id = serialize(trailer["/ID"]) if "/ID" in trailer else b""
        info = trailer.raw_get("/Info") if "/Info" in trailer else None
        tail = f"/Root {self.root_ref.idnum} {self.root_ref.generation} R".encode()
        if isinstance(info, IndirectObject):
            tail += b"/Info " + serialize(info)
        if file_id:
            tail += b"/ID " + file_id
        tail += f"/Prev {self.prev}".encode()
        if self.is_table:
            self._write_table(out, base, offsets, generations, tail)
        else:
            self._write_stream(out, base, offsets, generations, tail)
        return out, offsets

    def _write_table(
        self,
        out: bytearray,
        base: int,
        offsets: dict[int, int],
        generations: dict[int, int],
        tail: bytes,
    ) -> None:
        xref_at = base + len(out)
        out += b"xref\n"
        for group in _groups(list(offsets)):
            out += f"{group[0]} {len(group)}\n".encode()
            for n in group:
                out += f"{offsets[n]:010d} {generations[n]:05d} n\r\n".encode()
        size = max(self.size, self._next)
        out += f"trailer\n<</Size {size} ".encode() + tail
        out += f">>\nstartxref\n{xref_at}\n%%EOF\n".encode()

    def _write_stream(
        self,
        out: bytearray,
        base: int,
        offsets: dict[int, int],
        generations: dict[int, int],
        tail: bytes,
    ) -> None:
        xref_num = max(self.size, self._next)
        xref_at = base + len(out)
        entries = {**offsets, xref_num: xref_at}
        gens = {**generations, xref_num: 0}
        rows = bytearray()
        index: list[int] = []
        for group in _groups(list(entries)):
            index += [group[0], len(group)]
            for n in group:
                rows += b"\x01" + entries[n].to_bytes(5, "big") + gens[n].to_bytes(2, "big")
        body = zlib.compress(bytes(rows))
        head = (
            f"{xref_num} 0 obj\n<</Type/XRef/Size {xref_num + 1}/W[1 5 2]"
            f"/Index[{' '.join(map(str, index))}]/Filter/FlateDecode/Length {len(body)}"
        ).encode() + tail
        out += head + b">>\nstream\n" + body + b"\nendstream\nendobj\n"
        out += f"startxref\n{xref_at}\n%%EOF\n".encode()


def _groups(numbers: list[int]) -> list[list[int]]:
    groups: list[list[int]] = []
    for n in sorted(numbers):
        if groups and n == groups[-1][-1] + 1:
            groups[-1].append(n)
        else:
            groups.append([n])
    return groups
