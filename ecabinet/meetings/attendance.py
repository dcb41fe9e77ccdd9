"""Answers to the invitation, check-in and the quorum computed from it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from ecabinet.core import audit, errors
from ecabinet.core.audit import Actor
from ecabinet.core.policy import Subject
from ecabinet.core.types import utcnow
from ecabinet.meetings import access, events
from ecabinet.meetings.access import MeetingView
from ecabinet.meetings.models import Participant
from ecabinet.meetings.states import MeetingState, require

ATTENDING = ("present", "online")
VOTING_ROLES = ("chair", "member")


def _reason(text: str) -> str:
    text = text.strip()
    if not text or len(text) > 1000:
        raise errors.InvalidInput(
            "meeting.reason_required",
            "Cần ghi lý do (tối đa 1000 ký tự).",
            "Give a reason (at most 1000 characters).",
        )
    return text


def answer(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: MeetingView,
    *,
    answer: str,
    reason: str = "",
    deputy_id: int | None = None,
) -> Participant:
    """The invited person's answer: accept, decline with a reason, or send a deputy."""
    access.require_visible(subject, view)
    require(view.meeting.state, MeetingState.scheduled, MeetingState.in_progress)
    seat = next((p for p in view.participants if p.user_id == subject.user_id), None)
    if seat is None or seat.role in ("chair", "secretary"):
        raise errors.PermissionDenied(
            "meeting.not_invited",
            "Bạn không có giấy mời để trả lời.",
            "You have no invitation to answer.",
        )
    if answer not in ("accepted", "declined", "deputy"):
        raise errors.InvalidInput(
            "meeting.bad_answer", "Câu trả lời không hợp lệ.", "Unknown answer."
        )
    seat.rsvp_reason = _reason(reason) if answer in ("declined", "deputy") else ""
    replaced = seat.deputy_id
    seat.deputy_id = None
    if answer == "deputy":
        if (
            deputy_id is None
            or deputy_id == subject.user_id
            or any(p.user_id == deputy_id or p.deputy_id == deputy_id for p in view.participants)
        ):
            raise errors.InvalidInput(
                "meeting.bad_deputy",
                "Người dự thay không hợp lệ hoặc đã được mời.",
                "The deputy is not valid or is already invited.",
            )
        from ecabinet.meetings.service import _member_of

        _member_of(session, view.meeting.agency_id, deputy_id, "Người dự thay")
        seat.deputy_id = deputy_id
    seat.rsvp = answer
    session.add(seat)
    session.flush()
    audit.record(session, actor, "meeting.rsvp", "meeting", view.id, answer)
    access.release(session, view, [replaced])  # a deputy no longer sent leaves the room
    return seat


def check_in(
    session: Session,
    actor: Actor,
    subject: Subject,
    view: MeetingView,
    *,
    user_id: int | None,
    status: str,
    reason: str = "",
) -> Participant:
    """Record attendance: a member checks in on their tablet (themself), or the secretary
    (or chair) for anyone; ``absent`` needs a reason."""
    access.require_visible(subject, view)
    require(view.meeting.state, MeetingState.scheduled, MeetingState.in_progress)
    target = subject.user_id if user_id is None else user_id
    if target != subject.user_id and not access.runs(subject, view):
        raise errors.PermissionDenied(
            "meeting.forbidden",
            "Chỉ thư ký hoặc người chủ trì điểm danh cho người khác.",
            "Only the secretary or the chair checks others in.",
        )
    seat = view.seat_of(target)
    if seat is None:
        raise errors.NotFound.of("người dự họp", "Participant", "meeting.participant_not_found")
    if status not in ("present", "online", "absent"):
        raise errors.InvalidInput(
            "meeting.bad_status", "Trạng thái điểm danh không hợp lệ.", "Unknown attendance status."
        )
    seat.attendance = status
    seat.absence_reason = _reason(reason) if status == "absent" else ""
    seat.checked_in_at = utcnow()
    seat.checked_in_by = subject.user_id
    session.add(seat)
    session.flush()
    audit.record(session, actor, "meeting.check_in", "meeting", view.id, f"user {target}: {status}")
    events.record(
        session,
        view.id,
        "attendance",
        {
            "user_id": seat.user_id,
            "status": status,
            "quorum": quorum(view).as_dict(),
        },
    )
    return seat


@dataclass(frozen=True)
class Quorum:
    members: int
    """Seats that vote: the chair and the members (a deputy takes their member's seat)."""
    present: int
    needed: int
    rule: str

    @property
    def met(self) -> bool:
        return self.present >= self.needed

    def as_dict(self) -> dict[str, object]:
        return {
            "members": self.members,
            "present": self.present,
            "needed": self.needed,
            "rule": self.rule,
            "met": self.met,
        }


def needed(rule: str, members: int) -> int:
    """Seats that must be present: more than half, at least two thirds, or none."""
    if rule == "majority":
        return members // 2 + 1
    if rule == "two_thirds":
        return -(-2 * members // 3)
    return 0


def quorum(view: MeetingView) -> Quorum:
    """The quorum now, from the check-in of the voting seats."""
    seats = [p for p in view.participants if p.role in VOTING_ROLES]
    present = sum(1 for p in seats if p.attendance in ATTENDING)
    return Quorum(
        len(seats), present, needed(view.meeting.quorum_rule, len(seats)), view.meeting.quorum_rule
    )
