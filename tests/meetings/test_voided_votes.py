"""A secret vote whose key lost its quorum (more guardians' tablets lost than the quorum
allows) does not stay ``tallying`` for ever: the chair voids it as not tallied, with a
reason the room and the audit log keep, nothing decrypted, and the meeting makes a new key
and votes again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from ecabinet.core.db import session_scope
from ecabinet.meetings import ballots
from tests.documents.office import Office, office_app
from tests.meetings import tablets
from tests.meetings.test_minutes import _text
from tests.meetings.test_secret_ballots import PRESENT, _secret
from tests.meetings.test_votes import _open, _running

REASON = "Máy tính bảng của thư ký và đại biểu giữ khóa bị hỏng"
CHOICES = {"p.leader": 0, "p.spec": 1, "p.spec2": 1}


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


def _tallying(office: Office, url: str, item_id: int) -> int:
    vote_id = _secret(office, url, item_id)
    for who, choice in CHOICES.items():
        assert tablets.cast(office, url, vote_id, who, choice).status_code == 200
    r = office.post("p.leader", f"{url}/votes/{vote_id}/close")
    assert r.status_code == 200 and r.json()["state"] == "tallying", r.text
    return vote_id


def test_a_vote_whose_key_lost_its_quorum_is_voided_and_the_meeting_votes_again(
    office: Office, engine: Engine
) -> None:
    url, item_id = _running(office, PRESENT)
    old = tablets.ceremony(office, url)  # the chair, the secretary, p.spec; 2 of 3
    vote_id = _tallying(office, url, item_id)
    kept_context = tablets.context(office, url, vote_id)
    assert tablets.decrypt(office, url, vote_id, "p.leader", old["p.leader"]).status_code == 200
    # the secretary's and p.spec's tablets are lost: the vote can never reach its quorum
    void_url = f"{url}/votes/{vote_id}/void"

    r = office.post("p.spec", void_url, json={"reason": REASON})
    assert r.status_code == 403  # a member cannot
    for body in ({"reason": "  "}, {}, {"reason": "x" * 501}):
        r = office.post("p.leader", void_url, json=body)
        assert r.status_code == 422 and r.json()["message"]["vi"], (body, r.text)
    r = office.post("p.leader", void_url, json={"reason": REASON})
    assert r.status_code == 200, r.text
    voided = r.json()
    assert voided["state"] == "voided" and voided["void_reason"] == REASON
    assert (voided["counts"], voided["passed"], voided["record_hash"]) == (None, None, None)
    assert voided["cast"] == 3 and voided["tally"] is None

    # the room sees it; the audit log says who and why
    events = office.get("p.spec2", url + "/events?after=0").json()["events"]
    said = [e["data"] for e in events if e["kind"] == "vote_voided"]
    assert said == [{"vote_id": vote_id, "cast": 3, "reason": REASON, "state": "voided"}]
    assert [e["data"]["state"] for e in events if e["kind"] == "ceremony"][-1] == "lost"
    with session_scope(engine, write=False) as s:
        rows = s.execute(
            text(
                "SELECT action, actor_name, summary FROM audit_entry"
                " WHERE action IN ('vote.void', 'ceremony.lost') ORDER BY seq"
            )
        ).all()
        assert [r[0] for r in rows] == ["vote.void", "ceremony.lost"]
        assert REASON in rows[0][2] and "not tallied" in rows[0][2]
        # nothing was decrypted: no counts, no record; the ciphertexts and the sum are kept
        tally = s.execute(
            text("SELECT count(*) FROM vote_tally WHERE vote_id = :v"), {"v": vote_id}
        )
        assert tally.scalar_one() == 0
        kept = s.execute(
            text("SELECT record, context, aggregate FROM vote_record WHERE vote_id = :v"),
            {"v": vote_id},
        ).one()
        assert kept[0] is None and json.loads(kept[1]) == kept_context.to_json()
        stored = s.execute(
            text("SELECT count(*) FROM encrypted_ballot WHERE vote_id = :v"), {"v": vote_id}
        )
        assert stored.scalar_one() == 3

    # a voided vote takes no more partials, is not voided twice, has no record
    late = tablets.decrypt(office, url, vote_id, "p.clerk", old["p.clerk"])
    assert late.status_code == 409 and late.json()["code"] == "tally.not_waiting"
    again = office.post("p.leader", void_url, json={"reason": REASON})
    assert again.status_code == 409 and again.json()["code"] == "vote.not_tallying"
    assert office.get("p.spec", f"{url}/votes/{vote_id}/record").status_code == 404

    # the lost key opens no new secret vote; a new ceremony can run mid-meeting
    r = office.post(
        "p.leader", f"{url}/votes", json={"item_id": item_id, "question": "Lại?", "secret": True}
    )
    assert r.status_code == 409 and r.json()["code"] == "ceremony.incomplete"
    new = tablets.ceremony(office, url)
    assert new["p.leader"].joint_key != old["p.leader"].joint_key
    second = _tallying(office, url, item_id)
    for who in ("p.clerk", "p.spec"):
        r = tablets.decrypt(office, url, second, who, new[who])
        assert r.status_code == 200, r.text
    done = r.json()
    assert done["state"] == "closed" and done["counts"] == [1, 2, 0]
    record = office.get("p.spec", f"{url}/votes/{second}/record").content
    assert ballots.verify_record(record).ok

    # the voided vote still names its own key, and would open with the lost tablets' shares
    assert tablets.context(office, url, vote_id).to_json() == kept_context.to_json()
    got = office.get("p.spec", f"{url}/votes/{vote_id}/tally").json()
    partials = {
        old[w].index: ballots.partial_decrypt(kept_context, old[w], got["aggregate"])
        for w in ("p.clerk", "p.spec")
    }
    assert ballots.combine(kept_context, got["aggregate"], partials, 3) == [1, 2, 0]


def test_a_new_key_waits_until_every_vote_of_the_lost_key_is_voided(office: Office) -> None:
    url, item_id = _running(office, PRESENT)
    tablets.ceremony(office, url)
    first = _tallying(office, url, item_id)
    second = _tallying(office, url, item_id)
    # a named vote, or one not waiting for decryption, cannot be voided
    named = _open(office, url, item_id).json()["id"]
    r = office.post("p.leader", f"{url}/votes/{named}/void", json={"reason": REASON})
    assert r.status_code == 409 and r.json()["code"] == "vote.not_tallying"
    assert office.post("p.leader", f"{url}/votes/{named}/close").status_code == 200
    assert office.post("p.leader", f"{url}/guardians", json={}).json()["code"] == "ceremony.locked"
    assert (
        office.post("p.leader", f"{url}/votes/{first}/void", json={"reason": REASON}).status_code
        == 200
    )
    r = office.post("p.leader", f"{url}/guardians", json={})
    assert r.status_code == 409 and r.json()["code"] == "ceremony.unfinished"
    assert r.json()["message"]["en"].startswith("A secret vote still waits")
    assert (
        office.post("p.clerk", f"{url}/votes/{second}/void", json={"reason": REASON}).status_code
        == 200
    )
    assert office.post("p.leader", f"{url}/guardians", json={}).status_code == 200


def test_the_minutes_and_the_outcome_show_a_voided_vote(office: Office) -> None:
    """A voided vote is part of what happened: the outcome lists it with the chair's
    reason and no counts, and the minutes print it as not tallied."""
    url, item_id = _running(office, PRESENT)
    tablets.ceremony(office, url)
    vote_id = _tallying(office, url, item_id)
    r = office.post("p.leader", f"{url}/votes/{vote_id}/void", json={"reason": REASON})
    assert r.status_code == 200, r.text
    assert (
        office.post("p.leader", f"{url}/end", json={"conclusions": "Họp lại."}).status_code == 200
    )
    votes = office.get("p.spec", f"{url}/outcome").json()["votes"]
    assert [(v["id"], v["voided_reason"]) for v in votes] == [(vote_id, REASON)]
    assert votes[0]["options"] == [] and votes[0]["passed"] is None
    assert votes[0]["record_hash"] is None and REASON in votes[0]["result_label"]
    assert office.post("p.clerk", f"{url}/minutes", json={}).status_code in (200, 201)
    minutes = _text(office.get("p.spec", f"{url}/minutes/content").content)
    assert "không kiểm phiếu" in minutes and "Không kiểm được phiếu, biểu quyết bị hủy" in minutes
    assert " ".join(REASON.split()) in minutes
