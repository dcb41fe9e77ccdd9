"""What the minutes and the consultation tally print: plain frozen values, no database.

The meetings services build these from the tables (names resolved, documents reduced to
their titles, votes already counted); :mod:`ecabinet.meetings.minutes_pdf` and
:mod:`ecabinet.meetings.consultation_pdf` only lay them out. Datetimes must be aware
(the tables give UTC); the PDFs show them in Vietnam time (+07:00).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

AttendanceStatus = Literal["present", "online", "absent"]
ConsultationAnswer = Literal["agree", "disagree", "comment"]


@dataclass(frozen=True)
class Person:
    """Someone named in the minutes, with their position (chức vụ)."""

    name: str
    title: str


@dataclass(frozen=True)
class Attendee:
    """One line of the attendance list."""

    name: str
    title: str
    status: AttendanceStatus
    reason: str = ""
    """Why absent (empty otherwise)."""
    deputy_for: str = ""
    """The member this person attends for (dự thay), if any."""


@dataclass(frozen=True)
class SpeakerRecord:
    """One turn at the microphone."""

    name: str
    started_at: datetime
    ended_at: datetime | None = None


@dataclass(frozen=True)
class VoteRecord:
    """A closed vote, counted; or a secret vote voided as not tallied."""

    question: str
    secret: bool
    rule_label_vi: str
    """The passing rule, e.g. "Quá nửa số thành viên có mặt"."""
    options: Sequence[tuple[str, int]]
    """(label, count) per option, in ballot order."""
    eligible: int
    """Members entitled to vote."""
    cast: int
    """Ballots cast."""
    quorum_met: bool
    passed: bool | None
    """None when the vote decides nothing (a poll)."""
    result_label_vi: str
    voters: Sequence[tuple[str, str]] = ()
    """(name, choice label) per voter; always empty for a secret vote."""
    record_hash: str | None = None
    """A secret vote's election record's SHA-256: anyone with the record can recompute
    the counts and check every proof (``ecabinet vote verify``, the record page)."""
    voided_reason: str | None = None
    """Set when the vote was voided as not tallied (its key lost the guardians' quorum,
    :mod:`ecabinet.meetings.voided_votes`): the chair's reason; it has no counts."""


@dataclass(frozen=True)
class ItemRecord:
    """One agenda item as it happened."""

    order: int
    title: str
    presenter: str
    planned_minutes: int
    started_at: datetime | None
    ended_at: datetime | None
    documents: Sequence[str] = ()
    """Titles of the item's documents."""
    speakers: Sequence[SpeakerRecord] = ()
    votes: Sequence[VoteRecord] = ()


@dataclass(frozen=True)
class MinutesData:
    """Everything the minutes (biên bản họp) of one meeting print."""

    agency_parent: str
    """Parent agency for the header ("" for none)."""
    agency_name: str
    number_symbol: str
    """"12/BB-UBND" once numbered; "" until then (the header prints "Số:" alone)."""
    place: str
    """Place of the date line ("An Giang")."""
    title: str
    kind: str
    """regular, extraordinary, thematic, working (printed in Vietnamese) or free text."""
    started_at: datetime
    ended_at: datetime
    location: str
    online_link: str
    chair: Person
    secretary: Person
    attendance: Sequence[Attendee]
    agenda: Sequence[ItemRecord]
    conclusions: str
    """Typed by the secretary; paragraphs separated by blank lines."""


@dataclass(frozen=True)
class ConsultationReply:
    """One person asked in a consultation, and their answer if any."""

    name: str
    title: str
    answer: ConsultationAnswer | None
    """None: not answered by the deadline."""
    comment: str = ""
    answered_at: datetime | None = None


@dataclass(frozen=True)
class ConsultationData:
    """Everything the consultation tally (tổng hợp phiếu lấy ý kiến) prints."""

    agency_parent: str
    agency_name: str
    number_symbol: str
    place: str
    title: str
    question: str
    documents: Sequence[str]
    sent_at: datetime
    deadline: datetime
    compiled_at: datetime
    """When the tally was made: the date line."""
    replies: Sequence[ConsultationReply]
    """One per person asked: the sent-to count is their number."""
    compiled_by: Person | None = None
    """Who signs the tally ("NGƯỜI TỔNG HỢP"); None for no signature block."""
