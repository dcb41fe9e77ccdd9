"""minutes of meetings: generated PDF versions and their signatures; the conclusion
notice drafted from a meeting

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import ecabinet.core.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = ["conclusion_notice", "minutes_signature", "minutes_version"]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""


def upgrade() -> None:
    op.create_table(
        "minutes_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("file_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("boxes", sa.Text(), nullable=False),
        sa.Column("generated_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("generated_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["stored_file.id"]),
        sa.ForeignKeyConstraint(["generated_by"], ["user.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "version"),
    )
    with op.batch_alter_table("minutes_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_minutes_version_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "minutes_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("file_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("signer_id", sa.Integer(), nullable=False),
        sa.Column("signer_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("credential_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("signed_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["stored_file.id"]),
        sa.ForeignKeyConstraint(["minutes_id"], ["minutes_version.id"]),
        sa.ForeignKeyConstraint(["signer_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("minutes_id", "role"),
    )
    with op.batch_alter_table("minutes_signature", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_minutes_signature_minutes_id"), ["minutes_id"], unique=False
        )

    op.create_table(
        "conclusion_notice",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("created_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["user.id"]),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("meeting_id"),
    )


def downgrade() -> None:
    op.drop_table("conclusion_notice")
    with op.batch_alter_table("minutes_signature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_signature_minutes_id"))

    op.drop_table("minutes_signature")
    with op.batch_alter_table("minutes_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_version_meeting_id"))

    op.drop_table("minutes_version")
