"""Messages for connected clients, held until the transaction that produced them commits.

A service that changes something live (a meeting event, a note for named colleagues)
adds a message to its session's outbox; whoever ran the transaction takes the outbox
after commit and hands it to the realtime layer, so nothing is ever sent for a change
that rolled back, and nothing is sent before the change can be read back.

A service that ends a credential or a seat (a logout, a revoked token, a disabled user,
a participant removed from a meeting) adds a :class:`Cut` the same way: after commit,
every process drops the live connections that held it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel import Session

_KEY = "ecabinet.outbox"
CutKind = Literal["session", "token", "user", "seat"]


@dataclass(frozen=True)
class Message:
    """One Socket.IO event for one room (``meeting:<id>`` or ``user:<id>``)."""

    room: str
    event: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Cut:
    """Live connections to end once the transaction commits."""

    kind: CutKind
    """``session`` (a login session's id), ``token`` (an API token's id), ``user`` (every
    credential of the user) or ``seat`` (the user leaves one meeting's room)."""
    key: str
    """The session's id, or the token's or the user's id, as text."""
    meeting_id: int | None = None
    """For ``seat``: the meeting the user no longer takes part in."""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "meeting_id": self.meeting_id}


Outgoing = Message | Cut


def meeting_room(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def add(session: Session, room: str, event: str, data: dict[str, Any]) -> None:
    """Queue a message; it leaves only if the session's transaction commits."""
    session.info.setdefault(_KEY, []).append(Message(room, event, data))


def cut(session: Session, kind: CutKind, key: str | int, meeting_id: int | None = None) -> None:
    """Queue a cut: after commit, the connections holding ``kind`` ``key`` are dropped
    (``seat``: taken out of ``meeting_id``'s room)."""
    session.info.setdefault(_KEY, []).append(Cut(kind, str(key), meeting_id))


def take(session: Session) -> list[Outgoing]:
    """The queued messages and cuts, in the order they were added; the outbox is left
    empty."""
    queued: list[Outgoing] = session.info.pop(_KEY, [])
    return queued
