"""notification channels: a user's mobile number, notices about meetings and
consultations (no document), urgent notices, each user's channels per kind, and one
delivery row per notification and channel (the idempotency key of e-mail and SMS)

Revision ID: 0020_notification_channels
Revises: 0019
Create Date: 2026-12-06 16:00:00.000000

Downgrade drops the preferences and the delivery records, and the notices that have no
document (they cannot exist in the old schema); the document notices stay as they were.
Phone numbers are dropped with their column: take a copy first if they must be kept.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import ecabinet.core.types

revision: str = "0020_notification_channels"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = [
    "notification WHERE document_id IS NULL",
    "notification.link WHERE link <> ''",
    "notification.once_key",
    "notification.urgent WHERE urgent",
    "notification_delivery",
    "notification_preference",
    "user.phone",
]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(
            sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
    with op.batch_alter_table("notification") as batch:
        batch.alter_column("document_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(
            sa.Column(
                "link",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",
            )
        )
        batch.add_column(
            sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("once_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True)
        )
        batch.create_unique_constraint("uq_notification_once_key", ["once_key"])
    op.create_table(
        "notification_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.Column("sms", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("user_id", "kind"),
    )
    op.create_table(
        "notification_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retry_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["notification_id"], ["notification.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notification_id", "channel"),
    )
    with op.batch_alter_table("notification_delivery") as batch:
        batch.create_index(batch.f("ix_notification_delivery_notification_id"), ["notification_id"])
        batch.create_index(batch.f("ix_notification_delivery_state"), ["state"])


def downgrade() -> None:
    op.drop_table("notification_delivery")
    op.drop_table("notification_preference")
    op.execute("DELETE FROM notification WHERE document_id IS NULL")
    with op.batch_alter_table("notification") as batch:
        batch.drop_constraint("uq_notification_once_key", type_="unique")
        batch.drop_column("once_key")
        batch.drop_column("urgent")
        batch.drop_column("link")
        batch.alter_column("document_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("user") as batch:
        batch.drop_column("phone")
