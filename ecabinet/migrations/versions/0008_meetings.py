"""meetings: meetings, participants (invitation, answer, check-in), agenda items and
their documents, the numbered live event log

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 02:31:21.267381
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import ecabinet.core.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = ["agenda_document", "agenda_item", "meeting", "meeting_event", "participant"]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""


def upgrade() -> None:
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("starts_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("online_link", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("secretary_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("quorum_rule", sa.String(length=16), nullable=False),
        sa.Column("current_item_id", sa.Integer(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("started_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("conclusions", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
        ),
        sa.ForeignKeyConstraint(
            ["chair_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["secretary_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_state"), ["state"], unique=False)

    op.create_table(
        "agenda_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("presenter_id", sa.Integer(), nullable=True),
        sa.Column("planned_minutes", sa.Integer(), nullable=False),
        sa.Column("started_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
        ),
        sa.ForeignKeyConstraint(
            ["presenter_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_item_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(
            "ix_agenda_item_meeting_position", ["meeting_id", "position"], unique=False
        )

    op.create_table(
        "meeting_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "seq"),
    )
    with op.batch_alter_table("meeting_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_event_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("rsvp", sa.String(length=12), nullable=False),
        sa.Column("rsvp_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("deputy_id", sa.Integer(), nullable=True),
        sa.Column("attendance", sa.String(length=12), nullable=False),
        sa.Column("absence_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("checked_in_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("checked_in_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["checked_in_by"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["deputy_id"],
            ["user.id"],
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
        sa.UniqueConstraint("meeting_id", "user_id"),
    )
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participant_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_participant_user_id"), ["user_id"], unique=False)

    op.create_table(
        "agenda_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_file.id"],
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["agenda_item.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "slot", "version"),
    )
    with op.batch_alter_table("agenda_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_document_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("agenda_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_document_item_id"))

    op.drop_table("agenda_document")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_user_id"))
        batch_op.drop_index(batch_op.f("ix_participant_meeting_id"))

    op.drop_table("participant")
    with op.batch_alter_table("meeting_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_event_meeting_id"))

    op.drop_table("meeting_event")
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.drop_index("ix_agenda_item_meeting_position")
        batch_op.drop_index(batch_op.f("ix_agenda_item_meeting_id"))

    op.drop_table("agenda_item")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_state"))
        batch_op.drop_index(batch_op.f("ix_meeting_starts_at"))
        batch_op.drop_index(batch_op.f("ix_meeting_agency_id"))

    op.drop_table("meeting")
