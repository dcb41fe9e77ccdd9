"""Agencies from a code list as a province publishes it (CSV or JSON), all or nothing.

Each row names an agency by its national identification code (mã định danh, Decision
20/2020/QĐ-TTg) with its name, the abbreviation its document symbols use, and the code of
the agency above it (in the file, before or after it, or already in the database). Every
row is checked before anything is written: one bad row, an unknown parent or a cycle, and
nothing is imported; the problems come back with their line numbers. An agency already
present with the same values is left as it is, so importing a list twice changes nothing;
one present with other values is a problem, never overwritten.

The columns (read by :mod:`ecabinet.core.agency_files`): ``code``, ``name``,
``abbreviation``, ``parent_code``, and optionally ``level`` (province, department,
district, commune; by default province for an agency without a parent, department under
one), ``parent_name`` (cơ quan chủ quản, the line above the name on documents; by default
the parent's name in capitals), ``address``, ``tax_code``, ``budget_code``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from ecabinet.core import audit, errors, text
from ecabinet.core.agencies import (
    Agency,
    AgencyLevel,
    check_agency,
    create_agency,
    normal_code,
    valid_agency_code,
)
from ecabinet.core.agency_files import REQUIRED, ImportRefused, Problem, missing, read
from ecabinet.core.audit import Actor

OPTIONAL_LIMITS = {"parent_name": 255, "address": 255, "tax_code": 20, "budget_code": 20}


@dataclass(frozen=True)
class Row:
    """One agency of the file, checked and in stored form."""

    line: int
    code: str
    name: str
    abbreviation: str
    parent_code: str | None
    level: AgencyLevel | None
    optional: dict[str, str] = field(default_factory=dict)
    """parent_name, address, tax_code, budget_code: those the file gives."""


@dataclass(frozen=True)
class Outcome:
    created: list[Agency]
    unchanged: int


def import_agencies(session: Session, actor: Actor, data: bytes, kind: str) -> Outcome:
    """Import the agencies of a CSV (``kind`` "csv") or JSON ("json") code list; raises
    :class:`ImportRefused` listing every problem, with nothing written, when any row is
    bad. Each agency created is audited, then the import itself."""
    return import_rows(session, actor, read(data, kind))


def import_rows(session: Session, actor: Actor, raw: list[tuple[int, dict[str, Any]]]) -> Outcome:
    problems: list[Problem] = []
    rows: dict[str, Row] = {}
    for line, values in raw:
        row = _row(line, values, problems)
        if row is None:
            continue
        if row.code in rows:
            problems.append(
                Problem(
                    line,
                    f"Mã {row.code} đã có ở dòng {rows[row.code].line}.",
                    f"Code {row.code} is already on line {rows[row.code].line}.",
                )
            )
            continue
        rows[row.code] = row
    if not raw:
        problems.append(Problem(1, "Tệp không có cơ quan nào.", "The file lists no agency."))
    existing = {
        a.code: a
        for a in session.exec(select(Agency).where(Agency.code.in_(list(rows))))  # type: ignore[attr-defined]
    }
    parents = {
        a.code: a
        for a in session.exec(
            select(Agency).where(
                Agency.code.in_([r.parent_code for r in rows.values() if r.parent_code])  # type: ignore[attr-defined]
            )
        )
    }
    codes_by_id = {a.id: a.code for a in session.exec(select(Agency))}
    for row in rows.values():
        if row.parent_code and row.parent_code not in rows and row.parent_code not in parents:
            problems.append(
                Problem(
                    row.line,
                    f"Không có cơ quan cấp trên mã {row.parent_code} (trong tệp hay đã có).",
                    f"No parent agency with code {row.parent_code} (in the file or already"
                    " present).",
                )
            )
        if row.code in existing:
            problems += _differences(row, existing[row.code], codes_by_id)
    problems += _cycles(rows)
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: p.line))
    created: list[Agency] = []
    known = parents | existing
    for row in rows.values():
        _create(session, actor, row, rows, known, created)
    if created:
        audit.record(
            session,
            actor,
            "agency.import",
            "agency",
            created[0].id,
            f"{len(created)} created, {len(rows) - len(created)} unchanged",
        )
    return Outcome(created, len(rows) - len(created))


def _create(
    session: Session,
    actor: Actor,
    row: Row,
    rows: dict[str, Row],
    known: dict[str, Agency],
    created: list[Agency],
) -> Agency:
    """Create ``row`` after its parent (the file has no cycle: checked before); ``known``
    holds the agencies present, by code."""
    if row.code in known:
        return known[row.code]
    parent: Agency | None = None
    if row.parent_code:
        parent = known.get(row.parent_code) or _create(
            session, actor, rows[row.parent_code], rows, known, created
        )
    level = row.level or (AgencyLevel.department if parent else AgencyLevel.province)
    parent_name = row.optional.get("parent_name", parent.name.upper() if parent else "")
    agency = create_agency(
        session,
        actor,
        code=row.code,
        name=row.name,
        abbreviation=row.abbreviation,
        level=level,
        parent_id=parent.id if parent else None,
        parent_name=parent_name,
        address=row.optional.get("address", ""),
        tax_code=row.optional.get("tax_code"),
        budget_code=row.optional.get("budget_code"),
    )
    known[row.code] = agency
    created.append(agency)
    return agency


def _row(line: int, values: dict[str, Any], problems: list[Problem]) -> Row | None:
    for key, value in values.items():
        if not isinstance(value, str | int | None):
            problems.append(Problem(line, f"Cột {key} phải là chữ.", f"Column {key} must be text."))
            return None
    cells = {k: text.line("" if v is None else str(v)).strip() for k, v in values.items()}
    absent = [k for k in REQUIRED if not cells.get(k)]
    if absent:
        problems.append(missing(line, absent))
        return None
    try:
        code, name, abbreviation = check_agency(cells["code"], cells["name"], cells["abbreviation"])
    except errors.InvalidInput as exc:
        problems.append(Problem(line, exc.vi, exc.en))
        return None
    parent_code = normal_code(cells.get("parent_code", "")) or None
    if parent_code is not None and not valid_agency_code(parent_code):
        problems.append(
            Problem(
                line,
                f"Mã cơ quan cấp trên “{parent_code}” không đúng dạng V1V2V3.Z1Z2.Y1Y2.H1H2H3.",
                f"Parent code {parent_code!r} is not of the form V1V2V3.Z1Z2.Y1Y2.H1H2H3.",
            )
        )
        return None
    level = None
    if cells.get("level"):
        try:
            level = AgencyLevel(cells["level"].lower())
        except ValueError:
            levels = ", ".join(v.value for v in AgencyLevel)
            problems.append(
                Problem(line, f"Cấp phải là một trong: {levels}.", f"Level is one of {levels}.")
            )
            return None
    optional = {k: cells[k] for k in OPTIONAL_LIMITS if cells.get(k)}
    for key, limit in OPTIONAL_LIMITS.items():
        if len(optional.get(key, "")) > limit:
            problems.append(
                Problem(
                    line,
                    f"{key} dài quá {limit} ký tự.",
                    f"{key} is longer than {limit} characters.",
                )
            )
            return None
    return Row(line, code, name, abbreviation, parent_code, level, optional)


def _differences(row: Row, agency: Agency, codes_by_id: dict[int | None, str]) -> list[Problem]:
    """What the file says otherwise about an agency already present."""
    parent_code = codes_by_id.get(agency.parent_id) if agency.parent_id else None
    pairs: list[tuple[str, object, object]] = [
        ("name", agency.name, row.name),
        ("abbreviation", agency.abbreviation, row.abbreviation),
        ("parent_code", parent_code, row.parent_code),
    ]
    if row.level is not None:
        pairs.append(("level", str(agency.level), row.level.value))
    for key, value in row.optional.items():
        pairs.append((key, getattr(agency, key) or "", value))
    return [
        Problem(
            row.line,
            f"Cơ quan {row.code} đã có với {key} “{now}”, tệp ghi “{wanted}”: không ghi đè.",
            f"Agency {row.code} exists with {key} {now!r}, the file says {wanted!r}:"
            " not overwritten.",
        )
        for key, now, wanted in pairs
        if now != wanted
    ]


def _cycles(rows: dict[str, Row]) -> list[Problem]:
    """A problem on the first line of each chain of parents in the file that loops."""
    problems: list[Problem] = []
    reported: set[str] = set()
    for start in rows:
        seen: list[str] = []
        code: str | None = start
        while code is not None and code in rows and code not in seen:
            seen.append(code)
            code = rows[code].parent_code
        if code is None or code not in seen or code in reported:
            continue
        loop = seen[seen.index(code) :]
        reported.update(loop)
        lines = sorted(rows[c].line for c in loop)
        shown = " → ".join([*loop, code])
        problems.append(
            Problem(
                lines[0],
                f"Vòng lặp cơ quan cấp trên (dòng {', '.join(map(str, lines))}): {shown}.",
                f"The parents form a cycle (lines {', '.join(map(str, lines))}): {shown}.",
            )
        )
    return problems
