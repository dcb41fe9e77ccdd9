"""The share of documents exchanged electronically, counted from deliveries: per agency,
per level and for the province, within the oversight and confidentiality rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from documents.models import Recipient
from ecabinet.core import agencies
from ecabinet.core.agencies import AgencyLevel
from ecabinet.core.db import session_scope
from tests.documents.office import Office, office_app
from tests.documents.test_stats import add
from tests.factories import ACTOR


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine, confidential_documents="true") as app:
        yield app


def sent(engine: Engine, document_id: int, *recipients: tuple[str, ...]) -> None:
    """Recipient rows (method, status[, delivery]) as dispatch and the exchange leave them."""
    now = datetime.now(UTC)
    with session_scope(engine) as s:
        for n, (method, status, *delivery) in enumerate(recipients):
            s.add(
                Recipient(
                    document_id=document_id,
                    name=f"Nơi nhận {n}",
                    organ_id="000.00.00.G09" if method == "edxml" else "",
                    method=method,
                    status=status,
                    sent_at=now,
                    delivery=delivery[0] if delivery else "",
                )
            )


def figures(body: dict[str, Any]) -> tuple[int, int, float]:
    return body["recipients"], body["delivered_electronically"], body["exchange_share"]


def stats(office: Office, who: str, **query: str) -> dict[str, Any]:
    r = office.get(who, "/api/v1/documents/stats", params=query)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_share_counted_from_deliveries(office: Office, engine: Engine) -> None:
    with session_scope(engine) as s:
        agencies.create_agency(
            s,
            ACTOR,
            code="000.00.30.H99",
            name="Ủy ban nhân dân huyện Thử",
            abbreviation="UBND",
            level=AgencyLevel.district,
            parent_id=office.agencies["p"].id,
        )
    issued = {"flow": "outgoing", "state": "dispatched", "deadline": None}
    a = add(engine, office, issued_on=date(2020, 5, 1), **issued)  # type: ignore[arg-type]
    # Inside: arrived, completed; outside: still waiting for its acknowledgement, then one
    # acknowledged; one on paper. 3 of 5 delivered electronically.
    sent(engine, a, ("internal", "01"), ("internal", "06"), ("edxml", ""), ("edxml", "01"))
    sent(engine, a, ("paper", ""))
    # A confidential document goes on paper only: 2 deliveries, none electronic.
    b = add(engine, office, issued_on=date(2020, 6, 1), access=("p.clerk",), **issued)  # type: ignore[arg-type]
    sent(engine, b, ("paper", ""), ("paper", ""))
    # The department's document, acknowledged: 1 of 1.
    c = add(engine, office, agency="d", issued_on=date(2020, 7, 1), **issued)  # type: ignore[arg-type]
    sent(engine, c, ("edxml", "03"))
    # Not counted: issued in 2019; an incoming document's rows.
    old = add(engine, office, issued_on=date(2019, 12, 31), **issued)  # type: ignore[arg-type]
    sent(engine, old, ("internal", "01"))

    year = {"from": "2020-01-01", "to": "2020-12-31"}
    province = stats(office, "p.leader", **year)
    assert figures(province["totals"]) == (8, 4, 0.5)
    rows = {r["agency_name"]: figures(r) for r in province["agencies"]}
    assert rows == {
        "Ủy ban nhân dân tỉnh Thử Nghiệm": (7, 3, round(3 / 7, 4)),
        "Sở Khoa học và Công nghệ": (1, 1, 1.0),
        "Ủy ban nhân dân huyện Thử": (0, 0, 0.0),
    }
    levels = [(r["level"], r["level_label"], *figures(r)) for r in province["levels"]]
    assert levels == [
        ("province", "Cấp tỉnh", 8, 4, 0.5),
        ("district", "Cấp huyện", 0, 0, 0.0),
    ]
    units = province["units"]
    assert sum(u["recipients"] for u in units) == 8
    # The department's leader oversees the department only.
    department = stats(office, "d.leader", **year)
    assert figures(department["totals"]) == (1, 1, 1.0)
    assert [r["level"] for r in department["levels"]] == ["province"]
    # A specialist who oversees nothing and sees none of these documents counts nothing.
    assert figures(stats(office, "d.spec", **year)["totals"]) == (0, 0, 0.0)
    # One agency's subtree.
    only = stats(office, "p.leader", agency_id=str(office.agencies["d"].id), **year)
    assert figures(only["totals"]) == (1, 1, 1.0)


def test_a_package_the_receiver_refused_is_not_delivered(office: Office, engine: Engine) -> None:
    """The peer refused the package (a bad signature, a wrong address): its recipient
    carries status 02 and the reason, but nothing was exchanged."""
    issued = {"flow": "outgoing", "state": "dispatched", "deadline": None}
    a = add(engine, office, issued_on=date(2021, 3, 1), **issued)  # type: ignore[arg-type]
    sent(engine, a, ("edxml", "01", "delivered"), ("edxml", "02", "refused"))
    sent(engine, a, ("edxml", "", "failed"), ("edxml", "", "pending"))
    year = {"from": "2021-01-01", "to": "2021-12-31"}
    assert figures(stats(office, "p.leader", **year)["totals"]) == (4, 1, 0.25)


def test_real_dispatch_counts(office: Office, pdf: bytes) -> None:
    doc_id = office.issue_on_paper(pdf).json()["id"]
    r = office.post(
        "p.clerk",
        f"/api/v1/documents/{doc_id}/dispatch",
        json={
            "recipients": [
                {"method": "internal", "agency_id": office.agencies["d"].id},
                {"method": "paper", "name": "Lưu VT"},
                {"method": "edxml", "organ_id": "000.00.00.G17"},
            ]
        },
    )
    assert r.status_code == 200, r.text
    # The edXML recipient has no acknowledgement yet: 1 of 3.
    assert figures(stats(office, "p.leader")["totals"]) == (3, 1, 0.3333)
