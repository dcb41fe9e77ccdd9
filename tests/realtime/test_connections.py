"""The registry of a process's connections: which a cut ends, when credentials expire,
and the memory of cuts that refuses a handshake or join decided while one went by."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from ecabinet.core.credentials import Held
from ecabinet.core.outbox import Cut
from ecabinet.core.types import utcnow
from realtime.connections import Connection, Registry
from realtime.watch import REVALIDATE_SECONDS, TICK_SECONDS, Watch
from tests.conftest import make_settings


def _conn(sid: str, held: Held, *meetings: int) -> Connection:
    c = Connection(sid, "/meetings", (None, "secret"), held)
    c.meetings.update(meetings)
    return c


def test_cuts_find_what_they_end() -> None:
    registry = Registry()
    by_cookie = _conn("a", Held(1, session_id="s1"), 7)
    by_token = _conn("b", Held(1, token_id=5), 8)
    other = _conn("c", Held(2, token_id=6), 7)
    for c in (by_cookie, by_token, other):
        assert registry.add(c, time.monotonic())
    assert registry.note(Cut("session", "s1")) == [by_cookie]
    assert registry.note(Cut("token", "5")) == [by_token]
    assert registry.note(Cut("user", "1")) == [by_cookie, by_token]
    assert registry.note(Cut("seat", "1", 7)) == [by_cookie]  # not the socket of meeting 8
    assert registry.note(Cut("seat", "3", 7)) == []


def test_a_cut_that_went_by_refuses_what_was_being_decided() -> None:
    registry = Registry()
    before = time.monotonic()
    registry.note(Cut("token", "5"))
    assert not registry.add(_conn("a", Held(1, token_id=5)), before)
    assert registry.add(_conn("b", Held(1, token_id=5)), time.monotonic())  # decided after
    joining = _conn("c", Held(2, token_id=6))
    assert registry.add(joining, time.monotonic())
    since = time.monotonic()
    assert not registry.seat_cut_since(joining, 7, since)
    registry.note(Cut("seat", "2", 8))
    assert not registry.seat_cut_since(joining, 7, since)  # another meeting
    registry.note(Cut("seat", "2", 7))
    assert registry.seat_cut_since(joining, 7, since)
    registry.remove("/meetings", "c")
    assert registry.seat_cut_since(joining, 9, time.monotonic())  # gone: nothing to join


def test_expiries_come_once_in_order_and_the_gone_are_forgotten() -> None:
    registry = Registry()
    now = utcnow()
    soon = _conn("a", Held(1, session_id="s1", expires_at=now + timedelta(seconds=1)))
    later = _conn("b", Held(1, session_id="s2", expires_at=now + timedelta(hours=1)))
    never = _conn("c", Held(1, token_id=3))
    for c in (later, soon, never):
        registry.add(c, time.monotonic())
    assert registry.expired(now) == []
    assert registry.expired(now + timedelta(seconds=2)) == [soon]
    assert registry.expired(now + timedelta(seconds=2)) == []
    registry.remove("/meetings", "b")
    assert registry.expired(now + timedelta(days=1)) == []  # disconnected before
    # connections that come and go leave no expiries behind
    for n in range(1000):
        c = _conn(f"x{n}", Held(1, token_id=9, expires_at=now + timedelta(days=3650)))
        registry.add(c, time.monotonic())
        registry.remove("/meetings", f"x{n}")
    assert len(registry._expiries) <= 2 * len(registry.connections) + 64


def test_the_recheck_goes_through_every_connection_a_slice_at_a_time(tmp_path: Path) -> None:
    registry = Registry()
    for n in range(1000):
        registry.add(_conn(f"s{n}", Held(n, token_id=n)), time.monotonic())
    watch = Watch(None, registry, make_settings(tmp_path, f"sqlite:///{tmp_path / 'x.db'}"), None)
    ticks = int(REVALIDATE_SECONDS / TICK_SECONDS)
    seen: list[str] = []
    used = 0
    while len(seen) < 1000:
        batch = watch._next_batch()
        assert len(batch) <= -(-1000 // ticks)
        seen.extend(c.sid for c in batch)
        used += 1
    assert used <= ticks  # a pass takes no longer than REVALIDATE_SECONDS
    assert sorted(seen) == sorted(f"s{n}" for n in range(1000))  # each once in a pass
    registry.remove("/meetings", "s5")
    assert "s5" not in [c.sid for c in watch._next_batch() + watch._next_batch()]


def test_sockets_and_meeting_rooms_reach_the_metrics() -> None:
    import asyncio

    from ecabinet.core import metrics

    class Rooms:  # the two calls Connection makes of the Socket.IO server
        async def enter_room(self, sid: str, room: str, namespace: str) -> None: ...
        async def leave_room(self, sid: str, room: str, namespace: str) -> None: ...

    sockets = metrics.SOCKETS.labels("/meetings")
    base_sockets, base_rooms = sockets._value.get(), metrics.ROOMS._value.get()
    registry = Registry()
    a, b = _conn("ma", Held(1, session_id="x1")), _conn("mb", Held(2, session_id="x2"))
    for c in (a, b):
        assert registry.add(c, time.monotonic())
    assert sockets._value.get() == base_sockets + 2

    async def moves() -> None:
        sio = Rooms()
        await a.enter(sio, 901)
        await a.enter(sio, 901)  # again: one membership
        await b.enter(sio, 901)
        await b.enter(sio, 902)
        assert metrics.ROOMS._value.get() == base_rooms + 2
        await b.leave(sio, 902)
        await b.leave(sio, 902)
        assert metrics.ROOMS._value.get() == base_rooms + 1
        registry.remove("/meetings", "ma")
        assert metrics.ROOMS._value.get() == base_rooms + 1  # b is still in 901
        await a.leave(sio, 901)  # a leave under way as it went: nothing counted twice
        registry.remove("/meetings", "mb")

    asyncio.run(moves())
    assert metrics.ROOMS._value.get() == base_rooms
    assert sockets._value.get() == base_sockets
