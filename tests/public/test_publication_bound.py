"""The public page bound to its log: what SQL changes in the rows the pages are built
from (a publication's state and reason, a document's abstract, a publication's PDF hash,
its links, a stored file's bytes) is named by `ecabinet log verify` — publication, field,
row value and log value — and the public page and the open-data API show the log's
facts with a notice, never the altered row; the download refuses an altered file."""

# The tests edit the database by hand, as the operator the log guards against would:
# the SQL is built from the test's own integer ids.
# ruff: noqa: S608

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

    # the issue's three edits: a withdrawal undone, an abstract rewritten, a hash swapped
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
        f"UPDATE document SET issued_on = '2020-02-02', signer_title = 'Giám đốc'"
        f" WHERE id = {ids[2]}",
        f"INSERT INTO publication_link (document_id, target_id, kind)"
        f" VALUES ({ids[2]}, {ids[0]}, 'amends')",
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
    """An entry written before the log carried the sector, the links, the signer's title,
    the type's name and the time of publication is compared on its own fields (the time
    to the second)."""
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
            "at": "2026-03-05T01:00:00.400000+00:00",
        }
    )
    folded = publication_facts.fold([(0, "publish", 7, old), (1, "checkpoint", 0, "{}")])
    facts = folded.facts[7]
    assert facts.signer_title is None and not facts.exact_time and not folded.unreadable
    assert facts.sector is None and facts.replaces is None
    from dataclasses import replace
    from datetime import datetime

    row = replace(
        facts,
        signer_title="Chủ tịch",
        type_name="Quyết định",
        sector="dat-dai",
        amends=("2025/03-QĐ-UBND",),
        published_at=datetime.fromisoformat("2026-03-05T01:00:00.900000+00:00"),
    )
    assert publication_facts.compare(row, facts) == []
    late = replace(row, published_at=datetime.fromisoformat("2026-03-05T01:00:09+00:00"))
    assert publication_facts.compare(late, facts) == ["published_at"]
    shown = publication_facts.shown(row, facts)
    assert shown is not None and shown.sector == "dat-dai" and shown.signer_title == "Chủ tịch"
    assert shown.abstract == "Trích yếu" and shown.amends == ("2025/03-QĐ-UBND",)
    # a newer entry carries them, and is held to them
    newer = replace(facts, sector="khac", replaces=(), amends=(), signer_title="")
    assert publication_facts.compare(row, newer) == ["signer_title", "sector", "amends"]
    assert publication_facts.compare(row, None) == ["entry"]
    broken = publication_facts.fold([(0, "publish", 7, "{"), (1, "withdraw", 8, "{}")])
    assert len(broken.unreadable) == 2 and not broken.facts


def _anonymous(office: Office) -> None:
    office.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": office._csrf})
    office._who = None


def _counted(field: str) -> float:
    from prometheus_client import REGISTRY

    value = REGISTRY.get_sample_value("ecabinet_publication_contradictions_total", {"field": field})
    return value or 0.0


def test_pages_show_the_logged_facts_with_a_notice_and_alarm(
    office: Office, pdf: bytes, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    ids = _three(office, pdf)
    _anonymous(office)
    anon = office.client
    slugs = {
        i["number_symbol"]: i["slug"] for i in anon.get("/api/v1/public/documents").json()["items"]
    }
    slug1 = slugs["02/QĐ-UBND"]
    page = anon.get(f"/cong-khai/{slug1}")
    assert page.status_code == 200 and 'data-testid="bound-notice"' not in page.text
    before = _counted("state"), _counted("abstract")

    _sql(
        engine,
        f"UPDATE publication SET state = 'published', reason = '' WHERE document_id = {ids[1]}",
        f"UPDATE document SET abstract = 'Nội dung đã bị sửa' WHERE id = {ids[1]}",
    )
    caplog.set_level(logging.ERROR, logger="ecabinet.publication")
    page = anon.get(f"/cong-khai/{slug1}")
    assert page.status_code == 200
    assert 'data-testid="bound-notice"' in page.text
    # Vietnamese first, English beside it, naming the fields in both
    vi = page.text.index("Cảnh báo: dữ liệu của văn bản này")
    en = page.text.index("Warning: this document")
    assert vi < en and "trích yếu" in page.text and "abstract" in page.text
    # the log's facts, not the altered row
    assert "Nội dung đã bị sửa" not in page.text
    assert "Quyết định về việc công khai số 1" in page.text
    assert "Ban hành không đúng thẩm quyền" in page.text
    assert f"publication {ids[1]} contradicts the publication log" in caplog.text
    assert _counted("state") > before[0] and _counted("abstract") > before[1]

    listed = anon.get("/cong-khai")
    assert "Nội dung đã bị sửa" not in listed.text and 'data-testid="bound-notice"' in listed.text
    assert listed.text.count('data-testid="bound-notice"') == 1
    api = anon.get(f"/api/v1/public/documents/{slug1}").json()
    assert api["state"] == "withdrawn" and api["reason"] == "Ban hành không đúng thẩm quyền"
    assert api["abstract"] == "Quyết định về việc công khai số 1"
    assert sorted(api["contradicts"]) == ["abstract", "reason", "state"]
    items = anon.get("/api/v1/public/documents").json()["items"]
    assert [i["contradicts"] for i in items if i["slug"] != slug1] == [[], []]
    feed = anon.get("/cong-khai/feed.atom").text
    assert "Nội dung đã bị sửa" not in feed and "(đã thu hồi)" in feed
    # the state filter still runs on the rows; what it lists is the log's
    filtered = anon.get("/api/v1/public/documents?trang_thai=published").json()["items"]
    assert {i["state"] for i in filtered} == {"published", "withdrawn"}


def test_no_entry_nothing_shown_and_links_from_the_log(
    office: Office, pdf: bytes, engine: Engine
) -> None:
    ids = _three(office, pdf)
    _anonymous(office)
    anon = office.client
    items = anon.get("/api/v1/public/documents").json()["items"]
    slug = {i["number_symbol"]: i["slug"] for i in items}
    # a link nobody published, inserted by hand, is not shown as a relation
    _sql(
        engine,
        f"INSERT INTO publication_link (document_id, target_id, kind)"
        f" VALUES ({ids[2]}, {ids[0]}, 'replaces')",
    )
    doc = anon.get(f"/api/v1/public/documents/{slug['03/QĐ-UBND']}").json()
    assert doc["related"] == [] and doc["contradicts"] == ["replaces"]
    other = anon.get(f"/api/v1/public/documents/{slug['01/QĐ-UBND']}").json()
    assert other["related"] == [] and other["contradicts"] == []
    # the log's entries moved to another document: the row has none, nothing is shown
    _sql(
        engine,
        f"UPDATE publication_log_entry SET document_id = 99999 WHERE document_id = {ids[0]}",
    )
    page = anon.get(f"/cong-khai/{slug['01/QĐ-UBND']}")
    assert page.status_code == 200 and "Nhật ký công khai không có mục nào" in page.text
    assert "Quyết định về việc công khai số 0" not in page.text
    got = anon.get(f"/api/v1/public/documents/{slug['01/QĐ-UBND']}/pdf")
    assert got.status_code == 409 and got.json()["code"] == "public.not_in_log"
    api = anon.get(f"/api/v1/public/documents/{slug['01/QĐ-UBND']}").json()
    assert api["contradicts"] == ["entry"] and api["abstract"] == "" and api["sha256"] == ""


def test_downloads_serve_the_logged_file_only(
    office: Office, pdf: bytes, engine: Engine, settings: Settings
) -> None:
    copies = [pdf + f"\n% bản {n}\n".encode() for n in range(2)]
    ids = [_published(office, copies[n], f"Chỉ thị số {n}") for n in range(2)]
    _anonymous(office)
    anon = office.client
    items = {i["number_symbol"]: i for i in anon.get("/api/v1/public/documents").json()["items"]}
    first, second = items["01/QĐ-UBND"], items["02/QĐ-UBND"]
    # the first publication's hash pointed at the second's file: the logged file is served
    _sql(
        engine,
        f"UPDATE publication SET sha256 = '{second['sha256']}' WHERE document_id = {ids[0]}",
    )
    got = anon.get(f"/api/v1/public/documents/{first['slug']}/pdf")
    assert got.status_code == 200 and got.content == copies[0]

    # the verify page: the second file is published once, as the second document
    files = {"file": ("x.pdf", copies[1], "application/pdf")}
    page = anon.post("/cong-khai/kiem-tra", files=files)
    assert second["slug"] in page.text and first["slug"] not in page.text
    # the first file is still found through the log, its row no longer naming it
    page = anon.post("/cong-khai/kiem-tra", files={"file": ("x.pdf", copies[0], "application/pdf")})
    assert first["slug"] in page.text

    # the stored bytes of the second file altered in the store: neither whole nor in part
    blob = next(
        p for p in Path(settings.data_dir, "objects").rglob(second["sha256"] + "*") if p.is_file()
    )
    blob.chmod(0o644)
    blob.write_bytes(blob.read_bytes()[:-20] + b"% altered tail    \n")
    ranged = anon.get(
        f"/api/v1/public/documents/{second['slug']}/pdf", headers={"Range": "bytes=0-99"}
    )
    assert ranged.status_code == 409 and ranged.json()["code"] == "public.file_altered"
    status: int | None
    try:
        whole = anon.get(f"/api/v1/public/documents/{second['slug']}/pdf")
        status, body = whole.status_code, whole.content
    except Exception:
        status, body = None, b""
    assert status != 200 and b"altered tail" not in body
