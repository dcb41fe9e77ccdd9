"""Tables of the publication log: its entries (each a leaf), the hashes of its perfect
subtrees, the one-row state that orders appends, and the signed tree heads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, String, Text
from sqlmodel import Field, SQLModel

from ecabinet.core.types import UTCDateTime


class LogEntry(SQLModel, table=True):
    """One publication, withdrawal, expiry or correction, as published (never changed)."""

    __tablename__ = "publication_log_entry"
    seq: int = Field(sa_type=BigInteger, primary_key=True, description="Leaf index, from 0")
    kind: str = Field(sa_type=String(16))
    document_id: int = Field(index=True)
    payload: str = Field(sa_column=Column(Text(), nullable=False))
    """Canonical JSON (sorted keys, no spaces): the leaf is SHA-256(0x00 || its UTF-8)."""
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class LogNode(SQLModel, table=True):
    """The hash of a perfect subtree: leaves [index·2^level, (index+1)·2^level)."""

    __tablename__ = "publication_log_node"
    level: int = Field(primary_key=True)
    index: int = Field(sa_type=BigInteger, primary_key=True)
    hash: str = Field(max_length=64)


class LogState(SQLModel, table=True):
    """The log's size (one row): appending updates it first, which orders appenders."""

    __tablename__ = "publication_log_state"
    id: int = Field(default=1, primary_key=True)
    size: int = Field(default=0, sa_type=BigInteger)


class TreeHead(SQLModel, table=True):
    """A signed tree head: the root of the first ``size`` entries, signed by the server."""

    __tablename__ = "publication_log_head"
    size: int = Field(sa_type=BigInteger, primary_key=True)
    root: str = Field(max_length=64)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    signature: str = Field(max_length=200, description="Ed25519, base64")
    key_id: str | None = Field(default=None, max_length=64)
    """The key that signed it (``publication_log_key``); None for heads signed before
    keys had ids (signed text v1, checked against the first key)."""


class LogKey(SQLModel, table=True):
    """A public key that signs (or signed) tree heads. Every key after the first carries
    an endorsement: the previous key's signature over :func:`endorsed_text`, so whoever
    trusted the old key can trust the new one without asking the operator."""

    __tablename__ = "publication_log_key"
    key_id: str = Field(max_length=64, primary_key=True, description="SHA-256 of the raw key, hex")
    public_key: str = Field(sa_column=Column(Text(), nullable=False))
    """PEM (SubjectPublicKeyInfo)."""
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    endorsed_by: str | None = Field(default=None, max_length=64)
    endorsement: str | None = Field(default=None, max_length=200, description="Ed25519, base64")
