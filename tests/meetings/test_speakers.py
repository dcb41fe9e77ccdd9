"""The speakers' queue: ask, withdraw, the floor given and ended by the chair or the
secretary only, times kept, each change a numbered event."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.documents.office import Office, office_app
from tests.meetings.test_votes import _running


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


def test_the_floor(office: Office) -> None:
    url, item_id = _running(office, ("p.leader", "p.spec", "p.spec2"))
    speakers = url + "/speakers"
    first = office.post("p.spec", speakers).json()["items"][-1]
    assert (first["state"], first["item_id"]) == ("waiting", item_id)
    r = office.post("p.spec", speakers)
    assert r.status_code == 409 and r.json()["code"] == "speaker.already_waiting"
    second = office.post("p.spec2", speakers).json()["items"][-1]
    assert office.post("d.spec", speakers).status_code == 404  # not in the meeting
    assert office.post("p.spec2", f"{speakers}/{first['id']}/grant").status_code == 403
    r = office.post("p.leader", f"{speakers}/{first['id']}/grant")
    assert [s["state"] for s in r.json()["items"]] == ["speaking", "waiting"]
    # Giving the floor to the next one ends the first one's turn.
    r = office.post("p.clerk", f"{speakers}/{second['id']}/grant")
    rows = r.json()["items"]
    assert [s["state"] for s in rows] == ["done", "speaking"]
    assert rows[0]["started_at"] <= rows[0]["ended_at"]
    r = office.post("p.leader", f"{speakers}/{second['id']}/end")
    assert r.json()["items"][1]["state"] == "done"
    again = office.post("p.leader", f"{speakers}/{second['id']}/end")
    assert again.status_code == 409
    third = office.post("p.spec", speakers).json()["items"][-1]
    r = office.post("p.spec", speakers + "/withdraw")
    assert r.json()["items"][-1] == third | {
        "state": "withdrawn",
        "ended_at": r.json()["items"][-1]["ended_at"],
    }
    kinds = [e["kind"] for e in office.get("p.spec", url + "/events").json()["events"]]
    assert kinds.count("speaker") == 8
