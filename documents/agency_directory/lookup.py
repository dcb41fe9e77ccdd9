"""Reading the directory: the dispatch dialog's search, and the check of the codes a clerk
gives for recipients outside the system before anything is sent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import case
from sqlmodel import Session, col, select

from documents.agency_directory.models import DirectoryEntry, DirectoryLevel, level_of_agency
from ecabinet.core import errors, text
from ecabinet.core.agencies import Agency, normal_code

MAX_RESULTS = 200
_RANK = {level: rank for rank, level in enumerate(DirectoryLevel)}


@dataclass(frozen=True)
class Found:
    """A directory entry, with the agency of this deployment holding the same code."""

    code: str
    name: str
    level: DirectoryLevel
    parent_code: str
    electronic: bool
    agency_id: int | None
    """Set when the agency is in this deployment: dispatch hands it over internally."""


def search(
    session: Session, *, query: str = "", level: DirectoryLevel | None = None, limit: int = 50
) -> list[Found]:
    """Entries whose code or name contains ``query`` (marks and case ignored), by level
    from the centre down, then by code; at most ``limit`` (≤ :data:`MAX_RESULTS`)."""
    if not 1 <= limit <= MAX_RESULTS:
        raise errors.InvalidInput(
            "agency_directory.bad_limit",
            f"Số kết quả từ 1 đến {MAX_RESULTS}.",
            f"The limit is between 1 and {MAX_RESULTS}.",
        )
    statement = select(DirectoryEntry)
    for word in text.fold(query).split()[:8]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(col(DirectoryEntry.folded).like(f"%{escaped}%", escape="\\"))
    if level is not None:
        statement = statement.where(col(DirectoryEntry.level) == level.value)
    rank = case(_RANK, value=col(DirectoryEntry.level), else_=len(_RANK))
    entries = list(session.exec(statement.order_by(rank, col(DirectoryEntry.code)).limit(limit)))
    inside = _agencies(session, [e.code for e in entries])
    return [
        Found(
            e.code,
            e.name,
            DirectoryLevel(e.level),
            e.parent_code,
            e.electronic,
            inside[e.code].id if e.code in inside else None,
        )
        for e in entries
    ]


def _agencies(session: Session, codes: Iterable[str]) -> dict[str, Agency]:
    wanted = list(codes)
    if not wanted:
        return {}
    return {a.code: a for a in session.exec(select(Agency).where(col(Agency.code).in_(wanted)))}


def known(session: Session, codes: Iterable[str]) -> dict[str, Found]:
    """The entries of ``codes`` the directory holds or this deployment's agencies carry
    (an agency of the deployment is always reachable electronically)."""
    wanted = sorted({normal_code(c) for c in codes if c.strip()})
    if not wanted:
        return {}
    inside = _agencies(session, wanted)
    found = {
        code: Found(code, a.name, level_of_agency(a.level), "", True, a.id)
        for code, a in inside.items()
    }
    for e in session.exec(select(DirectoryEntry).where(col(DirectoryEntry.code).in_(wanted))):
        found[e.code] = Found(
            e.code,
            e.name,
            DirectoryLevel(e.level),
            e.parent_code,
            e.electronic or e.code in inside,
            inside[e.code].id if e.code in inside else None,
        )
    return found


def check_outside(session: Session, recipients: list[tuple[str, str]]) -> dict[str, Found]:
    """Check the (method, agency code) of recipients outside the system before dispatch:
    an electronic one (``edxml``) needs a code the directory holds and marks reachable;
    a paper one may go without a code, but a code it gives must be known. Raises
    InvalidInput (422) naming every bad code; returns the entries by code."""
    outside = [(m, normal_code(c)) for m, c in recipients if m != "internal"]
    found = known(session, [c for _, c in outside])
    if any(m == "edxml" and not c for m, c in outside):
        raise errors.InvalidInput(
            "dispatch.code_required",
            "Gửi điện tử cần mã định danh của cơ quan nhận (chọn trong danh mục).",
            "Sending electronically needs the recipient's agency code (choose it from the"
            " directory).",
        )
    unknown = sorted({c for _, c in outside if c and c not in found})
    if unknown:
        shown = ", ".join(unknown)
        raise errors.InvalidInput(
            "dispatch.unknown_code",
            f"Mã định danh không có trong danh mục cơ quan: {shown}. Chưa gửi gì.",
            f"Agency code(s) not in the agency directory: {shown}. Nothing was sent.",
            {"unknown": unknown},
        )
    paper_only = sorted({c for m, c in outside if m == "edxml" and not found[c].electronic})
    if paper_only:
        shown = ", ".join(paper_only)
        raise errors.InvalidInput(
            "dispatch.not_electronic",
            f"Cơ quan chưa kết nối liên thông, chỉ nhận bản giấy: {shown}. Chưa gửi gì.",
            f"Agency(ies) not connected for electronic exchange, paper only: {shown}."
            " Nothing was sent.",
            {"paper_only": paper_only},
        )
    return found
