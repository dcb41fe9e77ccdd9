"""Encrypted secret votes through the API: the key ceremony, casting encrypted ballots
(forged ones refused), closing, a quorum of guardians decrypting the total, the record."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from ecabinet.core.db import session_scope
from ecabinet.meetings import ballots
from tests.documents.office import Office, office_app
from tests.meetings import tablets
from tests.meetings.test_votes import _open, _running

PRESENT = ("p.leader", "p.spec", "p.spec2", "p.head")


@pytest.fixture
def office(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[Office]:
    with office_app(tmp_path, database_url, engine) as app:
        yield app


def _secret(office: Office, url: str, item_id: int) -> int:
    r = _open(office, url, item_id, secret=True, rule="cast")
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_no_secret_vote_before_the_ceremony(office: Office) -> None:
    url, item_id = _running(office, PRESENT)
    r = _open(office, url, item_id, secret=True)
    assert r.status_code == 409 and r.json()["code"] == "ceremony.incomplete"
    assert "người giữ khóa" in r.json()["message"]["vi"]
    # half a ceremony is not enough either
    assert office.post("p.leader", url + "/guardians", json={}).status_code == 200
    r = _open(office, url, item_id, secret=True)
    assert r.status_code == 409 and r.json()["code"] == "ceremony.incomplete"
    # a named vote needs no ceremony
    assert _open(office, url, item_id).status_code == 201


def test_ceremony_refuses_bad_input(office: Office) -> None:
    url, _ = _running(office, PRESENT)
    member = office.post("p.spec", url + "/guardians", json={})
    assert member.status_code == 403
    for body in (
        {"user_ids": [office.ids["p.leader"], office.ids["p.clerk"]]},  # too few
        {"quorum": 3},  # all three: one dead tablet would lose the vote
        {"quorum": 1},
        {"user_ids": [office.ids["p.leader"]] * 3},
        {"user_ids": [office.ids["p.leader"], office.ids["p.clerk"], office.ids["d.leader"]]},
        {"user_ids": "x"},
    ):
        r = office.post("p.leader", url + "/guardians", json=body)
        assert r.status_code in (400, 422), (body, r.text)
        assert r.json()["message"]["vi"]
    assert office.post("p.leader", url + "/guardians", json={}).status_code == 200
    g = ballots.new_guardian(1, 3, 2)
    # not a guardian
    r = office.post("p.spec2", url + "/guardians/announcement", json={"announcement": {}})
    assert r.status_code == 403 and r.json()["code"] == "ceremony.not_guardian"
    # a guardian announcing for another index, or a broken proof
    r = office.post(
        "p.clerk", url + "/guardians/announcement", json={"announcement": ballots.announcement(g)}
    )
    assert r.status_code == 422 and r.json()["code"] == "ceremony.wrong_index"
    forged = ballots.announcement(g)
    forged["commitments"][0], forged["commitments"][1] = (
        forged["commitments"][1],
        forged["commitments"][0],
    )
    r = office.post("p.leader", url + "/guardians/announcement", json={"announcement": forged})
    assert r.status_code == 422 and r.json()["code"] == "ceremony.bad_announcement"
    for body in ({"announcement": "x"}, {"announcement": {"guardian": 1}}, {}, []):
        r = office.post("p.leader", url + "/guardians/announcement", json=body)
        assert 400 <= r.status_code < 500, r.text
    # shares before every guardian announced
    r = office.post("p.leader", url + "/guardians/shares", json={"shares": {"2": "ab", "3": "cd"}})
    assert r.status_code == 409 and r.json()["code"] == "ceremony.wrong_step"


def test_encrypted_vote_end_to_end(office: Office) -> None:
    url, item_id = _running(office, PRESENT)
    shares = tablets.ceremony(office, url)
    vote_id = _secret(office, url, item_id)
    choices = {"p.spec": 0, "p.spec2": 0, "p.head": 1, "p.leader": 2}
    codes = {}
    for who, choice in choices.items():
        r = tablets.cast(office, url, vote_id, who, choice)
        assert r.status_code == 200, r.text
        codes[who] = r.json()["receipt"]
        assert len(codes[who]) == 64
    ballot_url = f"{url}/votes/{vote_id}/ballot"
    # one ballot per seat
    again = tablets.cast(office, url, vote_id, "p.spec", 1)
    assert again.status_code == 409 and again.json()["code"] == "vote.already_cast"
    # a plain option is refused in a secret vote: the server must never see a choice
    r = office.post("p.spec", ballot_url, json={"option": 0})
    assert r.status_code == 422 and r.json()["code"] == "vote.encrypted_only"
    live = office.get("p.spec", url + "/votes").json()["items"][0]
    assert (live["cast"], live["counts"]) == (4, None)

    r = office.post("p.leader", f"{url}/votes/{vote_id}/close")
    assert r.status_code == 200, r.text
    closed = r.json()
    assert closed["state"] == "tallying" and closed["counts"] is None
    assert closed["tally"] == {"have": 0, "quorum": 2}
    # late ballots are refused
    late = office.post("p.spec2", ballot_url, json={"ballot": {"x": 1}})
    assert late.status_code in (409, 422)
    # one guardian is not enough: the vote waits, no counts
    r = tablets.decrypt(office, url, vote_id, "p.leader", shares["p.leader"])
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "tallying" and r.json()["tally"] == {"have": 1, "quorum": 2}
    assert r.json()["counts"] is None
    # a non-guardian cannot submit; a forged partial is refused
    fake = tablets.decrypt(office, url, vote_id, "p.spec2", shares["p.spec"])
    assert fake.status_code == 403
    got = office.get("p.spec", f"{url}/votes/{vote_id}/tally").json()
    ctx = ballots.VoteContext.from_json(got["context"])
    wrong = ballots.partial_decrypt(ctx, shares["p.clerk"], got["aggregate"])  # clerk's, as spec
    r = office.post("p.spec", f"{url}/votes/{vote_id}/partial", json={"partial": wrong})
    assert r.status_code == 422 and r.json()["code"] == "tally.bad_partial"
    # the secretary's tablet died: the chair and the member are a quorum
    r = tablets.decrypt(office, url, vote_id, "p.spec", shares["p.spec"])
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["state"] == "closed"
    assert (done["counts"], done["cast"], done["passed"]) == ([2, 1, 1], 4, False)
    assert done["record_hash"] and len(done["record_hash"]) == 64
    # the record: its hash, every proof checked, every tracking code in it
    record = office.get("p.head", f"{url}/votes/{vote_id}/record")
    assert record.status_code == 200
    assert ballots.record_hash(record.content) == done["record_hash"]
    report = ballots.verify_record(record.content)
    assert report.ok and report.counts == [2, 1, 1], report.problems
    tracked = {b["tracking_code"] for b in json.loads(record.content)["ballots"]}
    assert set(codes.values()) <= tracked
    check = office.get("p.head", f"{url}/votes/{vote_id}/record/verify").json()
    assert check["ok"] and check["counts"] == [2, 1, 1]
    for code in codes.values():
        r = office.post("p.spec", f"{url}/votes/{vote_id}/receipt", json={"receipt": code})
        assert r.json() == {"counted": True}
    r = office.post("p.spec", f"{url}/votes/{vote_id}/receipt", json={"receipt": "0" * 64})
    assert r.json() == {"counted": False}
    # the ceremony is now locked: the key has been used
    r = office.post("p.leader", url + "/guardians", json={})
    assert r.status_code == 409 and r.json()["code"] == "ceremony.locked"


def test_forged_and_malformed_ballots_are_refused(office: Office) -> None:
    url, item_id = _running(office, PRESENT)
    tablets.ceremony(office, url)
    vote_id = _secret(office, url, item_id)
    ctx = tablets.context(office, url, vote_id)
    ballot_url = f"{url}/votes/{vote_id}/ballot"
    good = ballots.encrypt_ballot(ctx, 1)
    # a ballot whose ciphertexts were swapped: each still well-formed, proofs broken
    forged = copy.deepcopy(good)
    sel = forged["selections"]
    sel[0]["B"], sel[1]["B"] = sel[1]["B"], sel[0]["B"]
    r = office.post("p.spec", ballot_url, json={"ballot": forged})
    assert r.status_code == 422 and r.json()["code"].startswith("ballot."), r.text
    # a ballot encrypted for another vote
    other = ballots.VoteContext.from_json(ctx.to_json() | {"vote_id": vote_id + 1})
    r = office.post("p.spec", ballot_url, json={"ballot": ballots.encrypt_ballot(other, 0)})
    assert r.status_code == 422 and r.json()["code"].startswith("ballot.")
    for body in (
        {"ballot": {}},
        {"ballot": "x"},
        {"ballot": {"selections": [1, 2]}},
        {},
        {"option": 0, "ballot": good},
        {"ballot": good, "extra": 1},
    ):
        r = office.post("p.spec", ballot_url, json=body)
        assert 400 <= r.status_code < 500, (body, r.text)
    # nothing was counted; the real ballot still goes in, once; its copy by another voter not
    assert office.get("p.spec", url + "/votes").json()["items"][0]["cast"] == 0
    assert office.post("p.spec", ballot_url, json={"ballot": good}).status_code == 200
    r = office.post("p.head", ballot_url, json={"ballot": good})
    assert r.status_code == 409 and r.json()["code"] == "ballot.duplicate"
    assert office.get("p.spec", url + "/votes").json()["items"][0]["cast"] == 1


def test_no_ballots_closes_at_once(office: Office) -> None:
    url, item_id = _running(office, PRESENT)
    tablets.ceremony(office, url)
    vote_id = _secret(office, url, item_id)
    r = office.post("p.leader", f"{url}/votes/{vote_id}/close")
    assert r.status_code == 200 and r.json()["state"] == "closed"
    assert r.json()["counts"] == [0, 0, 0] and r.json()["passed"] is False


def test_a_secret_vote_open_across_the_upgrade_still_closes(office: Office, engine: Engine) -> None:
    """A secret vote opened before encrypted ballots kept per-option counters: closing it
    counts them, without guardians."""
    url, item_id = _running(office, PRESENT)
    r = _open(office, url, item_id)
    vote_id = r.json()["id"]
    for who in ("p.spec", "p.head"):
        assert office.post(who, f"{url}/votes/{vote_id}/ballot", json={"option": 1}).is_success
    with session_scope(engine) as s:  # as the rows of such a vote look
        s.execute(text("UPDATE vote SET secret = :t WHERE id = :v"), {"t": True, "v": vote_id})
    r = office.post("p.leader", f"{url}/votes/{vote_id}/close")
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["counts"]) == ("closed", [0, 2, 0])
