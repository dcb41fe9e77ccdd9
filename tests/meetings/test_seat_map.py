"""``MeetingView.seats`` answers as ``seat_of`` for everyone (own seats, deputies, a
member who sent a deputy, a deputy who also has a seat), and ``takes_part`` with it as
without it."""

from __future__ import annotations

import itertools

from ecabinet.meetings import access
from ecabinet.meetings.models import Meeting, Participant


def _seat(user_id: int, rsvp: str = "accepted", deputy_id: int | None = None) -> Participant:
    return Participant(meeting_id=1, user_id=user_id, role="member", rsvp=rsvp, deputy_id=deputy_id)


def test_the_seat_map_answers_as_seat_of() -> None:
    rows = [
        _seat(1),
        _seat(2, "deputy", deputy_id=9),  # 9 attends for 2
        _seat(3, "deputy", deputy_id=None),  # sent a deputy not named yet
        _seat(4, "deputy", deputy_id=5),  # 5 attends for 4 and has a seat of their own
        _seat(5),
        _seat(6, "deputy", deputy_id=7),  # 7 attends for 6, and 6 attends for 8...
        _seat(8, "deputy", deputy_id=6),
        _seat(7, "declined"),
    ]
    meeting = Meeting(id=1, chair_id=100, secretary_id=101, created_by=102)
    for order in itertools.islice(itertools.permutations(rows), 0, None, 997):
        view = access.MeetingView(meeting, tuple(order))
        seats = view.seats()
        for user_id in range(1, 12):
            assert seats.get(user_id) is view.seat_of(user_id), (user_id, order)
        for user_id in (*range(1, 12), 100, 101, 102, 103):
            assert access.takes_part(view, user_id, seats) == access.takes_part(view, user_id)
