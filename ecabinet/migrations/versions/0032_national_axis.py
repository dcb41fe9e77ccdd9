"""The mailbox of a deployment playing the national axis

``axis_message`` holds each package or status message for its receiving agency until
the receiver acknowledges it (``done``) or refuses it (``fail``, with the reason the
sender reads); ``axis_nonce`` keeps the nonces of signed pull requests so a replay is
refused (decision 0034).

Revision ID: 0032_national_axis
Revises: 0031_edxml_imports
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ecabinet.core.types

revision: str = "0032_national_axis"
down_revision: str | None = "0031_edxml_imports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = ["axis_message", "axis_nonce"]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""
rebuilt: list[str] = []


def upgrade() -> None:
    op.create_table(
        "axis_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("package_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("from_code", sa.String(length=32), nullable=False),
        sa.Column("to_code", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("state_note", sa.Text(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("receipt", sa.LargeBinary(), nullable=False),
        sa.Column("receipt_signature", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("package_id", "to_code", name="uq_axis_message_package"),
    )
    op.create_index("ix_axis_message_from_code", "axis_message", ["from_code"])
    op.create_index("ix_axis_message_to_code", "axis_message", ["to_code"])
    op.create_table(
        "axis_nonce",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("seen_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("agency_code", "nonce", name="uq_axis_nonce"),
    )
    op.create_index("ix_axis_nonce_seen_at", "axis_nonce", ["seen_at"])


def downgrade() -> None:
    op.drop_table("axis_nonce")
    op.drop_table("axis_message")
