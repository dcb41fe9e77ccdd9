"""Tables of the meetings domain: meetings, participants (invitation, RSVP, check-in),
agenda items and their documents, and the numbered event log that tablets resync from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ecabinet.core.types import UTCDateTime


class Meeting(SQLModel, table=True):
    """A meeting (cuộc họp) of an agency."""

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    title: str = Field(max_length=500)
    kind: str = Field(default="regular", sa_type=String(16))
    """regular (thường kỳ), extraordinary (bất thường), thematic (chuyên đề), working."""
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    ends_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    place: str = Field(default="", max_length=255)
    online_link: str = Field(default="", max_length=500)
    chair_id: int = Field(foreign_key="user.id")
    secretary_id: int = Field(foreign_key="user.id")
    state: str = Field(default="draft", sa_type=String(16), index=True)
    quorum_rule: str = Field(default="majority", sa_type=String(16))
    current_item_id: int | None = Field(default=None)
    """The agenda item under discussion (moved by the chair or secretary)."""
    seq: int = 0
    """Number of the last live event: tablets resync from it."""
    started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    conclusions: str = Field(default="", sa_column=Column(Text(), nullable=False))
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Participant(SQLModel, table=True):
    """Someone invited: a member, a guest, the chair or the secretary; their answer and
    their attendance."""

    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    role: str = Field(sa_type=String(12), description="chair, secretary, member or guest")
    rsvp: str = Field(default="pending", sa_type=String(12))
    """pending, accepted, declined or deputy (sends someone in their place)."""
    rsvp_reason: str = Field(default="", max_length=1000)
    deputy_id: int | None = Field(default=None, foreign_key="user.id")
    """Who attends in this member's place (Decree: cử người dự thay)."""
    attendance: str = Field(default="unknown", sa_type=String(12))
    """unknown, present, online or absent."""
    absence_reason: str = Field(default="", max_length=1000)
    checked_in_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    checked_in_by: int | None = Field(default=None, foreign_key="user.id")


class AgendaItem(SQLModel, table=True):
    """One item of the agenda (nội dung họp), in order."""

    __tablename__ = "agenda_item"
    __table_args__ = (Index("ix_agenda_item_meeting_position", "meeting_id", "position"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    position: int
    title: str = Field(max_length=500)
    presenter_id: int | None = Field(default=None, foreign_key="user.id")
    planned_minutes: int = 15
    started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class AgendaDocument(SQLModel, table=True):
    """A document of an agenda item; a new version keeps the earlier ones."""

    __tablename__ = "agenda_document"
    __table_args__ = (UniqueConstraint("item_id", "slot", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="agenda_item.id", index=True)
    file_id: str = Field(foreign_key="stored_file.id", max_length=36)
    title: str = Field(max_length=500)
    slot: int = 1
    version: int = 1
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class MeetingEvent(SQLModel, table=True):
    """A live event of a meeting, numbered: a tablet that reconnects asks for those after
    the last number it saw."""

    __tablename__ = "meeting_event"
    __table_args__ = (UniqueConstraint("meeting_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    seq: int
    kind: str = Field(max_length=40)
    payload: str = Field(sa_column=Column(Text(), nullable=False))
    """JSON; never a secret ballot's choice tied to its voter."""
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
