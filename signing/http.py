"""The little HTTP this library does: time-stamp requests, OCSP, CRLs and CA certificates.

Only ``http`` and ``https`` URLs, a timeout on every request and a cap on the answer's
size; every failure is one :class:`NetworkError` naming the address.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlsplit

from signing.errors import NetworkError

MAX_ANSWER = 16 * 1024 * 1024
"""Largest answer read (a CRL of a big CA can be a few MB)."""


def _check(url: str) -> None:
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise NetworkError(
            "network.bad_url",
            f"Địa chỉ không hợp lệ: {url!r}.",
            f"Not an http(s) address: {url!r}.",
        )


def fetch(url: str, *, timeout: float, body: bytes | None = None, content_type: str = "") -> bytes:
    """GET ``url`` (or POST ``body`` with ``content_type``); the answer's bytes."""
    _check(url)
    method = "POST" if body is not None else "GET"
    request = urllib.request.Request(url, data=body, method=method)  # noqa: S310 (checked)
    if content_type:
        request.add_header("Content-Type", content_type)
    request.add_header("User-Agent", "eCabinet-signing/1")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (checked)
            data: bytes = answer.read(MAX_ANSWER + 1)
    except urllib.error.HTTPError as exc:
        raise NetworkError(
            "network.http_error",
            f"Máy chủ {url} trả lời lỗi HTTP {exc.code}.",
            f"{url} answered HTTP {exc.code}.",
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise NetworkError(
            "network.unreachable",
            f"Không kết nối được tới {url} ({reason}).",
            f"Cannot reach {url} ({reason}).",
        ) from None
    if len(data) > MAX_ANSWER:
        raise NetworkError(
            "network.too_large",
            f"Câu trả lời từ {url} quá lớn.",
            f"The answer from {url} is too large.",
        )
    return data
