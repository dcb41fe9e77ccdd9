"""Urgency (độ khẩn) and confidentiality (độ mật) of a document, Decree 30 Article 8-9."""

from __future__ import annotations

from enum import StrEnum


class Urgency(StrEnum):
    normal = "normal"
    urgent = "urgent"
    """Khẩn."""
    very_urgent = "very_urgent"
    """Thượng khẩn."""
    flash = "flash"
    """Hỏa tốc: registered, presented and handed over at once."""

    @property
    def rank(self) -> int:
        """Higher first in every queue."""
        return _URGENCY_RANK[self]

    @property
    def label_vi(self) -> str:
        return _URGENCY_VI[self]


_URGENCY_RANK = {Urgency.normal: 0, Urgency.urgent: 1, Urgency.very_urgent: 2, Urgency.flash: 3}
_URGENCY_VI = {
    Urgency.normal: "Thường",
    Urgency.urgent: "Khẩn",
    Urgency.very_urgent: "Thượng khẩn",
    Urgency.flash: "Hỏa tốc",
}


class Confidentiality(StrEnum):
    none = "none"
    confidential = "confidential"
    """Mật."""
    secret = "secret"  # noqa: S105 - a level name
    """Tối mật."""
    top_secret = "top_secret"  # noqa: S105 - a level name
    """Tuyệt mật."""

    @property
    def restricted(self) -> bool:
        """Kept in its own register series and shown only to its access list."""
        return self is not Confidentiality.none

    @property
    def label_vi(self) -> str:
        return _CONFIDENTIALITY_VI[self]


_CONFIDENTIALITY_VI = {
    Confidentiality.none: "Thường",
    Confidentiality.confidential: "Mật",
    Confidentiality.secret: "Tối mật",
    Confidentiality.top_secret: "Tuyệt mật",
}
