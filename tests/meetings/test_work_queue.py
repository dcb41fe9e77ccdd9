"""The meeting side of the work queue: an invitation waits until answered, a
consultation until answered (members only, once sent), minutes for the secretary's and
then the chair's signature."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.documents.office import Office, office_app
from tests.support.credentials import PIN, Issuer


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine, ca: Issuer) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine, (ca.ca.root,)) as app:
        yield app


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def mine(office: Office, who: str, kind: str) -> list[int]:
    body = _ok(office.get(who, "/api/v1/work-queue"))
    found = next(k for k in body["kinds"] if k["kind"] == kind)
    assert found["count"] == len(found["items"])
    return [i["id"] for i in found["items"]]


def test_invitation_waits_until_answered(office: Office) -> None:
    r = office.post(
        "p.clerk",
        "/api/v1/meetings",
        json={
            "agency_id": office.agencies["p"].id,
            "title": "Phiên họp UBND tỉnh",
            "starts_at": "2099-11-30T08:00:00+07:00",
            "chair_id": office.ids["p.leader"],
            "secretary_id": office.ids["p.clerk"],
        },
    )
    meeting_id = _ok(r, 201)["id"]
    url = f"/api/v1/meetings/{meeting_id}"
    for who in ("p.spec", "p.head"):
        _ok(office.post("p.clerk", url + "/participants", json={"user_id": office.ids[who]}))
    _ok(office.post("p.clerk", url + "/items", json={"title": "Tờ trình"}))
    assert mine(office, "p.spec", "rsvp") == []  # a draft meeting invites nobody yet
    _ok(office.post("p.clerk", url + "/schedule"))
    assert mine(office, "p.spec", "rsvp") == [meeting_id]
    assert mine(office, "p.head", "rsvp") == [meeting_id]
    assert mine(office, "p.leader", "rsvp") == []  # the chair has nothing to answer
    assert mine(office, "d.leader", "rsvp") == []
    _ok(office.post("p.spec", url + "/answer", json={"answer": "accepted"}))
    assert mine(office, "p.spec", "rsvp") == []
    assert mine(office, "p.head", "rsvp") == [meeting_id]


def test_consultation_waits_for_members_until_answered(office: Office, pdf: bytes) -> None:
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    body = {
        "agency_id": office.agencies["p"].id,
        "title": "Lấy ý kiến về dự thảo Quy chế",
        "question": "Đồng chí có đồng ý?",
        "deadline": deadline.isoformat(),
        "member_ids": [office.ids["p.leader"], office.ids["p.spec"]],
    }
    made = _ok(office.post("p.clerk", "/api/v1/consultations", json=body), 201)
    cid = made["consultation"]["id"]
    url = f"/api/v1/consultations/{cid}"
    attached = {"file_id": office.upload("p.clerk", pdf)}
    _ok(office.post("p.clerk", url + "/documents", json=attached), 201)
    assert mine(office, "p.spec", "consultation") == []  # not sent yet
    _ok(office.post("p.clerk", url + "/send"))
    assert mine(office, "p.spec", "consultation") == [cid]
    assert mine(office, "p.leader", "consultation") == [cid]
    assert mine(office, "p.clerk", "consultation") == []  # its creator is not asked
    _ok(office.post("p.spec", url + "/answer", json={"answer": "agree"}))
    assert mine(office, "p.spec", "consultation") == []
    assert mine(office, "p.leader", "consultation") == [cid]


def test_minutes_wait_for_the_secretary_then_the_chair(office: Office, ca: Issuer) -> None:
    secretary_key = office.credential(ca, "Lê Thị Văn Thư", user_id=office.ids["p.clerk"])
    chair_key = office.credential(ca, "Nguyễn Văn Chủ Tịch", user_id=office.ids["p.leader"])
    r = office.post(
        "p.clerk",
        "/api/v1/meetings",
        json={
            "agency_id": office.agencies["p"].id,
            "title": "Phiên họp UBND tỉnh",
            "starts_at": "2026-11-30T08:00:00+07:00",
            "place": "Phòng họp số 1",
            "chair_id": office.ids["p.leader"],
            "secretary_id": office.ids["p.clerk"],
        },
    )
    meeting_id = _ok(r, 201)["id"]
    url = f"/api/v1/meetings/{meeting_id}"
    _ok(office.post("p.clerk", url + "/items", json={"title": "Tờ trình"}))
    _ok(office.post("p.clerk", url + "/schedule"))
    _ok(office.post("p.leader", url + "/start"))
    _ok(office.post("p.leader", url + "/end"))
    assert mine(office, "p.clerk", "minutes") == []  # none generated yet
    _ok(office.post("p.clerk", url + "/minutes", json={"conclusions": "Thống nhất."}), 201)
    assert mine(office, "p.clerk", "minutes") == [meeting_id]
    assert mine(office, "p.leader", "minutes") == []  # the secretary signs first
    sign = {"credential_id": secretary_key, "pin": PIN}
    _ok(office.post("p.clerk", url + "/minutes/sign", json=sign))
    assert mine(office, "p.clerk", "minutes") == []
    assert mine(office, "p.leader", "minutes") == [meeting_id]
    _ok(office.post("p.leader", url + "/minutes/sign", json=sign | {"credential_id": chair_key}))
    assert mine(office, "p.leader", "minutes") == []
