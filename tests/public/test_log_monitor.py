"""`ecabinet log monitor URL --state DIR` against a real served app (uvicorn in a thread):
quiet while the log only grows (across a key rotation), loud for a PDF that differs from
its entry, a page that contradicts the log, a log rewritten and re-signed with the
server's own key, and a key nobody endorsed."""

# The tests edit the database by hand, as the operator the log guards against would:
# the SQL is built from the test's own integer ids.
# ruff: noqa: S608

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import col, select

from documents import publication_log as log
from documents.publication_log_models import LogEntry
from ecabinet.app import create_app
from ecabinet.cli import main
from ecabinet.core.db import session_scope
from tests.conftest import make_settings
from tests.documents.office import Office, office_app
from tests.public.test_public_log_api import _published
from tests.support.live import serve


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


@pytest.fixture
def served(office: Office, tmp_path: Path, database_url: str, engine: Engine) -> Iterator[str]:
    config = make_settings(tmp_path / "data", database_url)
    with serve(create_app(config, engine=engine, store=office.store)) as url:
        yield url


def _monitor(url: str, state: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["log", "monitor", url, "--state", str(state), "--timeout", "20"])
    return code, capsys.readouterr().out


def _blob(tmp_path: Path, sha256: str) -> Path:
    return next(p for p in (tmp_path / "data" / "objects").rglob(sha256 + "*") if p.is_file())


def test_monitor_follows_the_log_and_reports_what_changed(
    office: Office,
    served: str,
    pdf: bytes,
    engine: Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    state = tmp_path / "monitor"
    ids = [_published(office, pdf + f"\n% {n}\n".encode(), f"Quyết định số {n}") for n in range(2)]
    code, out = _monitor(served, state, capsys)
    assert code == 0, out
    assert "trusting the log's first key" in out and "2 entries (2 new), 2 documents" in out
    assert "2 new PDF(s) hashed" in out
    code, out = _monitor(served, state, capsys)
    assert code == 0 and "(0 new)" in out and "trusting" not in out

    # the log grows, the key is rotated (endorsed by the old one): still quiet
    settings = make_settings(tmp_path / "data", str(engine.url.render_as_string(False)))
    with session_scope(engine) as s:
        log.rotate_key(s, settings.data_dir, settings.publication_log_key_file)
    r = office.step("p.clerk", ids[0], "withdraw", reason="Sai thẩm quyền")
    assert r.status_code == 200
    ids.append(_published(office, pdf + b"\n% 2\n", "Quyết định số 2"))
    code, out = _monitor(served, state, capsys)
    assert code == 0, out
    assert "4 entries (2 new), 3 documents, 1 new PDF(s) hashed" in out
    assert len(json.loads((state / "state.json").read_text())["keys"]) == 2

    # a new publication whose stored PDF was altered before the monitor fetched it
    ids.append(_published(office, pdf + b"\n% 3\n", "Quyết định số 3"))
    with session_scope(engine, write=False) as s:
        sha3 = s.execute(
            text(f"SELECT sha256 FROM publication WHERE document_id = {ids[3]}")
        ).scalar_one()
    blob = _blob(tmp_path, sha3)
    original = blob.read_bytes()
    blob.chmod(0o644)
    blob.write_bytes(original.replace(b"%%EOF", b"%%EOF\n% sua\n"))
    code, out = _monitor(served, state, capsys)
    assert code == 1
    assert f"PROBLEM: document {ids[3]}" in out and "its PDF is not served" in out
    blob.write_bytes(original)  # put back: checked again on the next run, then quiet
    code, out = _monitor(served, state, capsys)
    assert code == 0, out
    assert "1 new PDF(s) hashed" in out

    # the database edited by hand: the page tells, the monitor reports it
    with session_scope(engine) as s:
        s.execute(text(f"UPDATE document SET abstract = 'Sửa tay' WHERE id = {ids[1]}"))
    code, out = _monitor(served, state, capsys)
    assert code == 1
    assert f"document {ids[1]}" in out and "contradicts the log: abstract" in out
    with session_scope(engine) as s:
        s.execute(text(f"DELETE FROM publication_link WHERE target_id = {ids[1]}"))
        s.execute(text(f"DELETE FROM publication WHERE document_id = {ids[1]}"))
    code, out = _monitor(served, state, capsys)
    assert code == 1 and "removed from the public page" in out


def test_monitor_catches_a_log_rewritten_and_signed_anew(
    office: Office,
    served: str,
    pdf: bytes,
    engine: Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    state = tmp_path / "monitor"
    for n in range(3):
        _published(office, pdf + f"\n% {n}\n".encode(), f"Quyết định số {n}")
    assert _monitor(served, state, capsys)[0] == 0

    # the operator rebuilds the whole log with one abstract changed, and signs it anew
    # with the server's own key: consistent in itself, the same size, another history
    with session_scope(engine) as s:
        rows = s.exec(select(LogEntry).order_by(col(LogEntry.seq))).all()
        payloads = [json.loads(r.payload) for r in rows]
        for table in ("entry", "node", "head"):
            s.execute(text(f"DELETE FROM publication_log_{table}"))
        s.execute(text("UPDATE publication_log_state SET size = 0"))
        payloads[1]["abstract"] = "Quyết định đã được viết lại"
        log.append_many(
            s,
            [
                (
                    p["kind"],
                    p["document_id"],
                    {k: v for k, v in p.items() if k not in ("seq", "at")},
                )
                for p in payloads
            ],
        )
    code, out = _monitor(served, state, capsys)
    assert code == 1
    assert "does not extend the 3 seen before: entries were rewritten or removed" in out
    # nothing was saved: the next run says it again
    assert _monitor(served, state, capsys)[0] == 1


def test_monitor_refuses_a_key_nobody_endorsed(
    office: Office,
    served: str,
    pdf: bytes,
    engine: Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    state = tmp_path / "monitor"
    _published(office, pdf + b"\n% 0\n", "Quyết định số 0")
    assert _monitor(served, state, capsys)[0] == 0
    # the key file replaced by hand: the new key signs, but no earlier key endorsed it
    data_dir = tmp_path / "data"
    (data_dir / log.KEY_FILE).unlink()
    _published(office, pdf + b"\n% 1\n", "Quyết định số 1")
    code, out = _monitor(served, state, capsys)
    assert code == 1 and "is not endorsed by an earlier key" in out
    assert "does not verify with the key it names" in out


def test_monitor_refuses_a_shrunk_log_and_a_bad_address(
    office: Office,
    served: str,
    pdf: bytes,
    engine: Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    state = tmp_path / "monitor"
    for n in range(2):
        _published(office, pdf + f"\n% {n}\n".encode(), f"Chỉ thị số {n}")
    assert _monitor(served, state, capsys)[0] == 0
    with session_scope(engine) as s:
        s.execute(text("DELETE FROM publication_log_entry WHERE seq = 1"))
        s.execute(text("DELETE FROM publication_log_head"))
        s.execute(text("UPDATE publication_log_state SET size = 1"))
    code, out = _monitor(served, state, capsys)
    assert code == 1 and "the log shrank: 1 entries now, 2 seen before" in out
    code, out = _monitor("http://127.0.0.1:9", state, capsys)
    assert code == 1 and "follows" in out
    code, out = _monitor("http://127.0.0.1:9", tmp_path / "new", capsys)
    assert code == 1 and "cannot read the log" in out


class _Serving:
    """A server that answers the PDF's address with other bytes (200)."""

    def __init__(self, body: bytes, status: int = 200) -> None:
        self.body, self.status = body, status

    def get(self, path: str, **query: object) -> tuple[int, bytes]:
        return self.status, self.body


def test_a_pdf_served_with_other_bytes_is_named(pdf: bytes) -> None:
    import hashlib

    from documents.publication_facts import fold
    from ecabinet.operations import log_monitor

    entry = json.dumps(
        {
            "slug": "2026/01-QĐ-UBND",
            "number_symbol": "01/QĐ-UBND",
            "type": "QD",
            "agency_code": "A",
            "sha256": hashlib.sha256(pdf).hexdigest(),
            "at": "2026-03-05T01:00:00+00:00",
        }
    )
    facts = fold([(0, "publish", 5, entry)]).facts[5]
    report = log_monitor.Report("http://x")
    assert log_monitor._check_pdf(_Serving(pdf), facts, report)  # type: ignore[arg-type]
    assert report.ok
    other = pdf + b"\n% sua\n"
    assert not log_monitor._check_pdf(_Serving(other), facts, report)  # type: ignore[arg-type]
    assert report.problems == [
        f"document 5 (2026/01-QĐ-UBND): the served PDF hashes to"
        f" {hashlib.sha256(other).hexdigest()}, the log says {facts.sha256}"
    ]
