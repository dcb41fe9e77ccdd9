"""Tables of annotations on meeting documents (ghi chú / ghi chú chia sẻ).

An annotation belongs to one version of a document (``agenda_document`` row) and one
page of it; its body is the JSON of an :mod:`ecabinet.meetings.annotate` shape without
the page. The tablet names each annotation with a UUID of its own (``client_id``, unique
per author), so an offline tablet can send the same annotation again without making a
second one. A deleted annotation stays as a tombstone (``deleted_at``, empty body): a
tablet that syncs an old copy later cannot bring it back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ecabinet.core.types import UTCDateTime

KINDS = ("ink", "highlight", "note")
VISIBILITIES = ("me", "named", "everyone")


class Annotation(SQLModel, table=True):
    """An ink stroke, a highlight or a text note on a page of a meeting document."""

    __table_args__ = (
        UniqueConstraint("author_id", "client_id"),
        # "What may user U see on document X": their own (and how many they have)...
        Index("ix_annotation_document_author", "document_id", "author_id"),
        # ...and those shared with everyone; those shared by name come from the shares.
        Index("ix_annotation_document_visibility", "document_id", "visibility"),
    )
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    document_id: int = Field(foreign_key="agenda_document.id")
    """The document version (``AgendaDocument.id``) the positions refer to."""
    author_id: int = Field(foreign_key="user.id")
    client_id: str = Field(max_length=36)
    """The tablet's UUID for this annotation (lower case)."""
    kind: str = Field(sa_type=String(10))
    """ink, highlight or note."""
    page: int
    """Page index, from 0."""
    body: str = Field(sa_column=Column(Text(), nullable=False))
    """JSON: ``{"points": [{"x", "y"}…], "color", "width"}`` (ink), ``{"rects": [[x1, y1,
    x2, y2]…], "color"}`` (highlight) or ``{"at": {"x", "y"}, "text", "color"}`` (note)."""
    visibility: str = Field(sa_type=String(10))
    """me (the author only), named (the author and the colleagues in ``annotation_share``)
    or everyone (every participant of the meeting)."""
    revision: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    """1 when created, one more at each change: the meeting's events name the revision
    (not the content), and a tablet keeps the latest it has fetched."""
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    deleted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class AnnotationShare(SQLModel, table=True):
    """A named colleague who may see an annotation (visibility ``named``)."""

    __tablename__ = "annotation_share"
    __table_args__ = (Index("ix_annotation_share_user", "user_id", "annotation_id"),)
    annotation_id: int = Field(foreign_key="annotation.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True)


class DocumentPageCount(SQLModel, table=True):
    """How many pages a meeting document version has: counted from its PDF once, the
    first time someone annotates it, to check every later annotation's page cheaply."""

    __tablename__ = "document_page_count"
    document_id: int = Field(foreign_key="agenda_document.id", primary_key=True)
    pages: int


class AnnotationQuota(SQLModel, table=True):
    """What one member writes and keeps on one document version: the minute's count of
    writes and bytes written, and the bytes kept (the bodies of their live annotations).
    Kept in the database and updated in the save's transaction, so the limits hold
    across devices and processes (:mod:`ecabinet.meetings.annotation_quota`)."""

    __tablename__ = "annotation_quota"
    document_id: int = Field(foreign_key="agenda_document.id", primary_key=True)
    author_id: int = Field(foreign_key="user.id", primary_key=True)
    window_start: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    """The start of the current minute of counting."""
    writes: int = 0
    """Creations and changes in the current minute."""
    written_bytes: int = 0
    """Bytes of annotation bodies written in the current minute."""
    stored_bytes: int = 0
    """Bytes of the bodies of the member's live annotations on the document."""
