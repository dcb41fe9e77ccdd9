"""speakers: requests for the floor, with start and end times

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 02:35:18.820287
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ecabinet.core.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = ["speaker_request"]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""


def upgrade() -> None:
    op.create_table(
        "speaker_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("requested_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["agenda_item.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("speaker_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_speaker_request_meeting_state", ["meeting_id", "state"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("speaker_request", schema=None) as batch_op:
        batch_op.drop_index("ix_speaker_request_meeting_state")

    op.drop_table("speaker_request")
