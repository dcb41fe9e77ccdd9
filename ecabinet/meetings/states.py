"""A meeting's life: draft → scheduled → in progress → ended → minutes signed."""

from __future__ import annotations

from enum import StrEnum

from ecabinet.core import errors


class MeetingState(StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    in_progress = "in_progress"
    ended = "ended"
    minutes_signed = "minutes_signed"
    cancelled = "cancelled"

    @property
    def label_vi(self) -> str:
        return _VI[self]


_VI = {
    MeetingState.draft: "Dự thảo",
    MeetingState.scheduled: "Đã gửi giấy mời",
    MeetingState.in_progress: "Đang họp",
    MeetingState.ended: "Đã kết thúc",
    MeetingState.minutes_signed: "Đã ký biên bản",
    MeetingState.cancelled: "Đã hủy",
}

MOVES: dict[str, tuple[frozenset[MeetingState], MeetingState]] = {
    "schedule": (frozenset({MeetingState.draft}), MeetingState.scheduled),
    "start": (frozenset({MeetingState.scheduled}), MeetingState.in_progress),
    "end": (frozenset({MeetingState.in_progress}), MeetingState.ended),
    "sign_minutes": (frozenset({MeetingState.ended}), MeetingState.minutes_signed),
    "cancel": (frozenset({MeetingState.draft, MeetingState.scheduled}), MeetingState.cancelled),
}


def move(action: str, state: str) -> MeetingState:
    """The state ``action`` leads to; 409 with both names when the meeting is elsewhere."""
    sources, target = MOVES[action]
    current = MeetingState(state)
    if current not in sources:
        raise errors.Conflict(
            "meeting.bad_state",
            f"Cuộc họp đang ở trạng thái “{current.label_vi}”: không thể thực hiện thao tác này.",
            f"The meeting is {current.value.replace('_', ' ')}: {action!r} is not possible now.",
            {"state": current.value, "action": action},
        )
    return target


def require(state: str, *allowed: MeetingState) -> None:
    """409 unless the meeting is in one of ``allowed``."""
    current = MeetingState(state)
    if current not in allowed:
        raise errors.Conflict(
            "meeting.bad_state",
            f"Cuộc họp đang ở trạng thái “{current.label_vi}”.",
            f"The meeting is {current.value.replace('_', ' ')}.",
            {"state": current.value},
        )
