"""Ending live connections whose credential or seat has ended.

- A service that ends a credential or a seat records a :class:`~ecabinet.core.outbox.Cut`
  in its transaction; after commit, :meth:`Watch.send` hands it to every process: through
  Redis pub/sub (the channel ``<socket.io channel>.cuts``) when Redis is configured, else
  straight to this one. Each process disconnects its sockets that hold the credential
  (after an ``ended`` event saying why), or takes them out of the meeting's room (after a
  ``removed`` event).
- Expiry needs no act: each process cuts its sockets when their session's or token's
  expiry passes (checked four times a second).
- Every :data:`REVALIDATE_SECONDS`, the credentials and seats of this process's sockets
  are checked against the database in batched queries, a slice at each tick: a backstop
  for changes made behind the app's back (the command line without Redis, an edit in
  SQL) or cuts missed while Redis was away (then all at once, on reconnecting).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
import uuid
from collections import deque
from typing import Any, get_args

import anyio.to_thread
import redis
import redis.asyncio
from sqlalchemy import Engine

from ecabinet.core import credentials, errors
from ecabinet.core.db import session_scope
from ecabinet.core.outbox import Cut, CutKind
from ecabinet.core.settings import Settings
from ecabinet.core.types import utcnow
from ecabinet.meetings import participants
from realtime import auth
from realtime.connections import Connection, Registry
from realtime.fanout import deliver_local

log = logging.getLogger("ecabinet.realtime")
CUT_KINDS: tuple[str, ...] = get_args(CutKind)
"""What a cut may end (a tuple: what comes from Redis may be unhashable)."""
REVALIDATE_SECONDS = 30.0
TICK_SECONDS = 0.25
MEETINGS = "/meetings"
ENDED = {
    "code": "auth.ended",
    "message": {
        "vi": "Phiên đăng nhập đã kết thúc hoặc mã truy cập không còn hiệu lực.",
        "en": "Your login session has ended or your access token is no longer valid.",
    },
}
REMOVED = {
    "code": "meeting.removed",
    "message": {
        "vi": "Bạn không còn tham dự cuộc họp này.",
        "en": "You no longer take part in this meeting.",
    },
}


def cuts_channel(settings: Settings) -> str:
    """The pub/sub channel of cuts: the deployment's Socket.IO channel, suffixed."""
    return settings.redis_channel + ".cuts"


def _encode(cut: Cut, host: str = "") -> str:
    return json.dumps(cut.as_dict() | {"host": host})


def _decode(raw: Any) -> tuple[Cut, str] | None:
    """A cut and the process that sent it (``""``: the command line)."""
    try:
        data = json.loads(raw)
        kind, key, meeting_id = data["kind"], str(data["key"]), data.get("meeting_id")
        host = str(data.get("host", ""))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if kind not in CUT_KINDS:
        return None
    if meeting_id is not None and not isinstance(meeting_id, int):
        return None
    return Cut(kind, key, meeting_id), host


def publish_now(settings: Settings, cuts: list[Cut]) -> None:
    """From a process that serves no sockets (the command line): tell the servers through
    Redis, if configured (without Redis, their periodic re-validation catches up)."""
    if not cuts or not settings.redis_url:
        return
    client: Any = redis.Redis.from_url(settings.redis_url, socket_timeout=5)
    try:
        for cut in cuts:
            client.publish(cuts_channel(settings), _encode(cut))
    finally:
        client.close()


class Watch:
    def __init__(self, sio: Any, registry: Registry, settings: Settings, engine: Engine) -> None:
        self.sio = sio
        self.registry = registry
        self.settings = settings
        self.engine = engine
        self.channel = cuts_channel(settings)
        self.host = uuid.uuid4().hex
        self._redis: Any = None
        self._tasks: list[asyncio.Task[None]] = []
        self._pass: deque[Connection] = deque()
        self._per_tick = 1
        self._subscribed: asyncio.Event | None = None

    # admitting ----------------------------------------------------------------------

    async def admit(
        self, sid: str, namespace: str, environ: dict[str, Any], data: Any
    ) -> Connection:
        """The handshake of a connection: resolve its credential and register it, or
        refuse it (``ConnectionRefusedError``). A cut of the credential that goes by
        while it is being resolved refuses it too."""
        await self.start()
        credential = auth.credential_of(environ, data)
        since = time.monotonic()
        try:
            held = await anyio.to_thread.run_sync(auth.held, self.engine, self.settings, credential)
        except errors.Unavailable as exc:  # refused with the reason, not a crash
            errors.log_outage(log, f"socket connect {namespace}", exc)
            raise auth.unavailable(exc) from None
        if held is None:
            raise auth.not_logged_in()
        connection = Connection(sid, namespace, credential, held)
        if not self.registry.add(connection, since):
            raise auth.not_logged_in()
        return connection

    # sending ------------------------------------------------------------------------

    async def send(self, cuts: list[Cut]) -> None:
        """Hand committed cuts to every process: this one at once, the others through
        Redis (if it is away, they catch up at their next re-validation)."""
        for cut in cuts:
            await self.apply(cut)
        if not self.settings.redis_url:
            return
        try:
            client = self._client()
            for cut in cuts:
                await client.publish(self.channel, _encode(cut, self.host))
        except Exception:
            log.exception("could not publish %d cuts through Redis", len(cuts))

    def _client(self) -> Any:
        if self._redis is None:
            self._redis = redis.asyncio.Redis.from_url(
                self.settings.redis_url or "", socket_timeout=5
            )
        return self._redis

    async def apply(self, cut: Cut) -> None:
        """End what ``cut`` ends among this process's connections."""
        for connection in self.registry.note(cut):
            if cut.kind == "seat" and cut.meeting_id is not None:
                await self._leave(connection, cut.meeting_id)
            else:
                await self._end(connection)

    async def _end(self, connection: Connection) -> None:
        if connection.namespace == MEETINGS:
            await deliver_local(
                self.sio, "ended", ENDED, namespace=connection.namespace, room=connection.sid
            )
        self.registry.remove(connection.namespace, connection.sid)
        await self.sio.disconnect(connection.sid, namespace=connection.namespace, ignore_queue=True)

    async def _leave(self, connection: Connection, meeting_id: int) -> None:
        await connection.leave(self.sio, meeting_id)
        await deliver_local(
            self.sio,
            "removed",
            REMOVED | {"meeting_id": meeting_id},
            namespace=connection.namespace,
            room=connection.sid,
        )

    # running ------------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening (once per process); return when cuts from other processes are
        heard (or after 5 s if Redis does not answer: the re-validation covers that)."""
        if self._subscribed is not None and self._subscribed.is_set():
            return
        if self._subscribed is None:
            self._subscribed = asyncio.Event()
            self._tasks = [asyncio.create_task(self._ticks())]
            if self.settings.redis_url:
                self._tasks.append(asyncio.create_task(self._listen()))
            else:
                self._subscribed.set()
        try:
            await asyncio.wait_for(self._subscribed.wait(), 5)
        except TimeoutError:
            log.error("not subscribed to %s yet: cuts from other processes may wait", self.channel)

    async def _listen(self) -> None:
        assert self._subscribed is not None
        while True:
            try:
                client: Any = redis.asyncio.Redis.from_url(self.settings.redis_url or "")
                async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.channel)
                    if self._subscribed.is_set():  # back after a loss: cuts may have passed
                        await self.revalidate()
                    self._subscribed.set()
                    async for message in pubsub.listen():
                        found = _decode(message.get("data"))
                        if found is not None and found[1] != self.host:
                            await self.apply(found[0])
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("listening for cuts on %s failed; again in 1 s", self.channel)
                await asyncio.sleep(1)

    async def _ticks(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            try:
                for connection in self.registry.expired(utcnow()):
                    await self._end(connection)
                batch = self._next_batch()
                if batch:
                    await self.revalidate(batch)
            except asyncio.CancelledError:
                raise
            except errors.Unavailable as exc:
                errors.log_outage(log, "checking the connections' credentials", exc)
            except Exception:
                log.exception("checking the connections' credentials failed")

    def _next_batch(self) -> list[Connection]:
        """The connections to re-check at this tick: a slice of the current pass, sized so
        that each is re-checked about every :data:`REVALIDATE_SECONDS` (a thousand sockets
        at once held the server's core for tens of milliseconds: a broadcast waited)."""
        if not self._pass:
            self._pass = deque(self.registry.connections.values())
            ticks = max(1.0, REVALIDATE_SECONDS / TICK_SECONDS)
            self._per_tick = max(1, math.ceil(len(self._pass) / ticks))
        batch: list[Connection] = []
        while self._pass and len(batch) < self._per_tick:
            connection = self._pass.popleft()
            if self.registry.alive(connection):
                batch.append(connection)
        return batch

    async def revalidate(self, connections: list[Connection] | None = None) -> None:
        """Check the credential and seats of ``connections`` (all of this process's by
        default) against the database; cut what has ended. Connections made while the
        check runs wait for the next one."""
        chosen = list(self.registry.connections.values()) if connections is None else connections
        checked = [(c, frozenset(c.meetings)) for c in chosen]
        if not checked:
            return
        seats: dict[int, set[int]] = {}
        for connection, meetings in checked:
            for meeting_id in meetings:
                seats.setdefault(meeting_id, set()).add(connection.held.user_id)

        def check() -> tuple[set[credentials.Held], dict[int, set[int]]]:
            with session_scope(self.engine, write=False) as session:
                good = credentials.alive(session, [c.held for c, _ in checked])
                seated = {
                    meeting_id: participants.still_seated(session, meeting_id, users)
                    for meeting_id, users in seats.items()
                }
            return good, seated

        good, seated = await anyio.to_thread.run_sync(check)
        for connection, meetings in checked:
            if not self.registry.alive(connection):
                continue
            if connection.held not in good:
                await self._end(connection)
                continue
            for meeting_id in meetings & connection.meetings:
                if connection.held.user_id not in seated[meeting_id]:
                    await self._leave(connection, meeting_id)
