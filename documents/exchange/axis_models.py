"""Tables of a deployment playing the national axis (decision 0034): the mailbox of
packages held for each member agency until it acknowledges them, and the nonces of
the signed pull requests it has seen (a replay is refused)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ecabinet.core.types import UTCDateTime


class AxisMessage(SQLModel, table=True):
    """A package or status message the axis holds for its receiver, with the original
    sender's signature (the receiver checks it end to end)."""

    __tablename__ = "axis_message"
    __table_args__ = (UniqueConstraint("package_id", "to_code", name="uq_axis_message_package"),)
    id: int | None = Field(default=None, primary_key=True)
    package_id: str = Field(max_length=64, description="SHA-256 of the package bytes")
    kind: str = Field(sa_type=String(8), description="document or status")
    from_code: str = Field(max_length=32, index=True)
    to_code: str = Field(max_length=32, index=True)
    state: str = Field(default="pending", sa_type=String(8), description="pending, done or fail")
    state_note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    """Why the receiver refused it (``fail``), for the sender."""
    data: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    signature: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    receipt: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    """The axis's receipt (JSON) given to the sender, signed below by the axis."""
    receipt_signature: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class AxisNonce(SQLModel, table=True):
    """A signed pull request's nonce, kept while its time is acceptable."""

    __tablename__ = "axis_nonce"
    __table_args__ = (UniqueConstraint("agency_code", "nonce", name="uq_axis_nonce"),)
    id: int | None = Field(default=None, primary_key=True)
    agency_code: str = Field(max_length=32)
    nonce: str = Field(max_length=64)
    seen_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
