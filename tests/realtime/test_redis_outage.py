"""Issue 15, point 6: tablets end up with the server's state when Redis fails them.

Two servers (in this process, each with its own Socket.IO server and Redis manager, as two
processes have) share the database and a private ``redis-server`` that the test stops and
starts again. Tablets on both follow a meeting by the client's rule (``Follower``): apply
numbered events in order; join again with the last number on a gap, on a heartbeat that
says the room is further on, or when told to resync. While Redis is away an agenda change
made over REST on the first server cannot reach the second's tablets through Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine

from ecabinet.app import create_asgi
from ecabinet.core.db import session_scope
from ecabinet.core.storage import open_store
from ecabinet.meetings.models import Meeting
from tests.conftest import make_settings
from tests.documents.office import make_office
from tests.realtime.room import NS, Place, Tablet, tablet, tokens_for, until
from tests.support.live import serve
from tests.support.redisd import RedisServer, stoppable_redis


class Follower:
    """A tablet applying the meeting's events by the client's rule (frontend live.ts)."""

    def __init__(self, t: Tablet, meeting_id: int) -> None:
        self.t, self.meeting_id = t, meeting_id
        self.last = 0
        self.item: int | None = None
        self.heartbeats: list[dict[str, Any]] = []
        self.lock = asyncio.Lock()
        t.client.on("event", self.on_event, namespace=NS)
        t.client.on("heartbeat", self.on_heartbeat, namespace=NS)
        t.client.on("resync", self.on_resync, namespace=NS)

    async def join(self) -> None:
        async with self.lock:
            ask = {"meeting_id": self.meeting_id} | ({"after": self.last} if self.last else {})
            answer = await self.t.ask("join", ask)
            assert answer["ok"] and answer["every"] > 0, answer  # the beat, before the first
            if "snapshot" in answer:
                self.item = answer["snapshot"]["current_item_id"]
            for e in answer.get("events", []):
                self.apply(e)
            self.last = max(self.last, answer["seq"])

    def apply(self, e: dict[str, Any]) -> None:
        if e["seq"] != self.last + 1:
            return
        self.last = e["seq"]
        if e["kind"] == "agenda":
            self.item = e["data"]["item_id"]

    async def on_event(self, e: dict[str, Any]) -> None:
        if e["seq"] <= self.last:
            return
        if e["seq"] == self.last + 1 and not self.lock.locked():
            self.apply(e)
        else:
            await self.join()

    async def on_heartbeat(self, beat: dict[str, Any]) -> None:
        self.heartbeats.append(beat)
        if beat["meeting_id"] == self.meeting_id and beat["seq"] > self.last:
            await self.join()

    async def on_resync(self, data: dict[str, Any]) -> None:
        if data["meeting_id"] == self.meeting_id:
            await self.join()


@contextmanager
def two_servers(
    tmp_path: Path, database_url: str, engine: Engine, redis: RedisServer, heartbeat: int
) -> Iterator[tuple[Place, str]]:
    found, _units, ids = make_office(engine)
    settings = make_settings(
        tmp_path / "data",
        database_url,
        reminder_minutes="0",
        redis_url=redis.url,
        redis_channel=f"ecabinet-test-{uuid.uuid4().hex}",
        heartbeat_seconds=str(heartbeat),
    )
    store = open_store(settings)
    tokens = tokens_for(engine)
    with ExitStack() as stack:
        a, b = (
            stack.enter_context(
                serve(create_asgi(settings, engine=engine, store=store, frontend_dist=tmp_path))
            )
            for _ in range(2)
        )
        http = stack.enter_context(httpx.Client(timeout=30))
        yield Place(a, ids, found["p"].id or 0, tokens, http), b


def _server_state(engine: Engine, meeting_id: int) -> tuple[int, int | None]:
    with session_scope(engine, write=False) as s:
        meeting = s.get(Meeting, meeting_id)
        assert meeting is not None
        return meeting.seq, meeting.current_item_id


def _outage(
    tmp_path: Path, database_url: str, engine: Engine, heartbeat: int, *, back_before: bool
) -> list[Follower]:
    """Tablets on both servers; Redis stopped; two agenda changes over REST on the first
    server; Redis started again (before the tablets must agree, or only after)."""
    with (
        stoppable_redis(tmp_path / "redis") as redis,
        two_servers(tmp_path, database_url, engine, redis, heartbeat) as (place, other),
    ):
        detail = place.meeting()
        mid = detail["meeting"]["id"]
        first, second = (i["id"] for i in detail["agenda"])
        people = ("p.leader", "p.spec", "p.spec2", "p.head", "p.clerk")

        def move(item: int) -> None:
            r = place.rest("p.leader", "POST", f"/meetings/{mid}/agenda", json={"item_id": item})
            assert r.status_code == 200, r.text

        async def scenario() -> list[Follower]:
            tablets = [await tablet(place, w) for w in people[:3]]
            tablets += [await tablet(place, w, other) for w in people]
            followers = [Follower(t, mid) for t in tablets]
            for f in followers:
                await f.join()
            # both servers hear each other through Redis before it goes away
            move(second)
            await until(lambda: all(f.item == second for f in followers), within=20)

            redis.stop()
            move(first)
            move(second)
            move(first)
            seq, item = _server_state(engine, mid)
            assert item == first

            def agree() -> bool:
                return all((f.last, f.item) == (seq, item) for f in followers)

            if back_before:
                await asyncio.sleep(0.5)  # the publishes failed; Redis returns afterwards
                redis.start()
            await until(agree, within=40)
            if not back_before:
                redis.start()
            for t in tablets:
                await t.close()
            return followers

        return asyncio.run(scenario())


def test_after_redis_returns_every_tablet_has_the_changes_it_missed(
    tmp_path: Path, database_url: str, engine: Engine
) -> None:
    # heartbeats far apart: the rooms marked when publishing failed, and the listener
    # back on its channel, tell the tablets to resync once Redis answers again
    _outage(tmp_path, database_url, engine, heartbeat=60, back_before=True)


def test_while_redis_is_away_heartbeats_show_the_tablets_their_gap(
    tmp_path: Path, database_url: str, engine: Engine
) -> None:
    followers = _outage(tmp_path, database_url, engine, heartbeat=1, back_before=False)
    beats = [b for f in followers for b in f.heartbeats]
    assert beats and all(set(b) == {"meeting_id", "seq", "every"} for b in beats)
