"""Province-wide oversight: over a tree province → department, district → commune, the
province's leader and admin see every agency's figures (confidential documents counted,
never shown), the province's total is the sum of the rows, a district's report covers
its communes, and a department's leader still sees only the department."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from ecabinet.core import agencies
from ecabinet.core.agencies import AgencyLevel
from ecabinet.core.db import session_scope
from tests.documents.office import Office, office_app
from tests.documents.test_stats import FIGURES, add, figures, stats, utc
from tests.factories import ACTOR


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine, confidential_documents="true") as app:
        with session_scope(engine) as s:
            district = agencies.create_agency(
                s,
                ACTOR,
                code="000.00.30.H99",
                name="Ủy ban nhân dân huyện Thử",
                abbreviation="UBND",
                level=AgencyLevel.district,
                parent_id=app.agencies["p"].id,
            )
            commune = agencies.create_agency(
                s,
                ACTOR,
                code="000.01.30.H99",
                name="Ủy ban nhân dân xã Thử",
                abbreviation="UBND",
                level=AgencyLevel.commune,
                parent_id=district.id,
            )
            s.expunge_all()
        app.agencies |= {"h": district, "x": commune}
        yield app


# Per agency: (received, issued, early, on_time, late, open, open_overdue), electronic.
EXPECTED = {
    "p": ((1, 0, 0, 1, 0, 0, 0), 1),
    "d": ((2, 1, 2, 0, 0, 0, 0), 2),
    "h": ((1, 1, 0, 0, 0, 1, 1), 0),
    "x": ((2, 0, 0, 0, 1, 1, 0), 0),
}


def build(engine: Engine, office: Office) -> int:
    """The documents of :data:`EXPECTED`; the commune's confidential one's id."""
    add(engine, office, completed_at=utc("2020-03-09T18:00"), electronic=True)  # on time
    add(engine, office, agency="d", completed_at=utc("2020-03-01T03:00"), electronic=True)
    add(engine, office, agency="d", completed_at=utc("2020-03-02T03:00"))
    add(engine, office, agency="d", flow="outgoing", state="issued", issued_on=date(2020, 5, 1),
        electronic=True, deadline=None)  # fmt: skip
    add(engine, office, agency="h", state="in_progress", deadline=date(2020, 4, 1))
    add(engine, office, agency="h", flow="outgoing", state="dispatched",
        issued_on=date(2020, 6, 1), deadline=None)  # fmt: skip
    add(engine, office, agency="x", completed_at=utc("2020-03-10T17:30"))  # late
    return add(engine, office, agency="x", state="presented", deadline=date(2099, 1, 1),
               access=("p.clerk",))  # fmt: skip


def rows(body: dict[str, Any]) -> dict[int, tuple[tuple[int, ...], int]]:
    return {a["agency_id"]: (figures(a), a["electronic"]) for a in body["agencies"]}


def ids(office: Office, *keys: str) -> list[int]:
    return [office.agencies[k].id or 0 for k in keys]


@pytest.mark.parametrize("who", ["p.leader", "p.admin"])
def test_the_province_sees_every_agency_below_it(office: Office, engine: Engine, who: str) -> None:
    secret = build(engine, office)
    body = stats(office, who)
    assert [a["agency_id"] for a in body["agencies"]] == ids(office, "p", "d", "h", "x")
    assert [a["depth"] for a in body["agencies"]] == [0, 1, 1, 2]
    assert rows(body) == {office.agencies[k].id: v for k, v in EXPECTED.items()}
    # The total is the sum of the rows, figure by figure.
    for i, name in enumerate(FIGURES):
        assert body["totals"][name] == sum(f[i] for f, _ in EXPECTED.values()), name
    assert body["totals"]["electronic"] == 3
    assert body["totals"]["electronic_share"] == pytest.approx(3 / 8)
    # Counted, never shown: the confidential document stays out of his lists.
    assert office.detail(who, secret).status_code == 404
    listed = office.get(who, "/api/v1/documents", params={"limit": 200}).json()["items"]
    assert secret not in [d["id"] for d in listed]
    deadlines = office.get(who, "/api/v1/documents/deadlines").json()
    assert secret not in [d["id"] for d in deadlines["overdue"] + deadlines["due_soon"]]


def test_a_district_report_covers_its_communes(office: Office, engine: Engine) -> None:
    build(engine, office)
    body = stats(office, "p.leader", agency_id=str(office.agencies["h"].id))
    assert [a["agency_id"] for a in body["agencies"]] == ids(office, "h", "x")
    assert figures(body["totals"]) == (3, 1, 0, 0, 1, 2, 1)


def test_a_department_leader_sees_only_the_department(office: Office, engine: Engine) -> None:
    build(engine, office)
    body = stats(office, "d.leader")
    assert rows(body) == {office.agencies["d"].id: EXPECTED["d"]}
    # A specialist of the province follows no agency: their own documents only.
    assert figures(stats(office, "p.spec2")["totals"]) == (0,) * 7
