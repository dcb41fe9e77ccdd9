"""publication: sector (lĩnh vực) and links (replaces, amends) between published documents

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("publication") as batch:
        batch.add_column(
            sa.Column("sector", sa.String(length=24), nullable=False, server_default="khac")
        )
        batch.create_index("ix_publication_sector", ["sector"])
    with op.batch_alter_table("publication") as batch:
        batch.alter_column("sector", server_default=None)
    op.create_table(
        "publication_link",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["publication.document_id"]),
        sa.ForeignKeyConstraint(["target_id"], ["publication.document_id"]),
        sa.PrimaryKeyConstraint("document_id", "target_id"),
    )
    op.create_index("ix_publication_link_target_id", "publication_link", ["target_id"])


def downgrade() -> None:
    op.drop_index("ix_publication_link_target_id", table_name="publication_link")
    op.drop_table("publication_link")
    with op.batch_alter_table("publication") as batch:
        batch.drop_index("ix_publication_sector")
        batch.drop_column("sector")
