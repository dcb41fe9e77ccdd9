"""Tables of encrypted secret votes (see :mod:`.ballot_flow` and decision "secret ballot
flow").

A meeting's key ceremony (``meeting_key_ceremony``, ``meeting_guardian``,
``guardian_share``) leaves the server only public announcements and shares encrypted to
each guardian's own key. A secret ballot is a ciphertext with its proofs
(``encrypted_ballot``): no voter, no time, a random key and no hidden rowid, so neither
the row nor its place says who cast it; and nothing on the server can open it. Only the
sum is decrypted, by a quorum of guardians (``partial_decryption``); the counts are then
written once, and the election record is kept (``vote_record``) with its hash on the vote.
"""

from __future__ import annotations

from sqlalchemy import Column, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class KeyCeremony(SQLModel, table=True):
    """A meeting's guardians: how many, how many are needed to decrypt, and how far they
    are (``announcing`` → ``sharing`` → ``confirming`` → ``complete``)."""

    __tablename__ = "meeting_key_ceremony"
    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    count: int
    quorum: int
    state: str = Field(default="announcing", sa_type=String(12))
    deployment: str = Field(max_length=200)
    """The deployment's name, bound into every vote's context (and so every proof)."""
    fingerprint: str | None = Field(default=None, max_length=64)
    """Of the joint public key, shown to the room once every guardian confirmed."""


class Guardian(SQLModel, table=True):
    """One guardian of a meeting: a person whose tablet holds a share of the key."""

    __tablename__ = "meeting_guardian"
    __table_args__ = (
        UniqueConstraint("meeting_id", "index"),
        UniqueConstraint("meeting_id", "user_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    index: int
    """1-based, as in the ceremony's polynomials."""
    announcement: str | None = Field(default=None, sa_column=Column(Text()))
    """The public announcement (JSON) posted by the guardian's tablet."""
    state: str = Field(default="designated", sa_type=String(12))
    """designated, announced, shared or ready (accepted the shares sent to it)."""


class GuardianShare(SQLModel, table=True):
    """A share of one guardian's secret for another, encrypted to the recipient."""

    __tablename__ = "guardian_share"
    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    sender: int = Field(primary_key=True)
    recipient: int = Field(primary_key=True)
    ciphertext: str = Field(sa_column=Column(Text(), nullable=False))


class EncryptedBallot(SQLModel, table=True):
    """A secret ballot as the tablet sent it: a ciphertext per option with its proofs.
    Who cast it is nowhere here; the key is random and SQLite keeps no rowid."""

    __tablename__ = "encrypted_ballot"
    __table_args__ = (
        UniqueConstraint("vote_id", "tracking_code"),
        {"sqlite_with_rowid": False},
    )
    key: str = Field(primary_key=True, max_length=32, description="Random, not ordered")
    vote_id: int = Field(foreign_key="vote.id", index=True)
    tracking_code: str = Field(max_length=80)
    ballot: str = Field(sa_column=Column(Text(), nullable=False))


class PartialDecryption(SQLModel, table=True):
    """A guardian's share of the decryption of a vote's encrypted total, with its proof."""

    __tablename__ = "partial_decryption"
    vote_id: int = Field(foreign_key="vote.id", primary_key=True)
    guardian: int = Field(primary_key=True)
    partial: str = Field(sa_column=Column(Text(), nullable=False))


class VoteRecord(SQLModel, table=True):
    """A secret vote's encrypted total (from the close), then its election record (once
    decrypted); the record's SHA-256 is on the vote (``vote.record_hash``)."""

    __tablename__ = "vote_record"
    vote_id: int = Field(foreign_key="vote.id", primary_key=True)
    aggregate: str = Field(sa_column=Column(Text(), nullable=False))
    record: str | None = Field(default=None, sa_column=Column(Text()))
    context: str | None = Field(default=None, sa_column=Column(Text()))
    """A voided vote's context as it was (canonical JSON): a new key ceremony replaces the
    announcements it names, and the ciphertexts stay decryptable with the old shares."""
