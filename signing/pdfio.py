"""Reading PDFs for signing and validation, and the few PDF value encodings we write.

The reader never copies the input bytes (a 200 MB file stays one buffer), and every
problem pypdf may raise on a damaged file becomes one :class:`BadPdf` with a clear code.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

from signing.errors import BadPdf, not_a_pdf

VN = timezone(timedelta(hours=7))
"""Vietnam time (UTC+07:00, no daylight saving): the zone of claimed signing times."""
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF", re.S)
_OBJ_HEADER = re.compile(rb"\s*\d+\s+\d+\s+obj")
PYPDF_ERRORS = (
    PdfReadError,
    PyPdfError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    RecursionError,
    AssertionError,
)
"""What pypdf raises on damaged input (it is not strict about its own error types)."""


def pdf_date(moment: datetime) -> bytes:
    """``D:YYYYMMDDHHmmSS+07'00'`` as a PDF literal string."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=VN)
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hh, mm = divmod(abs(minutes), 60)
    return f"(D:{moment:%Y%m%d%H%M%S}{sign}{hh:02d}'{mm:02d}')".encode()


def pdf_text(text: str) -> bytes:
    """A text string: UTF-16BE with a BOM, as a hex string (safe for any character)."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def serialize(obj: Any) -> bytes:
    """The PDF syntax of a pypdf object (references stay references)."""
    buffer = io.BytesIO()
    obj.write_to_stream(buffer)
    return buffer.getvalue()


class _BytesView(io.RawIOBase):
    """A read-only, seekable stream over bytes that never copies them (``io.BytesIO``
    does, as soon as a reader asks for its buffer)."""

    def __init__(self, data: bytes | memoryview) -> None:
        super().__init__()
        self._view = memoryview(data)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: Any) -> int:
        chunk = self._view[self._pos : self._pos + len(buffer)]
        buffer[: len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)


def open_pdf(data: bytes) -> PdfReader:
    """Read a PDF; refuse what we cannot sign or check safely, with a clear error."""
    if data[:1024].lstrip()[:5] != b"%PDF-":
        raise not_a_pdf("no %PDF header")
    try:
        reader = PdfReader(io.BufferedReader(_BytesView(data)), strict=False)
        if reader.is_encrypted:
            raise BadPdf(
                "pdf.encrypted",
                "Tệp PDF đã mã hóa (có mật khẩu): hãy gỡ mật khẩu rồi gửi lại.",
                "The PDF is encrypted (password-protected): remove the password and send it again.",
            )
        _ = reader.trailer["/Root"]
        _ = len(reader.pages)
    except BadPdf:
        raise
    except PYPDF_ERRORS as exc:
        raise not_a_pdf(type(exc).__name__) from None
    return reader


def open_revision(data: bytes, end: int) -> PdfReader:
    """The document as it was when the revision ending at ``end`` was written (no copy)."""
    try:
        return PdfReader(io.BufferedReader(_BytesView(memoryview(data)[:end])), strict=False)
    except PYPDF_ERRORS as exc:
        raise not_a_pdf(type(exc).__name__) from None


def startxref(data: bytes) -> int:
    """Offset of the last cross-reference section; a clear error when it points nowhere."""
    matches = list(_STARTXREF.finditer(data[-4096:]))
    if not matches:
        raise not_a_pdf("no startxref")
    offset = int(matches[-1].group(1))
    head = data[offset : offset + 32]
    if not (head.startswith(b"xref") or _OBJ_HEADER.match(head)):
        raise BadPdf(
            "pdf.broken_xref",
            "Bảng tham chiếu chéo (xref) của tệp PDF bị hỏng: hãy lưu lại tệp bằng phần mềm PDF"
            " rồi ký.",
            "The PDF's cross-reference table is broken: re-save the file with a PDF tool, then"
            " sign.",
        )
    return offset
