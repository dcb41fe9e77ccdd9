"""notifications: in-app notices about documents, reminders once per deadline

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import ecabinet.core.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = ["notification"]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""

REMINDERS = "kind IN ('due_soon', 'overdue')"


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("title_vi", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("title_en", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("created_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("emailed_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_notification_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index("ix_notification_user_read", ["user_id", "read_at"], unique=False)
        batch_op.create_index(
            "uq_notification_reminder",
            ["user_id", "document_id", "kind", "deadline"],
            unique=True,
            sqlite_where=sa.text(REMINDERS),
            postgresql_where=sa.text(REMINDERS),
        )


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_notification_reminder",
            sqlite_where=sa.text(REMINDERS),
            postgresql_where=sa.text(REMINDERS),
        )
        batch_op.drop_index("ix_notification_user_read")
        batch_op.drop_index(batch_op.f("ix_notification_document_id"))
        batch_op.drop_index(batch_op.f("ix_notification_created_at"))
    op.drop_table("notification")
