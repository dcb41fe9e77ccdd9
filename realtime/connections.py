"""The live connections of this process and what each holds: its credential, the
meeting rooms it entered, its flood bucket.

A connection is registered by the server's own handshake (never by a client event) and
forgotten when it disconnects. :meth:`Registry.matching` finds the connections a
:class:`~ecabinet.core.outbox.Cut` ends; cuts are remembered for a minute, so that a
handshake or a ``join`` that was being decided when a cut went by is refused rather
than let in with a dead credential or seat.
"""

from __future__ import annotations

import heapq
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ecabinet.core import metrics
from ecabinet.core.credentials import Held
from ecabinet.core.outbox import Cut, meeting_room
from realtime.auth import Credential
from realtime.limits import Bucket

REMEMBER_CUTS = 60.0
"""Seconds a cut is remembered (far longer than a handshake or a join takes)."""


@dataclass(eq=False)
class Connection:
    """One socket in one namespace."""

    sid: str
    namespace: str
    credential: Credential
    held: Held
    bucket: Bucket = field(default_factory=Bucket)
    """The flood limit of this connection, from its handshake to its end."""
    meetings: set[int] = field(default_factory=set)
    """The meetings whose room it was let into (kept by :meth:`enter` and :meth:`leave`)."""

    async def enter(self, sio: Any, meeting_id: int) -> None:
        """Into the meeting's room; a seat cut from now on finds it in :attr:`meetings`."""
        if meeting_id not in self.meetings:
            _room_joined(meeting_id)
        self.meetings.add(meeting_id)
        await sio.enter_room(self.sid, meeting_room(meeting_id), self.namespace)

    async def leave(self, sio: Any, meeting_id: int) -> None:
        """Out of the meeting's room (nothing happens if it was not in it)."""
        if meeting_id in self.meetings:
            _room_left(meeting_id)
        self.meetings.discard(meeting_id)
        await sio.leave_room(self.sid, meeting_room(meeting_id), self.namespace)

    def holds(self, cut: Cut) -> bool:
        """Whether ``cut`` ends this connection (or, for a seat, its place in a room)."""
        h = self.held
        if cut.kind == "session":
            return h.session_id == cut.key
        if cut.kind == "token":
            return h.token_id is not None and str(h.token_id) == cut.key
        return str(h.user_id) == cut.key  # "user", "seat"


_members: dict[int, int] = {}
"""Meeting id -> this process's sockets in its room (for the rooms gauge)."""


def _room_joined(meeting_id: int) -> None:
    _members[meeting_id] = _members.get(meeting_id, 0) + 1
    if _members[meeting_id] == 1:
        metrics.ROOMS.inc()


def _room_left(meeting_id: int) -> None:
    left = _members.get(meeting_id, 0) - 1
    if left > 0:
        _members[meeting_id] = left
    elif meeting_id in _members:
        del _members[meeting_id]
        metrics.ROOMS.dec()


class Registry:
    def __init__(self) -> None:
        self.connections: dict[tuple[str, str], Connection] = {}
        self._cuts: deque[tuple[float, Cut]] = deque()
        self._expiries: list[tuple[datetime, int, Connection]] = []
        self._order = 0

    def get(self, namespace: str, sid: str) -> Connection | None:
        return self.connections.get((namespace, sid))

    def add(self, connection: Connection, since: float) -> bool:
        """Register a connection whose credential was checked at ``since``
        (``time.monotonic()``); False (not registered) when a cut of it went by since."""
        if any(connection.holds(c) and c.kind != "seat" for c in self.cuts_since(since)):
            return False
        if (connection.namespace, connection.sid) not in self.connections:
            metrics.SOCKETS.labels(connection.namespace).inc()
        self.connections[(connection.namespace, connection.sid)] = connection
        if connection.held.expires_at is not None:
            self._order += 1
            heapq.heappush(self._expiries, (connection.held.expires_at, self._order, connection))
        return True

    def remove(self, namespace: str, sid: str) -> Connection | None:
        gone = self.connections.pop((namespace, sid), None)
        if gone is not None:
            metrics.SOCKETS.labels(namespace).dec()
            for meeting_id in gone.meetings:
                _room_left(meeting_id)
            gone.meetings.clear()  # a leave still under way counts nothing twice
        if len(self._expiries) > 2 * len(self.connections) + 64:
            # the expiries of connections gone long before theirs (tokens last years)
            self._expiries = [e for e in self._expiries if self.alive(e[2])]
            heapq.heapify(self._expiries)
        return gone

    def alive(self, connection: Connection) -> bool:
        return self.connections.get((connection.namespace, connection.sid)) is connection

    def seat_cut_since(self, connection: Connection, meeting_id: int, since: float) -> bool:
        """Whether the connection lost ``meeting_id`` (or its credential) since ``since``."""
        return not self.alive(connection) or any(
            connection.holds(c) and c.meeting_id in (None, meeting_id)
            for c in self.cuts_since(since)
        )

    # cuts ---------------------------------------------------------------------------

    def note(self, cut: Cut) -> list[Connection]:
        """Remember ``cut``; return the connections it ends (or takes out of a room)."""
        now = time.monotonic()
        self._cuts.append((now, cut))
        while self._cuts and self._cuts[0][0] < now - REMEMBER_CUTS:
            self._cuts.popleft()
        found = [c for c in self.connections.values() if c.holds(cut)]
        if cut.kind == "seat":
            found = [c for c in found if cut.meeting_id in c.meetings]
        return found

    def cuts_since(self, since: float) -> list[Cut]:
        return [cut for at, cut in self._cuts if at >= since]

    def expired(self, now: datetime) -> list[Connection]:
        """The connections whose credential's expiry has passed (each once)."""
        gone: list[Connection] = []
        while self._expiries and self._expiries[0][0] <= now:
            _, _, connection = heapq.heappop(self._expiries)
            if self.alive(connection):
                gone.append(connection)
        return gone
