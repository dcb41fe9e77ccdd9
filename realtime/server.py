"""The Socket.IO server beside the Starlette app.

Connections are authenticated with the login session cookie or an API token
(``auth={"token": ...}``) and refused otherwise. Each connection joins its user's
room (``user:<id>``) so that services can reach a person on all their devices. With
a Redis URL configured, rooms span every process (python-socketio's Redis manager).
Room emits go through ``realtime.fanout``'s managers: one packet queued on each socket
instead of a task per recipient.
Only the WebSocket transport is served, so no sticky sessions are needed.

Live meetings are the ``/meetings`` namespace (:mod:`realtime.namespaces.meetings`);
:func:`publisher` is what the HTTP layer calls after a commit, so a change made over
REST reaches the tablets as one made over the socket does.
"""

from __future__ import annotations

import logging
from typing import Any

import anyio.to_thread
import socketio
from sqlalchemy import Engine

from ecabinet.core import auth, outbox
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore, open_store
from realtime import limits
from realtime.auth import cookie_of, refusal
from realtime.fanout import FastManager, FastRedisManager, broadcast
from realtime.namespaces.meetings import NAMESPACE, MeetingsNamespace, Publish

log = logging.getLogger("ecabinet.realtime")


def user_room(user_id: int) -> str:
    return outbox.user_room(user_id)


def publisher(sio: socketio.AsyncServer) -> Publish:
    """Send committed outbox messages to their rooms of the meetings namespace, in order."""

    async def publish(messages: list[outbox.Message]) -> None:
        for message in messages:
            await broadcast(sio, message.event, message.data, message.room, NAMESPACE)

    return publish


def create_server(
    settings: Settings, engine: Engine, store: ObjectStore | None = None
) -> socketio.AsyncServer:
    """Build the server; with ``settings.redis_url`` it fans out through Redis."""
    manager = FastRedisManager(settings.redis_url) if settings.redis_url else FastManager()
    sio = socketio.AsyncServer(
        async_mode="asgi",
        client_manager=manager,
        transports=["websocket"],
        cors_allowed_origins=[settings.public_base_url],
        max_http_buffer_size=limits.MAX_FRAME_BYTES,
        logger=False,
        engineio_logger=False,
    )

    def resolve(cookie: str | None, token: str | None) -> auth.Principal | None:
        with session_scope(engine, write=False) as session:
            if token:
                return auth.principal_from_token(session, token)
            if cookie:
                return auth.principal_from_cookie(session, settings, cookie)
        return None

    async def connect(sid: str, environ: dict[str, Any], data: Any = None) -> None:
        token = data.get("token") if isinstance(data, dict) else None
        if token is not None and not isinstance(token, str):
            raise refusal("auth.bad_token", "Mã truy cập không hợp lệ.", "Invalid token.")
        principal = await anyio.to_thread.run_sync(resolve, cookie_of(environ), token)
        if principal is None or principal.user.id is None:
            raise refusal("auth.required", "Bạn cần đăng nhập.", "You need to log in.")
        await sio.save_session(sid, {"user_id": principal.user.id})
        await sio.enter_room(sid, user_room(principal.user.id))
        log.debug("socket %s connected as user %s", sid, principal.user.id)

    sio.on("connect", connect)
    store = store or open_store(settings)
    sio.register_namespace(MeetingsNamespace(settings, engine, store, publisher(sio)))
    return sio
