"""What a held meeting came to (kết quả cuộc họp), for its page: who attended (a member
who sent a deputy is not present, the deputy is), each closed vote and its result (a
secret vote by its totals only), the conclusions and the minutes with their signatures.

A read model over the tables, for those who see the meeting (:func:`.access.sees`); the
same facts the minutes print (:mod:`.minutes_gather`), with people by their ids too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session

from ecabinet.core import errors
from ecabinet.core.policy import Subject
from ecabinet.core.users import User
from ecabinet.meetings import access, minutes
from ecabinet.meetings.access import MeetingView
from ecabinet.meetings.attendance import Quorum, quorum
from ecabinet.meetings.minutes_gather import COUNTED, user_map, vote_record
from ecabinet.meetings.minutes_model import VoteRecord
from ecabinet.meetings.minutes_models import MinutesSignature, MinutesState, MinutesVersion
from ecabinet.meetings.models import Participant
from ecabinet.meetings.service import items_of
from ecabinet.meetings.states import MeetingState
from ecabinet.meetings.voting import votes_of

Presence = Literal["present", "online", "absent", "not_checked_in", "sent_deputy"]
HELD = (MeetingState.ended, MeetingState.minutes_signed)


@dataclass(frozen=True)
class AttendanceLine:
    """One person at (or away from) the meeting."""

    user_id: int
    name: str
    title: str
    role: str
    """chair, secretary, member or guest (a deputy holds the seat's role)."""
    presence: Presence
    reason: str = ""
    """Why absent, or why a deputy was sent."""
    deputy_id: int | None = None
    """For ``sent_deputy``: who attended in this member's place."""
    deputy_for: int | None = None
    """For a deputy: the member whose seat they held."""


@dataclass(frozen=True)
class VoteLine:
    """A closed vote with the agenda item it was on."""

    id: int
    item_id: int
    item_title: str
    rule: str
    record: VoteRecord
    meeting_id: int = 0


@dataclass(frozen=True)
class MinutesLine:
    """The latest minutes: its state and signatures (the PDF is read through its route)."""

    version: MinutesVersion
    state: MinutesState
    signatures: list[MinutesSignature]


@dataclass(frozen=True)
class Outcome:
    view: MeetingView
    attendance: list[AttendanceLine]
    quorum: Quorum
    votes: list[VoteLine]
    conclusions: str
    minutes: MinutesLine | None


def _presence(seat: Participant) -> Presence:
    if seat.attendance == "present":
        return "present"
    if seat.attendance == "online":
        return "online"
    return "absent" if seat.attendance == "absent" else "not_checked_in"


def _lines(seat: Participant, users: dict[int, User]) -> list[AttendanceLine]:
    """The seat as attended: its holder, or its member (away) and the deputy (with the
    seat's check-in, since the deputy checks in on the member's seat)."""
    holder = users[seat.user_id]
    presence = _presence(seat)
    reason = (seat.absence_reason or seat.rsvp_reason) if presence == "absent" else ""
    if seat.rsvp == "deputy" and seat.deputy_id is not None:
        deputy = users[seat.deputy_id]
        return [
            AttendanceLine(
                seat.user_id,
                holder.full_name,
                holder.title,
                seat.role,
                "sent_deputy",
                seat.rsvp_reason,
                deputy_id=seat.deputy_id,
            ),
            AttendanceLine(
                seat.deputy_id,
                deputy.full_name,
                deputy.title,
                seat.role,
                presence,
                reason,
                deputy_for=seat.user_id,
            ),
        ]
    return [
        AttendanceLine(seat.user_id, holder.full_name, holder.title, seat.role, presence, reason)
    ]


def _minutes(session: Session, meeting_id: int) -> MinutesLine | None:
    row = minutes.latest(session, meeting_id)
    if row is None or row.id is None:
        return None
    return MinutesLine(row, MinutesState(row.state), minutes.signatures_of(session, row.id))


def outcome(session: Session, subject: Subject, view: MeetingView) -> Outcome:
    """The outcome of a held meeting, for those who see it (404 for anyone else; 409
    while the meeting has not been held)."""
    access.require_visible(subject, view)
    if view.meeting.state not in HELD:
        raise errors.Conflict(
            "meeting.not_held",
            "Cuộc họp chưa kết thúc: chưa có kết quả.",
            "The meeting has not been held yet: there is no outcome.",
        )
    users = user_map(session, view)
    order = {"chair": 0, "secretary": 1, "member": 2, "guest": 3}
    seats = sorted(view.participants, key=lambda p: (order.get(p.role, 4), p.id or 0))
    titles = {i.id: i.title for i in items_of(session, view.id)}
    votes = [
        VoteLine(
            v.id or 0,
            v.item_id,
            titles.get(v.item_id, ""),
            v.rule,
            vote_record(session, view, users, v),
            view.id,
        )
        for v in votes_of(session, view.id)
        if v.state in COUNTED
    ]
    return Outcome(
        view=view,
        attendance=[line for seat in seats for line in _lines(seat, users)],
        quorum=quorum(view),
        votes=votes,
        conclusions=view.meeting.conclusions,
        minutes=_minutes(session, view.id),
    )
