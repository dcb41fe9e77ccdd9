"""publication: a document's state on the public page

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ecabinet.core.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

destroys: list[str] = ["publication"]
"""What downgrade() drops that holds data (see ecabinet.core.migrate.Loss)."""


def upgrade() -> None:
    op.create_table(
        "publication",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=160), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("published_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_at", ecabinet.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("log_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.ForeignKeyConstraint(["published_by"], ["user.id"]),
        sa.PrimaryKeyConstraint("document_id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_index("ix_publication_state", "publication", ["state"])
    op.create_index("ix_publication_published_at", "publication", ["published_at"])
    op.create_index("ix_publication_sha256", "publication", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_publication_sha256", table_name="publication")
    op.drop_index("ix_publication_published_at", table_name="publication")
    op.drop_index("ix_publication_state", table_name="publication")
    op.drop_table("publication")
