"""A live meeting as a tablet needs it after losing track of the events: state, agenda
position, attendance and quorum, the presenter's page, the speakers' queue and the votes.
Plain JSON values, so the realtime layer can send it as it is."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from ecabinet.meetings import speakers, voting
from ecabinet.meetings.access import MeetingView
from ecabinet.meetings.attendance import quorum
from ecabinet.meetings.live import presenting


def speaker_dict(row: speakers.SpeakerRequest) -> dict[str, Any]:
    return row.model_dump(mode="json")


def snapshot(session: Session, view: MeetingView) -> dict[str, Any]:
    """Everything live about the meeting, as of its last event number."""
    meeting = view.meeting
    return {
        "seq": meeting.seq,
        "state": meeting.state,
        "current_item_id": meeting.current_item_id,
        "quorum": quorum(view).as_dict(),
        "attendance": [
            {"user_id": p.user_id, "role": p.role, "attendance": p.attendance}
            for p in view.participants
        ],
        "presenting": presenting(session, view.id),
        "speakers": [speaker_dict(r) for r in speakers.queue(session, view.id)],
        "votes": [voting.describe(session, v) for v in voting.votes_of(session, view.id)],
    }
