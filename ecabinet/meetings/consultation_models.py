"""Tables of the meetings domain: consultations (phiếu lấy ý kiến) outside meetings.

A consultation asks the members named by its creator one question, with documents and a
deadline. It is a draft until sent, open until closed (by its creator, or at the
deadline), then closed. Each member has at most one answer, which they may change until
the deadline. Notices tell members that a consultation was sent to them, that its
deadline is near (once: ``consultation_member.reminded_at`` marks it, and the notice's
unique key holds it too), and that it has closed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ecabinet.core.types import UTCDateTime


class Consultation(SQLModel, table=True):
    """A question put to members in writing, with a deadline (UTC)."""

    __table_args__ = (Index("ix_consultation_state_deadline", "state", "deadline"),)
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    """The meeting it was raised from, if any."""
    title: str = Field(max_length=500)
    question: str = Field(sa_column=Column(Text(), nullable=False))
    deadline: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    state: str = Field(default="draft", sa_type=String(8))
    """draft, open (sent, answers taken) or closed."""
    created_by: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    closed_by: int | None = Field(default=None, foreign_key="user.id")
    """Who closed it; None when it closed at its deadline."""


class ConsultationMember(SQLModel, table=True):
    """Someone asked."""

    __tablename__ = "consultation_member"
    __table_args__ = (UniqueConstraint("consultation_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    reminded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    """When the one reminder before the deadline went to this member (None: not yet)."""


class ConsultationAnswer(SQLModel, table=True):
    """A member's answer: agree, disagree or comment (only a comment), and a comment."""

    __tablename__ = "consultation_answer"
    __table_args__ = (UniqueConstraint("consultation_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    answer: str = Field(sa_type=String(8))
    comment: str = Field(default="", sa_column=Column(Text(), nullable=False))
    answered_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ConsultationDocument(SQLModel, table=True):
    """A PDF sent with the question (its file is owned by the consultation)."""

    __tablename__ = "consultation_document"
    __table_args__ = (UniqueConstraint("consultation_id", "position"),)
    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    file_id: str = Field(foreign_key="stored_file.id", max_length=36)
    title: str = Field(max_length=500)
    position: int
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ConsultationNotice(SQLModel, table=True):
    """An in-app notice to a member: sent, reminder or closed, at most one of each."""

    __tablename__ = "consultation_notice"
    __table_args__ = (
        UniqueConstraint("consultation_id", "user_id", "kind"),
        Index("ix_consultation_notice_user_read", "user_id", "read_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    kind: str = Field(sa_type=String(8))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    read_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
