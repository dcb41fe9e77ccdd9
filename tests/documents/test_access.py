"""Who sees which document, in lists and one by one, confidential ones included; the
expected sets are written out by hand from the rules (ARCHITECTURE: policy module)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.documents.office import PEOPLE, Office, office_app


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine, confidential_documents="true") as app:
        yield app


def _ok(r: object) -> int:
    assert r.status_code in (200, 201), r.text  # type: ignore[attr-defined]
    return int(r.json()["id"])  # type: ignore[attr-defined]


def test_each_person_sees_exactly_their_documents(office: Office) -> None:
    ids = office.ids
    docs: dict[int, int] = {}
    docs[1] = _ok(office.receive(register_now=True, abstract="Văn bản giao KT"))
    office.step("p.clerk", docs[1], "present", leader_id=ids["p.leader"])
    r = office.step(
        "p.leader",
        docs[1],
        "direct",
        direction="KT chủ trì",
        lead={"user_id": ids["p.spec"]},
        co=[{"unit_id": office.units["VP"].id}],
    )
    assert r.status_code == 200, r.text
    docs[2] = _ok(office.receive(abstract="Văn bản chưa giao"))
    docs[3] = _ok(office.draft(None, abstract="Dự thảo của KT"))
    docs[4] = _ok(
        office.draft(
            None, who="p.spec2", abstract="Dự thảo của VP", drafting_unit_id=office.units["VP"].id
        )
    )
    docs[5] = _ok(
        office.receive(
            abstract="Văn bản mật đến", confidentiality="confidential", access=[ids["p.leader"]]
        )
    )
    docs[6] = _ok(
        office.draft(None, abstract="Dự thảo mật", confidentiality="secret", access=[ids["p.head"]])
    )
    docs[7] = _ok(office.receive(who="d.clerk", agency="d", abstract="Văn bản của Sở"))
    expected = {
        "p.clerk": {1, 2, 3, 4, 5},
        "p.leader": {1, 2, 3, 4, 5},
        "p.head": {1, 2, 3, 4, 6},
        "p.spec": {1, 3, 6},
        "p.spec2": {1, 4},
        "p.admin": set(),
        "d.clerk": {7},
        "d.leader": {7},
        "d.spec": set(),
    }
    assert set(expected) == set(PEOPLE)
    by_id = {v: k for k, v in docs.items()}
    for who, keys in expected.items():
        page = office.get(who, "/api/v1/documents?limit=200").json()
        assert {by_id[d["id"]] for d in page["items"]} == keys, who
        assert page["total"] == len(keys), who
        for key, doc_id in docs.items():
            status = office.detail(who, doc_id).status_code
            assert status == (200 if key in keys else 404), (who, key, status)
        # Filters never widen what one sees.
        urgent = office.get(who, "/api/v1/documents?limit=200&flow=outgoing").json()
        assert {by_id[d["id"]] for d in urgent["items"]} == keys & {3, 4, 6}, who


def test_confidential_documents_follow_the_setting(
    tmp_path: Path, database_url: str, engine: Engine
) -> None:
    with office_app(tmp_path, database_url, engine) as office:
        r = office.receive(confidentiality="confidential")
        assert r.status_code == 422 and r.json()["code"] == "document.confidential_off"
        r = office.receive(access=[office.ids["p.leader"]])
        assert r.status_code == 422 and r.json()["code"] == "document.access_not_confidential"
        assert office.get("p.clerk", "/api/v1/documents").json()["total"] == 0


def test_access_list_holds_only_people_of_the_agency(office: Office) -> None:
    r = office.receive(confidentiality="top_secret", access=[office.ids["d.leader"]])
    assert r.status_code == 422 and r.json()["code"] == "document.access_outsider"
    assert office.get("p.clerk", "/api/v1/documents").json()["total"] == 0
