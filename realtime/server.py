"""The Socket.IO server beside the Starlette app.

Connections are authenticated with the login session cookie or an API token
(``auth={"token": ...}``) and refused otherwise. Each connection joins its user's
room (``user:<id>``) so that services can reach a person on all their devices. With
a Redis URL configured, rooms span every process (python-socketio's Redis manager).
Room emits go through ``realtime.fanout``'s managers: one packet queued on each socket
instead of a task per recipient.
Only the WebSocket transport is served, so no sticky sessions are needed.
"""

from __future__ import annotations

import logging
from http.cookies import CookieError, SimpleCookie
from typing import Any

import anyio.to_thread
import socketio
from sqlalchemy import Engine

from ecabinet.core import auth
from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from realtime.fanout import FastManager, FastRedisManager

log = logging.getLogger("ecabinet.realtime")
SESSION_COOKIE = "ecabinet_session"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def _refusal(code: str, vi: str, en: str) -> ConnectionRefusedError:
    return ConnectionRefusedError({"code": code, "message": {"vi": vi, "en": en}})


def create_server(settings: Settings, engine: Engine) -> socketio.AsyncServer:
    """Build the server; with ``settings.redis_url`` it fans out through Redis."""
    manager = FastRedisManager(settings.redis_url) if settings.redis_url else FastManager()
    sio = socketio.AsyncServer(
        async_mode="asgi",
        client_manager=manager,
        transports=["websocket"],
        cors_allowed_origins=[settings.public_base_url],
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
            raise _refusal("auth.bad_token", "Mã truy cập không hợp lệ.", "Invalid token.")
        principal = await anyio.to_thread.run_sync(resolve, _cookie(environ), token)
        if principal is None or principal.user.id is None:
            raise _refusal("auth.required", "Bạn cần đăng nhập.", "You need to log in.")
        await sio.save_session(sid, {"user_id": principal.user.id})
        await sio.enter_room(sid, user_room(principal.user.id))
        log.debug("socket %s connected as user %s", sid, principal.user.id)

    sio.on("connect", connect)

    return sio


def _cookie(environ: dict[str, Any]) -> str | None:
    raw = environ.get("HTTP_COOKIE")
    if not raw:
        return None
    try:
        jar = SimpleCookie(raw)
    except CookieError:
        return None
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel else None
