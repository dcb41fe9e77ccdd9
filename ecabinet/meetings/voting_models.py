"""Tables of votes (biểu quyết).

A secret vote must be unlinkable: nothing may tie a voter to a choice. So a secret ballot
leaves no row of its own: it adds one to its option's counter (``vote_tally``), while the
fact that someone voted is a row without the choice (``vote_turnout``, which makes "one
ballot per voter" a unique constraint, across processes), and the voter's receipt is a
hash without the voter (``vote_receipt``). Neither of the two per-voter tables carries a
time, and their keys are random, so their order says nothing either. A named vote keeps
each voter's choice (``vote_named_ballot``), as the minutes list them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ecabinet.core.types import UTCDateTime


class Vote(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    item_id: int = Field(foreign_key="agenda_item.id")
    question: str = Field(max_length=1000)
    options: str = Field(sa_column=Column(Text(), nullable=False))
    """JSON list of option labels, e.g. ["Tán thành", "Không tán thành", "Không biểu quyết"]."""
    secret: bool = False
    rule: str = Field(sa_type=String(16))
    """cast, present, members or two_thirds: of what the first option needs more than half
    (two thirds: at least two thirds of the members)."""
    state: str = Field(default="open", sa_type=String(8))
    """open, closed, or (a secret vote) tallying: closed to ballots, its total waiting for
    a quorum of guardians to decrypt it; voided: not tallied, too many guardians lost
    (:mod:`.voided_votes`)."""
    eligible: int = 0
    """Voting seats present when the vote opened (who may vote)."""
    members: int = 0
    quorum_at_open: bool = False
    quorum_at_close: bool | None = None
    cast: int = 0
    passed: bool | None = None
    opened_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    present_at_close: int | None = None
    """Voting seats present at the close (a secret vote's rule is applied after its
    decryption, with the room as it was when the chair closed it)."""
    record_hash: str | None = Field(default=None, max_length=64)
    """A secret vote's election record's SHA-256 (the record is in ``vote_record``)."""
    void_reason: str | None = Field(default=None, sa_column=Column(Text()))
    """Why a secret vote was voided as not tallied (the chair's words)."""


class VoteTally(SQLModel, table=True):
    """How many ballots each option has (secret and named votes alike)."""

    __tablename__ = "vote_tally"
    vote_id: int = Field(foreign_key="vote.id", primary_key=True)
    option: int = Field(primary_key=True)
    count: int = 0


class VoteTurnout(SQLModel, table=True):
    """That a seat has voted (never what): one row per seat, so a second ballot breaks
    the unique constraint whichever process receives it."""

    __tablename__ = "vote_turnout"
    # SQLite: no hidden rowid either (it would keep the order of the ballots).
    __table_args__ = (UniqueConstraint("vote_id", "user_id"), {"sqlite_with_rowid": False})
    key: str = Field(primary_key=True, max_length=32, description="Random, not ordered")
    vote_id: int = Field(foreign_key="vote.id", index=True)
    user_id: int = Field(foreign_key="user.id")


class VoteReceipt(SQLModel, table=True):
    """The hash of a receipt code given to a voter (never who got it)."""

    __tablename__ = "vote_receipt"
    __table_args__ = ({"sqlite_with_rowid": False},)
    digest: str = Field(primary_key=True, max_length=64)
    vote_id: int = Field(foreign_key="vote.id", index=True)


class VoteNamedBallot(SQLModel, table=True):
    """A named vote's ballot: who chose what."""

    __tablename__ = "vote_named_ballot"
    __table_args__ = (UniqueConstraint("vote_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(foreign_key="vote.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    option: int
