"""signing credentials: officials' and agency seals' keys, encrypted at rest

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import ecabinet.core.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = ["signing_credential"]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""


def upgrade() -> None:
    op.create_table(
        "signing_credential",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("issuer", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("serial", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("not_before", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("not_after", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        sa.Column("chain_pem", sa.Text(), nullable=False),
        sa.Column("encrypted_key", sa.LargeBinary(), nullable=False),
        sa.Column("kek_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("disabled_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["user.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("signing_credential", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signing_credential_agency_id"), ["agency_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_signing_credential_fingerprint"), ["fingerprint"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_signing_credential_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("signing_credential", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signing_credential_user_id"))
        batch_op.drop_index(batch_op.f("ix_signing_credential_fingerprint"))
        batch_op.drop_index(batch_op.f("ix_signing_credential_agency_id"))
    op.drop_table("signing_credential")
