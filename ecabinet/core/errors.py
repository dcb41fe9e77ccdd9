"""Domain errors: a stable code and a message in Vietnamese and English.

Services raise these; one place (``ecabinet.api.errors``) maps their *kind* to an
HTTP status. Nothing here knows about HTTP.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every error a user may see. ``code`` is stable: clients may rely on it."""

    kind: ClassVar[str] = "invalid"

    def __init__(self, code: str, vi: str, en: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {en}")
        self.code = code
        self.vi = vi
        self.en = en
        self.details = details or {}

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": {"vi": self.vi, "en": self.en},
            "details": self.details,
        }


class InvalidInput(DomainError):
    """The input is malformed or breaks a rule (400/422)."""

    kind = "invalid"


class NotAuthenticated(DomainError):
    kind = "unauthenticated"


class PermissionDenied(DomainError):
    """The user may see the object but not do this to it (403)."""

    kind = "forbidden"


class NotFound(DomainError):
    """Missing, or not visible to this user: the two look the same on purpose (404)."""

    kind = "not_found"

    @classmethod
    def of(cls, what_vi: str, what_en: str, code: str = "not_found") -> NotFound:
        return cls(code, f"Không tìm thấy {what_vi}.", f"{what_en} not found.")


class Conflict(DomainError):
    """The object is not in a state that allows this (409)."""

    kind = "conflict"


class TooLarge(DomainError):
    kind = "too_large"


class RateLimited(DomainError):
    kind = "rate_limited"


class Unavailable(DomainError):
    """A backing service (object store, database) cannot be reached (503)."""

    kind = "unavailable"


RETRY_AFTER = 5
"""Seconds a client is told to wait (``Retry-After``) when a backing service is away."""


class IntegrityFailure(DomainError):
    """Stored data no longer matches its recorded checksum (500-class, but reported cleanly)."""

    kind = "integrity"


def too_large(limit: int, code: str = "upload.too_large") -> TooLarge:
    """The body or file is over ``limit`` bytes."""
    mib = max(1, limit // (1024 * 1024))
    return TooLarge(
        code,
        f"Dữ liệu gửi lên vượt quá giới hạn {mib} MiB.",
        f"The upload is over the {mib} MiB limit.",
        {"limit_bytes": limit},
    )


def route_not_found() -> NotFound:
    """No route answers this address (a path no handler serves, or one none could hold)."""
    return NotFound("route.not_found", "Không tìm thấy địa chỉ này.", "No such address.")


def log_outage(log: logging.Logger, where: str, error: Unavailable) -> None:
    """One line, no traceback, for an outside service that failed (a database refusing
    connections must not write hundreds of lines per request): where, the code, and what
    the service's client said (its first line)."""
    cause = error.__cause__
    said = error.en
    if cause is not None:
        first = (str(cause).strip().splitlines() or [""])[0]
        said = f"{type(cause).__name__}: {first[:300]}"
    log.warning("%s: %s (%s)", where, error.code, said)
