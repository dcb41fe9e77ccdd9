"""Finding 16: the audit log follows the documents' visibility rules. An entry about a
confidential document carries no abstract when it is written, and the audit view shows
no summary of a document its reader may not see (older entries included).
SQL-backed: run under both ``ECABINET_TEST_DB``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from ecabinet.core import audit
from ecabinet.core.audit import AuditEntry
from ecabinet.core.db import session_scope
from tests.documents.office import Office, office_app
from tests.factories import ACTOR

SECRET = "Phương án bảo vệ mục tiêu trọng điểm"
OPEN = "Kế hoạch tổ chức hội nghị sơ kết"


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine, confidential_documents="true") as app:
        yield app


def _entries(office: Office, who: str) -> list[dict[str, Any]]:
    r = office.get(who, "/api/v1/audit?limit=500")
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def _secret_document(office: Office) -> int:
    r = office.receive(
        abstract=SECRET, confidentiality="confidential", access=[office.ids["p.leader"]]
    )
    assert r.status_code == 201, r.text
    doc_id: int = r.json()["id"]
    r = office.draft(
        None,
        abstract=SECRET + " (dự thảo)",
        confidentiality="secret",
        access=[office.ids["p.spec"]],
    )
    assert r.status_code == 201, r.text
    return doc_id


def test_f16_confidential_entries_are_written_without_the_abstract(
    office: Office, engine: Engine
) -> None:
    _secret_document(office)
    with session_scope(engine, write=False) as s:
        summaries = list(s.exec(select(AuditEntry.summary)))
    assert summaries and not any(SECRET in text for text in summaries)


def test_f16_root_admin_off_the_list_sees_no_confidential_summary(
    office: Office, engine: Engine
) -> None:
    secret_id = _secret_document(office)
    open_id = office.receive(abstract=OPEN).json()["id"]
    # An entry written before the fix, abstract and all: the view must hide it too.
    with session_scope(engine) as s:
        audit.record(s, ACTOR, "document.note", "document", secret_id, f"ghi chú: {SECRET}")
    entries = _entries(office, "p.admin")
    about_secret = [
        e for e in entries if e["object_type"] == "document" and e["object_id"] == str(secret_id)
    ]
    assert about_secret, "the entries stay listed (the log has no gaps)"
    assert all(SECRET not in e["summary"] for e in entries)
    assert all(e["summary"] == "" and e["withheld"] for e in about_secret)
    # The admin is no clerk or leader: an ordinary document's abstract is not theirs either.
    about_open = [
        e for e in entries if e["object_id"] == str(open_id) and e["object_type"] == "document"
    ]
    assert about_open and all(OPEN not in e["summary"] for e in about_open)
    with session_scope(engine, write=False) as s:
        kept = s.exec(
            select(AuditEntry.summary).where(col(AuditEntry.action) == "document.note")
        ).one()
    assert SECRET in kept  # nothing stored was rewritten


def test_f16_entries_about_a_confidential_documents_files_are_withheld(
    office: Office, engine: Engine, pdf: bytes
) -> None:
    """The file names of a confidential document say as much as its abstract: entries
    about its files (the upload, a signed copy) show no summary to a reader off its list."""
    file_id = office.upload("p.clerk", pdf, name="phuong-an-bao-ve-muc-tieu-trong-diem.pdf")
    r = office.post(
        "p.clerk",
        "/api/v1/documents/incoming",
        json={
            "agency_id": office.agencies["p"].id,
            "type_id": office.types["CV"],
            "abstract": SECRET,
            "number_symbol": "46/UBND-VP",
            "issuing_agency_name": "Công an tỉnh",
            "issued_on": "2026-11-02",
            "confidentiality": "confidential",
            "access": [office.ids["p.leader"]],
            "file_id": file_id,
        },
    )
    assert r.status_code == 201, r.text
    entries = _entries(office, "p.admin")
    about_file = [e for e in entries if e["object_type"] == "file"]
    assert about_file, "the file's entries stay listed"
    assert all("phuong-an" not in e["summary"] for e in entries)
    assert all(e["withheld"] for e in about_file)
