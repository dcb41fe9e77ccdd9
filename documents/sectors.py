"""Sectors (lĩnh vực) of published documents: the subject a visitor filters the public
page by. The clerk chooses one when publishing. The list follows the headings provincial
portals use; a province that wants others changes this list (codes stay stable in URLs
and in the publication log)."""

from __future__ import annotations

from ecabinet.core import errors

SECTORS: dict[str, tuple[str, str]] = {
    "dat-dai": ("Đất đai", "Land"),
    "tai-chinh": ("Tài chính, ngân sách", "Finance and budget"),
    "dau-tu-xay-dung": ("Đầu tư, xây dựng", "Investment and construction"),
    "giao-duc": ("Giáo dục, đào tạo", "Education and training"),
    "y-te": ("Y tế", "Health"),
    "nong-nghiep-moi-truong": ("Nông nghiệp, môi trường", "Agriculture and environment"),
    "giao-thong": ("Giao thông, vận tải", "Transport"),
    "van-hoa-xa-hoi": ("Văn hóa, xã hội", "Culture and society"),
    "noi-vu": ("Nội vụ, tổ chức bộ máy", "Home affairs and organisation"),
    "khcn-chuyen-doi-so": (
        "Khoa học, công nghệ, chuyển đổi số",
        "Science, technology and digital transformation",
    ),
    "cai-cach-hanh-chinh": ("Cải cách hành chính", "Administrative reform"),
    "quoc-phong-an-ninh": ("Quốc phòng, an ninh", "Defence and security"),
    "khac": ("Khác", "Other"),
}
"""code -> (Vietnamese, English)."""

DEFAULT = "khac"


def check(code: str) -> str:
    """The code if it names a sector; else a 422 in both languages."""
    if code not in SECTORS:
        raise errors.InvalidInput(
            "publication.bad_sector",
            f"Lĩnh vực “{code[:40]}” không có trong danh mục.",
            f"Sector {code[:40]!r} is not in the list.",
            {"sectors": list(SECTORS)},
        )
    return code


def name(code: str, lang: str = "vi") -> str:
    vi, en = SECTORS.get(code, SECTORS[DEFAULT])
    return en if lang == "en" else vi
