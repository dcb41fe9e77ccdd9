"""Reading a province's agency code list: CSV or JSON rows with the line each starts on.

CSV: a header line, then one agency a line (``,``, ``;`` or tab between cells, UTF-8 with
or without a byte-order mark, as spreadsheets save it). JSON: an array of objects. The
column names are English or Vietnamese, with or without diacritics (``Mã định danh``,
``ma_dinh_danh``, ``code``); other columns (STT, ghi chú…) are dropped. What the columns
hold is checked by :mod:`ecabinet.core.agency_import`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from ecabinet.core import errors

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


@dataclass(frozen=True)
class Problem:
    """Why a line of the file cannot be imported."""

    line: int
    vi: str
    en: str


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


def read(
    data: bytes,
    kind: str,
    required: dict[str, str] = REQUIRED,
    aliases: dict[str, str] = ALIASES,
) -> list[tuple[int, dict[str, Any]]]:
    """The file's rows as (line number, {column: value}), columns by their English name
    (``aliases`` maps folded header names to them; a CSV header must name every column of
    ``required``, English name to Vietnamese)."""
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRefused(
            [Problem(line, "Tệp không phải văn bản UTF-8.", "The file is not UTF-8 text.")]
        ) from None
    raw = _read_json(content) if kind == "json" else _read_csv(content, required, aliases)
    return [(line, _columns(values, aliases)) for line, values in raw]


def missing(line: int, columns: list[str], required: dict[str, str] = REQUIRED) -> Problem:
    return Problem(
        line,
        "Thiếu " + ", ".join(f"{required[c]} ({c})" for c in columns) + ".",
        "Missing " + ", ".join(columns) + ".",
    )


def _read_csv(
    content: str, required: dict[str, str], aliases: dict[str, str]
) -> list[tuple[int, dict[str, Any]]]:
    first = content.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(content), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return []
    except csv.Error as exc:
        raise ImportRefused([Problem(1, f"CSV hỏng: {exc}", f"Bad CSV: {exc}")]) from None
    absent = [c for c in required if c not in _columns(dict.fromkeys(header, ""), aliases)]
    if absent:
        raise ImportRefused([missing(1, absent, required)])
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


def _columns(values: dict[str, Any], aliases: dict[str, str]) -> dict[str, Any]:
    """Known columns under their English names; others dropped."""
    found: dict[str, Any] = {}
    for key, value in values.items():
        name = aliases.get(fold(str(key)))
        if name is not None and name not in found:
            found[name] = value
    return found


def fold(header: str) -> str:
    """``Mã định danh`` → ``ma_dinh_danh``."""
    plain = unicodedata.normalize("NFD", header.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")
