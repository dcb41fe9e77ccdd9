"""Response bodies of a held meeting's outcome (kết quả cuộc họp)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from ecabinet.api.schemas_meetings import MeetingOut, QuorumOut
from ecabinet.api.schemas_minutes import SignatureOut
from ecabinet.meetings.outcome import AttendanceLine, MinutesLine, Outcome, Presence, VoteLine


class AttendanceLineOut(BaseModel):
    user_id: int
    name: str
    title: str
    role: str = Field(description="chair, secretary, member or guest (a deputy: the seat's)")
    presence: Presence = Field(
        description="present, online, absent, not_checked_in, or sent_deputy (not present:"
        " the deputy is listed with the seat's check-in)"
    )
    reason: str
    deputy_id: int | None = Field(description="For sent_deputy: who came in their place")
    deputy_for: int | None = Field(description="For a deputy: whose seat they held")

    @classmethod
    def of(cls, line: AttendanceLine) -> AttendanceLineOut:
        return cls.model_validate(line, from_attributes=True)


class OptionCountOut(BaseModel):
    label: str
    count: int


class VoterOut(BaseModel):
    name: str
    choice: str


class VoteResultOut(BaseModel):
    id: int
    item_id: int
    item_title: str
    question: str
    secret: bool
    rule: str
    rule_label: str
    options: list[OptionCountOut]
    eligible: int
    cast: int
    quorum_met: bool
    passed: bool | None
    result_label: str
    voters: list[VoterOut] = Field(description="Who chose what: always empty for a secret vote")
    record_hash: str | None = Field(
        default=None,
        description="A secret vote's election record's SHA-256 (what the minutes cite)",
    )
    voided_reason: str | None = Field(
        default=None,
        description="Set when the secret vote was voided as not tallied (its key lost the"
        " guardians' quorum): the chair's reason; the vote then has no counts",
    )
    record_url: str | None = Field(
        default=None,
        description="Where those who may read the minutes download the record (JSON); anyone"
        " can check it at /cong-khai/kiem-tra-bieu-quyet or with `ecabinet vote verify`",
    )

    @classmethod
    def of(cls, line: VoteLine) -> VoteResultOut:
        r = line.record
        return cls(
            id=line.id,
            item_id=line.item_id,
            item_title=line.item_title,
            question=r.question,
            secret=r.secret,
            rule=line.rule,
            rule_label=r.rule_label_vi,
            options=[OptionCountOut(label=label, count=n) for label, n in r.options],
            eligible=r.eligible,
            cast=r.cast,
            quorum_met=r.quorum_met,
            passed=r.passed,
            result_label=r.result_label_vi,
            voters=[VoterOut(name=name, choice=choice) for name, choice in r.voters],
            record_hash=r.record_hash,
            voided_reason=r.voided_reason,
            record_url=record_url(line.meeting_id, line.id) if r.record_hash else None,
        )


def record_url(meeting_id: int, vote_id: int) -> str:
    return f"/api/v1/meetings/{meeting_id}/votes/{vote_id}/record"


class OutcomeMinutesOut(BaseModel):
    version: int
    state: str = Field(description="draft, signed_by_secretary or signed")
    state_label: str
    generated_at: datetime
    signatures: list[SignatureOut]

    @classmethod
    def of(cls, line: MinutesLine) -> OutcomeMinutesOut:
        return cls(
            version=line.version.version,
            state=line.state.value,
            state_label=line.state.label_vi,
            generated_at=line.version.generated_at,
            signatures=[
                SignatureOut.model_validate(s, from_attributes=True) for s in line.signatures
            ],
        )


class OutcomeOut(BaseModel):
    """What a held meeting came to: attendance, votes, conclusions, minutes."""

    meeting: MeetingOut
    attendance: list[AttendanceLineOut]
    quorum: QuorumOut = Field(description="At the close, from the check-in")
    votes: list[VoteResultOut]
    conclusions: str
    minutes: OutcomeMinutesOut | None = Field(description="The latest version; null before any")

    @classmethod
    def of(cls, o: Outcome) -> OutcomeOut:
        return cls(
            meeting=MeetingOut.of(o.view.meeting),
            attendance=[AttendanceLineOut.of(a) for a in o.attendance],
            quorum=QuorumOut.of(o.quorum),
            votes=[VoteResultOut.of(v) for v in o.votes],
            conclusions=o.conclusions,
            minutes=OutcomeMinutesOut.of(o.minutes) if o.minutes else None,
        )
