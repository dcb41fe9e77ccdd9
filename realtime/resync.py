"""Tablets that end up with the server's state when Redis fails them.

A meeting event reaches the tablets on other processes through Redis; when Redis is away
the publish fails (python-socketio logs it and drops the message) and those tablets miss
the event while their sockets stay up. Three things bring them back:

- **Heartbeats.** Every ``ECABINET_HEARTBEAT_SECONDS`` each process tells the tablets in
  each meeting room *it* serves the number of the room's last event, read from the
  database (``heartbeat``: ``{meeting_id, seq, every}``), without Redis. A tablet behind
  that number asks for what it missed (``join`` with its last number); one that hears no
  heartbeat for three beats shows that it may be out of date.
- **Missed publishes.** A room whose event could not be published is marked; once Redis
  answers again, every process is told to have that room's tablets resync (``resync``:
  ``{meeting_id}``).
- **A listener back after a loss** tells its own process's rooms to resync (events
  published while it was away never reached it).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import anyio.to_thread
import redis.asyncio
from sqlalchemy import Engine

from ecabinet.core.db import session_scope
from ecabinet.core.settings import Settings
from ecabinet.meetings import events
from realtime.fanout import deliver_local

log = logging.getLogger("ecabinet.realtime")
MEETINGS = "/meetings"
ROOM_PREFIX = "meeting:"
MEND_SECONDS = 1.0
"""How often a process with missed publishes asks whether Redis is back."""


def _meeting_of(room: Any) -> int | None:
    if isinstance(room, str) and room.startswith(ROOM_PREFIX):
        number = room[len(ROOM_PREFIX) :]
        if number.isdigit():
            return int(number)
    return None


class Resync:
    def __init__(self, sio: Any, engine: Engine, settings: Settings) -> None:
        self.sio = sio
        self.engine = engine
        self.settings = settings
        self.every = settings.heartbeat_seconds
        self.missed: set[int] = set()
        """Meetings whose events some processes' tablets may have missed."""
        self._tasks: list[asyncio.Task[None]] = []
        self._mending: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the heartbeats (once per process)."""
        if not self._tasks:
            self._tasks.append(asyncio.create_task(self._beats()))

    def local_meetings(self) -> list[int]:
        """The meetings with a room of sockets in this process."""
        rooms = self.sio.manager.rooms.get(MEETINGS, {})
        found = (_meeting_of(room) for room, members in rooms.items() if members)
        return sorted(m for m in found if m is not None)

    # heartbeats ---------------------------------------------------------------------

    async def beat(self) -> None:
        """Tell each local meeting room its last event number (one query for all)."""
        meetings = self.local_meetings()
        if not meetings:
            return

        def read() -> dict[int, int]:
            with session_scope(self.engine, write=False) as session:
                return events.last_numbers(session, meetings)

        for meeting_id, seq in (await anyio.to_thread.run_sync(read)).items():
            beat = {"meeting_id": meeting_id, "seq": seq, "every": self.every}
            await deliver_local(
                self.sio, "heartbeat", beat, namespace=MEETINGS, room=ROOM_PREFIX + str(meeting_id)
            )

    async def _beats(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            try:
                await self.beat()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the meeting rooms' heartbeat failed")

    # missed publishes ---------------------------------------------------------------

    def publish_failed(self, message: dict[str, Any]) -> None:
        """Called by the Redis manager for a message it could not publish: mark its
        meeting room, and mend once Redis is back."""
        if message.get("method") != "emit" or message.get("namespace") != MEETINGS:
            return
        rooms = message.get("room")
        for room in rooms if isinstance(rooms, list) else [rooms]:
            meeting_id = _meeting_of(room)
            if meeting_id is not None:
                if not self.missed:
                    log.warning(
                        "Redis did not take a meeting event: tablets on other processes"
                        " will be told to resync once it is back"
                    )
                self.missed.add(meeting_id)
        if self.missed and (self._mending is None or self._mending.done()):
            self._mending = asyncio.get_running_loop().create_task(self._mend())

    async def _mend(self) -> None:
        client: Any = redis.asyncio.Redis.from_url(
            self.settings.redis_url or "", socket_timeout=2, socket_connect_timeout=2
        )
        try:
            while self.missed:
                await asyncio.sleep(MEND_SECONDS)
                try:
                    await client.ping()
                except Exception:  # still away (said once, when the first room was marked)
                    log.debug("Redis still unavailable", exc_info=True)
                    continue
                marked, self.missed = sorted(self.missed), set()
                log.warning("Redis is back: %d meeting room(s) told to resync", len(marked))
                for meeting_id in marked:  # a failure here marks the room again
                    await self.sio.emit(
                        "resync",
                        {"meeting_id": meeting_id},
                        room=ROOM_PREFIX + str(meeting_id),
                        namespace=MEETINGS,
                    )
        finally:
            await client.aclose()

    async def resubscribed(self) -> None:
        """The Redis listener is back after a loss: what other processes published
        meanwhile never reached this one's rooms."""
        for meeting_id in self.local_meetings():
            await deliver_local(
                self.sio,
                "resync",
                {"meeting_id": meeting_id},
                namespace=MEETINGS,
                room=ROOM_PREFIX + str(meeting_id),
            )
