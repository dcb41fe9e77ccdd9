"""secret votes encrypted on the tablet: key ceremony, encrypted ballots, partial
decryptions, the election record

Revision ID: 0024_encrypted_ballots
Revises: 0023_audit_request_id
Create Date: 2026-12-06 22:30:00.000000

A meeting's guardians and their ceremony (``meeting_key_ceremony``, ``meeting_guardian``,
``guardian_share``); a secret vote's ballots as ciphertexts (``encrypted_ballot``: no
voter, no time, a random key, no SQLite rowid), its guardians' partial decryptions and its
election record (``partial_decryption``, ``vote_record``); on ``vote``, the record's hash
and the seats present at the close. Votes cast before this revision keep their counters.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_encrypted_ballots"
down_revision: str | None = "0023_audit_request_id"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = [
    "encrypted_ballot",
    "guardian_share",
    "meeting_guardian",
    "meeting_key_ceremony",
    "partial_decryption",
    "vote.present_at_close",
    "vote.record_hash",
    "vote_record",
]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""


def upgrade() -> None:
    op.create_table(
        "meeting_key_ceremony",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("quorum", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("deployment", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("meeting_id"),
    )
    op.create_table(
        "meeting_guardian",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("announcement", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "index"),
        sa.UniqueConstraint("meeting_id", "user_id"),
    )
    with op.batch_alter_table("meeting_guardian") as batch:
        batch.create_index(batch.f("ix_meeting_guardian_meeting_id"), ["meeting_id"])
    op.create_table(
        "guardian_share",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.Integer(), nullable=False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("meeting_id", "sender", "recipient"),
    )
    op.create_table(
        "encrypted_ballot",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("tracking_code", sa.String(length=80), nullable=False),
        sa.Column("ballot", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["vote_id"], ["vote.id"]),
        sa.PrimaryKeyConstraint("key"),
        sa.UniqueConstraint("vote_id", "tracking_code"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("encrypted_ballot") as batch:
        batch.create_index(batch.f("ix_encrypted_ballot_vote_id"), ["vote_id"])
    op.create_table(
        "partial_decryption",
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("guardian", sa.Integer(), nullable=False),
        sa.Column("partial", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["vote_id"], ["vote.id"]),
        sa.PrimaryKeyConstraint("vote_id", "guardian"),
    )
    op.create_table(
        "vote_record",
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("aggregate", sa.Text(), nullable=False),
        sa.Column("record", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["vote_id"], ["vote.id"]),
        sa.PrimaryKeyConstraint("vote_id"),
    )
    with op.batch_alter_table("vote") as batch:
        batch.add_column(sa.Column("present_at_close", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("record_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("vote") as batch:
        batch.drop_column("record_hash")
        batch.drop_column("present_at_close")
    op.drop_table("vote_record")
    op.drop_table("partial_decryption")
    with op.batch_alter_table("encrypted_ballot") as batch:
        batch.drop_index(batch.f("ix_encrypted_ballot_vote_id"))
    op.drop_table("encrypted_ballot")
    op.drop_table("guardian_share")
    with op.batch_alter_table("meeting_guardian") as batch:
        batch.drop_index(batch.f("ix_meeting_guardian_meeting_id"))
    op.drop_table("meeting_guardian")
    op.drop_table("meeting_key_ceremony")
