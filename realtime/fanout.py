"""Room broadcasts that cost little per recipient.

python-socketio's ``AsyncManager.emit`` encodes a room event once, then starts one
asyncio task per recipient (``_send_eio_packet``) and waits for all of them: about 40 ms
of a single core per agenda change to a thousand tablets, before a byte is written. Here
the engine.io packet is built once and put straight on each recipient's outgoing queue
(about 6 ms for a thousand), the queue engine.io's own writer task drains, so the order
of packets per socket is the order of the calls, as with the library. This reads
engine.io's socket table and socket fields (python-engineio 4); tests/realtime covers
them.

With Redis, :class:`FastRedisManager` publishes one message and every process (this one
included) delivers it to its own sockets through the same path: python-socketio's
pub/sub manager hands a received emit to ``super().emit``, which the class order below
points at :class:`FastManager`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlparse

import socketio
from engineio import packet as eio_packet
from redis.asyncio import BlockingConnectionPool, Redis
from socketio import packet as sio_packet
from socketio.async_pubsub_manager import AsyncPubSubManager

from ecabinet.core import metrics

log = logging.getLogger("ecabinet.realtime")
REDIS_CONNECTIONS = 32  # per process; publishes beyond that wait their turn


def _eio_packets(server: Any, event: str, data: Any, namespace: str) -> list[Any]:
    """The engine.io packets of one Socket.IO event, encoded once for everyone.

    engine.io caches a packet's encoding on the packet, so sharing the objects means
    the JSON text is built once, not once per socket."""
    args = list(data) if isinstance(data, tuple) else ([] if data is None else [data])
    pkt = server.packet_class(sio_packet.EVENT, namespace=namespace, data=[event, *args])
    encoded = pkt.encode()  # a list when there are binary attachments
    packets = [
        eio_packet.Packet(eio_packet.MESSAGE, part)
        for part in (encoded if isinstance(encoded, list) else [encoded])
    ]
    for p in packets:
        p.encode()
    return packets


async def deliver_local(
    server: Any,
    event: str,
    data: Any,
    *,
    namespace: str = "/",
    room: str | list[str] | None = None,
    skip_sid: str | list[str] | None = None,
) -> int:
    """Send an event to this process's sockets in ``room`` (all of the namespace when
    ``None``); return how many sockets it was queued for.

    A socket that is closing or gone is skipped; one whose client stopped answering pings
    goes through engine.io's own ``send``, which closes it."""
    manager = server.manager
    if namespace not in manager.rooms:
        return 0
    skip: Iterable[str | None] = skip_sid if isinstance(skip_sid, list) else [skip_sid]
    skipped = set(skip)
    packets = _eio_packets(server, event, data, namespace)
    eio = server.eio
    sockets = eio.sockets
    ping_timeout = eio.ping_timeout
    now = time.time()
    slow: list[Any] = []
    sent = 0
    for sid, eio_sid in manager.get_participants(namespace, room):
        if sid in skipped:
            continue
        socket = sockets.get(eio_sid)
        if socket is None or socket.closed or socket.closing:
            continue
        if socket.last_ping and now - socket.last_ping > ping_timeout:
            slow.append(socket)
            continue
        queue = socket.queue
        try:
            for p in packets:
                queue.put_nowait(p)
        except asyncio.QueueFull:  # engine.io's queues are unbounded; be safe anyway
            slow.append(socket)
            continue
        sent += 1
    metrics.DELIVERIES.inc(sent)
    for socket in slow:  # rare: let engine.io decide whether the socket is still alive
        try:
            for p in packets:
                await socket.send(p)
        except Exception:  # a socket closed under us must not stop the others
            log.debug("socket %s dropped during a broadcast", socket.sid, exc_info=True)
    return sent


class FastManager(socketio.AsyncManager):  # type: ignore[misc]
    """The in-process client manager, with room emits through :func:`deliver_local`.

    Emits that expect an acknowledgement keep the library's path: each recipient needs
    its own packet id there."""

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str | None = None,
        room: str | list[str] | None = None,
        skip_sid: str | list[str] | None = None,
        callback: Any = None,
        to: str | list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        if callback is not None:
            await super().emit(
                event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, to=to
            )
            return
        await deliver_local(
            self.server, event, data, namespace=namespace or "/", room=to or room, skip_sid=skip_sid
        )


class FastRedisManager(socketio.AsyncRedisManager, FastManager):  # type: ignore[misc]
    """Redis manager whose local delivery is :class:`FastManager`'s.

    The method order is FastRedisManager, AsyncRedisManager, AsyncPubSubManager,
    FastManager, AsyncManager: the pub/sub layer publishes, and its ``super().emit``
    for the sockets of this process lands in :meth:`FastManager.emit`."""

    def _redis_connect(self) -> None:
        """Publish through a pool that waits for a free connection.

        redis-py's default asyncio pool raises MaxConnectionsError past 100 connections in
        use; python-socketio then logs an error, builds a new client (and pool) for each
        failed publish, and drops the message if the second try fails too. A burst of
        emits gets there: 500 tablets reconnecting, each sent its snapshot."""
        super()._redis_connect()
        if urlparse(self.redis_url).scheme not in {"redis", "rediss", "unix"}:
            return  # sentinel and valkey keep the library's own pool
        pool = BlockingConnectionPool.from_url(
            self.redis_url, max_connections=REDIS_CONNECTIONS, timeout=10, **self.redis_options
        )
        self.redis = Redis.from_pool(pool)
        self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)


async def broadcast(
    sio: socketio.AsyncServer, event: str, data: Any, room: str, namespace: str = "/"
) -> None:
    """Send ``event`` with ``data`` to every socket in ``room``, in all processes.

    One process: queued straight on this process's sockets. Several processes: through
    the configured pub/sub manager (fast locally when it is a :class:`FastRedisManager`,
    the library's path with any other)."""
    metrics.EVENTS.labels(event).inc()
    if isinstance(sio.manager, AsyncPubSubManager):
        await sio.emit(event, data, room=room, namespace=namespace)
    else:
        await deliver_local(sio, event, data, namespace=namespace, room=room)
