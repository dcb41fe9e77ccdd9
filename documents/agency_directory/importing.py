"""Directory entries from a file or a source, all or nothing.

Each row names an agency by its code with its name, its level (central, province,
district, commune; Vietnamese names too: trung ương, tỉnh, huyện, xã), the code of the
agency above it (in the rows, or already in the directory) and whether it is reachable
electronically (``electronic``: yes/no, có/không, 1/0; yes when absent, as the axis lists
connected agencies). Every row is checked before anything is written; one bad row and
nothing changes, the problems come back with their line numbers. A code already present
takes the row's values (the file or the axis is the newer word); a row equal to what is
stored changes nothing, so importing a file twice changes nothing the second time.
Codes the rows do not name are kept: earlier documents name them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from documents.agency_directory.models import DirectoryEntry, DirectoryLevel
from ecabinet.core import audit, text
from ecabinet.core.agencies import normal_code, valid_agency_code
from ecabinet.core.agency_files import ImportRefused, Problem, fold, missing, read
from ecabinet.core.audit import Actor
from ecabinet.core.types import utcnow

REQUIRED = {"code": "mã định danh", "name": "tên", "level": "cấp"}
ALIASES = {
    "code": "code",
    "ma": "code",
    "ma_dinh_danh": "code",
    "organ_id": "code",
    "name": "name",
    "ten": "name",
    "ten_co_quan": "name",
    "ten_co_quan_don_vi": "name",
    "organ_name": "name",
    "level": "level",
    "cap": "level",
    "parent_code": "parent_code",
    "parent": "parent_code",
    "ma_cap_tren": "parent_code",
    "ma_dinh_danh_cap_tren": "parent_code",
    "electronic": "electronic",
    "lien_thong": "electronic",
    "ket_noi": "electronic",
    "dien_tu": "electronic",
}
LEVELS = {
    "central": DirectoryLevel.central,
    "trung_uong": DirectoryLevel.central,
    "tw": DirectoryLevel.central,
    "province": DirectoryLevel.province,
    "department": DirectoryLevel.province,
    "tinh": DirectoryLevel.province,
    "cap_tinh": DirectoryLevel.province,
    "district": DirectoryLevel.district,
    "huyen": DirectoryLevel.district,
    "cap_huyen": DirectoryLevel.district,
    "quan": DirectoryLevel.district,
    "thi_xa": DirectoryLevel.district,
    "commune": DirectoryLevel.commune,
    "xa": DirectoryLevel.commune,
    "cap_xa": DirectoryLevel.commune,
    "phuong": DirectoryLevel.commune,
    "thi_tran": DirectoryLevel.commune,
}
YES = {"1", "true", "yes", "y", "co", "x"}
NO = {"0", "false", "no", "n", "khong"}
MAX_ROWS = 20_000


class DirectoryRefused(ImportRefused):
    """Nothing imported: the problems, each with its line (422)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        first = problems[0]
        self.code = "agency_directory.invalid"
        self.vi = (
            f"Không nhập danh mục mã định danh: {len(problems)} lỗi, dòng {first.line}: {first.vi}"
        )
        self.en = (
            f"The agency directory was not imported: {len(problems)} problem(s); line"
            f" {first.line}: {first.en}"
        )


@dataclass(frozen=True)
class Row:
    """One entry as the file gives it, checked."""

    line: int
    code: str
    name: str
    level: DirectoryLevel
    parent_code: str
    electronic: bool


@dataclass(frozen=True)
class Outcome:
    created: int
    updated: int
    unchanged: int


def read_file(data: bytes, kind: str) -> list[tuple[int, dict[str, Any]]]:
    """The rows of a CSV (``kind`` "csv") or JSON ("json") directory file."""
    try:
        return read(data, kind, REQUIRED, ALIASES)
    except ImportRefused as exc:
        raise DirectoryRefused(exc.problems) from None


def import_file(session: Session, actor: Actor, data: bytes, kind: str, origin: str) -> Outcome:
    """Import a directory file; raises :class:`DirectoryRefused` with nothing written when
    any row is bad. ``origin`` (a file name, a source) goes to the audit log."""
    return import_rows(session, actor, read_file(data, kind), origin)


def import_rows(
    session: Session, actor: Actor, raw: list[tuple[int, dict[str, Any]]], origin: str
) -> Outcome:
    """Check every row, then create or update the entries in the caller's transaction;
    one audit entry says what changed."""
    problems: list[Problem] = []
    if not raw:
        problems.append(Problem(1, "Tệp không có cơ quan nào.", "The file lists no agency."))
    if len(raw) > MAX_ROWS:
        raise DirectoryRefused(
            [Problem(1, f"Quá {MAX_ROWS} cơ quan.", f"More than {MAX_ROWS} agencies.")]
        )
    rows: dict[str, Row] = {}
    for line, values in raw:
        row = _row(line, values, problems)
        if row is None:
            continue
        if row.code in rows:
            first = rows[row.code].line
            problems.append(
                Problem(
                    line,
                    f"Mã {row.code} đã có ở dòng {first}.",
                    f"Code {row.code} is already on line {first}.",
                )
            )
            continue
        rows[row.code] = row
    stored = {e.code: e for e in session.exec(select(DirectoryEntry))}
    parents = {code: e.parent_code for code, e in stored.items()}
    parents.update({code: r.parent_code for code, r in rows.items()})
    for row in rows.values():
        if row.parent_code and row.parent_code not in parents:
            problems.append(
                Problem(
                    row.line,
                    f"Không có cơ quan cấp trên mã {row.parent_code} (trong tệp hay danh mục).",
                    f"No parent agency with code {row.parent_code} (in the file or the directory).",
                )
            )
        elif _loops(row.code, parents):
            problems.append(
                Problem(
                    row.line,
                    f"Cơ quan {row.code} nằm trong một vòng lặp cơ quan cấp trên.",
                    f"Agency {row.code} is in a cycle of parents.",
                )
            )
    if problems:
        raise DirectoryRefused(sorted(problems, key=lambda p: p.line))
    return _write(session, actor, rows, stored, origin)


def _write(
    session: Session,
    actor: Actor,
    rows: dict[str, Row],
    stored: dict[str, DirectoryEntry],
    origin: str,
) -> Outcome:
    created = updated = 0
    now = utcnow()
    changed: list[str] = []
    for row in rows.values():
        wanted = DirectoryEntry(
            code=row.code,
            name=row.name,
            level=row.level,
            parent_code=row.parent_code,
            electronic=row.electronic,
            folded=text.fold(f"{row.code} {row.name}")[:300],
            updated_at=now,
        )
        entry = stored.get(row.code)
        if entry is None:
            session.add(wanted)
            created += 1
            changed.append(row.code)
            continue
        if all(getattr(entry, k) == getattr(wanted, k) for k in _COMPARED):
            continue
        for key in (*_COMPARED, "updated_at"):
            setattr(entry, key, getattr(wanted, key))
        session.add(entry)
        updated += 1
        changed.append(row.code)
    session.flush()
    unchanged = len(rows) - created - updated
    if changed:
        shown = ", ".join(changed[:20]) + ("…" if len(changed) > 20 else "")
        audit.record(
            session,
            actor,
            "agency_directory.import",
            "agency_directory",
            text.line(origin)[:80],
            f"{created} created, {updated} updated, {unchanged} unchanged: {shown}",
        )
    return Outcome(created, updated, unchanged)


_COMPARED = ("name", "level", "parent_code", "electronic", "folded")


def _loops(code: str, parents: dict[str, str]) -> bool:
    seen: set[str] = set()
    current = code
    while current:
        if current in seen:
            return True
        seen.add(current)
        current = parents.get(current, "")
    return False


def _row(line: int, values: dict[str, Any], problems: list[Problem]) -> Row | None:
    for key, value in values.items():
        if not isinstance(value, str | int | bool | None):
            problems.append(Problem(line, f"Cột {key} phải là chữ.", f"Column {key} must be text."))
            return None
    cells = {
        k: text.line("" if v is None else str(v).lower() if isinstance(v, bool) else str(v)).strip()
        for k, v in values.items()
    }
    absent = [k for k in REQUIRED if not cells.get(k)]
    if absent:
        problems.append(missing(line, absent, REQUIRED))
        return None
    code = normal_code(cells["code"])
    if not valid_agency_code(code):
        problems.append(_bad_code(line, code, "Mã định danh", "Agency code"))
        return None
    name = cells["name"]
    if len(name) > 255:
        problems.append(Problem(line, "Tên dài quá 255 ký tự.", "The name is over 255 characters."))
        return None
    level = LEVELS.get(fold(cells["level"]))
    if level is None:
        problems.append(
            Problem(
                line,
                f"Cấp “{cells['level']}” phải là trung ương, tỉnh, huyện hoặc xã.",
                f"Level {cells['level']!r} must be central, province, district or commune.",
            )
        )
        return None
    parent_code = normal_code(cells.get("parent_code", ""))
    if parent_code and not valid_agency_code(parent_code):
        problems.append(_bad_code(line, parent_code, "Mã cơ quan cấp trên", "Parent code"))
        return None
    if parent_code == code:
        problems.append(
            Problem(line, "Cơ quan không là cấp trên của chính nó.", "An agency is not its parent.")
        )
        return None
    electronic = fold(cells.get("electronic", "yes") or "yes")
    if electronic not in YES | NO:
        problems.append(
            Problem(
                line,
                f"Cột liên thông “{cells['electronic']}” phải là có hoặc không.",
                f"Column electronic {cells['electronic']!r} must be yes or no.",
            )
        )
        return None
    return Row(line, code, name, level, parent_code, electronic in YES)


def _bad_code(line: int, code: str, vi: str, en: str) -> Problem:
    return Problem(
        line,
        f"{vi} “{code}” không đúng dạng V1V2V3.Z1Z2.Y1Y2.H1H2H3 (ví dụ 000.00.00.H01).",
        f"{en} {code!r} is not of the form V1V2V3.Z1Z2.Y1Y2.H1H2H3 (for example 000.00.00.H01).",
    )
