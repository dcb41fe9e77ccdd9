"""two-step signing for officials' USB tokens; signature and seal images of credentials

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import ecabinet.core.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = ["pending_signature", "signing_credential.image_sha256"]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""


def upgrade() -> None:
    with op.batch_alter_table("signing_credential", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("image_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    op.create_table(
        "pending_signature",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("file_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("source_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("tail", sa.LargeBinary(), nullable=False),
        sa.Column("contents_start", sa.BigInteger(), nullable=False),
        sa.Column("contents_end", sa.BigInteger(), nullable=False),
        sa.Column("byte_range", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("signed_attrs", sa.LargeBinary(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("field_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("created_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["credential_id"], ["signing_credential.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["file_id"], ["stored_file.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pending_signature", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_signature_credential_id"), ["credential_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pending_signature_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pending_signature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_signature_user_id"))
        batch_op.drop_index(batch_op.f("ix_pending_signature_credential_id"))
    op.drop_table("pending_signature")
    with op.batch_alter_table("signing_credential", schema=None) as batch_op:
        batch_op.drop_column("image_sha256")
