"""Lists: a leader's or clerk's total is counted up to a cap and says so, and so is a text
search's for anyone; anyone else's list without text has its exact total; pages follow
one another without gaps or repeats."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from documents import queries
from tests.documents.office import Office, office_app


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


def test_totals_are_capped_for_long_lists_only(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    monkeypatch.setattr(queries, "TEXT_COUNT_CAP", 2)
    for i in range(5):
        assert office.receive(abstract=f"Công văn về đất đai số {i}").status_code == 201
        assert office.draft(None, abstract=f"Dự thảo về đất đai số {i}").status_code == 201
    clerk = office.get("p.clerk", "/api/v1/documents?limit=2").json()
    assert (len(clerk["items"]), clerk["total"], clerk["exact"]) == (2, 3, False)
    found = office.get("p.clerk", "/api/v1/documents?q=dat+dai&limit=2").json()
    assert (found["total"], found["exact"]) == (2, False)
    # Walking the pages of the capped list reaches every document, once.
    seen: list[int] = []
    for offset in range(0, 20, 2):
        page = office.get("p.clerk", f"/api/v1/documents?limit=2&offset={offset}").json()
        seen += [d["id"] for d in page["items"]]
        assert page["total"] >= min(offset + len(page["items"]), 10)
    assert len(seen) == len(set(seen)) == 10
    # A specialist sees their five drafts: an exact count, whatever the cap; a text
    # search is counted up to its cap, for them as for anyone.
    mine = office.get("p.spec", "/api/v1/documents?flow=outgoing&limit=2").json()
    assert (len(mine["items"]), mine["total"], mine["exact"]) == (2, 5, True)
    mine = office.get("p.spec", "/api/v1/documents?q=dat+dai&limit=2").json()
    assert (len(mine["items"]), mine["total"], mine["exact"]) == (2, 2, False)
    monkeypatch.setattr(queries, "TEXT_COUNT_CAP", 5)
    mine = office.get("p.spec", "/api/v1/documents?q=dat+dai&limit=2").json()
    assert (len(mine["items"]), mine["total"], mine["exact"]) == (2, 5, True)
    # Newest first for a text search.
    ids = [d["id"] for d in office.get("p.spec", "/api/v1/documents?q=dat+dai").json()["items"]]
    assert ids == sorted(ids, reverse=True)


def test_urgent_documents_jump_the_queue(office: Office) -> None:
    normal = office.receive(abstract="Thường").json()["id"]
    flash = office.receive(abstract="Hỏa tốc", urgency="flash").json()["id"]
    later = office.receive(abstract="Thường, đến sau").json()["id"]
    urgent = office.receive(abstract="Khẩn", urgency="urgent").json()["id"]
    ids = [
        d["id"] for d in office.get("p.clerk", "/api/v1/documents?flow=incoming").json()["items"]
    ]
    assert ids == [flash, urgent, later, normal]
