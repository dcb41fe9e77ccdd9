"""Request and response bodies of the consultations API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from ecabinet.api.schemas import In
from ecabinet.core.inputs import DB_INT_MAX, Id, Line, Text
from ecabinet.meetings.consultation_lists import Listed
from ecabinet.meetings.consultation_models import (
    Consultation,
    ConsultationAnswer,
    ConsultationDocument,
    ConsultationNotice,
)
from ecabinet.meetings.consultation_report import Reply, Results
from ecabinet.meetings.consultations import STATE_VI, ConsultationFields


class ConsultationIn(In):
    agency_id: Id
    title: Line = Field(max_length=500)
    question: Text = Field(max_length=10_000)
    deadline: datetime
    member_ids: list[int] = Field(max_length=1000)
    meeting_id: Id | None = None

    @field_validator("deadline")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("give a time zone (e.g. +07:00)")
        return value

    @field_validator("member_ids")
    @classmethod
    def _ids(cls, value: list[int]) -> list[int]:
        if any(not 1 <= v <= DB_INT_MAX for v in value):
            raise ValueError("user ids are positive whole numbers")
        return value

    def fields(self) -> ConsultationFields:
        return ConsultationFields(
            title=self.title,
            question=self.question,
            deadline=self.deadline,
            member_ids=self.member_ids,
            meeting_id=self.meeting_id,
        )


class ConsultationDocumentIn(In):
    file_id: str = Field(min_length=1, max_length=36)
    title: Line = Field(default="", max_length=500)


class ConsultationAnswerIn(In):
    answer: str = Field(max_length=16, description="agree, disagree or comment")
    comment: Text = Field(default="", max_length=10_000, description="At most 5,000 characters")


class ConsultationOut(BaseModel):
    id: int
    agency_id: int
    meeting_id: int | None
    title: str
    question: str
    deadline: datetime
    state: str
    state_label: str
    created_by: int
    created_at: datetime
    sent_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def of(cls, c: Consultation) -> ConsultationOut:
        data: dict[str, Any] = c.model_dump()
        data["state_label"] = STATE_VI[c.state]
        return cls.model_validate(data)


class ConsultationListedOut(BaseModel):
    consultation: ConsultationOut
    created_by_me: bool
    my_answer: str | None
    asked: int
    answered: int | None = Field(description="How many answered (the creator only)")

    @classmethod
    def of(cls, row: Listed) -> ConsultationListedOut:
        return cls(
            consultation=ConsultationOut.of(row.consultation),
            created_by_me=row.created_by_me,
            my_answer=row.my_answer,
            asked=row.asked,
            answered=row.answered,
        )


class ConsultationList(BaseModel):
    items: list[ConsultationListedOut]


class ConsultationDocumentOut(BaseModel):
    id: int
    title: str
    position: int

    @classmethod
    def of(cls, d: ConsultationDocument) -> ConsultationDocumentOut:
        return cls.model_validate(d.model_dump())


class MyConsultationAnswerOut(BaseModel):
    answer: str
    comment: str
    answered_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, a: ConsultationAnswer) -> MyConsultationAnswerOut:
        return cls.model_validate(a.model_dump())


class ConsultationReplyOut(BaseModel):
    user_id: int
    name: str
    title: str
    answer: str | None
    comment: str
    answered_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, r: Reply) -> ConsultationReplyOut:
        return cls.model_validate(r, from_attributes=True)


class ConsultationResultsOut(BaseModel):
    asked: int
    agree: int
    disagree: int
    comment: int
    unanswered: int
    replies: list[ConsultationReplyOut] | None = Field(
        description="Who answered what (the creator only)"
    )

    @classmethod
    def of(cls, r: Results) -> ConsultationResultsOut:
        return cls(
            asked=r.asked,
            agree=r.agree,
            disagree=r.disagree,
            comment=r.comment,
            unanswered=r.unanswered,
            replies=None if r.replies is None else [ConsultationReplyOut.of(x) for x in r.replies],
        )


class ConsultationDetail(BaseModel):
    consultation: ConsultationOut
    documents: list[ConsultationDocumentOut]
    asked: int
    manages: bool = Field(description="The caller created it (sends, closes, sees names)")
    member: bool
    can_answer: bool
    my_answer: MyConsultationAnswerOut | None
    results: ConsultationResultsOut | None = Field(description="Members: once closed, counts only")


class ConsultationNoticeOut(BaseModel):
    id: int
    consultation_id: int
    kind: str = Field(description="sent, reminder or closed")
    title_vi: str
    title_en: str
    deadline: datetime
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, n: ConsultationNotice, c: Consultation) -> ConsultationNoticeOut:
        vi, en = {
            "sent": ("Xin ý kiến", "Your opinion is asked"),
            "reminder": ("Sắp hết hạn trả lời phiếu lấy ý kiến", "Consultation closing soon"),
            "closed": ("Đã kết thúc lấy ý kiến", "Consultation closed"),
        }[n.kind]
        return cls(
            id=n.id or 0,
            consultation_id=n.consultation_id,
            kind=n.kind,
            title_vi=f"{vi}: {c.title}",
            title_en=f"{en}: {c.title}",
            deadline=c.deadline,
            created_at=n.created_at,
            read_at=n.read_at,
        )


class ConsultationNoticeList(BaseModel):
    items: list[ConsultationNoticeOut]
    unread: int
