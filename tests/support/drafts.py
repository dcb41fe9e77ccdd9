"""A short decision laid out after Decree 30, as the system drafts it (``draft=True``: its
number and date lines are form fields) or as a word processor prints it (placeholders as
page text)."""

from __future__ import annotations

from typing import Any

from documents.layout.official import make_official_document


def decision(*, draft: bool = True, **overrides: Any) -> bytes:
    """A one-page "Quyết định" of a provincial People's Committee, still unnumbered."""
    fields: dict[str, Any] = {
        "agency_upper": "",
        "agency_name": "ỦY BAN NHÂN DÂN\nTỈNH AN GIANG",
        "number_symbol": "/QĐ-UBND" if draft else "        /QĐ-UBND",
        "place_date": "An Giang, ngày      tháng      năm 2026",
        "type_name": "Quyết định",
        "abstract": "Về việc thành lập Tổ công tác",
        "paragraphs": ["QUYẾT ĐỊNH:", "Điều 1. Thành lập Tổ công tác./."],
        "signer_title": "CHỦ TỊCH",
        "signer_name": "Nguyễn Thanh Bình",
        "recipients": ["Như Điều 1", "Lưu: VT"],
    }
    return make_official_document(**(fields | overrides), draft=draft)
