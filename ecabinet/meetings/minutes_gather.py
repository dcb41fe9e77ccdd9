"""What the minutes print, read from the stored meeting: who was invited and whether they
came (absence reasons, deputies), each agenda item with its times, presenter, documents,
speakers and closed votes, and the secretary's conclusions. Names are resolved here, so
the renderer sees plain values only."""

from __future__ import annotations

import json
import re
import unicodedata

from sqlmodel import Session, col, select

from ecabinet.core.agencies import Agency
from ecabinet.core.users import User
from ecabinet.meetings.access import MeetingView
from ecabinet.meetings.minutes_model import (
    AttendanceStatus,
    Attendee,
    ItemRecord,
    MinutesData,
    Person,
    SpeakerRecord,
    VoteRecord,
)
from ecabinet.meetings.models import Participant
from ecabinet.meetings.service import documents_of, items_of
from ecabinet.meetings.speakers import SpeakerRequest
from ecabinet.meetings.voting import RULES, tally, votes_of
from ecabinet.meetings.voting_models import Vote, VoteNamedBallot

_LOCALITY = re.compile(
    r"^(?:ủy|uỷ) ban nhân dân\s+(?:tỉnh|thành phố|thị xã|thị trấn|huyện|quận|phường|xã)\s+(.+)$",
    re.IGNORECASE,
)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def place_of(session: Session, agency: Agency) -> str:
    """The place of the date line (Decree 30: the locality where the agency sits): the
    locality in the name of the agency or of the first People's Committee above it ("Ủy
    ban nhân dân tỉnh An Giang" → "An Giang"); the agency's own name when none says."""
    current: Agency | None = agency
    seen: set[int] = set()
    while current is not None and current.id not in seen:
        found = _LOCALITY.match(_nfc(current.name))
        if found:
            return found.group(1).strip()
        seen.add(current.id or 0)
        current = session.get(Agency, current.parent_id) if current.parent_id else None
    return _nfc(agency.name)


def user_map(session: Session, view: MeetingView) -> dict[int, User]:
    """The people the meeting names (its seats, deputies, chair and secretary) by id."""
    ids = {view.meeting.chair_id, view.meeting.secretary_id}
    for p in view.participants:
        ids.add(p.user_id)
        if p.deputy_id is not None:
            ids.add(p.deputy_id)
    rows = session.exec(select(User).where(col(User.id).in_(sorted(ids)))).all()
    return {u.id: u for u in rows if u.id is not None}


def _name(users: dict[int, User], user_id: int | None) -> str:
    user = users.get(user_id) if user_id is not None else None
    return user.full_name if user is not None else ""


def _status(seat: Participant) -> AttendanceStatus:
    return (
        "present"
        if seat.attendance == "present"
        else "online"
        if seat.attendance == "online"
        else "absent"
    )


def _reason(seat: Participant) -> str:
    if seat.attendance == "absent":
        return seat.absence_reason or seat.rsvp_reason
    if seat.attendance in ("present", "online"):
        return ""
    return seat.rsvp_reason if seat.rsvp == "declined" else "Không điểm danh"


def attendance(view: MeetingView, users: dict[int, User]) -> list[Attendee]:
    """Members and guests in the order invited (the chair and the secretary are named
    apart); a member who sent a deputy is listed absent with their reason, followed by
    the deputy with the seat's attendance."""
    out: list[Attendee] = []
    for seat in sorted(view.participants, key=lambda p: p.id or 0):
        if seat.role in ("chair", "secretary"):
            continue
        user = users[seat.user_id]
        title = user.title + (" (khách mời)" if seat.role == "guest" else "")
        if seat.rsvp == "deputy" and seat.deputy_id is not None:
            deputy = users[seat.deputy_id]
            out.append(Attendee(user.full_name, title, "absent", seat.rsvp_reason))
            out.append(
                Attendee(
                    deputy.full_name,
                    deputy.title,
                    _status(seat),
                    _reason(seat) if _status(seat) == "absent" else "",
                    deputy_for=user.full_name,
                )
            )
            continue
        status = _status(seat)
        out.append(
            Attendee(user.full_name, title, status, _reason(seat) if status == "absent" else "")
        )
    return out


def _voter(view: MeetingView, users: dict[int, User], user_id: int) -> str:
    """A voting seat's name: its member, or their deputy "(dự thay …)"."""
    seat = next((p for p in view.participants if p.user_id == user_id), None)
    if seat is not None and seat.rsvp == "deputy" and seat.deputy_id is not None:
        return f"{_name(users, seat.deputy_id)} (dự thay {_name(users, user_id)})"
    return _name(users, user_id)


VOIDED_VERDICT = "Không kiểm được phiếu, biểu quyết bị hủy"
"""A voided vote's result (its reason follows)."""

COUNTED = ("closed", "voided")
"""The votes the minutes and the outcome list: counted, or voided as not tallied."""


def _verdict(vote: Vote) -> str:
    if vote.state == "voided":
        return f"{VOIDED_VERDICT}: {(vote.void_reason or '').strip()}".rstrip(": ")
    if not vote.quorum_at_close:
        return "Không thông qua (không đủ số thành viên có mặt khi kết thúc biểu quyết)"
    return "Thông qua" if vote.passed else "Không thông qua"


def vote_record(
    session: Session, view: MeetingView, users: dict[int, User], vote: Vote
) -> VoteRecord:
    """A closed vote as the minutes print it; a secret vote never names its voters."""
    labels: list[str] = json.loads(vote.options)
    voided = vote.state == "voided"
    counts = [] if voided else tally(session, vote)
    voters: list[tuple[str, str]] = []
    if not vote.secret:
        ballots = session.exec(
            select(VoteNamedBallot)
            .where(VoteNamedBallot.vote_id == vote.id)
            .order_by(col(VoteNamedBallot.id))
        )
        voters = [(_voter(view, users, b.user_id), labels[b.option]) for b in ballots]
    return VoteRecord(
        question=vote.question,
        secret=vote.secret,
        rule_label_vi=RULES[vote.rule],
        options=[] if voided else list(zip(labels, counts, strict=True)),
        eligible=vote.eligible,
        cast=vote.cast,
        quorum_met=bool(vote.quorum_at_close),
        passed=None if voided else vote.passed,
        result_label_vi=_verdict(vote),
        voters=voters,
        record_hash=vote.record_hash,
        voided_reason=(vote.void_reason or "") if voided else None,
    )


def agenda(session: Session, view: MeetingView, users: dict[int, User]) -> list[ItemRecord]:
    """Each agenda item as it happened: the latest version of each of its documents, the
    turns at the microphone in the order given, its closed votes in the order opened."""
    titles: dict[tuple[int, int], str] = {}
    for doc in documents_of(session, view.id):  # versions in order: the last one wins
        titles[(doc.item_id, doc.slot)] = doc.title
    turns = session.exec(
        select(SpeakerRequest)
        .where(
            SpeakerRequest.meeting_id == view.id,
            col(SpeakerRequest.started_at).is_not(None),
        )
        .order_by(col(SpeakerRequest.started_at), col(SpeakerRequest.id))
    ).all()
    votes = [v for v in votes_of(session, view.id) if v.state in COUNTED]
    out = []
    for item in items_of(session, view.id):
        presenter = users.get(item.presenter_id) if item.presenter_id is not None else None
        out.append(
            ItemRecord(
                order=item.position,
                title=item.title,
                presenter=(
                    ", ".join(x for x in (presenter.full_name, presenter.title) if x)
                    if presenter is not None
                    else ""
                ),
                planned_minutes=item.planned_minutes,
                started_at=item.started_at,
                ended_at=item.ended_at,
                documents=[t for (i, _), t in titles.items() if i == item.id],
                speakers=[
                    SpeakerRecord(_name(users, t.user_id), t.started_at, t.ended_at)
                    for t in turns
                    if t.item_id == item.id and t.started_at is not None
                ],
                votes=[vote_record(session, view, users, v) for v in votes if v.item_id == item.id],
            )
        )
    return out


def gather(session: Session, view: MeetingView) -> MinutesData:
    """Everything the minutes of the meeting print, from the tables."""
    meeting = view.meeting
    agency = session.get(Agency, meeting.agency_id)
    assert agency is not None
    users = user_map(session, view)
    chair, secretary = users[meeting.chair_id], users[meeting.secretary_id]
    started = meeting.started_at or meeting.starts_at
    return MinutesData(
        agency_parent=agency.parent_name,
        agency_name=agency.name,
        number_symbol="",
        place=place_of(session, agency),
        title=meeting.title,
        kind=meeting.kind,
        started_at=started,
        ended_at=meeting.ended_at or started,
        location=meeting.place,
        online_link=meeting.online_link,
        chair=Person(chair.full_name, chair.title),
        secretary=Person(secretary.full_name, secretary.title),
        attendance=attendance(view, users),
        agenda=agenda(session, view, users),
        conclusions=meeting.conclusions,
    )
