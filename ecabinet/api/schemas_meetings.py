"""Request and response bodies of the meetings API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from ecabinet.api.schemas import In
from ecabinet.core.inputs import Id, Line, Text
from ecabinet.core.users import User
from ecabinet.meetings.attendance import Quorum
from ecabinet.meetings.inputs import (
    AgendaMoveIn,
    AnnouncementIn,
    BallotIn,
    CheckInIn,
    ConfirmIn,
    EndIn,
    GuardiansIn,
    PartialIn,
    SharesIn,
    VoidIn,
    VoteIn,
)
from ecabinet.meetings.models import AgendaDocument, AgendaItem, Meeting, Participant
from ecabinet.meetings.service import MeetingFields
from ecabinet.meetings.states import MeetingState

__all__ = [  # live inputs, shared
    "AgendaMoveIn",
    "AnnouncementIn",
    "BallotIn",
    "CheckInIn",
    "ConfirmIn",
    "EndIn",
    "GuardiansIn",
    "PartialIn",
    "SharesIn",
    "VoidIn",
    "VoteIn",
]


class MeetingIn(In):
    agency_id: Id
    title: Line = Field(min_length=1, max_length=500)
    kind: Literal["regular", "extraordinary", "thematic", "working"] = "regular"
    starts_at: datetime
    ends_at: datetime | None = None
    place: Line = Field(default="", max_length=255)
    online_link: Line = Field(default="", max_length=500)
    chair_id: Id
    secretary_id: Id
    quorum_rule: Literal["majority", "two_thirds", "none"] = "majority"

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give a time zone (e.g. +07:00)")
        return value

    def fields(self) -> MeetingFields:
        return MeetingFields(
            title=self.title,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            chair_id=self.chair_id,
            secretary_id=self.secretary_id,
            kind=self.kind,
            place=self.place,
            online_link=self.online_link,
            quorum_rule=self.quorum_rule,
        )


class InviteIn(In):
    user_id: Id
    role: Literal["member", "guest"] = "member"


class ItemIn(In):
    title: Line = Field(min_length=1, max_length=500)
    presenter_id: Id | None = None
    planned_minutes: int = Field(default=15, ge=1, le=600)


class DocumentIn(In):
    file_id: str = Field(min_length=1, max_length=36)
    title: Line = Field(default="", max_length=500)
    slot: int | None = Field(default=None, ge=1, le=1000, description="A new version of it")


class AnswerIn(In):
    answer: Literal["accepted", "declined", "deputy"]
    reason: Text = Field(default="", max_length=1000)
    deputy_id: Id | None = None


class MeetingOut(BaseModel):
    id: int
    agency_id: int
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    place: str
    online_link: str
    chair_id: int
    secretary_id: int
    state: str
    state_label: str
    quorum_rule: str
    current_item_id: int | None
    seq: int
    started_at: datetime | None
    ended_at: datetime | None

    @classmethod
    def of(cls, m: Meeting) -> MeetingOut:
        data: dict[str, Any] = m.model_dump()
        data["state_label"] = MeetingState(m.state).label_vi
        return cls.model_validate(data)


class MeetingList(BaseModel):
    items: list[MeetingOut]


class ParticipantOut(BaseModel):
    user_id: int
    full_name: str = Field(description="As people know them (a guest of another agency too)")
    title: str = Field(description="Their title (chức vụ)")
    role: str
    rsvp: str
    rsvp_reason: str
    deputy_id: int | None
    attendance: str
    absence_reason: str
    checked_in_at: datetime | None

    @classmethod
    def of(cls, p: Participant, user: User | None) -> ParticipantOut:
        names = {"full_name": user.full_name, "title": user.title} if user else {}
        return cls.model_validate({"full_name": "", "title": ""} | p.model_dump() | names)


class MeetingDocumentOut(BaseModel):
    id: int
    title: str
    slot: int
    version: int
    file_id: str

    @classmethod
    def of(cls, d: AgendaDocument) -> MeetingDocumentOut:
        return cls.model_validate(d.model_dump())


class ItemOut(BaseModel):
    id: int
    position: int
    title: str
    presenter_id: int | None
    planned_minutes: int
    started_at: datetime | None
    ended_at: datetime | None
    documents: list[MeetingDocumentOut]

    @classmethod
    def of(cls, item: AgendaItem, documents: list[AgendaDocument]) -> ItemOut:
        data: dict[str, Any] = item.model_dump()
        data["documents"] = [MeetingDocumentOut.of(d) for d in documents if d.item_id == item.id]
        return cls.model_validate(data)


class QuorumOut(BaseModel):
    members: int
    present: int
    needed: int
    rule: str
    met: bool

    @classmethod
    def of(cls, q: Quorum) -> QuorumOut:
        return cls.model_validate(q.as_dict())


class MeetingDetail(BaseModel):
    meeting: MeetingOut
    participants: list[ParticipantOut]
    agenda: list[ItemOut]
    quorum: QuorumOut
    runs: bool = Field(description="The caller is the chair or the secretary")


class MeetingEventOut(BaseModel):
    meeting_id: int
    seq: int
    kind: str
    at: str
    data: dict[str, Any]


class EventList(BaseModel):
    events: list[MeetingEventOut]
    snapshot_needed: bool = Field(description="Too far behind: reload the meeting instead")
    seq: int


class BallotOut(BaseModel):
    vote_id: int
    cast: int
    receipt: str | None = Field(
        description="A secret ballot's tracking code (the hash of the encrypted ballot, "
        "found again in the vote's election record)"
    )


class ReceiptIn(In):
    receipt: str = Field(min_length=1, max_length=80)


class ReceiptOut(BaseModel):
    counted: bool


class TallyProgress(BaseModel):
    have: int
    quorum: int


class VoteOut(BaseModel):
    id: int
    item_id: int
    question: str
    options: list[str]
    secret: bool
    rule: str
    rule_label: str
    state: str
    eligible: int
    members: int
    cast: int
    counts: list[int] | None = Field(description="Per option, once the vote is closed")
    passed: bool | None
    quorum_at_close: bool | None
    tally: TallyProgress | None = Field(
        default=None, description="A secret vote's decryption: valid partials in, and needed"
    )
    record_hash: str | None = Field(
        default=None, description="A secret vote's election record's SHA-256, once decrypted"
    )
    void_reason: str | None = Field(
        default=None,
        description="Why a secret vote was voided as not tallied (state `voided`: too many"
        " guardians lost; nothing was decrypted)",
    )


class TallyRequestOut(BaseModel):
    vote_id: int
    context: dict[str, Any]
    aggregate: dict[str, Any] | None = Field(description="The encrypted total, once closed")
    ballots: list[dict[str, Any]] = Field(
        default_factory=list, description="The encrypted ballots summed, once closed"
    )
    cast: int = Field(description="Ballots cast (the turnout the room saw)")
    decrypted_by: list[int] = Field(description="Guardians whose partial is in")


class RecordProblem(BaseModel):
    where: str
    problem: str


class RecordReportOut(BaseModel):
    ok: bool
    counts: list[int] | None
    record_hash: str
    problems: list[RecordProblem]


class GuardianOut(BaseModel):
    index: int
    user_id: int
    state: str


class CeremonyOut(BaseModel):
    state: str = Field(description="none, announcing, sharing, confirming or complete")
    count: int
    quorum: int
    fingerprint: str | None = None
    fingerprint_short: str | None = None
    guardians: list[GuardianOut]


class ReceivedSharesOut(BaseModel):
    index: int
    count: int
    quorum: int
    announcements: list[dict[str, Any]]
    shares: dict[str, str] = Field(description="Sender's index -> share encrypted to me")


class VoteList(BaseModel):
    items: list[VoteOut]


class SpeakerOut(BaseModel):
    id: int
    item_id: int | None
    user_id: int
    state: str
    requested_at: datetime
    started_at: datetime | None
    ended_at: datetime | None


class SpeakerList(BaseModel):
    items: list[SpeakerOut]
