"""Tables of the minutes (biên bản họp): each generated version, the signatures on it
(each a new signed file), and the conclusion notice drafted from the meeting.

A version's PDF and every signed copy are stored files owned by the meeting (read only
through the meeting's routes). Regenerating makes a new version with no signature; the
earlier versions and their signed files stay for the record.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ecabinet.core.types import UTCDateTime


class MinutesState(StrEnum):
    draft = "draft"
    """Generated, nobody has signed."""
    signed_by_secretary = "signed_by_secretary"
    signed = "signed"
    """Signed by the secretary, then by the chair."""

    @property
    def label_vi(self) -> str:
        return _VI[self]


_VI = {
    MinutesState.draft: "Chưa ký",
    MinutesState.signed_by_secretary: "Thư ký đã ký",
    MinutesState.signed: "Đã ký đủ (thư ký và chủ trì)",
}


class MinutesVersion(SQLModel, table=True):
    """One generated PDF of a meeting's minutes."""

    __tablename__ = "minutes_version"
    __table_args__ = (UniqueConstraint("meeting_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    version: int
    file_id: str = Field(foreign_key="stored_file.id", max_length=36)
    """The generated PDF, unsigned."""
    state: str = Field(default=MinutesState.draft.value, sa_type=String(24))
    boxes: str = Field(sa_column=Column(Text(), nullable=False))
    """JSON {"secretary": [page, x1, y1, x2, y2], "chair": [...]}: where each signature
    goes (page from 0, points from the bottom left), as the renderer laid them out."""
    generated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    generated_by: int = Field(foreign_key="user.id")


class MinutesSignature(SQLModel, table=True):
    """A signature on a version: the file it produced (the secretary's signed copy, then
    the chair's, which carries both)."""

    __tablename__ = "minutes_signature"
    __table_args__ = (UniqueConstraint("minutes_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    minutes_id: int = Field(foreign_key="minutes_version.id", index=True)
    role: str = Field(sa_type=String(12), description="secretary or chair")
    file_id: str = Field(foreign_key="stored_file.id", max_length=36)
    signer_id: int = Field(foreign_key="user.id")
    signer_name: str = Field(max_length=255, description="The certificate's common name")
    credential_id: str = Field(max_length=36)
    level: str = Field(sa_type=String(8))
    signed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ConclusionNotice(SQLModel, table=True):
    """The conclusion notice (thông báo kết luận) drafted from a meeting: one per meeting,
    as an outgoing document of the documents flow."""

    __tablename__ = "conclusion_notice"
    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    document_id: int | None = Field(default=None, foreign_key="document.id", ondelete="SET NULL")
    """None once the document is gone (a new notice may then be drafted)."""
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_by: int = Field(foreign_key="user.id")
