"""Removing someone from a meeting: who may, when, what is kept (the audit entry), what
the room is told (a numbered event with the quorum), and whose live connections leave
the room (the removed person and the deputy they had sent, not those who still see it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from ecabinet.core import outbox
from ecabinet.core.audit import Actor
from ecabinet.core.db import session_scope
from ecabinet.core.policy import subject_for
from ecabinet.core.users import User
from ecabinet.meetings import access, participants
from tests.documents.office import Office, office_app
from tests.meetings.test_meetings import _prepared
from tests.support.cuts import record_cuts


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


def _delete(office: Office, who: str, url: str) -> Any:
    office.as_(who)
    return office.client.delete(url, headers={"X-CSRF-Token": office._csrf})


def test_an_organiser_removes_a_member_and_its_deputy_leaves_too(
    office: Office, pdf: bytes, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting_id, _items = _prepared(office, pdf)
    url = f"/api/v1/meetings/{meeting_id}"
    ids = office.ids
    # p.spec2 sends a deputy of the agency in their place
    answer = {"answer": "deputy", "deputy_id": ids["p.admin"], "reason": "Đi công tác"}
    r = office.post("p.spec2", url + "/answer", json=answer)
    assert r.status_code == 200, r.text
    cuts = record_cuts(monkeypatch)
    r = _delete(office, "p.spec", f"{url}/participants/{ids['p.spec2']}")
    assert r.status_code == 403
    r = _delete(office, "d.spec", f"{url}/participants/{ids['p.spec2']}")
    assert r.status_code == 404
    r = _delete(office, "p.clerk", f"{url}/participants/{ids['p.leader']}")
    assert r.status_code == 409
    assert r.json()["code"] == "meeting.runs_the_meeting"
    assert cuts == []
    r = _delete(office, "p.clerk", f"{url}/participants/{ids['p.spec2']}")
    assert r.status_code == 200, r.text
    seated = [p["user_id"] for p in r.json()["participants"]]
    assert ids["p.spec2"] not in seated
    assert cuts == [
        outbox.Cut("seat", str(ids["p.spec2"]), meeting_id),
        outbox.Cut("seat", str(ids["p.admin"]), meeting_id),
    ]
    again = _delete(office, "p.clerk", f"{url}/participants/{ids['p.spec2']}")
    assert again.status_code == 404
    assert office.get("p.spec2", url).status_code == 404
    assert office.get("p.admin", url).status_code == 404
    events = office.get("p.leader", url + "/events").json()["events"]
    assert events[-1]["kind"] == "participant_removed"
    assert events[-1]["data"]["user_id"] == ids["p.spec2"]
    with session_scope(engine, write=False) as s:
        (summary,) = s.execute(
            text("SELECT summary FROM audit_entry WHERE action = 'meeting.participant_remove'")
        ).scalars()
    assert f"member user {ids['p.spec2']}" in summary and "answer deputy" in summary


def test_a_removed_organiser_who_created_the_meeting_still_sees_it(
    office: Office, pdf: bytes, engine: Engine
) -> None:
    """Whoever still sees the meeting (its creator, here also invited) keeps the room."""
    meeting_id, _items = _prepared(office, pdf)
    with session_scope(engine) as s:
        s.execute(
            text("UPDATE meeting SET created_by = :u WHERE id = :m"),
            {"u": office.ids["p.head"], "m": meeting_id},
        )
        view = access.load(s, meeting_id)
        clerk = s.get(User, office.ids["p.clerk"])
        assert clerk is not None
        actor = Actor(clerk.id, clerk.username)
        participants.remove(s, actor, subject_for(s, clerk), view, office.ids["p.head"])
        assert [c for c in outbox.take(s) if isinstance(c, outbox.Cut)] == []
    assert office.get("p.head", f"/api/v1/meetings/{meeting_id}").status_code == 200


def test_no_removal_once_the_meeting_is_over(office: Office, pdf: bytes) -> None:
    meeting_id, _items = _prepared(office, pdf)
    url = f"/api/v1/meetings/{meeting_id}"
    assert office.post("p.leader", url + "/start").status_code == 200
    assert office.post("p.leader", url + "/end", json={}).status_code == 200
    r = _delete(office, "p.clerk", f"{url}/participants/{office.ids['p.spec']}")
    assert r.status_code == 409
    assert r.json()["message"]["vi"] and r.json()["message"]["en"]


def test_a_deputy_no_longer_sent_leaves_the_room(
    office: Office, pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting_id, _items = _prepared(office, pdf)
    url = f"/api/v1/meetings/{meeting_id}"
    deputy = office.ids["p.admin"]
    answer = {"answer": "deputy", "deputy_id": deputy, "reason": "Đi công tác"}
    assert office.post("p.spec2", url + "/answer", json=answer).status_code == 200
    assert office.get("p.admin", url).status_code == 200
    cuts = record_cuts(monkeypatch)
    assert office.post("p.spec2", url + "/answer", json={"answer": "accepted"}).status_code == 200
    assert cuts == [outbox.Cut("seat", str(deputy), meeting_id)]
    assert office.get("p.admin", url).status_code == 404


def test_still_seated_answers_for_each_person(office: Office, pdf: bytes, engine: Engine) -> None:
    """The periodic re-check of seats: the chair, a member, a deputy sent, not a stranger
    nor someone removed."""
    meeting_id, _items = _prepared(office, pdf)
    url = f"/api/v1/meetings/{meeting_id}"
    ids = office.ids
    answer = {"answer": "deputy", "deputy_id": ids["p.admin"], "reason": "Đi công tác"}
    assert office.post("p.spec2", url + "/answer", json=answer).status_code == 200
    assert _delete(office, "p.clerk", f"{url}/participants/{ids['p.head']}").status_code == 200
    people = {ids[w] for w in ("p.leader", "p.spec", "p.spec2", "p.admin", "p.head", "d.spec")}
    with session_scope(engine, write=False) as s:
        seated = participants.still_seated(s, meeting_id, people)
        assert participants.still_seated(s, meeting_id + 99, people) == set()
    assert seated == {ids[w] for w in ("p.leader", "p.spec", "p.spec2", "p.admin")}


def test_participants_are_listed_with_full_name_and_title(
    office: Office, pdf: bytes, engine: Engine
) -> None:
    """A guest of another agency is not in the meeting agency's directory: the meeting
    names them itself, so no screen shows a login or an id."""
    meeting_id, _items = _prepared(office, pdf)
    url = f"/api/v1/meetings/{meeting_id}"
    guest = {"user_id": office.ids["d.leader"], "role": "guest"}
    assert office.post("p.clerk", url + "/participants", json=guest).status_code in (200, 201)
    seated = {p["user_id"]: p for p in office.get("p.clerk", url).json()["participants"]}
    with session_scope(engine, write=False) as s:
        for user_id, p in seated.items():
            user = s.get(User, user_id)
            assert user is not None
            assert (p["full_name"], p["title"]) == (user.full_name, user.title)
    assert seated[office.ids["d.leader"]]["title"] == "Chức vụ d.leader"
