"""Who sees a meeting and who runs it: the policy rules of this domain."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, select

from ecabinet.core import errors, outbox
from ecabinet.core.agencies import Role
from ecabinet.core.db import writing
from ecabinet.core.policy import Action, Subject, rule
from ecabinet.meetings.models import Meeting, Participant


@dataclass(frozen=True)
class MeetingView:
    """A meeting with its participants (loaded once per request)."""

    meeting: Meeting
    participants: tuple[Participant, ...]

    @property
    def id(self) -> int:
        assert self.meeting.id is not None
        return self.meeting.id

    def seat_of(self, user_id: int) -> Participant | None:
        """The user's own seat, or the seat of the member they attend for as deputy."""
        own = next((p for p in self.participants if p.user_id == user_id), None)
        if own is not None and own.rsvp != "deputy":
            return own
        deputy = next((p for p in self.participants if p.deputy_id == user_id), None)
        return deputy or own

    def seats(self) -> dict[int, Participant]:
        """:meth:`seat_of` for every user who has a seat, in one pass (a batch of 500
        ballots would otherwise scan the participants 500 times). A snapshot: taken
        again after the rows change."""
        own: dict[int, Participant] = {}
        deputy: dict[int, Participant] = {}
        for p in self.participants:
            own.setdefault(p.user_id, p)
            if p.deputy_id is not None:
                deputy.setdefault(p.deputy_id, p)
        out: dict[int, Participant] = {}
        for user_id in own.keys() | deputy.keys():
            mine = own.get(user_id)
            seat = mine if mine is not None and mine.rsvp != "deputy" else deputy.get(user_id)
            found = seat or mine
            if found is not None:
                out[user_id] = found
        return out


@dataclass(frozen=True)
class NewMeeting:
    """A request to organise a meeting of an agency."""

    agency_id: int


def load(session: Session, meeting_id: int) -> MeetingView:
    """The meeting and its participants. In a write transaction the meeting's row is
    locked first (PostgreSQL ``FOR NO KEY UPDATE``): every change to a meeting ends by
    numbering its event on that row, after the audit log's head; taking the row at the
    start keeps the order meeting → audit for every writer, so two never deadlock."""
    lock = {"key_share": True} if writing(session) else None
    meeting = session.get(Meeting, meeting_id, with_for_update=lock)
    if meeting is None:
        raise errors.NotFound.of("cuộc họp", "Meeting", "meeting.not_found")
    rows = session.exec(select(Participant).where(Participant.meeting_id == meeting_id)).all()
    return MeetingView(meeting, tuple(rows))


def load_for(session: Session, meeting_id: int, user_ids: Collection[int]) -> MeetingView:
    """As :func:`load` (the meeting's row locked first in a write transaction), with only
    the rows that concern these users (:func:`seats_of`): what a batch of ballots needs,
    without reading every seat of a meeting of 1,000 for each batch. Never for quorum or
    lists."""
    lock = {"key_share": True} if writing(session) else None
    meeting = session.get(Meeting, meeting_id, with_for_update=lock)
    if meeting is None:
        raise errors.NotFound.of("cuộc họp", "Meeting", "meeting.not_found")
    rows = seats_of(session, meeting_id, user_ids) if user_ids else []
    return MeetingView(meeting, tuple(rows))


def load_seat(session: Session, meeting_id: int, user_id: int) -> MeetingView:
    """The meeting with only this user's rows (their own seat, and the seat they fill
    as deputy): enough to decide what this user may see, at a cost that does not grow
    with the meeting (a tablet joining a meeting of 1,000). Never for quorum or lists."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise errors.NotFound.of("cuộc họp", "Meeting", "meeting.not_found")
    return MeetingView(meeting, tuple(seats_of(session, meeting_id, [user_id])))


def seats_of(session: Session, meeting_id: int, user_ids: Collection[int]) -> list[Participant]:
    """The rows of the meeting that concern these users: their own seats, and those they
    fill as deputy (one query, whatever the size of the meeting)."""
    return list(
        session.exec(
            select(Participant).where(
                Participant.meeting_id == meeting_id,
                or_(
                    col(Participant.user_id).in_(user_ids),
                    col(Participant.deputy_id).in_(user_ids),
                ),
            )
        ).all()
    )


def takes_part(
    view: MeetingView, user_id: int, seats: dict[int, Participant] | None = None
) -> bool:
    """Whether this user sees the meeting: its chair, secretary or organiser, someone
    invited, or the deputy attending for a member (``seats``: :meth:`MeetingView.seats`,
    when many users are asked about)."""
    m = view.meeting
    if user_id in (m.chair_id, m.secretary_id, m.created_by):
        return True
    return (user_id in seats) if seats is not None else view.seat_of(user_id) is not None


def sees(subject: Subject, view: MeetingView) -> bool:
    return takes_part(view, subject.user_id)


def release(session: Session, view: MeetingView, user_ids: Iterable[int | None]) -> None:
    """After a change to the seats in ``view`` (rows as they now are): those of
    ``user_ids`` who no longer see the meeting leave its room on every device once the
    transaction commits."""
    for user_id in dict.fromkeys(user_ids):
        if user_id is not None and not takes_part(view, user_id):
            outbox.cut(session, "seat", user_id, view.id)


def runs(subject: Subject, view: MeetingView) -> bool:
    """The chair or the secretary: they move the agenda, open votes, grant the floor."""
    return subject.user_id in (view.meeting.chair_id, view.meeting.secretary_id)


def organises(subject: Subject, view: MeetingView) -> bool:
    """Who prepares the meeting: its chair, secretary or creator."""
    return runs(subject, view) or subject.user_id == view.meeting.created_by


def require_visible(subject: Subject, view: MeetingView) -> None:
    require_takes_part(view, subject.user_id)


def require_takes_part(view: MeetingView, user_id: int) -> None:
    """404 unless the user sees the meeting (:func:`takes_part`); enough with the view of
    :func:`load_seat`, and no roles needed."""
    if not takes_part(view, user_id):
        raise errors.NotFound.of("cuộc họp", "Meeting", "meeting.not_found")


def require(subject: Subject, view: MeetingView, allowed: bool, what_vi: str, what_en: str) -> None:
    """404 for strangers; 403 with the reason for participants who may not do this."""
    require_visible(subject, view)
    if not allowed:
        raise errors.PermissionDenied(
            "meeting.forbidden",
            f"Chỉ {what_vi} mới được thực hiện thao tác này.",
            f"Only {what_en} may do this.",
        )


def require_runs(subject: Subject, view: MeetingView) -> None:
    """Only the chair or the secretary (they run the meeting)."""
    require(
        subject,
        view,
        runs(subject, view),
        "người chủ trì hoặc thư ký",
        "the chair or the secretary",
    )


def require_organiser(subject: Subject, view: MeetingView) -> None:
    """Only the chair, the secretary or whoever organised the meeting."""
    require(
        subject,
        view,
        organises(subject, view),
        "người chủ trì, thư ký hoặc người tổ chức",
        "the chair, the secretary or the organiser",
    )


ORGANISER_ROLES = (Role.leader, Role.secretary, Role.clerk)
"""Who may organise a meeting or a consultation of an agency."""


def may_organise(subject: Subject, agency_id: int) -> bool:
    return any(subject.has(role, agency_id) for role in ORGANISER_ROLES)


@rule(MeetingView)
def _meeting_rule(subject: Subject, action: Action, view: MeetingView) -> bool:
    if action is Action.view:
        return sees(subject, view)
    return organises(subject, view)


@rule(NewMeeting)
def _new_meeting_rule(subject: Subject, action: Action, target: NewMeeting) -> bool:
    if action is Action.view:
        return True
    return action is Action.create and may_organise(subject, target.agency_id)
