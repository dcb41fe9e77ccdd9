"""Meetings over HTTP: preparing, answering, check-in and quorum, running the agenda, the
numbered events; who may do what; bad input."""

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


def _meeting(office: Office, **extra: Any) -> dict[str, Any]:
    body = {
        "agency_id": office.agencies["p"].id,
        "title": "Phiên họp thường kỳ tháng 11 của UBND tỉnh",
        "starts_at": "2026-11-30T08:00:00+07:00",
        "place": "Phòng họp số 1",
        "chair_id": office.ids["p.leader"],
        "secretary_id": office.ids["p.clerk"],
    } | extra
    r = office.post("p.clerk", "/api/v1/meetings", json=body)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def _prepared(office: Office, pdf: bytes) -> tuple[int, list[int]]:
    """A scheduled meeting: members p.spec, p.spec2, p.head; two items, one document."""
    meeting_id = int(_meeting(office)["id"])
    url = f"/api/v1/meetings/{meeting_id}"
    for who in ("p.spec", "p.spec2", "p.head"):
        r = office.post("p.clerk", url + "/participants", json={"user_id": office.ids[who]})
        assert r.status_code == 200, r.text
    items = []
    for title in ("Báo cáo kinh tế - xã hội tháng 11", "Kế hoạch chuyển đổi số năm 2027"):
        r = office.post(
            "p.clerk",
            url + "/items",
            json={"title": title, "presenter_id": office.ids["p.head"], "planned_minutes": 30},
        )
        items.append(r.json()["agenda"][-1]["id"])
    file_id = office.upload("p.clerk", pdf, "bao-cao.pdf")
    r = office.post(
        "p.clerk",
        f"{url}/items/{items[0]}/documents",
        json={"file_id": file_id, "title": "Báo cáo số 120/BC-UBND"},
    )
    assert r.status_code == 201, r.text
    assert office.post("p.clerk", url + "/schedule").status_code == 200
    return meeting_id, items


def test_a_meeting_from_invitation_to_end(office: Office, pdf: bytes) -> None:
    meeting_id, items = _prepared(office, pdf)
    url = f"/api/v1/meetings/{meeting_id}"
    # Answers: accept; decline needs a reason; send a deputy.
    assert office.post("p.spec", url + "/answer", json={"answer": "accepted"}).status_code == 200
    r = office.post("p.spec2", url + "/answer", json={"answer": "declined"})
    assert r.status_code == 422 and r.json()["code"] == "meeting.reason_required"
    r = office.post(
        "p.head",
        url + "/answer",
        json={"answer": "deputy", "deputy_id": office.ids["p.admin"], "reason": "Đi công tác"},
    )
    assert r.status_code == 200, r.text
    # The deputy sees the meeting and its documents; an outsider does not.
    detail = office.get("p.admin", url).json()
    doc = detail["agenda"][0]["documents"][0]
    content = office.get("p.admin", f"{url}/documents/{doc['id']}/content")
    assert content.status_code == 200 and content.content == pdf
    assert office.get("d.leader", url).status_code == 404
    assert office.get("d.leader", f"{url}/documents/{doc['id']}/content").status_code == 404
    assert office.get("p.spec", f"/api/v1/files/{doc['file_id']}/content").status_code == 404

    # Check-in and quorum: 4 voting seats (chair + 3 members), more than half needed.
    assert detail["quorum"] == {
        "members": 4,
        "present": 0,
        "needed": 3,
        "rule": "majority",
        "met": False,
    }
    office.post("p.spec", url + "/check-in", json={"status": "present"})
    office.post("p.admin", url + "/check-in", json={"status": "online"})  # the deputy's seat
    r = office.post(
        "p.spec", url + "/check-in", json={"user_id": office.ids["p.spec2"], "status": "present"}
    )
    assert r.status_code == 403  # only the secretary or chair checks others in
    r = office.post(
        "p.clerk",
        url + "/check-in",
        json={"user_id": office.ids["p.spec2"], "status": "absent", "reason": "Nghỉ phép"},
    )
    r = office.post(
        "p.clerk", url + "/check-in", json={"user_id": office.ids["p.leader"], "status": "present"}
    )
    assert r.json()["quorum"]["present"] == 3 and r.json()["quorum"]["met"] is True

    # Running it: only the chair or the secretary.
    assert office.post("p.spec", url + "/start").status_code == 403
    r = office.post("p.leader", url + "/start")
    assert r.json()["meeting"]["state"] == "in_progress"
    assert r.json()["meeting"]["current_item_id"] == items[0]
    assert office.post("p.spec", url + "/agenda", json={"item_id": items[1]}).status_code == 403
    r = office.post("p.clerk", url + "/agenda", json={"item_id": items[1]})
    assert r.json()["meeting"]["current_item_id"] == items[1]
    assert r.json()["agenda"][0]["ended_at"] is not None
    r = office.post("p.leader", url + "/end", json={"conclusions": "Thống nhất thông qua."})
    assert r.json()["meeting"]["state"] == "ended"

    # The numbered events: in order, without gaps; replay from any number.
    log = office.get("p.spec", url + "/events?after=0").json()
    seqs = [e["seq"] for e in log["events"]]
    assert seqs == list(range(1, log["seq"] + 1))
    assert [e["kind"] for e in log["events"]][-3:] == ["started", "agenda", "ended"]
    tail = office.get("p.spec", url + f"/events?after={log['seq'] - 1}").json()
    assert [e["kind"] for e in tail["events"]] == ["ended"] and not tail["snapshot_needed"]


def test_states_and_bad_input(office: Office, pdf: bytes) -> None:
    meeting = _meeting(office)
    url = f"/api/v1/meetings/{meeting['id']}"
    r = office.post("p.leader", url + "/start")
    assert r.status_code == 409 and r.json()["code"] == "meeting.bad_state"
    r = office.post("p.clerk", url + "/schedule")
    assert r.status_code == 422 and r.json()["code"] == "meeting.no_agenda"
    r = office.post("p.clerk", url + "/participants", json={"user_id": office.ids["p.leader"]})
    assert r.status_code == 409
    r = office.post("p.clerk", url + "/participants", json={"user_id": office.ids["d.spec"]})
    assert r.status_code == 422 and r.json()["code"] == "meeting.outsider"
    r = office.post(
        "p.clerk",
        "/api/v1/meetings",
        json={
            "agency_id": office.agencies["p"].id,
            "title": "x",
            "starts_at": "2026-11-30T08:00:00",
            "chair_id": office.ids["p.leader"],
            "secretary_id": office.ids["p.clerk"],
        },
    )
    assert r.status_code == 422  # a time without its zone
    r = office.post(
        "p.spec",
        "/api/v1/meetings",
        json={
            "agency_id": office.agencies["p"].id,
            "title": "x",
            "starts_at": "2026-11-30T08:00:00+07:00",
            "chair_id": office.ids["p.leader"],
            "secretary_id": office.ids["p.clerk"],
        },
    )
    assert r.status_code == 403  # a specialist does not organise meetings
    r = office.post("p.clerk", url + "/items", json={"title": "Nội dung", "planned_minutes": 0})
    assert r.status_code == 422
    item = office.post("p.clerk", url + "/items", json={"title": "Nội dung"}).json()["agenda"][0]
    not_pdf = office.upload("p.clerk", b"PK\x03\x04 zip", "x.pdf")
    r = office.post("p.clerk", f"{url}/items/{item['id']}/documents", json={"file_id": not_pdf})
    assert r.status_code == 422 and r.json()["code"] == "meeting.not_pdf"
    mine = office.get("p.leader", "/api/v1/meetings").json()["items"]
    assert [m["id"] for m in mine] == [meeting["id"]]
    assert office.get("p.spec", "/api/v1/meetings").json()["items"] == []
