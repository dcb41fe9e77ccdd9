"""The demo's agency directory: An Giang's province, departments, districts and towns,
some communes and wards, and a few central bodies, as a province's directory file would
list them.

The codes follow the shape of Decision 20/2020/QĐ-TTg with the demo's province at H01;
like the province's own code (see ``ecabinet.demo.seed``) they are illustrative, not the
published values. Two communes are marked paper only, as communes still without a
connection are.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from documents.agency_directory import importing
from ecabinet.core.audit import Actor

P = "000.00.00.H01"


def _central(code: str, name: str) -> dict[str, Any]:
    return {"code": code, "name": name, "level": "central"}


def _dept(n: int, name: str) -> dict[str, Any]:
    return {"code": f"000.00.{n:02d}.H01", "name": name, "level": "province", "parent_code": P}


def _district(n: int, name: str) -> dict[str, Any]:
    return {"code": f"000.00.{n:02d}.H01", "name": name, "level": "district", "parent_code": P}


def _commune(n: int, district: int, name: str, electronic: bool = True) -> dict[str, Any]:
    return {
        "code": f"000.{n:02d}.{district:02d}.H01",
        "name": name,
        "level": "commune",
        "parent_code": f"000.00.{district:02d}.H01",
        "electronic": electronic,
    }


ENTRIES: list[dict[str, Any]] = [
    _central("000.00.00.G01", "Văn phòng Chính phủ"),
    _central("000.00.00.G09", "Bộ Nội vụ"),
    _central("000.00.00.G12", "Bộ Thông tin và Truyền thông"),
    _central("000.00.00.G17", "Bộ Khoa học và Công nghệ"),
    _central("000.00.00.G21", "Bộ Tài chính"),
    {"code": P, "name": "Ủy ban nhân dân tỉnh An Giang", "level": "province"},
    {"code": "000.00.00.K01", "name": "Hội đồng nhân dân tỉnh An Giang", "level": "province"},
    _dept(10, "Sở Thông tin và Truyền thông"),
    _dept(11, "Sở Tài chính"),
    _dept(12, "Sở Nội vụ"),
    _dept(13, "Sở Kế hoạch và Đầu tư"),
    _dept(14, "Sở Tư pháp"),
    _dept(15, "Sở Giáo dục và Đào tạo"),
    _dept(16, "Sở Y tế"),
    _dept(17, "Sở Nông nghiệp và Phát triển nông thôn"),
    _dept(18, "Sở Tài nguyên và Môi trường"),
    _dept(19, "Sở Xây dựng"),
    _dept(20, "Văn phòng Ủy ban nhân dân tỉnh An Giang"),
    _district(30, "Ủy ban nhân dân thành phố Long Xuyên"),
    _district(31, "Ủy ban nhân dân huyện Châu Thành"),
    _district(32, "Ủy ban nhân dân thành phố Châu Đốc"),
    _district(33, "Ủy ban nhân dân thị xã Tân Châu"),
    _district(34, "Ủy ban nhân dân huyện An Phú"),
    _district(35, "Ủy ban nhân dân huyện Phú Tân"),
    _district(36, "Ủy ban nhân dân huyện Châu Phú"),
    _district(37, "Ủy ban nhân dân thị xã Tịnh Biên"),
    _district(38, "Ủy ban nhân dân huyện Tri Tôn"),
    _district(39, "Ủy ban nhân dân huyện Chợ Mới"),
    _district(40, "Ủy ban nhân dân huyện Thoại Sơn"),
    _commune(1, 30, "Ủy ban nhân dân phường Mỹ Bình"),
    _commune(2, 30, "Ủy ban nhân dân phường Mỹ Long"),
    _commune(1, 31, "Ủy ban nhân dân thị trấn An Châu"),
    _commune(2, 31, "Ủy ban nhân dân xã Bình Hòa"),
    _commune(1, 32, "Ủy ban nhân dân phường Châu Phú A"),
    _commune(2, 32, "Ủy ban nhân dân phường Núi Sam"),
    _commune(1, 36, "Ủy ban nhân dân xã Vĩnh Thạnh Trung"),
    _commune(2, 36, "Ủy ban nhân dân thị trấn Cái Dầu"),
    _commune(1, 38, "Ủy ban nhân dân xã Lương Phi", electronic=False),
    _commune(1, 39, "Ủy ban nhân dân thị trấn Chợ Mới"),
    _commune(1, 40, "Ủy ban nhân dân thị trấn Núi Sập"),
    _commune(2, 34, "Ủy ban nhân dân xã Phú Hữu", electronic=False),
]


def seed_directory(session: Session, actor: Actor) -> int:
    """Import the demo directory (idempotent); how many entries it added or changed."""
    outcome = importing.import_rows(session, actor, list(enumerate(ENTRIES, 1)), "demo")
    return outcome.created + outcome.updated
