"""The work queue (GET /api/v1/work-queue) along both flows: at each step the document
waits for exactly the people whose step comes next, and leaves their queue once they
take it; a confidential document waits only for people on its access list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from documents.models import Document, DocumentAccess
from ecabinet.core.db import session_scope
from tests.documents.office import PEOPLE, Office, office_app


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine, confidential_documents="true") as app:
        yield app


def queue(office: Office, who: str) -> dict[str, Any]:
    r = office.get(who, "/api/v1/work-queue")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert body["total"] == sum(k["count"] for k in body["kinds"])
    return {k["kind"]: k for k in body["kinds"]}


def waiting(office: Office) -> dict[str, dict[str, list[int]]]:
    """Per person, the document ids of every non-empty kind."""
    found = {}
    for who in PEOPLE:
        kinds = queue(office, who)
        found[who] = {
            kind: [i["id"] for i in k["items"]] for kind, k in kinds.items() if k["count"]
        }
        for k in kinds.values():
            assert k["count"] == len(k["items"])
    return found


def test_outgoing_draft_waits_for_each_step_in_turn(office: Office) -> None:
    doc_id = office.draft(None, electronic=False).json()["id"]
    assert waiting(office) == {who: {} for who in PEOPLE}
    expected = [
        ("p.spec", "submit", {}, {"p.head": {"review": [doc_id]}}),
        (
            "p.head",
            "review",
            {"leader_id": office.ids["p.leader"]},
            {"p.leader": {"approval": [doc_id]}},
        ),
        ("p.leader", "approve", {}, {"p.leader": {"signature": [doc_id]}}),
        ("p.leader", "signed-on-paper", {}, {"p.clerk": {"issue": [doc_id]}}),
        ("p.clerk", "issue", {}, {"p.clerk": {"dispatch": [doc_id]}}),
    ]
    for who, step, body, now in expected:
        r = office.step(who, doc_id, step, **body)
        assert r.status_code == 200, (step, r.text)
        assert waiting(office) == {p: now.get(p, {}) for p in PEOPLE}, step
    item = queue(office, "p.clerk")["dispatch"]["items"][0]
    assert item["target"] == "document" and item["title"].startswith("Quyết định")
    assert item["number_symbol"].endswith("/QĐ-UBND")


def test_incoming_document_waits_for_clerk_leader_and_handlers(office: Office) -> None:
    doc_id = office.receive(deadline="2099-12-31").json()["id"]
    assert waiting(office)["p.clerk"] == {"registration": [doc_id]}
    office.step("p.clerk", doc_id, "register")
    assert waiting(office)["p.clerk"] == {"registration": [doc_id]}  # still to present
    office.step("p.clerk", doc_id, "present", leader_id=office.ids["p.head"])
    now = waiting(office)
    assert now["p.clerk"] == {} and now["p.head"] == {"direction": [doc_id]}
    assert now["p.leader"] == {}  # presented to another leader
    r = office.step(
        "p.head",
        doc_id,
        "direct",
        direction="Phòng KT chủ trì, VP phối hợp",
        lead={"user_id": office.ids["p.spec"]},
        co=[{"unit_id": office.units["VP"].id}],
        deadline="2099-12-01",
    )
    assert r.status_code == 200, r.text
    now = waiting(office)
    assert now["p.head"] == {}
    assert now["p.spec"] == {"handling": [doc_id]}
    assert now["p.spec2"] == {"handling": [doc_id]}  # the co-handling unit VP
    assert now["p.clerk"] == {"handling": [doc_id]}  # the clerk is in VP too
    assert queue(office, "p.spec")["handling"]["items"][0]["lead"] is True
    assert queue(office, "p.spec2")["handling"]["items"][0]["lead"] is False
    assert office.step("p.spec", doc_id, "complete", note="Xong").status_code == 200
    assert waiting(office) == {who: {} for who in PEOPLE}


def _confidential_awaiting(engine: Engine, office: Office, access: tuple[str, ...]) -> int:
    now = datetime.now(UTC)
    with session_scope(engine) as s:
        d = Document(
            agency_id=office.agencies["p"].id or 0,
            flow="outgoing",
            state="awaiting_approval",
            type_id=office.types["QD"],
            abstract="Quyết định mật về nhân sự",
            confidentiality="confidential",
            leader_id=office.ids["p.leader"],
            created_at=now,
            updated_at=now,
        )
        s.add(d)
        s.flush()
        for who in access:
            s.add(DocumentAccess(document_id=d.id or 0, user_id=office.ids[who]))
        return d.id or 0


def test_confidential_document_waits_only_for_its_access_list(
    office: Office, engine: Engine
) -> None:
    hidden = _confidential_awaiting(engine, office, ("p.clerk",))
    listed = _confidential_awaiting(engine, office, ("p.leader",))
    approval = queue(office, "p.leader")["approval"]
    assert approval["count"] == 1
    assert [i["id"] for i in approval["items"]] == [listed]
    every = [i for kinds in waiting(office).values() for ids in kinds.values() for i in ids]
    assert hidden not in every and listed in every


def test_work_queue_needs_a_login(office: Office) -> None:
    r = office.client.get("/api/v1/work-queue")
    assert r.status_code == 401
