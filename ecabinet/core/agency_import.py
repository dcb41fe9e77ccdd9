"""Agencies from a code list as a province publishes it (CSV or JSON), all or nothing.

Each row names an agency by its national identification code (mã định danh, Decision
20/2020/QĐ-TTg) with its name, the abbreviation its document symbols use, and the code of
the agency above it (in the file, before or after it, or already in the database). Every
row is checked before anything is written: one bad row, an unknown parent or a cycle, and
nothing is imported; the problems come back with their line numbers. An agency already
present with the same values is left as it is, so importing a list twice changes nothing;
one present with other values is a problem, never overwritten.

Columns (CSV header or JSON keys; Vietnamese names also understood, with or without
diacritics): ``code`` (mã định danh), ``name`` (tên), ``abbreviation`` (viết tắt),
``parent_code`` (mã cấp trên), and optionally ``level`` (province, department,
district, commune; by default province for an agency without a parent, department
under one), ``parent_name`` (cơ quan chủ quản, the line above the name on documents;
by default the parent's name in capitals), ``address``, ``tax_code``, ``budget_code``.
Other columns (STT, ghi chú…) are ignored.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
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
from ecabinet.core.audit import Actor

ALIASES = {
    "code": "code",
    "ma": "code",
    "ma_dinh_danh": "code",
    "name": "name",
    "ten": "name",
    "ten_co_quan": "name",
    "ten_co_quan_don_vi": "name",
    "abbreviation": "abbreviation",
    "viet_tat": "abbreviation",
    "ten_viet_tat": "abbreviation",
    "parent_code": "parent_code",
    "parent": "parent_code",
    "ma_cap_tren": "parent_code",
    "ma_dinh_danh_cap_tren": "parent_code",
    "ma_co_quan_cap_tren": "parent_code",
    "level": "level",
    "cap": "level",
    "parent_name": "parent_name",
    "co_quan_chu_quan": "parent_name",
    "address": "address",
    "dia_chi": "address",
    "tax_code": "tax_code",
    "ma_so_thue": "tax_code",
    "budget_code": "budget_code",
    "ma_quan_he_ngan_sach": "budget_code",
}
REQUIRED = {"code": "mã định danh", "name": "tên", "abbreviation": "viết tắt"}
"""The columns every row needs, with their Vietnamese names."""
OPTIONAL_LIMITS = {"parent_name": 255, "address": 255, "tax_code": 20, "budget_code": 20}


@dataclass(frozen=True)
class Problem:
    """Why a line of the file cannot be imported."""

    line: int
    vi: str
    en: str


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


class ImportRefused(errors.InvalidInput):
    """Nothing imported: the problems, each with its line."""

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0]
        super().__init__(
            "agency_import.invalid",
            f"Không nhập danh sách cơ quan: {len(problems)} lỗi, dòng {first.line}: {first.vi}",
            f"The agency list was not imported: {len(problems)} problem(s); line {first.line}:"
            f" {first.en}",
            {"problems": [{"line": p.line, "vi": p.vi, "en": p.en} for p in problems]},
        )
        self.problems = problems


def import_agencies(session: Session, actor: Actor, data: bytes, kind: str) -> Outcome:
    """Import the agencies of a CSV (``kind`` "csv") or JSON ("json") code list; raises
    :class:`ImportRefused` listing every problem, with nothing written, when any row is
    bad. Each agency created is audited, then the import itself."""
    return import_rows(session, actor, read(data, kind))


def read(data: bytes, kind: str) -> list[tuple[int, dict[str, Any]]]:
    """The file's rows as (line number, {column: value}), columns by their English name."""
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRefused(
            [Problem(line, "Tệp không phải văn bản UTF-8.", "The file is not UTF-8 text.")]
        ) from None
    raw = _read_json(content) if kind == "json" else _read_csv(content)
    return [(line, _columns(values)) for line, values in raw]


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
    missing = [k for k in REQUIRED if not cells.get(k)]
    if missing:
        problems.append(_missing(line, missing))
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


def _missing(line: int, columns: list[str]) -> Problem:
    return Problem(
        line,
        "Thiếu " + ", ".join(f"{REQUIRED[c]} ({c})" for c in columns) + ".",
        "Missing " + ", ".join(columns) + ".",
    )


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


def _read_csv(content: str) -> list[tuple[int, dict[str, Any]]]:
    first = content.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(content), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return []
    except csv.Error as exc:
        raise ImportRefused([Problem(1, f"CSV hỏng: {exc}", f"Bad CSV: {exc}")]) from None
    absent = [c for c in REQUIRED if c not in _columns(dict.fromkeys(header, ""))]
    if absent:
        raise ImportRefused([_missing(1, absent)])
    rows: list[tuple[int, dict[str, Any]]] = []
    line = reader.line_num + 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((line, dict(zip(header, cells, strict=False))))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ImportRefused([Problem(line, f"CSV hỏng: {exc}", f"Bad CSV: {exc}")]) from None
    return rows


_SPACE = re.compile(r"\s*")


def _read_json(content: str) -> list[tuple[int, dict[str, Any]]]:
    """A JSON array of objects, each with the line it starts on."""
    decoder = json.JSONDecoder()

    def refuse(at: int, vi: str, en: str) -> ImportRefused:
        return ImportRefused([Problem(content.count("\n", 0, at) + 1, vi, en)])

    at = _SPACE.match(content, 0).end()  # type: ignore[union-attr]
    if content[at : at + 1] != "[":
        raise refuse(at, "Tệp JSON phải là một mảng cơ quan.", "The JSON must be an array.")
    rows: list[tuple[int, dict[str, Any]]] = []
    at = _SPACE.match(content, at + 1).end()  # type: ignore[union-attr]
    if content[at : at + 1] == "]":
        return rows
    while True:
        try:
            value, end = decoder.raw_decode(content, at)
        except json.JSONDecodeError as exc:
            raise refuse(exc.pos, f"JSON hỏng: {exc.msg}.", f"Bad JSON: {exc.msg}.") from None
        if not isinstance(value, dict):
            raise refuse(at, "Mỗi cơ quan là một đối tượng JSON.", "Each agency is an object.")
        rows.append((content.count("\n", 0, at) + 1, value))
        at = _SPACE.match(content, end).end()  # type: ignore[union-attr]
        if content[at : at + 1] == "]":
            return rows
        if content[at : at + 1] != ",":
            raise refuse(at, "JSON hỏng: thiếu dấu phẩy.", "Bad JSON: a comma is missing.")
        at = _SPACE.match(content, at + 1).end()  # type: ignore[union-attr]


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    """Known columns under their English names; others dropped."""
    found: dict[str, Any] = {}
    for key, value in values.items():
        name = ALIASES.get(_fold(str(key)))
        if name is not None and name not in found:
            found[name] = value
    return found


def _fold(header: str) -> str:
    """``Mã định danh`` → ``ma_dinh_danh``."""
    plain = unicodedata.normalize("NFD", header.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")
