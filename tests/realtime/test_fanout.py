"""Room broadcasts through realtime.fanout, on a real uvicorn server with real clients."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
import socketio

from realtime import fanout
from tests.support.live import serve
from tests.test_realtime import REDIS_URL, _connect

AGENDA = {
    "item": 3,
    "title": "Tờ trình dự thảo Nghị quyết về giá đất năm 2026",
    "presenter": "Sở Tài nguyên và Môi trường",
    "attachments": [{"name": "Dự thảo.pdf", "pages": 12}],
    "ratio": 0.5,
    "done": False,
    "note": None,
}

Hook = Callable[[socketio.AsyncServer, dict[str, Any]], Awaitable[None]]


def _server(manager: Any, before: Hook | None = None) -> tuple[socketio.AsyncServer, Any]:
    """A server whose clients pick their room, and whose ``broadcast`` event sends
    ``count`` agenda events to a room through the fast path (``before`` runs first)."""
    sio = socketio.AsyncServer(
        async_mode="asgi", client_manager=manager, transports=["websocket"], logger=False
    )

    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        await sio.enter_room(sid, (auth or {}).get("room", "meeting"))

    async def on_broadcast(sid: str, msg: dict[str, Any]) -> bool:
        if before:
            await before(sio, msg)
        for seq in range(msg.get("count", 1)):
            await fanout.broadcast(sio, "agenda", {**AGENDA, "seq": seq}, msg["room"])
        return True

    sio.on("connect", connect)
    sio.on("broadcast", on_broadcast)
    return sio, socketio.ASGIApp(sio)


async def _tablets(
    base: str, count: int, room: str = "meeting"
) -> tuple[list[socketio.AsyncClient], dict[int, list[Any]]]:
    """``count`` clients in ``room``; what each receives, by its index."""
    got: dict[int, list[Any]] = defaultdict(list)
    clients = []
    for i in range(count):
        client = await _connect(base, auth={"room": room})
        client.on("agenda", lambda data, i=i: got[i].append(data))
        clients.append(client)
    return clients, got


async def _settle(got: dict[int, list[Any]], expect: dict[int, int], seconds: float = 5) -> None:
    """Wait until each client has at least the expected number of events."""
    for _ in range(int(seconds / 0.02)):
        if all(len(got[i]) >= n for i, n in expect.items()):
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.2)  # anything extra (a duplicate) would arrive by now


def test_every_client_in_the_room_gets_the_event_once_and_no_one_else() -> None:
    _, asgi = _server(fanout.FastManager())
    with serve(asgi) as base:

        async def scenario() -> None:
            members, got = await _tablets(base, 5)
            guests, guests_got = await _tablets(base, 2, room="other")
            assert await members[0].call("broadcast", {"room": "meeting"}, timeout=10)
            await _settle(got, {i: 1 for i in range(5)})
            assert dict(got) == {i: [{**AGENDA, "seq": 0}] for i in range(5)}
            assert dict(guests_got) == {}
            for client in members + guests:
                await client.disconnect()

        asyncio.run(scenario())


def test_plain_emit_to_a_room_or_a_client_takes_the_fast_path_too() -> None:
    sio, asgi = _server(fanout.FastManager())
    with serve(asgi) as base:

        async def scenario() -> None:
            members, got = await _tablets(base, 3)
            direct: list[Any] = []
            members[1].on("notice", direct.append)

            async def on_emit(sid: str, msg: dict[str, Any]) -> bool:
                await sio.emit("agenda", {"seq": -1}, room="meeting")
                await sio.emit("notice", "chỉ cho bạn", to=msg["to"])
                return True

            sio.on("emit", on_emit)
            assert await members[0].call("emit", {"to": members[1].get_sid()}, timeout=10)
            await _settle(got, {i: 1 for i in range(3)})
            assert all(got[i] == [{"seq": -1}] for i in range(3))
            assert direct == ["chỉ cho bạn"]
            for client in members:
                await client.disconnect()

        asyncio.run(scenario())


def test_order_of_consecutive_broadcasts_is_kept_per_client() -> None:
    _, asgi = _server(fanout.FastManager())
    with serve(asgi) as base:

        async def scenario() -> None:
            members, got = await _tablets(base, 4)
            await members[0].call("broadcast", {"room": "meeting", "count": 100}, timeout=20)
            await _settle(got, {i: 100 for i in range(4)}, seconds=20)
            for i in range(4):
                assert [e["seq"] for e in got[i]] == list(range(100))
            for client in members:
                await client.disconnect()

        asyncio.run(scenario())


@pytest.mark.parametrize("how", ["gone", "closing", "stopped answering pings"])
def test_a_socket_lost_before_the_broadcast_does_not_stop_the_others(how: str) -> None:
    """The room still lists the socket: engine.io dropped it, is closing it, or its
    client stopped answering pings (engine.io closes it on the way)."""

    async def lose(sio: socketio.AsyncServer, msg: dict[str, Any]) -> None:
        eio_sid = sio.manager.eio_sid_from_sid(msg["victim"], "/")
        if how == "gone":
            sio.eio.sockets.pop(eio_sid)
        elif how == "closing":
            sio.eio.sockets[eio_sid].closing = True
        else:
            sio.eio.sockets[eio_sid].last_ping = time.time() - 3600

    _, asgi = _server(fanout.FastManager(), before=lose)
    with serve(asgi) as base:

        async def scenario() -> None:
            members, got = await _tablets(base, 4)
            victim = members[2].get_sid()
            await members[0].call("broadcast", {"room": "meeting", "victim": victim}, timeout=10)
            await _settle(got, {0: 1, 1: 1, 3: 1})
            assert [len(got[i]) for i in (0, 1, 3)] == [1, 1, 1]
            assert 2 not in got
            for client in members:
                await client.disconnect()

        asyncio.run(scenario())


def test_a_client_gone_without_a_word_does_not_stop_the_others() -> None:
    """Its TCP connection is cut; whether or not the server has noticed when the
    broadcast starts, the others get every event."""
    _, asgi = _server(fanout.FastManager())
    with serve(asgi) as base:

        async def scenario() -> None:
            members, got = await _tablets(base, 4)
            ws = members[1].eio.ws
            ws._response.connection.transport.abort()  # no close frame, no FIN handshake
            await members[0].call("broadcast", {"room": "meeting", "count": 20}, timeout=10)
            await _settle(got, {0: 20, 2: 20, 3: 20})
            for i in (0, 2, 3):
                assert [e["seq"] for e in got[i]] == list(range(20))
            for client in members:
                if client.connected:
                    await client.disconnect()

        asyncio.run(scenario())


@contextmanager
def _two_processes_with_redis() -> Iterator[tuple[str, str]]:
    """Two servers, each with its own FastRedisManager (as two processes would have),
    on a channel of this test's own."""
    channel = f"ecabinet-test-{uuid.uuid4().hex}"
    with ExitStack() as stack:
        urls = [
            stack.enter_context(serve(_server(fanout.FastRedisManager(REDIS_URL, channel))[1]))
            for _ in range(2)
        ]
        yield urls[0], urls[1]


def test_over_redis_each_process_delivers_to_its_own_sockets_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def library_path(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a room emit went through AsyncManager.emit")

    monkeypatch.setattr(socketio.AsyncManager, "emit", library_path)
    with _two_processes_with_redis() as (a, b):

        async def scenario() -> None:
            here, got_here = await _tablets(a, 2)
            there, got_there = await _tablets(b, 3)
            guests, guests_got = await _tablets(b, 1, room="other")
            for _ in range(50):  # process b's subscriber may still be joining the channel
                await here[0].call("broadcast", {"room": "meeting"}, timeout=10)
                await asyncio.sleep(0.1)
                if got_there:
                    break
            got_here.clear()
            got_there.clear()
            await here[0].call("broadcast", {"room": "meeting", "count": 30}, timeout=10)
            await _settle(got_here, {0: 30, 1: 30})
            await _settle(got_there, {0: 30, 1: 30, 2: 30})
            for got in (got_here, got_there):
                for events in got.values():
                    assert events == [{**AGENDA, "seq": seq} for seq in range(30)]
            assert len(got_there) == 3
            assert dict(guests_got) == {}
            for client in here + there + guests:
                await client.disconnect()

        asyncio.run(scenario())


def test_over_redis_a_burst_of_emits_reaches_the_other_process_whole(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """More emits at once than redis-py's default pool has connections (100): they wait
    for a connection instead of failing, reconnecting and trying again."""
    channel = f"ecabinet-test-{uuid.uuid4().hex}"
    sio, asgi = _server(fanout.FastRedisManager(REDIS_URL, channel))

    async def on_burst(sid: str, msg: Any) -> bool:
        emits = (sio.emit("agenda", {"seq": i}, room="meeting") for i in range(500))
        await asyncio.gather(*emits)
        return True

    sio.on("burst", on_burst)
    caplog.set_level(logging.ERROR)
    other = _server(fanout.FastRedisManager(REDIS_URL, channel))[1]
    with serve(asgi) as a, serve(other) as b:

        async def scenario() -> None:
            control = await _connect(a, auth={"room": "control"})
            members, got = await _tablets(b, 1)
            for _ in range(50):  # process b's subscriber may still be joining the channel
                await control.call("broadcast", {"room": "meeting"}, timeout=10)
                await asyncio.sleep(0.1)
                if got:
                    break
            got.clear()
            assert await control.call("burst", {}, timeout=30)
            await _settle(got, {0: 500}, seconds=20)
            assert sorted(e["seq"] for e in got[0]) == list(range(500))
            assert "Cannot publish" not in caplog.text
            for client in [control, *members]:
                await client.disconnect()

        asyncio.run(scenario())
