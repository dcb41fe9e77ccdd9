"""Socket.IO: authenticated connections only, and fan-out across processes through Redis."""

import asyncio
from pathlib import Path

import pytest
import socketio
from sqlalchemy import Engine
from starlette.testclient import TestClient

from ecabinet.app import create_app
from ecabinet.core.auth import principal_from_token
from ecabinet.core.db import session_scope
from realtime.server import create_server, user_room
from tests.conftest import make_settings
from tests.factories import login, make_world
from tests.support.live import serve

REDIS_URL = "redis://127.0.0.1:6379/15"


def _asgi(settings, engine):  # type: ignore[no-untyped-def]
    app = create_app(settings, engine=engine)
    sio = create_server(app.state.ctx.settings, engine)
    return sio, socketio.ASGIApp(sio, other_asgi_app=app)


def _token(engine: Engine, settings) -> str:  # type: ignore[no-untyped-def]
    app = create_app(settings, engine=engine)
    with TestClient(app) as client:
        csrf = login(client, "leader")
        r = client.post("/api/v1/tokens", json={"name": "tablet"}, headers={"X-CSRF-Token": csrf})
        secret: str = r.json()["token"]
    with session_scope(engine, write=False) as s:
        assert principal_from_token(s, secret) is not None
    return secret


async def _connect(url: str, **kwargs) -> socketio.AsyncClient:  # type: ignore[no-untyped-def]
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(url, transports=["websocket"], wait_timeout=10, **kwargs)
    return client


def test_connection_needs_a_valid_token(tmp_path: Path, database_url: str, engine: Engine) -> None:
    make_world(engine)
    settings = make_settings(tmp_path / "d", database_url)
    token = _token(engine, settings)
    _, asgi = _asgi(settings, engine)
    with serve(asgi) as base:

        async def scenario() -> None:
            for auth in (None, {"token": "ecab_wrong"}, {"token": 42}):
                with pytest.raises(socketio.exceptions.ConnectionError):
                    await _connect(base, auth=auth)
            client = await _connect(base, auth={"token": token})
            assert client.connected
            await client.disconnect()

        asyncio.run(scenario())


def test_events_published_to_redis_reach_sockets_on_this_process(
    tmp_path: Path, database_url: str, engine: Engine
) -> None:
    """Another process (a second app worker, the CLI) publishes through Redis; the socket
    connected here receives it in its user's room, and another user's room stays silent."""
    world = make_world(engine)
    settings = make_settings(tmp_path / "d", database_url, redis_url=REDIS_URL)
    token = _token(engine, settings)
    _, asgi = _asgi(settings, engine)
    leader_id, clerk_id = world.people["leader"].id, world.people["clerk"].id
    assert leader_id is not None and clerk_id is not None
    with serve(asgi) as base:

        async def scenario() -> None:
            client = await _connect(base, auth={"token": token})
            got: asyncio.Queue[object] = asyncio.Queue()
            client.on("notice", got.put_nowait)
            other = socketio.AsyncRedisManager(REDIS_URL, write_only=True)
            await other.emit("notice", {"text": "không phải của bạn"}, room=user_room(clerk_id))
            message = None
            for _ in range(50):  # the subscriber may still be joining the channel
                await other.emit("notice", {"text": "Có văn bản mới"}, room=user_room(leader_id))
                try:
                    message = await asyncio.wait_for(got.get(), 0.2)
                    break
                except TimeoutError:
                    continue
            assert message == {"text": "Có văn bản mới"}
            await client.disconnect()

        asyncio.run(scenario())
