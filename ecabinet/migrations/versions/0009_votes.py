"""votes: the vote, its counters, turnout and receipts (a secret ballot leaves no row
linking voter and choice), and the ballots of named votes

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 02:33:23.467967
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import ecabinet.core.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = ["vote", "vote_named_ballot", "vote_receipt", "vote_tally", "vote_turnout"]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""


def upgrade() -> None:
    op.create_table(
        "vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("question", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("rule", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("eligible", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("quorum_at_open", sa.Boolean(), nullable=False),
        sa.Column("quorum_at_close", sa.Boolean(), nullable=True),
        sa.Column("cast", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("opened_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["agenda_item.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vote_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "vote_named_ballot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("option", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"],
            ["vote.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("vote_id", "user_id"),
    )
    with op.batch_alter_table("vote_named_ballot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vote_named_ballot_vote_id"), ["vote_id"], unique=False)

    op.create_table(
        "vote_receipt",
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["vote_id"],
            ["vote.id"],
        ),
        sa.PrimaryKeyConstraint("digest"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("vote_receipt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vote_receipt_vote_id"), ["vote_id"], unique=False)

    op.create_table(
        "vote_tally",
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("option", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["vote_id"],
            ["vote.id"],
        ),
        sa.PrimaryKeyConstraint("vote_id", "option"),
    )
    op.create_table(
        "vote_turnout",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"],
            ["vote.id"],
        ),
        sa.PrimaryKeyConstraint("key"),
        sa.UniqueConstraint("vote_id", "user_id"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("vote_turnout", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vote_turnout_vote_id"), ["vote_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vote_turnout", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_turnout_vote_id"))

    op.drop_table("vote_turnout")
    op.drop_table("vote_tally")
    with op.batch_alter_table("vote_receipt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_receipt_vote_id"))

    op.drop_table("vote_receipt")
    with op.batch_alter_table("vote_named_ballot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_named_ballot_vote_id"))

    op.drop_table("vote_named_ballot")
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_meeting_id"))

    op.drop_table("vote")
