"""The Socket.IO server beside the Starlette app.

Connections are authenticated with the login session cookie or an API token
(``auth={"token": ...}``) and refused otherwise. Each connection joins its user's
room (``user:<id>``) so that services can reach a person on all their devices. With
a Redis URL configured, rooms span every process (python-socketio's Redis manager, on
the deployment's channel ``ECABINET_REDIS_CHANNEL``).
Room emits go through ``realtime.fanout``'s managers: one packet queued on each socket
instead of a task per recipient.
Only the WebSocket transport is served, so no sticky sessions are needed.

Every connection is registered with what it holds (:mod:`realtime.connections`); a
credential or a seat that ends is cut in every process (:mod:`realtime.watch`). Meeting
rooms hear a heartbeat with their last event number, and are told to resync after Redis
failed them (:mod:`realtime.resync`).
Live meetings are the ``/meetings`` namespace (:mod:`realtime.namespaces.meetings`);
:func:`publisher` is what the HTTP layer calls after a commit, so a change made over
REST reaches the tablets as one made over the socket does.
"""

from __future__ import annotations

import logging
from typing import Any

import socketio
from sqlalchemy import Engine

from ecabinet.core import outbox
from ecabinet.core.settings import Settings
from ecabinet.core.storage import ObjectStore, open_store
from realtime import limits
from realtime.connections import Registry
from realtime.fanout import FastManager, FastRedisManager, broadcast
from realtime.namespaces.meetings import NAMESPACE, MeetingsNamespace, Publish
from realtime.packets import BoundedPacket
from realtime.resync import Resync
from realtime.watch import Watch

log = logging.getLogger("ecabinet.realtime")
RESERVED = frozenset(
    {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}
)
"""Event names of the handshake and of the client library: never a client's to send."""


def user_room(user_id: int) -> str:
    return outbox.user_room(user_id)


class Server(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio's server, minus client events it would mistake for its own.

    python-socketio hands a client's EVENT packet named ``connect`` or ``disconnect`` to
    the same handlers as the real handshake and disconnection (``AsyncServer._handle_event``
    → ``_trigger_event``): a client could re-run authentication with a fresh flood
    bucket, or unregister itself while staying in its rooms. Such events, and events
    without a name, are dropped here, before any handler."""

    watch: Watch
    resync: Resync

    async def _handle_event(self, eio_sid: str, namespace: str | None, id: Any, data: Any) -> None:
        if not isinstance(data, list) or not data or not isinstance(data[0], str):
            return
        if data[0] in RESERVED:
            log.debug("dropped a client event named %r", data[0])
            return
        await super()._handle_event(eio_sid, namespace, id, data)


def publisher(sio: Server) -> Publish:
    """Send committed outbox messages to their rooms of the meetings namespace, in order;
    then end what the cuts end, in every process."""

    async def publish(items: list[outbox.Outgoing]) -> None:
        cuts = [item for item in items if isinstance(item, outbox.Cut)]
        if cuts:  # first: nothing committed with a cut reaches what it cuts
            await sio.watch.send(cuts)
        for item in items:
            if isinstance(item, outbox.Message):
                await broadcast(sio, item.event, item.data, item.room, NAMESPACE)

    return publish


def create_server(settings: Settings, engine: Engine, store: ObjectStore | None = None) -> Server:
    """Build the server; with ``settings.redis_url`` it fans out through Redis."""
    manager = (
        FastRedisManager(settings.redis_url, channel=settings.redis_channel)
        if settings.redis_url
        else FastManager()
    )
    sio = Server(
        async_mode="asgi",
        client_manager=manager,
        transports=["websocket"],
        cors_allowed_origins=[settings.public_base_url],
        max_http_buffer_size=limits.MAX_FRAME_BYTES,
        serializer=BoundedPacket,
        logger=False,
        engineio_logger=False,
    )
    watch = Watch(sio, Registry(), settings, engine)
    sio.watch = watch
    resync = Resync(sio, engine, settings)
    sio.resync = resync
    if isinstance(manager, FastRedisManager):
        manager.on_publish_failed = resync.publish_failed
        manager.on_resubscribed = resync.resubscribed

    async def connect(sid: str, environ: dict[str, Any], data: Any = None) -> None:
        connection = await watch.admit(sid, "/", environ, data)
        resync.start()
        await sio.enter_room(sid, user_room(connection.held.user_id))
        log.debug("socket %s connected as user %s", sid, connection.held.user_id)

    async def disconnect(sid: str, reason: Any = None) -> None:
        watch.registry.remove("/", sid)

    sio.on("connect", connect)
    sio.on("disconnect", disconnect)
    store = store or open_store(settings)
    sio.register_namespace(MeetingsNamespace(settings, engine, store, publisher(sio), watch))
    return sio
