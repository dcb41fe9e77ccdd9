"""A held meeting's outcome over HTTP: who attended (a member who sent a deputy is away,
the deputy present), each vote's result (a secret vote by totals only), the conclusions
and the minutes' signatures; only for those who see the meeting, only once held."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from ecabinet.meetings import ballots
from tests.documents.office import Office, office_app
from tests.meetings import tablets
from tests.support.credentials import PIN, Issuer

CONCLUSIONS = "1. Thống nhất thông qua Tờ trình số 45/TTr-SKHCN."


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine, ca: Issuer) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine, (ca.ca.root,)) as app:
        yield app


def _ok(r: Any) -> Any:
    assert r.status_code == 200, r.text
    return r.json()


def _new_meeting(office: Office, title: str, starts_at: str) -> str:
    """A draft meeting of the province (chair p.leader, secretary p.clerk); its URL."""
    body = {
        "agency_id": office.agencies["p"].id,
        "title": title,
        "starts_at": starts_at,
        "chair_id": office.ids["p.leader"],
        "secretary_id": office.ids["p.clerk"],
    }
    r = office.post("p.clerk", "/api/v1/meetings", json=body)
    assert r.status_code == 201, r.text
    return f"/api/v1/meetings/{r.json()['id']}"


def _held(office: Office) -> str:
    """Chair p.leader, secretary p.clerk; p.spec accepts, p.spec2 never answers but comes,
    p.head sends p.admin, who checks in online; guest d.leader stays away. A named and a
    secret vote, then the end."""
    url = _new_meeting(office, "Phiên họp chuyên đề", "2026-11-30T08:00:00+07:00")
    for who in ("p.spec", "p.spec2", "p.head"):
        _ok(office.post("p.clerk", url + "/participants", json={"user_id": office.ids[who]}))
    _ok(
        office.post(
            "p.clerk",
            url + "/participants",
            json={"user_id": office.ids["d.leader"], "role": "guest"},
        )
    )
    item = _ok(office.post("p.clerk", url + "/items", json={"title": "Tờ trình dự án"}))
    item_id = item["agenda"][0]["id"]
    _ok(office.post("p.clerk", url + "/schedule"))
    _ok(office.post("p.spec", url + "/answer", json={"answer": "accepted"}))
    _ok(
        office.post(
            "p.head",
            url + "/answer",
            json={"answer": "deputy", "deputy_id": office.ids["p.admin"], "reason": "Đi công tác"},
        )
    )
    _ok(office.post("p.spec", url + "/check-in", json={"status": "present"}))
    _ok(office.post("p.admin", url + "/check-in", json={"status": "online"}))
    for who in ("p.leader", "p.spec2"):
        body = {"user_id": office.ids[who], "status": "present"}
        _ok(office.post("p.clerk", url + "/check-in", json=body))
    _ok(office.post("p.leader", url + "/start"))
    assert office.get("p.spec", url + "/outcome").json()["code"] == "meeting.not_held"
    keys = tablets.ceremony(office, url)  # the guardians' key, for the secret vote
    for secret, choices in ((False, (0, 0, 1, 0)), (True, (0, 1, 1, 2))):
        r = office.post(
            "p.leader",
            url + "/votes",
            json={"item_id": item_id, "question": f"Thông qua? ({secret})", "secret": secret},
        )
        assert r.status_code == 201, r.text
        vote_id = r.json()["id"]
        for who, option in zip(("p.leader", "p.spec", "p.spec2", "p.admin"), choices, strict=True):
            if secret:
                _ok(tablets.cast(office, url, vote_id, who, option))
            else:
                _ok(office.post(who, f"{url}/votes/{vote_id}/ballot", json={"option": option}))
        _ok(office.post("p.leader", f"{url}/votes/{vote_id}/close"))
        if secret:  # two guardians decrypt the total
            for who in list(keys)[:2]:
                _ok(tablets.decrypt(office, url, vote_id, who, keys[who]))
    _ok(office.post("p.leader", url + "/end", json={"conclusions": CONCLUSIONS}))
    return url


def test_the_outcome_of_a_held_meeting(office: Office, ca: Issuer) -> None:
    url = _held(office)
    out = _ok(office.get("p.spec2", url + "/outcome"))
    lines = {(a["user_id"], a["deputy_for"]): a for a in out["attendance"]}
    ids = office.ids

    def presence(who: str, deputy_for: str | None = None) -> str:
        key = (ids[who], ids[deputy_for] if deputy_for else None)
        return str(lines[key]["presence"])

    # Those who came are present, whether or not they answered the invitation.
    assert presence("p.spec") == "present" and presence("p.spec2") == "present"
    assert presence("p.leader") == "present"
    # The member who sent a deputy is not present; the deputy is, with the seat's check-in.
    away = lines[(ids["p.head"], None)]
    assert (away["presence"], away["deputy_id"], away["reason"]) == (
        "sent_deputy",
        ids["p.admin"],
        "Đi công tác",
    )
    deputy = lines[(ids["p.admin"], ids["p.head"])]
    assert (deputy["presence"], deputy["role"], deputy["name"]) == (
        "online",
        "member",
        "Quản Trị Tỉnh",
    )
    assert presence("d.leader") == "not_checked_in"
    assert presence("p.clerk") == "not_checked_in"  # the secretary did not check in
    assert [a["role"] for a in out["attendance"]][:2] == ["chair", "secretary"]
    assert out["quorum"]["present"] == 4 and out["quorum"]["members"] == 4

    named, secret = out["votes"]
    assert [o["count"] for o in named["options"]] == [3, 1, 0]
    assert named["passed"] is True and named["result_label"] == "Thông qua"
    assert {v["name"]: v["choice"] for v in named["voters"]}[
        "Quản Trị Tỉnh (dự thay Trần Trưởng Phòng)"
    ] == ("Tán thành")
    assert [o["count"] for o in secret["options"]] == [1, 2, 1]
    assert secret["secret"] is True and secret["voters"] == [] and secret["passed"] is False
    assert named["item_title"] == "Tờ trình dự án" and secret["cast"] == 4
    assert out["conclusions"] == CONCLUSIONS
    assert out["minutes"] is None

    # The minutes and their signatures, as they are signed.
    r = office.post("p.clerk", url + "/minutes", json={})
    assert r.status_code == 201, r.text
    assert _ok(office.get("p.admin", url + "/outcome"))["minutes"]["state"] == "draft"
    key = office.credential(ca, "Lê Thị Văn Thư", user_id=ids["p.clerk"])
    signed = office.post("p.clerk", url + "/minutes/sign", json={"credential_id": key, "pin": PIN})
    assert signed.status_code == 200, signed.text
    minutes = _ok(office.get("p.spec", url + "/outcome"))["minutes"]
    assert minutes["state"] == "signed_by_secretary"
    assert [(s["role"], s["signer_name"]) for s in minutes["signatures"]] == [
        ("secretary", "Lê Thị Văn Thư")
    ]


def test_only_those_who_see_the_meeting_and_only_once_held(office: Office) -> None:
    url = _held(office)
    for outsider in ("d.spec", "d.clerk"):
        r = office.get(outsider, url + "/outcome")
        assert r.status_code == 404 and r.json()["code"] == "meeting.not_found"
        assert r.json()["message"]["vi"] and r.json()["message"]["en"]
    assert office.get("p.spec", "/api/v1/meetings/999999/outcome").status_code == 404
    # A meeting not yet held has no outcome, even for its organiser.
    draft = _new_meeting(office, "Dự thảo", "2026-12-30T08:00:00+07:00") + "/outcome"
    r = office.get("p.clerk", draft)
    assert r.status_code == 409 and r.json()["message"]["en"].startswith("The meeting has not")
    assert office.get("p.spec", draft).status_code == 404


def test_a_secret_votes_record_is_offered_beside_the_minutes(office: Office) -> None:
    """The held meeting's page offers the election record whose hash the minutes cite, to
    whoever may read the minutes (those who see the meeting); anyone can then check it on
    the public page."""
    url = _held(office)
    named, secret = _ok(office.get("p.spec2", url + "/outcome"))["votes"]
    assert named["record_hash"] is None and named["record_url"] is None
    assert secret["record_url"] == f"{url}/votes/{secret['id']}/record"
    data = office.get("p.spec2", secret["record_url"])
    assert data.status_code == 200 and data.headers["content-type"] == "application/json"
    assert hashlib.sha256(data.content).hexdigest() == secret["record_hash"]
    assert ballots.verify_record(data.content).counts == [1, 2, 1]
    check = office.client.post(
        "/cong-khai/kiem-tra-bieu-quyet",
        files={"file": ("r.json", data.content, "application/json")},
    )
    assert check.status_code == 200 and "Hồ sơ hợp lệ" in check.text
    for outsider in ("d.spec", "d.clerk"):
        assert office.get(outsider, secret["record_url"]).status_code == 404
