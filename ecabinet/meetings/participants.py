"""Taking someone out of a meeting, and who among a few people still has a seat.

An organiser removes a member or a guest from a meeting that is being prepared or is
under way (the chair and the secretary stay: appoint others instead). The seat row goes;
the audit entry keeps what it held (role, answer, deputy, attendance). The removed
person, and the deputy they had sent, leave the meeting's room on every device once the
change commits; the tablets of the room get a numbered ``participant_removed`` event
with the new quorum.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from ecabinet.core import audit, errors
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Subject
from ecabinet.meetings import access, events
from ecabinet.meetings.access import MeetingView
from ecabinet.meetings.attendance import quorum
from ecabinet.meetings.models import Meeting, Participant
from ecabinet.meetings.states import MeetingState, require

REMOVABLE_IN = (MeetingState.draft, MeetingState.scheduled, MeetingState.in_progress)


def remove(
    session: Session, actor: Actor, subject: Subject, view: MeetingView, user_id: int
) -> None:
    """Remove ``user_id``'s seat.

    Refuses: strangers (404), participants who do not organise it (403), a meeting held
    or cancelled (409), someone without a seat (404), the chair or the secretary (409).
    """
    access.require_organiser(subject, view)
    require(view.meeting.state, *REMOVABLE_IN)
    seat = next((p for p in view.participants if p.user_id == user_id), None)
    if seat is None:
        raise errors.NotFound.of("người dự họp", "Participant", "meeting.participant_not_found")
    if seat.role in ("chair", "secretary"):
        raise errors.Conflict(
            "meeting.runs_the_meeting",
            "Không thể bỏ người chủ trì hoặc thư ký khỏi cuộc họp.",
            "The chair and the secretary cannot be removed from the meeting.",
            {"user_id": user_id},
        )
    held = (
        f"{seat.role} user {user_id}, answer {seat.rsvp}, deputy {seat.deputy_id},"
        f" attendance {seat.attendance}"
    )
    session.delete(seat)
    session.flush()
    after = MeetingView(view.meeting, tuple(p for p in view.participants if p is not seat))
    audit.record(session, actor, "meeting.participant_remove", "meeting", view.id, held)
    events.record(
        session,
        view.id,
        "participant_removed",
        {"user_id": user_id, "quorum": quorum(after).as_dict()},
    )
    access.release(session, after, [user_id, seat.deputy_id])


def still_seated(session: Session, meeting_id: int, user_ids: Iterable[int]) -> set[int]:
    """Those of ``user_ids`` who still see the meeting (none if it is gone): one query
    for their seats, whatever the size of the meeting."""
    wanted = set(user_ids)
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or not wanted:
        return set()
    mine: dict[int, list[Participant]] = {u: [] for u in wanted}
    for row in access.seats_of(session, meeting_id, wanted):  # each user on their own rows
        for u in wanted.intersection((row.user_id, row.deputy_id)):
            mine[u].append(row)
    return {u for u in wanted if access.takes_part(MeetingView(meeting, tuple(mine[u])), u)}
