"""Tables of the exchange with other systems (decision 0032): the outbox of packages and
status messages to deliver, and the inbox of packages received (one row per package
and receiving agency: a duplicate gets the first receipt back)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, LargeBinary, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ecabinet.core.types import UTCDateTime


class ExchangeOutbox(SQLModel, table=True):
    """One package or status message to deliver to a peer, with its retry state."""

    __tablename__ = "exchange_outbox"
    __table_args__ = (Index("ix_exchange_outbox_due", "state", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=String(8), description="document or status")
    state: str = Field(
        default="pending",
        sa_type=String(10),
        description="pending, delivered, refused, failed or cancelled",
    )
    from_code: str = Field(max_length=32, description="The sending agency's code")
    to_code: str = Field(max_length=32, description="The receiving agency's code")
    document_id: int | None = Field(default=None, foreign_key="document.id", index=True)
    """The outgoing document sent (``document``) or the incoming one reported on; None
    for a message this deployment relays for another (``relay_of``)."""
    recipient_id: int | None = Field(default=None, foreign_key="recipient.id")
    """The sender's recipient row (``document``)."""
    document_key: str = Field(default="", max_length=255)
    """The edXML DocumentId of the document (a status message answers it)."""
    status_code: str = Field(default="", max_length=2)
    """``status``: the edXML status code reported."""
    status_note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    package_sha256: str = Field(default="", max_length=64)
    """The package's bytes in the object store, frozen at the first attempt: every retry
    sends the same bytes, so the receiver sees one package id."""
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    receipt: bytes | None = Field(default=None, sa_column=Column(LargeBinary()))
    """The receiver's signed receipt (JSON) once delivered, with its signature below."""
    receipt_signature: bytes | None = Field(default=None, sa_column=Column(LargeBinary()))
    relay_of: int | None = Field(default=None, foreign_key="exchange_inbox.id")
    """A relayed message (decision 0036): the inbox row it arrived as."""
    forward_signature: bytes | None = Field(default=None, sa_column=Column(LargeBinary()))
    """A relayed message: the original sender's signature, forwarded unchanged (a relay
    never signs someone else's message)."""
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class ExchangeInbox(SQLModel, table=True):
    """A package or status message received from a peer, and the receipt answered."""

    __tablename__ = "exchange_inbox"
    __table_args__ = (UniqueConstraint("package_id", "to_code", name="uq_exchange_inbox_package"),)
    id: int | None = Field(default=None, primary_key=True)
    package_id: str = Field(max_length=64, description="SHA-256 of the package bytes")
    kind: str = Field(sa_type=String(8), description="document or status")
    from_code: str = Field(max_length=32)
    to_code: str = Field(max_length=32)
    document_id: int | None = Field(default=None, foreign_key="document.id", index=True)
    """The incoming document created (``document``), or the outgoing one reported on."""
    response_for: str = Field(default="", max_length=255)
    """The sender's DocumentId of the document (what status messages answer)."""
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    receipt: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    receipt_signature: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    message_sha256: str = Field(default="", max_length=64)
    """The message's bytes as received, in the object store (empty for rows older than
    the message log)."""
    message_signature: bytes | None = Field(default=None, sa_column=Column(LargeBinary()))
    """The sender's detached CMS signature over those bytes: the proof of who said it."""
    reported_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    """``status``: when the peer says it reached the step (its message's Timestamp)."""


class EdxmlImport(SQLModel, table=True):
    """An edXML package a clerk imported by hand, once per receiving agency."""

    __tablename__ = "edxml_import"
    __table_args__ = (
        UniqueConstraint("package_digest", "agency_id", name="uq_edxml_import_package"),
    )
    id: int | None = Field(default=None, primary_key=True)
    package_digest: str = Field(max_length=64)
    """SHA-256 of the package's bytes (not kept in the object store: not a blob key)."""
    agency_id: int = Field(foreign_key="agency.id")
    document_id: int = Field(foreign_key="document.id")
    imported_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
