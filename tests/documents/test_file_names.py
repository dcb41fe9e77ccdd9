"""A document's files download under the document's own name (``01-QĐ-UBND.pdf`` once
issued, ``du-thao-<abstract>.pdf`` before), never under a name grown by each signature;
its timeline names people by full name and title, not by login."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine

from tests.documents.office import Office, office_app
from tests.support.credentials import Issuer


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine, ca: Issuer) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine, (ca.ca.root,)) as app:
        yield app


def _main_names(office: Office, doc_id: int) -> list[tuple[str, str]]:
    """(stored name, Content-Disposition) of each main file version, oldest first."""
    out = []
    for f in office.detail("p.clerk", doc_id).json()["files"]:
        if f["kind"] != "main":
            continue
        r = office.get("p.clerk", f"/api/v1/documents/{doc_id}/files/{f['id']}/content")
        assert r.status_code == 200
        # The page shows the name the file downloads under.
        assert _named(r.headers["content-disposition"], f["download_name"]), f
        out.append((f["file"]["filename"], r.headers["content-disposition"]))
    return out


def _named(disposition: str, name: str) -> bool:
    return f"filename*=UTF-8''{quote(name, safe='')}" in disposition


def test_signed_and_issued_files_carry_the_number(office: Office, ca: Issuer, pdf: bytes) -> None:
    doc_id = office.issue_signed(ca, pdf)
    names = _main_names(office, doc_id)
    assert len(names) == 3
    stored = [n for n, _ in names]
    assert not any("đã ký" in n for n in stored), stored
    assert stored[-1] == "01-QĐ-UBND.pdf"
    # Every version of the main file downloads under the document's name (RFC 8187
    # filename* for the Vietnamese letters, an ASCII fallback beside it).
    for _, disposition in names:
        assert _named(disposition, "01-QĐ-UBND.pdf"), disposition
        assert 'filename="01-QD-UBND.pdf"' in disposition


def test_a_draft_downloads_under_its_abstract(office: Office, pdf: bytes) -> None:
    doc_id = office.draft(pdf, abstract="Về việc tổ chức Hội nghị chuyển đổi số năm 2026").json()[
        "id"
    ]
    [(stored, disposition)] = _main_names(office, doc_id)
    assert stored == "van-ban.pdf"  # as uploaded
    expected = "du-thao-ve-viec-to-chuc-hoi-nghi-chuyen-doi-so-nam-2026.pdf"
    assert _named(disposition, expected), disposition


def test_signing_a_signed_file_again_does_not_grow_its_name() -> None:
    from ecabinet.signatures.service import _signed_name

    once = _signed_name("du-thao-07.pdf")
    assert once == "du-thao-07 (đã ký).pdf"
    assert _signed_name(once) == once


def test_timeline_names_people_by_full_name_and_title(
    office: Office, ca: Issuer, pdf: bytes
) -> None:
    doc_id = office.issue_signed(ca, pdf)
    timeline = office.detail("p.clerk", doc_id).json()["timeline"]
    by_action = {e["action"]: e for e in timeline}
    assert by_action["sign"]["actor_name"] == "Nguyễn Văn Chủ Tịch"
    assert by_action["sign"]["actor_title"] == "Chức vụ p.leader"
    logins = {"p.spec", "p.head", "p.leader", "p.clerk"}
    assert not logins & {e["actor_name"] for e in timeline}
