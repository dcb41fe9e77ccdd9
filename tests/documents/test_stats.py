"""Statistics and deadline lists over hand-built documents whose figures are worked out
by hand, and which the caller's visibility must shape (confidential ones included)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from documents.models import Assignment, Document, DocumentAccess
from documents.notifications import vn_today
from ecabinet.core.db import session_scope
from tests.documents.office import Office, office_app

D = date(2020, 3, 10)  # the deadline of the completed documents


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine, confidential_documents="true") as app:
        yield app


def add(
    engine: Engine,
    office: Office,
    *,
    agency: str = "p",
    flow: str = "incoming",
    state: str = "completed",
    deadline: date | None = D,
    completed_at: datetime | None = None,
    arrival: date | None = date(2020, 3, 1),
    issued_on: date | None = None,
    electronic: bool = False,
    lead_user: str | None = None,
    lead_unit: str | None = None,
    drafting_unit: str | None = None,
    access: tuple[str, ...] = (),
    urgency_rank: int = 0,
) -> int:
    now = datetime.now(UTC)
    with session_scope(engine) as s:
        d = Document(
            agency_id=office.agencies[agency].id or 0,
            flow=flow,
            state=state,
            type_id=office.types["CV"],
            abstract=f"Văn bản thử {flow} {state}",
            deadline=deadline,
            completed_at=completed_at,
            arrival_date=arrival if flow == "incoming" else None,
            issued_on=issued_on,
            electronic=electronic,
            drafting_unit_id=office.units[drafting_unit].id if drafting_unit else None,
            confidentiality="confidential" if access else "none",
            urgency_rank=urgency_rank,
            created_at=now,
            updated_at=now,
        )
        s.add(d)
        s.flush()
        assert d.id is not None
        if lead_user or lead_unit:
            s.add(
                Assignment(
                    document_id=d.id,
                    user_id=office.ids[lead_user] if lead_user else None,
                    unit_id=office.units[lead_unit].id if lead_unit else None,
                    lead=True,
                    assigned_at=now,
                )
            )
        for who in access:
            s.add(DocumentAccess(document_id=d.id, user_id=office.ids[who]))
        return d.id


def build(engine: Engine, office: Office) -> None:
    # 3 early (lead: p.spec of KT). 09/03 10:00 UTC is 17:00 in Vietnam, the day before.
    for electronic in (True, False, False):
        add(engine, office, completed_at=utc("2020-03-09T10:00"), electronic=electronic,
            lead_user="p.spec")  # fmt: skip
    # 2 on time (lead unit VP): 09/03 18:00 UTC is already 10/03 01:00 in Vietnam; and one
    # completed with no deadline at all.
    add(engine, office, completed_at=utc("2020-03-09T18:00"), electronic=True, lead_unit="VP")
    add(engine, office, completed_at=utc("2020-05-20T03:00"), deadline=None, lead_unit="VP")
    # 1 late: 10/03 17:30 UTC is 11/03 00:30 in Vietnam.
    add(engine, office, completed_at=utc("2020-03-10T17:30"))
    # 2 open: one overdue, one with its deadline far away.
    add(engine, office, state="in_progress", deadline=date(2020, 4, 1))
    add(engine, office, state="presented", deadline=date(2099, 1, 1))
    # 2 issued by the KT unit, one electronically; one of 2019 does not count.
    add(engine, office, flow="outgoing", state="issued", issued_on=date(2020, 5, 1),
        electronic=True, drafting_unit="KT", deadline=None)  # fmt: skip
    add(engine, office, flow="outgoing", state="dispatched", issued_on=date(2020, 6, 1),
        drafting_unit="KT", deadline=None)  # fmt: skip
    add(engine, office, flow="outgoing", state="issued", issued_on=date(2019, 12, 31),
        drafting_unit="KT", deadline=None)  # fmt: skip
    # Outside the period, unregistered, or another agency's.
    add(engine, office, completed_at=utc("2019-03-09T10:00"), arrival=date(2019, 12, 31))
    add(engine, office, state="received", arrival=None)
    add(engine, office, agency="d", completed_at=utc("2020-03-09T10:00"))
    # Confidential, late, seen only by the clerk of the access list.
    add(engine, office, completed_at=utc("2020-03-20T03:00"), access=("p.clerk",))


def stats(office: Office, who: str, **query: str) -> dict[str, Any]:
    params = {"from": "2020-01-01", "to": "2020-12-31"} | query
    r = office.get(who, "/api/v1/documents/stats", params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


FIGURES = ("received", "issued", "early", "on_time", "late", "open", "open_overdue")


def figures(row: dict[str, Any]) -> tuple[int, ...]:
    return tuple(row[k] for k in FIGURES)


def test_figures_worked_out_by_hand(office: Office, engine: Engine) -> None:
    build(engine, office)
    body = stats(office, "p.leader")
    # The province's leader follows the province and the department below it, the
    # confidential document (late, no lead) counted though he is not on its list.
    totals = body["totals"]
    assert figures(totals) == (10, 2, 4, 2, 2, 2, 1)
    assert totals["electronic"] == 3 and totals["electronic_share"] == pytest.approx(0.25)
    assert [(a["agency_name"], a["depth"], figures(a)) for a in body["agencies"]] == [
        ("Ủy ban nhân dân tỉnh Thử Nghiệm", 0, (9, 2, 3, 2, 2, 2, 1)),
        ("Sở Khoa học và Công nghệ", 1, (1, 0, 1, 0, 0, 0, 0)),
    ]
    province = office.agencies["p"].id
    units = {u["unit_name"]: figures(u) for u in body["units"] if u["agency_id"] == province}
    assert units == {
        "Phòng Kinh tế": (3, 2, 3, 0, 0, 0, 0),
        "Văn phòng": (2, 0, 0, 2, 0, 0, 0),
        "": (4, 0, 0, 0, 2, 2, 1),
    }
    assert (body["date_from"], body["date_to"]) == ("2020-01-01", "2020-12-31")


def test_only_what_the_caller_sees_counts(office: Office, engine: Engine) -> None:
    build(engine, office)
    # The clerk is on the confidential document's access list: one more late.
    assert figures(stats(office, "p.clerk")["totals"]) == (9, 2, 3, 2, 2, 2, 1)
    # The department's leader sees only the department's document.
    body = stats(office, "d.leader")
    assert figures(body["totals"]) == (1, 0, 1, 0, 0, 0, 0)
    assert [a["agency_name"] for a in body["agencies"]] == ["Sở Khoa học và Công nghệ"]
    # A specialist sees what was assigned to them and what their unit drafted.
    assert figures(stats(office, "p.spec")["totals"]) == (3, 2, 3, 0, 0, 0, 0)
    # Filtering by agency, and a period with nothing in it.
    province = str(office.agencies["p"].id)
    assert figures(stats(office, "p.clerk", agency_id=province)["totals"])[0] == 9
    empty = stats(office, "p.leader", **{"from": "2021-01-01", "to": "2021-12-31"})
    assert figures(empty["totals"]) == (0,) * 7 and empty["totals"]["electronic_share"] == 0
    # Every agency the leader follows keeps its row, with zeros.
    assert [figures(a) for a in empty["agencies"]] == [(0,) * 7, (0,) * 7]
    assert empty["units"] == []


def test_bad_period_is_refused(office: Office) -> None:
    r = office.get("p.leader", "/api/v1/documents/stats", params={"from": "2020-12-31",
                                                                   "to": "2020-01-01"})  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "stats.bad_period"
    r = office.get("p.leader", "/api/v1/documents/stats", params={"from": "hôm qua"})
    assert r.status_code == 422 and r.json()["code"] == "request.bad_query"


def test_deadline_lists(office: Office, engine: Engine) -> None:
    today = vn_today()
    late_normal = add(engine, office, state="assigned", deadline=today - timedelta(days=3))
    late_urgent = add(
        engine, office, state="in_progress", deadline=today - timedelta(days=1), urgency_rank=2
    )
    soon = add(engine, office, state="presented", deadline=today + timedelta(days=1))
    today_due = add(engine, office, state="registered", deadline=today)
    add(engine, office, state="assigned", deadline=today + timedelta(days=30))
    add(engine, office, state="completed", deadline=today - timedelta(days=3))
    add(engine, office, state="assigned", deadline=today - timedelta(days=3), access=("p.clerk",))
    r = office.get("p.leader", "/api/v1/documents/deadlines")
    assert r.status_code == 200, r.text
    body = r.json()
    assert [d["id"] for d in body["overdue"]] == [late_urgent, late_normal]
    assert [d["id"] for d in body["due_soon"]] == [today_due, soon]
    # The clerk also sees the confidential one; a specialist with nothing assigned, nothing.
    assert len(office.get("p.clerk", "/api/v1/documents/deadlines").json()["overdue"]) == 3
    assert office.get("p.spec2", "/api/v1/documents/deadlines").json() == {
        "overdue": [],
        "due_soon": [],
    }
