"""A document's detail tells the web app about its publication and whether the caller may
manage it: a clerk of the issuing agency may, a specialist and another agency's clerk
may not; the publication field follows publish and withdraw."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.documents.office import Office, office_app


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


def _issued(office: Office, pdf: bytes, abstract: str) -> int:
    return int(office.issue_on_paper(pdf, abstract=abstract).json()["id"])


def _detail(office: Office, who: str, doc_id: int) -> dict[str, Any]:
    r = office.detail(who, doc_id)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_detail_shows_publication_and_who_may_manage_it(office: Office, pdf: bytes) -> None:
    doc_id = _issued(office, pdf, "Quyết định ban hành Quy chế công khai văn bản")
    clerk = _detail(office, "p.clerk", doc_id)
    assert clerk["publication"] is None and clerk["may_publish"] is True
    slug = f"{clerk['document']['issued_on'][:4]}/01-QĐ-UBND"
    spec = _detail(office, "p.spec", doc_id)  # the drafter sees it, may not publish it
    assert spec["publication"] is None and spec["may_publish"] is False

    r = office.step("p.clerk", doc_id, "publish", sector="giao-duc")
    assert r.status_code == 200, r.text
    published = _detail(office, "p.clerk", doc_id)["publication"]
    assert published == {
        "slug": slug,
        "state": "published",
        "sector": "giao-duc",
        "published_at": published["published_at"],
        "ended_on": None,
        "reason": "",
        "log_seq": 0,
    }
    assert published["published_at"]
    spec = _detail(office, "p.spec", doc_id)
    assert spec["publication"]["slug"] == slug and spec["may_publish"] is False
    assert office.step("p.spec", doc_id, "withdraw", reason="Thử").status_code == 403

    r = office.step(
        "p.clerk", doc_id, "withdraw", reason="Ban hành không đúng thẩm quyền", on="2026-12-01"
    )
    assert r.status_code == 200, r.text
    ended = _detail(office, "p.clerk", doc_id)["publication"]
    assert ended["state"] == "withdrawn" and ended["ended_on"] == "2026-12-01"
    assert ended["reason"] == "Ban hành không đúng thẩm quyền" and ended["log_seq"] == 1
    assert ended["published_at"] == published["published_at"]


def test_another_agencys_clerk_may_not_publish(office: Office, pdf: bytes) -> None:
    doc_id = _issued(office, pdf, "Công văn về việc công khai")
    # The department's clerk does not see the province's document at all.
    assert office.detail("d.clerk", doc_id).status_code == 404
    assert office.step("d.clerk", doc_id, "publish").status_code == 404
    assert _detail(office, "p.leader", doc_id)["may_publish"] is False
