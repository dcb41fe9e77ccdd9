"""Guardians' and voters' tablets for the tests: what the web app does, with the Python
ballots library (the TypeScript mirror makes the same messages)."""

from __future__ import annotations

from typing import Any

from ecabinet.meetings import ballots

Client = Any
"""An ``Office``, or :class:`OverRest`."""


def ceremony(
    office: Client,
    url: str,
    kept_secrets: dict[str, ballots.GuardianSecret] | None = None,
    **designate: Any,
) -> dict[str, ballots.GuardianShare]:
    """Run the whole key ceremony through the API; each guardian's share, as its tablet
    keeps it (and, in ``kept_secrets``, what the tablets hold during the ceremony)."""
    r = office.post("p.leader", url + "/guardians", json=designate)
    assert r.status_code == 200, r.text
    state = r.json()
    names = {uid: name for name, uid in office.ids.items()}
    count, quorum = state["count"], state["quorum"]
    secrets = {
        names[g["user_id"]]: ballots.new_guardian(g["index"], count, quorum)
        for g in state["guardians"]
    }
    if kept_secrets is not None:
        kept_secrets.update(secrets)
    for w, g in secrets.items():
        r = office.post(
            w, url + "/guardians/announcement", json={"announcement": ballots.announcement(g)}
        )
        assert r.status_code == 200, r.text
    announcements = [ballots.announcement(g) for g in secrets.values()]
    for w, g in secrets.items():
        shares = {str(k): v for k, v in ballots.shares_for(g, announcements).items()}
        r = office.post(w, url + "/guardians/shares", json={"shares": shares})
        assert r.status_code == 200, r.text
    kept: dict[str, ballots.GuardianShare] = {}
    for w, g in secrets.items():
        got = office.get(w, url + "/guardians/shares").json()
        received = {int(k): v for k, v in got["shares"].items()}
        kept[w] = ballots.accept_shares(g, got["announcements"], received)
        r = office.post(w, url + "/guardians/confirm", json={"joint_key": kept[w].joint_key})
        assert r.status_code == 200, r.text
    assert r.json()["state"] == "complete" and r.json()["fingerprint"]
    return kept


def context(office: Client, url: str, vote_id: int, who: str = "p.spec") -> ballots.VoteContext:
    r = office.get(who, f"{url}/votes/{vote_id}/tally")
    assert r.status_code == 200, r.text
    return ballots.VoteContext.from_json(r.json()["context"])


def cast(office: Client, url: str, vote_id: int, who: str, choice: int) -> Any:
    """Encrypt a choice as the voter's tablet does and send it."""
    ballot = ballots.encrypt_ballot(context(office, url, vote_id, who), choice)
    return office.post(who, f"{url}/votes/{vote_id}/ballot", json={"ballot": ballot})


def decrypt(office: Client, url: str, vote_id: int, who: str, share: ballots.GuardianShare) -> Any:
    """A guardian's tablet decrypts its part of the vote's total and sends it."""
    got = office.get(who, f"{url}/votes/{vote_id}/tally").json()
    ctx = ballots.VoteContext.from_json(got["context"])
    partial = ballots.partial_decrypt(ctx, share, got["aggregate"])
    return office.post(who, f"{url}/votes/{vote_id}/partial", json={"partial": partial})


class OverRest:
    """A served app (``tests.realtime.room.Place``) seen through the ``Office`` calls the
    helpers above make: post, get and ids."""

    def __init__(self, place: Any) -> None:
        self.place = place
        self.ids = place.ids

    def post(self, who: str, url: str, **kw: Any) -> Any:
        return self.place.rest(who, "POST", url.removeprefix("/api/v1"), **kw)

    def get(self, who: str, url: str, **kw: Any) -> Any:
        return self.place.rest(who, "GET", url.removeprefix("/api/v1"), **kw)
