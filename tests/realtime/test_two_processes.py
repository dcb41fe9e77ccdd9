"""Two server processes behind one Redis: tablets on both see every event of the meeting
in order (applying the client's rule: a gap is filled by joining again with the last
number), and a ballot sent twice at once, once to each process, counts once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from ecabinet.core.db import session_scope
from ecabinet.meetings.ballots import encrypt_ballot
from ecabinet.meetings.models import MeetingEvent
from tests.meetings import tablets as helpers
from tests.realtime.room import NS, Place, Tablet, tablet, until
from tests.realtime.servers import two_processes


@pytest.fixture
def two(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[tuple[Place, str]]:
    with two_processes(tmp_path, database_url, engine) as found:
        yield found


class Follower:
    """Applies a meeting's events by the client's rule."""

    def __init__(self, t: Tablet, meeting_id: int) -> None:
        self.t, self.meeting_id = t, meeting_id
        self.applied: list[int] = []
        self.lock = asyncio.Lock()
        self.resyncs = 0
        self.received: set[int] = set()
        t.client.on("event", self.on_event, namespace=NS)

    async def start(self) -> None:
        answer = await self.t.ask("join", {"meeting_id": self.meeting_id})
        assert answer["ok"], answer
        self.applied.append(answer["seq"])

    async def on_event(self, event: dict[str, Any]) -> None:
        self.received.add(event["seq"])
        async with self.lock:
            last = self.applied[-1]
            if event["seq"] <= last:
                return
            if event["seq"] == last + 1:
                self.applied.append(event["seq"])
                return
            self.resyncs += 1
            answer = await self.t.ask("join", {"meeting_id": self.meeting_id, "after": last})
            for e in answer["events"]:
                if e["seq"] == self.applied[-1] + 1:
                    self.applied.append(e["seq"])


def test_two_processes_one_meeting(two: tuple[Place, str], engine: Engine) -> None:
    place, other = two
    detail = place.meeting(present=("p.leader", "p.spec", "p.spec2", "p.head"))
    mid = detail["meeting"]["id"]
    first, second = (i["id"] for i in detail["agenda"])
    voters = ("p.leader", "p.spec", "p.spec2", "p.head")
    rest = helpers.OverRest(place)
    keys = helpers.ceremony(rest, f"/api/v1/meetings/{mid}")

    async def scenario() -> None:
        # each voter has a tablet on each process; the secretary watches from the other
        on_a = {w: await tablet(place, w) for w in voters}
        on_b = {w: await tablet(place, w, other) for w in (*voters, "p.clerk")}
        followers = [Follower(t, mid) for t in (*on_a.values(), *on_b.values())]
        for f in followers:
            await f.start()
        start = followers[0].applied[0]

        async def chair_moves() -> None:
            for i in range(12):
                r = await on_a["p.leader"].ask(
                    "agenda", {"meeting_id": mid, "item_id": second if i % 2 == 0 else first}
                )
                assert r["ok"], r

        async def member_asks() -> None:
            for _ in range(6):
                assert (await on_b["p.spec"].ask("speak", {"meeting_id": mid}))["ok"]
                assert (await on_b["p.spec"].ask("withdraw", {"meeting_id": mid}))["ok"]

        await asyncio.gather(chair_moves(), member_asks())
        opened = await on_b["p.clerk"].ask(
            "vote_open",
            {"meeting_id": mid, "item_id": second, "question": "Thông qua?", "secret": True},
        )
        assert opened["ok"], opened
        vote_id = opened["vote"]["id"]
        ctx = helpers.context(rest, f"/api/v1/meetings/{mid}", vote_id)
        sent = {w: encrypt_ballot(ctx, 0) for w in voters}
        ballots = await asyncio.gather(
            *(
                t.ask("ballot", {"meeting_id": mid, "vote_id": vote_id, "ballot": sent[w]})
                for w in voters
                for t in (on_a[w], on_b[w])
            )
        )
        accepted = [b for b in ballots if b["ok"]]
        assert len(accepted) == len(voters), ballots
        refused = {b["error"]["code"] for b in ballots if not b["ok"]}
        assert refused and refused <= {"vote.already_cast", "ballot.duplicate"}, refused
        closed = await on_a["p.leader"].ask("vote_close", {"meeting_id": mid, "vote_id": vote_id})
        assert closed["vote"]["cast"] == 4 and closed["vote"]["state"] == "tallying"
        for who in ("p.leader", "p.clerk"):
            r = helpers.decrypt(rest, f"/api/v1/meetings/{mid}", vote_id, who, keys[who])
        assert r.json()["counts"][0] == 4

        with session_scope(engine, write=False) as s:
            from sqlmodel import col, select

            stored = [
                e.seq
                for e in s.exec(
                    select(MeetingEvent)
                    .where(MeetingEvent.meeting_id == mid, col(MeetingEvent.seq) > start)
                    .order_by(col(MeetingEvent.seq))
                )
            ]
        # 12 moves, 12 speaker changes, the vote opened, 1-4 counts (a count per batch of
        # ballots counted together), the vote closed
        assert 12 + 12 + 1 + 1 + 1 <= len(stored) <= 12 + 12 + 1 + 4 + 1
        await until(lambda: all(f.applied[-1] == stored[-1] for f in followers), within=15)
        for f in followers:
            assert f.applied == [start, *stored], f.applied
        await until(lambda: all(f.received >= set(stored) for f in followers), within=15)
        # every event reached every tablet by broadcast, whichever process stored it
        for t in (*on_a.values(), *on_b.values()):
            await t.close()

    asyncio.run(scenario())
