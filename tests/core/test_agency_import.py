"""A province's agency code list, imported all or nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from ecabinet.core import agency_import, audit
from ecabinet.core.agencies import Agency, AgencyLevel, valid_agency_code
from ecabinet.core.agency_files import ImportRefused
from ecabinet.core.agency_import import import_agencies
from ecabinet.core.db import session_scope
from tests.factories import ACTOR

# As a province publishes it (semicolons, Vietnamese headers, a numbering column), the
# departments' units before their departments, the province last.
PUBLISHED = """\ufeffSTT;Tên cơ quan, đơn vị;Mã định danh;Viết tắt;Mã cấp trên;Cấp
1;Văn phòng Sở Tư pháp;000.01.15.H01;VP;000.00.15.H01;
2;Sở Tư pháp;000.00.15.H01;STP;000.00.00.H01;department
3;"Sở Tài chính; ngân sách";000.00.11.H01;STC;000.00.00.H01;

4;Ủy ban nhân dân tỉnh An Giang;000.00.00.H01;UBND;;province
"""


def _import(engine: Engine, data: str | bytes, kind: str = "csv") -> agency_import.Outcome:
    raw = data.encode() if isinstance(data, str) else data
    with session_scope(engine) as session:
        outcome = import_agencies(session, ACTOR, raw, kind)
        for agency in outcome.created:
            session.expunge(agency)
        return outcome


def _codes(engine: Engine) -> dict[str, tuple[str, str | None, str, str]]:
    with session_scope(engine, write=False) as session:
        found = list(session.exec(select(Agency).order_by(col(Agency.id))))
        by_id = {a.id: a.code for a in found}
        return {
            a.code: (a.abbreviation, by_id.get(a.parent_id), str(a.level), a.parent_name)
            for a in found
        }


def _refusal(engine: Engine, data: str, kind: str = "csv") -> list[tuple[int, str]]:
    with pytest.raises(ImportRefused) as caught:
        _import(engine, data, kind)
    return [(p.line, p.en) for p in caught.value.problems]


def test_a_published_list_is_imported_parents_first_and_twice_changes_nothing(
    engine: Engine,
) -> None:
    outcome = _import(engine, PUBLISHED)
    assert [a.code for a in outcome.created] == [
        "000.00.00.H01",
        "000.00.15.H01",
        "000.01.15.H01",
        "000.00.11.H01",
    ]
    assert _codes(engine) == {
        "000.00.00.H01": ("UBND", None, "province", ""),
        "000.00.15.H01": ("STP", "000.00.00.H01", "department", "ỦY BAN NHÂN DÂN TỈNH AN GIANG"),
        "000.01.15.H01": ("VP", "000.00.15.H01", "department", "SỞ TƯ PHÁP"),
        "000.00.11.H01": ("STC", "000.00.00.H01", "department", "ỦY BAN NHÂN DÂN TỈNH AN GIANG"),
    }
    with session_scope(engine, write=False) as session:
        actions = [e.action for e in audit.recent(session)]
        assert audit.verify(session) is None
    assert actions == ["agency.import"] + ["agency.create"] * 4

    again = _import(engine, PUBLISHED)
    assert (again.created, again.unchanged) == ([], 4)
    with session_scope(engine, write=False) as session:
        assert len(audit.recent(session)) == 5


def test_json_lists_and_parents_already_present(engine: Engine) -> None:
    _import(engine, PUBLISHED)
    listed = [
        {"ma_dinh_danh": "000.00.30.H01", "ten": "Sở Nội vụ", "viet_tat": "SNV",
         "ma_cap_tren": "000.00.00.H01", "ma_so_thue": "1600123456"},
        {"code": "000.00.11.H01", "name": "Sở Tài chính; ngân sách", "abbreviation": "STC",
         "parent_code": "000.00.00.H01"},
    ]  # fmt: skip
    outcome = _import(engine, json.dumps(listed, ensure_ascii=False, indent=1), "json")
    assert ([a.code for a in outcome.created], outcome.unchanged) == (["000.00.30.H01"], 1)
    assert outcome.created[0].tax_code == "1600123456"


def test_every_bad_row_is_reported_by_line_and_nothing_is_imported(engine: Engine) -> None:
    _import(engine, PUBLISHED)
    data = (
        "code,name,abbreviation,parent_code\n"
        "000.00.20.H01,Sở A,SA,000.00.21.H01\n"  # line 2: a cycle with line 3
        "000.00.21.H01,Sở B,SB,000.00.20.H01\n"
        "000.20.00.H01,Sở C,SC,\n"  # level 3 set under no level 2
        "000.00.22.H01,Sở D,SD,000.00.99.H01\n"  # unknown parent
        "000.00.11.H01,Sở Tài chính; ngân sách,TC,000.00.00.H01\n"  # differs from the database
        "000.00.23.H01,,SE,000.00.00.H01\n"  # no name
        "000.00.24.H01,Sở F,SF,000.00.00.H01\n"  # fine, but not imported either
        "000.00.24.H01,Sở F,SF,000.00.00.H01\n"  # twice
        "000.00.25.H01,Sở G,S G,000.00.00.H01\n"  # bad abbreviation
    )
    problems = _refusal(engine, data)
    assert [line for line, _ in problems] == [2, 4, 5, 6, 7, 9, 10]
    en = dict(problems)
    assert "cycle (lines 2, 3)" in en[2]
    assert "000.20.00.H01" in en[4] and "V1V2V3.Z1Z2.Y1Y2.H1H2H3" in en[4]
    assert en[5] == "No parent agency with code 000.00.99.H01 (in the file or already present)."
    assert "exists with abbreviation 'STC', the file says 'TC': not overwritten" in en[6]
    assert en[7] == "Missing name."
    assert en[9] == "Code 000.00.24.H01 is already on line 8."
    assert "abbreviation" in en[10]
    assert len(_codes(engine)) == 4


def test_a_self_parent_a_missing_column_and_broken_files_are_refused(engine: Engine) -> None:
    assert _refusal(engine, "code,name,abbreviation,parent_code\n000.00.00.H01,A,A,000.00.00.H01")[
        0
    ][1].startswith("The parents form a cycle (lines 2)")
    assert _refusal(engine, "code;name\n000.00.00.H01;A\n") == [(1, "Missing abbreviation.")]
    assert _refusal(engine, '[\n {"code": "000.00.00.H01"},\n {"code": 1\n]', "json")[0][0] == 4
    assert _refusal(engine, "[\n 3\n]", "json") == [(2, "Each agency is an object.")]
    assert _refusal(engine, '{"code": "x"}', "json") == [(1, "The JSON must be an array.")]
    assert _refusal(engine, "[]", "json") == [(1, "The file lists no agency.")]
    with pytest.raises(ImportRefused):
        _import(engine, b"code,name,abbreviation\n\xff\xfe", "csv")
    assert _codes(engine) == {}


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("000.00.00.H01", True),
        ("000.00.10.H01", True),
        ("000.01.10.H01", True),
        ("001.01.10.H01", True),
        ("000.00.00.G22", True),
        ("000.10.00.H01", False),  # level 3 under no level 2
        ("001.00.10.H01", False),  # level 4 under no level 3
        ("000.00.0A.H01", False),
        ("000.00.00.H1", False),
        ("000.00.00.01", False),
        (" 000.00.00.H01", False),
    ],
)
def test_agency_codes_follow_decision_20(code: str, valid: bool) -> None:
    assert valid_agency_code(code) is valid


def test_levels_given_are_kept(engine: Engine) -> None:
    _import(engine, "code,name,abbreviation,level\n000.00.00.K01,Hội đồng nhân dân,HĐND,province")
    assert _codes(engine)["000.00.00.K01"][2] == AgencyLevel.province.value
    problems = _refusal(engine, "code,name,abbreviation,level\n000.00.00.K02,Hội đồng,HĐND,tỉnh")
    assert problems == [(2, "Level is one of province, department, district, commune.")]
