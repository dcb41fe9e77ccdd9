"""Tables of the documents domain: types, registers, documents, their files, handlers,
access lists, recipients and timeline.

Register fields follow Decree 30, Appendix IV. A register (sổ) belongs to an agency, a
flow and a year and holds its own counter (``last_number``): outgoing numbers and
incoming arrival numbers are both taken from it, so each series starts at 01 on 1 January
with the year's new register. Partial unique indexes make the database refuse a repeated
number even if the code that allocates them were wrong.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, String, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from ecabinet.core.types import UTCDateTime


class DocumentType(SQLModel, table=True):
    """A document type of Decree 30 Article 7 and its abbreviation (Appendix III)."""

    __tablename__ = "document_type"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=8, unique=True, description="Stable key, e.g. QD, CV")
    name: str = Field(max_length=80, description="Quyết định, Công văn…")
    abbreviation: str = Field(max_length=8, description="QĐ, CT…; empty for a công văn")


class Register(SQLModel, table=True):
    """A register (sổ đăng ký văn bản) with its own number series."""

    __table_args__ = (UniqueConstraint("agency_id", "flow", "year", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    flow: str = Field(sa_type=String(8))
    year: int
    name: str = Field(max_length=255)
    confidential: bool = False
    """The series of confidential documents (Decree 30: their own numbers)."""
    type_id: int | None = Field(default=None, foreign_key="document_type.id")
    """Only documents of this type (one series per type for normative documents)."""
    last_number: int = 0
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Document(SQLModel, table=True):
    """An incoming or outgoing document with the register fields of Appendix IV."""

    __table_args__ = (
        Index(
            "uq_document_outgoing_number",
            "register_id",
            "number",
            unique=True,
            sqlite_where=text("flow = 'outgoing' AND number IS NOT NULL"),
            postgresql_where=text("flow = 'outgoing' AND number IS NOT NULL"),
        ),
        Index(
            "uq_document_number_symbol",
            "agency_id",
            "year",
            "number",
            "symbol",
            unique=True,
            sqlite_where=text("flow = 'outgoing' AND number IS NOT NULL"),
            postgresql_where=text("flow = 'outgoing' AND number IS NOT NULL"),
        ),
        Index(
            "uq_document_arrival_number",
            "register_id",
            "arrival_number",
            unique=True,
            sqlite_where=text("arrival_number IS NOT NULL"),
            postgresql_where=text("arrival_number IS NOT NULL"),
        ),
        Index("ix_document_agency_flow_state", "agency_id", "flow", "state"),
        Index("ix_document_number_symbol", "number", "symbol"),
    )
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    """The agency whose registers hold it (receiver of an incoming, issuer of an outgoing)."""
    flow: str = Field(sa_type=String(8))
    state: str = Field(sa_type=String(24), index=True)
    type_id: int = Field(foreign_key="document_type.id", index=True)
    register_id: int | None = Field(default=None, foreign_key="register.id", index=True)
    year: int | None = Field(default=None, description="Year of the number or arrival")
    number: int | None = Field(default=None, description="Our number, or the sender's")
    symbol: str = Field(default="", max_length=60, description="QĐ-UBND, UBND-KT…")
    issued_on: date | None = Field(default=None, index=True, description="Document date")
    place: str = Field(default="", max_length=80, description="Place on the date line")
    abstract: str = Field(sa_column=Column(Text(), nullable=False))
    issuing_agency_name: str = Field(default="", max_length=255)
    issuing_agency_code: str = Field(default="", max_length=32)
    signer_name: str = Field(default="", max_length=255)
    signer_title: str = Field(default="", max_length=255)
    signing_form: str = Field(default="", max_length=8, description="TM., KT., Q., TL., TUQ.")
    recipients_text: str = Field(default="", sa_column=Column(Text(), nullable=False))
    confidentiality: str = Field(default="none", sa_type=String(16))
    urgency: str = Field(default="normal", sa_type=String(16))
    urgency_rank: int = Field(default=0, description="Urgent ones first in every queue")
    page_count: int | None = None
    copies: int | None = None
    deadline: date | None = Field(default=None, index=True)
    arrival_number: int | None = None
    arrival_date: date | None = Field(default=None, index=True)
    received_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    source: str = Field(default="paper", sa_type=String(12))
    """paper, upload, internal (another agency in the system) or edxml."""
    electronic: bool = False
    """Received or issued as a signed electronic document (statistics: share exchanged
    electronically)."""
    direction: str = Field(default="", sa_column=Column(Text(), nullable=False))
    """The leader's direction (ý kiến chỉ đạo / bút phê)."""
    leader_id: int | None = Field(default=None, foreign_key="user.id")
    """Incoming: the leader it is presented to. Outgoing: the leader who approves and signs."""
    directed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    drafting_unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    drafter_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    origin_id: int | None = Field(default=None, foreign_key="document.id")
    """Incoming from another agency in the system: the sender's outgoing document."""
    replaces_id: int | None = Field(default=None, foreign_key="document.id")
    publish: bool = False
    """Marked for the public transparency page."""
    signature_verdict: str = Field(default="", max_length=16)
    """Of the main file on receipt: valid, invalid, indeterminate, unsigned."""
    created_by: int | None = Field(default=None, foreign_key="user.id", index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    completed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    issued_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class DocumentFile(SQLModel, table=True):
    """A file of a document: the main file (every version kept), attachments, results."""

    __tablename__ = "document_file"
    __table_args__ = (UniqueConstraint("document_id", "kind", "slot", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    file_id: str = Field(foreign_key="stored_file.id", max_length=36)
    kind: str = Field(sa_type=String(12), description="main, attachment, result or copy")
    slot: int = Field(default=0, description="Which attachment or result (0 for the main)")
    version: int = 1
    note: str = Field(default="", max_length=500)
    signed: bool = False
    verdict: str = Field(default="", max_length=16, description="Signature check on receipt")
    report_json: str | None = Field(default=None, sa_column=Column(Text()))
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Assignment(SQLModel, table=True):
    """A handler named by the leader's direction: lead (xử lý chính) or co-handler."""

    __table_args__ = (Index("ix_assignment_user", "user_id", "active"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    lead: bool = False
    deadline: date | None = None
    active: bool = True
    """False once a new direction replaces it (kept for the history)."""
    assigned_by: int | None = Field(default=None, foreign_key="user.id")
    assigned_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class DocumentAccess(SQLModel, table=True):
    """The named access list of a confidential document."""

    __tablename__ = "document_access"
    __table_args__ = (UniqueConstraint("document_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)


class Recipient(SQLModel, table=True):
    """Where an outgoing document went, and how far the recipient has got with it."""

    __table_args__ = (Index("ix_recipient_incoming", "incoming_id"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    agency_id: int | None = Field(default=None, foreign_key="agency.id")
    """A recipient inside the system; None for one outside (edXML package, or paper)."""
    organ_id: str = Field(default="", max_length=32, description="Agency code")
    name: str = Field(max_length=255)
    method: str = Field(sa_type=String(8), description="internal, edxml or paper")
    status: str = Field(default="", max_length=2, description="edXML status code")
    status_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    incoming_id: int | None = Field(default=None, foreign_key="document.id")
    sent_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    """When the clerk dispatched it (for a peer system: handed to the exchange outbox)."""
    delivery: str = Field(
        default="",
        sa_column=Column(String(10), nullable=False, default=""),
        description="For a peer system: pending, delivered, refused, failed or cancelled",
    )
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    """When the peer's signed receipt was verified: only then is it sent."""


class DocumentEvent(SQLModel, table=True):
    """One line of a document's timeline (the audit log holds the same, chained)."""

    __tablename__ = "document_event"
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    user_id: int | None = Field(default=None, foreign_key="user.id")
    actor_name: str = Field(default="", max_length=255)
    action: str = Field(max_length=40)
    from_state: str = Field(default="", max_length=24)
    to_state: str = Field(default="", max_length=24)
    note: str = Field(default="", sa_column=Column(Text(), nullable=False))


class DocumentText(SQLModel, table=True):
    """What search reads of a document, folded (``documents.folding``): ``meta`` from its
    fields, ``content`` from its main PDF. The engines index it in SQL the ORM does not
    model (``documents.search``): FTS5 on SQLite, a GIN index on PostgreSQL."""

    __tablename__ = "document_text"
    document_id: int = Field(
        foreign_key="document.id", primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    meta: str = Field(default="", sa_column=Column(Text(), nullable=False))
    """Number and symbol, abstract, issuing agency and signer."""
    content: str = Field(default="", sa_column=Column(Text(), nullable=False))
    """The text of the current main PDF (kept when only the fields change)."""
    marks: str = Field(default="", sa_column=Column(Text(), nullable=False, server_default=""))
    """The exact spellings of the fields' words (``folding.spellings``: "hòa" is "hoa2"), so
    that a query's marks rank what it spells exactly above what it only folds to."""
    pairs: str = Field(default="", sa_column=Column(Text(), nullable=False, server_default=""))
    """The pairs of neighbouring words of ``meta`` (``folding.pairs_text``): SQLite finds a
    phrase of the fields by them."""
