"""A decompression bomb shaped like a real PDF: ``pages`` pages sharing one content
stream of ``size`` bytes that compresses about 500 to 1 (60 MB in ~130 KB). Each page
makes pypdf parse the whole stream again: text extraction of the default file took minutes
of CPU before untrusted PDFs were read in the sandbox."""

from __future__ import annotations

import io
import zlib

LINE = b"() Tj (" + b"x" * 1190 + b") zz\n"
"""An empty string shown, then a long operand of an unknown operator: cheap to store,
costly to parse, no text to stop the extraction early."""


def pdf_bomb(pages: int = 50, size: int = 60 * 1024 * 1024) -> bytes:
    content = b"BT /F1 12 Tf 72 720 Td\n" + LINE * (size // len(LINE)) + b"ET\n"
    packed = zlib.compress(content, 9)
    font = 4 + pages
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (4 + i) for i in range(pages)), pages),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
        *[
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
            b" /Resources << /Font << /F1 %d 0 R >> >> /Contents 3 0 R >>" % font
        ]
        * pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()
