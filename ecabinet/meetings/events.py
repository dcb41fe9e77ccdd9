"""The numbered event log of a live meeting. Each change a tablet must see is stored with
the next number of its meeting in the transaction that makes the change; the realtime
layer broadcasts it after commit, and a tablet that reconnects asks for what follows the
last number it saw."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from ecabinet.core import outbox
from ecabinet.core.types import utcnow
from ecabinet.meetings.models import Meeting, MeetingEvent

MAX_REPLAY = 500
"""Events replayed to a reconnecting tablet at most; further behind, it gets a snapshot."""


def record(session: Session, meeting_id: int, kind: str, payload: dict[str, Any]) -> MeetingEvent:
    """Store the event under the meeting's next number (the row lock orders concurrent
    writers, so numbers never repeat or skip)."""
    seq = session.execute(
        update(Meeting)
        .where(col(Meeting.id) == meeting_id)
        .values(seq=col(Meeting.seq) + 1)
        .returning(col(Meeting.seq))
    ).scalar_one()
    event = MeetingEvent(
        meeting_id=meeting_id,
        seq=int(seq),
        kind=kind,
        payload=json.dumps(payload, ensure_ascii=False, default=str),
        at=utcnow(),
    )
    session.add(event)
    session.flush()
    outbox.add(session, outbox.meeting_room(meeting_id), "event", as_message(event))
    return event


def direct(session: Session, user_ids: list[int], kind: str, payload: dict[str, Any]) -> None:
    """Tell only these people (on all their devices), after commit; not numbered, not
    replayed: for what the whole room must not see, such as a note shared with named
    colleagues. The client refetches such things when it reconnects."""
    for user_id in dict.fromkeys(user_ids):
        outbox.add(session, outbox.user_room(user_id), kind, payload)


def since(session: Session, meeting_id: int, after: int) -> list[MeetingEvent] | None:
    """The events after number ``after``, in order; None when there are too many (the
    tablet takes a fresh snapshot instead)."""
    rows = session.exec(
        select(MeetingEvent)
        .where(MeetingEvent.meeting_id == meeting_id, MeetingEvent.seq > after)
        .order_by(col(MeetingEvent.seq))
        .limit(MAX_REPLAY + 1)
    ).all()
    return None if len(rows) > MAX_REPLAY else list(rows)


def as_message(event: MeetingEvent) -> dict[str, Any]:
    """What a tablet receives."""
    return {
        "meeting_id": event.meeting_id,
        "seq": event.seq,
        "kind": event.kind,
        "at": event.at.isoformat(),
        "data": json.loads(event.payload),
    }


def last_numbers(session: Session, meeting_ids: list[int]) -> dict[int, int]:
    """The number of each meeting's last event (what its heartbeat tells the tablets)."""
    if not meeting_ids:
        return {}
    rows = session.exec(select(Meeting.id, Meeting.seq).where(col(Meeting.id).in_(meeting_ids)))
    return {int(mid): int(seq) for mid, seq in rows if mid is not None}
