"""The agency directory: importing a file all or nothing, synchronising from a source,
searching it, and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from documents.agency_directory import importing, lookup, sources
from documents.agency_directory.importing import DirectoryRefused
from documents.agency_directory.models import DirectoryEntry, DirectoryLevel
from ecabinet.cli import main
from ecabinet.core.audit import AuditEntry
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from tests.conftest import SECRET
from tests.factories import ACTOR

CSV = """STT;Mã định danh;Tên cơ quan;Cấp;Mã cấp trên;Liên thông
1;000.00.00.G09;Bộ Nội vụ;Trung ương;;có
2;000.00.31.H01;Ủy ban nhân dân huyện Châu Thành;huyện;000.00.00.H01;1
3;000.00.00.H01;Ủy ban nhân dân tỉnh An Giang;tỉnh;;
4;000.02.31.H01;Ủy ban nhân dân xã Bình Hòa;xã;000.00.31.H01;không
"""


def _import(engine: Engine, data: str, kind: str = "csv") -> importing.Outcome:
    with session_scope(engine) as session:
        return importing.import_file(session, ACTOR, data.encode(), kind, "test")


def _entries(engine: Engine) -> dict[str, DirectoryEntry]:
    with session_scope(engine) as session:
        return {e.code: e for e in session.exec(select(DirectoryEntry))}


def test_import_csv_then_again_then_changed(engine: Engine) -> None:
    assert _import(engine, CSV) == importing.Outcome(4, 0, 0)
    got = _entries(engine)
    commune = got["000.02.31.H01"]
    assert (commune.level, commune.parent_code, commune.electronic) == (
        "commune",
        "000.00.31.H01",
        False,
    )
    assert got["000.00.00.H01"].electronic and got["000.00.00.G09"].level == "central"
    # The same file again changes nothing and writes no audit entry.
    with session_scope(engine) as session:
        before = len(session.exec(select(AuditEntry)).all())
    assert _import(engine, CSV) == importing.Outcome(0, 0, 4)
    with session_scope(engine) as session:
        assert len(session.exec(select(AuditEntry)).all()) == before
    # The commune got connected: the newer file's word is taken, and audited.
    rows = [
        {"ma_dinh_danh": "000.02.31.H01", "ten": "Ủy ban nhân dân xã Bình Hòa", "cap": "commune"},
        {"code": "000.01.31.H01", "name": "UBND thị trấn An Châu", "level": "commune"},
    ]
    rows[0] |= {"parent_code": "000.00.31.H01", "electronic": True}
    rows[1] |= {"parent_code": "000.00.31.H01"}
    assert _import(engine, json.dumps(rows), "json") == importing.Outcome(1, 1, 0)
    assert _entries(engine)["000.02.31.H01"].electronic
    with session_scope(engine) as session:
        last = session.exec(select(AuditEntry).order_by(col(AuditEntry.seq).desc())).first()
    assert last is not None and last.action == "agency_directory.import"
    assert "1 created, 1 updated" in last.summary


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        ("code,name,level\nxyz,Nơi nào đó,xã\n", 2, "XYZ"),
        ("code,name,level\n000.00.00.H02,Tỉnh Khác,ấp\n", 2, "ấp"),
        ("code,name\n000.00.00.H02,Tỉnh Khác\n", 1, "level"),
        ("code,name,level,parent_code\n000.01.31.H02,Xã,xã,000.00.31.H02\n", 2, "000.00.31.H02"),
        ("code,name,level,electronic\n000.00.00.H02,Tỉnh,tỉnh,có lẽ\n", 2, "có lẽ"),
        ("code,name,level\n000.00.00.H02,Tỉnh,tỉnh\n000.00.00.H02,Tỉnh,tỉnh\n", 3, "line 2"),
        (
            "code,name,level,parent_code\n000.00.31.H02,A,huyện,000.00.32.H02\n"
            "000.00.32.H02,B,huyện,000.00.31.H02\n",
            2,
            "cycle",
        ),
        ('[{"code": "000.00.00.H02", "name": ["x"], "level": "tỉnh"}]', 1, "text"),
        ("[1,", 1, "object"),
        ('[{"code": 1', 1, "Bad JSON"),
        ("", 1, "no agency"),
    ],
)
def test_bad_rows_import_nothing(engine: Engine, data: str, line: int, words: str) -> None:
    good = "\n000.00.00.H03,Tỉnh Tốt,tỉnh"
    kind = "json" if data.startswith("[") else "csv"
    body = data + good if kind == "csv" and data.count("\n") >= 1 else data
    with pytest.raises(DirectoryRefused) as caught:
        _import(engine, body, kind)
    problems = caught.value.problems
    assert problems[0].line == line and words in problems[0].en, problems
    assert caught.value.code == "agency_directory.invalid" and caught.value.vi
    assert _entries(engine) == {}


def test_search_folds_marks_groups_by_level_and_names_inside_agencies(engine: Engine) -> None:
    _import(engine, CSV)
    with session_scope(engine) as session:
        assert [f.code for f in lookup.search(session)] == [
            "000.00.00.G09",
            "000.00.00.H01",
            "000.00.31.H01",
            "000.02.31.H01",
        ]
        assert [f.name for f in lookup.search(session, query="binh hoa")] == [
            "Ủy ban nhân dân xã Bình Hòa"
        ]
        assert [f.code for f in lookup.search(session, query="31.h01")] == [
            "000.00.31.H01",
            "000.02.31.H01",
        ]
        only = lookup.search(session, level=DirectoryLevel.central)
        assert [f.name for f in only] == ["Bộ Nội vụ"] and only[0].agency_id is None
        # LIKE's wildcards in the query are plain characters.
        assert lookup.search(session, query="%") == []
        with pytest.raises(Exception, match="limit"):
            lookup.search(session, limit=0)


def test_file_source_synchronises_and_cli_imports(
    engine: Engine, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "danh-muc.csv"
    path.write_text(CSV, encoding="utf-8")
    source: sources.DirectorySource = sources.FileDirectorySource(path)
    with session_scope(engine) as session:
        assert sources.synchronise(session, ACTOR, source) == importing.Outcome(4, 0, 0)
    with session_scope(engine) as session, pytest.raises(DirectoryRefused) as caught:
        sources.synchronise(session, ACTOR, sources.FileDirectorySource(tmp_path / "none.csv"))
    assert "Cannot read none.csv" in caught.value.problems[0].en


def test_cli_directory_import(
    settings: Settings,
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ECABINET_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ECABINET_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ECABINET_SECRET_KEY", SECRET)
    good = tmp_path / "danh-muc.json"
    good.write_text(json.dumps([{"code": "000.00.00.G09", "name": "Bộ Nội vụ", "level": "tw"}]))
    bad = tmp_path / "hong.csv"
    bad.write_text("code,name,level\nxyz,Nơi nào đó,xã\n000.00.00.G01,VPCP,tw\n")
    assert main(["directory", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "line 2: Agency code 'XYZ'" in err and "không nhập gì" in err
    assert _entries(engine) == {}
    assert main(["directory", "import", str(good)]) == 0
    assert "1 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert main(["directory", "import", str(good)]) == 0
    assert "0 created, 0 updated, 1 unchanged" in capsys.readouterr().out
