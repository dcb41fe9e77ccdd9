"""The public page bound to its log: what SQL changes in the rows the pages are built
from (a publication's state and reason, a document's abstract, a publication's PDF hash,
its links, a stored file's bytes) is named by `ecabinet log verify` — publication, field,
row value and log value — and the public page and the open-data API show the log's
facts with a notice, never the altered row; the download refuses an altered file."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from documents import publication_facts
from ecabinet.cli import main
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from tests.documents.office import Office, office_app
from tests.public.test_public_log_api import _published


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Path:
    monkeypatch.setenv("ECABINET_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ECABINET_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ECABINET_SECRET_KEY", settings.secret_key or "x" * 40)
    return Path(settings.data_dir)


def _three(office: Office, pdf: bytes) -> list[int]:
    copies = [pdf + f"\n% bản {n}\n".encode() for n in range(3)]
    ids = [_published(office, copies[n], f"Quyết định về việc công khai số {n}") for n in range(3)]
    r = office.step("p.clerk", ids[1], "withdraw", reason="Ban hành không đúng thẩm quyền")
    assert r.status_code == 200
    return ids


def _sql(engine: Engine, *statements: str) -> None:
    with session_scope(engine) as s:
        for statement in statements:
            s.execute(text(statement))


def _verify(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["log", "verify", *extra])
    return code, capsys.readouterr().out


def test_verify_names_each_field_sql_changed(
    office: Office,
    pdf: bytes,
    engine: Engine,
    cli_env: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ids = _three(office, pdf)
    assert main(["log", "head"]) == 0
    kept = tmp_path / "head.json"
    kept.write_text(capsys.readouterr().out)
    code, out = _verify(capsys, "--head", str(kept))
    assert code == 0, out
    assert "3 publication(s) agree with the log, 3 file(s) hashed" in out

    # the three edits: a withdrawal undone, an abstract rewritten, a hash swapped
    other = hashlib.sha256(b"another file").hexdigest()
    _sql(
        engine,
        f"UPDATE publication SET state = 'published', reason = '' WHERE document_id = {ids[1]}",
        f"UPDATE document SET abstract = 'Nội dung khác' WHERE id = {ids[0]}",
        f"UPDATE publication SET sha256 = '{other}' WHERE document_id = {ids[2]}",
    )
    code, out = _verify(capsys, "--head", str(kept))
    assert code == 1
    assert f"publication {ids[1]}: state: row 'published' ≠ log 'withdrawn'" in out
    assert f"publication {ids[1]}: reason: row '' ≠ log 'Ban hành không đúng thẩm quyền'" in out
    assert (
        f"publication {ids[0]}: abstract: row 'Nội dung khác'"
        f" ≠ log 'Quyết định về việc công khai số 0'" in out
    )
    assert f"publication {ids[2]}: sha256: row '{other}'" in out
    assert "4 contradiction(s) in 3 publication(s)" in out


def test_verify_names_dates_links_removed_rows_and_altered_files(
    office: Office,
    pdf: bytes,
    engine: Engine,
    cli_env: Path,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ids = _three(office, pdf)
    with session_scope(engine, write=False) as s:
        sha0 = s.execute(
            text(f"SELECT sha256 FROM publication WHERE document_id = {ids[0]}")
        ).scalar_one()
    _sql(
        engine,
        f"UPDATE publication SET ended_on = '2020-01-01' WHERE document_id = {ids[1]}",
        f"UPDATE document SET issued_on = '2020-02-02', signer_title = 'Giám đốc' WHERE id = {ids[2]}",
        f"INSERT INTO publication_link (document_id, target_id, kind) VALUES ({ids[2]}, {ids[0]}, 'amends')",
    )
    # the stored bytes of the first document's PDF replaced in the object store
    blob = next(p for p in Path(settings.data_dir, "objects").rglob(sha0 + "*") if p.is_file())
    blob.chmod(0o644)
    blob.write_bytes(blob.read_bytes().replace(b"%%EOF", b"%%EOF\n% edited"))
    code, out = _verify(capsys)
    assert code == 1
    assert f"publication {ids[1]}: ended_on: row '2020-01-01'" in out
    assert f"publication {ids[2]}: issued_on: row '2020-02-02'" in out
    assert f"publication {ids[2]}: signer_title: row 'Giám đốc' ≠ log 'Chức vụ p.leader'" in out
    assert f"publication {ids[2]}: amends: row '" in out and "≠ log ''" in out
    assert f"publication {ids[0]}: file: row 'altered' ≠ log '{sha0}'" in out
    code, out = _verify(capsys, "--no-files")
    assert code == 1 and "file:" not in out

    _sql(engine, f"DELETE FROM publication_link WHERE document_id = {ids[2]}")
    _sql(engine, f"DELETE FROM publication WHERE document_id = {ids[2]}")
    code, out = _verify(capsys, "--no-files")
    assert f"publication {ids[2]}: row: row 'absent'" in out


def test_old_entries_are_compared_on_what_they_carry(engine: Engine) -> None:
    """An entry written before the log carried the signer's title, the type's name and
    the time of publication is compared on its own fields (the time to the second)."""
    old = json.dumps(
        {
            "slug": "2026/01-QĐ-UBND",
            "number_symbol": "01/QĐ-UBND",
            "type": "QĐ",
            "agency_code": "A",
            "agency": "UBND",
            "issued_on": "2026-03-05",
            "signer": "Nguyễn Văn A",
            "abstract": "Trích yếu",
            "sha256": "ab" * 32,
            "sector": "khac",
            "replaces": [],
            "amends": [],
            "at": "2026-03-05T01:00:00.400000+00:00",
        }
    )
    folded = publication_facts.fold([(0, "publish", 7, old), (1, "checkpoint", 0, "{}")])
    facts = folded.facts[7]
    assert facts.signer_title is None and not facts.exact_time and not folded.unreadable
    from dataclasses import replace
    from datetime import datetime

    row = replace(
        facts,
        signer_title="Chủ tịch",
        type_name="Quyết định",
        published_at=datetime.fromisoformat("2026-03-05T01:00:00.900000+00:00"),
    )
    assert publication_facts.compare(row, facts) == []
    late = replace(row, published_at=datetime.fromisoformat("2026-03-05T01:00:09+00:00"))
    assert publication_facts.compare(late, facts) == ["published_at"]
    assert publication_facts.compare(row, None) == ["entry"]
    broken = publication_facts.fold([(0, "publish", 7, "{"), (1, "withdraw", 8, "{}")])
    assert len(broken.unreadable) == 2 and not broken.facts


def _quiet(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="ecabinet.public")
