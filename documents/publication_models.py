"""A document's life on the public page: published, then perhaps withdrawn or expired
(shown as such with date and reason, never removed)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, String, Text
from sqlmodel import Field, SQLModel

from ecabinet.core.types import UTCDateTime


class Publication(SQLModel, table=True):
    # The public lists walk these newest first and stop after a page: no sort of every
    # publication of a state, a sector or a year, and no unpublished document read.
    __table_args__ = (
        Index("ix_publication_issued_on", "issued_on", "document_id"),
        Index("ix_publication_state_issued_on", "state", "issued_on", "document_id"),
        Index("ix_publication_sector_issued_on", "sector", "issued_on", "document_id"),
    )
    document_id: int = Field(foreign_key="document.id", primary_key=True)
    slug: str = Field(max_length=160, unique=True, description="{year}/{number}-{symbol}")
    state: str = Field(sa_type=String(12))
    """published, withdrawn (đã thu hồi) or expired (hết hiệu lực)."""
    published_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    published_by: int = Field(foreign_key="user.id")
    sha256: str = Field(max_length=64, index=True, description="The published PDF")
    ended_on: date | None = Field(default=None, description="Withdrawn or expired on")
    reason: str = Field(default="", sa_column=Column(Text(), nullable=False))
    changed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    log_seq: int = Field(description="The publication log entry of the last change")
    sector: str = Field(default="khac", sa_type=String(24))
    issued_on: date = Field(description="The document's date of issue (copied: it never changes)")
    """Lĩnh vực: a code of ``documents.sectors.SECTORS``."""


class PublicationLink(SQLModel, table=True):
    """A published document that replaces or amends another published one (stated when it
    is published, and in its log entry)."""

    __tablename__ = "publication_link"
    document_id: int = Field(foreign_key="publication.document_id", primary_key=True)
    target_id: int = Field(foreign_key="publication.document_id", primary_key=True, index=True)
    kind: str = Field(sa_type=String(12))
    """replaces (thay thế) or amends (sửa đổi, bổ sung)."""
