"""the agency directory: national identification codes with level, parent and whether
each agency is reachable electronically

Revision ID: 0029_agency_directory
Revises: 0028_vote_cancel
Create Date: 2026-12-07 02:00:00.000000

``agency_directory`` holds one row per agency code the deployment may exchange with
(imported from a file or synchronised from the axis's directory); dispatch to a recipient
outside the system checks its code against it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ecabinet.core.types

revision: str = "0029_agency_directory"
down_revision: str | None = "0028_vote_cancel"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = ["agency_directory"]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""
rebuilt: list[str] = []


def upgrade() -> None:
    op.create_table(
        "agency_directory",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("parent_code", sa.String(length=32), nullable=False),
        sa.Column("folded", sa.String(length=300), nullable=False),
        sa.Column("electronic", sa.Boolean(), nullable=False),
        sa.Column("updated_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_agency_directory_level", "agency_directory", ["level"])


def downgrade() -> None:
    op.drop_index("ix_agency_directory_level", table_name="agency_directory")
    op.drop_table("agency_directory")
