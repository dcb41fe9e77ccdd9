"""publication: sector (lĩnh vực), date of issue, links (replaces, amends) between published
documents, indexes for the public lists (newest issued first, by state or sector; number
and symbol)

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

destroys: list[str] = ["publication_link", "publication.issued_on", "publication.sector"]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""


def upgrade() -> None:
    with op.batch_alter_table("publication") as batch:
        batch.add_column(
            sa.Column("sector", sa.String(length=24), nullable=False, server_default="khac")
        )
        batch.add_column(sa.Column("issued_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE publication SET issued_on ="
        " (SELECT issued_on FROM document WHERE document.id = publication.document_id)"
    )
    with op.batch_alter_table("publication") as batch:
        batch.alter_column("sector", server_default=None)
        batch.alter_column("issued_on", existing_type=sa.Date(), nullable=False)
    op.drop_index("ix_publication_state", table_name="publication")
    op.create_index("ix_publication_issued_on", "publication", ["issued_on", "document_id"])
    op.create_index(
        "ix_publication_state_issued_on", "publication", ["state", "issued_on", "document_id"]
    )
    op.create_index(
        "ix_publication_sector_issued_on", "publication", ["sector", "issued_on", "document_id"]
    )
    op.create_index("ix_document_number_symbol", "document", ["number", "symbol"])
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
    op.drop_index("ix_document_number_symbol", table_name="document")
    op.drop_index("ix_publication_sector_issued_on", table_name="publication")
    op.drop_index("ix_publication_state_issued_on", table_name="publication")
    op.drop_index("ix_publication_issued_on", table_name="publication")
    op.create_index("ix_publication_state", "publication", ["state"])
    op.drop_index("ix_publication_link_target_id", table_name="publication_link")
    op.drop_table("publication_link")
    with op.batch_alter_table("publication") as batch:
        batch.drop_column("issued_on")
        batch.drop_column("sector")
