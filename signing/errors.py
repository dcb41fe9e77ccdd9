"""Signing errors: a stable code and a message in Vietnamese and English.

``signing`` is a library and imports nothing of the app; the app maps these to HTTP
(a :class:`SigningError` is bad input, 422) in its one error-mapping place.
"""

from __future__ import annotations


class SigningError(Exception):
    """Base of every error this library raises on purpose."""

    def __init__(self, code: str, vi: str, en: str) -> None:
        super().__init__(f"{code}: {en}")
        self.code = code
        self.vi = vi
        self.en = en


class BadPdf(SigningError):
    """The input is not a PDF we can sign or read."""


class BadKey(SigningError):
    """The key or certificate cannot be used (wrong password, no key, wrong type)."""


def not_a_pdf(detail: str = "") -> BadPdf:
    return BadPdf(
        "pdf.invalid",
        "Tệp không phải PDF hợp lệ" + (f" ({detail})." if detail else "."),
        "The file is not a valid PDF" + (f" ({detail})." if detail else "."),
    )


class NetworkError(SigningError):
    """A time-stamp authority, OCSP responder or CRL server could not be used."""


class TimestampError(SigningError):
    """The time-stamp authority refused, or answered something unusable."""


def missing_tsa(level: str) -> SigningError:
    return SigningError(
        "tsa.missing",
        f"Mức {level} cần máy chủ cấp dấu thời gian (ECABINET_TSA_URL hoặc --tsa).",
        f"Level {level} needs a time-stamp authority (ECABINET_TSA_URL or --tsa).",
    )
