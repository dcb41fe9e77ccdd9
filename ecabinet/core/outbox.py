"""Messages for connected clients, held until the transaction that produced them commits.

A service that changes something live (a meeting event, a note for named colleagues)
adds a message to its session's outbox; whoever ran the transaction takes the outbox
after commit and hands it to the realtime layer, so nothing is ever sent for a change
that rolled back, and nothing is sent before the change can be read back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

_KEY = "ecabinet.outbox"


@dataclass(frozen=True)
class Message:
    """One Socket.IO event for one room (``meeting:<id>`` or ``user:<id>``)."""

    room: str
    event: str
    data: dict[str, Any]


def meeting_room(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def add(session: Session, room: str, event: str, data: dict[str, Any]) -> None:
    """Queue a message; it leaves only if the session's transaction commits."""
    session.info.setdefault(_KEY, []).append(Message(room, event, data))


def take(session: Session) -> list[Message]:
    """The queued messages, in the order they were added; the outbox is left empty."""
    messages: list[Message] = session.info.pop(_KEY, [])
    return messages
