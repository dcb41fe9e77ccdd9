"""Votes: who may vote, one ballot each, the rules, quorum, and a secret vote that no
table, audit entry or event links to its voters."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from ecabinet.core.db import session_scope
from tests.documents.office import Office, office_app
from tests.meetings import tablets


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


def _running(office: Office, present: tuple[str, ...]) -> tuple[str, int]:
    r = office.post(
        "p.clerk",
        "/api/v1/meetings",
        json={
            "agency_id": office.agencies["p"].id,
            "title": "Phiên họp biểu quyết",
            "starts_at": "2026-11-30T08:00:00+07:00",
            "chair_id": office.ids["p.leader"],
            "secretary_id": office.ids["p.clerk"],
        },
    )
    url = f"/api/v1/meetings/{r.json()['id']}"
    for who in ("p.spec", "p.spec2", "p.head"):
        office.post("p.clerk", url + "/participants", json={"user_id": office.ids[who]})
    office.post(
        "p.clerk", url + "/participants", json={"user_id": office.ids["d.leader"], "role": "guest"}
    )
    item = office.post("p.clerk", url + "/items", json={"title": "Tờ trình dự án"}).json()
    office.post("p.clerk", url + "/schedule")
    for who in present:
        r = office.post(
            "p.clerk", url + "/check-in", json={"user_id": office.ids[who], "status": "present"}
        )
        assert r.status_code == 200, r.text
    assert office.post("p.leader", url + "/start").status_code == 200
    return url, int(item["agenda"][0]["id"])


def _open(office: Office, url: str, item_id: int, **extra: Any) -> Any:
    body = {"item_id": item_id, "question": "Thông qua Tờ trình số 45/TTr-SKHCN?"} | extra
    return office.post("p.leader", url + "/votes", json=body)


def test_rules_ballots_and_the_secret(office: Office, engine: Engine) -> None:
    url, item_id = _running(office, ("p.leader", "p.spec", "p.spec2", "p.head", "d.leader"))
    r = _open(office, url, item_id)  # a named vote first, of the members present
    assert r.status_code == 201, r.text
    named = r.json()
    r = _open(office, url, item_id)
    assert r.status_code == 409 and r.json()["code"] == "vote.already_open"
    for who in ("p.spec", "p.spec2", "p.head"):
        r = office.post(who, f"{url}/votes/{named['id']}/ballot", json={"option": 0})
        assert r.status_code == 200 and r.json()["receipt"] is None
    r = office.post("p.leader", f"{url}/votes/{named['id']}/close")
    assert (r.json()["counts"], r.json()["passed"]) == ([3, 0, 0], True)  # 3 of 4 present

    assert (
        office.post(
            "p.spec", url + "/votes", json={"item_id": item_id, "question": "?"}
        ).status_code
        == 403
    )
    keys = tablets.ceremony(office, url)  # the guardians' key, before any secret vote
    r = _open(
        office,
        url,
        item_id,
        secret=True,
        rule="members",
        options=["Phương án A", "Phương án B", "Không biểu quyết"],
    )
    assert r.status_code == 201, r.text
    vote = r.json()
    ballot = f"{url}/votes/{vote['id']}/ballot"
    receipts = {}
    for who, option in (("p.spec", 0), ("p.spec2", 0), ("p.head", 1), ("p.leader", 2)):
        r = tablets.cast(office, url, vote["id"], who, option)
        assert r.status_code == 200, r.text
        receipts[who] = r.json()["receipt"]
    again = tablets.cast(office, url, vote["id"], "p.spec", 1)
    assert again.status_code == 409 and again.json()["code"] == "vote.already_cast"
    guest = tablets.cast(office, url, vote["id"], "d.leader", 0)
    assert guest.status_code == 403 and guest.json()["code"] == "vote.not_eligible"
    assert tablets.cast(office, url, vote["id"], "p.clerk", 0).status_code == 403  # secretary
    assert office.post("p.spec", ballot, json={"option": 7}).status_code == 422
    live = office.get("p.spec", url + "/votes").json()["items"][1]
    assert (live["cast"], live["counts"]) == (4, None)  # a count while open, no tally
    r = office.post("p.leader", f"{url}/votes/{vote['id']}/close")
    assert r.json()["state"] == "tallying"  # until two guardians decrypt the total
    for who in ("p.leader", "p.clerk"):
        r = tablets.decrypt(office, url, vote["id"], who, keys[who])
    result = r.json()
    assert (result["counts"], result["cast"], result["passed"]) == ([2, 1, 1], 4, False)
    late = office.post("p.spec", ballot, json={"option": 0})
    assert late.status_code == 409 and late.json()["code"] == "vote.closed"
    # Each voter can check their ballot was counted; a made-up code was not.
    for code in receipts.values():
        r = office.post("p.spec", f"{url}/votes/{vote['id']}/receipt", json={"receipt": code})
        assert r.json() == {"counted": True}
    r = office.post("p.spec", f"{url}/votes/{vote['id']}/receipt", json={"receipt": "khong-co"})
    assert r.json() == {"counted": False}

    # Unlinkable: no row anywhere holds both a voter of the secret vote and a choice.
    voters = {office.ids[w] for w in receipts}
    with session_scope(engine, write=False) as s:
        for table in SQLModel.metadata.sorted_tables:
            columns = {c.name for c in table.columns}
            if "vote_id" not in columns:
                continue
            rows = (
                s.execute(
                    text(f'SELECT * FROM "{table.name}" WHERE vote_id = :v'),  # noqa: S608
                    {"v": vote["id"]},
                )
                .mappings()
                .all()
            )
            for row in rows:
                people = {v for k, v in row.items() if k.endswith("user_id")} & voters
                assert not (people and ({"option", "choice"} & columns)), (table.name, row)
            if table.name == "vote_turnout":
                assert columns == {"key", "vote_id", "user_id"} and len(rows) == 4
            if table.name == "vote_named_ballot":
                assert rows == []
        audit = s.execute(
            text(
                "SELECT actor_id, summary FROM audit_entry WHERE action = 'vote.ballot' "
                "AND object_id = :v"
            ),
            {"v": str(vote["id"])},
        ).all()
        assert {a for a, _ in audit} == voters
        assert all("secret" in summary and "option" not in summary for _, summary in audit)
        payloads = s.execute(text("SELECT payload FROM meeting_event WHERE kind = 'vote_count'"))
        for (payload,) in payloads:
            assert set(json.loads(payload)) == {"vote_id", "cast"}


def test_quorum_is_needed_to_open(office: Office) -> None:
    url, item_id = _running(office, ("p.leader", "p.spec"))  # 2 of 4 seats: no quorum
    r = _open(office, url, item_id)
    assert r.status_code == 409 and r.json()["code"] == "vote.no_quorum"
    assert r.json()["message"]["vi"] and r.json()["message"]["en"]


def test_ballots_counted_reach_the_metrics(office: Office) -> None:
    from ecabinet.core import metrics

    url, item_id = _running(office, ("p.leader", "p.spec", "p.spec2", "p.head"))
    vote = _open(office, url, item_id).json()
    ballot = f"{url}/votes/{vote['id']}/ballot"
    before = metrics.BALLOTS._value.get()
    for who in ("p.spec", "p.head"):
        assert office.post(who, ballot, json={"option": 0}).status_code == 200
    assert office.post("p.spec", ballot, json={"option": 1}).status_code == 409  # not counted
    assert metrics.BALLOTS._value.get() == before + 2
